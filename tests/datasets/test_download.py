"""get_file's hash rule: 64 hex characters are SHA-256, others (Keras's model files) MD5."""
import hashlib

import pytest

from cornu.datasets.download import get_file
from tests.datasets.test_mnist import local_server  # noqa: F401  (fixture)


def test_md5_hashes_are_checked(tmp_path, monkeypatch, local_server):  # noqa: F811
    root, url = local_server
    (root / "weights.h5").write_bytes(b"weights")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    good = hashlib.md5(b"weights").hexdigest()
    path = get_file("weights.h5", f"{url}/weights.h5", file_hash=good, cache_subdir="models")
    assert path.endswith("kh/models/weights.h5")
    with pytest.raises(ValueError, match="MD5"):
        get_file("other.h5", f"{url}/weights.h5", file_hash="0" * 32, cache_subdir="models")
