"""`Model.train(mode)`: the `training` flag of every module under a model, set directly.

Keras 3's torch `train_step` calls `self(x, training=True)`, which switches a model in
inference mode to training mode and back (Layer.forward): in a custom loop, once per step
(`fit` sets training mode for the epoch's steps). `nn.Module.train` walks the modules and
assigns each flag through `nn.Module.__setattr__`; here the flags are assigned directly, over
a flat list of the modules kept until the model's structure changes: `tracking.METRICS_VERSION`
moves whenever a layer gains a sublayer or a weight, and, through torch's global registration
hooks (layers/tracking.py), whenever any module gains a submodule or a parameter. A module whose
class overrides `train()` gets its `train()` called, for its subtree, in the walk's order.
"""
import torch

from cornu.layers import tracking


def _plain(cls):
    """Whether `cls.train` only sets flags (torch's own, or the trainer's, marked)."""
    train = cls.train
    return train is torch.nn.Module.train or getattr(train, "sets_flags_only", False)


def _walk(module, plan):
    for child in module._modules.values():
        if child is None:
            continue
        if _plain(type(child)):
            plan.append((child, True))
            _walk(child, plan)
        else:
            plan.append((child, False))


def _plan(model):
    """`(version, flat, ordered)` over the modules under `model` (not itself: a shallow copy
    of a model shares its submodules, and its cache, but not its flag): the modules (`flat`,
    when none overrides `train()`), else every step of the walk as `(module, plain)` pairs.
    Modules, not their `__dict__`s: a deep copy of the model copies the plan with it."""
    version = tracking.METRICS_VERSION[0]
    ordered = []
    _walk(model, ordered)
    if all(plain for _, plain in ordered):
        return version, [m for m, _ in ordered], None
    return version, None, ordered


def set_mode(model, mode):
    """Sets the `training` flag of `model` and every module under it to `mode` (a bool)."""
    plan = model.__dict__.get("_mode_plan")
    if plan is None or plan[0] != tracking.METRICS_VERSION[0]:
        plan = model.__dict__["_mode_plan"] = _plan(model)
    model.__dict__["training"] = mode
    flat = plan[1]
    if flat is not None:  # (a plain loop: a C-level one would break a compiled step's graph)
        for module in flat:
            module.__dict__["training"] = mode
        return
    for module, plain in plan[2]:
        if plain:
            module.__dict__["training"] = mode
        else:
            module.train(mode)
