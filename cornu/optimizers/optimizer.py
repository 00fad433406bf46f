"""The optimizer base: Keras 3's update rules on `torch._foreach_*` ops.

A step does what Keras 3 does, in its order: unscale by `loss_scale_factor`; with
`gradient_accumulation_steps=n`, accumulate and update every n-th call with the mean; clip
(`clipnorm`, else `global_clipnorm`, else `clipvalue`); decay the weights (`w -= w *
weight_decay * lr`); apply the optimizer's own rule; update the moving average (`use_ema`);
apply each weight's constraint; count the call in `iterations`.

The learning rate and the step counter are 0-d tensors on the CPU (`optimizer.learning_rate`,
`optimizer.iterations`): settable while training (`K.set_value(opt.lr, 0.01)`,
ReduceLROnPlateau), schedulable, saved with the optimizer, and read without waiting for the
device. Scalars such as Adam's bias correction are computed on the host in float32, as Keras
computes them, and enter the foreach ops as Python numbers, so nothing recompiles or syncs.

Subclasses create their per-weight state in `build()` with `add_slots()`, and name their
formula in `rule`: a module-level function `rule(opt, params, grads, slots, lr, step)` that
updates a list of parameters in place with foreach ops. The same function is the eager fast
path (all parameters at once, host scalars), the reference path (one parameter at a time, 0-d
tensor scalars; tests compare the two with `optimizer.reference = True`) and the update inside
the compiled step (trainers/jit.py, 0-d tensors). Per-update scalar state (Nadam's momentum
product) advances once per update in `begin_update(step)`, on every path.
"""
import functools
import operator
import re
import warnings

import numpy as np
import torch

from cornu.backend.variables import Variable
from cornu.optimizers import schedules
from cornu.utils import legacy, nest
from cornu.utils.compiling import eager_under_compile

f32 = np.float32
_SHAPE = operator.attrgetter("shape")
_ONE = torch.ones((), dtype=torch.int64)  # the step count's increment, never written to
_IS_NOT_NONE = functools.partial(operator.is_not, None)


