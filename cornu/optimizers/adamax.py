"""Adamax (Keras 3: default learning rate 0.001; Keras 2's was 0.002)."""
import numpy as np
import torch

from cornu.optimizers.optimizer import Optimizer, f32


class Adamax(Optimizer):
    """Adam with the infinity norm.

    `m += (g - m)(1 - beta_1)`; `u = max(beta_2 * u, |g|)`;
    `w -= lr * m / ((1 - beta_1^t) * (u + epsilon))`.

    Args:
        learning_rate: float or schedule, default 0.001.
        beta_1, beta_2: default 0.9 and 0.999.
        epsilon: default 1e-7.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, var_list):
        super().build(var_list)
        self.m, self.u = self.add_slots("momentum", "norm")
        self.register_slots(m=self.m, u=self.u)

    def _correction(self):
        t = f32(self._step_count() + 1)
        return float(f32(1) - np.power(f32(self.beta_1), t))

    def update_step(self, params, grads, lr, slots):
        m, u = slots["m"], slots["u"]
        torch._foreach_lerp_(m, grads, 1 - self.beta_1)
        torch._foreach_mul_(u, self.beta_2)
        torch._foreach_maximum_(u, torch._foreach_abs(grads))
        denominators = torch._foreach_add(u, self.epsilon)
        torch._foreach_mul_(denominators, self._correction())
        torch._foreach_addcdiv_(params, torch._foreach_mul(m, float(lr)), denominators, value=-1)

    def reference_update(self, param, grad, lr, slots):
        m, u = slots["m"], slots["u"]
        m += (grad - m) * (1 - self.beta_1)
        u.copy_(torch.maximum(self.beta_2 * u, torch.abs(grad)))
        param -= lr * m / (self._correction() * (u + self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
