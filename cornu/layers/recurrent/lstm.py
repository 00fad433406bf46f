"""LSTM (Hochreiter 1997): the cell's step math, and the layer that runs it fused when it can."""
import torch

from cornu import initializers
from cornu.layers.layer import registry
from cornu.layers.recurrent import fused
from cornu.layers.recurrent.base import CellLayer, RecurrentCell


@registry.register()
class LSTMCell(RecurrentCell):
    """One LSTM step. Weights: `kernel (input_dim, 4 * units)`, `recurrent_kernel
    (units, 4 * units)`, `bias (4 * units,)`, gates in the order i, f, c, o.

    Args: as `LSTM`, without the sequence arguments. `unit_forget_bias=True` adds 1 to the
    forget gate's bias at initialization.

    >>> RNN(LSTMCell(4))(np.ones((32, 10, 8))).shape
    torch.Size([32, 4])
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [units, units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, units = self.bias_initializer, self.units

        def forget_bias_one(shape, dtype=None):
            ones = initializers.get("ones")((units,), dtype=dtype)
            parts = [base((units,), dtype=dtype), ones, base((2 * units,), dtype=dtype)]
            return torch.cat([torch.as_tensor(p, dtype=ones.dtype) for p in parts])
        return forget_bias_one

    def _step(self, projected, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        z = (projected + self._recurrent(h_tm1, training)).chunk(4, dim=-1)
        i = self.recurrent_activation(z[0])
        f = self.recurrent_activation(z[1])
        c = f * c_tm1 + i * self.activation(z[2])
        o = self.recurrent_activation(z[3])
        h = o * self.activation(c)
        return h, [h, c]


@registry.register()
class LSTM(CellLayer):
    """Long Short-Term Memory layer (Hochreiter 1997).

    With the default activations (tanh, sigmoid) and no recurrent dropout while training, it
    runs torch's fused LSTM kernel (`nn.LSTM`'s) directly on Keras's weights, masks included;
    otherwise it loops over timesteps with the same math.

    Args:
        units: dimensionality of the output space.
        activation: for the cell and hidden state (default tanh).
        recurrent_activation: for the gates (default sigmoid).
        use_bias, kernel_initializer, recurrent_initializer ("orthogonal"), bias_initializer,
        unit_forget_bias (True), kernel/recurrent/bias regularizers and constraints: as Keras.
        dropout: fraction of the inputs' units to drop (one mask per sequence).
        recurrent_dropout: fraction of the recurrent state's units to drop.
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`.

    Input `(batch, timesteps, features)`; output `(batch, units)`, or
    `(batch, timesteps, units)` with `return_sequences`; with `return_state`,
    `[output, h, c]`.

    >>> LSTM(4)(np.ones((32, 10, 8))).shape
    torch.Size([32, 4])
    """

    cell_class = LSTMCell
    cell_name = "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", implementation=2, **kwargs):
        cell_args = dict(
            units=units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, implementation=implementation)
        super().__init__(cell_args, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, use_cudnn=use_cudnn,
                         **kwargs)

    def fused_kind(self, training):
        cell = self.cell
        if (self.use_cudnn is not False and cell.activation in fused.TANH
                and cell.recurrent_activation in fused.SIGMOID
                and not (training and cell.recurrent_dropout)):
            return "lstm"
        return None

    def fused_params(self):
        return fused.lstm_params(self.cell.kernel, self.cell.recurrent_kernel, self.cell.bias)


