"""Nadam (Keras 3: momentum schedule `beta_1 * (1 - 0.5 * 0.96^t)`, learning rate 0.001; Keras 2
used `0.96^(t * schedule_decay)` with `schedule_decay=0.004` and learning rate 0.002)."""
import torch

from cornu.optimizers.optimizer import (Optimizer, add_scaled_, f32, number, scalar_pow,
                                        scalar_value, sub_scaled_quotient_)


def nadam_update(opt, params, grads, slots, lr, step):
    """Nadam's rule, in place, for every path (see Optimizer.rule); `begin_update` has
    already multiplied this step's `u_t` into the momentum product."""
    beta_1 = f32(opt.beta_1)
    u_t = beta_1 * (1 - 0.5 * scalar_pow(0.96, step))
    u_next = beta_1 * (1 - 0.5 * scalar_pow(0.96, step + 1))
    product = scalar_value(opt.u_product, step)
    m_coef = number(u_next / (1 - product * u_next))
    g_coef = (1 - u_t) / (1 - product)
    m, v = slots["m"], slots["v"]
    torch._foreach_lerp_(m, grads, 1 - opt.beta_1)
    torch._foreach_mul_(v, opt.beta_2)
    torch._foreach_addcmul_(v, grads, grads, value=1 - opt.beta_2)
    m_hat = torch._foreach_mul(m, m_coef)
    add_scaled_(m_hat, grads, g_coef)
    denominators = torch._foreach_div(v, number(1 - scalar_pow(opt.beta_2, step)))
    torch._foreach_sqrt_(denominators)
    torch._foreach_add_(denominators, opt.epsilon)
    sub_scaled_quotient_(params, m_hat, denominators, lr)


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

    rule = staticmethod(nadam_update)
    rule_uses_step = True

    def begin_update(self, step):
        """Once per update, on every path: `U_t = U_{t-1} * u_t` (Keras keeps `U` as a
        variable)."""
        u_t = f32(self.beta_1) * (1 - 0.5 * scalar_pow(0.96, step))
        self.u_product.mul_(number(u_t))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
