"""`compile(..., jit_compile=True)`: the training step as one `torch.compile`d function.

For a small model a training step is dozens of tiny eager ops, and their dispatch, not the
arithmetic, is the cost. Here the whole step — forward pass, loss, gradients (through
`torch.func.grad_and_value`), the optimizer's update and the metrics — is traced once with
`fullgraph=True` and runs as a few fused kernels. (Compiling only the forward and backward pass
and leaving the update to eager ops saves next to nothing: the update is half the ops.)

The update is the optimizer's own rule (`Optimizer.rule`, which every built-in optimizer
names), the function its eager `update_step` runs, here given the learning rate and step as 0-d
tensors so no step recompiles; a test checks that compiled and eager training give the same
weights. Optimizers that override `update_step`, or options the compiled update does not cover
(gradient accumulation, EMA, loss scaling), keep the compiled gradients but apply them with the
optimizer's eager `apply()`.

Compiling takes seconds; `Model._jit_report` records that time apart from the steps. When
compiling fails, training goes on eagerly, with a warning that says why.
"""
import itertools
import time
import types
import warnings

import torch

from cornu.layers.layer import Layer
from cornu.optimizers.optimizer import Optimizer
from cornu.trainers import auto_jit
from cornu.trainers import data_adapters as adapters
from cornu.trainers.compile_utils import per_output_weights


class JitCompileWarning(UserWarning):
    pass


def _own_code(fn):
    """`fn` with a code object of its own. Dynamo caches compiled code per code object (and
    stops recompiling one after a few cache entries); each model's step gets its own. What
    Dynamo learns of shapes ("automatic dynamic": a size seen to change is traced as a symbol
    from then on) it keeps per code name and place instead, so each copy is named apart
    (`_step_2`, ...): otherwise a second model, its weights of other shapes, compiled a
    dynamic-shape graph, and again on a guard of its batches' offsets. (The numbering is the
    same in every run of a script, and Inductor's caches key on the graph: they still hit.)"""
    name = f"{fn.__name__}_{next(_COPIES)}"
    return types.FunctionType(fn.__code__.replace(co_name=name), fn.__globals__, name,
                              fn.__defaults__, fn.__closure__)


_COPIES = itertools.count(1)


# ----------------------------------------------------------------- update rules
def _update_rule(opt):
    """The optimizer's update rule (see `Optimizer.rule`), or None with the reason the update
    runs eagerly."""
    cls = type(opt)
    if cls.rule is None:
        return None, f"no compiled update for {cls.__name__}"
    if cls.update_step is not Optimizer.update_step:  # a subclass that changes the formula
        return None, f"{cls.__name__} overrides update_step"
    for name in ("gradient_accumulation_steps", "use_ema", "loss_scale_factor"):
        if getattr(opt, name, None):
            return None, f"{cls.__name__}({name}=...) is applied eagerly"
    rule = cls.rule
    return rule.__func__ if isinstance(rule, staticmethod) else rule, None


# ------------------------------------------------------------------- the step
class _Forward(torch.nn.Module):
    """The model's forward pass and its added losses, run together under `functional_call`
    so that weight regularizers see the weights being differentiated. The losses are those of
    `Layer.losses`: every layer's activity (and `add_loss`) losses, and a penalty for every
    weight with a regularizer, read through the layer's attribute (the swapped-in tensor)."""

    def __init__(self, model, regularized):
        super().__init__()
        self.model = model
        self.regularized = regularized
        self.layers = [m for m in model.modules() if hasattr(m, "_activity_losses")]
        self.penalties = [(layer, attr, layer._parameters[attr].regularizer)
                          for layer in self.layers for attr in getattr(layer, "_own_weights", [])
                          if getattr(layer._parameters.get(attr), "regularizer", None) is not None]

    def forward(self, x):
        y_pred = self.model._forward(x)
        if not self.regularized:
            return y_pred, []
        extra = [loss for layer in self.layers for loss in layer._activity_losses]
        extra += [regularizer(getattr(layer, attr)) for layer, attr, regularizer in self.penalties]
        return y_pred, extra


