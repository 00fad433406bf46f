"""Keras 1's `keras.layers.recurrent.Recurrent` (kept by Keras 2 in `keras.legacy.layers`):
the base class that Keras 1 custom recurrent layers subclass.

A subclass creates its weights in `build(input_shape)` (and sets `self.states`, one entry per
state, e.g. `[None, None]`), and defines `step(x, states) -> (output, new_states)`. The base
runs it over the timesteps with `K.rnn`, as Keras 1 did:

    initial = get_initial_states(x)       # zeros (batch, output_dim), one per state
    constants = get_constants(x)          # appended to the states at every step
    last, outputs, states = K.rnn(step, preprocess_input(x), initial, go_backwards, mask,
                                  constants)

and returns the last output, or the sequence with `return_sequences` (plus the final states
with Keras 2's `return_state`). Masked timesteps keep the states and repeat the previous
output. With `stateful=True` the final states of a call are the initial states of the next;
`reset_states()` sets them back to zeros. Keras 2's spellings of the hooks
(`get_initial_state(inputs)`, `get_constants(inputs, training=None)`, `units`) work too.
"""
import inspect

import torch

from cornu.compat import initializations as _initializations
from cornu.compat.backend_extra import rnn
from cornu.layers.layer import Layer, registry

_KERAS12_ORDER = ("shape", "initializer", "name", "trainable", "regularizer", "constraint")


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(isinstance(d, int) for d in value)


def _takes_training(function):
    return "training" in inspect.signature(function).parameters


