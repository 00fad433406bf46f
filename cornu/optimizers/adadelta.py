"""Adadelta (Keras 3: default learning rate 0.001, rho 0.95)."""
import torch

from cornu.optimizers.optimizer import Optimizer, sub_scaled_


def adadelta_update(opt, params, grads, slots, lr, step):
    """Adadelta's rule, in place, for every path (see Optimizer.rule; `step` is unused)."""
    rho, eps, g2, d2 = opt.rho, opt.epsilon, slots["grad"], slots["delta"]
    torch._foreach_mul_(g2, rho)
    torch._foreach_addcmul_(g2, grads, grads, value=1 - rho)
    numerators = torch._foreach_add(d2, eps)
    torch._foreach_sqrt_(numerators)
    torch._foreach_mul_(numerators, grads)
    denominators = torch._foreach_add(g2, eps)
    torch._foreach_sqrt_(denominators)
    deltas = torch._foreach_div(numerators, denominators)  # -delta
    torch._foreach_mul_(d2, rho)
    torch._foreach_addcmul_(d2, deltas, deltas, value=1 - rho)
    sub_scaled_(params, deltas, lr)


class Adadelta(Optimizer):
    """Adapts the step to moving windows of gradient and update magnitudes.

    `g2 = rho * g2 + (1 - rho) * g^2`;
    `delta = -sqrt(d2 + epsilon) * g / sqrt(g2 + epsilon)`;
    `d2 = rho * d2 + (1 - rho) * delta^2`; `w += lr * delta`.
    (Keras 2's default learning rate was 1.0; Keras 3's is 0.001.)

    Args:
        learning_rate: float or schedule, default 0.001.
        rho: decay rate, default 0.95.
        epsilon: default 1e-7.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    rule = staticmethod(adadelta_update)

    def build(self, var_list):
        super().build(var_list)
        self.accumulated_grads, self.accumulated_delta_vars = self.add_slots(
            "accumulated_grad", "accumulated_delta_var")
        self.register_slots(grad=self.accumulated_grads, delta=self.accumulated_delta_vars)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
