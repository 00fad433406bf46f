"""torch's fused recurrent kernels (`torch._VF.lstm`, `gru`, `rnn_tanh`, `rnn_relu`) on Keras weights.

These are the kernels `nn.LSTM`/`nn.GRU`/`nn.RNN` run (cuDNN on GPU, oneDNN or ATen on CPU).
Keras's weights map onto them as follows, `u` being the number of units:

- LSTM: Keras's gate order (i, f, c, o) is torch's (i, f, g, o); `kernel.t()` and
  `recurrent_kernel.t()` are free views (the kernels are stored transposed), the bias is
  torch's input bias and the recurrent bias is zero.
- GRU (`reset_after=True`): Keras's z, r, h are torch's z, r, n but torch orders them
  (r, z, n): the first two blocks of rows swap, which costs one small copy of each weight per
  call (measured: see the commit that introduced this file). `bias[0]` / `bias[1]` are
  torch's input / recurrent biases.
- SimpleRNN: `h = act(x W + b + h U)` is torch's Elman RNN with tanh or relu.

Each function returns `(last_output, outputs, final_states)` with outputs in processing order
(reversed when `go_backwards`, as Keras returns them).
"""
import torch

from cornu import activations

TANH = (activations.tanh, torch.tanh)
SIGMOID = (activations.sigmoid, torch.sigmoid)
RELU = (activations.relu, torch.relu)


def _biases(bias):
    return [bias, torch.zeros_like(bias)] if bias is not None else []


def lstm(x, states, kernel, recurrent_kernel, bias, go_backwards=False):
    if go_backwards:
        x = x.flip(1)
    params = [kernel.t(), recurrent_kernel.t()] + _biases(bias)
    h0, c0 = states
    out, h, c = torch._VF.lstm(x, (h0.unsqueeze(0), c0.unsqueeze(0)), params, bias is not None,
                               1, 0.0, torch.is_grad_enabled(), False, True)
    return out[:, -1], out, [h[0], c[0]]


def _zr_swap(w):
    """Rows of (z, r, h) blocks → (r, z, h), torch's GRU order."""
    u = w.shape[0] // 3
    return torch.cat((w[u:2 * u], w[:u], w[2 * u:]))


def gru(x, states, kernel, recurrent_kernel, bias, go_backwards=False):
    if go_backwards:
        x = x.flip(1)
    params = [_zr_swap(kernel.t()), _zr_swap(recurrent_kernel.t())]
    if bias is not None:
        params += [_zr_swap(bias[0]), _zr_swap(bias[1])]
    out, h = torch._VF.gru(x, states[0].unsqueeze(0), params, bias is not None, 1, 0.0,
                           torch.is_grad_enabled(), False, True)
    return out[:, -1], out, [h[0]]


def simple_rnn(x, states, kernel, recurrent_kernel, bias, relu=False, go_backwards=False):
    if go_backwards:
        x = x.flip(1)
    run = torch._VF.rnn_relu if relu else torch._VF.rnn_tanh
    params = [kernel.t(), recurrent_kernel.t()] + _biases(bias)
    out, h = run(x, states[0].unsqueeze(0), params, bias is not None, 1, 0.0,
                 torch.is_grad_enabled(), False, True)
    return out[:, -1], out, [h[0]]


def input_dropout(cell, sequences, training):
    """Keras's input dropout for the fused path: one mask per sequence, shared by all steps."""
    if training and 0 < cell.dropout < 1:
        mask = cell.get_dropout_mask(sequences[:, 0])
        return sequences * mask.unsqueeze(1)
    return sequences
