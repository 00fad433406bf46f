"""Keras 0.x/1 graph forms: Merge/merge, containers.Sequential, AutoEncoder and Graph, all on
the functional graph; old module paths resolve to them."""
import importlib
import runpy
import sys
import textwrap

import numpy as np
import pytest

import cornu
from cornu import layers as L
from cornu.compat import legacy_models as legacy
from cornu.compat.keras_alias import resolve

rng = np.random.default_rng(0)
X1 = rng.normal(size=(6, 8)).astype("float32")
X2 = rng.normal(size=(6, 8)).astype("float32")


def _branches():
    left = cornu.Sequential([L.Dense(4, input_dim=8)])
    right = cornu.Sequential([L.Dense(4, input_dim=8)])
    a = X1 @ left.layers[0].get_weights()[0] + left.layers[0].get_weights()[1]
    b = X2 @ right.layers[0].get_weights()[0] + right.layers[0].get_weights()[1]
    return left, right, a, b


def _cos(a, b):
    return ((a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1))[:, None]


@pytest.mark.parametrize("mode,expected", [
    ("sum", lambda a, b: a + b), ("mul", lambda a, b: a * b), ("ave", lambda a, b: (a + b) / 2),
    ("max", np.maximum), ("concat", lambda a, b: np.concatenate([a, b], 1)),
    ("dot", lambda a, b: (a * b).sum(1, keepdims=True)), ("cos", _cos),
    (lambda ts: ts[0] - ts[1], lambda a, b: a - b),
])
def test_merge_of_models_in_a_sequential(mode, expected):
    left, right, a, b = _branches()
    model = cornu.Sequential()
    model.add(legacy.Merge([left, right], mode=mode))
    np.testing.assert_allclose(model.predict([X1, X2], verbose=0), expected(a, b), rtol=1e-4,
                               atol=1e-5)
    model.add(L.Dense(1))
    model.compile(loss="mse", optimizer="sgd")
    model.fit([X1, X2], np.ones((6, 1)), epochs=1, verbose=0)
    assert model.count_params() == 72 + model.layers[-1].count_params()


def test_merge_modes_translate_to_keras3_layers():
    assert type(legacy.Merge(mode="sum")).__name__ == "Add"
    concat = legacy.Merge(mode="concat", concat_axis=1, name="joined")
    assert type(concat).__name__ == "Concatenate" and concat.axis == 1 and concat.name == "joined"
    dot = legacy.Merge(mode="dot", dot_axes=[[1], [1]])  # Keras 0.x wrote axes as lists
    assert type(dot).__name__ == "Dot" and dot.axes == (1, 1)
    assert legacy.Merge(mode="cos").normalize
    with pytest.raises(ValueError, match="Invalid merge mode"):
        legacy.Merge(mode="median")
    from_config = L.deserialize({"class_name": "Merge", "config": {
        "name": "m", "mode": "concat", "mode_type": "raw", "concat_axis": -1, "dot_axes": -1,
        "output_shape": None, "output_shape_type": "raw", "output_mask": None,
        "output_mask_type": "raw", "arguments": {}}})
    assert type(from_config).__name__ == "Concatenate"


def test_functional_merge_and_keras1_model_keywords():
    a, b = cornu.Input((8,)), cornu.Input((8,))
    joined = legacy.merge([L.Dense(3)(a), L.Dense(2)(b)], mode="concat", concat_axis=1)
    model = cornu.Model(input=[a, b], output=legacy.merge([joined, joined], mode="sum"))
    assert model.output_shape == (None, 5)
    left, right, u, v = _branches()
    tensor = legacy.merge([left, right], mode="mul")
    assert tensor.shape == (None, 4)


def test_autoencoder_layer_trains_reconstruction_and_predicts_codes():
    encoder = legacy.containers.Sequential([L.Dense(16, input_dim=32), L.Dense(8)])
    decoder = legacy.containers.Sequential([L.Dense(16, input_dim=8), L.Dense(32)])
    autoencoder = cornu.Sequential()
    autoencoder.add(legacy.AutoEncoder(encoder=encoder, decoder=decoder,
                                       output_reconstruction=False))
    autoencoder.compile(loss="mse", optimizer="sgd")
    x = rng.random((64, 32)).astype("float32")
    history = autoencoder.fit(x, x, epochs=3, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]
    np.testing.assert_allclose(autoencoder.predict(x, verbose=0), encoder.predict(x, verbose=0),
                               rtol=1e-5)
    assert autoencoder.output_shape == (None, 8) and autoencoder.count_params() == 528 + 136 + 144 + 544
    full = cornu.Sequential([legacy.AutoEncoder(encoder, decoder, output_reconstruction=True)])
    assert full.predict(x, verbose=0).shape == (64, 32)


