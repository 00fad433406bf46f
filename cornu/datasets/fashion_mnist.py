"""Fashion-MNIST: `load_data()` → `(x_train, y_train), (x_test, y_test)`, 28x28 uint8 images.

Looks in `$CORNU_DATASETS/fashion-mnist/` (the four IDX `.gz` files), then Keras's cache
(`~/.keras/datasets/fashion-mnist/`), then downloads them from Keras's URL.
"""
import os

from cornu.datasets.download import get_file
from cornu.datasets.mnist import read_idx

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def load_data():
    local = os.environ.get("CORNU_DATASETS")
    folder = os.path.join(local, "fashion-mnist") if local else None
    if folder and all(os.path.exists(os.path.join(folder, f)) for f in FILES):
        paths = [os.path.join(folder, f) for f in FILES]
    else:
        paths = [get_file(f, origin=BASE + f, cache_subdir=os.path.join("datasets", "fashion-mnist"))
                 for f in FILES]
    x_train, y_train, x_test, y_test = (read_idx(p) for p in paths)
    return (x_train, y_train), (x_test, y_test)
