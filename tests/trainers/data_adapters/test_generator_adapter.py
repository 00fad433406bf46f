"""Generators, iterators and cornu's Dataset: the source batches, fit reads it."""
import warnings

import numpy as np
import pytest

import cornu


def _forever(batches):
    while True:
        yield from batches


def test_generator_trains_like_arrays_and_like_keras(data, keras):
    expected = data.array_weights(epochs=2)
    m = data.model()
    m.fit(_forever(data.batches()), steps_per_epoch=4, epochs=2, verbose=0)
    data.assert_same(m.get_weights(), expected)
    ref = data.model(keras)
    ref.fit(_forever(data.batches()), steps_per_epoch=4, epochs=2, verbose=0)
    data.assert_same(m.get_weights(), ref.get_weights(), rtol=1e-5, atol=1e-6)


def test_sample_weight_tuples_train_like_weighted_arrays(data):
    expected = data.array_weights(epochs=1, sample_weight=data.W)
    m = data.model()
    m.fit(iter(data.batches(weights=True)), epochs=1, verbose=0)
    data.assert_same(m.get_weights(), expected)


def test_class_weight_applies_to_every_batch(data):
    # cornu takes class_weight with generators (Keras 2's fit_generator did; Keras 3 raises).
    y = (data.Y > data.Y.mean()).astype("float32")
    cw = {0: 0.5, 1: 2.0}
    m = data.model(loss="binary_crossentropy")
    m.fit(data.X, y, batch_size=10, shuffle=False, epochs=1, class_weight=cw, verbose=0)
    expected = m.get_weights()
    m = data.model(loss="binary_crossentropy")
    m.fit(((data.X[i:i + 10], y[i:i + 10]) for i in range(0, 40, 10)), epochs=1,
          class_weight=cw, verbose=0)
    data.assert_same(m.get_weights(), expected)


def test_cornu_dataset_trains_like_arrays(data):
    ds = cornu.utils.Dataset.from_tensor_slices((data.X, data.Y)).batch(10)
    m = data.model()
    m.fit(ds, epochs=2, verbose=0)
    data.assert_same(m.get_weights(), data.array_weights(epochs=2))
    assert m.predict(ds, verbose=0).shape == (40, 1)


def test_exhausted_generator_warns_and_stops_training(data):
    m = data.model()
    with pytest.warns(UserWarning, match="ran out of data; interrupting training"):
        history = m.fit(iter(data.batches()), steps_per_epoch=4, epochs=3, verbose=0)
    # 4 batches: epoch 1 reads them all, epoch 2 finds none and training stops
    assert int(m.optimizer.iterations) == 4
    assert len(history.history["loss"]) == 1


def test_generator_that_ends_mid_epoch(data):
    gen = (b for b in data.batches() + data.batches()[:2])  # 6 batches, 4 per epoch asked
    m = data.model()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = m.fit(gen, steps_per_epoch=4, epochs=3, verbose=0)
    assert int(m.optimizer.iterations) == 6
    assert len(history.history["loss"]) == 2


def test_finite_generator_without_steps_trains_one_epoch(data):
    m = data.model()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = m.fit(iter(data.batches()), epochs=3, verbose=0)
    assert int(m.optimizer.iterations) == 4 and len(history.history["loss"]) == 1


def test_predict_and_evaluate_read_a_generator_to_its_end(data):
    m = data.model()
    got = m.predict((x for x, _ in data.batches()), verbose=0)
    np.testing.assert_allclose(got, m.predict(data.X, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(m.evaluate(iter(data.batches()), verbose=0),
                               m.evaluate(data.X, data.Y, verbose=0), rtol=1e-6)


def test_inconsistent_structure_names_the_batch(data):
    def gen():
        yield data.X[:10], data.Y[:10]
        yield data.X[10:20], data.Y[10:20], data.W[10:20]
    with pytest.raises(ValueError, match=r"Batch 1 of the generator has the structure .*"
                                         r"array\(10, 3\), array\(10, 1\), array\(10,\)"
                                         r".* first batch had \(array\(10, 3\), array\(10, 1\), None\)"):
        data.model().fit(gen(), epochs=1, verbose=0)


def test_wrong_number_of_elements_names_the_batch(data):
    gen = iter([(data.X[:10], data.Y[:10], data.W[:10], data.W[:10])])
    with pytest.raises(ValueError, match=r"Batch 0 of the generator has 4 elements"):
        data.model().fit(gen, epochs=1, verbose=0)


def test_batch_sizes_must_agree_within_a_batch(data):
    gen = iter([(data.X[:10], data.Y[:8])])
    with pytest.raises(ValueError, match=r"Batch 0 of the generator has arrays of different "
                                         r"batch sizes \[10, 8\]"):
        data.model().fit(gen, epochs=1, verbose=0)


def test_wrong_feature_count_names_the_batch(data):
    gen = iter([(data.X[:10], data.Y[:10]), (data.X[:10, :2], data.Y[:10])])
    with pytest.raises(ValueError, match=r"Batch 1 of the generator .*expected shape=\(None, 3\), "
                                         r"found shape=\(10, 2\)"):
        data.model().fit(gen, epochs=1, verbose=0)


def test_targets_and_options_keras_ignores(data):
    with pytest.raises(ValueError, match="`y` should not be passed"):
        data.model().fit(iter(data.batches()), data.Y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="`validation_split` is only supported for tensors"):
        data.model().fit(iter(data.batches()), validation_split=0.2, epochs=1, verbose=0)
    with pytest.warns(UserWarning, match="`batch_size=5` is ignored"):
        data.model().fit(iter(data.batches()), batch_size=5, shuffle=False, epochs=1, verbose=0)
    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored"):
        data.model().fit(iter(data.batches()), epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.model().fit(iter(data.batches()), shuffle=False, epochs=1, verbose=0)


def test_fractional_steps_per_epoch_round_up_like_keras2(data):
    # Keras 2 looped `while steps_done < steps_per_epoch`: 2.5 ran 3 steps.
    m = data.model()
    m.fit(_forever(data.batches()), steps_per_epoch=2.5, epochs=1, verbose=0)
    assert int(m.optimizer.iterations) == 3


def test_validation_data_generator(data):
    m = data.model()
    history = m.fit(data.X, data.Y, batch_size=10, epochs=1, verbose=0, shuffle=False,
                    validation_data=_forever(data.batches()), validation_steps=4)
    np.testing.assert_allclose(history.history["val_loss"][0],
                               m.evaluate(data.X, data.Y, verbose=0), rtol=1e-6)


def test_fit_generator_keras2_spelling(data):
    m = data.model()
    m.fit_generator(_forever(data.batches()), steps_per_epoch=4, epochs=2, verbose=0)
    data.assert_same(m.get_weights(), data.array_weights(epochs=2))
