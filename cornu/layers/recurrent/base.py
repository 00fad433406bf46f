"""What SimpleRNN, LSTM and GRU share: the cell's arguments and weights, the layer's config.

A cell holds Keras's weights in Keras's shapes and order: `kernel (input_dim, gates * units)`,
`recurrent_kernel (units, gates * units)`, then `bias`. Both kernels are stored transposed
(`storage_order=(1, 0)`), so `kernel.t()` is the contiguous `(gates * units, input_dim)`
matrix torch's fused kernels take, with no copy (see fused.py).
"""
import torch

from cornu import activations, constraints, initializers, regularizers
from cornu.layers.layer import Layer
from cornu.layers.recurrent import fused
from cornu.layers.recurrent.rnn import RNN, DropoutRNNCell


class RecurrentCell(Layer, DropoutRNNCell):
    """Base of the built-in cells: arguments, weights and config; subclasses hold the math."""

    _config_omit = ("implementation",)  # Keras 3 cells keep it out of their config
    gates = 1  # weight blocks along the last axis: 1 SimpleRNN, 4 LSTM (i, f, c, o), 3 GRU (z, r, h)

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 implementation=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"{type(self).__name__} {self.name!r}: `units` must be a positive "
                             f"integer, got {units!r}.")
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        # Keras: with recurrent dropout each gate draws its own masks (implementation 1).
        self.implementation = 1 if self.recurrent_dropout else implementation
        if self.implementation == 1 and self.gates > 1:
            self.dropout_mask_count = self.gates
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the feature dimension of the "
                             f"input must be known, got input shape {tuple(input_shape)}.")
        width = self.gates * self.units
        self.kernel = self._weight("kernel", (input_dim, width), storage_order=(1, 0))
        self.recurrent_kernel = self._weight("recurrent", (self.units, width),
                                             name="recurrent_kernel", storage_order=(1, 0))
        self.bias = None
        if self.use_bias:
            self.bias = self._weight("bias", self._bias_shape(),
                                     initializer=self._bias_initializer())

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def call(self, inputs, states, training=False):
        """One step: `(output, new_states)`."""
        return self._step(self._project(inputs, training), states, training)

    def _project(self, inputs, training):
        """The inputs' part of every gate, `inputs @ kernel + bias` (with the inputs' dropout),
        for one step `(batch, features)` or all of them `(batch, time, features)` at once."""
        kernel = self.kernel
        mask = self.get_dropout_mask(inputs if inputs.ndim == 2 else inputs[:, 0]) \
            if training and 0 < self.dropout < 1 else None
        if mask is None:
            z = inputs @ kernel
        elif mask.ndim == 2:  # one mask for all gates
            z = (inputs * (mask if inputs.ndim == 2 else mask.unsqueeze(1))) @ kernel
        else:  # one mask per gate `(gates, batch, features)`: gate g sees inputs * mask[g]
            masked = inputs.unsqueeze(-2) * (mask.transpose(0, 1) if inputs.ndim == 2
                                             else mask.transpose(0, 1).unsqueeze(1))
            z = torch.einsum("...gf,fgu->...gu", masked,
                             kernel.view(kernel.shape[0], self.gates, self.units)).flatten(-2)
        if self.use_bias:
            z = z + self._input_bias()
        return z

    def _input_bias(self):
        return self.bias

    def _recurrent(self, h, training, gates=None):
        """`h @ recurrent_kernel` for the first `gates` gates, with recurrent dropout: each gate
        sees `h * mask[g]`. Returns `(batch, gates * units)`."""
        gates = gates or self.gates
        kernel = self.recurrent_kernel[:, :gates * self.units]
        mask = self.get_recurrent_dropout_mask(h) \
            if training and 0 < self.recurrent_dropout < 1 else None
        if mask is None:
            return h @ kernel
        if mask.ndim == 2:
            return (h * mask) @ kernel
        masked = h.unsqueeze(1) * mask[:gates].transpose(0, 1)
        return torch.einsum("bgu,ugv->bgv", masked,
                            kernel.view(self.units, gates, self.units)).flatten(1)

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [torch.zeros((batch_size, s)) for s in sizes]


# The arguments a recurrent layer hands to its cell, and shows as its own attributes.
CELL_ARGS = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
             "recurrent_initializer", "bias_initializer", "unit_forget_bias",
             "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
             "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
             "recurrent_dropout", "seed", "reset_after", "implementation")


class CellLayer(RNN):
    """A recurrent layer built on one of the built-in cells (SimpleRNN, LSTM, GRU)."""

    cell_class = None
    cell_name = None
    # The cell's arguments are written as the layer's own (attributes of the same names).
    _config_omit = ("cell_args", "cell", "use_cudnn", "implementation")

    def __init__(self, cell_args, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, activity_regularizer=None,
                 use_cudnn="auto", **kwargs):
        cell = self.cell_class(**cell_args, dtype=kwargs.get("dtype"),
                               trainable=kwargs.get("trainable", True), name=self.cell_name)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn

    def fused_kind(self, training):
        """The torch kernel (`"lstm"`, `"gru"`, `"rnn_tanh"`, `"rnn_relu"`) that computes
        this layer exactly, or None (the step loop then runs)."""
        return None

    def fused_params(self):
        """The weights in the kernel's layout and order (see fused.py)."""
        raise NotImplementedError

    def inner_loop(self, sequences, initial_state, mask, training=False):
        kind = self.fused_kind(training)
        # The masked fused path sorts and packs, which ONNX cannot express: export the loop.
        if kind is None or (mask is not None and torch.compiler.is_exporting()):
            return super().inner_loop(sequences, initial_state, mask, training)
        return fused.run(kind, fused.input_dropout(self.cell, sequences, training),
                         initial_state, self.fused_params(), self.go_backwards, mask,
                         self.zero_output_for_mask,
                         final_cell_state=self.return_state or self.stateful)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    def extra_repr(self):
        return f"units={self.cell.units}, return_sequences={self.return_sequences}"


def _delegate(name):
    return property(lambda self: getattr(self.cell, name),
                    doc=f"The cell's `{name}`.")


for _name in CELL_ARGS:
    setattr(CellLayer, _name, _delegate(_name))
