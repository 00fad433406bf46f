"""Generators, Sequences and DataLoaders go through the same loop as arrays."""
import numpy as np
import pytest
import torch

import cornu
from cornu.layers import Dense


def _model():
    model = cornu.Sequential([Dense(1, input_shape=(3,), kernel_initializer="ones")])
    model.compile("sgd", "mse")
    return model


X = np.random.RandomState(0).rand(40, 3).astype("float32")
Y = X.sum(axis=1, keepdims=True) * 0.5


class Batches(cornu.utils.Sequence):
    def __init__(self):
        super().__init__()
        self.epochs_ended = 0

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return X[i * 10:(i + 1) * 10], Y[i * 10:(i + 1) * 10]

    def on_epoch_end(self):
        self.epochs_ended += 1


def _array_history():
    return _model().fit(X, Y, batch_size=10, epochs=2, shuffle=False, verbose=0).history["loss"]


def test_generator_sequence_and_dataloader_train_like_arrays():
    expected = _array_history()

    def generator():
        while True:
            for i in range(4):
                yield X[i * 10:(i + 1) * 10], Y[i * 10:(i + 1) * 10]

    got = _model().fit(generator(), steps_per_epoch=4, epochs=2, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    sequence = Batches()
    got = _model().fit(sequence, epochs=2, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert sequence.epochs_ended == 2
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(Y)), batch_size=10)
    model = _model()
    got = model.fit(loader, epochs=2, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert model.predict(loader, verbose=0).shape == (40, 1)
    np.testing.assert_allclose(model.evaluate(loader, verbose=0), model.evaluate(X, Y, verbose=0),
                               rtol=1e-6)


def test_exhausted_generator_says_so():
    def generator():
        for i in range(2):
            yield X[:10], Y[:10]
    with pytest.raises(ValueError, match="ran out of data after 2 steps"):
        _model().fit(generator(), steps_per_epoch=3, epochs=1, verbose=0)


def test_fit_generator_keras2_spelling():
    model = _model()
    history = model.fit_generator(Batches(), steps_per_epoch=4, epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1 and np.isfinite(history.history["loss"]).all()
    assert int(model.optimizer.iterations) == 4


@pytest.mark.parametrize("source", ["arrays", "generator"])
def test_fractional_steps_per_epoch_rounds_up_like_keras2(source):
    # Keras 2 looped `while steps_done < steps_per_epoch`: `len(x) / 16` = 2.5 ran 3 steps.
    model = _model()

    def batches():
        while True:
            yield X[:16], Y[:16]

    data = (X, Y) if source == "arrays" else (batches(),)
    kwargs = {"batch_size": 16} if source == "arrays" else {}
    history = model.fit(*data, steps_per_epoch=len(X) / 16, epochs=1, verbose=0, **kwargs)
    assert int(model.optimizer.iterations) == 3
    assert history.history["loss"]


def test_keras3_pydataset_subclass_trains_and_predicts():
    # Keras 3: `class DS(keras.utils.PyDataset)`, `super().__init__(**kwargs)` with workers=...
    class DS(cornu.utils.PyDataset):
        def __init__(self, batch, **kwargs):
            super().__init__(**kwargs)
            self.batch = batch

        def __len__(self):
            return len(X) // self.batch

        def __getitem__(self, i):
            return X[i * self.batch:(i + 1) * self.batch], Y[i * self.batch:(i + 1) * self.batch]

    model = _model()
    model.fit(DS(10, workers=2, use_multiprocessing=False), epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 4
    assert model.predict(DS(20), verbose=0).shape == (40, 1)
