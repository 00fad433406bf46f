"""`keras.config` (Keras 3): global settings, the same ones `keras.backend` holds, and a few of
Keras 3's own switches.

`set_dtype_policy` takes the float policies (`"float32"`, `"float64"`, `"float16"`,
`"bfloat16"`), which make new layers compute and store weights in that type (the same effect as
`set_floatx`, which it sets); the mixed policies (`"mixed_float16"`, `"mixed_bfloat16"`:
float32 weights, half-precision math) are not implemented and raise.
"""
from cornu.backend.config import (epsilon, floatx, image_data_format, set_epsilon, set_floatx,
                                  set_image_data_format)
from cornu.utils.registry import enable_unsafe_deserialization

__all__ = ["backend", "epsilon", "set_epsilon", "floatx", "set_floatx", "image_data_format",
           "set_image_data_format", "enable_unsafe_deserialization", "DTypePolicy",
           "dtype_policy", "set_dtype_policy", "enable_traceback_filtering",
           "disable_traceback_filtering", "is_traceback_filtering_enabled",
           "enable_interactive_logging", "disable_interactive_logging",
           "is_interactive_logging_enabled", "max_epochs", "set_max_epochs",
           "max_steps_per_epoch", "set_max_steps_per_epoch"]

_SETTINGS = {"traceback_filtering": True, "interactive_logging": True, "max_epochs": None,
             "max_steps_per_epoch": None}
_FLOAT_POLICIES = ("float16", "bfloat16", "float32", "float64")


def backend():
    """The name of the backend: always `"torch"`."""
    return "torch"


# ---------------------------------------------------------------- dtype policy
class DTypePolicy:
    """A dtype policy: the type layers compute in (`compute_dtype`) and store weights in
    (`variable_dtype`); equal for the float policies cornu implements."""

    def __init__(self, name=None):
        name = floatx() if name is None else name
        if isinstance(name, DTypePolicy):
            name = name.name
        if not isinstance(name, str) or name not in _FLOAT_POLICIES:
            if isinstance(name, str) and name.startswith("mixed_"):
                raise ValueError(f"Dtype policy {name!r}: mixed precision (float32 weights, "
                                 "half-precision math) is not implemented in cornu. Use a float "
                                 f"policy: one of {', '.join(map(repr, _FLOAT_POLICIES))}.")
            raise ValueError(f"Unknown dtype policy {name!r}. Expected one of "
                             f"{', '.join(map(repr, _FLOAT_POLICIES))}.")
        self.name = name

    @property
    def compute_dtype(self):
        return self.name

    @property
    def variable_dtype(self):
        return self.name

    def get_config(self):
        return {"name": self.name}

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'


def set_dtype_policy(policy):
    """Sets the global dtype policy (a policy name or a `DTypePolicy`)."""
    set_floatx(DTypePolicy(policy).name)


def dtype_policy():
    """The global dtype policy (by default `float32`, or `floatx()` where that was set)."""
    return DTypePolicy(floatx())


# ------------------------------------------------------------------- switches
def enable_traceback_filtering():
    """Keras 3 shortens tracebacks of its own frames; cornu shows them whole, so this only
    records the setting (for `is_traceback_filtering_enabled`)."""
    _SETTINGS["traceback_filtering"] = True


def disable_traceback_filtering():
    _SETTINGS["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    return _SETTINGS["traceback_filtering"]


def enable_interactive_logging():
    """Progress is printed to stdout (the default)."""
    _SETTINGS["interactive_logging"] = True


def disable_interactive_logging():
    """Keras 3 then sends progress to Python logging instead of stdout; cornu records the
    setting (for `is_interactive_logging_enabled`) and keeps printing with `verbose`."""
    _SETTINGS["interactive_logging"] = False


def is_interactive_logging_enabled():
    return _SETTINGS["interactive_logging"]


def _limit(name, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"`{name}` must be a positive int or None, received {value!r}.")
    _SETTINGS[name] = value


def set_max_epochs(max_epochs):
    """Caps the number of epochs of every `fit` (None: no cap), as Keras 3's setting does."""
    _limit("max_epochs", max_epochs)


def max_epochs():
    return _SETTINGS["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Caps the steps of each epoch of `fit` (None: no cap)."""
    _limit("max_steps_per_epoch", max_steps_per_epoch)


def max_steps_per_epoch():
    return _SETTINGS["max_steps_per_epoch"]


def fit_limits(epochs, steps_per_epoch):
    """`fit`'s epochs and steps per epoch under the caps above."""
    cap = _SETTINGS["max_epochs"]
    if cap is not None:
        epochs = min(epochs, cap)
    cap = _SETTINGS["max_steps_per_epoch"]
    if cap is not None:
        steps_per_epoch = cap if steps_per_epoch is None else min(steps_per_epoch, cap)
    return epochs, steps_per_epoch
