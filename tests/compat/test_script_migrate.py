"""`cornu migrate`: rewritten scripts run on real Keras 3 with the predictions the original gives
on cornu (same weights, set by the script), and keep their comments."""
import os
import subprocess
import sys

import numpy as np
import pytest

from cornu.compat.script_check import check_source
from cornu.compat.script_migrate import migrate_source

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(HERE, "era_scripts")
FULLY_REWRITTEN = ["keras1_cnn.py", "keras2_lstm.py", "tfkeras_mlp.py", "keras3_functional.py"]


def _read(name):
    with open(os.path.join(SCRIPTS, name)) as f:
        return f.read()


def _run(args, tmp_path, out, env_extra):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PRED_OUT=str(out), **env_extra)
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return np.load(out)


@pytest.mark.parametrize("script", FULLY_REWRITTEN)
def test_rewritten_script_runs_on_keras3_with_cornus_predictions(script, tmp_path):
    pytest.importorskip("keras")
    new, found, left = migrate_source(_read(script))
    assert left == [] and check_source(new) == []
    (tmp_path / "original.py").write_text(_read(script))
    (tmp_path / "migrated.py").write_text(new)
    on_cornu = _run(["-m", "cornu", "run", "original.py"], tmp_path, tmp_path / "cornu.npy",
                    {"PYTHONPATH": ROOT})
    # plain python: `import keras` is real Keras 3 here (the script no longer needs TensorFlow)
    on_keras = _run(["migrated.py"], tmp_path, tmp_path / "keras.npy", {"KERAS_BACKEND": "torch"})
    np.testing.assert_allclose(on_keras, on_cornu, rtol=1e-5, atol=1e-5)


def test_rewrites_keep_comments_and_layout():
    source = ("from keras.layers.core import Dense  # the layer\n"
              "from keras.optimizers import SGD\n\n"
              "# a comment of its own\n"
              "layer = Dense(output_dim=3,   init='uniform')  # trailing\n"
              "opt = SGD(lr=0.1, decay=0)\n")
    new, found, left = migrate_source(source)
    assert new == ("from keras.layers import Dense  # the layer\n"
                   "from keras.optimizers import SGD\n\n"
                   "# a comment of its own\n"
                   "layer = Dense(units=3,   kernel_initializer='uniform')  # trailing\n"
                   "opt = SGD(learning_rate=0.1)\n")
    assert len(found) == 5 and left == []


def test_what_cannot_be_rewritten_is_left_and_reported():
    source = _read("keras1_graph.py")
    new, found, left = migrate_source(source)
    assert new == source
    assert sorted(f.construct for f in left) == ["Graph", "K.placeholder", "Merge",
                                                 "keras.legacy.models"]
    # Keras 1's positional fit_generator(generator, samples_per_epoch, nb_epoch) needs the
    # generator's batch size, which only the running script knows
    new, found, left = migrate_source("model.fit_generator(gen, 1000, 10)\n")
    assert new == "model.fit_generator(gen, 1000, 10)\n" and [f.kind for f in left] == ["method"]


def test_fit_samples_per_epoch_uses_the_batch_size():
    new, _, left = migrate_source("model.fit(x, y, nb_epoch=2, samples_per_epoch=100, batch_size=32)\n")
    assert new == "model.fit(x, y, epochs=2, steps_per_epoch=-(-(100) // 32), batch_size=32)\n"
    assert eval("-(-(100) // 32)") == 4 and left == []


def test_cli_writes_in_place_and_prints_a_diff(tmp_path):
    script = tmp_path / "train.py"
    script.write_text("from keras.optimizers import SGD\nopt = SGD(lr=0.1)\n")
    env = {**os.environ, "PYTHONPATH": ROOT}
    shown = subprocess.run([sys.executable, "-m", "cornu", "migrate", str(script)],
                           capture_output=True, text=True, env=env, timeout=300)
    assert shown.returncode == 0 and "+opt = SGD(learning_rate=0.1)" in shown.stdout
    assert script.read_text().endswith("SGD(lr=0.1)\n")  # without -w nothing is written
    written = subprocess.run([sys.executable, "-m", "cornu", "migrate", "-w", str(script)],
                             capture_output=True, text=True, env=env, timeout=300)
    assert written.returncode == 0 and written.stdout == ""
    assert script.read_text() == "from keras.optimizers import SGD\nopt = SGD(learning_rate=0.1)\n"
    assert sorted(os.listdir(tmp_path)) == ["train.py"]  # no temporary file left
