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


def _steps_features(input_dim, input_length):
    # Keras 1's Convolution1D(input_dim=d, input_length=n) meant input_shape=(n, d).
    return {} if input_dim is None else {"input_shape": (input_length, input_dim)}


_KERNEL_DIMS = (("nb_row", "nb_col"), ("kernel_dim1", "kernel_dim2", "kernel_dim3"))


def _kernel_dim(name):
    """Keras 1's Convolution2D(nb_row=3, nb_col=3) and Convolution3D(kernel_dim1=...) keywords."""
    names = next(group for group in _KERNEL_DIMS if name in group)

    def rule(value, kwargs):
        values = [value if n == name else kwargs.pop(n, None) for n in names]
        if None in values:
            raise TypeError(f"Legacy `{'`, `'.join(names)}` must be given together.")
        return {"kernel_size": tuple(values)}
    return rule


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

def _time_major(value, kwargs):
    # tf.keras 2 wrote `time_major` into every recurrent layer's config; False is the only
    # layout any Keras 3 layer takes, (batch, time, features).
    if value:
        raise ValueError("`time_major=True` (tf.keras 2: inputs shaped (time, batch, features)) "
                         "is not supported: cornu's recurrent layers take (batch, time, "
                         "features). Transpose the data, or put `Permute((2, 1))` before the "
                         "layer.")
    return {}


# Renames that only hold for one class (looked up by the class and its bases' names).
# A rule of None keeps the keyword as it is for that class (it is a current argument there).
CLASS_ARGS = {
    "Dropout": {"p": _keras1_dropout_p},
    "ParametricSoftplus": {"beta_init": None},  # its own argument (Keras 1), not BN's
    "SpatialDropout1D": {"p": _keras1_dropout_p},
    "SpatialDropout2D": {"p": _keras1_dropout_p},
    "SpatialDropout3D": {"p": _keras1_dropout_p},
    "GaussianDropout": {"p": _keras1_dropout_p},
    "GaussianNoise": {"sigma": "stddev"},
    "LeakyReLU": {"alpha": "negative_slope"},
    "BatchNormalization": {"mode": _bn_mode},
    "Embedding": {"output_dim": None,  # a real argument here, not Keras 1's `units`
                  "input_length": _input_length,  # `dropout`: legacy_layers/word_dropout
                  "init": "embeddings_initializer", "W_regularizer": "embeddings_regularizer",
                  "W_constraint": "embeddings_constraint"},
    "RNN": {"input_dim": _recurrent_input("input_dim"),
            "input_length": _recurrent_input("input_length"), "time_major": _time_major},
    "ConvLSTM": {"time_major": _time_major},
    # Keras 1/2's base of custom recurrent layers (legacy_layers/recurrent.py) takes
    # `consume_less` and `implementation` itself: its subclasses' code may read them.
    "Recurrent": {"input_dim": _recurrent_input("input_dim"),
                  "input_length": _recurrent_input("input_length"), "consume_less": None},
    "TimeDistributedDense": {"input_dim": _recurrent_input("input_dim"),
                             "input_length": _recurrent_input("input_length")},
    "Model": {"input": "inputs", "output": "outputs"},
    "Conv1D": {"input_dim": lambda v, kw: _steps_features(v, kw.pop("input_length", None)),
               "input_length": lambda v, kw: _steps_features(kw.pop("input_dim", None), v)},
    "Conv2D": {"nb_row": _kernel_dim("nb_row"), "nb_col": _kernel_dim("nb_col")},
    "Conv3D": {name: _kernel_dim(name) for name in ("kernel_dim1", "kernel_dim2", "kernel_dim3")},
    # Keras 1's LocallyConnected1D(nb_filter, filter_length, input_dim=, input_length=) and
    # LocallyConnected2D(nb_filter, nb_row, nb_col): as Convolution1D/2D spelled them.
    "LocallyConnected1D": {
        "input_dim": lambda v, kw: _steps_features(v, kw.pop("input_length", None)),
        "input_length": lambda v, kw: _steps_features(kw.pop("input_dim", None), v)},
    "LocallyConnected2D": {"nb_row": _kernel_dim("nb_row"), "nb_col": _kernel_dim("nb_col")},
    "Conv2DTranspose": {"output_shape": _drop},  # Keras 2 dropped it too
    "Conv3DTranspose": {"output_shape": _drop},
    "UpSampling1D": {"length": "size"},
}

