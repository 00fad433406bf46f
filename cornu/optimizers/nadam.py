"""Nadam (Keras 3: momentum schedule `beta_1 * (1 - 0.5 * 0.96^t)`, learning rate 0.001; Keras 2
used `0.96^(t * schedule_decay)` with `schedule_decay=0.004` and learning rate 0.002)."""
import numpy as np
import torch

from cornu.optimizers.optimizer import Optimizer, f32


class Nadam(Optimizer):
    """Adam with Nesterov momentum.

    With `u_t = beta_1 * (1 - 0.5 * 0.96^t)` and `U_t = u_1 * ... * u_t`:
    `m += (g - m)(1 - beta_1)`; `v += (g^2 - v)(1 - beta_2)`;
    `m_hat = u_{t+1} m / (1 - U_t u_{t+1}) + (1 - u_t) g / (1 - U_t)`;
    `v_hat = v / (1 - beta_2^t)`; `w -= lr * m_hat / (sqrt(v_hat) + epsilon)`.

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
        self.momentums, self.velocities = self.add_slots("momentum", "velocity")
        self.u_product = self.add_variable(1.0, name="u_product")
        self.register_slots(m=self.momentums, v=self.velocities)

    def _scalars(self):
        """Once per update: advances the momentum product; returns the step's coefficients."""
        t = f32(self._step_count() + 1)
        beta_1, decay = f32(self.beta_1), f32(0.96)
        u_t = beta_1 * (f32(1) - f32(0.5) * np.power(decay, t))
        u_next = beta_1 * (f32(1) - f32(0.5) * np.power(decay, t + f32(1)))
        product = f32(self.u_product.item()) * u_t
        self.u_product.fill_(float(product))
        m_coef = u_next / (f32(1) - product * u_next)
        g_coef = (f32(1) - u_t) / (f32(1) - product)
        return float(m_coef), float(g_coef), float(f32(1) - np.power(f32(self.beta_2), t))

    def update_step(self, params, grads, lr, slots):
        m_coef, g_coef, v_corr = self._scalars()
        m, v = slots["m"], slots["v"]
        torch._foreach_lerp_(m, grads, 1 - self.beta_1)
        torch._foreach_mul_(v, self.beta_2)
        torch._foreach_addcmul_(v, grads, grads, value=1 - self.beta_2)
        m_hat = torch._foreach_mul(m, m_coef)
        torch._foreach_add_(m_hat, grads, alpha=g_coef)
        denominators = torch._foreach_div(v, v_corr)
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, self.epsilon)
        torch._foreach_addcdiv_(params, m_hat, denominators, value=-lr)

    def _update(self, params, grads, slots):
        if self.reference:  # the coefficients advance once per update, not once per parameter
            self._reference_scalars = self._scalars()
        super()._update(params, grads, slots)

    def reference_update(self, param, grad, lr, slots):
        m_coef, g_coef, v_corr = self._reference_scalars
        m, v = slots["m"], slots["v"]
        m += (grad - m) * (1 - self.beta_1)
        v += (grad * grad - v) * (1 - self.beta_2)
        m_hat = m_coef * m + g_coef * grad
        param -= m_hat * lr / (torch.sqrt(v / v_corr) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
