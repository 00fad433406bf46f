"""Lambda (output_shape in every era's form), Identity, and TorchOp nodes; shapes vs Keras 3."""
import numpy as np
import pytest
import torch

import cornu
from cornu import layers as L
from cornu.layers.core.lambda_layer import TorchOp

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("kwargs", [
    {},                                                     # inferred on the meta device
    {"output_shape": (2,)},                                 # without the batch dimension
    {"output_shape": lambda shape: (shape[0], 2)},          # Keras 1/2: full shape in and out
])
def test_lambda_output_shapes(kwargs):
    fn = lambda t: t[:, :2] * 3.0  # noqa: E731
    x = cornu.Input((5,))
    out = L.Lambda(fn, **kwargs)(x)
    assert out.shape == tuple(keras.layers.Lambda(fn)(keras.Input((5,))).shape) == (None, 2)
    model = cornu.Model(x, out)
    np.testing.assert_allclose(model.predict(np.ones((2, 5)), verbose=0), 3 * np.ones((2, 2)))


def test_lambda_on_several_inputs_with_arguments_and_training():
    a, b = cornu.Input((3,)), cornu.Input((3,))
    diff = L.Lambda(lambda ts, scale: (ts[0] - ts[1]) * scale, arguments={"scale": 2.0})([a, b])
    noisy = L.Lambda(lambda t, training=None: t + (1.0 if training else 0.0))(diff)
    model = cornu.Model([a, b], noisy)
    ones = np.ones((1, 3))
    np.testing.assert_allclose(model.predict([3 * ones, ones], verbose=0), 4 * ones)
    assert torch.equal(model([3 * ones, ones], training=True), torch.full((1, 3), 5.0))


def test_identity_and_activation_on_symbolic_tensors():
    x = cornu.Input((2, 3))
    out = L.Activation("relu")(L.Identity()(x))
    assert out.shape == tuple(keras.layers.Activation("relu")(
        keras.layers.Identity()(keras.Input((2, 3)))).shape)
    data = np.array([[[-1.0, 2.0, -3.0], [4.0, -5.0, 6.0]]], "float32")
    np.testing.assert_allclose(cornu.Model(x, out).predict(data, verbose=0), np.maximum(data, 0))


def test_torch_ops_are_named_and_only_known_ops_save():
    x = cornu.Input((4,))
    y = -(x + 1.0) / 2.0
    assert y._keras_history[0].name.startswith("divide")
    assert TorchOp("add").get_config() == {"name": "add_1", "op": "add"}
    with pytest.raises(ValueError, match="cannot be saved"):
        TorchOp(torch.sin).get_config()
    with pytest.raises(ValueError, match="Unknown op"):
        TorchOp("no_such_op")


def _masked_lstm_model(lib, mask):
    x = lib.Input((5,))
    h = lib.layers.Embedding(6, 3, mask_zero=True)(x)
    kwargs = {} if mask is None else {"mask": mask}
    h = lib.layers.Lambda(lambda t: t * 2.0, **kwargs)(h)
    return lib.Model(x, lib.layers.LSTM(2)(h))


@pytest.mark.parametrize("passes_mask", [True, False])
def test_lambda_mask_function_passes_the_mask_on_as_keras_does(passes_mask):
    mask = (lambda inputs, previous_mask: previous_mask) if passes_mask else None
    x = np.array([[1, 2, 0, 0, 0], [3, 4, 5, 0, 0]], "float32")
    ref = _masked_lstm_model(keras, mask)
    ours = _masked_lstm_model(cornu, mask)
    ours.set_weights(ref.get_weights())
    expected = np.asarray(ref(x).detach())
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_lambda_fixed_mask_and_function_taking_mask():
    fixed = torch.tensor([[True, False]])
    out = L.Lambda(lambda t: t, mask=fixed)(torch.ones(1, 2, 3))
    assert torch.equal(out._keras_mask, fixed)
    seen = {}

    def fn(t, mask=None):
        seen["mask"] = mask
        return t
    inputs = torch.ones(1, 2, 3)
    inputs._keras_mask = torch.tensor([[True, True]])
    L.Lambda(fn)(inputs)
    assert torch.equal(seen["mask"], inputs._keras_mask)


def test_lambda_mask_function_round_trips_through_config():
    layer = L.Lambda(lambda t: t, mask=lambda inputs, previous_mask: inputs[..., 0] > 0)
    clone = L.Lambda.from_config(layer.get_config(), safe_mode=False)
    assert torch.equal(clone.compute_mask(torch.tensor([[[1.0], [-1.0]]])),
                       torch.tensor([[True, False]]))
    with pytest.raises(ValueError, match="fixed `mask`"):
        L.Lambda(lambda t: t, mask=torch.ones(1, 2, dtype=torch.bool)).get_config()


