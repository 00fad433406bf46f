"""tf.data datasets, read as NumPy; TensorFlow is never imported by cornu.

The tests that need TensorFlow run where `tensorflow-cpu` is installed (the `[tf]` extra) and
skip elsewhere. They import TensorFlow into the test process (where the rest of the suite expects
cornu's TensorFlow stub), so `.ci/run` installs it apart, in `.tf_site` (`pip install --target
.tf_site --no-deps tensorflow-cpu==2.21.0 ...`: the list is there), and runs this file on its own
with `PYTHONPATH=$PWD/.tf_site:$PWD` (CONTRIBUTING.md, "TensorFlow")."""
import os
import re
import subprocess
import sys
import types

import numpy as np
import pytest

from cornu.trainers.data_adapters import TFDatasetAdapter, get
from cornu.trainers.data_adapters.tf_dataset import is_tf_dataset

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
GUIDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts", "tf_data_guide.py")


def _tensorflow():
    """TensorFlow, or a skip; `.ci/run`'s TensorFlow step sets `CORNU_REQUIRE_TF=1`, where a
    TensorFlow that fails to import is an error, not three skipped tests."""
    if os.environ.get("CORNU_REQUIRE_TF"):
        import tensorflow
        return tensorflow
    return pytest.importorskip("tensorflow")


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
    tf = _tensorflow()
    ds = tf.data.Dataset.from_tensor_slices((data.X, data.Y)).batch(10)
    m = data.model()
    m.fit(ds, epochs=2, shuffle=False, verbose=0)
    data.assert_same(m.get_weights(), data.array_weights(epochs=2))
    m = data.model()
    with pytest.warns(UserWarning, match="ran out of data"):
        m.fit(ds.take(3), steps_per_epoch=4, epochs=1, shuffle=False, verbose=0)
    assert int(m.optimizer.iterations) == 3


def test_repeated_dataset_with_steps_per_epoch_and_validation_dataset(data):
    tf = _tensorflow()
    ds = tf.data.Dataset.from_tensor_slices((data.X, data.Y)).batch(10)
    m = data.model()
    history = m.fit(ds.repeat(), steps_per_epoch=4, epochs=2, validation_data=ds, verbose=0)
    data.assert_same(m.get_weights(), data.array_weights(epochs=2))
    reference = data.model()
    reference.set_weights(m.get_weights())
    expected = reference.evaluate(data.X, data.Y, batch_size=10, verbose=0)
    np.testing.assert_allclose(history.history["val_loss"][-1], expected, rtol=1e-5)
    assert len(history.history["loss"]) == 2 and int(m.optimizer.iterations) == 8


def test_the_guides_pipeline_trains_under_cornu_run(tmp_path):
    _tensorflow()
    if not os.path.exists(os.path.join(os.environ["CORNU_DATASETS"], "mnist")):
        pytest.skip("shared MNIST files are not on this machine")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [ROOT] + [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                  if p])}  # absolute: the script runs in tmp_path
    done = subprocess.run([sys.executable, "-m", "cornu", "run", GUIDE], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=480)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "MODULE cornu.models" in done.stdout
    assert "Epoch 3/3" in done.stdout
    lines = done.stdout.splitlines()
    # the three epochs of `fit(train_dataset, epochs=3)`: 6000 samples in batches of 64
    losses = [float(re.search(r" - loss: ([\d.]+)", line).group(1))
              for line in lines if line.startswith("94/94 ")]
    assert len(losses) == 3 and losses[0] > losses[1] > losses[2], lines
    # `fit(train_dataset.repeat(), steps_per_epoch=50, validation_data=val_dataset)`
    last = [line for line in lines if line.startswith("50/50 ")]
    assert len(last) == 1 and " - val_loss: " in last[0], lines
