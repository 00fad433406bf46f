"""The training step without autograd, for models that are a chain of Dense layers.

A tiny model's step (the notes' y = x, logistic regression, breast-cancer MLP) is a few dozen
small ops, and recording them for autograd, then walking the recorded graph backward, costs more
than the arithmetic. For a model that is a plain chain of `Dense` layers with element-wise
activations (as `Dense(activation=...)`, `Activation`, `ReLU`, `LeakyReLU`, `ELU`) and `Dropout`,
the backward pass is short enough to write down: this step runs the forward pass under
`torch.no_grad()`, keeps each layer's input and output, and computes the gradients itself:

- the loss's gradient with respect to the model's output in closed form for mean squared and
  mean absolute error and the cross-entropies (binary, categorical, sparse; probabilities or
  logits), fused with the output layer's sigmoid or softmax where that is the usual pairing; any
  other loss (a user's function included) is differentiated by autograd on its own, from the
  output alone;
- each activation's gradient with the kernels autograd itself calls (`threshold_backward`,
  `sigmoid_backward`, ...);
- a Dense layer's `grad_kernel = x^T g`, `grad_bias = sum(g)`, `g <- g kernel^T`.

The update is the optimizer's own `apply()`, so every optimizer, clipping, weight decay and
constraint behaves as after an autograd step; each weight's `.grad` holds the gradient afterwards,
as after `backward()`. Metrics, and the loss but for an unweighted mean squared/absolute error
or binary crossentropy (its value computed with its gradient), are computed by the same code as
the autograd step; gradients and those losses agree with autograd's to rounding (tests/trainers/
test_flat_step.py checks every combination against the autograd step).

`BuiltinLoop` takes this step only when nothing in the model is custom: a Sequential or
functional chain of exactly these layer classes (no subclass), one input and one output, no
regularizer, LoRA, hook or added loss, a single compiled loss, float weights and inputs of one
dtype, and `compile(run_eagerly=False)` (the default; `run_eagerly=True` is the way to get the
autograd step). Multi-process training (DDP) never takes it: DDP reduces gradients in autograd
hooks. `plan(model, params)` gives the step, or None and the reason.
"""
import torch
import torch.nn.functional as F

from cornu import activations as A
from cornu import losses as L
from cornu.backend.config import epsilon
from cornu.layers.activations.advanced import ELU, LeakyReLU, ReLU
from cornu.layers.core.activation import Activation
from cornu.layers.core.dense import Dense
from cornu.layers.regularization.dropout import Dropout
from cornu.trainers.compile_utils import per_output_weights

aten = torch.ops.aten

# ------------------------------------------------------------- activations
# fn -> backward(g, x, out): the gradient of the input `x` given that of the output `out`.
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
_GRADS = {
    A.linear: None,
    A.relu: lambda g, x, out: aten.threshold_backward(g, out, 0),
    A.sigmoid: lambda g, x, out: aten.sigmoid_backward(g, out),
    A.tanh: lambda g, x, out: aten.tanh_backward(g, out),
    A.softmax: lambda g, x, out: aten._softmax_backward_data(g, out, -1, out.dtype),
    A.log_softmax: lambda g, x, out: aten._log_softmax_backward_data(g, out, -1, out.dtype),
    A.elu: lambda g, x, out: aten.elu_backward(g, 1.0, 1, 1, False, x),
    A.selu: lambda g, x, out: aten.elu_backward(g, _SELU_ALPHA, _SELU_SCALE, 1, False, x),
    A.leaky_relu: lambda g, x, out: aten.leaky_relu_backward(g, x, 0.2, False),
    A.relu6: lambda g, x, out: aten.hardtanh_backward(g, x, 0.0, 6.0),
    A.softplus: lambda g, x, out: aten.softplus_backward(g, x, 1, 20),
    A.softsign: lambda g, x, out: g / (1 + x.abs()).square(),
    A.silu: lambda g, x, out: aten.silu_backward(g, x),
    A.gelu: lambda g, x, out: aten.gelu_backward(g, x, approximate="none"),
    A.hard_sigmoid: lambda g, x, out: aten.hardsigmoid_backward(g, x),
    A.exponential: lambda g, x, out: g * out,
}


