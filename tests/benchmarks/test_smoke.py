"""The benchmark suite runs: a few steps of every workload on cornu and on hand-written PyTorch.
No timing assertions (speed is measured by `python -m benchmarks.run`, not by tests)."""
import json

import pytest

import cornu
from benchmarks import run
from benchmarks.workloads import WORKLOADS


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
