"""The one home of legacy argument spellings (Keras 0.x, 1 and 2) and their Keras 3 meaning.

Each table maps an old keyword to a rule: a new keyword, or a function `(value, kwargs) -> dict`
returning the modern keywords to set (so a value transform can read other arguments).
Rules are applied once, at the API boundary (a layer's or optimizer's constructor, `fit`, `Model`),
and each old spelling warns once with its modern form. Modern code never sees an old name.
"""
import math
import warnings


class LegacyWarning(UserWarning):
    """Issued once per legacy spelling that cornu translated."""


_WARNED = set()


def _dim_ordering(value, kwargs):
    table = {"th": "channels_first", "tf": "channels_last", "default": None}
    if value not in table:
        raise ValueError(f"Unknown `dim_ordering` {value!r}: expected 'th', 'tf' or 'default'.")
    return {"data_format": table[value]} if table[value] else {}


def _drop(value, kwargs):
    return {}


def _forget_bias_init(value, kwargs):
    return {"unit_forget_bias": value in ("one", "ones")}


def _keras1_dropout_p(value, kwargs):
    return {"rate": value}


def _input_length(value, kwargs):
    # Keras 2's Embedding(input_length=n) fixed the input shape to (n,).
    if value is None or "input_shape" in kwargs or "batch_input_shape" in kwargs:
        return {}
    return {"input_shape": (value,)}


def _recurrent_input(key):
    # Keras 1/2 recurrent layers: `input_dim=d, input_length=n` mean `input_shape=(n, d)`
    # (either alone leaves the other None).
    other = "input_length" if key == "input_dim" else "input_dim"

    def rule(value, kwargs):
        if "input_shape" in kwargs or "batch_input_shape" in kwargs:
            kwargs.pop(other, None)
            return {}
        shape = {key: value, other: kwargs.pop(other, None)}
        return {"input_shape": (shape["input_length"], shape["input_dim"])}
    return rule


def _bn_mode(value, kwargs):
    if value not in (0, None):
        raise ValueError(f"BatchNormalization(mode={value}) (Keras 1 feature-wise modes 1 and 2) "
                         "has no Keras 3 equivalent; use mode=0 (the default).")
    return {}


# Keyword renames that mean the same thing on every layer that has the new keyword.
LAYER_ARGS = {
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "U_constraint": "recurrent_constraint",
    "bias": "use_bias",
    "output_dim": "units",
    "border_mode": "padding",
    "subsample": "strides",
    "subsample_length": "strides",
    "pool_length": "pool_size",
    "stride": "strides",
    "nb_filter": "filters",
    "filter_length": "kernel_size",
    "atrous_rate": "dilation_rate",
    "dim_ordering": _dim_ordering,
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
    "inner_activation": "recurrent_activation",
    "forget_bias_init": _forget_bias_init,
    "beta_init": "beta_initializer",
    "gamma_init": "gamma_initializer",
    "consume_less": _drop,
    "W_learning_rate_multiplier": _drop,
    "b_learning_rate_multiplier": _drop,
}

# Renames that only hold for one class (looked up by the class and its bases' names).
# A rule of None keeps the keyword as it is for that class (it is a current argument there).
CLASS_ARGS = {
    "Dropout": {"p": _keras1_dropout_p},
    "SpatialDropout1D": {"p": _keras1_dropout_p},
    "SpatialDropout2D": {"p": _keras1_dropout_p},
    "SpatialDropout3D": {"p": _keras1_dropout_p},
    "GaussianDropout": {"p": _keras1_dropout_p},
    "GaussianNoise": {"sigma": "stddev"},
    "LeakyReLU": {"alpha": "negative_slope"},
    "BatchNormalization": {"mode": _bn_mode},
    "Embedding": {"output_dim": None,  # a real argument here, not Keras 1's `units`
                  "input_length": _input_length, "dropout": _drop,
                  "init": "embeddings_initializer", "W_regularizer": "embeddings_regularizer",
                  "W_constraint": "embeddings_constraint"},
    "RNN": {"input_dim": _recurrent_input("input_dim"),
            "input_length": _recurrent_input("input_length")},
    "Model": {"input": "inputs", "output": "outputs"},
}

