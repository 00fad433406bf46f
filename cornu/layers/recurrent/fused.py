"""torch's fused recurrent kernels (`torch._VF.lstm`, `gru`, `rnn_tanh`, `rnn_relu`) on Keras weights.

These are the kernels `nn.LSTM`/`nn.GRU`/`nn.RNN` run (cuDNN on GPU, oneDNN or ATen on CPU).
Keras's weights map onto them as follows, `u` being the number of units:

- LSTM: Keras's gate order (i, f, c, o) is torch's (i, f, g, o); `kernel.t()` and
  `recurrent_kernel.t()` are free views (the kernels are stored transposed), the bias is
  torch's input bias and the recurrent bias is zero.
- GRU (`reset_after=True`): Keras's z, r, h are torch's z, r, n but torch orders them
  (r, z, n): the first two blocks of rows swap, one small copy of each weight per call
  (about the cost of four tiny ops; invisible beside the kernel from ~20 steps of 64 units).
- SimpleRNN: `h = act(x W + b + h U)` is torch's Elman RNN with tanh or relu.

Masks keep Keras's meaning exactly: a masked step leaves the states unchanged and repeats the
previous output. So each sequence's unmasked steps are gathered to the front, run by the
kernel, and the outputs spread back over the timesteps; an LSTM whose final cell state is
wanted runs them as a packed sequence (torch's variable-length path) to get it.

`run` returns `(last_output, outputs, final_states)` with outputs in processing order
(reversed when `go_backwards`, as Keras returns them).
"""
import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from cornu import activations

TANH = (activations.tanh, torch.tanh)
SIGMOID = (activations.sigmoid, torch.sigmoid)
RELU = (activations.relu, torch.relu)

_KERNELS = {"lstm": torch._VF.lstm, "gru": torch._VF.gru, "rnn_tanh": torch._VF.rnn_tanh,
            "rnn_relu": torch._VF.rnn_relu}


def lstm_params(kernel, recurrent_kernel, bias):
    params = [kernel.t(), recurrent_kernel.t()]
    return params + [bias, torch.zeros_like(bias)] if bias is not None else params


simple_rnn_params = lstm_params


def _zr_swap(w):
    """Rows of (z, r, h) blocks → (r, z, h), torch's GRU order."""
    u = w.shape[0] // 3
    return torch.cat((w[u:2 * u], w[:u], w[2 * u:]))


def gru_params(kernel, recurrent_kernel, bias):
    params = [_zr_swap(kernel.t()), _zr_swap(recurrent_kernel.t())]
    return params + [_zr_swap(bias[0]), _zr_swap(bias[1])] if bias is not None else params


def run(kind, x, states, params, go_backwards=False, mask=None, zero_output_for_mask=False,
        final_cell_state=True):
    """Runs `x` `(batch, time, features)` through the fused kernel `kind` from `states`.

    `final_cell_state=False` (an LSTM that returns no states) lets a masked LSTM run on the
    padded kernel (oneDNN on CPU, measured 5x faster than the packed one at 100 steps); its
    final cell state is then None.
    """
    if go_backwards:
        x = x.flip(1)
        mask = mask.flip(1) if mask is not None else None
    kernel, has_bias, train = _KERNELS[kind], len(params) == 4, torch.is_grad_enabled()
    if mask is None:
        out, *final = kernel(x, _hx(kind, states), params, has_bias, 1, 0.0, train, False, True)
        return out[:, -1], out, [f[0] for f in final]
    # Each row's unmasked steps first, in time order (a stable sort of "is masked"): the
    # kernel then runs them as a right-padded batch, and what follows them is never read.
    order = torch.sort((~mask).to(torch.uint8), dim=1, stable=True).indices
    lengths = mask.sum(1)
    if kind == "lstm" and final_cell_state:  # c at each row's last step: a packed sequence
        compact, final = _packed(kernel, x, states, params, order, lengths)
    else:
        compact, *final = kernel(x.gather(1, order.unsqueeze(-1).expand_as(x)),
                                 _hx(kind, states), params, has_bias, 1, 0.0, train, False, True)
        last_step = (lengths - 1).clamp(min=0).view(-1, 1, 1).expand(-1, 1, compact.shape[-1])
        final = [compact.gather(1, last_step)[:, 0]] + [None] * (len(final) - 1)
    # A fully masked row keeps its initial states and outputs zeros.
    seen = (lengths > 0).unsqueeze(1)
    final = [f if f is None else torch.where(seen, f, s) for f, s in zip(final, states)]
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    last = torch.where(seen, final[0], zero)
    # The output at step t is the one of the last unmasked step up to t (zeros before any).
    done = mask.cumsum(1)
    index = (done - 1).clamp(min=0).unsqueeze(-1).expand(-1, -1, compact.shape[-1])
    outputs = compact.gather(1, index)
    keep = (mask if zero_output_for_mask else done > 0).unsqueeze(-1)
    outputs = torch.where(keep, outputs, zero)
    if zero_output_for_mask:
        last = torch.where(mask[:, -1:], last, zero)
    return last, outputs, final


def run_bidirectional(kind, x, forward_states, backward_states, params):
    """Both directions in one call of the kernel (`bidirectional=True`); `params` are the
    forward weights then the backward ones. Returns `(outputs, forward_states,
    backward_states)`, outputs being both directions' concatenated, in time order."""
    hx = [torch.stack([f, b]) for f, b in zip(forward_states, backward_states)]
    hx = tuple(hx) if kind == "lstm" else hx[0]
    out, *final = _KERNELS[kind](x, hx, params, len(params) == 8, 1, 0.0,
                                 torch.is_grad_enabled(), True, True)
    return out, [f[0] for f in final], [f[1] for f in final]


def _hx(kind, states):
    hx = [s.unsqueeze(0) for s in states]
    return tuple(hx) if kind == "lstm" else hx[0]


def _packed(kernel, x, states, params, order, lengths):
    """The compacted rows as a packed sequence (rows sorted by length, as packing needs)."""
    batch, steps = order.shape
    sorted_lengths, rows = torch.sort(lengths, descending=True, stable=True)
    unsort = torch.empty_like(rows)
    unsort[rows] = torch.arange(batch, device=rows.device)
    packed = pack_padded_sequence(x[rows.unsqueeze(1), order[rows]],
                                  sorted_lengths.clamp(min=1).cpu(), batch_first=True)
    data, *final = kernel(packed.data, packed.batch_sizes, _hx("lstm", [s[rows] for s in states]),
                          params, len(params) == 4, 1, 0.0, torch.is_grad_enabled(), False)
    padded, _ = pad_packed_sequence(PackedSequence(data, packed.batch_sizes), batch_first=True,
                                    total_length=steps)
    return padded[unsort], [f[0][unsort] for f in final]


def input_dropout(cell, sequences, training):
    """Keras's input dropout for the fused path: one mask per sequence, shared by all steps."""
    if training and 0 < cell.dropout < 1:
        mask = cell.get_dropout_mask(sequences[:, 0])
        return sequences * mask.unsqueeze(1)
    return sequences
