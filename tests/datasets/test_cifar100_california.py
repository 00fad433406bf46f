"""CIFAR-100 and California housing: small files in Keras's layouts, compared with real Keras 3's
loaders pointed at the same files; the download path runs against a local server."""
import hashlib
import io
import pickle
import tarfile

import numpy as np
import pytest

from cornu.datasets import california_housing, cifar100
from tests.datasets.test_mnist import local_server  # noqa: F401  (fixture)


def _batches(rng):
    out = {}
    for name, n in (("train", 6), ("test", 3)):
        out[name] = pickle.dumps({b"data": rng.randint(0, 256, (n, 3072)).astype("uint8"),
                                  b"fine_labels": [int(v) for v in rng.randint(0, 100, n)],
                                  b"coarse_labels": [int(v) for v in rng.randint(0, 20, n)]},
                                 protocol=4)
    return out


def _tarball(batches):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, payload in batches.items():
            info = tarfile.TarInfo(f"cifar-100-python/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_matches_keras(tmp_path, monkeypatch, label_mode):
    import keras.src.datasets.cifar100 as keras_cifar100
    folder = tmp_path / "local" / "cifar-100-python"
    folder.mkdir(parents=True)
    for name, payload in _batches(np.random.RandomState(0)).items():
        (folder / name).write_bytes(payload)
    monkeypatch.setenv("CORNU_DATASETS", str(tmp_path / "local"))
    monkeypatch.setattr(keras_cifar100, "get_file", lambda *a, **k: str(tmp_path / "local"))
    ours, ref = cifar100.load_data(label_mode), keras_cifar100.load_data(label_mode)
    for a, b in zip(ours[0] + ours[1], ref[0] + ref[1]):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    assert ours[0][0].shape == (6, 32, 32, 3) and ours[1][1].shape == (3, 1)


def test_cifar100_download_extracts_into_keras_cache(tmp_path, monkeypatch, local_server):  # noqa: F811
    root, url = local_server
    batches = _batches(np.random.RandomState(1))
    data = _tarball(batches)
    (root / "cifar-100-python.tar.gz").write_bytes(data)
    monkeypatch.delenv("CORNU_DATASETS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    monkeypatch.setattr(cifar100, "ORIGIN", f"{url}/cifar-100-python.tar.gz")
    monkeypatch.setattr(cifar100, "FILE_HASH", hashlib.sha256(data).hexdigest())
    (x_train, y_train), (x_test, y_test) = cifar100.load_data("coarse")
    raw = pickle.loads(batches["test"])
    np.testing.assert_array_equal(x_test, raw[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    assert y_test.ravel().tolist() == raw[b"coarse_labels"]
    cache = tmp_path / "kh" / "datasets"
    assert (cache / "cifar-100-python-target" / "cifar-100-python" / "train").exists()
    (root / "cifar-100-python.tar.gz").unlink()  # cached now: no request
    assert cifar100.load_data()[0][0].shape == (6, 32, 32, 3)


def test_cifar100_bad_label_mode():
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data("medium")


@pytest.mark.parametrize("options", [{}, {"version": "small"}, {"test_split": 0.5, "seed": 3},
                                     {"version": "small", "test_split": 0.0}])
def test_california_housing_matches_keras(tmp_path, monkeypatch, options):
    import keras.src.datasets.california_housing as keras_ch
    rng = np.random.RandomState(0)
    x, y = rng.rand(700, 8).astype("float32"), (rng.rand(700) * 5e5).astype("float32")
    np.savez(tmp_path / "california_housing.npz", x=x, y=y)
    monkeypatch.setenv("CORNU_DATASETS", str(tmp_path))
    monkeypatch.setattr(keras_ch, "get_file", lambda *a, **k: str(tmp_path / "california_housing.npz"))
    ours, ref = california_housing.load_data(**options), keras_ch.load_data(**options)
    for a, b in zip(ours[0] + ours[1], ref[0] + ref[1]):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    assert ours[0][0].shape[1] == 8


def test_california_housing_checks_arguments():
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data(version="medium")
    with pytest.raises(ValueError, match="test_split"):
        california_housing.load_data(test_split=1.0)
