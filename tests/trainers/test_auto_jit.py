"""compile(jit_compile="auto"): the built-in train step is compiled only where the cost model
says it pays; the choice is fixed for the call, recorded in History and in backups."""
import json
import math
import os
import warnings

import numpy as np
import pytest
import torch

import cornu
from cornu.trainers import auto_jit, jit
from cornu.trainers.data_adapters.arrays import ArrayAdapter

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:torch.*")


def _model(**compile_kwargs):
    cornu.backend.clear_session()
    torch.manual_seed(0)
    model = cornu.Sequential([cornu.Input((2,)), cornu.layers.Dense(4, activation="relu"),
                              cornu.layers.Dense(1)])
    model.compile(optimizer=cornu.optimizers.Adam(0.01), loss="mse", metrics=["mae"],
                  **compile_kwargs)
    return model


def _data(n):
    x = np.random.default_rng(0).normal(size=(n, 2)).astype("float32")
    return x, x[:, :1] * 2 - x[:, 1:]


@pytest.fixture
def cheap_compile(monkeypatch):
    """A cost model under which a 2-layer model's compile pays from 10 steps."""
    monkeypatch.setitem(auto_jit.COMPILE_SECONDS, "cpu", 1e-3)
    monkeypatch.setattr(auto_jit, "MIN_STEPS", 0)
    assert auto_jit.threshold_steps(2, "cpu") == 10


