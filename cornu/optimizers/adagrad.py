"""Adagrad (Keras 3: accumulators start at 0.1, epsilon inside the square root, lr 0.001)."""
import torch

from cornu.optimizers.optimizer import Optimizer, sub_scaled_quotient_


def adagrad_update(opt, params, grads, slots, lr, step):
    """Adagrad's rule, in place, for every path (see Optimizer.rule; `step` is unused)."""
    a = slots["accumulator"]
    torch._foreach_addcmul_(a, grads, grads)
    denominators = torch._foreach_add(a, opt.epsilon)
    torch._foreach_sqrt_(denominators)
    sub_scaled_quotient_(params, grads, denominators, lr)


class Adagrad(Optimizer):
    """Per-parameter learning rates scaled by the accumulated squared gradients.

    `a += g^2`; `w -= lr * g / sqrt(a + epsilon)`, with `a` starting at
    `initial_accumulator_value`. (Keras 2 started at 0 and added epsilon after the square root;
    torch.optim.Adagrad starts at 0.)

    Args:
        learning_rate: float or schedule, default 0.001.
        initial_accumulator_value: default 0.1.
        epsilon: default 1e-7.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    rule = staticmethod(adagrad_update)

    def build(self, var_list):
        super().build(var_list)
        self.accumulators = self.add_slots("accumulator", fill=self.initial_accumulator_value)
        self.register_slots(accumulator=self.accumulators)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
