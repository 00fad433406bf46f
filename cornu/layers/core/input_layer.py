"""`Input()` and `InputLayer`: where a functional graph starts."""
from cornu.backend.config import floatx
from cornu.graph.keras_tensor import KerasTensor
from cornu.backend.naming import uniquify
from cornu.layers.layer import Layer, registry
from cornu.graph.node import Node
from cornu.utils import nest
from cornu.utils.validation import check_int, standardize_shape


@registry.register()
class InputLayer(Layer):
    """The layer behind `Input()`: it holds a model's input shape and makes its symbolic tensor.

    Args:
        shape: the shape without the batch dimension.
        batch_size: a fixed batch size (default: any).
        dtype: the input's dtype (default `floatx()`).
        input_tensor: an existing symbolic tensor to use instead of making one.
        batch_shape: the full shape, batch included (instead of `shape`).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, input_tensor=None, name=None,
                 batch_shape=None, optional=False, **kwargs):
        batch_shape = batch_shape or kwargs.pop("batch_input_shape", None)
        if shape is None and "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer needs a `shape` (or `batch_shape`).")
            batch_size = check_int(batch_size, "batch_size", "Input", allow_none=True)
            batch_shape = (batch_size,) + standardize_shape(shape, "shape", "Input")
        else:
            batch_shape = standardize_shape(batch_shape, "batch_shape", "Input")
        # tf.keras 2's names (`input_1`, `input_2`, ...), which summaries and `Connected to` show.
        super().__init__(name=name or uniquify("input", zero_based=False), dtype=dtype, **kwargs)
        self._batch_input_shape = None
        self.optional = bool(optional)
        self.batch_shape = _checked_shape(batch_shape, self.name)
        self.dtype = dtype or floatx()
        self.built = True
        if input_tensor is None:
            input_tensor = KerasTensor(self.batch_shape, self.dtype, name=self.name)
        self._input_tensor = input_tensor
        Node(self, (), {}, input_tensor)

    def get_config(self):
        # Keras 3's InputLayer config is its own: the shape, a plain dtype, no `trainable`.
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": self.optional}

    def get_input_at(self, node_index):
        # An input layer's input is its own tensor (tf.keras 2), so that
        # `K.function([model.layers[0].input], ...)` works on functional models too.
        return self._input_tensor


def _checked_shape(batch_shape, name):
    if isinstance(batch_shape, str) or not hasattr(batch_shape, "__iter__"):
        raise ValueError(f"Input {name!r}: the shape must be a tuple of integers or None, "
                         f"received {batch_shape!r}.")
    batch_shape = tuple(batch_shape)
    for dim in batch_shape:
        if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool) or dim < 0):
            raise ValueError(f"Input {name!r}: every dimension of the shape must be a "
                             f"non-negative integer or None, received shape {batch_shape[1:]!r}.")
    return batch_shape


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None, tensor=None,
          sparse=None, batch_input_shape=None, optional=False, **kwargs):
    """Returns a symbolic tensor that starts a functional model.

    Args:
        shape: the shape of one sample (without the batch dimension), e.g. `(784,)`.
        batch_size: an optional fixed batch size.
        dtype: the data type (default `floatx()`); e.g. `'int32'` for token ids.
        name: the input's name (default `input_1`, `input_2`, ...); dicts of data passed to
            `fit`/`predict` are matched to inputs by it.
        batch_shape: the full shape including the batch dimension (Keras 2's
            `batch_input_shape`), instead of `shape` and `batch_size`.

    >>> x = Input(shape=(784,))
    >>> x.shape
    (None, 784)
    """
    shape, batch_size, batch_shape = nest.python_scalars((shape, batch_size, batch_shape))
    batch_input_shape = nest.python_scalars(batch_input_shape)
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                       batch_shape=batch_shape or batch_input_shape, input_tensor=tensor,
                       optional=optional)
    return layer._input_tensor
