"""Every optimizer, 20 steps on a small network, against real Keras 3 from the same weights.

Both sides run the same torch forward pass and backward; only the update rule differs: Keras's
optimizer on `keras.Variable`s versus cornu's on parameters. float32, rtol 1e-5, atol 1e-6.
Keras 2's arguments (which Keras 3 rejects) are compared with the documented formula they
stand for.
"""
import numpy as np
import pytest
import torch

import cornu
from cornu import optimizers

keras = pytest.importorskip("keras")

STEPS = 20
RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 5)).astype("float32")
Y = RNG.normal(size=(32, 3)).astype("float32")
WEIGHTS = [RNG.normal(scale=0.5, size=s).astype("float32") for s in [(5, 8), (8,), (8, 3), (3,)]]


def _loss(params, step):
    w1, b1, w2, b2 = params
    batch = slice((step % 2) * 16, (step % 2) * 16 + 16)
    x, y = torch.from_numpy(X[batch]), torch.from_numpy(Y[batch])
    return torch.mean((torch.tanh(x @ w1 + b1) @ w2 + b2 - y) ** 2)


def _keras_schedule(spec):
    if not isinstance(spec, dict):
        return spec
    return getattr(keras.optimizers.schedules, spec["class_name"])(**spec["config"])


def train_keras(name, config, constraint=None):
    config = {k: _keras_schedule(v) for k, v in config.items()}
    opt = getattr(keras.optimizers, name)(**config)
    variables = [keras.Variable(w.copy()) for w in WEIGHTS]
    if constraint is not None:
        variables[0].constraint = getattr(keras.constraints, constraint[0])(**constraint[1])
    for step in range(STEPS):
        params = [v.value for v in variables]
        opt.apply(list(torch.autograd.grad(_loss(params, step), params)), variables)
    return [v.numpy() for v in variables]


def train_cornu(name, config, constraint=None, reference=False):
    config = {k: optimizers.schedules.deserialize(v) if isinstance(v, dict) else v
              for k, v in config.items()}
    opt = getattr(cornu.optimizers, name)(**config)
    opt.reference = reference
    params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in WEIGHTS]
    if constraint is not None:
        params[0].constraint = cornu.constraints.get({"class_name": constraint[0],
                                                      "config": constraint[1]})
    for step in range(STEPS):
        opt.apply(list(torch.autograd.grad(_loss(params, step), params)), params)
    return [p.detach().numpy() for p in params]


def _schedule(class_name, **config):
    return {"class_name": class_name, "config": config}


