"""Core, activation, regularization and reshaping layers against real Keras 3."""
import numpy as np
import pytest

import cornu
from cornu.testing import compare_with_keras, real_keras


@pytest.mark.parametrize("class_name,kwargs,shape", [
    ("Dense", {"units": 4}, (3, 5)),
    ("Dense", {"units": 3, "activation": "relu", "use_bias": False}, (2, 6, 5)),
    ("Dense", {"units": 2, "activation": "softmax"}, (4, 3)),
    ("Activation", {"activation": "tanh"}, (3, 4)),
    ("Activation", {"activation": "hard_sigmoid"}, (3, 4)),
    ("ReLU", {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}, (3, 7)),
    ("LeakyReLU", {"negative_slope": 0.2}, (3, 7)),
    ("LeakyReLU", {}, (3, 7)),
    ("ELU", {"alpha": 0.5}, (3, 7)),
    ("Softmax", {"axis": -1}, (3, 7)),
    ("PReLU", {"alpha_initializer": "random_uniform"}, (3, 4, 5)),
    ("PReLU", {"shared_axes": [1]}, (3, 4, 5)),
    ("Flatten", {}, (2, 3, 4, 5)),
    ("Reshape", {"target_shape": (-1, 2)}, (2, 3, 4)),
    ("Dropout", {"rate": 0.5}, (3, 4)),
    ("GaussianNoise", {"stddev": 0.3}, (3, 4)),
    ("GaussianDropout", {"rate": 0.3}, (3, 4)),
])
def test_inference_matches_keras(class_name, kwargs, shape):
    compare_with_keras(class_name, kwargs=kwargs, input_shape=shape)


@pytest.mark.parametrize("shape,axis", [((8, 5), -1), ((4, 3, 3, 5), -1), ((4, 5, 3, 3), 1)])
def test_batch_normalization_matches_keras_in_training_and_inference(shape, axis):
    keras = real_keras()
    rng = np.random.RandomState(1)
    x = (rng.randn(*shape) * 3 + 1).astype("float32")
    kwargs = {"axis": axis, "momentum": 0.9}
    layer, ref = compare_with_keras("BatchNormalization", x, kwargs=kwargs)
    for _ in range(3):  # training: batch statistics, moving statistics updated
        ref_out = np.asarray(ref(x, training=True).detach().cpu())
        out = layer(x, training=True).detach().numpy()
        np.testing.assert_allclose(out, ref_out, rtol=1e-5, atol=1e-5)
    for ours, theirs in zip(layer.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert [w.path for w in layer.weights] == [f"{layer.name}/{n}" for n in
                                               ("gamma", "beta", "moving_mean", "moving_variance")]
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 2


def test_frozen_batch_normalization_runs_in_inference_mode():
    x = np.random.RandomState(0).randn(16, 4).astype("float32") * 5 + 3
    layer = cornu.layers.BatchNormalization()
    layer(x)
    layer.trainable = False
    before = [w.copy() for w in layer.get_weights()]
    out = layer(x, training=True).detach().numpy()
    np.testing.assert_allclose(out, (x - 0) / np.sqrt(1 + 1e-3), rtol=1e-5)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


def test_dropout_trains_with_keras_scaling_and_is_identity_in_inference():
    x = np.ones((200, 50), "float32")
    layer = cornu.layers.Dropout(0.4)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    out = layer(x, training=True).numpy()
    kept = out[out != 0]
    np.testing.assert_allclose(kept, 1 / 0.6, rtol=1e-6)
    assert 0.3 < (out == 0).mean() < 0.5


def test_dense_weights_have_keras_shapes_names_and_storage():
    layer = cornu.layers.Dense(3, input_shape=(5,))
    assert layer.built
    assert [tuple(w.shape) for w in layer.weights] == [(5, 3), (3,)]
    assert [w.path for w in layer.weights] == ["dense/kernel", "dense/bias"]
    assert layer.kernel.is_contiguous()
    assert "path=dense/kernel" in repr(layer.kernel)
    x = np.random.RandomState(0).randn(2, 5).astype("float32")
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(layer(x).detach().numpy(), x @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_reshape_rejects_incompatible_target():
    with pytest.raises(ValueError, match="reshape"):
        cornu.Sequential([cornu.layers.Reshape((7,), input_shape=(3, 4))])


def test_shape_inference_never_touches_weights_or_statistics():
    bn = cornu.layers.BatchNormalization()
    model = cornu.Sequential([cornu.layers.Dense(4, input_shape=(3,)), bn])
    before = [w.copy() for w in model.get_weights()]
    model.train(True)  # even in training mode, symbolic calls run on meta copies
    x = cornu.layers.Input(shape=(3,))
    assert model(x).shape == (None, 4)
    assert bn.compute_output_shape((None, 4)) == (None, 4)
    assert cornu.layers.Dropout(0.5).compute_output_shape((None, 7)) == (None, 7)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batch_normalization_trains_on_a_batch_of_one():
    layer = cornu.layers.BatchNormalization(momentum=0.5)
    x = np.array([[2.0, -1.0]], "float32")
    layer(x)
    out = layer(x, training=True).detach().numpy()
    np.testing.assert_allclose(out, 0.0, atol=1e-6)
    np.testing.assert_allclose(layer.moving_mean.numpy(), [1.0, -0.5], rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), [0.5, 0.5], rtol=1e-6)
