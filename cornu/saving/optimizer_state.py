"""The optimizer's state in model and weights files, in each layout Keras writes it.

- Keras 3 (`.keras`'s `model.weights.h5`, and `.weights.h5`): `optimizer/vars/0..N-1`, in the
  optimizer's `variables` order: the iteration count, the learning rate (absent with a
  schedule, whose state is the iteration count), then each variable's slots (Adam: `momentum`
  then `velocity` of the first variable, then of the second...). Read positionally, as Keras 3
  reads it; a count or shape that differs loads the model's weights and warns.
- Keras 2 HDF5 (any other name): the `optimizer_weights` group, whose `weight_names` attribute
  lists the variables. The names differ by version (`adam/dense_kernel_momentum` from Keras 3,
  `Adam/m/dense/kernel:0` from tf-keras 2.11+, `Adam/dense/kernel/m:0` before), and the
  order and count too (tf.keras 2's legacy optimizers add `beta_1`, `decay`...), so values are
  matched by variable path and slot name; when names do not resolve every variable, by
  position, where counts and shapes agree.

Loading builds the optimizer for the model's trainable weights (as `compile_from_config` does
in Keras 3), so `fit` after `load_model` continues with the saved moments and step count.
"""
import warnings

import numpy as np

from cornu.optimizers.optimizer import Optimizer

# Slot names other versions gave the state Keras 3 calls by the name on the left.
_SYNONYMS = {"momentum": ("momentum", "m"), "velocity": ("velocity", "v", "rms"),
             "velocity_hat": ("velocity_hat", "vhat"), "norm": ("norm", "u", "v"),
             "average_gradient": ("average_gradient", "mg"),
             "accumulated_grad": ("accumulated_grad", "accum_grad"),
             "accumulated_delta_var": ("accumulated_delta_var", "accum_var")}
_SCALARS = {"iteration": ("iteration", "iterations", "iter"),
            "learning_rate": ("learning_rate", "lr")}


def _optimizer(model):
    optimizer = getattr(model, "optimizer", None)
    return optimizer if isinstance(optimizer, Optimizer) else None


def _build(model, optimizer):
    if not optimizer.built and getattr(model, "built", False):
        optimizer.build(model._trainable_params())


def _state(optimizer):
    """[(Keras name, value)]; an optimizer not built yet has its iteration count and rate."""
    if optimizer.built:
        return list(zip(optimizer._variable_names, optimizer.get_weights()))
    state = [("iteration", optimizer._iterations.detach().numpy())]
    if optimizer._schedule is None:
        state.append(("learning_rate", optimizer._learning_rate.detach().numpy()))
    return state


# ------------------------------------------------------------------------------ Keras 3
def save_keras3(root, model):
    """Writes `optimizer/vars/<i>` into the open HDF5 `root` of a Keras 3 weights file."""
    optimizer = _optimizer(model)
    if optimizer is None:
        return
    group = root.create_group("optimizer").create_group("vars")
    group.attrs["name"] = optimizer.name
    for i, (_, value) in enumerate(_state(optimizer)):
        group.create_dataset(str(i), data=value)


def load_keras3(root, model):
    """Restores the optimizer from `optimizer/vars` of an open Keras 3 weights file, if both
    exist; warns (and leaves the optimizer as it is) when the state does not fit."""
    optimizer = _optimizer(model)
    if optimizer is None or "optimizer" not in root or "vars" not in root["optimizer"]:
        return
    store = root["optimizer"]["vars"]
    _build(model, optimizer)
    values = [np.asarray(store[str(i)][()]) for i in range(len(store))]
    _assign(optimizer, values, "the saved optimizer (Keras 3 layout)")


def _assign(optimizer, values, source):
    ours = optimizer.variables
    problem = None
    if len(values) != len(ours):
        problem = (f"it has {len(ours)} variables whereas {source} has {len(values)}"
                   + ("; the optimizer is not built (the model has no weights yet)"
                      if not ours else ""))
    else:
        for i, (var, value) in enumerate(zip(ours, values)):
            if tuple(var.shape) != value.shape:
                name = optimizer._variable_names[i]
                problem = (f"its variable {i} ({name}) has shape {tuple(var.shape)} whereas "
                           f"{source} has shape {value.shape}")
                break
    if problem:
        warnings.warn(f"Skipping variable loading for optimizer '{optimizer.name}', because "
                      f"{problem}. The model's weights are loaded; the optimizer starts from "
                      "its initial state.", stacklevel=4)
        return False
    optimizer.set_weights(values)
    return True


