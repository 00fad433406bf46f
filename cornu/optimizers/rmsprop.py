"""RMSprop (Keras 3: epsilon inside the square root; defaults lr 0.001, rho 0.9)."""
import torch

from cornu.optimizers.optimizer import Optimizer, number


def rmsprop_update(opt, params, grads, slots, lr, step):
    """RMSprop's rule, in place, for every path (see Optimizer.rule; `step` is unused: no
    bias correction)."""
    rho, v = opt.rho, slots["velocity"]
    torch._foreach_mul_(v, rho)
    torch._foreach_addcmul_(v, grads, grads, value=1 - rho)
    denominators = torch._foreach_add(v, opt.epsilon)
    if opt.centered:
        a = slots["average_gradient"]
        torch._foreach_mul_(a, rho)
        torch._foreach_add_(a, grads, alpha=1 - rho)
        torch._foreach_addcmul_(denominators, a, a, value=-1)
    torch._foreach_sqrt_(denominators)
    increments = torch._foreach_mul(grads, number(lr))
    torch._foreach_div_(increments, denominators)
    if opt.momentum > 0:
        m = slots["momentum"]
        torch._foreach_mul_(m, opt.momentum)
        torch._foreach_add_(m, increments)
        increments = m
    torch._foreach_sub_(params, increments)


class RMSprop(Optimizer):
    """Divides the gradient by a moving root mean square of recent gradients.

    `v = rho * v + (1 - rho) * g^2`; centered: `a = rho * a + (1 - rho) * g` and the
    denominator is `v - a^2`; `step = lr * g / sqrt(denominator + epsilon)`; with momentum
    `m = momentum * m + step`, `w -= m`, else `w -= step`. (Keras 2 added epsilon *after* the
    square root.)

    Args:
        learning_rate: float or schedule, default 0.001.
        rho: discounting factor of the moving average, default 0.9.
        momentum: default 0.
        epsilon: default 1e-7.
        centered: normalize by the estimated variance instead of the second moment.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    rule = staticmethod(rmsprop_update)

    def build(self, var_list):
        super().build(var_list)
        self.velocities = self.add_slots("velocity")
        self.momentums = self.add_slots("momentum") if self.momentum > 0 else []
        self.average_gradients = self.add_slots("average_gradient") if self.centered else []
        self.register_slots(velocity=self.velocities, momentum=self.momentums,
                            average_gradient=self.average_gradients)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