class Optimizer:
    """Base class of cornu's optimizers (Keras 3's `keras.optimizers.Optimizer`).

    Args:
        learning_rate: a float, a `LearningRateSchedule`, or a callable taking no argument.
        weight_decay: if set, each step first shrinks the weights: `w -= w * weight_decay * lr`.
        clipnorm: clips each gradient to this L2 norm.
        clipvalue: clips each gradient element to `[-clipvalue, clipvalue]`.
        global_clipnorm: clips all gradients together to this global L2 norm.
        use_ema, ema_momentum, ema_overwrite_frequency: keep an exponential moving average of
            the weights; every `ema_overwrite_frequency` steps (or at
            `finalize_variable_values()`) the weights are replaced by it.
        loss_scale_factor: gradients are divided by it (the loss was multiplied by it).
        gradient_accumulation_steps: update every n-th call, with the mean of the last n
            gradients. Schedules see every call; `iterations` counts updates.
        name: the optimizer's name.
    """

    reference = False  # tests set it: the rule runs one parameter at a time

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        owner = type(self).__name__
        if kwargs:
            raise TypeError(f"{owner}: unexpected keyword argument(s) {sorted(kwargs)} (not an "
                            "argument of this optimizer in any Keras version).")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"{owner}: only one of `clipnorm`, `clipvalue` and "
                             f"`global_clipnorm` can be set. Received: clipnorm={clipnorm}, "
                             f"clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(f"{owner}: `gradient_accumulation_steps` must be an integer >= 2. "
                             f"Received: {gradient_accumulation_steps}")
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"{owner}: `ema_momentum` must be in [0, 1]. Received: "
                             f"{ema_momentum}")
        from cornu.backend.naming import to_snake_case
        self.name = name or to_snake_case(owner)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._iterations = Variable(torch.zeros((), dtype=torch.int64), trainable=False,
                                    name="iteration")
        self._schedule = None
        self._learning_rate = Variable(torch.zeros((), dtype=torch.float32), trainable=False,
                                       name="learning_rate")
        self._set_learning_rate(learning_rate, constructing=True)
        self._params = None
        self._variables, self._variable_names, self._slot_names = [], [], []
        self._exclude_ids, self._exclude_pattern = set(), None

    def __init_subclass__(cls, **kwargs):
        # Legacy spellings (`lr`, `decay`, `epsilon=None`, ...) are translated once, by the
        # outermost constructor, through cornu/compat/arguments.py.
        super().__init_subclass__(**kwargs)
        if (init := cls.__dict__.get("__init__")) is None:
            return

        def __init__(self, *args, **kw):
            if not self.__dict__.get("_translated"):
                self._translated = True
                # Value transforms (Keras 2's `decay`) read the learning rate: make the
                # positional or default one visible to them as a keyword.
                if args:
                    kw = {**_positional_as_keywords(init, args), **kw}
                    args = ()
                if "decay" in kw and "lr" not in kw and "learning_rate" not in kw:
                    kw["learning_rate"] = _default_lr(type(self))
                kw = nest.python_scalars(kw)
                kw = legacy.translate("optimizer", kw, type(self).__name__)
            init(self, *args, **kw)

        __init__.__doc__ = init.__doc__
        __init__.__wrapped__ = init
        cls.__init__ = __init__

    # ------------------------------------------------------------- learning rate
    @property
    def learning_rate(self):
        """The learning rate, a 0-d tensor.

        With a float learning rate this is the tensor the optimizer reads, so `K.set_value` on
        it (or assigning `optimizer.learning_rate = x`) changes training at once. With a
        schedule it is the schedule's current value; when the schedule was built on a
        learning-rate tensor (Keras 2's `decay`), it is that base tensor, as Keras 2 showed it.
        """
        if self._schedule is None:
            return self._learning_rate
        base = getattr(self._schedule, "initial_learning_rate", None)
        if isinstance(base, torch.Tensor):
            return base
        self._learning_rate.data.fill_(float(self._lr_value()))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._set_learning_rate(value)

    lr = learning_rate  # Keras 2 spelling, still used with K.get_value / K.set_value

    def _set_learning_rate(self, value, constructing=False):
        if isinstance(value, schedules.LearningRateSchedule) or (
                callable(value) and not isinstance(value, (torch.Tensor, np.ndarray))):
            self._schedule = value
            return
        if self._schedule is not None:
            base = getattr(self._schedule, "initial_learning_rate", None)
            if isinstance(base, torch.Tensor):
                base.data.fill_(float(value))
                return
            raise TypeError(f"{type(self).__name__} was created with a learning-rate schedule, so "
                            "its learning rate is not settable. Create the optimizer with a float "
                            "`learning_rate` to set it while training.")
        try:
            if isinstance(value, (str, bytes)):  # float("0.01") would train; Keras 3 raises
                raise TypeError
            self._learning_rate.data.fill_(float(value))
        except (TypeError, ValueError):
            raise ValueError(f"{type(self).__name__}: `learning_rate` should be a float, a "
                             "LearningRateSchedule or a callable; received "
                             f"{value!r}.") from None

    def _lr_value(self):
        """This step's learning rate, a float32 NumPy scalar (Keras computes it in float32)."""
        schedule = self._schedule
        if schedule is None:
            return f32(self._learning_rate.item())
        if isinstance(schedule, schedules.LearningRateSchedule):
            value = schedule(int(self._iterations))
        else:
            value = schedule()
        return f32(value.item() if isinstance(value, torch.Tensor) else value)

    @property
    def iterations(self):
        """Number of updates so far, a 0-d int64 tensor (Keras: calls // accumulation steps)."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations.data.fill_(int(value))

    def _step_count(self):
        """`iterations` as a Python int: the update about to be made is number `count + 1`."""
        count = int(self._iterations)
        steps = self.gradient_accumulation_steps
        return count // steps if steps else count

    # ----------------------------------------------------------------- state
    @property
    def built(self):
        return self._params is not None

    def build(self, var_list):
        """Creates the optimizer's state for `var_list` (called by the first `apply`)."""
        self._params = list(var_list)
        self._index = {id(p): i for i, p in enumerate(self._params)}
        self._last_params = self._last_idx = self._last_slots = None
        self._constrained = [p for p in self._params if getattr(p, "constraint", None) is not None]
        self._variables = [self._iterations]
        self._variable_names = ["iteration"]  # Keras's names, for files matched by name
        if self._schedule is None:
            self._variables.append(self._learning_rate)
            self._variable_names.append("learning_rate")
        if self.use_ema:
            self._averages = self.add_slots("average", copy=True)
        if self.gradient_accumulation_steps:
            self._accumulators = self.add_slots("gradient_accumulator")

    def add_slots(self, *names, fill=0.0, copy=False):
        """One tensor per parameter and name, shaped and laid out like the parameter.

        `fill` is one value, or one per name. Returns a list per name (a single list for one
        name). Several names are interleaved in
        `variables` per parameter, as Keras's `add_optimizer_variables` orders them.
        """
        fills = fill if isinstance(fill, (list, tuple)) else [fill] * len(names)
        out = []
        for value in fills:
            out.append([p.detach().clone(memory_format=torch.preserve_format) if copy else
                        torch.full_like(p, value, memory_format=torch.preserve_format).detach()
                        for p in self._params])
        for i, param in enumerate(self._params):
            self._variables.extend(lists[i] for lists in out)
            path = (getattr(param, "path", None) or f"variable_{i}").replace("/", "_")
            self._variable_names.extend(f"{path}_{name}" for name in names)
        return out[0] if len(names) == 1 else tuple(out)

    def add_variable(self, value, name=None):
        """A 0-d optimizer variable (such as Nadam's momentum product), saved with the state."""
        var = Variable(torch.as_tensor(value, dtype=torch.float32), trainable=False, name=name)
        self._variables.append(var)
        self._variable_names.append(name or f"variable_{len(self._variables) - 1}")
        return var

    def register_slots(self, **slots):
        """Names the per-parameter state lists given to the rule."""
        for name, tensors in slots.items():
            setattr(self, "_slot_" + name, tensors)
            self._slot_names.append(name)

    @property
    def variables(self):
        """Keras's order: iterations, learning rate (no schedule), then the per-weight state."""
        return list(self._variables)

    def get_weights(self):
        return [v.detach().cpu().numpy() for v in self._variables]

    def set_weights(self, weights):
        if not self.built:
            raise ValueError(f"{type(self).__name__}.set_weights(): the optimizer is not built "
                             "yet; call `optimizer.build(model.trainable_weights)` first.")
        for var, value in zip(self._variables, weights):
            value = np.asarray(value)
            if tuple(var.shape) != value.shape:
                raise ValueError(f"Optimizer variable of shape {tuple(var.shape)} cannot take a "
                                 f"value of shape {value.shape}.")
            with torch.no_grad():
                var.copy_(torch.as_tensor(value, dtype=var.dtype))

    def save_own_variables(self, store):
        for i, value in enumerate(self.get_weights()):
            store[str(i)] = value

    def load_own_variables(self, store):
        self.set_weights([store[str(i)] for i in range(len(store.keys()))])

    def _indices(self, params):
        """None when `params` are the built variables in order, else their positions."""
        last = self._last_params
        if params is last:
            return self._last_idx
        if last is not None and len(params) == len(last) and all(map(operator.is_, params, last)):
            self._last_params = params  # the same variables (a step's fresh `trainable_weights`)
            return self._last_idx
        if len(params) == len(self._params) and all(a is b for a, b in zip(params, self._params)):
            idx = None
        else:
            unknown = [p for p in params if id(p) not in self._index]
            if unknown:
                raise ValueError(f"{type(self).__name__}: unknown variable "
                                 f"{getattr(unknown[0], 'path', None) or tuple(unknown[0].shape)}; "
                                 "this optimizer was built for other variables. Create a new "
                                 "optimizer for a new set of variables.")
            idx = [self._index[id(p)] for p in params]
        self._last_params, self._last_idx = params, idx
        self._last_slots = {n: self._pick(getattr(self, "_slot_" + n), idx)
                            for n in self._slot_names}
        return idx

    @staticmethod
    def _pick(lists, idx):
        return lists if idx is None or not lists else [lists[i] for i in idx]

    # ----------------------------------------------------------------- apply
    def apply_gradients(self, grads_and_vars):
        """Keras API: applies `[(grad, var), ...]`; returns `iterations`."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self._iterations

    @eager_under_compile  # a compiled train_step runs the update eagerly (its host scalars)
    def apply(self, grads, trainable_variables=None):
        """Applies `grads` to `trainable_variables` (the variables given at build by default)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"{type(self).__name__}.apply(): pass the variables, or build "
                                 "the optimizer first with `optimizer.build(variables)`.")
            params = self._params
        else:
            params = trainable_variables if isinstance(trainable_variables, list) \
                else list(trainable_variables)
            if not self.built:
                self.build(params)
        if len(grads) != len(params):
            raise ValueError(f"{type(self).__name__}.apply(): got {len(grads)} gradients for "
                             f"{len(params)} variables; pass one gradient (or None) per variable.")
        if not all(map(_IS_NOT_NONE, grads)):  # (in C; `None in grads` calls Tensor.__eq__)
            grads, params = self._without_none(grads, params)
        _check_shapes(type(self).__name__, grads, params)  # (a list seen before, new grads)
        grad_mode = torch.is_grad_enabled()
        torch._C._set_grad_enabled(False)  # (`torch.no_grad()` is Python objects per call)
        try:
            self._apply(grads, params)
        finally:
            torch._C._set_grad_enabled(grad_mode)

    def _without_none(self, grads, params):
        kept = [(g, p) for g, p in zip(grads, params) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable "
                             f"(all {len(grads)} are None). Did the loss depend on them, and did "
                             "`loss.backward()` run before reading `v.value.grad`?")
        if not getattr(self, "_warned_none", False):
            self._warned_none = True
            missing = [getattr(p, "path", None) or tuple(p.shape)
                       for g, p in zip(grads, params) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss; they are left unchanged.", stacklevel=3)
        return [g for g, _ in kept], [p for _, p in kept]

    def _apply(self, grads, params):
        idx = self._indices(params)
        slots = self._last_slots
        if self.loss_scale_factor is not None:
            grads = torch._foreach_div(grads, float(self.loss_scale_factor))
        steps = self.gradient_accumulation_steps
        if steps:
            accumulators = self._pick(self._accumulators, idx)
            if (int(self._iterations) + 1) % steps == 0:
                grads = torch._foreach_add(grads, accumulators)
                torch._foreach_div_(grads, float(steps))
                self._update(params, self._clip(grads), slots)
                torch._foreach_zero_(accumulators)
            else:
                torch._foreach_add_(accumulators, grads)
        else:
            self._update(params, self._clip(grads), slots)
        if self.use_ema:
            self._update_ema()
        for p in self._constrained:
            p.copy_(p.constraint(p))
        self._iterations.add_(_ONE)  # (`add_(1)` would wrap the number in a tensor every step)

    def _update(self, params, grads, slots):
        lr = self._lr_value()  # float32, rounded as Keras rounds it
        if self.weight_decay is not None:
            self._decay_weights(params, lr)
        if self.reference:
            self._reference_update(params, grads, lr, slots)
        else:
            self.update_step(params, grads, float(lr), slots)

    def _decay_weights(self, params, lr):
        """`w -= w * weight_decay * lr` for the weights not excluded; `lr` is a float32 host
        scalar eagerly, a 0-d tensor in the compiled step."""
        decayed = [p for p in params if self._use_weight_decay(p)]
        if decayed:
            scale = 1 - f32(self.weight_decay) * lr
            torch._foreach_mul_(decayed, number(scale))

    def _reference_update(self, params, grads, lr, slots):
        """The rule applied one parameter at a time, given 0-d tensors as the compiled step
        gives them: what the fast path is compared with."""
        lr = torch.tensor(lr, dtype=torch.float32)
        step = torch.tensor(self._step_count() + 1, dtype=torch.float32)
        self.begin_update(step)
        for i, (p, g) in enumerate(zip(params, grads)):
            self.rule(self, [p], [g], {n: s[i:i + 1] for n, s in slots.items()}, lr, step)

    def step(self, params=None):
        """torch.optim style: applies the `.grad` of each parameter that has one."""
        params = list(params) if params is not None else self._params
        self.apply([p.grad for p in params], params)

    def zero_grad(self, set_to_none=True):
        for p in self._params or []:
            p.grad = None

    # ------------------------------------------------------------ clipping etc.
    def _clip(self, grads):
        # Three kernels for any number of gradients, and no tensor made from a Python number
        # (which would be a host-to-device copy on an accelerator).
        if self.clipnorm and self.clipnorm > 0:
            # Keras: g * clipnorm / max(||g||, clipnorm), per gradient.
            clip = float(self.clipnorm)
            norms = torch.stack(torch._foreach_norm(grads))
            scales = clip / torch.clamp(norms, min=clip)
            return torch._foreach_mul(grads, list(scales.unbind()))
        if self.global_clipnorm and self.global_clipnorm > 0:
            # Keras: g * clip * min(1 / norm, 1 / clip); a NaN/inf norm makes every gradient NaN.
            clip = float(self.global_clipnorm)
            norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
            scale = clip * torch.clamp(1.0 / norm, max=1.0 / clip) + (norm - norm)
            return torch._foreach_mul(grads, scale)
        if self.clipvalue and self.clipvalue > 0:
            v = float(self.clipvalue)
            return torch._foreach_clamp_max(torch._foreach_clamp_min(grads, -v), v)
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempts variables (by object, or by a substring of their name) from weight decay."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the "
                             "optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or []}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        name = getattr(variable, "name", None) or ""
        return not (self._exclude_pattern is not None and self._exclude_pattern.search(name))

    def _update_ema(self):
        params, averages = self._params, self._averages
        momentum = f32(self.ema_momentum) if self._step_count() != 0 else f32(0)
        torch._foreach_mul_(averages, float(momentum))
        torch._foreach_add_(averages, params, alpha=float(f32(1) - momentum))
        freq = self.ema_overwrite_frequency
        if freq and (self._step_count() + 1) % freq == 0:
            torch._foreach_copy_(params, averages)

    def finalize_variable_values(self, var_list=None):
        """With `use_ema`, replaces the weights by their moving average (end of training)."""
        if self.use_ema and self.built:
            with torch.no_grad():
                torch._foreach_copy_(list(var_list or self._params), self._averages)

    def scale_loss(self, loss):
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    # ------------------------------------------------------------------ rules
    # Each optimizer's formula is one module-level function `rule(opt, params, grads, slots,
    # lr, step)`, named here: `update_step` runs it eagerly, `_reference_update` one parameter
    # at a time, and trainers/jit.py inside the compiled step, so the formula exists once.
    # `lr` and `step` (this update's number, from 1) are float32 scalars: 0-d tensors in the
    # compiled step and the reference path (so no step recompiles), NumPy float32 eagerly
    # (host arithmetic, as cheap as a Python float; a 0-d tensor op costs a dispatch). The
    # scalar helpers at the end of this file accept both.
    rule = None
    rule_uses_step = False  # eagerly, `step` is counted only for rules that read it (Adam)

    def begin_update(self, step):
        """Advances per-update scalar state once before the rule runs (none by default)."""

    def update_step(self, params, grads, lr, slots):
        """Updates every parameter in place; `slots` maps each state name to its list."""
        if self.rule is None:
            raise NotImplementedError(f"{type(self).__name__} names no update `rule` and does "
                                      "not override `update_step`.")
        # This update's number (for rules that read it) and learning rate, as float32 scalars.
        step = f32(self._step_count() + 1) if self.rule_uses_step else None
        self.begin_update(step)
        self.rule(self, params, grads, slots, f32(lr), step)

    # ----------------------------------------------------------------- config
    def get_config(self):
        if self._schedule is None:
            lr = float(self._learning_rate)
        elif isinstance(self._schedule, schedules.LearningRateSchedule):
            lr = schedules.serialize(self._schedule)
        else:
            lr = getattr(self._schedule, "__name__", repr(self._schedule))
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects)
        for key in ("is_legacy_optimizer", "jit_compile"):  # Keras 2.11+ configs
            config.pop(key, None)
        return cls(**config)

    def __repr__(self):
        lr = float(self.learning_rate)
        return f"<{type(self).__name__} name={self.name} learning_rate={lr:g}>"


