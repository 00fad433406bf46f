"""compile(jit_compile=True): the compiled train step trains to the same numbers as the eager
one, and falls back to eager (with a warning) when compiling fails."""
import numpy as np
import pytest
import torch

import cornu
from cornu.trainers import jit

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:torch.*")

X = np.array([[1, 2], [2, 3], [3, 1], [4, 3], [5, 3], [6, 2]], dtype="float32")
Y = np.array([[0], [0], [0], [1], [1], [1]], dtype="float32")


def _train(jit_compile, optimizer, loss, activation, metrics):
    cornu.backend.clear_session()
    torch.manual_seed(0)
    model = cornu.Sequential([cornu.Input((2,)), cornu.layers.Dense(4, activation="relu"),
                              cornu.layers.Dense(1, activation=activation)])
    model.compile(optimizer=optimizer(), loss=loss, metrics=metrics, jit_compile=jit_compile)
    history = model.fit(X, Y, batch_size=3, epochs=4, verbose=0, shuffle=False)
    return model, history.history


CASES = {
    "adam_mse": (lambda: cornu.optimizers.Adam(0.01), "mse", None, None),
    "sgd_nesterov_bce_accuracy": (lambda: cornu.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
                                  "binary_crossentropy", "sigmoid", ["accuracy"]),
    "rmsprop_centered_momentum": (
        lambda: cornu.optimizers.RMSprop(0.01, momentum=0.5, centered=True), "mse", None, None),
    # per-update scalar state (the momentum product), and decoupled weight decay
    "nadam_mse": (lambda: cornu.optimizers.Nadam(0.01), "mse", None, None),
    "adamw_mse": (lambda: cornu.optimizers.AdamW(0.01, weight_decay=0.1), "mse", None, None),
    "ftrl_regularized_mse": (lambda: cornu.optimizers.Ftrl(
        0.1, l1_regularization_strength=0.01, beta=0.1,
        l2_shrinkage_regularization_strength=0.01), "mse", None, None),
}


@pytest.mark.parametrize("case", CASES)
def test_compiled_step_trains_like_eager(case):
    eager, eager_history = _train(False, *CASES[case])
    compiled, compiled_history = _train(True, *CASES[case])
    report = compiled._jit_report
    assert report["fallback"] is None and report["update"] == "compiled"
    assert report["compiles"] >= 1 and report["compile_seconds"] > 0
    for ours, theirs in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    assert compiled_history.keys() == eager_history.keys()
    for key in eager_history:
        np.testing.assert_allclose(compiled_history[key], eager_history[key], rtol=1e-5, atol=1e-5)
    assert int(compiled.optimizer.iterations) == int(eager.optimizer.iterations) == 8


def _two_outputs(jit_compile):
    """BatchNormalization (buffers updated in place), an L2 penalty and two outputs. (No bias
    before the normalization: its gradient is rounding noise, which Adam would amplify.)"""
    cornu.backend.clear_session()
    torch.manual_seed(0)
    inputs = cornu.Input((2,))
    hidden = cornu.layers.Dense(4, use_bias=False, kernel_regularizer="l2")(inputs)
    hidden = cornu.layers.Activation("tanh")(cornu.layers.BatchNormalization()(hidden))
    outputs = [cornu.layers.Dense(1, name="value")(hidden),
               cornu.layers.Dense(1, activation="sigmoid", name="label")(hidden)]
    model = cornu.Model(inputs, outputs)
    model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"],
                  metrics=[[], ["accuracy"]], jit_compile=jit_compile)
    history = model.fit(X, [Y * 2, Y], batch_size=3, epochs=3, verbose=0, shuffle=False)
    return model, history.history


def test_compiled_step_with_buffers_penalties_and_two_outputs():
    eager, eager_history = _two_outputs(False)
    compiled, compiled_history = _two_outputs(True)
    assert compiled._jit_report["fallback"] is None
    for ours, theirs in zip(compiled.get_weights(), eager.get_weights()):  # incl. moving stats
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    assert compiled_history.keys() == eager_history.keys()
    for key in eager_history:
        np.testing.assert_allclose(compiled_history[key], eager_history[key], rtol=1e-5, atol=1e-5)