CASES = {
    "sgd": ("SGD", {"learning_rate": 0.1}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    "rmsprop": ("RMSprop", {}),
    "rmsprop_centered_momentum": ("RMSprop", {"rho": 0.8, "momentum": 0.5, "centered": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.05}),
    "adagrad_zero_init": ("Adagrad", {"learning_rate": 0.05, "initial_accumulator_value": 0.0,
                                      "epsilon": 1e-3}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "adam": ("Adam", {"learning_rate": 0.01}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.01, "amsgrad": True, "beta_2": 0.9}),
    "adamw": ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.05}),
    "adamax": ("Adamax", {"learning_rate": 0.01}),
    "nadam": ("Nadam", {"learning_rate": 0.01}),
    "ftrl": ("Ftrl", {"learning_rate": 0.1}),
    "ftrl_regularized": ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.01,
                                  "l2_regularization_strength": 0.02, "beta": 0.1,
                                  "l2_shrinkage_regularization_strength": 0.01,
                                  "learning_rate_power": -0.3}),
    "lion": ("Lion", {"learning_rate": 0.001}),
    "clipnorm": ("Adam", {"learning_rate": 0.01, "clipnorm": 0.1}),
    "global_clipnorm": ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "global_clipnorm": 0.2}),
    "clipvalue": ("RMSprop", {"clipvalue": 0.05}),
    "weight_decay": ("SGD", {"learning_rate": 0.1, "weight_decay": 0.1}),
    "weight_decay_clipnorm": ("Nadam", {"weight_decay": 0.1, "clipnorm": 0.1}),
    "accumulation": ("Adam", {"learning_rate": 0.01, "gradient_accumulation_steps": 3}),
    "accumulation_clip_schedule": ("SGD", {
        "momentum": 0.9, "gradient_accumulation_steps": 2, "clipnorm": 0.5,
        "learning_rate": _schedule("ExponentialDecay", initial_learning_rate=0.1,
                                   decay_steps=4, decay_rate=0.5)}),
    "ema": ("Adam", {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.9,
                     "ema_overwrite_frequency": 5}),
    "loss_scale": ("Adamax", {"learning_rate": 0.01, "loss_scale_factor": 8.0}),
    "exponential_decay": ("SGD", {"learning_rate": _schedule(
        "ExponentialDecay", initial_learning_rate=0.2, decay_steps=5, decay_rate=0.5,
        staircase=True)}),
    "piecewise": ("SGD", {"learning_rate": _schedule(
        "PiecewiseConstantDecay", boundaries=[5, 12], values=[0.2, 0.1, 0.02])}),
    "polynomial": ("Adam", {"learning_rate": _schedule(
        "PolynomialDecay", initial_learning_rate=0.02, decay_steps=8, power=2.0, cycle=True)}),
    "inverse_time": ("RMSprop", {"learning_rate": _schedule(
        "InverseTimeDecay", initial_learning_rate=0.01, decay_steps=3, decay_rate=0.5)}),
    "cosine_warmup": ("Adam", {"learning_rate": _schedule(
        "CosineDecay", initial_learning_rate=0.0, decay_steps=12, alpha=0.1,
        warmup_target=0.02, warmup_steps=5)}),
    "cosine_restarts": ("SGD", {"learning_rate": _schedule(
        "CosineDecayRestarts", initial_learning_rate=0.2, first_decay_steps=4, t_mul=2.0,
        m_mul=0.8, alpha=0.05)}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_optimizer_matches_keras(case):
    name, config = CASES[case]
    theirs = train_keras(name, dict(config))
    ours = train_cornu(name, dict(config))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert max(np.abs(a - w).max() for a, w in zip(ours, WEIGHTS)) > 1e-3  # it did train


@pytest.mark.parametrize("case", ["sgd_nesterov", "rmsprop_centered_momentum", "adagrad",
                                  "adadelta", "adam_amsgrad", "adamw", "adamax", "nadam",
                                  "ftrl_regularized", "lion", "weight_decay_clipnorm"])
def test_reference_path_matches_keras(case):
    # the same rule one parameter at a time, with 0-d tensor scalars (the compiled step's form)
    name, config = CASES[case]
    ours = train_cornu(name, dict(config), reference=True)
    for a, b in zip(ours, train_keras(name, dict(config))):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("constraint", [("MaxNorm", {"max_value": 0.8}), ("NonNeg", {}),
                                        ("UnitNorm", {"axis": 1}),
                                        ("MinMaxNorm", {"min_value": 0.5, "max_value": 0.9,
                                                        "rate": 0.7})])
def test_constraints_applied_after_each_update_as_keras(constraint):
    config = {"learning_rate": 0.05, "momentum": 0.9}
    for a, b in zip(train_cornu("SGD", config, constraint),
                    train_keras("SGD", config, constraint)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# Keras 2 arguments, which Keras 3 rejects, against the formula they are documented to mean.
def test_legacy_decay_is_time_based_decay():
    ours = train_cornu("SGD", {"lr": 0.1, "decay": 0.05, "momentum": 0.9})
    theirs = train_keras("SGD", {"momentum": 0.9, "learning_rate": _schedule(
        "InverseTimeDecay", initial_learning_rate=0.1, decay_steps=1, decay_rate=0.05)})
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # lr_t = lr / (1 + decay * t), t counting from 0, as Keras 2's optimizers computed it
    opt = cornu.optimizers.SGD(lr=0.1, decay=0.05)
    rates = []
    for _ in range(4):
        rates.append(float(opt._lr_value()))
        opt._iterations += 1
    np.testing.assert_allclose(rates, [0.1 / (1 + 0.05 * t) for t in range(4)], rtol=1e-6)


@pytest.mark.parametrize("name, legacy, modern", [
    ("Adam", {"lr": 0.01, "epsilon": None}, {"learning_rate": 0.01, "epsilon": 1e-7}),
    ("RMSprop", {"lr": 0.002, "epsilon": None, "decay": 0.0}, {"learning_rate": 0.002}),
    ("Nadam", {"lr": 0.01, "schedule_decay": 0.004}, {"learning_rate": 0.01}),
    ("Adagrad", {"lr": 0.05, "epsilon": None}, {"learning_rate": 0.05}),
])
def test_legacy_spellings_mean_their_keras3_equivalent(name, legacy, modern):
    with pytest.warns(cornu.compat.arguments.LegacyWarning):
        cornu.compat.arguments._WARNED.clear()
        ours = train_cornu(name, legacy)
    for a, b in zip(ours, train_keras(name, modern)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
