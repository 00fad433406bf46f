"""RNN: runs a cell over the timesteps of a sequence, with Keras 3's masking and state rules.

`RNN(cell)` loops in Python over timesteps calling `cell.call(x_t, states)`. LSTM, GRU and
SimpleRNN subclass it and, where Keras's semantics allow, replace the loop by torch's fused
kernels (see fused.py); the loop here is the reference they are tested against.

Semantics (Keras 3): with `go_backwards=True` the sequence is read from the end and the
returned sequence stays in that reversed order. A masked timestep leaves the states unchanged
and repeats the previous output (zeros before the first unmasked step, or always zeros with
`zero_output_for_mask=True`). A cell's dropout masks are drawn once per call and reused at
every timestep.
"""
import torch
import torch.nn.functional as F

from cornu.layers.layer import Layer, registry
from cornu.utils import nest


class DropoutRNNCell:
    """Mixin for cells with `dropout`/`recurrent_dropout`: one mask per sequence, not per step.

    A cell sets `dropout_mask_count` (None: one mask; n: n masks, one per gate, stacked in a
    tensor `(n, batch, features)` whose `mask[g]` is gate g's).
    """

    dropout_mask_count = None

    def _new_dropout_mask(self, like, rate):
        count = self.dropout_mask_count
        ones = torch.ones_like(like) if count is None else like.new_ones((count,) + like.shape)
        return F.dropout(ones, rate, True)

    def get_dropout_mask(self, step_input):
        if self.__dict__.get("_dropout_mask") is None and self.dropout > 0:
            self.__dict__["_dropout_mask"] = self._new_dropout_mask(step_input, self.dropout)
        return self.__dict__.get("_dropout_mask")

    def get_recurrent_dropout_mask(self, step_input):
        if self.__dict__.get("_recurrent_dropout_mask") is None and self.recurrent_dropout > 0:
            self.__dict__["_recurrent_dropout_mask"] = self._new_dropout_mask(
                step_input, self.recurrent_dropout)
        return self.__dict__.get("_recurrent_dropout_mask")

    def reset_dropout_mask(self):
        self.__dict__["_dropout_mask"] = None

    def reset_recurrent_dropout_mask(self):
        self.__dict__["_recurrent_dropout_mask"] = None


