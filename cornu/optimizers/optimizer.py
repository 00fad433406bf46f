"""The optimizer base: Keras 3's update formulas on `torch._foreach_*` ops.

The learning rate and the step counter are 0-d tensors (`optimizer.learning_rate`,
`optimizer.iterations`): settable while training (`K.set_value(opt.lr, 0.01)`, ReduceLROnPlateau),
schedulable, and saved with the optimizer. They live on the CPU: reading them each step is a
memory read, never a device sync. Subclasses implement `update_step(params, grads, lr)`, one
call over all parameters (the fast path), and `reference_update(param, grad, lr, slots)`,
the per-parameter formula the tests compare it with.
"""
import numpy as np
import torch

from cornu.compat import arguments as legacy
from cornu.optimizers import schedules


class Optimizer:
    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{sorted(kwargs)} (not an argument of this optimizer in any Keras "
                            "version).")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set.")
        self.name = name or type(self).__name__.lower()
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema = use_ema
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.loss_scale_factor = loss_scale_factor
        self.iterations = torch.zeros((), dtype=torch.int64)
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            self._schedule = learning_rate
            self._learning_rate = torch.tensor(float(learning_rate(0)), dtype=torch.float32)
        else:
            self._schedule = None
            self._learning_rate = torch.tensor(float(learning_rate), dtype=torch.float32)
        self._params = None
        self._accumulated = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return

        def __init__(self, *args, **kw):
            if not self.__dict__.get("_translated"):
                self._translated = True
                kw = legacy.translate("optimizer", kw, type(self).__name__)
            init(self, *args, **kw)

        __init__.__doc__ = init.__doc__
        __init__.__wrapped__ = init
        cls.__init__ = __init__

    # ------------------------------------------------------------- learning rate
    @property
    def learning_rate(self):
        """The current learning rate, a 0-d tensor (the schedule's value when there is one)."""
        if self._schedule is not None:
            self._learning_rate.fill_(float(self._schedule(int(self.iterations))))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule):
            self._schedule = value
            return
        self._schedule = None
        self._learning_rate.fill_(float(value))

    lr = learning_rate  # Keras 2 spelling, still used with K.get_value / K.set_value

    def _current_lr(self):
        """The learning rate for this step, as a float32 NumPy scalar (Keras computes in float32)."""
        if self._schedule is not None:
            return np.float32(self._schedule(int(self.iterations)))
        return np.float32(self._learning_rate.item())

    # ----------------------------------------------------------------- state
    def build(self, params):
        self._params = list(params)

    def add_slot(self, fill=0.0):
        """One zero (or `fill`) tensor per parameter, in the parameter's shape and layout."""
        return [torch.full_like(p, fill, memory_format=torch.preserve_format).detach()
                for p in self._params]

    @property
    def variables(self):
        return [self.iterations] + self._slot_tensors()

    def _slot_tensors(self):
        return []

    # ----------------------------------------------------------------- apply
    def apply_gradients(self, grads_and_vars):
        """Keras API: applies `[(grad, var), ...]`."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        grads = [g for g, _ in pairs]
        params = [v for _, v in pairs]
        self.apply(grads, params)

    def apply(self, grads, params=None):
        params = list(params) if params is not None else self._params
        if self._params is None:
            self.build(params)
        with torch.no_grad():
            grads = self._clip(list(grads))
            if self.gradient_accumulation_steps:
                if not self._accumulate(grads):
                    return
                grads = self._accumulated
            lr = self._current_lr()
            if self.weight_decay:
                torch._foreach_mul_(params, 1.0 - float(lr) * float(self.weight_decay))
            self.update_step(params, grads, lr)
            self.iterations += 1
            self._apply_constraints(params)
            if self.gradient_accumulation_steps:
                torch._foreach_zero_(self._accumulated)

    def step(self, params=None):
        """torch.optim-style: applies the `.grad` of every parameter that has one."""
        params = params if params is not None else self._params
        with_grad = [p for p in params if p.grad is not None]
        self.apply([p.grad for p in with_grad], with_grad) if len(with_grad) == len(params) \
            else self._apply_subset(with_grad)

    def _apply_subset(self, params):
        raise RuntimeError(f"{type(self).__name__}: some trainable weights received no gradient "
                           "(they do not affect the loss); this is not supported yet.")

    def _accumulate(self, grads):
        if self._accumulated is None:
            self._accumulated = [torch.zeros_like(g) for g in grads]
            self._acc_count = 0
        steps = self.gradient_accumulation_steps
        torch._foreach_add_(self._accumulated, grads, alpha=1.0 / steps)
        self._acc_count += 1
        if self._acc_count % steps:
            return False
        return True

    def _clip(self, grads):
        if self.clipvalue is not None:
            grads = [torch.clamp(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:
            out = []
            for g in grads:
                norm = torch.sqrt(torch.sum(g * g))
                out.append(torch.where(norm > self.clipnorm, g * (self.clipnorm / norm), g))
            grads = out
        if self.global_clipnorm is not None:
            norm = torch.sqrt(sum(torch.sum(g * g) for g in grads))
            scale = torch.clamp(self.global_clipnorm / torch.clamp(norm, min=1e-12), max=1.0)
            grads = [g * scale for g in grads]
        return grads

    @staticmethod
    def _apply_constraints(params):
        for p in params:
            constraint = getattr(p, "constraint", None)
            if constraint is not None:
                p.copy_(constraint(p))

    # ----------------------------------------------------------------- config
    def get_config(self):
        lr = schedules.serialize(self._schedule) if self._schedule is not None \
            else float(self._learning_rate)
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects)
        for key in ("is_legacy_optimizer", "jit_compile", "ema_momentum",
                    "ema_overwrite_frequency"):
            config.pop(key, None)
        return cls(**config)

    def update_step(self, params, grads, lr):
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} learning_rate={float(self._learning_rate):g}>"
