"""What a layer tracks beyond `nn.Module`'s own bookkeeping (Keras 3's tracker, on torch).

- A plain `torch.nn.Module` assigned to a layer is wrapped in a `TorchModuleWrapper`, so its
  parameters are the layer's weights (Keras 3 on torch does the same).
- A `Variable` assigned to a layer (`self.v = keras.Variable(...)` in `build`) is one of the
  layer's own weights, with path `<layer name>/<name>`.
- A `Metric` assigned to a layer (`self.tracker = keras.metrics.Mean()`) joins the model's
  `metrics`, as Keras 3 collects the metrics of a model's layers.
- Losses added during a call (`add_loss`, activity regularizers) are those of the latest
  top-level call: a call made while no forward pass is in progress clears them first.
"""
import weakref

import torch

from cornu.backend.variables import Variable

# Forward passes in progress: a call at depth 0 is a top-level call, whether it comes through
# `Layer.__call__` or the trainer's `nn.Module.__call__`.
CALL_DEPTH = [0]
# id(layer) -> weakref of each layer holding losses of an earlier call, so that a top-level call
# walks its layers only when there is something to clear.
PENDING_LOSSES = {}
# Bumped whenever a layer gains or loses a metric, a sublayer or a weight, and whenever any torch
# module gains a submodule or a parameter (torch's global registration hooks, below: a torch
# module inside a layer changes without the layer seeing it): a model's lists of its layers'
# metrics, of its parameters (`zero_grad`), of its trainable weights and of its modules (the
# modes of trainers/modes.py) are cached against it, so reading them each step costs no walk.
METRICS_VERSION = [0]


def _registered(module, name, value):
    METRICS_VERSION[0] += 1  # (returns None: the value registered is left as it is)


torch.nn.modules.module.register_module_module_registration_hook(_registered)
torch.nn.modules.module.register_module_parameter_registration_hook(_registered)


def track(layer, name, value):
    """The value to store as `layer.<name>`, or None when it is stored here already."""
    if isinstance(value, torch.nn.Module):
        from cornu.layers.layer import Layer
        if isinstance(value, Layer) or not layer._wraps_torch_modules or _holds_layers(value):
            return value
        from cornu.layers.core.torch_module_wrapper import TorchModuleWrapper
        return TorchModuleWrapper(value)
    if "_own_weights" not in layer.__dict__:  # before Layer.__init__: nn.Module's rules
        return value
    known = any(layer._parameters.get(a) is value for a in layer._own_weights)
    torch.nn.Module.__setattr__(layer, name, value)
    if not known:
        layer._own_weights.append(name)
        if value.path == value.name:
            value.path = f"{layer.name}/{value.name}"
    return None


def track_metric(layer, name, value):
    """Records (or, with `value` None, forgets) the metric held as `layer.<name>`."""
    tracked = layer.__dict__.get("_tracked_metrics")
    if value is None:
        if tracked and name in tracked:
            del tracked[name]
            METRICS_VERSION[0] += 1
        return
    if tracked is None:
        tracked = layer.__dict__["_tracked_metrics"] = {}
    tracked.pop(name, None)
    tracked[name] = value
    METRICS_VERSION[0] += 1


def held_metrics(root):
    """The metrics `root` and the layers under it hold, in Keras 3's order (a layer's own, in
    assignment order, before its sublayers'), each once."""
    seen = {}
    for module in root.modules():
        tracked = module.__dict__.get("_tracked_metrics")
        if tracked:
            for metric in tracked.values():
                seen.setdefault(id(metric), metric)
    return list(seen.values())


def _holds_layers(module):
    """Containers of Keras layers (`nn.ModuleList` of cells) stay containers."""
    from cornu.layers.layer import Layer
    return isinstance(module, (torch.nn.ModuleList, torch.nn.ModuleDict)) and all(
        isinstance(m, Layer) for m in module.children())


def clear_losses(root):
    for module in root.modules():
        if getattr(module, "_activity_losses", None):
            module._activity_losses.clear()
    for key, ref in list(PENDING_LOSSES.items()):
        layer = ref()
        if layer is None or not layer._activity_losses:
            del PENDING_LOSSES[key]


def losses_added(layer):
    PENDING_LOSSES[id(layer)] = weakref.ref(layer)


def stand_ins(layer, device):
    """Zero copies of the layer's state on `device`, for shape inference. Weights stand in as
    Variables, so a `call` that assigns to its state (`assign_add`) runs on the stand-ins."""
    state = {name: Variable(torch.zeros_like(t, device=device), trainable=False,
                            name=getattr(t, "name", None) or "stand_in",
                            path=getattr(t, "path", None))
             for name, t in layer.named_parameters()}
    state.update({name: torch.zeros_like(t, device=device)
                  for name, t in layer.named_buffers()})
    return state


def seed_states(root):
    """The state Variables of the `SeedGenerator`s held by `root` and its sublayers."""
    from cornu.random import SeedGenerator
    states = []
    for module in root.modules():
        states.extend(v.state for v in vars(module).values() if isinstance(v, SeedGenerator))
    return states