def _check_shapes(owner, grads, params):
    if all(map(operator.eq, map(_SHAPE, grads), map(_SHAPE, params))):
        return  # (compared in C, cheap enough for every step of every loop)
    for g, p in zip(grads, params):
        if g.shape != p.shape:
            raise ValueError(f"{owner}.apply(): the gradient for variable "
                             f"{getattr(p, 'path', None) or 'of shape ' + str(tuple(p.shape))} has "
                             f"shape {tuple(g.shape)}, but the variable has shape "
                             f"{tuple(p.shape)}.")


# ----------------------------------------------- helpers the rules share (scalar or 0-d tensor)
def scalar_pow(base, exponent):
    """`base ** exponent` in float32 for a 0-d tensor or a float32 scalar exponent."""
    if isinstance(exponent, torch.Tensor):
        return torch.pow(base, exponent)
    return np.power(f32(base), exponent)


def scalar_sqrt(x):
    return torch.sqrt(x) if isinstance(x, torch.Tensor) else np.sqrt(x)


def scalar_value(variable, like):
    """A 0-d optimizer variable as the rule's scalars are: itself beside 0-d tensors, else its
    float32 host value."""
    return variable if isinstance(like, torch.Tensor) else f32(variable.item())


def number(x):
    """A foreach op's scalar operand: a 0-d tensor as it is, a host scalar as a Python float."""
    return x if isinstance(x, torch.Tensor) else float(x)


