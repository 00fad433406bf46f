"""Adam (Keras 3: epsilon added to sqrt(v) *before* bias correction is applied to the step)."""
import numpy as np
import torch

from cornu.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """`alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)`; `m += (g - m)(1 - b1)`;
    `v += (g^2 - v)(1 - b2)`; `w -= m * alpha / (sqrt(v) + epsilon)`."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon = 1e-7 if epsilon is None else float(epsilon)
        self.amsgrad = bool(amsgrad)

    def build(self, params):
        super().build(params)
        self.momentums = self.add_slot()
        self.velocities = self.add_slot()
        self.velocity_hats = self.add_slot() if self.amsgrad else None

    def _slot_tensors(self):
        return self.momentums + self.velocities + list(self.velocity_hats or [])

    def _alpha(self, lr):
        t = np.float32(int(self.iterations) + 1)
        b1_power = np.power(np.float32(self.beta_1), t)
        b2_power = np.power(np.float32(self.beta_2), t)
        return float(np.float32(lr) * np.sqrt(np.float32(1) - b2_power) / (np.float32(1) - b1_power))

    def update_step(self, params, grads, lr):
        alpha = self._alpha(lr)
        m, v = self.momentums, self.velocities
        torch._foreach_lerp_(m, grads, 1 - self.beta_1)
        torch._foreach_lerp_(v, torch._foreach_mul(grads, grads), 1 - self.beta_2)
        if self.amsgrad:
            torch._foreach_maximum_(self.velocity_hats, v)
            v = self.velocity_hats
        denom = torch._foreach_sqrt(v)
        torch._foreach_add_(denom, self.epsilon)
        step = torch._foreach_mul(m, alpha)
        torch._foreach_div_(step, denom)
        torch._foreach_sub_(params, step)

    def reference_update(self, param, grad, lr, slots):
        alpha = self._alpha(lr)
        m, v = slots["m"], slots["v"]
        m += (grad - m) * (1 - self.beta_1)
        v += (grad * grad - v) * (1 - self.beta_2)
        if self.amsgrad:
            slots["v_hat"].copy_(torch.maximum(slots["v_hat"], v))
            v = slots["v_hat"]
        param -= m * alpha / (torch.sqrt(v) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
