"""timeseries_dataset_from_array against real Keras 3 (its grain path on torch), split_dataset
against Keras 3's torch split, and the argument checks."""
import warnings

import numpy as np
import pytest
import torch

from cornu.utils import Dataset, split_dataset, timeseries_dataset_from_array

pytest.importorskip("grain")


def _keras_timeseries(*args, **kwargs):
    import keras
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return keras.utils.timeseries_dataset_from_array(*args, format="grain", **kwargs)


CASES = [
    dict(sequence_length=5, batch_size=4),
    dict(sequence_length=3, sequence_stride=2, sampling_rate=3, batch_size=2),
    dict(sequence_length=4, start_index=3, end_index=25, batch_size=5),
    dict(sequence_length=6, batch_size=None),
]


@pytest.mark.parametrize("kwargs", CASES)
@pytest.mark.parametrize("with_targets", [True, False])
def test_timeseries_matches_keras(kwargs, with_targets):
    data = np.arange(30 * 2, dtype="float32").reshape(30, 2)
    targets = np.arange(30) * 10 if with_targets else None
    ours = list(timeseries_dataset_from_array(data, targets, **kwargs))
    ref = list(_keras_timeseries(data, targets, **kwargs))
    assert len(ours) == len(ref) > 0
    for a, b in zip(ours, ref):
        a, b = (a, b) if with_targets else ((a,), (b,))
        for part, ref_part in zip(a, b):
            np.testing.assert_array_equal(np.asarray(part), np.asarray(ref_part))


def test_timeseries_shuffle_keeps_window_target_pairs():
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data, data * 2, sequence_length=4, shuffle=True, seed=5,
                                       batch_size=8)
    windows = []
    for x, y in ds:
        np.testing.assert_array_equal(y.numpy(), x[:, 0].numpy() * 2)
        windows += x[:, 0].tolist()
    assert sorted(windows) == list(range(97)) and windows != list(range(97))


@pytest.mark.parametrize("kwargs,match", [
    (dict(start_index=-1), "start_index"), (dict(end_index=40), "end_index"),
    (dict(sampling_rate=0), "sampling_rate"), (dict(sequence_stride=30), "sequence_stride"),
    (dict(start_index=5, end_index=3), "end_index"),
])
def test_timeseries_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        timeseries_dataset_from_array(np.arange(30), None, 3, **kwargs)


@pytest.mark.parametrize("sizes", [(0.8, None), (None, 0.25), (7, None), (None, 3), (0.35, 0.65)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_split_dataset_matches_keras(sizes, shuffle):
    import keras
    x = np.arange(20 * 3, dtype="float32").reshape(20, 3)
    y = np.arange(20)
    left, right = split_dataset((x, y), *sizes, shuffle=shuffle, seed=11)
    ref_left, ref_right = keras.utils.split_dataset((x, y), *sizes, shuffle=True, seed=11)
    for ours, ref in ((left, ref_left), (right, ref_right)):
        assert len(ours) == len(ref)
        got = [int(b) for _, b in ours]
        if shuffle:  # Keras 3 on torch: torch.randperm from a generator seeded with `seed`
            assert got == [int(ref[i][1]) for i in range(len(ref))]
    if not shuffle:  # order kept (Keras 3's torch backend permutes even then: see docs/ERAS.md)
        assert [int(b) for _, b in left] + [int(b) for _, b in right] == \
            list(range(len(left) + len(right)))


def test_split_dataset_of_arrays_datasets_and_torch_datasets():
    left, right = split_dataset(np.arange(10), left_size=0.6)
    assert [int(v) for v in left] == list(range(6)) and [int(v) for v in right] == [6, 7, 8, 9]
    batched = Dataset.from_tensor_slices((np.arange(9), np.arange(9))).batch(4)
    a, b = split_dataset(batched, right_size=3)
    assert len(a) == 6 and [int(v) for v, _ in b] == [6, 7, 8]
    tds = torch.utils.data.TensorDataset(torch.arange(5), torch.arange(5) * 2)
    a, b = split_dataset(tds, left_size=2)
    assert [tuple(int(t) for t in s) for s in b] == [(2, 4), (3, 6), (4, 8)]
    assert len(list(a.batch(2))) == 1
    a, b = split_dataset(np.arange(10), left_size=4, right_size=2)  # tf.data's rule: a part
    assert [int(v) for v in a] == [0, 1, 2, 3] and [int(v) for v in b] == [4, 5]


@pytest.mark.parametrize("kwargs,error", [
    (dict(), ValueError), (dict(left_size=1.5), ValueError), (dict(left_size=20), ValueError),
    (dict(left_size="half"), TypeError), (dict(left_size=6, right_size=6), ValueError),
])
def test_split_dataset_bad_sizes(kwargs, error):
    with pytest.raises(error):
        split_dataset(np.arange(10), **kwargs)
