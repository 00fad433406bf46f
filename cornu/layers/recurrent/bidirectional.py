"""Bidirectional: runs a recurrent layer forwards and a copy of it backwards, then merges."""
import torch

from cornu.layers import config as layer_config
from cornu.layers.layer import Layer, registry
from cornu.layers.recurrent import fused
from cornu.layers.recurrent.base import CellLayer

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _renamed_copy(layer, prefix, **changes):
    from cornu.layers import deserialize
    # with its `build_config`, as Keras copies it: the copies of a built layer are built
    config = layer_config.layer_entry(layer)
    inner = config["config"]
    inner.pop("batch_input_shape", None)
    name = layer.name[len(prefix):] if layer.name.startswith(prefix) else layer.name
    inner.update(name=prefix + name, **changes)
    return deserialize(config)


@registry.register()
class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    Args:
        layer: a recurrent layer (`LSTM`, `GRU`, `SimpleRNN`, `RNN`). A copy named
            `forward_<name>` reads the sequence forwards; a copy with `go_backwards=True`
            named `backward_<name>` (or `backward_layer`) reads it backwards.
        merge_mode: how the two outputs combine: `"concat"` (default), `"sum"`, `"mul"`,
            `"ave"`, or None (a list of both).
        backward_layer: optional explicit backward layer.

    With `return_sequences` the backward output is reversed back into time order and masked
    timesteps output zeros (Keras forces `zero_output_for_mask` there). With `return_state`
    the result is `[output, *forward_states, *backward_states]`. Weights: the forward
    layer's, then the backward layer's.

    >>> Bidirectional(LSTM(10))(np.ones((32, 5, 8))).shape
    torch.Size([32, 20])
    """

    _config_omit = ("layer", "merge_mode", "backward_layer")  # see get_config

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Bidirectional: `layer` must be a Layer instance; received {layer!r}.")
        if not hasattr(layer, "go_backwards") and backward_layer is None:
            raise ValueError(f"Bidirectional wraps a recurrent layer (LSTM, GRU, SimpleRNN, RNN) "
                             f"with `go_backwards` and `return_sequences`; received "
                             f"{type(layer).__name__} {layer.name!r}.")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("Bidirectional: `backward_layer` must be a Layer instance; "
                             f"received {backward_layer!r}.")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: invalid merge_mode {merge_mode!r}; expected one of "
                             f"{list(_MERGE_MODES)}.")
        if kwargs.get("input_shape") is None and kwargs.get("batch_input_shape") is None \
                and layer._batch_input_shape is not None:
            kwargs["batch_input_shape"] = layer._batch_input_shape
        super().__init__(**kwargs)
        self.forward_layer = _renamed_copy(layer, "forward_")
        if backward_layer is None:
            self.backward_layer = _renamed_copy(layer, "backward_",
                                                go_backwards=not layer.go_backwards)
        else:
            self.backward_layer = backward_layer
        for name in ("return_sequences", "return_state"):
            if getattr(self.forward_layer, name) != getattr(self.backward_layer, name):
                raise ValueError(f"Bidirectional: forward and backward layers must have the same "
                                 f"`{name}`.")
        for inner in (self.forward_layer, self.backward_layer):
            if getattr(inner, "zero_output_for_mask", None) is not None:
                inner.zero_output_for_mask = inner.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = self.forward_layer.return_sequences
        self.return_state = self.forward_layer.return_state
        self.supports_masking = True

    def build(self, sequences_shape, initial_state_shape=None):
        for inner in (self.forward_layer, self.backward_layer):
            if not inner.built:
                inner._build_once(tuple(sequences_shape))
            for weight in inner.weights:
                if not weight.path.startswith(f"{self.name}/"):
                    weight.path = f"{self.name}/{weight.path}"

    def call(self, sequences, initial_state=None, mask=None, training=False):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        kind = self._fused_kind(mask, training)
        if kind is not None:
            return self._fused_call(kind, sequences, forward_state, backward_state)
        y = self.forward_layer.forward(sequences, initial_state=forward_state, mask=mask,
                                       training=training)
        y_rev = self.backward_layer.forward(sequences, initial_state=backward_state, mask=mask,
                                            training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev.flip(1)
        return self._merge(y, y_rev, states)

    def _fused_kind(self, mask, training):
        """The kernel that runs both directions in one call, when both layers allow it."""
        forward, backward = self.forward_layer, self.backward_layer
        if (mask is not None or type(forward) is not type(backward)
                or not isinstance(forward, CellLayer) or forward.go_backwards
                or not backward.go_backwards or forward.stateful or backward.stateful
                or forward.cell.use_bias != backward.cell.use_bias
                or (training and (forward.cell.dropout or backward.cell.dropout))):
            return None
        kind = forward.fused_kind(training)
        return kind if kind is not None and kind == backward.fused_kind(training) else None

    def _fused_call(self, kind, sequences, forward_state, backward_state):
        forward, backward = self.forward_layer, self.backward_layer
        batch = sequences.shape[0]
        forward_state = forward_state or forward.get_initial_state(batch, sequences)
        backward_state = backward_state or backward.get_initial_state(batch, sequences)
        if kind == "lstm" or not isinstance(forward_state, (list, tuple)):
            forward_state, backward_state = list(forward_state), list(backward_state)
        out, states_f, states_b = fused.run_bidirectional(
            kind, sequences, forward_state, backward_state,
            forward.fused_params() + backward.fused_params())
        states = states_f + states_b if self.return_state else []
        if self.return_sequences:
            if self.merge_mode == "concat":  # the kernel's output already is the concatenation
                return [out] + states if self.return_state else out
            units = out.shape[-1] // 2
            return self._merge(out[..., :units], out[..., units:], states)
        return self._merge(states_f[0], states_b[0], states)  # a direction's last output is h

    def _merge(self, y, y_rev, states):
        if self.merge_mode == "concat":
            output = torch.cat([y, y_rev], dim=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(tuple(sequences_shape))
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        shape = tuple(shape)
        if self.merge_mode == "concat":
            shape = shape[:-1] + (shape[-1] * 2,)
        output = [shape, shape] if self.merge_mode is None else shape
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states + states
        return output

    def compute_mask(self, inputs, previous_mask=None):
        mask = previous_mask[0] if isinstance(previous_mask, (list, tuple)) else previous_mask
        output_mask = mask if self.return_sequences else None
        if self.merge_mode is None:
            output_mask = [output_mask, output_mask]
        if self.return_state:
            n_states = 2 * len(self.forward_layer.state_size)
            output_mask = (output_mask if isinstance(output_mask, list) else [output_mask]) \
                + [None] * n_states
        return output_mask

    def reset_state(self):
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    reset_states = reset_state

    def get_config(self):
        # `layer` is written as the forward copy this wrapper made of it (Keras does the same).
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": layer_config.layer_entry(self.forward_layer),
                "backward_layer": layer_config.layer_entry(self.backward_layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.layers import deserialize
        config = dict(config)
        config["layer"] = deserialize(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize(config["backward_layer"], custom_objects)
        return cls(**config)
