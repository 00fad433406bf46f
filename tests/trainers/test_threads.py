"""The thread policy (cornu/trainers/threads.py): the choice as a pure function, the count
inside and after fit/evaluate/predict, the user's settings honoured, backups."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import cornu
from cornu.trainers import threads

F = threads.FLOPS_PER_THREAD


@pytest.mark.parametrize("work, cpus, busy, user, expected", [
    (0, 8, 0, None, 1),                  # no work: one thread
    (F * 0.5, 8, 0, None, 1),            # tiny model: one thread
    (F * 1.99, 8, 0, None, 1),
    (F * 2, 8, 0, None, 2),              # one thread per FLOPS_PER_THREAD of work
    (F * 5.5, 8, 0, None, 5),
    (F * 100, 8, 0, None, 8),            # never more than the cores
    (F * 100, 2, 1, None, 1),            # one of two cores busy: one thread
    (F * 100, 8, 3, None, 5),            # the free cores
    (F * 100, 8, 2.4, None, 6),          # busy cores rounded
    (F * 100, 8, 2.6, None, 5),
    (F * 100, 4, 9, None, 1),            # more busy than cores: still one
    (F * 100, 4, -1, None, 4),           # (a negative reading counts as none)
    (F * 100, 8, 0, 3, 3),               # the user's count wins, whatever else
    (0, 8, 7, 6, 6),
])
def test_choose_threads_table(work, cpus, busy, user, expected):
    assert threads.choose_threads(work, cpus, busy, user) == expected


def test_choose_threads_is_deterministic():
    cases = [(w * F / 3, c, b, None) for w in range(0, 60, 7) for c in (1, 2, 8) for b in (0, 1, 3)]
    assert [threads.choose_threads(*c) for c in cases] == [threads.choose_threads(*c)
                                                           for c in cases]


def _tiny():
    model = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(4, activation="relu"),
                              cornu.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def _data(n=40):
    rng = np.random.default_rng(0)
    return rng.random((n, 3), dtype="float32"), rng.random((n, 1), dtype="float32")


class Probe(cornu.callbacks.Callback):
    """Records torch's thread count at every batch."""

    def __init__(self, fail_at=None):
        super().__init__()
        self.seen, self.fail_at = [], fail_at

    def _record(self, batch):
        self.seen.append(torch.get_num_threads())
        if self.fail_at is not None and len(self.seen) > self.fail_at:
            raise RuntimeError("stop here")

    def on_train_batch_begin(self, batch, logs=None):
        self._record(batch)

    def on_test_batch_begin(self, batch, logs=None):
        self._record(batch)

    def on_predict_batch_begin(self, batch, logs=None):
        self._record(batch)


