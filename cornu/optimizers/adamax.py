"""Adamax (Keras 3: default learning rate 0.001; Keras 2's was 0.002)."""
import torch

from cornu.optimizers.optimizer import Optimizer, number, scalar_pow, sub_scaled_quotient_


def adamax_update(opt, params, grads, slots, lr, step):
    """Adamax's rule, in place, for every path (see Optimizer.rule)."""
    m, u = slots["m"], slots["u"]
    torch._foreach_lerp_(m, grads, 1 - opt.beta_1)
    torch._foreach_mul_(u, opt.beta_2)
    torch._foreach_maximum_(u, torch._foreach_abs(grads))
    denominators = torch._foreach_add(u, opt.epsilon)
    torch._foreach_mul_(denominators, number(1 - scalar_pow(opt.beta_1, step)))
    sub_scaled_quotient_(params, m, denominators, lr)


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

    rule = staticmethod(adamax_update)
    rule_uses_step = True

    def build(self, var_list):
        super().build(var_list)
        self.m, self.u = self.add_slots("momentum", "norm")
        self.register_slots(m=self.m, u=self.u)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
