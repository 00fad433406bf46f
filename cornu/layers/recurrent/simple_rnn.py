"""SimpleRNN: `h_t = activation(x_t W + b + h_{t-1} U)`, fused for tanh and relu."""
from cornu.layers.layer import registry
from cornu.layers.recurrent import fused
from cornu.layers.recurrent.base import CellLayer, RecurrentCell


@registry.register()
class SimpleRNNCell(RecurrentCell):
    """One step of a fully connected RNN whose output is fed back as its state.

    Weights: `kernel (input_dim, units)`, `recurrent_kernel (units, units)`, `bias (units,)`.

    >>> RNN(SimpleRNNCell(4))(np.ones((32, 10, 8))).shape
    torch.Size([32, 4])
    """

    _config_omit = ("implementation", "recurrent_activation")

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation, None, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)

    def _step(self, projected, states, training=False):
        prev_output = states[0] if isinstance(states, (list, tuple)) else states
        output = self.activation(projected + self._recurrent(prev_output, training))
        return output, ([output] if isinstance(states, (list, tuple)) else output)


@registry.register()
class SimpleRNN(CellLayer):
    """Fully connected RNN where the output is fed back as the next input state.

    With activation tanh or relu and no recurrent dropout while training, it runs torch's
    fused Elman RNN kernel on Keras's weights, masks included; otherwise it loops over
    timesteps.

    Args: `units`, `activation` (default tanh), `use_bias`, initializers, regularizers,
    constraints, `dropout`, `recurrent_dropout`, and the sequence arguments of `RNN`.

    >>> SimpleRNN(4)(np.ones((32, 10, 8))).shape
    torch.Size([32, 4])
    """

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"

    _config_omit = CellLayer._config_omit + ("seed",)  # Keras keeps the cell's seed out

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        cell_args = dict(
            units=units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed)
        super().__init__(cell_args, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    def fused_kind(self, training):
        cell = self.cell
        if training and cell.recurrent_dropout:
            return None
        if cell.activation in fused.RELU:
            return "rnn_relu"
        return "rnn_tanh" if cell.activation in fused.TANH else None

    def fused_params(self):
        return fused.simple_rnn_params(self.cell.kernel, self.cell.recurrent_kernel,
                                       self.cell.bias)
