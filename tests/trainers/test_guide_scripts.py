"""Keras 3's developer-guide patterns, as scripts importing `keras`, run unchanged under
`cornu run`; where they train, cornu's final loss lies within the range of five seeded runs of
real Keras 3 (torch backend) on the same script, widened by half its width.

The scripts (tests/trainers/guide_scripts/) are this project's own code in the guides' style.
Seeds draw different initial weights in cornu and in Keras, so the check is statistical: cornu's
median over three seeds against Keras's spread over five.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "guide_scripts")
GUIDES = ["custom_train_step", "custom_training_loop", "subclassing", "callbacks", "masking",
          "functional_api", "builtin_training"]


def _final_losses(command, seeds, **env):
    env = {**os.environ, "GUIDE_SEEDS": ",".join(map(str, seeds)), "OMP_NUM_THREADS": "1", **env}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    losses = [float(line.split()[2]) for line in result.stdout.splitlines()
              if line.startswith("final_loss ")]
    assert len(losses) == len(seeds), result.stdout
    assert all(np.isfinite(losses)), losses
    return losses


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_pattern_runs_under_cornu_run_and_trains_like_keras(guide):
    pytest.importorskip("keras")
    script = os.path.join(SCRIPTS, f"{guide}.py")
    ours = _final_losses([sys.executable, "-m", "cornu", "run", script], range(3),
                         PYTHONPATH=ROOT)
    keras = _final_losses([sys.executable, script], range(5), KERAS_BACKEND="torch",
                          PYTHONPATH="")
    low, high = min(keras), max(keras)
    margin = 0.5 * (high - low) + 1e-3 * abs(high)
    assert low - margin <= float(np.median(ours)) <= high + margin, (ours, keras)