@pytest.fixture
def no_torch_compile(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("torch.compile was called")
    monkeypatch.setattr(torch, "compile", refuse)


def test_threshold_follows_the_formula():
    for layers in (1, 2, 3, 10, 50):
        expected = math.ceil(auto_jit.PAYBACK * auto_jit.COMPILE_SECONDS["cpu"]
                             / (auto_jit.SAVED_SECONDS_PER_LAYER * layers))
        assert auto_jit.threshold_steps(layers, "cpu") == expected
        assert auto_jit.choose_compile(expected, layers, "cpu")[0]
        assert not auto_jit.choose_compile(expected - 1, layers, "cpu")[0]
    assert auto_jit.threshold_steps(500, "cpu") == auto_jit.threshold_steps(50, "cpu")
    assert auto_jit.threshold_steps(1, "cuda") > auto_jit.threshold_steps(1, "cpu")
    assert auto_jit.choose_compile(10 ** 9, 3, "mps") == (False, "no compile cost known for mps")
    assert not auto_jit.choose_compile(None, 3, "cpu")[0]  # steps not known


def test_no_model_compiles_under_min_steps():
    assert auto_jit.MIN_STEPS >= 10_000
    for layers in (1, 5, 50, 10_000):
        for device in ("cpu", "cuda"):
            assert not auto_jit.choose_compile(auto_jit.MIN_STEPS - 1, layers, device)[0]


def test_auto_is_the_default_and_a_short_fit_is_eager(no_torch_compile):
    model = _model()  # compile()'s default: jit_compile="auto"
    assert model.jit_compile is False  # Keras 3's attribute on torch
    x, y = _data(64)
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert history.jit == {"compile": False, "auto": True, "steps": 16, "layers": None,
                           "device": "cpu",
                           "reason": "16 steps; compiling pays from 10,000 at the least on cpu"}
    assert model._jit_report is None and "_jit_choice" not in model.__dict__


def test_steps_count_full_batches_only():
    x, y = (torch.as_tensor(a) for a in _data(30))

    def sizes(**kwargs):  # the batch sizes the adapter gives, and those auto_jit counts
        adapter = ArrayAdapter(x, y, **kwargs)
        return [len(b[0]) for b in adapter.batches()], auto_jit._full_batches(adapter)
    assert sizes(batch_size=8) == ([8, 8, 8, 6], 3)
    shapes, full = sizes(batch_size=8, steps_per_epoch=10)  # wrapping around the data
    assert len(shapes) == 10 and full == shapes.count(8) < 10
    assert sizes(batch_size=64, steps_per_epoch=3) == ([30, 30, 30], 3)
    assert sizes(batch_size=10, shuffle=True) == ([10, 10, 10], 3)


def test_generators_own_steps_and_run_eagerly_stay_eager(cheap_compile, no_torch_compile):
    x, y = _data(64)

    def batches():
        while True:
            yield x[:8], y[:8]
    model = _model()
    history = model.fit(batches(), steps_per_epoch=20, epochs=1, verbose=0, shuffle=False)
    assert history.jit["compile"] is False
    assert history.jit["reason"] == "batch shapes not known before the call"

    class Own(cornu.Sequential):
        def train_step(self, data):
            return super().train_step(data)
    cornu.backend.clear_session()
    own = Own([cornu.Input((2,)), cornu.layers.Dense(1)])
    own.compile("sgd", "mse")
    history = own.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert history.jit["compile"] is False and "own train step" in history.jit["reason"]
    eager = _model(run_eagerly=True)
    assert eager.fit(x, y, batch_size=4, epochs=2, verbose=0).jit == {"compile": False,
                                                                     "auto": False}


def test_a_long_static_fit_compiles_and_trains_like_eager(cheap_compile, capsys):
    x, y = _data(62)  # 15 batches of 4 and a partial one of 2, which trains eagerly
    eager = _model(jit_compile=False)
    eager_history = eager.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error", jit.JitCompileWarning)
        history = model.fit(x, y, batch_size=4, epochs=2, verbose=2, shuffle=False)
    choice = history.jit
    assert choice["compile"] is True and choice["auto"] is True
    assert choice["steps"] == 30 and choice["layers"] == 2
    assert choice["fallback"] is None and choice["compile_seconds"] > 0
    report = model._jit_report
    assert report["compiles"] == 1  # the partial batches did not recompile
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Compile")]
    assert len(lines) == 1 and lines[0].startswith(
        "Compile: the train step compiled (jit_compile='auto': 30 steps; compiling pays from 10 "
        "on cpu); compiling took ")
    for ours, theirs in zip(model.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    for key in eager_history.history:
        np.testing.assert_allclose(history.history[key], eager_history.history[key],
                                   rtol=1e-5, atol=1e-5)
    assert int(model.optimizer.iterations) == int(eager.optimizer.iterations) == 32


def test_verbose_2_prints_an_eager_decision_once(capsys):
    x, y = _data(16)
    _model().fit(x, y, batch_size=8, epochs=3, verbose=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Compile")]
    assert lines == ["Compile: eager (jit_compile='auto': 6 steps; compiling pays from 10,000 "
                     "at the least on cpu)"]
    _model().fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_a_failed_compile_under_auto_trains_eagerly_without_a_warning(cheap_compile, monkeypatch,
                                                                     capsys):
    def broken(fn, **kwargs):
        def compiled(*args):
            raise RuntimeError("no C++ compiler found")
        return compiled
    x, y = _data(64)
    eager = _model(jit_compile=False)
    eager.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    monkeypatch.setattr(torch, "compile", broken)
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error", jit.JitCompileWarning)
        history = model.fit(x, y, batch_size=4, epochs=1, verbose=2, shuffle=False)
    assert history.jit["compile"] is True and "no C++ compiler found" in history.jit["fallback"]
    out = capsys.readouterr().out
    assert "failed, training eagerly: torch.compile failed (RuntimeError: no C++ compiler" in out
    for ours, theirs in zip(model.get_weights(), eager.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


class Interrupt(cornu.callbacks.Callback):
    def __init__(self, at):
        super().__init__()
        self.at, self.seen = at, 0

    def on_train_batch_begin(self, batch, logs=None):
        self.seen += 1
        if self.seen > self.at:
            raise RuntimeError("stop here")


def test_the_backup_records_the_choice_and_a_resumed_run_takes_it(tmp_path, cheap_compile,
                                                                  monkeypatch):
    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: fn)  # a compile of no cost
    backup, x, y = str(tmp_path / "backup"), *_data(64)
    model = _model()
    with pytest.raises(RuntimeError, match="stop here"):
        model.fit(x, y, batch_size=4, epochs=3, verbose=0, shuffle=False, callbacks=[
            Interrupt(20), cornu.callbacks.BackupAndRestore(backup)])  # dies in epoch 2
    with open(os.path.join(backup, "training_metadata.json")) as f:
        assert json.load(f)["cornu"]["latest"]["jit"] is True
    # With 32 steps left (and the measured cost model) "auto" alone would train eagerly: the
    # resumed run compiles, as the run it resumes did.
    monkeypatch.undo()
    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: fn)
    resumed = _model()
    history = resumed.fit(x, y, batch_size=4, epochs=3, verbose=0, shuffle=False,
                          callbacks=[cornu.callbacks.BackupAndRestore(backup)])
    assert history.jit["compile"] is True
    assert history.jit["reason"] == "as the run the backup was made by"
    assert resumed._jit_step is not None and resumed._jit_step[1].auto
    assert int(resumed.optimizer.iterations) == 48


def test_a_fit_inside_a_callback_keeps_the_outer_choice(no_torch_compile):
    x, y = _data(64)

    class Inner(cornu.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                self.inner = self.model.fit(x[:8], y[:8], batch_size=8, verbose=0).jit
            else:  # what a backup records
                self.seen = self.model.__dict__["_jit_choice"]["steps"]
    inner, model = Inner(), _model()
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[inner])
    assert inner.inner["steps"] == 1 and inner.seen == history.jit["steps"] == 24
    assert "_jit_choice" not in model.__dict__
