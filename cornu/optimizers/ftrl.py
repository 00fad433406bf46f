"""FTRL-Proximal (Keras 3 formulas and defaults)."""
import torch

from cornu.optimizers.optimizer import Optimizer, number


def ftrl_update(opt, params, grads, slots, lr, step):
    """FTRL's rule, in place, for every path (see Optimizer.rule; `step` is unused). The
    learning-rate terms are float32, as Keras computes them."""
    power = -opt.learning_rate_power
    shrink = 2 * opt.l2_shrinkage_regularization_strength
    quad_l2 = number(2 * (opt.l2_regularization_strength + opt.beta / (2.0 * lr)))
    lr = number(lr)
    accum, linear = slots["accumulator"], slots["linear"]
    new_accum = torch._foreach_addcmul(accum, grads, grads)
    new_pow = torch._foreach_pow(new_accum, power)
    old_pow = torch._foreach_pow(accum, power)
    torch._foreach_add_(linear, grads)
    if shrink:
        torch._foreach_add_(linear, params, alpha=shrink)
    sigma = torch._foreach_sub(new_pow, old_pow)
    torch._foreach_div_(sigma, lr)
    torch._foreach_mul_(sigma, params)
    torch._foreach_sub_(linear, sigma)
    quadratic = torch._foreach_div(new_pow, lr)
    torch._foreach_add_(quadratic, quad_l2)
    l1 = opt.l1_regularization_strength
    clipped = torch._foreach_clamp_max(torch._foreach_clamp_min(linear, -l1), l1)
    torch._foreach_sub_(clipped, linear)
    torch._foreach_div_(clipped, quadratic)
    torch._foreach_copy_(params, clipped)
    torch._foreach_copy_(accum, new_accum)


class Ftrl(Optimizer):
    """Follow The Regularized Leader, as in McMahan et al. (2013).

    With `p = -learning_rate_power`, `n' = n + g^2`:
    `z += g + 2 * l2_shrinkage * w - (n'^p - n^p) / lr * w`;
    `w = (clip(z, -l1, l1) - z) / (n'^p / lr + 2 * (l2 + beta / (2 lr)))`; `n = n'`.

    Args:
        learning_rate: float or schedule, default 0.001.
        learning_rate_power: <= 0, default -0.5.
        initial_accumulator_value: >= 0, default 0.1.
        l1_regularization_strength, l2_regularization_strength,
        l2_shrinkage_regularization_strength: >= 0, default 0.
        beta: default 0.
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        checks = {"initial_accumulator_value": initial_accumulator_value >= 0.0,
                  "learning_rate_power": learning_rate_power <= 0.0,
                  "l1_regularization_strength": l1_regularization_strength >= 0.0,
                  "l2_regularization_strength": l2_regularization_strength >= 0.0,
                  "l2_shrinkage_regularization_strength":
                      l2_shrinkage_regularization_strength >= 0.0}
        for name, ok in checks.items():
            if not ok:
                sign = "negative" if name == "learning_rate_power" else "positive"
                raise ValueError(f"Ftrl: `{name}` needs to be {sign} or zero. Received: "
                                 f"{name}={locals()[name]}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    rule = staticmethod(ftrl_update)

    def build(self, var_list):
        super().build(var_list)
        self.accumulators, self.linears = self.add_slots(
            "accumulator", "linear", fill=(self.initial_accumulator_value, 0.0))
        self.register_slots(accumulator=self.accumulators, linear=self.linears)

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
