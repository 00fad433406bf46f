"""Keras 1/2's `keras.utils.np_utils`: `to_categorical`, `normalize`, and Keras 1's
`probas_to_classes`, `categorical_probas_to_classes`, `convert_kernel`."""
import numpy as np

from cornu.utils import normalize, to_categorical  # noqa: F401


def categorical_probas_to_classes(p):
    """The most probable class of each row."""
    return np.argmax(p, axis=1)


def probas_to_classes(y_pred):
    """Classes from predictions: argmax of several columns, `> 0.5` of one."""
    y_pred = np.asarray(y_pred)
    if y_pred.ndim > 1 and y_pred.shape[1] > 1:
        return categorical_probas_to_classes(y_pred)
    return np.array([1 if p > 0.5 else 0 for p in y_pred.reshape(-1)])


def convert_kernel(kernel):
    """A convolution kernel flipped along its spatial axes (Theano ↔ TensorFlow convolution);
    the kernel is Keras's `(*spatial, in, out)`."""
    kernel = np.asarray(kernel)
    spatial = tuple(range(kernel.ndim - 2))
    return np.flip(kernel, axis=spatial).copy()


__all__ = ["to_categorical", "normalize", "probas_to_classes", "categorical_probas_to_classes",
           "convert_kernel"]
