"""`cornu run` runs scripts written for any Keras era, with nothing named keras needed."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(tmp_path, source, *args):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-m", "cornu", "run", str(script), *args],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)


def test_run_keras2_script_with_argv_and_main(tmp_path):
    result = _run(tmp_path, """
        import sys
        import numpy as np
        import keras
        from keras.models import Sequential
        from keras.layers.core import Dense, Activation
        from keras.utils import np_utils
        from keras.optimizers import SGD
        from keras import backend as K
        print("argv", sys.argv[1:], __name__, keras.__name__)
        model = Sequential()
        model.add(Dense(output_dim=3, input_dim=4, init='glorot_uniform'))
        model.add(Activation('softmax'))
        model.compile(loss='categorical_crossentropy', optimizer=SGD(lr=0.1), metrics=['accuracy'])
        y = np_utils.to_categorical(np.arange(12) % 3)
        h = model.fit(np.random.rand(12, 4), y, nb_epoch=2, batch_size=4, verbose=0)
        print("epochs", len(h.history['loss']), sorted(h.history))
        K.set_value(model.optimizer.lr, 0.5)
        print("lr", K.get_value(model.optimizer.lr))
    """, "--epochs", "3", "x")
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[0] == "argv ['--epochs', '3', 'x'] __main__ keras"
    assert out[1] == "epochs 2 ['accuracy', 'loss']"
    assert out[2] == "lr 0.5"


def test_run_reports_script_errors_with_its_traceback(tmp_path):
    result = _run(tmp_path, "from keras.layers import Dense\nDense(3, foo=1)\n")
    assert result.returncode != 0
    assert "Dense: unexpected keyword argument(s) 'foo'" in result.stderr
    assert "script.py" in result.stderr


def test_install_as_keras_in_process():
    import cornu
    saved = {k: v for k, v in sys.modules.items() if k == "keras" or k.startswith("keras.")}
    cornu.install_as_keras()
    try:
        import keras.layers.advanced_activations as adv
        from keras.utils.np_utils import to_categorical
        assert adv.LeakyReLU is cornu.layers.LeakyReLU
        assert to_categorical is cornu.utils.to_categorical
    finally:  # give the real Keras (its very modules) back to the other tests
        for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
            del sys.modules[name]
        sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "KerasAliasFinder"]
        sys.modules.update(saved)


def test_info(tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-m", "cornu", "info"], capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0 and result.stdout.startswith("cornu ") and "torch" in result.stdout


def test_script_imports_modules_beside_it_from_another_directory(tmp_path):
    # `python project/train.py` puts project/ first on sys.path; `cornu run` must too.
    project = tmp_path / "project"
    project.mkdir()
    (project / "data_utils.py").write_text("import numpy as np\nX = np.ones((6, 2))\n")
    (project / "train.py").write_text(textwrap.dedent("""
        import sys, os
        from data_utils import X
        from keras.models import Sequential
        from keras.layers import Dense
        model = Sequential([Dense(1, input_shape=(2,))])
        print(model.predict(X, verbose=0).shape, os.path.basename(sys.path[0]))
    """))
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-m", "cornu", "run", "project/train.py"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["(6,", "1)", "project"]
