"""Learning-rate schedules against their documented formulas and real Keras 3."""
import numpy as np
import pytest

from cornu.optimizers import schedules

keras = pytest.importorskip("keras")

CASES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=7, decay_rate=0.3)),
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=7, decay_rate=0.3,
                              staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[3, 10, 20], values=[1.0, 0.5, 0.1, 0.01])),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=15, power=0.5)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=9, cycle=True,
                             end_learning_rate=0.01, power=2.0)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.7)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=4, decay_rate=0.7,
                              staircase=True)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=20, alpha=0.1)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=20, warmup_target=0.2,
                         warmup_steps=6)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=5)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=5, t_mul=1.0,
                                 m_mul=0.5, alpha=0.1)),
]


@pytest.mark.parametrize("name, config", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_schedule_values_match_keras(name, config):
    ours = getattr(schedules, name)(**config)
    theirs = getattr(keras.optimizers.schedules, name)(**config)
    steps = range(0, 40)
    np.testing.assert_allclose([float(ours(s)) for s in steps],
                               [float(theirs(s)) for s in steps], rtol=1e-5, atol=1e-7)
    again = schedules.deserialize(schedules.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == ours.get_config()
    assert again.get_config() == theirs.get_config()


def test_documented_formulas():
    s = schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)
    assert float(s(4)) == pytest.approx(0.1 / (1 + 0.5 * 4))
    s = schedules.ExponentialDecay(0.1, 10, 0.5)
    assert float(s(5)) == pytest.approx(0.1 * 0.5 ** 0.5)
    s = schedules.CosineDecay(0.1, 10)
    assert float(s(5)) == pytest.approx(0.05) and float(s(50)) == pytest.approx(0.0)


def test_schedules_resolve_by_name_and_reject_bad_steps():
    assert isinstance(schedules.get({"class_name": "CosineDecay", "config": {
        "initial_learning_rate": 0.1, "decay_steps": 3}}), schedules.CosineDecay)
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="Did you mean"):
        schedules.get("CosineDecays")
