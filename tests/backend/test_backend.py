"""`cornu.backend` (keras.backend as K): math against NumPy formulas (tf.keras 2's K semantics),
values and variables, and `K.function` on a model's graph."""
import numpy as np
import pytest
import torch

import cornu
from cornu import backend as K
from cornu import layers as L

rng = np.random.default_rng(0)
X = rng.normal(size=(3, 4)).astype("float32")
Y = rng.normal(size=(3, 4)).astype("float32")
P = rng.uniform(0.05, 0.95, size=(3, 4)).astype("float32")
T = (rng.uniform(size=(3, 4)) > 0.5).astype("float32")
EPS = 1e-7


def _t(a):
    return torch.as_tensor(a)


def _softmax(a, axis=-1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


CASES = [
    (lambda: K.mean(_t(X), axis=1), X.mean(axis=1)),
    (lambda: K.mean(_t(X), axis=[0, 1], keepdims=True), X.mean(keepdims=True)),
    (lambda: K.sum(_t(X)), X.sum()),
    (lambda: K.max(_t(X), axis=0), X.max(axis=0)),
    (lambda: K.min(_t(X), axis=-1, keepdims=True), X.min(axis=-1, keepdims=True)),
    (lambda: K.prod(_t(X), axis=1), X.prod(axis=1)),
    (lambda: K.std(_t(X), axis=0), X.std(axis=0)),
    (lambda: K.var(_t(X)), X.var()),
    (lambda: K.square(_t(X)), X ** 2),
    (lambda: K.sqrt(_t(X)), np.sqrt(np.maximum(X, 0))),
    (lambda: K.abs(_t(X)), np.abs(X)),
    (lambda: K.exp(_t(X)), np.exp(X)),
    (lambda: K.log(_t(P)), np.log(P)),
    (lambda: K.pow(_t(P), 3), P ** 3),
    (lambda: K.clip(_t(X), -0.5, 0.5), np.clip(X, -0.5, 0.5)),
    (lambda: K.clip(_t(X), 0.5, 0.1), np.full_like(X, 0.5)),
    (lambda: K.maximum(_t(X), 0.0), np.maximum(X, 0)),
    (lambda: K.minimum(_t(X), _t(Y)), np.minimum(X, Y)),
    (lambda: K.dot(_t(X), _t(Y.T)), X @ Y.T),
    (lambda: K.dot(_t(X), _t(np.ones((2, 4, 5), "float32"))), np.einsum("ik,bkn->ibn", X, np.ones((2, 4, 5)))),
    (lambda: K.batch_dot(_t(X), _t(Y), axes=1), (X * Y).sum(1, keepdims=True)),
    (lambda: K.batch_dot(_t(np.ones((3, 2, 4), "float32")), _t(Y), axes=(2, 1)),
     np.einsum("bik,bk->bi", np.ones((3, 2, 4)), Y)),
    (lambda: K.concatenate([_t(X), _t(Y)], axis=0), np.concatenate([X, Y], 0)),
    (lambda: K.reshape(_t(X), (-1, 2)), X.reshape(-1, 2)),
    (lambda: K.permute_dimensions(_t(X), (1, 0)), X.T),
    (lambda: K.expand_dims(_t(X), 1), X[:, None]),
    (lambda: K.squeeze(_t(X[:, :1]), 1), X[:, 0]),
    (lambda: K.stack([_t(X), _t(Y)], axis=1), np.stack([X, Y], 1)),
    (lambda: K.argmax(_t(X)), X.argmax(-1)),
    (lambda: K.cast(_t(X) > 0, "float32"), (X > 0).astype("float32")),
    (lambda: K.equal(_t(T), 1.0), T == 1),
    (lambda: K.switch(_t(X[:, 0] > 0), _t(X), _t(Y)), np.where(X[:, :1] > 0, X, Y)),
    (lambda: K.sigmoid(_t(X)), 1 / (1 + np.exp(-X))),
    (lambda: K.softmax(_t(X)), _softmax(X)),
    (lambda: K.relu(_t(X)), np.maximum(X, 0)),
    (lambda: K.relu(_t(X), alpha=0.1, max_value=0.5), np.where(X > 0, np.minimum(X, 0.5), 0.1 * X)),
    (lambda: K.binary_crossentropy(_t(T), _t(P)),
     -(T * np.log(P + EPS) + (1 - T) * np.log(1 - P + EPS))),
    (lambda: K.categorical_crossentropy(_t(_softmax(Y)), _t(_softmax(X))),
     -(_softmax(Y) * np.log(_softmax(X))).sum(-1)),
    (lambda: K.categorical_crossentropy(_t(_softmax(Y)), _t(X), from_logits=True),
     -(_softmax(Y) * np.log(_softmax(X))).sum(-1)),
    (lambda: K.l2_normalize(_t(X), axis=1), X / np.sqrt((X ** 2).sum(1, keepdims=True))),
    (lambda: K.ones_like(_t(X)), np.ones_like(X)),
    (lambda: K.zeros_like(_t(X)), np.zeros_like(X)),
    (lambda: K.one_hot(_t(np.array([0, 2])), 3), np.eye(3)[[0, 2]]),
    (lambda: K.repeat_elements(_t(X), 2, axis=1), np.repeat(X, 2, axis=1)),
    (lambda: K.batch_flatten(_t(np.ones((2, 3, 4)))), np.ones((2, 12))),
    # the rows of compat's table over cornu.ops, with tf.keras 2's arguments and defaults
    (lambda: K.any(_t(X > 1), axis=1), (X > 1).any(axis=1)),
    (lambda: K.all(_t(X > -1), axis=0, keepdims=True), (X > -1).all(axis=0, keepdims=True)),
    (lambda: K.argmin(_t(X)), X.argmin(-1)),
    (lambda: K.argmax(_t(X), axis=0), X.argmax(0)),
    (lambda: K.cumsum(_t(X)), np.cumsum(X, axis=0)),
    (lambda: K.sign(_t(X)), np.sign(X)),
    (lambda: K.round(_t(X * 3)), np.round(X * 3)),
    (lambda: K.not_equal(_t(T), 1.0), T != 1),
    (lambda: K.greater(_t(X), _t(Y)), X > Y),
    (lambda: K.greater_equal(_t(X), 0.0), X >= 0),
    (lambda: K.less(_t(X), 0.0), X < 0),
    (lambda: K.less_equal(_t(X), _t(Y)), X <= Y),
    (lambda: K.hard_sigmoid(_t(X * 4)), np.clip(X * 4 / 6 + 0.5, 0, 1)),
    (lambda: K.tanh(_t(X)), np.tanh(X)),
    (lambda: K.softplus(_t(X)), np.log1p(np.exp(X))),
    (lambda: K.softsign(_t(X)), X / (1 + np.abs(X))),
    (lambda: K.elu(_t(X), 0.5), np.where(X > 0, X, 0.5 * (np.exp(X) - 1))),
    (lambda: K.softmax(_t(X), axis=0), _softmax(X, axis=0)),
    (lambda: K.sparse_categorical_crossentropy(_t(np.array([0, 2, 1])), _t(_softmax(X[:, :3]))),
     -np.log(_softmax(X[:, :3])[[0, 1, 2], [0, 2, 1]])),
    (lambda: K.transpose(_t(X)), X.T),
    (lambda: K.concatenate([_t(X), _t(Y)]), np.concatenate([X, Y], -1)),
    (lambda: K.reshape(_t(X), (None, 6)), X.reshape(-1, 6)),
    (lambda: K.expand_dims(_t(X)), X[..., None]),
    (lambda: K.tile(_t(X), (2, 1)), np.tile(X, (2, 1))),
    (lambda: K.stop_gradient([_t(X), _t(Y)])[1], Y),
]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_math_matches_the_formula(index):
    fn, expected = CASES[index]
    np.testing.assert_allclose(np.asarray(fn()), expected, rtol=1e-5, atol=1e-6)


def test_table_rows_keep_tf_keras2_dtypes_and_save_under_their_k_names():
    from cornu.compat import backend_math
    from cornu.graph.keras_tensor import OPERATORS
    from cornu.graph.symbolic import resolve
    assert K.argmax(_t(X)).dtype == torch.int64  # tf.argmax's default, not ops' int32
    assert K.ones_like(_t(X), dtype="int32").dtype == torch.int32
    assert K.one_hot(_t(np.array([1])), 3).dtype == torch.float32
    for name in set(backend_math.OPS) - set(OPERATORS):  # (`greater` is also `x > y`'s)
        assert resolve(name) is getattr(K, name), name  # a saved node named `mean` loads
    x = cornu.Input((4,))
    model = cornu.Model(x, K.mean(K.square(x), axis=-1, keepdims=True))
    assert [layer.name for layer in model.layers[1:]] == ["square", "mean"]
    np.testing.assert_allclose(model.predict(X, verbose=0), (X ** 2).mean(-1, keepdims=True),
                               rtol=1e-6)


def test_values_variables_and_settings():
    v = K.variable(np.ones((2, 2)), name="v")
    assert K.get_value(v).shape == (2, 2) and v.requires_grad
    K.set_value(v, np.zeros((2, 2)))
    assert K.eval(v).sum() == 0
    assert K.int_shape(v) == (2, 2) and K.ndim(v) == 2 and K.dtype(v) == "float32"
    assert K.count_params(v) == 4
    assert K.get_value(K.constant(2.0, shape=(3,))).tolist() == [2.0, 2.0, 2.0]
    assert K.get_value(K.zeros((2, 3))).sum() == 0 and K.get_value(K.ones((2,))).sum() == 2
    noise = K.random_normal((1000,), mean=1.0, stddev=0.1, seed=1)
    assert abs(float(noise.mean()) - 1.0) < 0.02 and tuple(noise.shape) == (1000,)
    uniform = K.random_uniform((1000,), 2.0, 3.0, seed=1)
    assert 2.0 <= float(uniform.min()) and float(uniform.max()) <= 3.0
    x = cornu.Input((5, 3))
    assert K.int_shape(x) == (None, 5, 3) and K.shape(x) == (None, 5, 3) and K.ndim(x) == 3
    assert K.floatx() == "float32" and K.epsilon() == 1e-7
    assert K.image_data_format() == "channels_last" and K.backend() == "torch"
    K.set_epsilon(1e-5)
    try:
        assert K.epsilon() == 1e-5
    finally:
        K.set_epsilon(1e-7)
    assert K.learning_phase() == 0


def test_clear_session_resets_names():
    L.Dense(1)
    K.clear_session(free_memory=False)
    assert L.Dense(1).name == "dense" and cornu.Input((2,)).name == "input_1"


def test_function_runs_part_of_a_graph():
    inp = cornu.Input((4,))
    hidden = L.Dense(3, activation="relu")(inp)
    dropped = L.Dropout(0.5)(hidden)
    out = L.Dense(2)(dropped)
    model = cornu.Model(inp, out)
    layer_fn = K.function([hidden], [out])  # from an intermediate tensor
    h = rng.normal(size=(5, 3)).astype("float32")
    w, b = model.layers[-1].get_weights()
    np.testing.assert_allclose(layer_fn([h])[0], h @ w + b, rtol=1e-5)
    with_phase = K.function([inp, K.learning_phase()], [L.Dropout(0.5)(inp)])
    x = np.ones((200, 4), "float32")
    assert (with_phase([x, 0])[0] == 1).all()  # inference: no dropout
    training = with_phase([x, 1])[0]
    assert 0.3 < (training == 0).mean() < 0.7 and set(np.unique(training)) <= {0.0, 2.0}
    assert not model.training


def test_backend_math_in_lambda_layers_and_custom_losses():
    def rmse(y_true, y_pred):
        return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))

    x = cornu.Input((4,))
    normalized = L.Lambda(lambda t: K.l2_normalize(t, axis=-1))(x)
    model = cornu.Model(x, L.Dense(1)(normalized))
    model.compile("sgd", loss=rmse)
    data = rng.normal(size=(16, 4)).astype("float32")
    history = model.fit(data, data[:, :1], epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.layers[1].output_shape == (None, 4)


def test_symbolic_calls_record_named_nodes():
    a, b = cornu.Input((3,)), cornu.Input((3,))
    out = K.batch_dot(K.l2_normalize(a, axis=1), K.l2_normalize(b, axis=1), axes=1)
    model = cornu.Model([a, b], out)
    assert [layer.name for layer in model.layers[2:]] == ["l2_normalize", "l2_normalize_1",
                                                          "batch_dot"]
    assert model.output_shape == (None, 1)
    u, v = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    cos = (u * v).sum(1) / np.linalg.norm(u, axis=1) / np.linalg.norm(v, axis=1)
    np.testing.assert_allclose(model.predict([u, v], verbose=0)[:, 0], cos, rtol=1e-5)


def test_keras1_image_dim_ordering_sets_the_data_format():
    # Keras 1: `K.set_image_dim_ordering('th')` made image layers channels-first by default.
    try:
        K.set_image_dim_ordering("th")
        assert K.image_dim_ordering() == "th" and K.image_data_format() == "channels_first"
        conv = L.Conv2D(4, (3, 3))
        assert conv(torch.zeros(2, 1, 8, 8)).shape == (2, 4, 6, 6)
        with pytest.raises(ValueError, match="th"):
            K.set_image_dim_ordering("xy")
    finally:
        K.set_image_dim_ordering("tf")
    assert K.image_data_format() == "channels_last"


def test_more_tf_keras_math_and_a_clear_error_for_graph_only_functions():
    x = _t(X).requires_grad_()
    assert not K.stop_gradient(x).requires_grad
    np.testing.assert_allclose(K.cumsum(_t(X), axis=1).numpy(), np.cumsum(X, axis=1), rtol=1e-6)
    np.testing.assert_allclose(K.floor(_t(X)).numpy(), np.floor(X))
    assert K.arange(2, 8, 2).tolist() == [2, 4, 6] and K.arange(3).tolist() == [0, 1, 2]
    with pytest.raises(AttributeError, match="graph-mode.*torch.autograd"):
        K.gradients


def test_keras3_config_namespace_matches_keras():
    from cornu.testing import real_keras
    keras = real_keras()
    for name in ("floatx", "epsilon", "image_data_format", "backend"):
        assert getattr(cornu.config, name)() == getattr(keras.config, name)()
    cornu.config.set_epsilon(1e-5)
    try:
        assert K.epsilon() == 1e-5
    finally:
        cornu.config.set_epsilon(1e-7)


def test_get_value_returns_a_copy_as_keras_does():
    import torch
    from cornu import backend as K
    v = torch.nn.Parameter(torch.ones(3))
    value = K.get_value(v)
    with torch.no_grad():
        v.zero_()
    np.testing.assert_array_equal(value, np.ones(3))  # a view would now read zeros