def _activation_unit(layer):
    """(forward, backward) of an element-wise layer, or None where this step has no gradient."""
    cls = type(layer)
    if cls is Activation:
        fn = layer.activation
    elif cls is ReLU and layer.max_value is None and not layer.negative_slope \
            and not layer.threshold:
        fn = A.relu
    elif cls is LeakyReLU:
        slope = layer.negative_slope
        return ("act", lambda x: A.leaky_relu(x, slope),
                lambda g, x, out: aten.leaky_relu_backward(g, x, slope, False))
    elif cls is ELU:
        alpha = layer.alpha
        return ("act", lambda x: A.elu(x, alpha),
                lambda g, x, out: aten.elu_backward(g, alpha, 1, 1, False, x))
    else:
        return None
    if fn not in _GRADS:
        return None
    return ("act", fn, _GRADS[fn])


# ------------------------------------------------------------------- losses
# Each gives d(loss)/d(output) (or, fused, d(loss)/d(the output activation's input)) from the
# targets `y` (already shaped and smoothed like the output), the output `p` and `c`, the weight
# of each sample in the total: loss_weight * sample_weight / batch size.
def _in_range(q, eps):
    return (q >= eps) & (q <= 1.0 - eps)  # where Keras's clip lets the gradient through


def _mse(y, p, c):
    return (p - y) * (c * (2.0 / p.shape[-1]))


def _mae(y, p, c):
    return torch.sign(p - y) * (c / p.shape[-1])


def _bce(y, p, c):
    eps = epsilon()
    g = (p - y) / ((1.0 - p) * p).clamp_min(1e-12)  # F.binary_cross_entropy's backward
    return torch.where(_in_range(p, eps), g, 0.0) * (c / p.shape[-1])


def _bce_sigmoid(y, p, c):  # through the sigmoid p = sigmoid(z): d/dz = p - y
    return torch.where(_in_range(p, epsilon()), p - y, 0.0) * (c / p.shape[-1])


def _bce_logits(y, z, c):
    return (torch.sigmoid(z) - y) * (c / z.shape[-1])


def _cce(y, p, c):
    # -sum(y log(clip(q))), q = p / sum(p): d/dq = -y m / q (m: inside the clip), then through
    # the normalization.
    s = p.sum(-1, keepdim=True)
    q = p / s
    gq = torch.where(_in_range(q, epsilon()), -y / q, 0.0)
    return (gq - (gq * q).sum(-1, keepdim=True)) / s * c


def _cce_softmax(y, p, c):
    # Through p = softmax(z) as well: d/dz = q sum(y m) - y m, in closed form.
    q = p / p.sum(-1, keepdim=True)
    ym = torch.where(_in_range(q, epsilon()), y, 0.0)
    return (q * ym.sum(-1, keepdim=True) - ym) * c


def _cce_logits(y, z, c):
    return (torch.softmax(z, -1) * y.sum(-1, keepdim=True) - y) * c


# The value and the gradient together, for the unweighted losses of the tiniest models; the
# value is the mean over every element, which is Keras's mean over the last axis and then over
# the batch (one output unit: the same sum). Binary crossentropy's value is torch's kernel, as in
# losses.py, which refuses targets outside [0, 1] (and runs on the CPU only): None, then the loss
# is computed by its own code.
def _mse_both(y, p, c):
    d = p - y
    return torch.mean(d * d), d * (c * (2.0 / p.shape[-1]))


def _mae_both(y, p, c):
    d = p - y
    return torch.mean(d.abs()), torch.sign(d) * (c / p.shape[-1])


def _bce_value(y, p):
    if p.device.type != "cpu":
        return None, None
    eps = epsilon()
    pc = p.clamp(eps, 1.0 - eps)
    try:
        return F.binary_cross_entropy(pc, y), pc
    except RuntimeError:
        return None, None


def _bce_both(y, p, c):
    value, pc = _bce_value(y, p)
    if value is None:
        return None
    g = (pc - y) / ((1.0 - pc) * pc).clamp_min(1e-12)
    return value, torch.where(pc == p, g, 0.0) * (c / p.shape[-1])


