"""cornu's Dataset: tf.data's documented semantics for each method, the torch source underneath,
and fit/evaluate/predict consuming it."""
import numpy as np
import pytest
import torch

import cornu
from cornu.utils import Dataset
from cornu.utils.dataset import INFINITE, UNKNOWN


def _values(ds):
    return [np.asarray(e).tolist() if not isinstance(e, tuple) else
            tuple(np.asarray(p).tolist() for p in e) for e in ds]


def test_slices_take_skip_and_lengths():
    ds = Dataset.from_tensor_slices(np.arange(10))
    assert len(ds) == 10 and isinstance(ds.source, torch.utils.data.Dataset)
    assert _values(ds.take(3)) == [0, 1, 2] and len(ds.take(3)) == 3
    assert _values(ds.skip(8)) == [8, 9] and len(ds.skip(8)) == 2
    assert len(ds.take(50)) == 10 and _values(ds.take(-1)) == list(range(10))
    assert _values(ds.skip(-1)) == []
    assert _values(ds) == list(range(10))  # re-iterable


def test_batch_unbatch_and_drop_remainder():
    x, y = np.arange(14).reshape(7, 2).astype("float32"), np.arange(7)
    ds = Dataset.from_tensor_slices((x, y))
    batches = list(ds.batch(3))
    assert [tuple(b[0].shape) for b in batches] == [(3, 2), (3, 2), (1, 2)] and len(ds.batch(3)) == 3
    assert len(ds.batch(3, drop_remainder=True)) == 2 == len(list(ds.batch(3, drop_remainder=True)))
    np.testing.assert_array_equal(batches[1][1].numpy(), [3, 4, 5])
    back = list(ds.batch(3).unbatch())
    assert len(back) == 7 and np.array_equal(back[4][0].numpy(), x[4])
    assert ds.batch(3).unbatch().cardinality() == UNKNOWN
    assert _values(ds.batch(2).rebatch(3).map(lambda a, b: b)) == [[0, 1, 2], [3, 4, 5], [6]]
    with pytest.raises(ValueError, match="batch_size"):
        ds.batch(0)


def test_map_filter_enumerate_concatenate_repeat():
    ds = Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 10))
    assert _values(ds.map(lambda a, b: a + b)) == [0, 11, 22, 33, 44]
    assert _values(ds.map(lambda a, b: [b, a]).take(1)) == [(0, 0)]
    evens = ds.filter(lambda a, b: a % 2 == 0)
    assert _values(evens.map(lambda a, b: a)) == [0, 2, 4] and evens.cardinality() == UNKNOWN
    with pytest.raises(TypeError):
        len(evens)  # unknown length: no len(), as a tf.data dataset
    plain = Dataset.from_tensor_slices(np.arange(3))
    assert _values(plain.concatenate(plain)) == [0, 1, 2, 0, 1, 2]
    assert [int(i) for i, _ in plain.enumerate(start=5)] == [5, 6, 7]
    assert _values(plain.repeat(2)) == [0, 1, 2] * 2 and len(plain.repeat(2)) == 6
    forever = plain.repeat()
    assert forever.cardinality() == INFINITE and _values(forever.take(7)) == [0, 1, 2, 0, 1, 2, 0]


def test_shuffle_is_a_permutation_reshuffled_each_pass_and_seeded():
    ds = Dataset.from_tensor_slices(np.arange(50)).shuffle(10, seed=3)
    first, second = _values(ds), _values(ds)
    assert sorted(first) == list(range(50)) and first != list(range(50)) and first != second
    assert _values(Dataset.from_tensor_slices(np.arange(50)).shuffle(10, seed=3)) == first
    fixed = Dataset.from_tensor_slices(np.arange(50)).shuffle(10, seed=3,
                                                               reshuffle_each_iteration=False)
    assert _values(fixed) == _values(fixed)
    # a buffer of b: element i can only come out at position >= i - b + 1 ... i.e. never early
    assert all(pos >= value - 10 for pos, value in enumerate(first))
    assert _values(Dataset.from_tensor_slices(np.arange(5)).shuffle(1)) == [0, 1, 2, 3, 4]


def test_cache_reads_the_source_once_and_prefetch_passes_through():
    calls = []

    class Source(torch.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            calls.append(i)
            return torch.tensor(i)
    ds = Dataset.from_torch(Source()).cache().prefetch(2)
    assert _values(ds) == [0, 1, 2, 3] and _values(ds) == [0, 1, 2, 3]
    assert calls == [0, 1, 2, 3]
    assert ds.source is not None


def test_as_numpy_iterator_and_strings():
    ds = Dataset.from_tensor_slices((np.array(["a", "bb", "c"]), np.arange(3))).batch(2)
    out = list(ds.as_numpy_iterator())
    assert isinstance(out[0][1], np.ndarray) and out[0][0].tolist() == ["a", "bb"]
    d = Dataset.from_tensor_slices({"a": np.ones((3, 2)), "b": np.zeros(3)}).batch(3)
    (batch,) = list(d.as_numpy_iterator())
    assert batch["a"].shape == (3, 2) and batch["b"].shape == (3,)


def test_fit_evaluate_predict_take_a_dataset():
    rng = np.random.RandomState(0)
    x = rng.rand(64, 3).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5], "float32"))[:, None]
    ds = Dataset.from_tensor_slices((x, y)).shuffle(64, seed=0).batch(16)
    model = cornu.Sequential([cornu.layers.Input((3,)), cornu.layers.Dense(1)])
    model.compile(cornu.optimizers.SGD(0.1), "mse")
    history = model.fit(ds, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
    assert model.predict(Dataset.from_tensor_slices(x).batch(10), verbose=0).shape == (64, 1)
    model.fit(ds.repeat(), steps_per_epoch=3, epochs=1, verbose=0)  # unknown length: steps given


def test_evaluate_on_dataset_equals_evaluate_on_arrays():
    rng = np.random.RandomState(1)
    x, y = rng.rand(40, 3).astype("float32"), rng.rand(40, 1).astype("float32")
    model = cornu.Sequential([cornu.layers.Input((3,)), cornu.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    on_arrays = model.evaluate(x, y, batch_size=8, verbose=0)
    on_dataset = model.evaluate(Dataset.from_tensor_slices((x, y)).batch(8), verbose=0)
    np.testing.assert_allclose(on_dataset, on_arrays, rtol=1e-5)