def _tf_keras2_lambda_config(fn, output_shape=None):
    """A Lambda's config as tf.keras 2.15 writes it (`module`, `function_type`,
    `output_shape_type`, `output_shape_module`)."""
    import base64
    import marshal
    return {"name": "lambda", "trainable": True, "dtype": "float32",
            "function": [base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii"), None, None],
            "module": "__main__", "function_type": "lambda",
            "output_shape": list(output_shape) if output_shape else None,
            "output_shape_type": "raw", "output_shape_module": None, "arguments": {}}


@pytest.mark.parametrize("output_shape", [None, (3,)])
def test_a_tf_keras2_lambda_config_loads_with_safe_mode_off(output_shape):
    config = _tf_keras2_lambda_config(lambda t: t * 2.0 + 1.0, output_shape)
    layer = L.Lambda.from_config(config, safe_mode=False)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(layer(x).numpy(), x * 2.0 + 1.0)
    inputs = cornu.Input((3,))
    assert cornu.Model(inputs, layer(inputs)).output_shape == (None, 3)
    with pytest.raises(ValueError, match="safe_mode=False"):
        L.Lambda.from_config(config, safe_mode=True)  # bytecode stays refused by default


def test_a_lambda_config_names_its_module_as_tf_keras2_reads_it():
    config = L.Lambda(lambda t: t, output_shape=lambda s: s).get_config()
    assert "module" in config and "function_module" not in config
    assert config["function_type"] == "lambda" and "output_shape_module" in config


def _scaled(lib, k):
    """A Lambda whose function closes over `k` and whose output shape is a lambda too."""
    return lib.Sequential([lib.Input((3,)),
                           lib.layers.Lambda(lambda t: t * k + 1.0, output_shape=lambda s: s),
                           lib.layers.Dense(2)])


def test_a_keras3_lambda_loads_as_keras3_reads_it(tmp_path):
    """Keras 3 writes `{"class_name": "__lambda__", "config": {"code", "defaults",
    "closure"}}` for the function and the output shape (it was a bare KeyError 'value'):
    bytecode is refused in safe mode, read with its closure otherwise, as Keras 3 does."""
    ref = _scaled(keras, 2.5)
    path = str(tmp_path / "k3.keras")
    ref.save(path)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    with pytest.raises(ValueError, match="safe_mode=False"):
        cornu.models.load_model(path)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(path)
    ours = cornu.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(ours.predict(x, verbose=0), np.asarray(ref(x).detach()),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_a_lambda_closing_over_numbers_round_trips(tmp_path, name):
    """tf.keras 2 and Keras 3 both write a lambda's closure; cornu wrote None, so the function
    could not be rebuilt ('requires closure of length 1')."""
    model = _scaled(cornu, 2.5)
    path = str(tmp_path / name)
    model.save(path)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    again = cornu.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_tf_keras2_lambda_config_with_a_closure_loads():
    k = 4.0
    config = _tf_keras2_lambda_config(lambda t: t * k)
    config["function"][2] = [k]  # tf.keras 2's func_dump: the closure's cell contents
    layer = L.Lambda.from_config(config, safe_mode=False)
    np.testing.assert_allclose(layer(np.ones((1, 3), "float32")).numpy(), 4 * np.ones((1, 3)))
    config["function"][2] = None
    with pytest.raises(ValueError, match="Lambda.*bytecode.*cannot be loaded"):
        L.Lambda.from_config(config, safe_mode=False)


def _double(t):
    return t * 2.0


def test_a_cornu_keras_file_with_lambdas_loads_in_keras3(tmp_path):
    """In a `.keras` file the Lambda config is in Keras 3's layout (`__lambda__` bytecode with its
    closure, a named function as `class_name: function`); tf.keras 2's `module`/`function_type`
    keys, which Keras 3's Lambda rejects, stay in `.h5` files."""
    import json
    import zipfile
    model = _scaled(cornu, 2.5)
    path = str(tmp_path / "c.keras")
    model.save(path)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    theirs = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(np.asarray(theirs(x).detach()), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(path)
    named = cornu.Sequential([cornu.Input((3,)), L.Lambda(_double)])
    named.save(path)
    config = json.loads(zipfile.ZipFile(path).read("config.json"))["config"]["layers"][1]
    assert config["config"]["function"]["class_name"] == "function"
    assert "module" not in config["config"] and "function_type" not in config["config"]
    again = cornu.models.load_model(path, custom_objects={"_double": _double})
    np.testing.assert_allclose(again.predict(x, verbose=0), 2 * x)