def _bce_sigmoid_both(y, p, c):
    value, pc = _bce_value(y, p)
    if value is None:
        return None
    if type(c) is float:  # (four ops where `torch.where` takes five; the zeros may be -0.0)
        return value, torch.sub(p, y).mul_(pc == p).mul_(c / p.shape[-1])
    return value, torch.where(pc == p, p - y, 0.0) * (c / p.shape[-1])


def _bce_logits_both(y, z, c):
    return (F.binary_cross_entropy_with_logits(z, y),
            (torch.sigmoid(z) - y) * (c / z.shape[-1]))


_VALUE_AND_GRAD = {  # (loss, from_logits, fused with the output sigmoid)
    (L.mean_squared_error, False, False): _mse_both,
    (L.mean_absolute_error, False, False): _mae_both,
    (L.binary_crossentropy, False, False): _bce_both,
    (L.binary_crossentropy, False, True): _bce_sigmoid_both,
    (L.binary_crossentropy, True, False): _bce_logits_both,
}

_CLOSED = {  # loss function -> (gradient, gradient fused with the output activation, that fn)
    L.mean_squared_error: (_mse, None, None),
    L.mean_absolute_error: (_mae, None, None),
    L.binary_crossentropy: (_bce, _bce_sigmoid, A.sigmoid),
    L.categorical_crossentropy: (_cce, _cce_softmax, A.softmax),
    L.sparse_categorical_crossentropy: (_cce, _cce_softmax, A.softmax),
}
_OPTIONS = {"from_logits", "label_smoothing", "axis", "ignore_class"}


def _closed_form(loss_fn):
    """(gradient fn, fused activation or None, kwargs) for a loss with a closed-form gradient."""
    inner = getattr(loss_fn, "fn", None)
    kwargs = getattr(loss_fn, "_fn_kwargs", {})
    if not isinstance(loss_fn, L.LossFunctionWrapper) or inner not in _CLOSED or \
            loss_fn.reduction != "sum_over_batch_size" or set(kwargs) - _OPTIONS or \
            kwargs.get("axis", -1) != -1 or kwargs.get("ignore_class") is not None:
        return None
    return inner, kwargs


# --------------------------------------------------------------------- plan
def _chain(model):
    """The model's layers in order when it is a chain (each layer's one input is the previous
    layer's output), else None."""
    nodes = getattr(model, "_nodes", None)
    if nodes is None or len(model.inputs) != 1 or len(model.outputs) != 1 or \
            model.__dict__.get("_graph_losses") or getattr(model, "_deep_inputs", True):
        return None
    tensor, layers = model.inputs[0], []
    for node in nodes:
        if node.call_kwargs or len(node.call_args) != 1 or node.call_args[0] is not tensor or \
                len(node.output_tensors) != 1 or node.outputs is not node.output_tensors[0]:
            return None
        tensor = node.outputs
        layers.append(node.layer)
    return layers if tensor is model.outputs[0] and layers else None


_GLOBAL_HOOKS = ("_global_forward_hooks", "_global_forward_pre_hooks", "_global_backward_hooks",
                 "_global_backward_pre_hooks")


def _hooked(module):
    return module._forward_hooks or module._forward_pre_hooks or module._backward_hooks or \
        getattr(module, "_backward_pre_hooks", None)


def _global_hooks():
    return any(getattr(torch.nn.modules.module, name, None) for name in _GLOBAL_HOOKS)


def plain_dense(layer):
    """Whether `layer` is a `Dense` (the class itself) whose call is one GEMM on 2-D weights."""
    return type(layer) is Dense and not layer.lora_enabled and \
        layer.activity_regularizer is None and layer.kernel.ndim == 2


ENABLED = True  # tests switch it off to run the autograd step on the same model


