"""`cornu check`: each era script's legacy constructs, as (line, kind, construct, modern)."""
import json
import os
import subprocess
import sys

import pytest

from cornu.compat.script_check import check_source

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(HERE, "era_scripts")

# construct -> the report row cornu check must give for it (rewritable marked by the last field)
EXPECTED = {
    "keras1_cnn.py": [
        (5, "module path", "keras.layers.core", "keras.layers", True),
        (6, "name", "Convolution2D", "Conv2D", True),
        (6, "module path", "keras.layers.convolutional", "keras.layers", True),
        (7, "module path", "keras.utils.np_utils", "keras.utils", True),
        (15, "argument", "border_mode=", "padding=", True),
        (15, "argument", "dim_ordering=", "data_format='channels_last'", True),
        (15, "signature", "Convolution2D(3 positionals)", "filters=4, kernel_size=(3, 3)", True),
        (19, "argument", "output_dim=", "units=", True),
        (19, "argument", "init=", "kernel_initializer=", True),
        (22, "argument", "lr=", "learning_rate=", True),
        (23, "argument", "nb_epoch=", "epochs=", True),
        (24, "method", ".predict_classes()", "predict_classes(model, x)", True),
    ],
    "keras2_lstm.py": [
        (5, "module path", "keras.layers.embeddings", "keras.layers", True),
        (6, "module path", "keras.layers.recurrent", "keras.layers", True),
        (15, "argument", "input_length=", "input_shape=(5,)", True),
        (17, "argument", "W_regularizer=", "kernel_regularizer=", True),
        (19, "argument", "lr=", "learning_rate=", True),
        (19, "argument", "decay=", "learning_rate=keras.optimizers.schedules.InverseTimeDecay(...)",
         True),
        (26, "method", ".fit_generator()", "fit", True),
    ],
    "tfkeras_mlp.py": [
        (5, "tensorflow", "tensorflow.keras.layers", "keras.layers", True),
        (7, "tensorflow", "tf.random.set_seed", "keras.utils.set_random_seed", True),
        (12, "tensorflow", "tf.keras.models", "keras.models", True),
        (15, "argument", "lr=", "learning_rate=", True),
        (15, "tensorflow", "tf.keras.optimizers", "keras.optimizers", True),
    ],
    "keras3_functional.py": [],
    "keras1_graph.py": [
        (3, "name", "Graph", "(no Keras 3 equivalent)", False),
        (3, "module path", "keras.legacy.models", "", False),
        (4, "name", "Merge", "(no Keras 3 equivalent)", False),
        (11, "backend", "K.placeholder", "", False),
    ],
}


def rows(source):
    return sorted((f.line, f.kind, f.construct, f.modern, f.rewritable) for f in check_source(source))


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_check_lists_each_legacy_construct(script):
    with open(os.path.join(SCRIPTS, script)) as f:
        assert rows(f.read()) == sorted(EXPECTED[script])


def test_examples_report_their_legacy_spellings():
    with open(os.path.join(ROOT, "examples", "breast_cancer_mlp.py")) as f:
        assert rows(f.read()) == [(26, "argument", "lr=", "learning_rate=", True)]
    with open(os.path.join(ROOT, "examples", "notes", "mnist_cnn.py")) as f:
        assert rows(f.read()) == []


def test_unsupported_constructs_are_marked():
    found = check_source("from keras import backend as K\nimport tensorflow as tf\n"
                         "x = K.gradients(1, 2)\ny = tf.constant(3)\n"
                         "from keras.layers import NoSuchLayer\n")
    assert [(f.line, f.kind, f.supported) for f in found] == [
        (3, "backend", False), (4, "tensorflow", False), (5, "missing", False)]


def test_notebook_cells_and_magics():
    book = {"cells": [
        {"cell_type": "markdown", "source": ["# title"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "from keras.optimizers import SGD\n"]},
        {"cell_type": "code", "source": "opt = SGD(lr=0.1)\n"}], "nbformat": 4, "metadata": {}}
    found = check_source(json.dumps(book))
    assert [(f.cell, f.line, f.construct) for f in found] == [(2, 1, "lr=")]


def _check(*args):
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-m", "cornu", "check", *args], capture_output=True,
                          text=True, env=env, cwd=SCRIPTS, timeout=300)


def test_cli_exit_status_and_json():
    ok = _check("keras1_cnn.py", "keras3_functional.py")
    assert ok.returncode == 0, ok.stderr
    assert "line 6: name: Convolution2D -> Conv2D" in ok.stdout
    bad = _check("keras1_graph.py", "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)["keras1_graph.py"]
    assert [r["construct"] for r in report if not r["supported"]] == ["K.placeholder"]