# ------------------------------------------------------------------------------ Keras 2
def save_keras2(f, model):
    """Writes the `optimizer_weights` group of a Keras 2 HDF5 model file."""
    optimizer = _optimizer(model)
    if optimizer is None:
        return
    state = _state(optimizer)
    group = f.create_group("optimizer_weights")
    names = [f"{optimizer.name}/{name}" for name, _ in state]
    group.attrs["weight_names"] = [n.encode("utf8") for n in names]
    for name, (_, value) in zip(names, state):
        group.create_dataset(name, data=value)


def load_keras2(f, model):
    """Restores the optimizer from a Keras 2 file's `optimizer_weights`, by name."""
    optimizer = _optimizer(model)
    if optimizer is None or "optimizer_weights" not in f:
        return
    group = f["optimizer_weights"]
    names = [n.decode("utf8") if isinstance(n, bytes) else str(n)
             for n in group.attrs.get("weight_names", [])]
    try:
        values = [np.asarray(group[n][()]) for n in names]
    except KeyError as error:
        warnings.warn(f"The file's optimizer_weights are incomplete ({error}); the optimizer "
                      "starts from its initial state.", stacklevel=3)
        return
    _build(model, optimizer)
    matched = _match_by_name(optimizer, names, values)
    if matched is not None:
        optimizer.set_weights(matched)
        return
    _assign(optimizer, values, "the saved optimizer (Keras 2 layout)")


def _flat(name):
    """`Adam/m/dense/kernel:0` → `m_dense_kernel` (no optimizer prefix, no `:0`)."""
    name = name.split(":")[0].lower()
    parts = name.split("/")
    if parts and parts[0] == "training":  # Keras 2.0-2.3: `training/Adam/...`
        parts = parts[1:]
    if len(parts) > 1:
        parts = parts[1:]  # the optimizer's name
    return "_".join(parts)


def _match_by_name(optimizer, names, values):
    """The values in the optimizer's order, found by name; None if any is not found once. A
    learning rate the file lacks (tf-keras 2.11+ keeps it in the config) stays as compiled."""
    flat = [_flat(n) for n in names]
    out = []
    for i, (var, value) in enumerate(zip(optimizer.variables, optimizer.get_weights())):
        keras_name = optimizer._variable_names[i]
        candidates = _candidates(optimizer, i, keras_name, flat)
        if not candidates and keras_name == "learning_rate":
            out.append(value)
            continue
        if len(candidates) != 1 or tuple(var.shape) != values[candidates[0]].shape:
            return None
        out.append(values[candidates[0]])
    return out


def _candidates(optimizer, i, keras_name, flat):
    if keras_name in _SCALARS:
        return [j for j, s in enumerate(flat) if s in _SCALARS[keras_name]]
    param, slot = _slot_of(optimizer, i)
    if slot is None:  # a 0-d variable of the optimizer's own (Nadam's u_product)
        return [j for j, s in enumerate(flat) if s == keras_name]
    path = (getattr(param, "path", None) or "").replace("/", "_").lower()
    found = []
    for j, s in enumerate(flat):
        for syn in _SYNONYMS.get(slot, (slot,)):
            rest = s[len(syn) + 1:] if s.startswith(syn + "_") else None
            tail = s[:-len(syn) - 1] if s.endswith("_" + syn) else None
            if any(r is not None and (r == path or r.endswith("_" + path)) for r in (rest, tail)):
                found.append(j)
                break
    return found


def _slot_of(optimizer, i):
    """(parameter, slot name) of optimizer variable `i` (the longest path its name starts
    with), or (None, None)."""
    name, best = optimizer._variable_names[i], (None, None)
    for k, param in enumerate(optimizer._params or []):
        prefix = (getattr(param, "path", None) or f"variable_{k}").replace("/", "_") + "_"
        if name.startswith(prefix) and optimizer._variables[i].shape == param.shape and (
                best[1] is None or len(prefix) > len(name) - len(best[1])):
            best = (param, name[len(prefix):])
    return best
