"""CIFAR-10, Fashion-MNIST and Boston housing: Keras's layouts, caches and downloads (served
from 127.0.0.1), and a CIFAR pickle that tries to run code is refused."""
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from cornu.datasets import boston_housing, cifar10
from tests.datasets.test_mnist import local_server  # noqa: F401  (fixture)


def _cifar_tarball():
    rng = np.random.RandomState(0)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            payload = pickle.dumps({b"data": rng.randint(0, 256, (2, 3072)).astype("uint8"),
                                    b"labels": [1, 7]})
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def test_cifar10_download_extract_and_layout(tmp_path, monkeypatch, local_server):  # noqa: F811
    root, url = local_server
    data = _cifar_tarball()
    (root / "cifar-10-python.tar.gz").write_bytes(data)
    monkeypatch.delenv("CORNU_DATASETS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    monkeypatch.setattr(cifar10, "ORIGIN", f"{url}/cifar-10-python.tar.gz")
    monkeypatch.setattr(cifar10, "FILE_HASH", hashlib.sha256(data).hexdigest())
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (10, 1) and y_test.tolist() == [[1], [7]]
    raw = pickle.loads(tarfile.open(fileobj=io.BytesIO(data)).extractfile(
        "cifar-10-batches-py/test_batch").read())[b"data"].reshape(2, 3, 32, 32)
    np.testing.assert_array_equal(x_test, raw.transpose(0, 2, 3, 1))
    (root / "cifar-10-python.tar.gz").unlink()  # cached now
    assert cifar10.load_data()[0][0].shape == (10, 32, 32, 3)


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_cifar_pickle_that_runs_code_is_refused(tmp_path):
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({b"data": _Evil(), b"labels": [1]}))
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        cifar10.load_batch(str(path))


def test_boston_housing_split_follows_keras(tmp_path, monkeypatch):
    x = np.arange(50 * 13, dtype="float64").reshape(50, 13)
    y = np.arange(50, dtype="float64")
    np.savez(tmp_path / "boston_housing.npz", x=x, y=y)
    monkeypatch.setenv("CORNU_DATASETS", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=0.2, seed=113)
    order = np.arange(50)
    np.random.RandomState(113).shuffle(order)
    np.testing.assert_array_equal(y_train, y[order[:40]])
    np.testing.assert_array_equal(x_test, x[order[40:]])