def test_deferred_metrics_compile_once():
    # Accuracy is a sum over samples: its batches are held back in a list, which the compiled
    # step must not trace (its length would be a guard: a recompile every step, then the
    # recompile limit and an eager fallback).
    eager, eager_history = _train_long(False)
    compiled, compiled_history = _train_long(True)
    assert compiled._jit_report["compiles"] == 1 and compiled._jit_report["fallback"] is None
    for key in eager_history:
        np.testing.assert_allclose(compiled_history[key], eager_history[key], rtol=1e-5, atol=1e-5)
    for ours, theirs in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def _train_long(jit_compile):
    """20 steps with accuracy (more than Dynamo's recompile limit of 8)."""
    cornu.backend.clear_session()
    torch.manual_seed(0)
    x = np.random.default_rng(0).normal(size=(60, 2)).astype("float32")
    model = cornu.Sequential([cornu.Input((2,)), cornu.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"],
                  jit_compile=jit_compile)
    history = model.fit(x, (x[:, :1] > 0).astype("float32"), batch_size=3, epochs=1, verbose=0,
                        shuffle=False)
    return model, history.history


def test_models_of_other_shapes_each_compile_once():
    # Dynamo's "automatic dynamic" state is kept per code name and place: shared by every
    # model's copy of the step, a second model of other weight and target shapes compiled a
    # dynamic-shape graph, then recompiled on its batches' storage offsets.
    rng = np.random.default_rng(0)
    for features, units, outputs in ((2, 4, 1), (3, 5, 2)):  # (no clear_session between)
        x = rng.normal(size=(24, features)).astype("float32")
        y = rng.normal(size=(24, outputs)).astype("float32")
        model = cornu.Sequential([cornu.Input((features,)), cornu.layers.Dense(units),
                                  cornu.layers.Dense(outputs)])
        model.compile(optimizer="sgd", loss="mse", jit_compile=True)
        model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)  # (epoch 2 starts
        assert model._jit_report["compiles"] == 1, (features, units, outputs)  # at offset 0)


def test_falls_back_to_eager_with_a_warning(monkeypatch):
    def broken(fn, **kwargs):
        def compiled(*args):
            raise RuntimeError("no C++ compiler found")
        return compiled
    monkeypatch.setattr(jit.torch, "compile", broken)
    case = CASES["adam_mse"]
    eager, eager_history = _train(False, *case)
    with pytest.warns(jit.JitCompileWarning, match="no C\\+\\+ compiler found"):
        compiled, compiled_history = _train(True, *case)
    assert "RuntimeError" in compiled._jit_report["fallback"]
    for ours, theirs in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    assert compiled_history == eager_history


def test_every_optimizer_runs_its_own_rule_in_the_compiled_step():
    # the compiled step runs the function the optimizer's eager update_step runs
    from cornu.optimizers.adam import adam_update
    from cornu.optimizers.ftrl import ftrl_update
    from cornu.optimizers.nadam import nadam_update
    from cornu.optimizers.sgd import sgd_update
    assert jit._update_rule(cornu.optimizers.Adam())[0] is adam_update
    assert jit._update_rule(cornu.optimizers.AdamW())[0] is adam_update
    assert jit._update_rule(cornu.optimizers.SGD(momentum=0.9))[0] is sgd_update
    assert jit._update_rule(cornu.optimizers.Nadam())[0] is nadam_update
    assert jit._update_rule(cornu.optimizers.Ftrl())[0] is ftrl_update
    for name in cornu.optimizers.__all__:
        cls = getattr(cornu.optimizers, name)
        if isinstance(cls, type) and cls is not cornu.optimizers.Optimizer:
            assert jit._update_rule(cls())[0] is not None, name
    rule, why = jit._update_rule(cornu.optimizers.Adam(gradient_accumulation_steps=2))
    assert rule is None and "gradient_accumulation_steps" in why

    class MyAdam(cornu.optimizers.Adam):
        def update_step(self, params, grads, lr, slots):  # a formula of its own
            super().update_step(params, grads, lr, slots)
    rule, why = jit._update_rule(MyAdam())
    assert rule is None and "overrides update_step" in why

    class SameAdam(cornu.optimizers.Adam):
        pass
    assert jit._update_rule(SameAdam())[0] is adam_update


def test_auto_means_eager():
    model = cornu.Sequential([cornu.Input((2,)), cornu.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")  # Keras's default jit_compile="auto"
    model.fit(X, Y, epochs=1, verbose=0)
    assert model._jit_report is None
