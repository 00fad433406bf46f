"""Activation: applies an activation function to its input."""
from cornu import activations
from cornu.backend import layout as layouts
from cornu.layers.layer import Layer, registry


@registry.register()
class Activation(Layer):
    """Applies an activation function: `Activation("relu")`, or any callable.

    Input and output shapes are the same.

    >>> Activation("relu")(np.array([[-1.0, 2.0]]))
    tensor([[0., 2.]])
    """

    supports_masking = True
    layout = layouts.ANY

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        if getattr(self.activation, "__name__", None) in ("softmax", "log_softmax"):
            self.layout = layouts.KERAS  # axis=-1 means the Keras channel axis

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def extra_repr(self):
        return f"activation={activations.serialize(self.activation)}"