@registry.register()
class RNN(Layer):
    """Base class for recurrent layers: applies `cell` to every timestep of the input.

    Args:
        cell: an RNN cell (a layer with `call(inputs, states)` returning
            `(output, new_states)` and a `state_size` attribute), or a list of cells
            (stacked, see `StackedRNNCells`).
        return_sequences: return the whole output sequence, not only the last output.
        return_state: also return the final states, as `[output, *states]`.
        go_backwards: process the sequence backwards (and return the reversed sequence).
        stateful: the last states of batch `i` are the initial states of batch `i` in the
            next call; needs a fixed batch size (`batch_input_shape`). `reset_states()`
            sets them back to zeros.
        unroll: accepted for compatibility; cornu runs the same loop either way.
        zero_output_for_mask: output zeros at masked timesteps instead of repeating.

    Call arguments: `inputs` `(batch, timesteps, features)`, `initial_state` (a list of
    tensors), `mask` `(batch, timesteps)` (True = use the step), `training`.

    >>> RNN(LSTMCell(4))(np.ones((32, 10, 8))).shape
    torch.Size([32, 4])
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)) or getattr(cell, "state_size", None) is None:
            raise ValueError(f"{type(self).__name__}: `cell` should have a `call` method and a "
                             f"`state_size` attribute; received cell={cell!r}.")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states = None
        self.supports_masking = True
        size = cell.state_size
        self.single_state = isinstance(size, int)
        self.state_size = [size] if self.single_state else list(size)

    # ------------------------------------------------------------------ build
    def build(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(sequences_shape)
        if len(sequences_shape) != 3:
            raise ValueError(f"Input 0 of layer {self.name!r} ({type(self).__name__}) is "
                             f"incompatible with the layer: expected ndim=3 "
                             f"(batch, timesteps, features), found ndim={len(sequences_shape)}. "
                             f"Full shape received: {sequences_shape}.")
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._build_once((sequences_shape[0],) + sequences_shape[2:])
            for weight in self.cell.weights:
                weight.path = f"{self.name}/{weight.path}"
        if self.stateful:
            if sequences_shape[0] is None:
                raise ValueError(f"{type(self).__name__} {self.name!r}: with `stateful=True` the "
                                 "batch size must be fixed; pass `batch_input_shape=(batch, "
                                 "timesteps, features)` (or `batch_size=` to `Input`). Found "
                                 f"input shape {sequences_shape}.")
            self.states = self.get_initial_state(sequences_shape[0])

    def get_initial_state(self, batch_size, like=None):
        make = getattr(self.cell, "get_initial_state", None)
        if make is not None:
            states = make(batch_size=batch_size)
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            if like is not None:
                states = nest.map_structure(lambda s: s.to(like.device, like.dtype), states)
            return states

        def zeros(size):
            if isinstance(size, (list, tuple)):
                return [zeros(s) for s in size]
            if like is not None:
                return like.new_zeros((batch_size, size))
            return torch.zeros((batch_size, size))
        return [zeros(s) for s in self.state_size]

    def reset_state(self, states=None):
        """Stateful layers: sets the states to zeros (or to `states`)."""
        if not self.stateful or self.states is None:
            return
        if states is None:
            self.states = [torch.zeros_like(s) for s in nest.flatten(self.states)]
            self.states = nest.pack_sequence_as(self.state_size, self.states)
        else:
            states = states if isinstance(states, (list, tuple)) else [states]
            self.states = [torch.as_tensor(s, dtype=o.dtype, device=o.device)
                           for s, o in zip(states, nest.flatten(self.states))]

    reset_states = reset_state

    # ------------------------------------------------------------------- call
    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is not None and mask.dtype != torch.bool:
            mask = mask.bool()
        batch = sequences.shape[0]
        if initial_state is None:
            if self.stateful and self.states is not None:
                initial_state = nest.map_structure(lambda s: s.to(sequences.device), self.states)
                if nest.flatten(initial_state)[0].shape[0] != batch:
                    raise ValueError(
                        f"{type(self).__name__} {self.name!r} is stateful with batch size "
                        f"{nest.flatten(initial_state)[0].shape[0]}, but received a batch of "
                        f"{batch}; feed batches of exactly that size (shuffle=False, a dataset "
                        "size divisible by the batch size).")
            else:
                initial_state = self.get_initial_state(batch, sequences)
        else:
            initial_state = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
        try:
            last_output, outputs, states = self.inner_loop(sequences, initial_state, mask,
                                                           training)
        finally:
            _reset_dropout_masks(self.cell)
        if self.stateful:
            self.states = nest.map_structure(lambda s: s.detach(), list(states))
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """Runs the cell step by step; returns `(last_output, outputs, final_states)`.

        A built-in cell computes its inputs' part for all timesteps at once (`_project`),
        leaving the steps only the recurrent part (`_step`)."""
        cell = self.cell
        kwargs = {"training": training} if getattr(cell, "_call_takes_training", False) else {}
        if hasattr(cell, "_project"):
            steps = cell._project(sequences, training).unbind(1)
            step = cell._step
        else:
            steps, step = sequences.unbind(1), cell.call
        masks = mask.unbind(1) if mask is not None else None
        order = range(len(steps) - 1, -1, -1) if self.go_backwards else range(len(steps))
        states = list(initial_state)
        outputs, output = [], None
        for t in order:
            output_t, new_states = step(steps[t], states, **kwargs)
            if not isinstance(new_states, (list, tuple)):
                new_states = [new_states]
            if masks is not None:
                keep = masks[t].unsqueeze(-1)
                if output is None or self.zero_output_for_mask:
                    previous = torch.zeros_like(output_t)
                else:
                    previous = output
                output_t = torch.where(keep, output_t, previous)
                flat = [torch.where(keep, new, old) for new, old in
                        zip(nest.flatten(new_states), nest.flatten(states))]
                new_states = nest.pack_sequence_as(list(new_states), flat)
            output, states = output_t, list(new_states)
            if self.return_sequences:
                outputs.append(output)
        outputs = torch.stack(outputs, 1) if self.return_sequences else output.unsqueeze(1)
        return output, outputs, states

    # ----------------------------------------------------------------- shapes
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, length = sequences_shape[0], sequences_shape[1]
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = nest.flatten(self.state_size)[0]
        output = (batch, length, output_size) if self.return_sequences else (batch, output_size)
        if not self.return_state:
            return output
        states = [[(batch, s) for s in size] if isinstance(size, (list, tuple)) else (batch, size)
                  for size in self.state_size]
        return [output] + states

    def compute_mask(self, inputs, previous_mask=None):
        mask = nest.flatten(previous_mask)[0] if isinstance(previous_mask, (list, tuple)) \
            else previous_mask
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.layers import deserialize
        config = dict(config)
        cell = deserialize(config.pop("cell"), custom_objects)
        return cls(cell, **config)


def _reset_dropout_masks(cell):
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for inner in getattr(cell, "cells", []):
        _reset_dropout_masks(inner)


@registry.register()
class StackedRNNCells(Layer):
    """Wraps a list of cells so that an RNN runs them as one: each cell's output is the next
    cell's input at every timestep. The states are a list with one entry per cell."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not callable(getattr(cell, "call", None)) or getattr(cell, "state_size", None) is None:
                raise ValueError(f"StackedRNNCells: every cell needs a `call` method and a "
                                 f"`state_size`; received {cell!r}.")
        self.cells = torch.nn.ModuleList(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        size = getattr(last, "output_size", None)
        return size if size is not None else nest.flatten(last.state_size)[0]

    def _sublayers(self):
        return [c for c in self.cells if isinstance(c, Layer)]

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                states.append(make(batch_size=batch_size))
            else:
                sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) \
                    else [cell.state_size]
                states.append([torch.zeros((batch_size, s)) for s in sizes])
        return states

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._build_once(shape)
                for weight in cell.weights:
                    weight.path = f"{self.name}/{weight.path}"
            size = getattr(cell, "output_size", None)
            size = size if size is not None else nest.flatten(cell.state_size)[0]
            shape = shape[:-1] + (size,)

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, state in zip(self.cells, states):
            state = list(state) if isinstance(state, (list, tuple)) else [state]
            kwargs = {"training": training} if getattr(cell, "_call_takes_training", False) else {}
            inputs, state = cell.call(inputs, state, **kwargs)
            new_states.append(list(state) if isinstance(state, (list, tuple)) else [state])
        return inputs, new_states

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.layers import deserialize
        config = dict(config)
        cells = [deserialize(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)
