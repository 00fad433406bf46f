"""`import cornu` loads torch and NumPy, not the optional libraries: each is imported where it
is first used (h5py by the HDF5 saving code, PIL by the image utilities, ...)."""
import json
import os
import subprocess
import sys

LAZY = ("h5py", "PIL", "yaml", "scipy", "pandas", "sklearn", "matplotlib", "pydot", "keras",
        "tensorflow", "IPython")


def _loaded_after(code):
    env = dict(os.environ)
    env.pop("KERAS_BACKEND", None)
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys, json\n"
                           "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_cornu_leaves_the_optional_libraries_unloaded():
    loaded = _loaded_after("import cornu")
    assert "cornu" in loaded and "torch" in loaded
    assert sorted(loaded & set(LAZY)) == []


def test_a_model_built_and_trained_loads_none_of_them():
    loaded = _loaded_after(
        "import numpy as np, cornu\n"
        "m = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(2)])\n"
        "m.compile('adam', 'mse', metrics=['mae'])\n"
        "m.fit(np.zeros((8, 3)), np.zeros((8, 2)), verbose=0)\n"
        "m.predict(np.zeros((2, 3)), verbose=0)\n")
    assert sorted(loaded & set(LAZY)) == []


def test_first_use_imports_h5py():
    # the check above could pass with h5py made unusable; saving to .h5 still works
    loaded = _loaded_after(
        "import os, tempfile, numpy as np, cornu\n"
        "m = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(2)])\n"
        "path = os.path.join(tempfile.mkdtemp(), 'w.weights.h5')\n"
        "m.save_weights(path)\n"
        "m.load_weights(path)\n")
    assert "h5py" in loaded
