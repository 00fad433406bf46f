"""Data-parallel fit/evaluate across 2 processes (torchrun, gloo, loopback) against 1 process.

One torchrun launch (module fixture) runs every case of distributed_worker.py; each test then
compares what the ranks wrote with the same case trained here in one process at the same
global batch: equal weights, History and `evaluate` results (AUC and precision included, which
only state reduction gets right), output from rank 0 only, and the bad-input errors on every
rank. The launch has a timeout, so a hang fails.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import distributed_worker as worker  # noqa: E402

TIMEOUT_S = 300


@pytest.fixture(scope="module")
def launched(tmp_path_factory):
    out = tmp_path_factory.mktemp("ranks")
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1", CORNU_DIST_TIMEOUT="120")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node=2", os.path.join(HERE, "distributed_worker.py"), str(out)]
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True,
                                timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"2-process run hung (no result in {TIMEOUT_S} s): {e.stderr!r:.2000}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return out, result.stdout


def _rank_files(out, case, rank):
    weights = np.load(out / f"{case}_weights_rank{rank}.npz")
    with open(out / f"{case}_logs_rank{rank}.json") as f:
        logs = json.load(f)
    return [weights[f"arr_{i}"] for i in range(len(weights.files))], logs


@pytest.mark.parametrize("case", ["mlp", "cnn", "custom"])
def test_two_processes_equal_one(launched, case, tmp_path):
    import cornu
    out, _ = launched
    weights, history, results = worker.train(cornu, case, str(tmp_path))
    for rank in (0, 1):
        theirs, logs = _rank_files(out, case, rank)
        assert len(theirs) == len(weights)
        for ours, their in zip(weights, theirs):
            np.testing.assert_allclose(their, ours, rtol=1e-5, atol=1e-6)
        assert sorted(logs["history"]) == sorted(history)
        for key, values in history.items():
            np.testing.assert_allclose(logs["history"][key], values, rtol=1e-5, err_msg=key)
        assert sorted(logs["evaluate"]) == sorted(results)
        for key, value in results.items():
            np.testing.assert_allclose(logs["evaluate"][key], value, rtol=1e-5, err_msg=key)


def test_output_and_files_from_rank_zero_only(launched):
    out, stdout = launched
    assert stdout.count("Epoch 1/3") == 1, stdout
    assert stdout.count("Epoch 3/3") == 1
    for case in worker.CASES:
        assert (out / f"{case}_rank0.weights.h5").exists()
        assert (out / f"{case}_rank0.csv").exists()
        assert not (out / f"{case}_rank1.weights.h5").exists()
        assert not (out / f"{case}_rank1.csv").exists()


def test_bad_input_raises_on_every_rank(launched):
    out, _ = launched
    for rank in (0, 1):
        with open(out / f"errors_rank{rank}.json") as f:
            errors = json.load(f)
        assert "batch_size=1" in errors["batch"] and "2 processes" in errors["batch"]
        assert "different models" in errors["model"] and "(10, 17)" in errors["model"]
        assert "does not depend on" in errors["unused"] and "b/kernel" in errors["unused"]


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_nproc_must_be_positive(value, capsys):
    from cornu import cli
    assert cli.main(["run", "--nproc", value, "script.py"]) == 2
    assert "--nproc must be a positive integer" in capsys.readouterr().err
    assert cli.main(["run", f"--nproc={value}", "script.py"]) == 2


def test_nproc_launches_torchrun_standalone(monkeypatch):
    import subprocess as sp
    from cornu import cli
    calls = []
    monkeypatch.setattr(sp, "call", lambda command: calls.append(command) or 0)
    assert cli.main(["run", "--nproc", "2", "train.py", "--epochs", "3"]) == 0
    assert calls == [[sys.executable, "-m", "torch.distributed.run", "--standalone",
                      "--nproc_per_node=2", "-m", "cornu", "run", "train.py", "--epochs", "3"]]