class JitTrainStep:
    """Callable like `Trainer._train_step(x, y, sw, params, regularized)`, compiled."""

    def __init__(self, model, params, regularized, auto=False):
        self.model = model
        self.auto = auto  # jit_compile="auto" (trainers/auto_jit.py): quiet, one batch shape
        self.rows = None  # (auto) the batch size compiled for: other sizes train eagerly
        self.params = list(params)
        self.regularized = regularized
        self.optimizer = model.optimizer
        self.forward = _Forward(model, regularized)
        names = {id(p): n for n, p in self.forward.named_parameters()}
        self.names = [names[id(p)] for p in self.params]
        # Everything else the forward pass reads or updates in place (BatchNormalization's
        # moving statistics, frozen weights) goes in as an input too: a function transformed
        # by torch.func may only mutate its inputs.
        trainable = {id(p) for p in self.params}
        self.state = {n: t for n, t in list(self.forward.named_parameters()) +
                      list(self.forward.named_buffers()) if id(t) not in trainable}
        self.rule, why_eager_update = _update_rule(self.optimizer)
        custom = [type(m).__name__ for m in model.modules()
                  if isinstance(m, Layer) and type(m).losses is not Layer.losses]
        self.report = {"compile_seconds": 0.0, "compiles": 0, "fallback": None,
                       "update": "compiled" if self.rule else f"eager ({why_eager_update})"}
        self.failed = None
        self.checked = False
        if custom:
            self._fall_back(f"{custom[0]} defines its own `losses`")
        self._compiled = torch.compile(_own_code(_step), fullgraph=True)
        self._graphs = _graph_counter()

    def _fall_back(self, reason):
        self.failed = reason
        self.report["fallback"] = reason
        if self.auto:  # the user did not ask for a compile: no warning, a verbose=2 line
            auto_jit.compiled(self.model, self.report)
            return
        warnings.warn(f"jit_compile=True: {reason}; training eagerly instead.", JitCompileWarning,
                      stacklevel=4)

    def __call__(self, x, y, sw, params, regularized):
        model = self.model
        if self.failed is not None:
            return model._train_step(x, y, sw, params, regularized)
        if not self.checked:
            # The first step runs eagerly: it builds what is built lazily (metrics, optimizer
            # slots) and shows which weights get no gradient, which the compiled step
            # (a gradient of zeros) would update differently.
            self.checked = True
            self.rows = _rows(x)
            loss = model._train_step(x, y, sw, params, regularized)
            missing = [getattr(p, "path", n) for p, n in zip(self.params, self.names)
                       if p.grad is None]
            if missing:
                self._fall_back(f"weights {missing} get no gradient")
            return loss
        if self.auto and _rows(x) != self.rows:  # a last, partial batch: no recompile
            return model._train_step(x, y, sw, params, regularized)
        lr = self.optimizer.learning_rate  # a 0-d tensor (filled from the schedule, if any)
        metrics = model._compile_metrics
        # Metrics that are sums over samples hold batches back in a Python list (see
        # CompileMetrics.update_lists); traced, the list's length would be a guard and every
        # step a recompile: they take the step's predictions after it instead.
        deferred = metrics._deferrable
        before = self._graphs()
        start = time.perf_counter()
        try:
            loss, per_output, preds, grads = self._compiled(self, x, y, sw, lr, deferred)
        except Exception as error:  # tracing or compiling failed: nothing was updated yet
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            self._fall_back(f"torch.compile failed ({type(error).__name__}: {first[:200]})")
            return model._train_step(x, y, sw, params, regularized)
        if self._graphs() != before:
            self.report["compile_seconds"] += time.perf_counter() - start
            self.report["compiles"] += 1
            if self.auto:
                auto_jit.compiled(model, self.report)
        if grads is not None:  # the optimizer has no compiled update: apply eagerly
            self.optimizer.apply(grads, self.params)
        if per_output:
            model._compile_loss.track(per_output, preds)
        model._loss_tracker.add(loss, preds[0].shape[0])
        if deferred:
            ys, preds = model._as_lists(y, preds)
            metrics.update_lists(ys, preds, per_output_weights(sw, len(preds)))
        return loss


def _rows(x):
    """The batch size of a step's inputs."""
    return (x if isinstance(x, torch.Tensor) else adapters.flat(x)[0]).shape[0]


def _graph_counter():
    """A function returning how many graphs dynamo has compiled so far (a call that changes it
    compiled). The counter is internal to torch: without it, only the first call counts."""
    try:
        from torch._dynamo.utils import counters
        stats = counters["stats"]
        return lambda: stats["unique_graphs"]
    except Exception:
        calls = iter(range(1 << 62))
        return lambda: min(next(calls), 1)


def _step(self, x, y, sw, lr, deferred):
    """Forward, loss, gradients, update and (unless `deferred`) metrics: the body
    `torch.compile` traces."""
    model, params = self.model, self.params

    def targets(y_pred):
        ys, preds = model._as_lists(y, y_pred)
        sws = None if sw is None else (sw if isinstance(sw, list) else [sw] * len(preds))
        return ys, list(preds), sws

    def compute(weights, state):
        y_pred, extra = torch.func.functional_call(
            self.forward, {**dict(zip(self.names, weights)), **state}, (x,))
        ys, preds, sws = targets(y_pred)
        per_output = []
        loss = model._compile_loss(ys, preds, sws, per_output=per_output)
        if extra:
            loss = loss + sum(extra)
        # (grad_and_value's auxiliary output must hold only tensors)
        return loss, (preds, per_output)

    grads, (loss, (preds, per_output)) = torch.func.grad_and_value(compute, has_aux=True)(
        params, self.state)
    ys, preds, sws = targets(preds)
    with torch.no_grad():
        if self.regularized:
            model._clear_activity_losses()
        out_grads = None
        if self.rule is None:
            out_grads = grads
        else:
            opt = self.optimizer
            grads = opt._clip(list(grads))
            if opt.weight_decay is not None:
                opt._decay_weights(params, lr)
            slots = {name: getattr(opt, "_slot_" + name) for name in opt._slot_names}
            step = (opt.iterations + 1).to(torch.float32)
            opt.begin_update(step)
            self.rule(opt, params, grads, slots, lr, step)
            opt.iterations.add_(1)
            for p in params:
                constraint = getattr(p, "constraint", None)
                if constraint is not None:
                    p.copy_(constraint(p))
        if not deferred:
            model._compile_metrics.update_lists(ys, preds, sws)
    detached = [p.detach() for p in preds]
    return loss.detach(), [v.detach() for v in per_output], detached, out_grads
