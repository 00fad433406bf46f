"""CIFAR-10: `load_data()` → `(x_train, y_train), (x_test, y_test)`; images `(N, 32, 32, 3)`
uint8 (channels-last, or `(N, 3, 32, 32)` when `image_data_format()` is channels_first),
labels `(N, 1)` uint8.

Looks in `$CORNU_DATASETS/cifar-10-batches-py/`, then Keras's cache
(`~/.keras/datasets/cifar-10-batches-py`), then downloads Keras's archive (SHA-256 checked).
The batch files are pickles: they are read with an unpickler that only builds NumPy arrays and
plain containers, so a tampered file cannot run code.
"""
import os
import pickle

import numpy as np

from cornu.backend.config import image_data_format
from cornu.datasets.download import cache_dir, get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
FOLDER = "cifar-10-batches-py"

_ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
            ("numpy._core.multiarray", "scalar"), ("_codecs", "encode"), ("builtins", "bytes")}


class _DataUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"Refusing to load {module}.{name} from a dataset file.")
        return super().find_class(module, name)


def load_batch(path, label_key="labels"):
    """One CIFAR batch file → `(data (N, 3, 32, 32) uint8, labels)`."""
    with open(path, "rb") as f:
        batch = _DataUnpickler(f, encoding="bytes").load()
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data = np.asarray(batch["data"], dtype="uint8").reshape(-1, 3, 32, 32)
    return data, np.asarray(batch[label_key])


def _locate():
    local = os.environ.get("CORNU_DATASETS")
    candidates = [os.path.join(local, FOLDER)] if local else []
    candidates.append(os.path.join(cache_dir(), FOLDER))
    for folder in candidates:
        if os.path.exists(os.path.join(folder, "test_batch")):
            return folder
    path = get_file("cifar-10-batches-py-target", origin=ORIGIN, file_hash=FILE_HASH, extract=True)
    nested = os.path.join(path, FOLDER)
    return nested if os.path.isdir(nested) else path


def load_data():
    """Loads CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10 classes."""
    folder = _locate()
    parts = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts]).astype("uint8").reshape(-1, 1)
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    y_test = np.asarray(y_test, dtype="uint8").reshape(-1, 1)
    if image_data_format() == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
