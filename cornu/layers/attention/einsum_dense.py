"""EinsumDense: a dense layer whose product is any einsum `input, kernel -> output`."""
import re

import torch

from cornu import activations, constraints, initializers, regularizers
from cornu.layers.layer import Layer, registry


def serialized(module, obj):
    """`module.serialize(obj)`, None for None (regularizers and constraints are optional)."""
    return None if obj is None else module.serialize(obj)


@registry.register()
class EinsumDense(Layer):
    """A dense layer computing `activation(einsum(equation, inputs, kernel) + bias)`.

    Args:
        equation: `"ab,bc->ac"`-style equation (input, kernel -> output), optionally with `...`
            at the start (`"...b,bc->...c"`) or at the end of the input and output.
        output_shape: the output shape without the batch axis (`None` for an axis of unknown
            size, taken from the input); an int for a 1-D output.
        activation: activation name or callable (default: linear).
        bias_axes: letters of the output that the bias spans (`None`: no bias).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint: as in `Dense`.

    The kernel's shape follows the kernel letters: each takes its size from the input or the
    output axis of the same letter. The bias runs from its first output letter to the last axis,
    with size 1 on letters not in `bias_axes`.

    >>> layer = EinsumDense("abc,cde->abde", output_shape=(None, 4, 2), bias_axes="de")
    >>> tuple(layer(np.ones((3, 5, 6))).shape), tuple(layer.kernel.shape)
    ((3, 5, 4, 2), (6, 4, 2))
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        if lora_rank:
            raise NotImplementedError(f"EinsumDense {self.name!r}: `lora_rank` is not supported "
                                      "by cornu yet; train the full kernel instead.")
        if quantization_config is not None:
            raise NotImplementedError(f"EinsumDense {self.name!r}: quantized kernels "
                                      "(`quantization_config`) are not supported by cornu.")
        _split(equation)  # fails early on an equation of the wrong form
        self.equation = equation
        self.partial_output_shape = ((output_shape,) if isinstance(output_shape, int)
                                     else tuple(output_shape))
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        kernel_shape, bias_shape, _, in_axes, out_axes = analyze(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape, self.name)
        init = self.kernel_initializer
        if isinstance(init, initializers.VarianceScaling) and (
                init.input_axes is None or init.output_axes is None):
            # Keras's fans for an einsum kernel: the contracted axes in, the produced axes out.
            config = {**init.get_config(), "input_axes": in_axes, "output_axes": out_axes}
            init = type(init).from_config(config)
        self.kernel = self.add_weight(name="kernel", shape=tuple(kernel_shape), initializer=init,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=tuple(bias_shape), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        x = torch.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(analyze(self.equation, self.bias_axes, input_shape,
                             self.partial_output_shape, self.name)[2])

    def extra_repr(self):
        return f"equation={self.equation!r}, output_shape={self.partial_output_shape}"

    def get_config(self):
        # `output_shape` is kept as `partial_output_shape`: `Layer.output_shape` is the built one.
        return {**super().get_config(), "output_shape": self.partial_output_shape,
                "equation": self.equation, "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": serialized(regularizers, self.kernel_regularizer),
                "bias_regularizer": serialized(regularizers, self.bias_regularizer),
                "activity_regularizer": serialized(regularizers, self.activity_regularizer),
                "kernel_constraint": serialized(constraints, self.kernel_constraint),
                "bias_constraint": serialized(constraints, self.bias_constraint),
                "quantization_config": None}


_FORMS = (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", False),
          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", True),
          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", False))


def _split(equation):
    text = equation.replace("...", "0")
    for pattern, left in _FORMS:
        match = re.match(pattern, text)
        if match:
            return match.group(1), match.group(2), match.group(3), left
    raise ValueError(f"EinsumDense: invalid equation {equation!r}; expected the form "
                     "'[X],[Y]->[Z]', '...[X],[Y]->...[Z]' or '[X]...,[Y]->[Z]...'.")


def analyze(equation, bias_axes, input_shape, output_shape, name="einsum_dense"):
    """(kernel shape, bias shape or None, full output shape, kernel input axes, output axes)."""
    in_spec, w_spec, out_spec, left = _split(equation)
    input_shape = list(input_shape)
    elided = len(input_shape) - len(in_spec)
    full = [input_shape[0]] + list(output_shape)
    if elided > 0 and left:
        full[1:1] = input_shape[1:elided]
    elif elided > 0:
        full.extend(input_shape[len(input_shape) - elided:])
    if left:
        in_at = {c: i + elided for i, c in enumerate(in_spec)}
        out_at = {c: i + elided for i, c in enumerate(out_spec)}
    else:
        in_at = {c: i for i, c in enumerate(in_spec)}
        out_at = {c: i for i, c in enumerate(out_spec)}
    if max(list(in_at.values()) + [-1]) >= len(input_shape) or \
            max(list(out_at.values()) + [-1]) >= len(full):
        raise ValueError(f"EinsumDense {name!r}: equation {equation!r} does not fit input shape "
                         f"{tuple(input_shape)} and output_shape {tuple(output_shape)}.")
    for c in in_spec:
        if c in out_at and full[out_at[c]] is not None and full[out_at[c]] != input_shape[in_at[c]]:
            raise ValueError(f"EinsumDense {name!r}: axis {c!r} of {equation!r} has size "
                             f"{input_shape[in_at[c]]} in the input shape {tuple(input_shape)} "
                             f"but {full[out_at[c]]} in output_shape {tuple(output_shape)}.")
    for c in in_spec:  # an output axis of unknown size shared with the input takes its size
        if c in out_at and full[out_at[c]] is None:
            full[out_at[c]] = input_shape[in_at[c]]
    for c in out_spec:
        if c not in in_spec and c not in w_spec:
            raise ValueError(f"EinsumDense {name!r}: output axis {c!r} of {equation!r} is in "
                             "neither the input nor the kernel.")
    kernel, in_axes, out_axes = [], [], []
    for i, c in enumerate(w_spec):
        if c in out_at:
            kernel.append(full[out_at[c]])
            out_axes.append(i)
        elif c in in_at:
            kernel.append(input_shape[in_at[c]])
            in_axes.append(i)
        else:
            raise ValueError(f"EinsumDense {name!r}: kernel axis {c!r} of {equation!r} is in "
                             "neither the input nor the output.")
    if any(d is None for d in kernel):
        raise ValueError(f"EinsumDense {name!r}: the kernel's shape {tuple(kernel)} needs known "
                         f"sizes; input shape {tuple(input_shape)}, output_shape "
                         f"{tuple(output_shape)}.")
    bias = None
    if bias_axes is not None:
        missing = [c for c in bias_axes if c not in out_spec]
        if missing:
            raise ValueError(f"EinsumDense {name!r}: bias axes {missing} are not in the output "
                             f"{out_spec!r} of {equation!r}.")
        offset = elided if left else 0
        size = {c: full[i + offset] for i, c in enumerate(out_spec)}
        first = min(out_spec.find(c) for c in bias_axes)
        bias = [size[c] if c in bias_axes else 1 for c in out_spec[first:]]
        if not left:
            bias.extend([1] * max(elided, 0))
    return kernel, bias, full, in_axes, out_axes
