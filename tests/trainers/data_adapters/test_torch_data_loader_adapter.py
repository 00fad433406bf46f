"""torch DataLoaders: the loader batches and shuffles; fit takes each batch as a step."""
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

from cornu.trainers.data_adapters.torch_data_loader import gathered_batches, gathers


def _loader(data, **kwargs):
    kwargs.setdefault("batch_size", 10)
    return DataLoader(TensorDataset(torch.tensor(data.X), torch.tensor(data.Y)), **kwargs)


class Samples(Dataset):
    """A map-style dataset of samples, indexed one by one (no gathering)."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


@pytest.mark.parametrize("kind", ["tensor dataset", "samples", "two workers"])
def test_trains_like_arrays_and_like_keras(data, keras, kind):
    if kind == "tensor dataset":
        loader = _loader(data)
    else:
        loader = DataLoader(Samples(data.X, data.Y), batch_size=10,
                            num_workers=2 if kind == "two workers" else 0)
    m = data.model()
    m.fit(loader, epochs=2, shuffle=False, verbose=0)
    data.assert_same(m.get_weights(), data.array_weights(epochs=2))
    if kind == "tensor dataset":
        ref = data.model(keras)
        ref.fit(_loader(data), epochs=2, shuffle=False, verbose=0)
        data.assert_same(m.get_weights(), ref.get_weights(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(m.evaluate(loader, verbose=0),
                                   m.evaluate(data.X, data.Y, verbose=0), rtol=1e-6)
        np.testing.assert_allclose(m.predict(loader, verbose=0), m.predict(data.X, verbose=0),
                                   rtol=1e-6)


def test_shuffling_loader_trains_like_arrays_in_the_samplers_order(data):
    # The documented equivalent: arrays in the order the loader's sampler draws.
    indices = DataLoader(range(40), batch_size=10, shuffle=True,
                         generator=torch.Generator().manual_seed(5))
    order = torch.cat(list(indices)).numpy()
    m = data.model()
    m.fit(data.X[order], data.Y[order], batch_size=10, epochs=1, shuffle=False, verbose=0)
    expected = m.get_weights()
    m = data.model()
    m.fit(_loader(data, shuffle=True, generator=torch.Generator().manual_seed(5)), epochs=1,
          shuffle=False, verbose=0)
    data.assert_same(m.get_weights(), expected)


def test_gathered_batches_equal_the_loaders_and_draw_the_same_random_numbers(data):
    loader = _loader(data, shuffle=True, drop_last=True, batch_size=7)
    assert gathers(loader)
    torch.manual_seed(11)
    expected = list(loader)
    after = torch.rand(3)
    torch.manual_seed(11)
    got = list(gathered_batches(loader))
    assert len(got) == len(expected) == 5
    for a, b in zip(got, expected):
        assert isinstance(a, list) and len(a) == 2
        for ta, tb in zip(a, b):
            assert ta.dtype == tb.dtype and torch.equal(ta, tb)
    assert torch.equal(torch.rand(3), after)
    assert not gathers(_loader(data, num_workers=1))
    assert not gathers(_loader(data, collate_fn=lambda rows: rows))


def test_steps_per_epoch_shorter_than_the_loader_continues_it_like_keras(data, keras):
    m = data.model()
    with pytest.warns(UserWarning, match="ran out of data"):
        m.fit(_loader(data), steps_per_epoch=3, epochs=3, shuffle=False, verbose=0)
    ref = data.model(keras)
    ref.fit(_loader(data), steps_per_epoch=3, epochs=3, shuffle=False, verbose=0)
    assert int(m.optimizer.iterations) == int(ref.optimizer.iterations) == 7
    data.assert_same(m.get_weights(), ref.get_weights(), rtol=1e-5, atol=1e-6)


def test_validation_data_and_class_weight(data):
    y = (data.Y > data.Y.mean()).astype("float32")
    cw = {0: 0.5, 1: 2.0}
    m = data.model(loss="binary_crossentropy")
    expected = m.fit(data.X, y, batch_size=10, shuffle=False, epochs=1, class_weight=cw,
                     validation_data=(data.X, y), verbose=0).history
    weights = m.get_weights()
    loader = DataLoader(TensorDataset(torch.tensor(data.X), torch.tensor(y)), batch_size=10)
    m = data.model(loss="binary_crossentropy")
    got = m.fit(loader, shuffle=False, epochs=1, class_weight=cw, validation_data=loader,
                verbose=0).history
    data.assert_same(m.get_weights(), weights)
    np.testing.assert_allclose(got["val_loss"], expected["val_loss"], rtol=1e-6)


def test_batch_of_the_wrong_shape_names_the_batch(data):
    class Ragged(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            width = 3 if i < 2 else 4
            return np.ones((10, width), "float32"), np.ones((10, 1), "float32")

    loader = DataLoader(Ragged(), batch_size=None)
    with pytest.raises(ValueError, match=r"Batch 2 of the torch DataLoader .*expected "
                                         r"shape=\(None, 3\), found shape=\(10, 4\)"):
        data.model().fit(loader, epochs=1, shuffle=False, verbose=0)


def test_a_dataset_of_samples_needs_a_loader(data):
    with pytest.raises(ValueError, match=r"torch Dataset of samples .*DataLoader\(dataset"):
        data.model().fit(Samples(data.X, data.Y), epochs=1, verbose=0)


def test_shuffle_and_targets(data):
    with pytest.warns(UserWarning, match="provided as a torch DataLoader"):
        data.model().fit(_loader(data), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="`sample_weight` should not be passed"):
        data.model().fit(_loader(data), sample_weight=data.W, epochs=1, verbose=0)
