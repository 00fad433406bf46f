"""Optimizer behaviour that needs no reference library: each optimizer's one update rule gives
the same weights on the foreach fast path (all parameters, host scalars), the reference path
(one parameter at a time, 0-d tensors) and in the compiled step's form (0-d tensors), names and configs round-trip, the learning rate and step counter
are 0-d tensors that `K.get_value`/`K.set_value` read and write."""
import numpy as np
import pytest
import torch

from cornu import backend as K
from cornu import optimizers
from cornu.optimizers import schedules

ALL = ["sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamw", "adamax", "nadam", "ftrl",
       "lion"]
OPTIONS = {
    "sgd": [{"momentum": 0.9}, {"momentum": 0.9, "nesterov": True}],
    "rmsprop": [{"momentum": 0.5, "centered": True}],
    "adam": [{"amsgrad": True}],
    "ftrl": [{"l1_regularization_strength": 0.01, "l2_regularization_strength": 0.01,
              "beta": 0.1, "l2_shrinkage_regularization_strength": 0.01}],
}
FAST_VS_REFERENCE = [(n, c) for n in ALL for c in [{}] + OPTIONS.get(n, [])] + [
    ("adam", {"clipnorm": 0.1, "weight_decay": 0.01}),
    ("nadam", {"gradient_accumulation_steps": 2, "global_clipnorm": 0.5}),
]


def _run(optimizer, steps=8, subset=False):
    gen = torch.Generator().manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(s, generator=gen)) for s in [(4, 3), (3,), (2, 2)]]
    for step in range(steps):
        grads = [torch.randn(p.shape, generator=gen) for p in params]
        if subset and step % 2:  # a step where one weight got no gradient
            optimizer.apply([grads[2], None, grads[0]], [params[2], params[1], params[0]])
        else:
            optimizer.apply(grads, params)
    return [p.detach() for p in params]


@pytest.mark.parametrize("name, config", FAST_VS_REFERENCE,
                         ids=[f"{n}-{'-'.join(c) or 'default'}" for n, c in FAST_VS_REFERENCE])
def test_fast_path_equals_reference_path(name, config):
    fast = _run(optimizers.get({"class_name": name, "config": config}), subset=True)
    reference = optimizers.get({"class_name": name, "config": config})
    reference.reference = True
    for a, b in zip(fast, _run(reference, subset=True)):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ALL)
def test_name_class_and_config_round_trip(name):
    opt = optimizers.get(name)
    assert type(opt).__name__.lower() == name
    config = opt.get_config()
    again = type(opt).from_config(config)
    assert again.get_config() == config
    assert optimizers.deserialize(optimizers.serialize(opt)).get_config() == config


def test_defaults_are_keras3():
    expected = {"SGD": 0.01, "RMSprop": 0.001, "Adagrad": 0.001, "Adadelta": 0.001, "Adam": 0.001,
                "AdamW": 0.001, "Adamax": 0.001, "Nadam": 0.001, "Ftrl": 0.001, "Lion": 0.001}
    for name, lr in expected.items():
        opt = getattr(optimizers, name)()
        assert opt.get_config()["learning_rate"] == pytest.approx(lr)
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    assert optimizers.Adadelta().rho == 0.95 and optimizers.AdamW().weight_decay == 0.004
    assert optimizers.Lion().beta_2 == 0.99 and optimizers.Adam().epsilon == 1e-7


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match="Did you mean: 'adam'"):
        optimizers.get("adamm")


def test_invalid_arguments_raise_like_keras():
    with pytest.raises(ValueError, match="only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.Adam(gradient_accumulation_steps=1)
    with pytest.raises(TypeError, match="unexpected keyword"):
        optimizers.Adam(bogus=1)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)


def test_learning_rate_is_a_settable_0d_tensor():
    opt = optimizers.SGD(learning_rate=0.1)
    assert isinstance(opt.learning_rate, torch.Tensor) and opt.learning_rate.ndim == 0
    assert opt.lr is opt.learning_rate
    assert K.get_value(opt.lr) == pytest.approx(0.1)
    K.set_value(opt.lr, 0.5)
    assert float(opt.learning_rate) == pytest.approx(0.5)
    opt.learning_rate = 0.25
    assert opt.get_config()["learning_rate"] == pytest.approx(0.25)
    p = torch.nn.Parameter(torch.ones(2))
    opt.apply([torch.ones(2)], [p])
    torch.testing.assert_close(p.detach(), torch.full((2,), 0.75))
    assert isinstance(opt.iterations, torch.Tensor) and int(opt.iterations) == 1
    K.set_value(opt.iterations, 0)
    assert K.get_value(opt.iterations) == 0


def test_schedule_learning_rate_follows_iterations_and_is_not_settable():
    opt = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 1, 0.5))
    p = torch.nn.Parameter(torch.zeros(1))
    for _ in range(3):
        opt.apply([torch.ones(1)], [p])
    assert float(opt.learning_rate) == pytest.approx(0.1 * 0.5 ** 3)
    np.testing.assert_allclose(p.detach().numpy(), [-(0.1 + 0.05 + 0.025)], rtol=1e-6)
    with pytest.raises(TypeError, match="schedule"):
        opt.learning_rate = 0.3


