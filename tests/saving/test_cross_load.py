"""The cross-load matrix: real Keras 3 (torch backend) and tf-keras 2 write `.keras`,
`.weights.h5` and `.h5` files of seven models, cornu loads them and predicts the same; cornu
writes the three formats and Keras 3 loads them and predicts the same.

The reference files are written once per session by `cross_load_models.py` in a subprocess
(tf-keras's: with `$CORNU_TF_PYTHON`, default this interpreter; skipped with the reason when it
has no `tf_keras`). Measured differences go to `cross_load_max_diff.json` in pytest's temp
folder and are printed at the end of the session (`-s`).
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import cornu
from cornu.testing import real_keras
from tests.saving import cross_load_models as models

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOLERANCE = 1e-5
MEASURED = {}


def _generate(lib, folder, python):
    env = dict(os.environ, KERAS_BACKEND="torch", OMP_NUM_THREADS="1", PYTHONPATH=ROOT)
    run = subprocess.run([python, os.path.join(HERE, "cross_load_models.py"), lib, str(folder)],
                         env=env, capture_output=True, text=True, timeout=600)
    return run.returncode, run.stderr[-2000:]


@pytest.fixture(scope="session")
def keras3_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras3_files")
    code, err = _generate("keras", folder, sys.executable)
    assert code == 0, f"Keras 3 could not write the reference files:\n{err}"
    return folder


@pytest.fixture(scope="session")
def tf_keras_files(tmp_path_factory):
    python = os.environ.get("CORNU_TF_PYTHON", sys.executable)
    probe = subprocess.run([python, "-c", "import tf_keras"], capture_output=True, timeout=300)
    if probe.returncode != 0:
        pytest.skip(f"tf-keras 2 is not installed for {python} (pip install 'cornu[tf]', or "
                    "point $CORNU_TF_PYTHON at a Python that has tf_keras and tensorflow-cpu)")
    folder = tmp_path_factory.mktemp("tf_keras_files")
    code, err = _generate("tf_keras", folder, python)
    assert code == 0, f"tf-keras could not write the reference files:\n{err}"
    return folder


@pytest.fixture(scope="session", autouse=True)
def _report(tmp_path_factory):
    yield
    if MEASURED:
        path = tmp_path_factory.getbasetemp() / "cross_load_max_diff.json"
        path.write_text(json.dumps(MEASURED, indent=1, sort_keys=True))
        print("\ncross-load max |difference| of predictions:")
        for key in sorted(MEASURED):
            print(f"  {key:70s} {MEASURED[key]:.3g}")


def _reference(folder, name):
    data = np.load(os.path.join(folder, f"{name}.npz"))
    xs = [data[f"x{i}"] for i in range(sum(k.startswith("x") for k in data))]
    ys = [data[f"y{i}"] for i in range(sum(k.startswith("y") for k in data))]
    return (xs if len(xs) > 1 else xs[0]), ys


def _check(key, got, expected):
    diff = max(float(np.max(np.abs(np.asarray(g) - e))) for g, e in zip(got, expected))
    MEASURED[key] = diff
    assert len(got) == len(expected)
    assert diff <= TOLERANCE, f"{key}: predictions differ by {diff}"


def _cornu_loads(folder, name, ext):
    path = os.path.join(folder, name + ext)
    if ext == ".weights.h5":
        model = models.build(cornu, name)
        model.load_weights(path)
        return model
    model = cornu.models.load_model(path)
    assert model.compiled and type(model.optimizer).__name__ == "Adam"
    return model


@pytest.mark.parametrize("ext", [".keras", ".weights.h5", ".h5"])
@pytest.mark.parametrize("name", models.NAMES)
def test_keras3_writes_cornu_loads(keras3_files, name, ext):
    x, expected = _reference(keras3_files, name)
    model = _cornu_loads(keras3_files, name, ext)
    _check(f"keras3 {ext} -> cornu: {name}", models.predict(model, x), expected)


@pytest.mark.parametrize("name", models.NAMES)
def test_tf_keras2_writes_h5_cornu_loads(tf_keras_files, name):
    x, expected = _reference(tf_keras_files, name)
    model = _cornu_loads(tf_keras_files, name, ".h5")
    _check(f"tf-keras2 .h5 -> cornu: {name}", models.predict(model, x), expected)


@pytest.mark.parametrize("ext", [".keras", ".weights.h5", ".h5"])
@pytest.mark.parametrize("name", models.NAMES)
def test_cornu_writes_keras3_loads(tmp_path, name, ext):
    keras = real_keras()
    model = models.build(cornu, name)
    models.randomize(model)
    models.compile_model(model, name)
    x = models.inputs(name)
    expected = models.predict(model, x)
    path = str(tmp_path / (name + ext))
    model.save_weights(path) if ext == ".weights.h5" else model.save(path)
    if ext == ".weights.h5":
        theirs = models.build(keras, name)
        theirs.load_weights(path)
    else:  # Keras 3 cannot compile a Keras 2 HDF5 training config with string losses
        theirs = keras.models.load_model(path, compile=ext == ".keras")
    _check(f"cornu {ext} -> keras3: {name}", models.predict(theirs, x), expected)


def test_cornu_weights_files_have_keras3_layout(keras3_files, tmp_path):
    """Same groups, datasets and shapes as the file Keras 3 wrote, for every model (the
    optimizer's `optimizer/vars` aside: Keras wrote a compiled model; see optimizer_state)."""
    import h5py

    def tree(path):
        found = {}
        with h5py.File(path, "r") as f:
            f.visititems(lambda key, obj: found.__setitem__(key, getattr(obj, "shape", None)))
        return {k: v for k, v in found.items() if not k.startswith("optimizer")}
    for name in models.NAMES:
        model = models.build(cornu, name)
        path = str(tmp_path / f"{name}.weights.h5")
        model.save_weights(path)
        assert tree(path) == tree(os.path.join(keras3_files, f"{name}.weights.h5")), name
