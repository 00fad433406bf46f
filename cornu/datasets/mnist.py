"""MNIST: `load_data()` → `(x_train, y_train), (x_test, y_test)` as uint8 arrays.

Where it looks, in order:
1. `$CORNU_DATASETS/mnist.npz`, or the four IDX `.gz` files in `$CORNU_DATASETS/mnist/`
   (`CORNU_DATASETS` names a folder of dataset files: how an offline machine points cornu at data);
2. Keras's cache, `$KERAS_HOME/datasets/mnist.npz` (default `~/.keras/datasets/mnist.npz`);
3. a download from Keras's URL into that cache, checked against Keras's SHA-256.
"""
import gzip
import os

import numpy as np

from cornu.datasets.download import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def read_idx(path):
    """Reads an IDX file (optionally gzipped) into a NumPy array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path} is not an IDX file (bad magic number).")
    dtype_code, ndim = data[2], data[3]
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if dtype_code not in dtypes:
        raise ValueError(f"{path}: unknown IDX data type 0x{dtype_code:02x}.")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    array = np.frombuffer(data, dtype=dtypes[dtype_code], offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {int(np.prod(shape))} values, found {array.size}.")
    return array.reshape(shape).astype(np.dtype(dtypes[dtype_code]).newbyteorder("="))


def _from_npz(path):
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load_data(path="mnist.npz"):
    """Loads MNIST: 60,000 training and 10,000 test images of 28x28 digits, with labels."""
    local = os.environ.get("CORNU_DATASETS")
    if local:
        npz = os.path.join(local, "mnist.npz")
        if os.path.exists(npz):
            return _from_npz(npz)
        folder = os.path.join(local, "mnist")
        if all(os.path.exists(os.path.join(folder, name)) for name in IDX_FILES):
            x_train, y_train, x_test, y_test = (read_idx(os.path.join(folder, name))
                                                for name in IDX_FILES)
            return (x_train, y_train), (x_test, y_test)
    return _from_npz(get_file(path, origin=ORIGIN, file_hash=FILE_HASH))
