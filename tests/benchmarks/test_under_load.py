"""`benchmarks.run --under-load`: a busy process for the run's duration, killed however it ends."""
import os

import pytest

from benchmarks import load, run


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def _busy_pids():
    """The busy-loop children this process started (found through /proc)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().split(") ")[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        if parent == os.getpid() and load.BUSY_LOOP.encode() in cmd:
            pids.append(int(entry))
    return pids


pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")


def test_busy_process_runs_inside_and_is_killed_after():
    with load.busy_cores(1) as label:
        pids = _busy_pids()
        assert len(pids) == 1 and _alive(pids[0])
        assert "1 core(s) busy" in label
    assert not _alive(pids[0])
    with load.busy_cores(0) as label:
        assert label == "" and _busy_pids() == []


def test_busy_process_is_killed_on_ctrl_c():
    with pytest.raises(KeyboardInterrupt):
        with load.busy_cores(1):
            pids = _busy_pids()
            raise KeyboardInterrupt
    assert pids and not _alive(pids[0])


def test_runner_labels_results_under_load(tmp_path, capsys):
    results = run.main(["--quick", "--only", "y_equals_x", "--repeats", "1", "--no-keras",
                        "--no-jit", "--no-memory", "--under-load", "--output", str(tmp_path)])
    out = capsys.readouterr().out
    assert "UNDER LOAD: 1 core(s) busy" in out
    assert results["machine"]["under_load"].startswith("1 core(s) busy")
    assert (tmp_path / "latest-quick-under-load.json").exists()
    assert not (tmp_path / "latest-quick.json").exists()
    assert _busy_pids() == []
