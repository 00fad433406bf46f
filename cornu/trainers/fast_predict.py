"""`predict()` of NumPy data at the cost of the forward pass, for chains of Dense layers.

The notes ask a trained model about one input (`model.predict(np.array([[5.0]]))`), often in a
loop. An ordinary `predict` call checks its arguments, builds a data adapter, enters the thread
policy, converts the input, runs the graph (each layer's `__call__` and `forward`) and joins the
batches: for a small MLP ~2,200 Python bytecodes around a handful of GEMMs, twice the time of the
hand-written `net(x)` under `torch.no_grad()`, and per batch of a large array more Python than
an `nn.Sequential`'s.

A model that is a chain of `Dense` layers (with `Activation`, `ReLU`, `LeakyReLU`, `ELU` and
`Dropout`, the classes themselves, not subclasses) gets a plan at its first
`predict(x, verbose=0)` of a NumPy float array (no callbacks, no steps): the chain's layers.
The plan runs the array as a tensor (cast to the weights' dtype), in batches of `batch_size`,
each Dense layer's GEMM on its current weights and its current activation, Dropout skipped (the
identity in inference), under the thread policy's choice, and returns the NumPy result. Other
data or arguments, and any change since the plan was made (a layer or weight added, replaced or
removed, a forward hook, pending losses), run the ordinary way. The plan is checked when it is
made: on the call's first batch, its output must equal, bit for bit, the ordinary predict
step's, or the model keeps a refusal until it changes.
"""
import numpy as np
import torch

from cornu import activations as A
from cornu.layers import tracking
from cornu.layers.activations.advanced import ELU, LeakyReLU, ReLU
from cornu.layers.core.activation import Activation
from cornu.layers.regularization.dropout import Dropout
from cornu.trainers import threads
from cornu.trainers.builtin_steps import BuiltinLoop, _user_written
from cornu.trainers.flat_step import _chain, plain_dense

_ELEMENTWISE = (Activation, ReLU, LeakyReLU, ELU)
_MODULE = torch.nn.modules.module  # (torch's global forward hooks live here)


def _units(model):
    """The chain's layers as (is a Dense, layer) pairs, or None where the plan would differ."""
    if _user_written(type(model)):
        return None
    layers = _chain(model)
    if layers is None:
        return None
    units = []
    for layer in layers:
        if plain_dense(layer):
            units.append((True, layer))
        elif type(layer) in _ELEMENTWISE and layer.activity_regularizer is None:
            units.append((False, layer))
        elif type(layer) is not Dropout:  # (Dropout: the identity in inference)
            return None
    return units if any(dense for dense, _ in units) else None


def _batch_limit(batch_size):
    """The most samples one batch holds (0 for a `batch_size` the ordinary call must judge)."""
    if batch_size is None:
        return 32
    return batch_size if type(batch_size) is int and batch_size > 0 else 0


class Plan:
    """A model's fast `predict` (see the module docstring)."""

    def __init__(self, model, units, x, dtype, work_per_sample):
        self.model, self.units, self.dtype = model, units, dtype
        self.features = x.shape[1:]
        self.version = tracking.METRICS_VERSION[0]
        self.modules = [model] + [layer for _, layer in units]
        self.work_per_sample = work_per_sample

    def forward(self, h):
        for dense, layer in self.units:
            if dense:
                weights = layer._parameters
                bias = weights.get("bias")
                h = torch.addmm(bias, h, weights["kernel"]) if bias is not None else \
                    h.mm(weights["kernel"])
                activation = layer.activation
                if activation is not A.linear:
                    h = activation(h)
            else:
                h = layer.call(h)
        return h

    def __call__(self, x, batch_size):
        """The outputs for `x`, or None where the ordinary call must run."""
        limit = _batch_limit(batch_size)
        if type(x) is not np.ndarray or x.shape[1:] != self.features or x.dtype.kind != "f" or \
                not x.shape[0] or not limit or tracking.METRICS_VERSION[0] != self.version or \
                tracking.PENDING_LOSSES or _MODULE._global_forward_hooks or \
                _MODULE._global_forward_pre_hooks or not x.flags.writeable:
            return None
        for module in self.modules:
            if module._forward_hooks or module._forward_pre_hooks:
                return None
        n = x.shape[0]
        before, count, entered = torch.get_num_threads(), None, None
        if threads.one_thread_suffices(self.work_per_sample * min(n, limit) * 2):
            # the policy's choice for a step this small, without its bookkeeping: one thread
            if not threads._ACTIVE[0] and threads.user_threads() is None:
                count = 1
        else:  # (a larger step: the policy reads the machine's load, once per call)
            entered = threads.enter(self.model, "predict", _Extent(limit, n), 0)
        t = torch.from_numpy(x)
        if t.dtype != self.dtype:
            t = t.to(self.dtype)
        grad_mode = torch.is_grad_enabled()
        torch._C._set_grad_enabled(False)
        if count is not None and count != before:
            torch.set_num_threads(count)
        try:
            if n <= limit:
                return self.forward(t).numpy()
            return torch.cat([self.forward(batch) for batch in t.split(limit)]).numpy()
        finally:
            torch._C._set_grad_enabled(grad_mode)
            if count is not None and count != before:
                torch.set_num_threads(before)
            threads.leave(self.model, entered)


class _Extent:
    """What the thread policy reads of a call's data (a data adapter's two numbers)."""

    def __init__(self, batch_size, num_samples):
        self.batch_size, self.num_samples = batch_size, num_samples


def run(model, x, batch_size):
    """`model.predict(x, batch_size=batch_size, verbose=0)` through the model's plan (made at
    the first call that can have one), or None where the ordinary call must run."""
    plan = model.__dict__.get("_predict_plan")
    if plan is None or plan.version != tracking.METRICS_VERSION[0]:
        if type(x) is not np.ndarray or x.ndim != 2 or x.dtype.kind != "f" or \
                not x.flags.writeable or not len(x) or not _batch_limit(batch_size):
            return None  # (this call's data: decided again at the next call)
        plan = _make(model, x[:_batch_limit(batch_size)])
        if plan is None:
            return None
    return plan(x, batch_size)


def _make(model, first):
    """The model's plan, checked on the call's first batch against the ordinary predict step
    (or a refusal kept until the model changes; None where this batch cannot tell)."""
    refused = model.__dict__["_predict_plan"] = _Refused()
    units = _units(model) if model.built else None
    loop = model._loop("predict")
    if units is None or not isinstance(loop, BuiltinLoop):
        return refused
    kernel = next(layer for dense, layer in units if dense).kernel
    work = threads._cached(model)[1]
    if kernel.device.type != "cpu" or work is None:
        return refused
    plan = Plan(model, units, first, kernel.dtype, float(work))
    mode, grad_mode = model.training, torch.is_grad_enabled()
    try:
        model.train(False)
        expected = loop.predict_outputs((model._prepare_x(first), None, None))
        torch._C._set_grad_enabled(False)
        same = type(expected) is torch.Tensor and \
            torch.equal(plan.forward(torch.from_numpy(first).to(plan.dtype)), expected)
    except (RuntimeError, TypeError, ValueError, AttributeError):
        model.__dict__.pop("_predict_plan", None)
        return None  # (the ordinary call says what is wrong with the data)
    finally:
        torch._C._set_grad_enabled(grad_mode)
        model.train(mode)
    if not same:
        return refused
    model.__dict__["_predict_plan"] = plan
    return plan


class _Refused:
    """A model whose `predict` has no plan at the tracking version it was refused at."""

    def __init__(self):
        self.version = tracking.METRICS_VERSION[0]

    def __call__(self, x, batch_size):
        return None
