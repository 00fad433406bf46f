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