def plan(model, params):
    """The flat step for `model` training `params`, or (None, why not)."""
    if not ENABLED:
        return None, "switched off"
    if not params:
        return None, "nothing to train"
    if model.run_eagerly:
        return None, "run_eagerly=True"
    layers = _chain(model)
    if layers is None:
        return None, "not a chain of layers"
    if any(_hooked(m) for m in model.modules()) or _global_hooks():
        return None, "a module has hooks"
    units, owned = [], []
    for layer in layers:
        if type(layer) is Dense:
            if not plain_dense(layer):
                return None, f"{layer.name} is not a plain Dense"
            units.append(("dense", layer, None))
            owned += [w for w in (layer.kernel, layer.bias) if w is not None]
            if layer.activation is not A.linear:
                if layer.activation not in _GRADS:
                    return None, f"{layer.name}'s activation has no gradient here"
                units.append(("act", layer.activation, _GRADS[layer.activation]))
        elif type(layer) is Dropout and layer.noise_shape is None:
            units.append(("dropout", layer, None))
        else:
            unit = _activation_unit(layer)
            if unit is None:
                return None, f"{layer.name} ({type(layer).__name__}) is not supported"
            units.append(unit)
    dtypes = {w.dtype for w in owned}
    if len(dtypes) != 1 or not next(iter(dtypes)).is_floating_point:
        return None, "weights of several dtypes"
    if {id(p) for p in params} - {id(w) for w in owned} or \
            any(getattr(w, "regularizer", None) is not None for w in owned):
        return None, "weights this step does not know, or regularized"
    loss = model._compile_loss
    if loss.multi or len(loss.fns) != 1 or loss.fns[0] is None:
        return None, "not one compiled loss"
    return FlatStep(model, units, params, dtypes.pop(), loss.fns[0], loss.weights[0]), None


