"""GRU (Cho et al. 2014): the cell's step math, and the layer that runs it fused when it can."""
from cornu.layers.layer import registry
from cornu.layers.recurrent import fused
from cornu.layers.recurrent.base import CellLayer, RecurrentCell


@registry.register()
class GRUCell(RecurrentCell):
    """One GRU step. Weights: `kernel (input_dim, 3 * units)`, `recurrent_kernel
    (units, 3 * units)`, gates in the order z (update), r (reset), h (candidate); `bias` is
    `(2, 3 * units)` (input and recurrent biases) with `reset_after=True`, else `(3 * units,)`.

    `reset_after=True` (the default, cuDNN's and torch's formulation) applies the reset gate
    after the recurrent matrix product; `False` is the original one (Keras 1/2's default).

    >>> RNN(GRUCell(4))(np.ones((32, 10, 8))).shape
    torch.Size([32, 4])
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return self.bias[0] if self.reset_after else self.bias

    def _step(self, projected, states, training=False):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        u = self.units
        x_z, x_r, x_h = projected.chunk(3, dim=-1)
        if self.reset_after:  # the reset gate multiplies the recurrent product
            inner = self._recurrent(h_tm1, training)
            if self.use_bias:
                inner = inner + self.bias[1]
            z = self.recurrent_activation(x_z + inner[:, :u])
            r = self.recurrent_activation(x_r + inner[:, u:2 * u])
            recurrent_h = r * inner[:, 2 * u:]
        else:  # the reset gate multiplies the state before the product
            inner = self._recurrent(h_tm1, training, gates=2)
            z = self.recurrent_activation(x_z + inner[:, :u])
            r = self.recurrent_activation(x_r + inner[:, u:])
            mask = self.get_recurrent_dropout_mask(h_tm1) \
                if training and 0 < self.recurrent_dropout < 1 else None
            h_h = h_tm1 if mask is None else h_tm1 * (mask[2] if mask.ndim == 3 else mask)
            recurrent_h = (r * h_h) @ self.recurrent_kernel[:, 2 * u:]
        hh = self.activation(x_h + recurrent_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, ([h] if isinstance(states, (list, tuple)) else h)


@registry.register()
class GRU(CellLayer):
    """Gated Recurrent Unit (Cho et al. 2014).

    With the default activations (tanh, sigmoid), `reset_after=True` and no recurrent dropout
    while training, it runs torch's fused GRU kernel (`nn.GRU`'s, the same formulation) on
    Keras's weights, masks included; otherwise it loops over timesteps with the same math.

    Args: as `LSTM` (without `unit_forget_bias`), plus `reset_after` (default True).

    Input `(batch, timesteps, features)`; output `(batch, units)`, or
    `(batch, timesteps, units)` with `return_sequences`; with `return_state`, `[output, h]`.

    >>> GRU(4)(np.ones((32, 10, 8))).shape
    torch.Size([32, 4])
    """

    cell_class = GRUCell
    cell_name = "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", implementation=2, **kwargs):
        cell_args = dict(
            units=units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            seed=seed, implementation=implementation)
        super().__init__(cell_args, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, use_cudnn=use_cudnn,
                         **kwargs)

    def fused_kind(self, training):
        cell = self.cell
        if (self.use_cudnn is not False and cell.reset_after
                and cell.activation in fused.TANH and cell.recurrent_activation in fused.SIGMOID
                and not (training and cell.recurrent_dropout)):
            return "gru"
        return None

    def fused_params(self):
        return fused.gru_params(self.cell.kernel, self.cell.recurrent_kernel, self.cell.bias)


