"""Lion (Keras 3 formulas; default beta_2 0.99)."""
import torch

from cornu.optimizers.optimizer import Optimizer, sub_scaled_


def lion_update(opt, params, grads, slots, lr, step):
    """Lion's rule, in place, for every path (see Optimizer.rule; `step` is unused)."""
    m = slots["m"]
    c = torch._foreach_mul(m, opt.beta_1)
    torch._foreach_add_(c, grads, alpha=1 - opt.beta_1)
    torch._foreach_sign_(c)
    sub_scaled_(params, c, lr)
    torch._foreach_mul_(m, opt.beta_2)
    torch._foreach_add_(m, grads, alpha=1 - opt.beta_2)


class Lion(Optimizer):
    """Sign momentum: `w -= lr * sign(beta_1 * m + (1 - beta_1) * g)`, then
    `m = beta_2 * m + (1 - beta_2) * g`.

    Args:
        learning_rate: float or schedule, default 0.001.
        beta_1: in (0, 1], default 0.9.
        beta_2: default 0.99.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Lion: argument `beta_1` must be in the (0, 1] range (otherwise the "
                             f"optimizer degenerates to SignSGD). Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = beta_1, beta_2

    rule = staticmethod(lion_update)

    def build(self, var_list):
        super().build(var_list)
        self.momentums = self.add_slots("momentum")
        self.register_slots(m=self.momentums)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
