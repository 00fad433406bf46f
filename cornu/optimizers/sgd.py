"""SGD with momentum and Nesterov momentum (Keras 3 formulas, default learning rate 0.01)."""
import torch

from cornu.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """`v = momentum * v - lr * g; w += v` (Nesterov: `w += momentum * v - lr * g`)."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD: `momentum` must be in [0, 1], received {momentum}.")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def build(self, params):
        super().build(params)
        self.momentums = self.add_slot() if self.momentum else None

    def _slot_tensors(self):
        return list(self.momentums or [])

    def update_step(self, params, grads, lr):
        lr = float(lr)
        if not self.momentum:
            torch._foreach_add_(params, grads, alpha=-lr)
            return
        m = self.momentums
        scaled = torch._foreach_mul(grads, lr)
        torch._foreach_mul_(m, self.momentum)
        torch._foreach_sub_(m, scaled)
        if self.nesterov:
            step = torch._foreach_mul(m, self.momentum)
            torch._foreach_sub_(step, scaled)
            torch._foreach_add_(params, step)
        else:
            torch._foreach_add_(params, m)

    def reference_update(self, param, grad, lr, slots):
        if not self.momentum:
            param -= grad * lr
            return
        m = slots["momentum"]
        m.copy_(m * self.momentum - grad * lr)
        param += m * self.momentum - grad * lr if self.nesterov else m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
