"""`predict()` on a few samples at the cost of the forward pass.

The notes ask a trained model about one input (`model.predict(np.array([[5.0]]))`), often in a
loop. An ordinary `predict` call checks its arguments, builds a data adapter, enters the thread
policy, converts the input, runs the graph (each layer's `__call__` and `forward`) and joins the
batches: for a small MLP ~2,200 Python bytecodes around a handful of GEMMs, twice the time of the
hand-written `net(x)` under `torch.no_grad()`.

After a `predict(x, verbose=0)` call of one batch has run the ordinary way, a model that is a
chain of `Dense` layers (with `Activation`, `ReLU`, `LeakyReLU`, `ELU` and `Dropout`, the classes
themselves, not subclasses) keeps a plan: the chain's layers. A later call with the same
arguments (verbose 0, no callbacks, no steps, one NumPy float array of the same feature shape and
at most one batch of samples) runs the plan: the array as a tensor (cast to the weights' dtype),
each Dense layer's GEMM on its current weights and its current activation, Dropout skipped (it
is the identity in inference), and the result as a NumPy array. Anything else, and any change
since the plan was made (a layer or weight added, replaced or removed, a forward hook, pending
losses, other dtypes), runs the ordinary way. The plan is checked once, when it is made: its
output must equal, bit for bit, what the ordinary call returned for the same data.
"""
import numpy as np
import torch

from cornu import activations as A
from cornu.layers import tracking
from cornu.layers.activations.advanced import ELU, LeakyReLU, ReLU
from cornu.layers.core.activation import Activation
from cornu.layers.core.dense import Dense
from cornu.layers.regularization.dropout import Dropout
from cornu.trainers import threads
from cornu.trainers.builtin_steps import _user_written
from cornu.trainers.flat_step import _chain

_ELEMENTWISE = (Activation, ReLU, LeakyReLU, ELU)
_MODULE = torch.nn.modules.module  # (torch's global forward hooks live here)


def _units(model):
    """The chain's layers as (Dense or None, layer), or None where the plan would differ."""
    if _user_written(type(model)):
        return None
    layers = _chain(model)
    if layers is None:
        return None
    units = []
    for layer in layers:
        cls = type(layer)
        if cls is Dense:
            if layer.lora_enabled or layer.activity_regularizer is not None or \
                    layer.kernel.ndim != 2:
                return None
            units.append((True, layer))
        elif cls in _ELEMENTWISE and layer.activity_regularizer is None:
            units.append((False, layer))
        elif cls is not Dropout:  # (Dropout: the identity in inference)
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
        if type(x) is not np.ndarray or x.shape[1:] != self.features or x.dtype.kind != "f" or \
                not 0 < x.shape[0] <= _batch_limit(batch_size) or \
                tracking.METRICS_VERSION[0] != self.version or tracking.PENDING_LOSSES or \
                _MODULE._global_forward_hooks or _MODULE._global_forward_pre_hooks or \
                not x.flags.writeable:
            return None
        for module in self.modules:
            if module._forward_hooks or module._forward_pre_hooks:
                return None
        before, count = torch.get_num_threads(), None
        if not threads._ACTIVE[0] and not threads.ENV_SET and before == threads.AT_IMPORT:
            # the policy's choice for a step this small: one thread (larger: the ordinary call,
            # which reads the machine's load)
            if self.work_per_sample * x.shape[0] * 2 >= 2 * threads.FLOPS_PER_THREAD and \
                    threads.cpu_count() > 1:
                return None
            count = 1
        t = torch.from_numpy(x)
        if t.dtype != self.dtype:
            t = t.to(self.dtype)
        grad_mode = torch.is_grad_enabled()
        torch._C._set_grad_enabled(False)
        if count is not None and count != before:
            torch.set_num_threads(count)
        try:
            return self.forward(t).numpy()
        finally:
            torch._C._set_grad_enabled(grad_mode)
            if count is not None and count != before:
                torch.set_num_threads(before)


def remember(model, x, batch_size, outputs):
    """After an ordinary `predict(x, verbose=0)` of one batch (`outputs`, still under the call's
    thread count): keeps a plan for the next calls where the model allows one."""
    if type(x) is not np.ndarray or x.ndim != 2 or x.dtype.kind != "f" or len(outputs) != 1 or \
            type(outputs[0]) is not torch.Tensor or not 0 < len(x) <= _batch_limit(batch_size):
        return
    known = model.__dict__.get("_predict_plan")
    if known is not None and known.version == tracking.METRICS_VERSION[0]:
        return  # (a plan, or a model refused at this version)
    model.__dict__["_predict_plan"] = _Refused()
    units = _units(model)
    if units is None:
        return
    kernel = next(layer for dense, layer in units if dense).kernel
    work = threads._cached(model)[1]
    if kernel.device.type != "cpu" or work is None:
        return
    plan = Plan(model, units, x, kernel.dtype, float(work))
    grad_mode = torch.is_grad_enabled()
    torch._C._set_grad_enabled(False)
    try:
        t = torch.from_numpy(np.ascontiguousarray(x)).to(plan.dtype)
        same = torch.equal(plan.forward(t), outputs[0])
    except (RuntimeError, TypeError, ValueError, AttributeError):
        same = False
    finally:
        torch._C._set_grad_enabled(grad_mode)
    if same:
        model.__dict__["_predict_plan"] = plan


class _Refused:
    """A model whose `predict` has no plan at the tracking version it was refused at."""

    def __init__(self):
        self.version = tracking.METRICS_VERSION[0]

    def __call__(self, x, batch_size):
        return None