# Legacy positional signatures: class name -> list of (keyword, how many positionals it takes).
# `Convolution2D(32, 3, 3)` → `Conv2D(32, (3, 3))`: [("filters", 1), ("kernel_size", 2)].
# They apply only when a call passes more positionals than the modern signature knows,
# all of them integers (or, for POSITIONAL_UNLESS classes, all the legacy positionals).
POSITIONAL = {
    "Conv2D": [("filters", 1), ("kernel_size", 2)],  # also Convolution2D, AtrousConvolution2D
    "Conv3D": [("filters", 1), ("kernel_size", 3)],
    "SeparableConv2D": [("filters", 1), ("kernel_size", 2)],
    "Conv2DTranspose": [("filters", 1), ("kernel_size", 2)],  # Deconvolution2D
    "Conv3DTranspose": [("filters", 1), ("kernel_size", 3)],
    "LocallyConnected2D": [("filters", 1), ("kernel_size", 2)],
}

# Classes whose modern signature also takes integers in those positions (Conv2D's `strides`):
# as Keras 2 did, the legacy reading holds when all its positionals are given as integers and
# none of these keywords is, so `Conv2D(32, 3, 3)` is a 3x3 kernel, while
# `Conv2D(32, 3, 2, padding='same')` keeps Keras 3's meaning (strides=2).
POSITIONAL_UNLESS = {name: ("strides", "padding", "data_format") for name in
                     ("Conv2D", "Conv3D", "SeparableConv2D", "Conv2DTranspose", "Conv3DTranspose",
                      "LocallyConnected2D")}


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
    # Keras 2's time-based decay: lr / (1 + decay * iterations), as a schedule. Its initial
    # learning rate is a tensor, which the optimizer exposes as `optimizer.lr`: as in Keras 2,
    # `K.get_value(opt.lr)` reads the base rate and `K.set_value(opt.lr, x)` changes it.
    if not value:
        return {}
    import torch
    from cornu.optimizers.schedules import InverseTimeDecay, LearningRateSchedule
    lr = kwargs.get("learning_rate", kwargs.get("lr"))
    if isinstance(lr, LearningRateSchedule) or callable(lr):
        raise ValueError("`decay` cannot be combined with a learning-rate schedule.")
    base = torch.tensor(float(lr), dtype=torch.float32)
    return {"learning_rate": InverseTimeDecay(base, decay_steps=1, decay_rate=value)}


def _epsilon(value, kwargs):
    # Keras 2's `epsilon=None` meant the backend's fuzz factor `K.epsilon()` (1e-7).
    if value is not None:
        return {"epsilon": value}
    from cornu.backend.config import epsilon
    return {"epsilon": epsilon()}


OPTIMIZER_ARGS = {
    "lr": "learning_rate",
    "decay": _decay,
    "epsilon": _epsilon,
    # Keras 2's Nadam momentum schedule 0.96^(t * schedule_decay); Keras 3 fixed it at 0.96^t.
    "schedule_decay": _drop,
}

# Keras 0.x/1's Sequential.compile(class_mode='binary'|'categorical') chose how `show_accuracy`
# counted hits; accuracy metrics now infer that from the targets' shape.
COMPILE_ARGS = {"class_mode": _drop}
EVALUATE_ARGS = {"show_accuracy": _drop}  # Keras 1: printed accuracy (metrics do that now)
TOKENIZER_ARGS = {"nb_words": "num_words"}  # Keras 1's preprocessing.text.Tokenizer

DATASET_ARGS = {"nb_words": "num_words"}  # Keras 1: imdb/reuters.load_data(nb_words=...)

