"""The benchmark suite runs: a few steps of every workload on cornu and on hand-written PyTorch.
No timing assertions (speed is measured by `python -m benchmarks.run`, not by tests)."""
import json

import numpy as np
import pytest

import cornu
from benchmarks import run, workloads
from benchmarks.workloads import WORKLOADS


@pytest.fixture(autouse=True)
def _mnist_or_stand_in(monkeypatch):
    """The workloads on real MNIST where its files are (the project's machines), else on
    random data of MNIST's shapes: these tests check that every workload runs, not what it
    learns, and a clean clone elsewhere has no MNIST and no internet to fetch it."""
    try:
        workloads.mnist()
    except OSError:
        rng = np.random.default_rng(0)
        eye = np.eye(10, dtype="float32")
        data = (rng.random((2000, 784), dtype="float32"), eye[rng.integers(0, 10, 2000)],
                rng.random((2000, 784), dtype="float32"), eye[rng.integers(0, 10, 2000)])
        monkeypatch.setattr(workloads, "mnist", lambda: data)


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
def test_workload_runs(workload):
    ours = None if workload.missing_layers(cornu) else workload.run_api(cornu, "smoke")
    theirs = workload.run_torch("smoke")
    assert theirs.steps > 0 and theirs.seconds > 0
    if ours is not None:
        assert ours.steps == theirs.steps and ours.seconds > 0


def test_runner_writes_table_and_json(tmp_path, capsys):
    results = run.main(["--quick", "--only", "y_equals_x,mnist_cnn", "--repeats", "1",
                        "--no-keras", "--no-jit", "--no-memory", "--output", str(tmp_path)])
    out = capsys.readouterr().out
    assert "cornu/torch" in out and "y_equals_x" in out
    entry = results["workloads"]["y_equals_x"]
    assert entry["cornu_ms"] > 0 and entry["torch_ms"] > 0 and entry["cornu_over_torch"] > 0
    cnn = results["workloads"]["mnist_cnn"]
    assert ("cornu_na" in cnn) == bool(run.BY_NAME["mnist_cnn"].missing_layers(cornu))
    saved = json.loads((tmp_path / "latest-quick.json").read_text())
    assert set(saved["workloads"]) == {"y_equals_x", "mnist_cnn"}


def test_scaling_rank_run(tmp_path):
    """benchmarks/scaling.py's per-rank run, in this process (1 rank, a few batches)."""
    from benchmarks import scaling
    out = tmp_path / "rank0.json"
    scaling.rank_main(samples=64, batch=32, out=str(out))
    result = json.loads(out.read_text())
    assert result["samples_per_s"] > 0 and np.isfinite(result["loss"])


def test_input_bound_details_report_the_ceiling_and_the_loader():
    workload = run.BY_NAME["input_bound_workers"]
    d = workload.details(cornu, "smoke", {"cornu_s": [1.0, 1.0], "reference_s": [2.0, 2.0]},
                         repeats=1)
    step, load = d["step_ms"], d["load_ms"]
    assert step > 0 and load >= 1e3 * 0.002  # each batch sleeps 2 ms
    assert d["ceiling"] == pytest.approx((step + load) / max(step, load / 4))
    assert d["end_to_end"] == pytest.approx(2.0)
    assert set(d["loader_batches_per_s"]) == {"workers=1", "workers=4 threads",
                                              "workers=4 processes"}
    lines = workload.report(d)
    assert "ceiling" in lines[0] and "workers=4 processes" in lines[1]


def test_counts_are_the_same_on_every_run_and_see_the_model_calls():
    # load-insensitive counts: two runs agree exactly, and the hot functions are cornu's
    from benchmarks import counts
    first = counts.count("logistic_regression", "smoke", ops=True)
    second = counts.count("logistic_regression", "smoke", ops=True)
    assert first[0] == second[0] and first[2] == second[2]
    assert sum(first[1].values()) == sum(second[1].values()) > 0
    assert first[2]["aten.addmm.default"] >= first[0]  # at least one Dense forward per step
    assert any(fn == "fit" and "cornu" in path for path, _, fn in first[1])
