"""Honest imports under the `keras` alias: a name cornu lacks fails at the import, naming it
and the close matches; every name cornu has (any era's module path) imports."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(tmp_path, source):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-m", "cornu", "run", str(script)], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=300)


def test_missing_names_fail_at_the_import_with_close_matches(tmp_path):
    result = _run(tmp_path, """
        statements = [
            "from keras.models import model_grom_json",   # a typo in the course notes
            "import keras.layers.recurent",
            "from keras.layers.recurent import LSTM",
            "from keras.callbacks import EarlyStoping",
            "from keras.utils.data_utils import get_fille",
        ]
        for statement in statements:
            try:
                exec(statement)
            except ImportError as error:
                print("IMPORTERROR", statement, "|", error)
            else:
                print("IMPORTED", statement)
    """)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" | ", 1) for line in result.stdout.splitlines())
    assert all(k.startswith("IMPORTERROR") for k in lines), result.stdout
    messages = list(lines.values())
    assert "model_grom_json" in messages[0] and "model_from_json" in messages[0]
    assert "recurent" in messages[1] and "recurrent" in messages[1]
    assert "recurent" in messages[2]
    assert "EarlyStoping" in messages[3] and "EarlyStopping" in messages[3]
    assert "get_fille" in messages[4] and "get_file" in messages[4]


def test_names_of_every_era_that_exist_import(tmp_path):
    # The examples, in each era's spelling: all bind the real objects, not stand-ins.
    result = _run(tmp_path, """
        import types
        import keras
        from keras.datasets import imdb
        from keras.utils.data_utils import get_file
        from keras.models import model_from_json
        import keras.layers.recurrent
        from keras.engine import Layer, InputSpec
        from keras.engine.topology import Layer as TopologyLayer
        from keras.engine.training import slice_X
        from keras.utils.generic_utils import Progbar, serialize_keras_object, deserialize_keras_object
        from keras.layers.wrappers import TimeDistributed, Bidirectional
        from keras.initializations import glorot_uniform as keras1_glorot
        from keras.initializers import glorot_uniform
        assert isinstance(imdb, types.ModuleType) and callable(imdb.load_data)
        assert callable(get_file) and not isinstance(get_file, types.ModuleType)
        assert callable(model_from_json) and not isinstance(model_from_json, types.ModuleType)
        assert Layer is TopologyLayer is keras.layers.Layer
        assert InputSpec is keras.InputSpec
        assert keras.objectives.mean_squared_error is keras.losses.mean_squared_error
        assert keras.layers.recurrent.LSTM is keras.layers.LSTM
        assert isinstance(glorot_uniform(seed=1), keras.initializers.GlorotUniform)
        print("OK")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("OK")


def test_resolve_and_missing_name_error_in_process():
    from cornu.compat.keras_alias import missing_name_error, resolve
    assert resolve("keras.layers.recurent") is None
    assert resolve("keras.applications.resnet50") == "cornu.applications.resnet50"
    error = missing_name_error("keras.models.model_grom_json")
    assert isinstance(error, ImportError) and "model_from_json" in str(error)