TABLES = {"layer": LAYER_ARGS, "fit": FIT_ARGS, "optimizer": OPTIMIZER_ARGS,
          "compile": COMPILE_ARGS, "evaluate": EVALUATE_ARGS, "tokenizer": TOKENIZER_ARGS,
          "dataset": DATASET_ARGS}


def warn_once(owner, old, new):
    key = (owner, old)
    if key in _WARNED:
        return
    _WARNED.add(key)
    warnings.warn(f"{owner}: `{old}` is a legacy Keras argument; cornu reads it as {new}.",
                  LegacyWarning, stacklevel=4)


def translate(kind, kwargs, owner, class_names=(), own_args=()):
    """Returns `kwargs` with legacy keywords of `kind` rewritten to their Keras 3 meaning.

    `own_args` are keywords the called `__init__` names itself: a user's layer may well take
    `output_dim` or `init` as arguments of its own, which are then no legacy spellings.
    """
    tables = [CLASS_ARGS.get(name, {}) for name in class_names] + [TABLES[kind]]
    if not any(key in table for table in tables for key in kwargs):
        return kwargs
    out = dict(kwargs)
    # Apply the `lr` rename before `decay`, whose transform reads the learning rate.
    for key in sorted(kwargs, key=lambda k: k == "decay"):
        rule = next((table[key] for table in tables if key in table), None)
        if rule is None or key not in out or key in own_args:  # absent: consumed earlier
            continue
        value = out.pop(key)
        if callable(rule):
            new = rule(value, out)
            if new == {key: value}:  # a modern spelling that only needed checking
                out.update(new)
                continue
            shown = ", ".join(f"`{k}=...`" for k in new) or "nothing (it has no effect now)"
        else:
            if rule in out:
                raise TypeError(f"{owner}: both `{key}` (legacy) and `{rule}` were given.")
            new = {rule: value}
            shown = f"`{rule}`"
        out.update(new)
        warn_once(owner, key, shown)
    return out


# Keras 2's `Layer.add_weight(name, shape, dtype, initializer, regularizer, trainable, constraint)`.
KERAS2_ADD_WEIGHT = ("name", "shape", "dtype", "initializer", "regularizer", "trainable",
                     "constraint")


def weight_positional(args):
    """`add_weight`'s positional arguments in Keras 2's order (a name first) as keywords."""
    if not args or not isinstance(args[0], str):
        return None
    if len(args) > len(KERAS2_ADD_WEIGHT):
        raise TypeError(f"add_weight() in Keras 2's order takes at most {len(KERAS2_ADD_WEIGHT)} "
                        f"positional arguments ({', '.join(KERAS2_ADD_WEIGHT)}); {len(args)} "
                        "were given.")
    return dict(zip(KERAS2_ADD_WEIGHT, args))


def translate_positional(class_names, args, n_modern, owner, keywords=None):
    """Rewrites legacy positional calls such as `Convolution2D(32, 3, 3)` into keywords."""
    name = next((name for name in class_names if name in POSITIONAL), None)
    if name is None or not all(isinstance(a, int) for a in args):
        return args, {}
    spec = POSITIONAL[name]
    if name in POSITIONAL_UNLESS and not any(k in (keywords or {}) for k in POSITIONAL_UNLESS[name]):
        n_modern = min(n_modern, sum(count for _, count in spec) - 1)
    if len(args) <= n_modern:
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


def _looks_like_metrics(value):
    items = value.values() if isinstance(value, dict) else value
    return isinstance(value, (list, tuple, dict)) and any(
        isinstance(v, str) or callable(v) or isinstance(v, (list, tuple)) for v in items)


def compile_positional(loss_weights, metrics):
    """Keras 1/2's `compile(optimizer, loss, metrics)`: Keras 3 moved `loss_weights` to the
    third place, so a third positional that holds metrics (names, functions, Metric objects)
    rather than numbers is read as `metrics`."""
    if metrics is None and loss_weights is not None and _looks_like_metrics(loss_weights):
        warn_once("Model.compile", "third positional argument (metrics)", "`metrics=`")
        return None, loss_weights
    return loss_weights, metrics
