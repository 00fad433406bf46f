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

    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if isinstance(states, (list, tuple)) else states
        dp, rdp = self._masks(inputs, h_tm1, training)
        u = self.units
        input_bias = recurrent_bias = None
        if self.use_bias:
            input_bias, recurrent_bias = (self.bias[0], self.bias[1]) if self.reset_after \
                else (self.bias, None)
        kernel, recurrent = self.kernel, self.recurrent_kernel
        if self.implementation == 1:  # per-gate dropout masks
            x = [(inputs * dp[g] if dp is not None else inputs) @ kernel[:, g * u:(g + 1) * u]
                 for g in range(3)]
            if input_bias is not None:
                x = [x[g] + input_bias[g * u:(g + 1) * u] for g in range(3)]
            h = [h_tm1 * rdp[g] if rdp is not None else h_tm1 for g in range(3)]
            rec = [h[g] @ recurrent[:, g * u:(g + 1) * u] for g in range(2)]
            if recurrent_bias is not None:
                rec = [rec[g] + recurrent_bias[g * u:(g + 1) * u] for g in range(2)]
            z = self.recurrent_activation(x[0] + rec[0])
            r = self.recurrent_activation(x[1] + rec[1])
            if self.reset_after:
                rec_h = h[2] @ recurrent[:, 2 * u:]
                if recurrent_bias is not None:
                    rec_h = rec_h + recurrent_bias[2 * u:]
                rec_h = r * rec_h
            else:
                rec_h = (r * h[2]) @ recurrent[:, 2 * u:]
            hh = self.activation(x[2] + rec_h)
        else:
            if dp is not None:
                inputs = inputs * dp
            matrix_x = inputs @ kernel
            if input_bias is not None:
                matrix_x = matrix_x + input_bias
            x_z, x_r, x_h = matrix_x.chunk(3, dim=-1)
            if self.reset_after:
                inner = h_tm1 @ recurrent
                if recurrent_bias is not None:
                    inner = inner + recurrent_bias
            else:
                inner = h_tm1 @ recurrent[:, :2 * u]
            z = self.recurrent_activation(x_z + inner[:, :u])
            r = self.recurrent_activation(x_r + inner[:, u:2 * u])
            if self.reset_after:
                rec_h = r * inner[:, 2 * u:]
            else:
                rec_h = (r * h_tm1) @ recurrent[:, 2 * u:]
            hh = self.activation(x_h + rec_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, ([h] if isinstance(states, (list, tuple)) else h)

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


@registry.register("CuDNNGRU")  # Keras 2's cuDNN-only GRU: reset_after=True, sigmoid gates
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


CuDNNGRU = GRU