# --------------------------------------------------------------------- step
class FlatStep:
    """`BuiltinSteps._train_step`'s numbers without autograd (see the module docstring)."""

    def __init__(self, model, units, params, dtype, loss_fn, loss_weight):
        self.model, self.units, self.dtype = model, units, dtype
        self.loss_fn, self.loss_weight = loss_fn, loss_weight
        self.trainable = {id(p) for p in params}
        self.checked = None  # the params list `optimizer.apply` has checked
        self.closed = _closed_form(loss_fn)
        grad = fused = None
        if self.closed is not None:
            inner, kwargs = self.closed
            grad, fused_grad, fused_fn = _CLOSED[inner]
            if kwargs.get("from_logits"):
                grad = {_bce: _bce_logits, _cce: _cce_logits}[grad]
            elif units[-1][0] == "act" and units[-1][1] is fused_fn and fused_grad is not None:
                fused = fused_grad  # the output activation's backward is folded in
        self.grad, self.fused = grad, fused
        self.value_and_grad = None
        self.plain_targets = self.closed is not None and \
            self.closed[0] is not L.sparse_categorical_crossentropy and \
            not self.closed[1].get("label_smoothing")
        if self.closed is not None and loss_weight == 1.0:
            self.value_and_grad = _VALUE_AND_GRAD.get(
                (self.closed[0], bool(self.closed[1].get("from_logits")), fused is not None))
        # Below the lowest trainable weight no gradient is needed.
        self.lowest = next(i for i, (kind, layer, _) in enumerate(units) if kind == "dense" and
                           any(id(w) in self.trainable for w in (layer.kernel, layer.bias)
                               if w is not None))

    def __call__(self, x, y, sw, params, regularized):
        model = self.model
        if type(x) is not torch.Tensor or x.dtype != self.dtype or x.ndim != 2:
            return model._train_step(x, y, sw, params, regularized)  # (not this step's data)
        grad_mode = torch.is_grad_enabled()
        torch._C._set_grad_enabled(False)  # (torch.no_grad() is a Python object per step)
        try:
            loss, h, ys, preds, sws, grads = self._gradients(x, y, sw)
            grad_list = [grads.get(id(p)) for p in params]
            for p, grad in zip(params, grad_list):
                p.grad = grad  # as after backward()
            optimizer = model.optimizer
            # (`None in grad_list` would compare None with each tensor: ~35 us per step)
            if self.checked is params and all(g is not None for g in grad_list):
                optimizer._apply(grad_list, params)  # apply()'s checks passed for this list
            else:
                optimizer.apply(grad_list, params)
                self.checked = params
            model._loss_tracker.add(loss, h.shape[0])
            model._compile_metrics.update_lists(ys, preds, sws)
        finally:
            torch._C._set_grad_enabled(grad_mode)
        return loss

    def _gradients(self, x, y, sw):
        """The forward pass, the loss and every trainable weight's gradient (by id)."""
        saved, h = [], x
        for kind, a, b in self.units:
            if kind == "dense":
                kernel, bias = a._parameters["kernel"], a._parameters.get("bias")
                out = torch.addmm(bias, h, kernel) if bias is not None else h.mm(kernel)
                saved.append((h, kernel, bias))
            elif kind == "act":
                out = a(h)
                saved.append((h, out))
            else:  # dropout (F.dropout's own formula, drawing the same random numbers)
                rate = a.rate
                noise = torch.empty_like(h).bernoulli_(1 - rate).div_(1 - rate) \
                    if rate else None
                out = h if noise is None else h * noise
                saved.append(noise)
            h = out
        ys, preds = self.model._as_lists(y, h)
        sws = per_output_weights(sw, 1)
        loss, g, top = self._loss_and_grad(ys[0], h, sws and sws[0], ys, preds, sws)
        grads, trainable, lowest, units = {}, self.trainable, self.lowest, self.units
        for i in range(top, lowest - 1, -1):
            kind, a, b = units[i]
            if kind == "dense":
                inp, kernel, bias = saved[i]
                if id(kernel) in trainable:
                    grads[id(kernel)] = inp.t().mm(g)
                if bias is not None and id(bias) in trainable:
                    grads[id(bias)] = g.sum(0)
                if i > lowest:
                    g = g.mm(kernel.t())
            elif kind == "act":
                if b is not None:
                    g = b(g, *saved[i])
            elif saved[i] is not None:
                g = g * saved[i]
        return loss, h, ys, preds, sws, grads

    def _loss_and_grad(self, y, p, sw, ys, preds, sws):
        """The loss, its gradient, and the index of the unit the gradient enters (the last, or
        the one below a fused output activation). The loss is the compiled loss's own code,
        except for an unweighted mean squared/absolute error or binary crossentropy: their value
        is computed with the gradient, in fewer ops (the same numbers to float32 rounding)."""
        top = len(self.units) - 1
        c = self._sample_scale(sw, p)
        y = self._targets(y, p) if c is not None else None
        if y is None:  # autograd on the loss alone, from the output
            leaf = p.detach().requires_grad_()
            torch._C._set_grad_enabled(True)
            try:
                loss = self.model._compile_loss(ys, [leaf], sws)
            finally:
                torch._C._set_grad_enabled(False)
            return loss.detach(), torch.autograd.grad(loss, leaf)[0], top
        if sw is None and self.value_and_grad is not None:
            both = self.value_and_grad(y, p, c)
            if both is not None:
                return both[0], both[1], (top - 1 if self.fused is not None else top)
        loss = self.model._compile_loss(ys, preds, sws)
        if self.fused is not None:
            return loss, self.fused(y, p, c), top - 1
        return loss, self.grad(y, p, c), top

    def _sample_scale(self, sw, p):
        """Each sample's weight in the total loss (a float when all are equal), or None."""
        if self.closed is None:
            return None
        n = p.shape[0]
        if sw is None:
            return self.loss_weight / n
        sw = torch.as_tensor(sw, dtype=p.dtype, device=p.device)
        return sw.reshape(n, 1) * (self.loss_weight / n) if sw.numel() == n else None

    def _targets(self, y, p):
        """`y` as the closed-form gradients take it (the shape and dtype of `p`), or None."""
        if type(y) is not torch.Tensor:
            return None
        if self.plain_targets and y.shape == p.shape and y.dtype == p.dtype:
            return y  # (every step of the usual model)
        inner, kwargs = self.closed
        if inner is L.sparse_categorical_crossentropy:
            if y.ndim == p.ndim:
                y = y.squeeze(-1)
            if y.shape != p.shape[:-1]:
                return None
            return torch.nn.functional.one_hot(y.long(), p.shape[-1]).to(p.dtype)
        if y.shape != p.shape:
            if y.ndim == p.ndim - 1 and p.shape[-1] == 1 and y.shape == p.shape[:-1]:
                y = y.unsqueeze(-1)
            else:
                return None
        y = y.to(p.dtype)
        smoothing = kwargs.get("label_smoothing") or 0.0
        if smoothing:
            y = y * (1.0 - smoothing) + (0.5 if inner is L.binary_crossentropy
                                         else 1.0 / p.shape[-1]) * smoothing
        return y