@pytest.fixture
def default_threads():
    """torch on the count cornu found at import (and put back after the test)."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads.AT_IMPORT)
    yield threads.AT_IMPORT
    torch.set_num_threads(before)


def test_work_estimate_follows_the_formula():
    model = _tiny()
    params = 3 * 4 + 4 + 4 * 1 + 1
    assert threads.estimate_work(model, 32, training=True) == params * 32 * 6
    assert threads.estimate_work(model, 10, training=False) == params * 10 * 2
    conv = cornu.Sequential([cornu.Input((8, 8, 2)), cornu.layers.Conv2D(5, 3)])
    assert threads.estimate_work(conv, 1, training=False) == (3 * 3 * 2 * 5 + 5) * 6 * 6 * 2
    lstm = cornu.Sequential([cornu.Input((7,), dtype="int32"), cornu.layers.Embedding(50, 4),
                             cornu.layers.LSTM(3)])
    lstm_weights = 4 * (4 * 3 + 3 * 3 + 3)
    assert threads.estimate_work(lstm, 1, training=False) == (7 * 4 + lstm_weights * 7) * 2


@pytest.mark.skipif(threads.ENV_SET, reason="OMP_NUM_THREADS/MKL_NUM_THREADS set")
def test_tiny_model_runs_on_one_thread_and_the_setting_comes_back(default_threads):
    model, probe = _tiny(), Probe()
    x, y = _data()
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[probe])
    model.evaluate(x, y, batch_size=8, verbose=0, callbacks=[probe])
    model.predict(x, verbose=0, callbacks=[probe])
    assert probe.seen == [1] * len(probe.seen) and len(probe.seen) == 10 + 5 + 2
    assert torch.get_num_threads() == default_threads
    assert history.threads["threads"] == 1 and history.threads["auto"]
    assert "_thread_choice" not in model.__dict__


@pytest.mark.skipif(threads.ENV_SET, reason="OMP_NUM_THREADS/MKL_NUM_THREADS set")
def test_setting_restored_after_an_exception_inside_fit(default_threads):
    model, probe = _tiny(), Probe(fail_at=2)
    x, y = _data()
    with pytest.raises(RuntimeError, match="stop here"):
        model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[probe])
    assert probe.seen[0] == 1
    assert torch.get_num_threads() == default_threads


def test_a_users_set_num_threads_is_honoured(default_threads):
    mine = default_threads + 1  # not torch's count: the user chose it (the policy would pick 1)
    torch.set_num_threads(mine)
    model, probe = _tiny(), Probe()
    x, y = _data()
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[probe])
    model.predict(x, verbose=0, callbacks=[probe])
    assert probe.seen == [mine] * len(probe.seen)
    assert torch.get_num_threads() == mine
    assert history.threads == {"threads": mine, "auto": False}


def test_set_num_threads_2_honoured(monkeypatch, default_threads):
    monkeypatch.setattr(threads, "AT_IMPORT", 4)  # as on a 4-core machine, where torch had 4
    monkeypatch.setattr(threads, "ENV_SET", False)
    torch.set_num_threads(2)
    model, probe = _tiny(), Probe()
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[probe])
    assert set(probe.seen) == {2} and torch.get_num_threads() == 2


def test_omp_num_threads_is_honoured():
    code = ("import numpy as np, torch, cornu\n"
            "seen = []\n"
            "class P(cornu.callbacks.Callback):\n"
            "    def on_train_batch_begin(self, b, logs=None):\n"
            "        seen.append(torch.get_num_threads())\n"
            "m = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(1)])\n"
            "m.compile('sgd', 'mse')\n"
            "m.fit(np.zeros((16, 3)), np.zeros((16, 1)), batch_size=8, verbose=0,\n"
            "      callbacks=[P()])\n"
            "print(sorted(set(seen)), torch.get_num_threads())\n")
    env = dict(os.environ, OMP_NUM_THREADS="2")
    env.pop("MKL_NUM_THREADS", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[-2] == "[2] 2"


@pytest.mark.skipif(threads.ENV_SET, reason="OMP_NUM_THREADS/MKL_NUM_THREADS set")
def test_the_choice_is_fixed_for_the_call_and_repeats(default_threads, monkeypatch):
    model = cornu.Sequential([cornu.Input((256,)), cornu.layers.Dense(256),
                              cornu.layers.Dense(256)])
    model.compile("sgd", "mse")
    # the load is read once per call; hold it still so the two calls see the same machine
    busy = threads.busy_cores()
    monkeypatch.setattr(threads, "busy_cores", lambda: busy)
    first = threads.decide(model, "fit", 64)
    assert first == threads.decide(model, "fit", 64)
    # with the busy cores as read, the pure function gives the same count
    assert first["threads"] == threads.choose_threads(
        threads.estimate_work(model, 64, True), threads.cpu_count(), first["busy_cores"], None)
    probe = Probe()
    x = np.zeros((256, 256), "float32")
    model.fit(x, x, batch_size=64, epochs=2, verbose=0, callbacks=[probe])
    assert len(set(probe.seen)) == 1 and len(probe.seen) == 8


@pytest.mark.skipif(threads.ENV_SET, reason="OMP_NUM_THREADS/MKL_NUM_THREADS set")
def test_nested_call_keeps_the_outer_choice(default_threads):
    model = _tiny()
    x, y = _data()
    seen = []

    class PredictInside(cornu.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            torch.set_num_threads(3)  # the nested call must not treat this as the user's
            seen.append(self.model.__dict__["_thread_choice"]["threads"])
            self.model.predict(x, verbose=0)
            seen.append(torch.get_num_threads())
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[PredictInside()])
    assert seen == [1, 3]
    assert torch.get_num_threads() == default_threads


@pytest.mark.skipif(threads.ENV_SET, reason="OMP_NUM_THREADS/MKL_NUM_THREADS set")
def test_verbose_2_prints_the_choice(capsys, default_threads):
    model = _tiny()
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=2)
    out = capsys.readouterr().out
    if default_threads > 1:
        assert out.startswith(f"Threads: 1 (torch had {default_threads}; cornu's choice")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


@pytest.mark.skipif(threads.ENV_SET, reason="OMP_NUM_THREADS/MKL_NUM_THREADS set")
def test_backup_records_the_count_and_a_resumed_run_uses_it(tmp_path, default_threads):
    backup = str(tmp_path / "backup")
    x, y = _data()
    model, probe = _tiny(), Probe(fail_at=7)  # dies in the second epoch
    with pytest.raises(RuntimeError):
        model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[
            probe, cornu.callbacks.BackupAndRestore(backup)])
    path = os.path.join(backup, "training_metadata.json")
    with open(path) as f:
        metadata = json.load(f)
    assert metadata["cornu"]["latest"]["threads"] == probe.seen[0] == 1
    # A backup made by a run on 3 threads: the resumed run takes 3, and gives the setting back.
    metadata["cornu"]["latest"]["threads"] = 3
    with open(path, "w") as f:
        json.dump(metadata, f)
    resumed, probe = _tiny(), Probe()
    history = resumed.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[
        probe, cornu.callbacks.BackupAndRestore(backup)])
    assert probe.seen == [3] * 10  # epochs 2 and 3
    assert history.threads["threads"] == 3
    assert torch.get_num_threads() == default_threads


def test_work_estimate_of_a_subclassed_model_uses_the_built_shapes():
    class Net(cornu.Model):
        def __init__(self):
            super().__init__()
            self.conv = cornu.layers.Conv2D(4, 3, padding="same")
            self.flat = cornu.layers.Flatten()
            self.dense = cornu.layers.Dense(2)

        def call(self, x):
            return self.dense(self.flat(self.conv(x)))

    net = Net()
    net(np.zeros((1, 5, 5, 3), "float32"))
    conv, dense = 3 * 3 * 3 * 4 + 4, 5 * 5 * 4 * 2 + 2
    # the convolution at its 25 input positions ("same": its output's too), the Dense once
    assert threads.estimate_work(net, 1, training=False) == (conv * 25 + dense) * 2
