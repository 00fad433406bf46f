"""tf.data datasets, read as NumPy; TensorFlow is never imported by cornu.

The tests that need TensorFlow run where `tensorflow-cpu` is installed (the `[tf]` extra) and
skip elsewhere. They import TensorFlow into the test process (where the rest of the suite expects
cornu's TensorFlow stub), so CI installs it apart and runs this file on its own:
`pip install --target .tf_site tensorflow-cpu`, then
`PYTHONPATH=.tf_site python -m pytest tests/trainers/data_adapters/test_tf_dataset_adapter.py`."""
import os
import subprocess
import sys
import types

import numpy as np
import pytest

from cornu.trainers.data_adapters import TFDatasetAdapter, get
from cornu.trainers.data_adapters.tf_dataset import is_tf_dataset

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
GUIDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts", "tf_data_guide.py")


def _fake_tf_dataset(batches, cardinality):
    """An object of a class that looks, by name and module, like tf.data's DatasetV2."""
    DatasetV2 = type("DatasetV2", (), {
        "__module__": "tensorflow.python.data.ops.dataset_ops",
        "cardinality": lambda self: np.int64(cardinality),
        "as_numpy_iterator": lambda self: iter(batches),
    })
    return DatasetV2()


def test_recognised_only_when_tensorflow_is_imported(data, monkeypatch):
    ds = _fake_tf_dataset(data.batches(), 4)
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    assert not is_tf_dataset(ds)
    monkeypatch.setitem(sys.modules, "tensorflow", types.ModuleType("tensorflow"))
    assert is_tf_dataset(ds)
    adapter = get(ds, prepare=lambda x, y, sw, cw: (x, y, sw))
    assert isinstance(adapter, TFDatasetAdapter) and adapter.steps_per_epoch == 4
    assert get(_fake_tf_dataset([], -1), steps=3,
               prepare=lambda *a: a).steps_per_epoch == 3  # infinite: steps decide
    m = data.model()
    m.fit(ds, epochs=2, shuffle=False, verbose=0)
    data.assert_same(m.get_weights(), data.array_weights(epochs=2))
    with pytest.raises(ValueError, match=r"`y` should not be passed.*tf.data.Dataset"):
        m.fit(ds, data.Y, epochs=1, verbose=0)


def test_real_dataset_trains_like_arrays(data):
    tf = pytest.importorskip("tensorflow")
    ds = tf.data.Dataset.from_tensor_slices((data.X, data.Y)).batch(10)
    m = data.model()
    m.fit(ds, epochs=2, shuffle=False, verbose=0)
    data.assert_same(m.get_weights(), data.array_weights(epochs=2))
    m = data.model()
    with pytest.warns(UserWarning, match="ran out of data"):
        m.fit(ds.take(3), steps_per_epoch=4, epochs=1, shuffle=False, verbose=0)
    assert int(m.optimizer.iterations) == 3


def test_the_guides_pipeline_trains_under_cornu_run(tmp_path):
    pytest.importorskip("tensorflow")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    done = subprocess.run([sys.executable, "-m", "cornu", "run", GUIDE], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=480)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "MODULE cornu.models" in done.stdout
    assert "Epoch 3/3" in done.stdout
