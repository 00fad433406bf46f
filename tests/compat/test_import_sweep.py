"""The sweep over every public name of Keras 1.2, 2.x and 3.15 (tools/import_sweep.py, the table
in tests/compat/data): each imports or fails at the import with an honest ImportError."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Names scripts of each era use most; they must import (not merely fail honestly).
MUST_IMPORT = {
    "keras1": ["keras.layers.core.Dense", "keras.layers.convolutional.Convolution2D",
               "keras.engine.topology.Layer", "keras.engine.training.slice_X",
               "keras.initializations.glorot_uniform", "keras.utils.np_utils.to_categorical",
               "keras.objectives.categorical_crossentropy", "keras.backend.random_normal",
               "keras.backend.conv2d", "keras.backend.pool2d"],
    "keras2": ["keras.engine.Layer", "keras.engine.InputSpec", "keras.backend.conv1d",
               "keras.backend.batch_dot", "keras.backend.l2_normalize",
               "keras.utils.generic_utils.Progbar", "keras.utils.data_utils.get_file",
               "keras.utils.generic_utils.serialize_keras_object", "keras.datasets.imdb.load_data",
               "keras.layers.wrappers.TimeDistributed"],
    "keras3": ["keras.layers.Dense", "keras.utils.Progbar", "keras.InputSpec",
               "keras.initializers.glorot_uniform", "keras.utils.get_source_inputs"],
}


def test_every_documented_name_imports_or_fails_honestly():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "import_sweep.py"),
                             "--json"], capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert result.returncode == 0, result.stderr[-3000:]
    sweep = json.loads(result.stdout.splitlines()[-1])
    for era, rows in sweep.items():
        faults = [f"{r['module']}.{r['name']}: {r['detail']}" for r in rows if r["status"] == "fault"]
        assert not faults, f"{era}: imports that fail other than with an honest ImportError: {faults}"
        ok = sum(r["status"] == "ok" for r in rows)
        print(f"{era}: {len(rows)} names, {ok} import, {len(rows) - ok} honest ImportError")
        status = {f"{r['module']}.{r['name']}": r["status"] for r in rows}
        missing = [name for name in MUST_IMPORT[era] if status.get(name) != "ok"]
        assert not missing, f"{era}: {missing} do not import"
