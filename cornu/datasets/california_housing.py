"""California housing prices (1990 census): 8 features per block group, the median house value
(dollars) as target. `version="large"` is all 20,640 rows, `"small"` the first 600.

Looks in `$CORNU_DATASETS/california_housing.npz`, then Keras's cache, then downloads Keras's
file (SHA-256 checked). The split follows Keras: rows shuffled with `RandomState(seed)`, the
first `1 - test_split` fraction is the training set.
"""
import numpy as np

from cornu.datasets.download import fetch

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Loads the data as `(x_train, y_train), (x_test, y_test)`: `x` `(N, 8)`, `y` `(N,)`."""
    if not 0 <= test_split < 1:
        raise ValueError(f"`test_split` must be in [0, 1), got {test_split}.")
    if version not in ("small", "large"):
        raise ValueError(f"`version` must be 'small' or 'large', got {version!r}.")
    with np.load(fetch(path, ORIGIN, FILE_HASH), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
