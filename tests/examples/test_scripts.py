"""The README's main job and the course notes' MNIST MLP, run unchanged with `cornu run`."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _cornu_run(script):
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-m", "cornu", "run", script], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=1200)


def test_breast_cancer_example_trains():
    result = _cornu_run("examples/breast_cancer_mlp.py")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-2] == "['loss', 'accuracy']"
    loss, accuracy = eval(lines[-1])
    assert accuracy > 0.9
    assert re.match(r"^Epoch 100/100$", lines[-5])


def test_notes_mnist_mlp_reaches_95_5_percent():
    if not os.path.exists(os.path.join(os.environ["CORNU_DATASETS"], "mnist")):
        pytest.skip("shared MNIST files are not on this machine")
    result = _cornu_run("examples/notes/mnist_mlp.py")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "Epoch 1/5"
    bar = re.compile(r"^1875/1875 \[={30}\] - \d+s \d+(ms|us)/step - loss: [\d.]+ - accuracy: [\d.]+$")
    assert all(bar.match(lines[i]) for i in (2, 4, 6, 8, 10)), lines[:11]
    assert re.match(r"^313/313 \[={30}\] - \d+s \d+(ms|us)/step - loss: [\d.]+ - accuracy: [\d.]+$",
                    lines[11])
    accuracy = float(lines[12].split()[-1])
    assert accuracy >= 0.955
    assert "Total params: 335,114" in result.stdout


def test_notes_mnist_cnn_reaches_95_percent_in_3_epochs():
    if not os.path.exists(os.path.join(os.environ["CORNU_DATASETS"], "mnist")):
        pytest.skip("shared MNIST files are not on this machine")
    result = _cornu_run("examples/notes/mnist_cnn.py")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(None, 27, 27, 128)" in out and "(None, 13, 13, 128)" in out
    assert "Total params: 216,970" in out
    epoch = re.compile(r"^6000/6000 - \d+s - loss: [\d.]+ - acc: [\d.]+ - \d+s/epoch - \d+ms/step$")
    lines = out.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^Epoch \d/3$", line)]
    assert len(starts) == 3 and all(epoch.match(lines[i + 1]) for i in starts), lines
    # batch_size=10 Adam makes the last epoch noisy: real Keras 3 ended two runs of this script at
    # 95.69% and 97.17%, cornu four runs at 95.43-96.95%; 95% is the floor both clear.
    assert float(lines[-1].split()[-1]) >= 0.95
