"""SGD with momentum and Nesterov momentum (Keras 3; default learning rate 0.01)."""
import torch

from cornu.optimizers.optimizer import Optimizer, sub_scaled_
from cornu.utils.validation import check_number


def sgd_update(opt, params, grads, slots, lr, step):
    """SGD's rule, in place, for every path (see Optimizer.rule)."""
    if not opt.momentum:
        sub_scaled_(params, grads, lr)
        return
    m = slots["momentum"]
    torch._foreach_mul_(m, opt.momentum)
    sub_scaled_(m, grads, lr)
    if opt.nesterov:
        sub_scaled_(params, grads, lr)
        torch._foreach_add_(params, m, alpha=opt.momentum)
    else:
        torch._foreach_add_(params, m)


class SGD(Optimizer):
    """Gradient descent with momentum.

    `v = momentum * v - lr * g`, then `w += v`, or with `nesterov=True`
    `w += momentum * v - lr * g`. Without momentum, `w -= lr * g`.

    Args:
        learning_rate: float or schedule, default 0.01.
        momentum: float in [0, 1], default 0.
        nesterov: whether to use Nesterov momentum.
        **kwargs: the base optimizer's arguments (`clipnorm`, `weight_decay`, ...).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        momentum = check_number(momentum, "momentum", "SGD", 0.0, 1.0)
        self.momentum, self.nesterov = momentum, nesterov

    rule = staticmethod(sgd_update)

    def build(self, var_list):
        super().build(var_list)
        self.momentums = self.add_slots("momentum") if self.momentum != 0 else []
        self.register_slots(momentum=self.momentums)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
