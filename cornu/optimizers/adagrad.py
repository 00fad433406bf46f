"""Adagrad (Keras 3: accumulators start at 0.1, epsilon inside the square root, lr 0.001)."""
import torch

from cornu.optimizers.optimizer import Optimizer


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

    def build(self, var_list):
        super().build(var_list)
        self.accumulators = self.add_slots("accumulator", fill=self.initial_accumulator_value)
        self.register_slots(accumulator=self.accumulators)

    def update_step(self, params, grads, lr, slots):
        a = slots["accumulator"]
        torch._foreach_addcmul_(a, grads, grads)
        denominators = torch._foreach_add(a, self.epsilon)
        torch._foreach_sqrt_(denominators)
        torch._foreach_addcdiv_(params, torch._foreach_mul(grads, float(lr)), denominators,
                                value=-1)

    def reference_update(self, param, grad, lr, slots):
        a = slots["accumulator"]
        a += grad * grad
        param -= lr * grad / torch.sqrt(a + self.epsilon)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
