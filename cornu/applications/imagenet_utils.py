"""ImageNet helpers shared by the applications: `preprocess_input`, `decode_predictions`."""
import json

import numpy as np

from cornu.backend.config import image_data_format
from cornu.datasets.download import get_file

CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/data/"
                    "imagenet_class_index.json")
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
_CLASS_INDEX = None


def preprocess_input(x, data_format=None, mode="caffe"):
    """Scales a batch of RGB images as the network was trained: 'caffe' (BGR, ImageNet means
    subtracted), 'tf' (to [-1, 1]) or 'torch' (to [0, 1], ImageNet mean/std)."""
    data_format = data_format or image_data_format()
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype("float32")
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        x = x / 255.0
        mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    else:
        x = x[:, ::-1, ...] if (data_format == "channels_first" and x.ndim == 4) else \
            (x[::-1, ...] if data_format == "channels_first" else x[..., ::-1])
        mean, std = [103.939, 116.779, 123.68], None
    shape = [1] * x.ndim
    axis = (1 if x.ndim == 4 else 0) if data_format == "channels_first" else x.ndim - 1
    shape[axis] = 3
    x = x - np.asarray(mean, dtype=x.dtype).reshape(shape)
    if std is not None:
        x = x / np.asarray(std, dtype=x.dtype).reshape(shape)
    return x


def decode_predictions(preds, top=5):
    """`(samples, 1000)` class probabilities → per sample, the `top` `(class_id, name, score)`."""
    global _CLASS_INDEX
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (a 2D array of "
                         f"shape (samples, 1000)); received an array of shape {preds.shape}.")
    if _CLASS_INDEX is None:
        path = get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models",
                        file_hash=CLASS_INDEX_HASH)
        with open(path) as f:
            _CLASS_INDEX = json.load(f)
    results = []
    for pred in preds:
        top_indices = pred.argsort()[-top:][::-1]
        result = [tuple(_CLASS_INDEX[str(i)]) + (pred[i],) for i in top_indices]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results
