"""Adam and AdamW (Keras 3: epsilon added to sqrt(v) and the bias correction folded into the
step size, epsilon 1e-7; torch.optim.Adam adds epsilon to the bias-corrected sqrt(v_hat))."""
import torch

from cornu.optimizers.optimizer import (Optimizer, scalar_pow, scalar_sqrt,
                                        sub_scaled_quotient_)


def adam_update(opt, params, grads, slots, lr, step):
    """Adam's rule, in place, for every path (see Optimizer.rule); Keras folds the bias correction into the step size."""
    alpha = lr * scalar_sqrt(1 - scalar_pow(opt.beta_2, step)) / (
        1 - scalar_pow(opt.beta_1, step))
    m, v = slots["m"], slots["v"]
    torch._foreach_lerp_(m, grads, 1 - opt.beta_1)
    torch._foreach_mul_(v, opt.beta_2)
    torch._foreach_addcmul_(v, grads, grads, value=1 - opt.beta_2)
    if opt.amsgrad:
        torch._foreach_maximum_(slots["v_hat"], v)
        v = slots["v_hat"]
    denominators = torch._foreach_sqrt(v)
    torch._foreach_add_(denominators, opt.epsilon)
    sub_scaled_quotient_(params, m, denominators, alpha)


class Adam(Optimizer):
    """Adaptive moment estimation.

    `m += (g - m)(1 - beta_1)`; `v += (g^2 - v)(1 - beta_2)`;
    `alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`; `w -= alpha * m / (sqrt(v) + epsilon)`,
    with `v` replaced by its running maximum when `amsgrad=True`.

    Args:
        learning_rate: float or schedule, default 0.001.
        beta_1, beta_2: decay rates of the moment estimates, default 0.9 and 0.999.
        epsilon: default 1e-7.
        amsgrad: whether to use the AMSGrad variant.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    rule = staticmethod(adam_update)
    rule_uses_step = True

    def build(self, var_list):
        super().build(var_list)
        self.momentums, self.velocities = self.add_slots("momentum", "velocity")
        self.velocity_hats = self.add_slots("velocity_hat") if self.amsgrad else []
        self.register_slots(m=self.momentums, v=self.velocities, v_hat=self.velocity_hats)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay: each step first does `w -= w * weight_decay * lr`.

    Args:
        weight_decay: default 0.004 (required).
        Others as `Adam`.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
        if self.weight_decay is None:
            raise ValueError("AdamW: argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