def test_graph_model():
    graph = legacy.Graph()
    graph.add_input(name="input1", input_shape=(8,))
    graph.add_input(name="input2", input_shape=(8,))
    graph.add_node(L.Dense(16), name="dense1", input="input1")
    graph.add_node(L.Dense(4), name="dense2", input="input2")
    graph.add_node(L.Dense(4), name="dense3", input="dense1")
    graph.add_node(L.Dense(3), name="both", inputs=["dense2", "dense3"])  # merged: concat
    graph.add_shared_node(L.Dense(2), name="shared", inputs=["dense2", "dense3"],
                          merge_mode="sum", create_output=True)
    graph.add_output(name="output", inputs=["dense2", "dense3"], merge_mode="sum")
    graph.add_output(name="aux", input="both")
    graph.compile(optimizer="rmsprop", loss={"output": "mse", "aux": "mse", "shared": "mse"})
    y = {"output": rng.normal(size=(6, 4)), "aux": rng.normal(size=(6, 3)),
         "shared": rng.normal(size=(6, 2))}
    history = graph.fit({"input1": X1, "input2": X2, **y}, nb_epoch=2, verbose=0).history
    assert {"loss", "output_loss", "aux_loss", "shared_loss"} <= set(history)
    predictions = graph.predict({"input1": X1, "input2": X2})
    assert {k: v.shape for k, v in predictions.items()} == {
        "shared": (6, 2), "output": (6, 4), "aux": (6, 3)}
    assert graph.nodes["dense1"].units == 16 and graph.get_layer("dense3").units == 4
    loss = graph.evaluate({"input1": X1, "input2": X2, **y})
    assert np.isfinite(loss[0] if isinstance(loss, list) else loss)
    with pytest.raises(ValueError, match="input2"):
        graph.predict({"input1": X1})
    with pytest.raises(ValueError, match="duplicate"):
        graph.add_node(L.Dense(1), name="dense1", input="input1")
    rebuilt = cornu.models.model_from_json(graph.to_json())  # comes back as a functional model
    assert rebuilt.count_params() == graph.count_params()
    assert len(rebuilt.outputs) == 3


def test_old_module_paths_resolve():
    table = {"keras.layers.containers": "Sequential", "keras.legacy.models": "Graph",
             "keras.legacy.layers": "Merge", "keras.layers.merge": "concatenate"}
    for path, name in table.items():
        assert hasattr(importlib.import_module(resolve(path)), name)
    assert L.Merge is legacy.Merge and cornu.models.Graph is legacy.Graph
    assert L.containers.Sequential is cornu.Sequential