def test_legacy_decay_base_rate_is_what_keras2_showed_and_set():
    opt = optimizers.SGD(lr=0.1, decay=0.5)
    p = torch.nn.Parameter(torch.zeros(1))
    opt.apply([torch.ones(1)], [p])
    assert K.get_value(opt.lr) == pytest.approx(0.1)  # Keras 2: the base rate
    K.set_value(opt.lr, 0.2)  # ... and setting it keeps the decay
    opt.apply([torch.ones(1)], [p])
    np.testing.assert_allclose(p.detach().numpy(), [-(0.1 + 0.2 / 1.5)], rtol=1e-6)
    assert opt.get_config()["learning_rate"]["config"]["initial_learning_rate"] == \
        pytest.approx(0.2)
    assert optimizers.SGD(0.3, decay=0.1).get_config()["learning_rate"]["config"][
        "initial_learning_rate"] == pytest.approx(0.3)


def test_gradient_accumulation_counts_updates_and_schedules_see_every_call():
    opt = optimizers.SGD(learning_rate=schedules.PiecewiseConstantDecay([2], [1.0, 0.5]),
                         gradient_accumulation_steps=2)
    p = torch.nn.Parameter(torch.zeros(1))
    for g in [1.0, 3.0, 2.0, 4.0]:
        opt.apply([torch.tensor([g])], [p])
    # updates after calls 2 and 4: lr(step 1) * mean(1, 3), then lr(step 3) * mean(2, 4)
    np.testing.assert_allclose(p.detach().numpy(), [-(1.0 * 2.0 + 0.5 * 3.0)])
    assert int(opt.iterations) == 2 and int(opt._iterations) == 4


def test_variables_in_keras_order_and_weights_round_trip():
    opt = optimizers.Adam()
    params = [torch.nn.Parameter(torch.ones(2, 3)), torch.nn.Parameter(torch.ones(3))]
    opt.apply([torch.ones(2, 3), torch.ones(3)], params)
    shapes = [tuple(v.shape) for v in opt.variables]
    assert shapes == [(), (), (2, 3), (2, 3), (3,), (3,)]  # iteration, lr, m/v interleaved
    weights = opt.get_weights()
    fresh = optimizers.Adam()
    fresh.build(params)
    fresh.set_weights(weights)
    for a, b in zip(fresh.get_weights(), weights):
        np.testing.assert_array_equal(a, b)


def test_unknown_variable_after_build_is_an_error():
    opt = optimizers.SGD()
    opt.apply([torch.ones(1)], [torch.nn.Parameter(torch.zeros(1))])
    with pytest.raises(ValueError, match="unknown variable"):
        opt.apply([torch.ones(1)], [torch.nn.Parameter(torch.zeros(1))])


def test_exclude_from_weight_decay():
    from cornu.backend.variables import Variable
    kernel = Variable(torch.ones(2), name="kernel")
    bias = Variable(torch.ones(2), name="bias")
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply([torch.zeros(2), torch.zeros(2)], [kernel, bias])
    np.testing.assert_allclose(kernel.numpy(), [0.95, 0.95])
    np.testing.assert_allclose(bias.numpy(), [1.0, 1.0])


def test_keras2_configs_load():
    keras2 = {"class_name": "Adam", "config": {"name": "Adam", "lr": 0.002, "decay": 0.0,
                                                "beta_1": 0.9, "beta_2": 0.999,
                                                "epsilon": None, "amsgrad": False}}
    opt = optimizers.deserialize(keras2)
    assert float(opt.learning_rate) == pytest.approx(0.002) and opt.epsilon == 1e-7
    tf_keras_211 = {"name": "SGD", "learning_rate": 0.05, "weight_decay": None,
                    "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                    "jit_compile": True, "is_legacy_optimizer": False, "momentum": 0.9,
                    "nesterov": False}
    assert optimizers.SGD.from_config(tf_keras_211).momentum == 0.9
    assert optimizers.SGD(0.3, 0.5).get_config()["momentum"] == 0.5  # positional arguments


RULE_CASES = FAST_VS_REFERENCE[:-2]  # every optimizer and option the compiled step covers


@pytest.mark.parametrize("name, config", RULE_CASES,
                         ids=[f"{n}-{'-'.join(c) or 'default'}" for n, c in RULE_CASES])
def test_rule_given_0d_tensors_equals_the_eager_update(name, config):
    """The compiled step calls `type(opt).rule` on all parameters with 0-d tensor lr and step;
    eagerly the same function gets float32 host scalars. Both give the same weights."""
    eager = optimizers.get({"class_name": name, "config": config})
    tensors = optimizers.get({"class_name": name, "config": config})
    assert type(eager).rule is not None
    final = _run(eager)
    gen = torch.Generator().manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(s, generator=gen)) for s in [(4, 3), (3,), (2, 2)]]
    tensors.build(params)
    slots = {n: getattr(tensors, "_slot_" + n) for n in tensors._slot_names}
    with torch.no_grad():
        for step in range(8):
            grads = [torch.randn(p.shape, generator=gen) for p in params]
            lr, t = torch.tensor(tensors._lr_value()), torch.tensor(step + 1.0)
            if tensors.weight_decay is not None:
                tensors._decay_weights(params, lr)
            tensors.begin_update(t)
            type(tensors).rule(tensors, params, grads, slots, lr, t)
            tensors.iterations = step + 1
    for a, b in zip(final, params):
        torch.testing.assert_close(a, b.detach(), rtol=1e-6, atol=1e-7)
