"""Crash safety, proven: training processes that write checkpoints (`.keras`, `.weights.h5`,
`.h5`) and backups after every batch are killed (SIGKILL) at random moments, and every file
left at a final path loads. A temp file (`.NAME.HOST.PID.RANDOM.tmp`) may stay behind; no
partial file may sit where a good one is expected.

One worker process imports cornu once and forks a trainer per kill, so a kill costs the
training time before it, not an interpreter start."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

_WORKER = textwrap.dedent("""
    import json, os, random, signal, sys, time, warnings
    import numpy as np
    import torch
    torch.set_num_threads(1)
    import cornu

    def make():
        model = cornu.Sequential([cornu.Input((20,)), cornu.layers.Dense(64, activation="relu"),
                                  cornu.layers.BatchNormalization(), cornu.layers.Dense(1)])
        model.compile(cornu.optimizers.Adam(0.01), "mse")
        return model

    def train(folder):
        x = np.random.rand(64, 20).astype("float32")
        y = x.sum(1, keepdims=True)
        ck = cornu.callbacks.ModelCheckpoint
        callbacks = [ck(os.path.join(folder, "m.keras"), save_freq=1),
                     ck(os.path.join(folder, "w.weights.h5"), save_weights_only=True, save_freq=1),
                     ck(os.path.join(folder, "m.h5"), save_freq=1),
                     ck(os.path.join(folder, "best_model.hd5"), save_best_only=True,
                        monitor="loss", save_freq=1),
                     cornu.callbacks.BackupAndRestore(os.path.join(folder, "backup"),
                                                      save_freq=1, double_checkpoint=True)]
        make().fit(x, y, batch_size=8, epochs=1000, verbose=0, callbacks=callbacks)

    def check(folder):
        problems, checked = [], 0
        for root, _, names in os.walk(folder):
            for name in names:
                path = os.path.join(root, name)
                if name.startswith(".") and name.endswith(".tmp"):
                    continue  # a temp file: never at a final path
                try:
                    if name.endswith(".json") or name.endswith(".json.bkp"):
                        with open(path) as f:
                            json.load(f)
                    elif name.endswith((".weights.h5", ".weights.h5.bkp")):
                        target = path if name.endswith(".h5") else path + ".h5"
                        if target != path:
                            os.link(path, target)
                        model = make()
                        with warnings.catch_warnings():
                            warnings.simplefilter("error")
                            model.load_weights(target)
                    else:
                        cornu.models.load_model(path)
                    checked += 1
                except Exception as error:
                    problems.append(f"{path}: {type(error).__name__}: {error}")
        backup = os.path.join(folder, "backup")
        if os.path.exists(os.path.join(backup, "latest.weights.h5")):
            callback = cornu.callbacks.BackupAndRestore(backup, save_freq=1)
            callback.set_model(make())
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    callback.on_train_begin()
                checked += 1
            except Exception as error:
                problems.append(f"restore from {backup}: {type(error).__name__}: {error}")
        return problems, checked

    base, kills, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    report = {"problems": [], "checked": 0, "kills": 0}
    for i in range(kills):
        folder = os.path.join(base, str(i))
        os.makedirs(folder)
        pid = os.fork()
        if pid == 0:
            try:
                train(folder)
            finally:
                os._exit(0)
        # every file written at least once (the second backup makes the .bkp pair), then a
        # moment anywhere in the writes that follow
        first_round = os.path.join(folder, "backup", "training_metadata.json.bkp")
        deadline = time.time() + 60
        while not os.path.exists(first_round) and time.time() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.25))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        report["kills"] += os.WIFSIGNALED(status)
        problems, checked = check(folder)
        report["problems"] += problems
        report["checked"] += checked
    print("REPORT " + json.dumps(report))
""")


def _kill_and_check(tmp_path, kills, seed):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.getcwd()}
    run = subprocess.run([sys.executable, "-c", _WORKER, str(tmp_path), str(kills), str(seed)],
                         env=env, capture_output=True, text=True, timeout=1800)
    lines = [line for line in run.stdout.splitlines() if line.startswith("REPORT ")]
    assert run.returncode == 0 and lines, run.stderr[-3000:]
    report = json.loads(lines[-1][len("REPORT "):])
    assert report["kills"] == kills  # each trainer was killed while still training
    assert report["problems"] == []
    assert report["checked"] >= kills * 9  # 4 checkpoints, 2 backup pairs, the restore
    return report


def test_ten_kills_while_writing_leave_only_files_that_load(tmp_path):
    _kill_and_check(tmp_path, kills=10, seed=0)


@pytest.mark.slow
def test_a_hundred_kills_while_writing_leave_only_files_that_load(tmp_path):
    _kill_and_check(tmp_path, kills=100, seed=1)