def test_keras1_script_runs_through_the_keras_alias(tmp_path, capsys):
    script = tmp_path / "keras1_graph.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        from keras.models import Sequential, Graph
        from keras.layers.core import Dense, Merge, AutoEncoder
        from keras.layers import containers
        left = Sequential(); left.add(Dense(4, input_dim=3))
        right = Sequential(); right.add(Dense(4, input_dim=3))
        model = Sequential(); model.add(Merge([left, right], mode='concat'))
        model.add(Dense(1)); model.compile(loss='mse', optimizer='sgd')
        x = np.ones((4, 3))
        model.fit([x, x], np.ones((4, 1)), nb_epoch=1, verbose=0)
        g = Graph(); g.add_input(name='input', input_shape=(3,))
        g.add_node(Dense(2), name='d', input='input'); g.add_output(name='output', input='d')
        g.compile('sgd', {'output': 'mse'})
        print(sorted(g.predict({'input': x})), model.output_shape)
    """))
    from cornu.compat.keras_alias import KerasAliasFinder, install_as_keras
    saved = {k: v for k, v in sys.modules.items() if k == "keras" or k.startswith("keras.")}
    try:
        install_as_keras()
        runpy.run_path(str(script), run_name="__main__")
    finally:  # give the real Keras back to the other tests
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, KerasAliasFinder)]
        for name in [k for k in sys.modules if k == "keras" or k.startswith("keras.")]:
            del sys.modules[name]
        sys.modules.update(saved)
    assert "['output'] (None, 1)" in capsys.readouterr().out


def test_a_missing_class_is_an_import_error_not_a_module():
    # `from keras.callbacks import X` for an X cornu lacks must fail at the import, as in Keras,
    # rather than hand out a module that fails later with "'module' object is not callable".
    from cornu.compat.keras_alias import resolve
    assert resolve("keras.callbacks.NoSuchCallback") is None
    assert resolve("keras.layers.advanced_activations") == "cornu.layers"


def test_importing_a_layer_cornu_lacks_names_the_layer_and_why():
    import subprocess
    import sys
    code = ("from cornu.compat.keras_alias import install_as_keras; install_as_keras()\n"
            "import keras\n"
            "assert not hasattr(keras.layers, 'HashedCrossing')\n"
            "from keras.layers import HashedCrossing\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "ImportError: cornu does not provide the Keras layer 'HashedCrossing'" in \
        result.stderr
    assert "not implemented yet" in result.stderr


def test_model_export_says_what_to_use_instead():
    model = cornu.Sequential([cornu.Input((2,)), cornu.layers.Dense(1)])
    with pytest.raises(ValueError, match="SavedModel.*onnx.*torch.*model.keras"):
        model.export("/tmp/never_written")


@pytest.fixture
def keras_alias():
    """`import keras` served by cornu for one test; the real Keras is given back after."""
    from cornu.compat.keras_alias import KerasAliasFinder, install_as_keras
    saved = {k: v for k, v in sys.modules.items() if k == "keras" or k.startswith("keras.")}
    install_as_keras()
    yield
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, KerasAliasFinder)]
    for name in [k for k in sys.modules if k == "keras" or k.startswith("keras.")]:
        del sys.modules[name]
    sys.modules.update(saved)


def test_keras1_constraint_and_regularizer_names(tmp_path, keras_alias):
    script = tmp_path / "k1.py"
    script.write_text(textwrap.dedent("""
        from keras.constraints import maxnorm, nonneg
        from keras.regularizers import l2, activity_l2, activity_l1l2, l1l2
        assert maxnorm(2).get_config()['max_value'] == 2
        assert l2(l=0.1).l2 == 0.1 and l2(0.2).l2 == 0.2 and activity_l2(0.001).l2 == 0.001
        assert (l1l2().l1, l1l2().l2) == (0.01, 0.01)  # Keras 1's defaults
        assert activity_l1l2(l1=0.5).l1 == 0.5
    """))
    runpy.run_path(str(script), run_name="__main__")


def test_importing_a_name_cornu_lacks_fails_at_the_import(keras_alias):
    # No stand-in module for a lower-case name: the import itself fails, naming it.
    with pytest.raises(ImportError, match="no_such_constraint"):
        from keras.constraints import no_such_constraint  # noqa: F401


def test_tf_keras_scripts_run_on_cornu(tmp_path):
    # tf.keras-era scripts: `import tensorflow as tf`, `from tensorflow import keras`,
    # `from tensorflow.keras.layers import Dense`; other tf.* names fail naming themselves.
    import importlib.machinery
    import subprocess
    if importlib.machinery.PathFinder.find_spec("tensorflow") is not None:
        pytest.skip("a real TensorFlow is installed: no stub is served")
    script = tmp_path / "tfk.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras
        from tensorflow.keras import layers
        from tensorflow.keras.layers import Dense
        import cornu
        tf.random.set_seed(0)
        assert Dense is cornu.layers.Dense and layers.Dense is Dense
        assert tf.keras.Sequential is cornu.Sequential and keras.Model is cornu.Model
        model = keras.Sequential([Dense(2, input_shape=(3,))])
        model.compile(tf.keras.optimizers.Adam(0.01), 'mse')
        model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0)
        assert not hasattr(tf, 'constant')
        try:
            from tensorflow.keras.layers import Hashing
        except ImportError as e:
            assert 'Hashing' in str(e) and 'cornu does not provide' in str(e)
        tf.data
    """))
    result = subprocess.run([sys.executable, "-m", "cornu", "run", str(script)],
                            capture_output=True, text=True)
    assert "AttributeError: `tf.data` is TensorFlow itself" in result.stderr, result.stderr[-2000:]
