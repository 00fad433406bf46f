"""MNIST loading: local IDX files, Keras's cache, and the real download path (served locally)."""
import functools
import hashlib
import http.server
import io
import os
import threading

import numpy as np
import pytest

from cornu.datasets import mnist


def test_reads_idx_files_from_cornu_datasets():
    if not os.path.exists(os.path.join(os.environ["CORNU_DATASETS"], "mnist")):
        pytest.skip("shared MNIST files are not on this machine")
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert set(np.unique(y_train)) == set(range(10)) and x_train.max() == 255


def _small_npz():
    rng = np.random.RandomState(0)
    buf = io.BytesIO()
    np.savez(buf, x_train=rng.randint(0, 255, (5, 28, 28)).astype("uint8"),
             y_train=np.arange(5, dtype="uint8"), x_test=np.zeros((2, 28, 28), "uint8"),
             y_test=np.array([3, 4], "uint8"))
    return buf.getvalue()


@pytest.fixture
def local_server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_downloads_into_keras_cache_with_hash_check(tmp_path, monkeypatch, local_server):
    root, url = local_server
    data = _small_npz()
    (root / "mnist.npz").write_bytes(data)
    monkeypatch.delenv("CORNU_DATASETS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(mnist, "ORIGIN", f"{url}/mnist.npz")
    monkeypatch.setattr(mnist, "FILE_HASH", hashlib.sha256(data).hexdigest())
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (5, 28, 28) and list(y_test) == [3, 4]
    cached = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    assert cached.read_bytes() == data
    (root / "mnist.npz").unlink()  # second call: served from the cache, no network
    assert mnist.load_data()[0][0].shape == (5, 28, 28)


def test_corrupt_download_is_rejected_and_leaves_nothing(tmp_path, monkeypatch, local_server):
    root, url = local_server
    (root / "mnist.npz").write_bytes(_small_npz())
    monkeypatch.delenv("CORNU_DATASETS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    monkeypatch.setattr(mnist, "ORIGIN", f"{url}/mnist.npz")
    monkeypatch.setattr(mnist, "FILE_HASH", "0" * 64)
    with pytest.raises(ValueError, match="SHA-256"):
        mnist.load_data()
    assert os.listdir(tmp_path / "kh" / "datasets") == []


def test_offline_error_says_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("CORNU_DATASETS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(mnist, "ORIGIN", "http://127.0.0.1:9/mnist.npz")
    with pytest.raises(OSError, match="CORNU_DATASETS"):
        mnist.load_data()


def test_reads_npz_from_cornu_datasets(tmp_path, monkeypatch):
    (tmp_path / "mnist.npz").write_bytes(_small_npz())
    monkeypatch.setenv("CORNU_DATASETS", str(tmp_path))
    assert mnist.load_data()[1][1].tolist() == [3, 4]