def add_scaled_(targets, tensors, scale):
    """`targets += scale * tensors`, one fused op when `scale` is a host scalar."""
    if isinstance(scale, torch.Tensor):
        torch._foreach_add_(targets, torch._foreach_mul(tensors, scale))
    else:
        torch._foreach_add_(targets, tensors, alpha=float(scale))


def sub_scaled_(targets, tensors, scale):
    """`targets -= scale * tensors`, one fused op when `scale` is a host scalar."""
    if isinstance(scale, torch.Tensor):
        torch._foreach_sub_(targets, torch._foreach_mul(tensors, scale))
    else:
        torch._foreach_add_(targets, tensors, alpha=-float(scale))


def sub_scaled_quotient_(targets, numerators, denominators, scale):
    """`targets -= scale * numerators / denominators`, computed as `(scale * n) / d`."""
    if isinstance(scale, torch.Tensor):
        steps = torch._foreach_mul(numerators, scale)  # (m * alpha) / d, Keras's order
        torch._foreach_div_(steps, denominators)
        torch._foreach_sub_(targets, steps)
    else:
        torch._foreach_addcdiv_(targets, numerators, denominators, value=-float(scale))


def _default_lr(cls):
    import inspect
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        init = getattr(init, "__wrapped__", init)
        if init is None:
            continue
        param = inspect.signature(init).parameters.get("learning_rate")
        if param is not None and param.default is not inspect.Parameter.empty:
            return param.default
    return 0.001


def _positional_as_keywords(init, args):
    import inspect
    names = [n for n, p in inspect.signature(init).parameters.items()
             if p.kind == p.POSITIONAL_OR_KEYWORD][1:]
    if len(args) > len(names):
        raise TypeError(f"{init.__qualname__}() takes at most {len(names)} positional arguments "
                        f"({len(args)} given).")
    return dict(zip(names, args))
