"""CIFAR-100: `load_data(label_mode="fine")` → 50,000 training and 10,000 test 32x32 colour
images, uint8 `(N, 32, 32, 3)` (`(N, 3, 32, 32)` under channels_first), labels `(N, 1)`: 100
fine classes, or 20 coarse superclasses with `label_mode="coarse"`.

Looks in `$CORNU_DATASETS/cifar-100-python/`, then Keras's cache (Keras 3's
`cifar-100-python-target/cifar-100-python`, or tf.keras 2's `cifar-100-python`), then downloads
Keras's archive (SHA-256 checked before extraction). Batch files are read with the unpickler
that builds NumPy arrays only.
"""
import os

import numpy as np

from cornu.backend.config import image_data_format
from cornu.datasets.cifar10 import load_batch
from cornu.datasets.download import cache_dir, get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
FOLDER = "cifar-100-python"


def _locate():
    local = os.environ.get("CORNU_DATASETS")
    candidates = [os.path.join(local, FOLDER)] if local else []
    candidates += [os.path.join(cache_dir(), FOLDER + "-target", FOLDER),
                   os.path.join(cache_dir(), FOLDER)]
    for folder in candidates:
        if os.path.exists(os.path.join(folder, "test")) and \
                os.path.exists(os.path.join(folder, "train")):
            return folder
    path = get_file(FOLDER + "-target", origin=ORIGIN, file_hash=FILE_HASH, extract=True)
    return os.path.join(path, FOLDER)


def load_data(label_mode="fine"):
    """Loads CIFAR-100 as `(x_train, y_train), (x_test, y_test)`."""
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be "fine" or "coarse", got {label_mode!r}.')
    folder = _locate()
    key = f"{label_mode}_labels"
    x_train, y_train = load_batch(os.path.join(folder, "train"), label_key=key)
    x_test, y_test = load_batch(os.path.join(folder, "test"), label_key=key)
    y_train, y_test = np.reshape(y_train, (-1, 1)), np.reshape(y_test, (-1, 1))
    if image_data_format() == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
