"""Dense: `activation(inputs @ kernel + bias)`."""
import torch
import torch.nn.functional as F

from cornu import activations, constraints, initializers, regularizers
from cornu.layers.core.lora import LoraMixin
from cornu.layers.layer import Layer, registry


@registry.register()
class Dense(LoraMixin, Layer):
    """Densely connected layer. The kernel has Keras's shape `(input_dim, units)`.

    Args:
        units: dimensionality of the output.
        activation: activation name or callable (default: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint: as in Keras.
        lora_rank, lora_alpha: LoRA of the kernel (see `enable_lora`, layers/core/lora.py).
        quantization_config: must be None (Keras 3.15 writes it into configs).

    Input shape `(batch, ..., input_dim)`; output shape `(batch, ..., units)`.

    >>> Dense(3)(np.ones((2, 4))).shape
    torch.Size([2, 3])
    """
    supports_masking = True
    # Keras 3.15's Dense writes `activity_regularizer` only when set, LoRA only when set.
    _config_omit = ("activity_regularizer", "lora_rank", "lora_alpha", "quantization_config")
    _config_extra = {"quantization_config": None}

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Dense {self.name!r}: `units` must be a positive integer, got {units!r}.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._init_lora(lora_rank, lora_alpha, quantization_config)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Dense {self.name!r}: the last dimension of the input must be known, "
                             f"got input shape {tuple(input_shape)}.")
        self.kernel = self._weight("kernel", (input_dim, self.units))
        self.bias = self._weight("bias", (self.units,)) if self.use_bias else None
        self._build_lora()

    def call(self, inputs):
        kernel, bias = self.kernel, self.bias  # (each read is a Module.__getattr__ call)
        if self.lora_enabled:
            kernel = self._lora_weight()
        if inputs.ndim == 2 and bias is not None:
            # The same GEMM F.linear(x, kernel.t(), bias) runs, without the two transposes
            # (one more op forward and two backward, for every Dense in every step).
            return self.activation(torch.addmm(bias, inputs, kernel))
        return self.activation(F.linear(inputs, kernel.t(), bias))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def extra_repr(self):
        return f"units={self.units}, activation={activations.serialize(self.activation)}"
