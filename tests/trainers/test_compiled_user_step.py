"""compile(jit_compile=True) with an overridden train_step: the step runs under torch.compile, as
Keras 3's torch trainer runs it, trains to the eager step's numbers, compiles once, and falls
back to eager (one warning naming why) where Dynamo or Inductor fail; "auto" stays eager."""
import warnings

import numpy as np
import pytest
import torch

import cornu
from cornu.trainers import compiled_step
from cornu.trainers.jit import JitCompileWarning

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:torch.*")

RNG = np.random.default_rng(0)
X = RNG.random((48, 6), dtype="float32")
Y = np.eye(3, dtype="float32")[RNG.integers(0, 3, 48)]


def _custom_model():
    """The "Customizing what happens in fit() with PyTorch" guide's model, as the guide writes
    its step (the metrics updated by name, the results returned as a dict)."""
    class CustomModel(cornu.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            trainable_weights = self.trainable_weights
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    inputs = cornu.Input((6,))
    hidden = cornu.layers.Dense(8, activation="relu")(inputs)
    return CustomModel(inputs, cornu.layers.Dense(3, activation="softmax")(hidden))


def _train(jit_compile, epochs=3):
    cornu.backend.clear_session()
    torch.manual_seed(0)
    model = _custom_model()
    model.compile(optimizer=cornu.optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=jit_compile)
    history = model.fit(X, Y, batch_size=16, epochs=epochs, verbose=0, shuffle=False)
    return model, history.history


@pytest.mark.parametrize("backend", [
    # Dynamo only (its graph breaks, guards and recompiles; seconds): the one for CI
    "eager",
    # and Inductor, as `torch.compile` runs by default (a minute on a busy 2-core machine)
    pytest.param("inductor", marks=pytest.mark.slow)])
def test_compiled_train_step_trains_like_eager_and_compiles_once(backend, monkeypatch):
    real_compile = torch.compile
    monkeypatch.setattr(compiled_step.torch, "compile",
                        lambda fn, **kwargs: real_compile(fn, backend=backend))
    eager, eager_history = _train(False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", JitCompileWarning)  # no fallback
        compiled, compiled_history = _train(True)
    report = compiled._jit_report
    assert report["fallback"] is None
    assert 1 <= report["compiles"] <= 8 and report["compile_seconds"] > 0  # no per-step recompiles
    assert compiled_history.keys() == eager_history.keys() == {"loss", "accuracy"}
    for key in eager_history:  # the logs as the eager step gives them
        np.testing.assert_allclose(compiled_history[key], eager_history[key], rtol=1e-5,
                                   atol=1e-5)
    for ours, theirs in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    assert int(compiled.optimizer.iterations) == int(eager.optimizer.iterations) == 9
    # the compiled step is kept: another fit (same shapes) compiles nothing more
    compiles = report["compiles"]
    compiled.fit(X, Y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    assert compiled._jit_report["compiles"] == compiles
    # compiling the model again drops it
    compiled.compile(optimizer="sgd", loss="categorical_crossentropy", jit_compile=False)
    assert compiled._jit_report is None


def _failing_backend(graph_module, example_inputs):
    raise RuntimeError("no C++ compiler found")


def test_a_step_inductor_cannot_compile_runs_eagerly_with_one_warning(monkeypatch):
    real_compile = torch.compile
    monkeypatch.setattr(compiled_step.torch, "compile",
                        lambda fn, **kwargs: real_compile(fn, backend=_failing_backend))
    eager, eager_history = _train(False, epochs=2)
    with pytest.warns(JitCompileWarning, match="train_step could not be compiled.*"
                      "no C\\+\\+ compiler found") as caught:
        compiled, compiled_history = _train(True, epochs=2)
    assert len([w for w in caught if issubclass(w.category, JitCompileWarning)]) == 1
    assert "no C++ compiler found" in compiled._jit_report["fallback"]
    assert compiled_history == eager_history  # the same eager code ran: the same numbers
    for ours, theirs in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_auto_and_run_eagerly_keep_an_overridden_step_eager(monkeypatch):
    def no_compile(*args, **kwargs):
        raise AssertionError("torch.compile was called")
    monkeypatch.setattr(compiled_step.torch, "compile", no_compile)
    eager, eager_history = _train(False, epochs=1)
    for options in ({}, {"jit_compile": "auto"}, {"jit_compile": True, "run_eagerly": True}):
        cornu.backend.clear_session()
        torch.manual_seed(0)
        model = _custom_model()  # Keras 3 on torch: "auto" is eager
        model.compile(optimizer=cornu.optimizers.Adam(0.01), loss="categorical_crossentropy",
                      metrics=["accuracy"], **options)
        history = model.fit(X, Y, batch_size=16, epochs=1, verbose=0, shuffle=False)
        assert model._jit_report is None, options
        assert history.history == eager_history, options


def test_the_built_in_steps_of_a_model_with_one_override_stay_eager(monkeypatch):
    # only the steps the model overrides are compiled: its evaluate runs cornu's test_step
    calls = []
    real_compile = torch.compile

    def counting(fn, **kwargs):
        calls.append(fn)
        return real_compile(fn, backend=_failing_backend)
    monkeypatch.setattr(compiled_step.torch, "compile", counting)
    model = _custom_model()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", jit_compile=True)
    model.evaluate(X, Y, batch_size=16, verbose=0)
    assert calls == []
    assert compiled_step.step_function(model, "test_step") == model.test_step
    assert isinstance(compiled_step.step_function(model, "train_step"),
                      compiled_step.CompiledStep)