# Legacy positional signatures: class name -> list of (keyword, how many positionals it takes).
# `Convolution2D(32, 3, 3)` → `Conv2D(32, (3, 3))`: [("filters", 1), ("kernel_size", 2)].
# They apply only when a call passes more positionals than the modern signature knows,
# all of them integers.
POSITIONAL = {}


def _samples_per_epoch(value, kwargs):
    batch_size = kwargs.get("batch_size") or 32
    return {"steps_per_epoch": int(math.ceil(value / batch_size))}


def _nb_val_samples(value, kwargs):
    batch_size = kwargs.get("batch_size") or 32
    return {"validation_steps": int(math.ceil(value / batch_size))}


FIT_ARGS = {
    "nb_epoch": "epochs",
    "samples_per_epoch": _samples_per_epoch,
    "nb_val_samples": _nb_val_samples,
    "nb_worker": "workers",
    "pickle_safe": "use_multiprocessing",
    "show_accuracy": _drop,
}



def _decay(value, kwargs):
    # Keras 2's time-based decay: lr / (1 + decay * iterations), as a schedule.
    if not value:
        return {}
    from cornu.optimizers.schedules import InverseTimeDecay, LearningRateSchedule
    lr = kwargs.get("learning_rate", kwargs.get("lr"))
    if isinstance(lr, LearningRateSchedule):
        raise ValueError("`decay` cannot be combined with a learning-rate schedule.")
    return {"learning_rate": InverseTimeDecay(lr, decay_steps=1, decay_rate=value)}


OPTIMIZER_ARGS = {
    "lr": "learning_rate",
    "decay": _decay,
    "schedule_decay": _drop,
}

TABLES = {"layer": LAYER_ARGS, "fit": FIT_ARGS, "optimizer": OPTIMIZER_ARGS}


def warn_once(owner, old, new):
    key = (owner, old)
    if key in _WARNED:
        return
    _WARNED.add(key)
    warnings.warn(f"{owner}: `{old}` is a legacy Keras argument; cornu reads it as {new}.",
                  LegacyWarning, stacklevel=4)


def translate(kind, kwargs, owner, class_names=()):
    """Returns `kwargs` with legacy keywords of `kind` rewritten to their Keras 3 meaning."""
    tables = [CLASS_ARGS.get(name, {}) for name in class_names] + [TABLES[kind]]
    if not any(key in table for table in tables for key in kwargs):
        return kwargs
    out = dict(kwargs)
    # Apply the `lr` rename before `decay`, whose transform reads the learning rate.
    for key in sorted(kwargs, key=lambda k: k == "decay"):
        rule = next((table[key] for table in tables if key in table), None)
        if rule is None or key not in out:  # absent: an earlier rule consumed it
            continue
        value = out.pop(key)
        if callable(rule):
            new = rule(value, out)
            shown = ", ".join(f"`{k}=...`" for k in new) or "nothing (it has no effect now)"
        else:
            if rule in out:
                raise TypeError(f"{owner}: both `{key}` (legacy) and `{rule}` were given.")
            new = {rule: value}
            shown = f"`{rule}`"
        out.update(new)
        warn_once(owner, key, shown)
    return out


def translate_positional(class_names, args, n_modern, owner):
    """Rewrites legacy positional calls such as `Convolution2D(32, 3, 3)` into keywords."""
    spec = next((POSITIONAL[name] for name in class_names if name in POSITIONAL), None)
    if spec is None or len(args) <= n_modern or not all(isinstance(a, int) for a in args):
        return args, {}
    kwargs, i = {}, 0
    for keyword, count in spec:
        if i >= len(args):
            break
        chunk = args[i:i + count]
        kwargs[keyword] = chunk[0] if count == 1 else tuple(chunk)
        i += count
    warn_once(owner, "positional " + ", ".join(k for k, _ in spec),
              ", ".join(f"`{k}=`" for k in kwargs))
    return tuple(args[i:]), kwargs