@registry.register()
class Recurrent(Layer):
    """Abstract base of Keras 1 recurrent layers; subclasses define `build` and `step`.

    Args:
        return_sequences: return the whole output sequence, not only the last output.
        return_state: (Keras 2) also return the final states, as `[output, *states]`.
        go_backwards: process the sequence from its end (the sequence returned keeps that
            order).
        stateful: each call starts from the states the previous call ended with; needs a fixed
            batch size (`batch_input_shape`).
        unroll: accepted; the steps always run as a Python loop.
        implementation, consume_less: kept as attributes for subclasses that read them
            (Keras 1's `'cpu'`/`'mem'`/`'gpu'` choices of how to compute the same function).
        input_dim, input_length: Keras 1's `input_shape=(input_length, input_dim)`.

    Input shape: `(batch, timesteps, input_dim)`. Output shape: `(batch, output_dim)`, or
    `(batch, timesteps, output_dim)` with `return_sequences`.
    """

    _constants_take_training = _preprocess_takes_training = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Keras 1 wrote the hooks with `(x)`, Keras 2 with `(inputs, training=None)`.
        cls._constants_take_training = _takes_training(cls.get_constants)
        cls._preprocess_takes_training = _takes_training(cls.preprocess_input)

    def __init__(self, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, implementation=0, consume_less="cpu", **kwargs):
        super().__init__(**kwargs)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.implementation = implementation
        self.consume_less = consume_less
        self.supports_masking = True
        shape = self._batch_input_shape
        self.input_length, self.input_dim = tuple(shape[1:]) if shape and len(shape) == 3 \
            else (None, None)

    def _build_once(self, input_shape):
        if not self.built:
            shape = tuple(input_shape)
            if len(shape) != 3:
                raise ValueError(f"Input 0 of layer {self.name!r} ({type(self).__name__}) is "
                                 f"incompatible with the layer: expected ndim=3 (batch, "
                                 f"timesteps, input_dim), found ndim={len(shape)}. Full shape "
                                 f"received: {shape}.")
            self._rnn_batch_size = shape[0]
            self.input_length, self.input_dim = shape[1], shape[2]
        super()._build_once(input_shape)
        if "states" not in self.__dict__:  # Keras 1's subclasses set it in `build`
            self.states = [None]

    def add_weight(self, *args, **kwargs):
        """Also Keras 1.2's order, `add_weight(shape, initializer, name, trainable,
        regularizer, constraint)`, which Keras 1.2's own recurrent layers (and the custom ones
        copied from them) used, with a Keras 1 `initializations` function as initializer."""
        if args and _is_shape(args[0]):
            kwargs.update(zip(_KERAS12_ORDER, args))
            args = ()
        init = kwargs.get("initializer")
        if callable(init) and getattr(init, "__module__", "") == _initializations.__name__:
            kwargs["initializer"] = lambda shape, dtype=None: init(tuple(shape)).detach()
        return super().add_weight(*args, **kwargs)

    # ------------------------------------------------------- the subclass's hooks
    def step(self, x, states):
        raise NotImplementedError(f"{type(self).__name__}: a Recurrent layer defines "
                                  "`step(x, states) -> (output, new_states)`.")

    def get_constants(self, x):
        return []

    def preprocess_input(self, x):
        return x

    def get_initial_states(self, x):
        """Keras 1: one all-zeros `(batch, output_dim)` tensor per entry of `self.states`."""
        units = self._units()
        if units is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: set `self.output_dim` (or "
                             "`self.units`), or define `get_initial_states(x)`.")
        zeros = x.new_zeros((x.shape[0], units))
        return [zeros for _ in self.states]

    def get_initial_state(self, inputs):  # Keras 2's name of the same hook
        return self.get_initial_states(inputs)

    def _n_states(self):
        return len(self.__dict__.get("states") or [None])

    def _units(self):
        units = self.__dict__.get("units", getattr(self, "output_dim", None))
        return None if units is None else int(units)

    # ------------------------------------------------------------------- call
    def call(self, inputs, mask=None, training=None, initial_state=None):
        if isinstance(inputs, (list, tuple)):  # Keras 2: [inputs, *initial_states]
            inputs, initial_state = inputs[0], list(inputs[1:]) or initial_state
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        states = self._start_states(inputs, initial_state)
        if len(states) != len(self.states):
            raise ValueError(f"{type(self).__name__} {self.name!r} has {len(self.states)} "
                             f"states but received {len(states)} initial states.")
        constants = self.get_constants(inputs, training=training) \
            if self._constants_take_training else self.get_constants(inputs)
        steps = self.preprocess_input(inputs, training=training) \
            if self._preprocess_takes_training else self.preprocess_input(inputs)
        last, outputs, states = rnn(self.step, steps, states, go_backwards=self.go_backwards,
                                    mask=mask, constants=constants, unroll=self.unroll,
                                    input_length=inputs.shape[1])
        if self.stateful and inputs.device.type != "meta":
            self._keep_states(states)
        output = outputs if self.return_sequences else last
        return [output] + list(states) if self.return_state else output

    def _start_states(self, inputs, initial_state):
        if initial_state is not None:
            given = initial_state if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            return [torch.as_tensor(s, dtype=inputs.dtype, device=inputs.device) for s in given]
        if self.stateful and self.states and all(s is not None for s in self.states):
            # copies: the stored states change in place after the call (`_keep_states`)
            states = [torch.as_tensor(s).detach().to(inputs.device).clone()
                      for s in self.states]
            if states[0].shape[0] != inputs.shape[0]:
                raise ValueError(f"{type(self).__name__} {self.name!r} is stateful with batch "
                                 f"size {states[0].shape[0]}, but received a batch of "
                                 f"{inputs.shape[0]} (input shape {tuple(inputs.shape)}); feed "
                                 "batches of exactly that size (shuffle=False).")
            return states
        if type(self).get_initial_states is Recurrent.get_initial_states:
            return list(self.get_initial_state(inputs))  # Keras 2's hook, or the default
        return list(self.get_initial_states(inputs))

    def _keep_states(self, states):
        """The final states become the next call's initial states. A state that is a variable
        (Keras 1's `self.states = [K.zeros(...)]`) is updated in place, as Keras's updates
        did, so a subclass's own `reset_states` still finds it."""
        kept = []
        for i, new in enumerate(states):
            new = new.detach().clone()  # not a view of this call's graph, which may backward
            old = self.states[i] if i < len(self.states) else None
            if isinstance(old, torch.Tensor) and old.shape == new.shape \
                    and old.device == new.device:
                with torch.no_grad():
                    old.copy_(new)
                kept.append(old)
            else:
                kept.append(new)
        self.states = kept

    def reset_states(self, states=None):
        """Stateful layers: sets the states to zeros, or to `states` (arrays of shape
        `(batch, output_dim)`)."""
        if not self.stateful:
            raise AttributeError(f"{type(self).__name__} {self.name!r}: reset_states() needs "
                                 "a stateful layer (stateful=True).")
        batch = getattr(self, "_rnn_batch_size", None) or (self._batch_input_shape or (None,))[0]
        units = self._units()
        if batch is None or units is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: a stateful RNN needs its "
                             "batch size and `output_dim`; pass `batch_input_shape=(batch, "
                             f"timesteps, input_dim)` (found batch size {batch}, output_dim "
                             f"{units}).")
        if states is None:
            self.states = [torch.zeros((batch, units)) for _ in range(self._n_states())]
            return
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(states) != self._n_states():
            raise ValueError(f"{type(self).__name__} {self.name!r} expects {self._n_states()} "
                             f"states, received {len(states)}.")
        values = [torch.as_tensor(s, dtype=torch.float32) for s in states]
        for i, value in enumerate(values):
            if tuple(value.shape) != (batch, units):
                raise ValueError(f"{type(self).__name__} {self.name!r}: state {i} must have "
                                 f"shape {(batch, units)}, received {tuple(value.shape)}.")
        self.states = values

    reset_state = reset_states

    # ----------------------------------------------------------------- shapes
    def get_output_shape_for(self, input_shape):  # Keras 1's name
        return self._output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        if type(self).get_output_shape_for is not Recurrent.get_output_shape_for:
            return self.get_output_shape_for(input_shape)
        if self._units() is None:
            return super().compute_output_shape(input_shape)
        return self._output_shape(input_shape)

    def _output_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], tuple):
            input_shape = input_shape[0]
        batch, steps, units = input_shape[0], input_shape[1], self._units()
        output = (batch, steps, units) if self.return_sequences else (batch, units)
        if self.return_state:
            return [output] + [(batch, units) for _ in range(self._n_states())]
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in range(self._n_states())]
        return output_mask
