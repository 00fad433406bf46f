"""RMSprop (Keras 3: epsilon inside... see formula; default learning rate 0.001, rho 0.9)."""
import torch

from cornu.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """`v = rho v + (1 - rho) g^2`; centered: `mg = rho mg + (1 - rho) g`, `denom = v - mg^2`;
    `increment = lr * g / sqrt(denom + epsilon)`; with momentum `m = momentum m + increment`,
    `w -= m`, else `w -= increment`."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.momentum = float(rho), float(momentum)
        self.epsilon = 1e-7 if epsilon is None else float(epsilon)
        self.centered = bool(centered)

    def build(self, params):
        super().build(params)
        self.velocities = self.add_slot()
        self.momentums = self.add_slot() if self.momentum > 0 else None
        self.average_gradients = self.add_slot() if self.centered else None

    def _slot_tensors(self):
        return self.velocities + list(self.momentums or []) + list(self.average_gradients or [])

    def update_step(self, params, grads, lr):
        lr, rho = float(lr), self.rho
        v = self.velocities
        torch._foreach_mul_(v, rho)
        torch._foreach_addcmul_(v, grads, grads, value=1 - rho)
        if self.centered:
            mg = self.average_gradients
            torch._foreach_mul_(mg, rho)
            torch._foreach_add_(mg, grads, alpha=1 - rho)
            denom = torch._foreach_sub(v, torch._foreach_mul(mg, mg))
        else:
            denom = [x.clone() for x in v]
        torch._foreach_add_(denom, self.epsilon)
        torch._foreach_sqrt_(denom)
        increment = torch._foreach_mul(grads, lr)
        torch._foreach_div_(increment, denom)
        if self.momentums is not None:
            torch._foreach_mul_(self.momentums, self.momentum)
            torch._foreach_add_(self.momentums, increment)
            torch._foreach_sub_(params, self.momentums)
        else:
            torch._foreach_sub_(params, increment)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
