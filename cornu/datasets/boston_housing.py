"""Boston housing prices: `load_data(test_split=0.2, seed=113)` → 13 features, price targets.

The split follows Keras: the rows are shuffled with `RandomState(seed)` and the first
`1 - test_split` fraction is the training set.
"""
import os

import numpy as np

from cornu.datasets.download import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    if not 0 <= test_split < 1:
        raise ValueError(f"`test_split` must be in [0, 1), got {test_split}.")
    local = os.environ.get("CORNU_DATASETS")
    candidate = os.path.join(local, path) if local else None
    if not (candidate and os.path.exists(candidate)):
        candidate = get_file(path, origin=ORIGIN, file_hash=FILE_HASH)
    with np.load(candidate, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
