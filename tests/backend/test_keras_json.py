"""`$KERAS_HOME/keras.json` is read at import, as every Keras did (Keras 1's
`image_dim_ordering` included); each case runs in a fresh interpreter."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROBE = ("import cornu, cornu.backend as K, numpy as np\n"
         "print(K.floatx(), K.epsilon(), K.image_data_format(),"
         " cornu.layers.Dense(2)(np.ones((1, 3))).dtype)\n")


def _import_with(tmp_path, settings):
    home = tmp_path / "keras_home"
    home.mkdir()
    if settings is not None:
        (home / "keras.json").write_text(settings if isinstance(settings, str)
                                         else json.dumps(settings))
    env = {**os.environ, "KERAS_HOME": str(home), "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env,
                          timeout=300)


def test_keras2_keras_json_sets_floatx_epsilon_and_data_format(tmp_path):
    result = _import_with(tmp_path, {"floatx": "float64", "epsilon": 1e-4,
                                     "image_data_format": "channels_first",
                                     "backend": "tensorflow"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["float64", "0.0001", "channels_first", "torch.float64"]


def test_keras1_image_dim_ordering(tmp_path):
    result = _import_with(tmp_path, {"image_dim_ordering": "th", "epsilon": 1e-07,
                                     "floatx": "float32", "backend": "theano"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["float32", "1e-07", "channels_first"]


@pytest.mark.parametrize("settings", [None, "{not json"])
def test_missing_or_unparsable_file_keeps_the_defaults(tmp_path, settings):
    result = _import_with(tmp_path, settings)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["float32", "1e-07", "channels_last"]


def test_a_bad_value_names_the_file(tmp_path):
    result = _import_with(tmp_path, {"floatx": "float8"})
    assert result.returncode != 0
    assert "keras.json" in result.stderr and "float8" in result.stderr
