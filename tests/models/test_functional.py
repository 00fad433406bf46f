"""Functional models: building, training, introspection, nesting; shapes and parameter counts
against real Keras 3 for the same code."""
import numpy as np
import pytest

import cornu
from cornu import layers as L
from cornu.models.functional import GraphError

keras = pytest.importorskip("keras")

rng = np.random.default_rng(0)


def _np(t):
    return t.detach().cpu().numpy()


# ------------------------------------------------------------ the "done when" models
def two_tower(lib):
    """Two inputs, a shared Dense tower, concatenate, two outputs."""
    a, b = lib.Input(shape=(8,), name="left"), lib.Input(shape=(8,), name="right")
    tower = lib.layers.Dense(6, activation="relu", name="tower")
    merged = lib.layers.concatenate([tower(a), tower(b)])
    out_a = lib.layers.Dense(1, name="output_a")(merged)
    out_b = lib.layers.Dense(3, activation="softmax", name="output_b")(merged)
    return lib.Model(inputs=[a, b], outputs=[out_a, out_b])


def residual(lib):
    x = lib.Input(shape=(10,))
    h = lib.layers.Dense(10, activation="relu")(x)
    h = lib.layers.Dense(10)(h)
    out = lib.layers.Activation("relu")(lib.layers.Add()([x, h]))
    return lib.Model(x, lib.layers.Dense(1)(out))


def nested(lib):
    inner_in = lib.Input(shape=(6,))
    inner = lib.Model(inner_in, lib.layers.Dense(4, activation="tanh")(inner_in))
    seq = lib.Sequential([lib.Input(shape=(4,)), lib.layers.Dense(5), lib.layers.Dense(2)])
    a, b = lib.Input(shape=(6,)), lib.Input(shape=(6,))
    merged = lib.layers.Average()([inner(a), inner(b)])
    return lib.Model([a, b], [seq(merged), lib.layers.Dot(axes=1)([inner(a), merged])])


def lambda_and_ops(lib):
    x = lib.Input(shape=(3, 4))
    y = lib.layers.Lambda(lambda t: t * 2.0, output_shape=(3, 4))(x)
    flat = lib.layers.Flatten()(y)
    dense = lib.layers.Dense(5)(flat)
    both = lib.layers.Concatenate(axis=-1)([dense, lib.layers.Dense(2)(flat)])
    return lib.Model(x, [both, lib.layers.Maximum()([dense, dense])])


def dict_io(lib):
    a, b = lib.Input(shape=(3,), name="a"), lib.Input(shape=(2,), name="b")
    h = lib.layers.Concatenate()([a, b])
    return lib.Model({"a": a, "b": b}, {"score": lib.layers.Dense(1)(h),
                                        "probs": lib.layers.Dense(4, activation="softmax")(h)})


def feature_maps(lib):
    x = lib.Input(shape=(4, 4, 3))
    a = lib.layers.BatchNormalization()(x)
    b = lib.layers.Dropout(0.2)(lib.layers.BatchNormalization()(x))
    joined = lib.layers.Concatenate()([a, b, lib.layers.Add()([a, b])])
    flat = lib.layers.Flatten()(lib.layers.Reshape((8, 2, 9))(joined))
    return lib.Model(x, lib.layers.Dense(3)(flat))


@pytest.mark.parametrize("builder", [two_tower, residual, nested, lambda_and_ops, dict_io,
                                     feature_maps])
def test_shapes_and_parameter_counts_equal_keras(builder):
    ours, theirs = builder(cornu), builder(keras)
    assert ours.count_params() == theirs.count_params()
    assert [t.shape for t in ours.outputs] == [tuple(t.shape) for t in theirs.outputs]
    assert [len(w.shape) for w in ours.weights] == [len(w.shape) for w in theirs.weights]
    assert [type(layer).__name__ for layer in ours.layers] == \
        [type(layer).__name__ for layer in theirs.layers]
    for layer_ours, layer_theirs in zip(ours.layers, theirs.layers):
        assert layer_ours.count_params() == layer_theirs.count_params()


@pytest.mark.parametrize("builder,shapes", [(two_tower, [(8,), (8,)]), (residual, [(10,)]),
                                            (nested, [(6,), (6,)]), (feature_maps, [(4, 4, 3)])])
def test_same_weights_give_keras_predictions(builder, shapes):
    ours, theirs = builder(cornu), builder(keras)
    ours.set_weights(theirs.get_weights())
    data = [rng.normal(size=(3,) + s).astype("float32") for s in shapes]
    data = data[0] if len(data) == 1 else data
    for a, b in zip(cornu.utils.nest.flatten(ours.predict(data, verbose=0)),
                    cornu.utils.nest.flatten(theirs.predict(data, verbose=0))):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_two_input_two_output_shared_tower_trains_and_predicts():
    model = two_tower(cornu)
    tower = model.get_layer("tower")
    assert len(tower._inbound_nodes) == 2 and len(tower.weights) == 2  # one set of weights
    model.compile(optimizer="adam", loss=["mse", "categorical_crossentropy"],
                  metrics={"output_b": ["accuracy"]}, loss_weights=[1.0, 0.5])
    x1, x2 = rng.normal(size=(64, 8)), rng.normal(size=(64, 8))
    y1, y2 = rng.normal(size=(64, 1)), np.eye(3)[rng.integers(0, 3, 64)]
    history = model.fit([x1, x2], [y1, y2], epochs=3, batch_size=16, verbose=0).history
    assert list(history) == ["loss", "output_a_loss", "output_b_loss", "output_b_accuracy"]
    for epoch in range(3):
        total = history["output_a_loss"][epoch] + 0.5 * history["output_b_loss"][epoch]
        assert history["loss"][epoch] == pytest.approx(total, rel=1e-5)
    assert history["loss"][-1] < history["loss"][0]
    pred_a, pred_b = model.predict([x1, x2], verbose=0)
    kernel, bias = (w.numpy() for w in tower.weights)
    relu = lambda v: np.maximum(v, 0)  # noqa: E731
    merged = np.concatenate([relu(x1 @ kernel + bias), relu(x2 @ kernel + bias)], axis=1)
    head_kernel, head_bias = model.get_layer("output_a").get_weights()
    np.testing.assert_allclose(pred_a, merged @ head_kernel + head_bias, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(pred_b.sum(axis=1), 1.0, rtol=1e-5)
    # Dicts of arrays by input and output name work as well as lists, in any key order.
    by_name = model.predict({"right": x2, "left": x1}, verbose=0)
    np.testing.assert_allclose(by_name[0], pred_a, rtol=1e-6)
    model.fit({"right": x2, "left": x1}, {"output_b": y2, "output_a": y1}, epochs=1, verbose=0)


def test_history_names_match_keras():
    def train(lib):
        model = two_tower(lib)
        model.compile(optimizer="sgd",
                      loss={"output_a": "mse", "output_b": "categorical_crossentropy"},
                      metrics={"output_a": ["mae"], "output_b": ["accuracy"]})
        x = rng.normal(size=(16, 8))
        return model.fit([x, x], [rng.normal(size=(16, 1)), np.eye(3)[rng.integers(0, 3, 16)]],
                         verbose=0).history
    ours, theirs = train(cornu), train(keras)
    assert set(ours) == set(theirs)
    assert list(ours) == ["loss", "output_a_loss", "output_b_loss", "output_a_mae",
                          "output_b_accuracy"]  # tf.keras 2's order


def test_default_output_names_are_layer_names():
    x = cornu.Input((4,))
    h = L.Dense(3)(x)
    model = cornu.Model(x, [L.Dense(1)(h), L.Dense(1)(h)])
    assert model.output_names == ["dense_1", "dense_2"]
    model.compile("sgd", "mse")
    history = model.fit(rng.normal(size=(8, 4)), [rng.normal(size=(8, 1))] * 2, verbose=0)
    assert list(history.history) == ["loss", "dense_1_loss", "dense_2_loss"]


def test_dict_outputs_train_and_predict_as_dicts():
    model = dict_io(cornu)
    model.compile("adam", {"score": "mse", "probs": "categorical_crossentropy"})
    data = {"a": rng.normal(size=(20, 3)), "b": rng.normal(size=(20, 2))}
    targets = {"score": rng.normal(size=(20, 1)), "probs": np.eye(4)[rng.integers(0, 4, 20)]}
    history = model.fit(data, targets, epochs=2, verbose=0).history
    assert {"score_loss", "probs_loss"} <= set(history)
    out = model.predict(data, verbose=0)
    assert set(out) == {"score", "probs"} and out["probs"].shape == (20, 4)


def test_residual_block_trains():
    model = residual(cornu)
    model.compile(cornu.optimizers.Adam(learning_rate=0.03), "mse")
    x = rng.normal(size=(128, 10)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    history = model.fit(x, y, epochs=8, batch_size=64, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert type(model.layers[3]).__name__ == "Add"


def test_autoencoder_encoder_moved_to_new_sequential_predicts_the_same_codes():
    x = rng.random((60, 100)).astype("float32")
    autoencoder = cornu.Sequential()
    autoencoder.add(L.Dense(4, input_shape=(100,), activation="relu"))
    autoencoder.add(L.Dense(100, activation="sigmoid"))
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    autoencoder.fit(x, x, epochs=2, verbose=0)
    trained = autoencoder.layers[0].get_weights()
    encoder = cornu.Sequential()
    encoder.add(autoencoder.layers[0])
    codes = encoder.predict(x, verbose=0)
    first = autoencoder.layers[0]
    np.testing.assert_array_equal(first.get_weights()[0], trained[0])
    np.testing.assert_allclose(codes, _np(first(x)), rtol=1e-6)
    np.testing.assert_allclose(codes, np.maximum(x @ trained[0] + trained[1], 0), rtol=1e-5,
                               atol=1e-6)
    assert encoder.output_shape == (None, 4)
    assert autoencoder.predict(x, verbose=0).shape == (60, 100)  # the autoencoder still works


def test_feature_extractor_from_an_intermediate_layer():
    model = cornu.Sequential([L.Dense(16, activation="relu", input_shape=(12,)),
                              L.Dense(8, activation="relu"), L.Dense(5), L.Dense(1)])
    extractor = cornu.Model(model.input, model.layers[2].output)
    x = rng.normal(size=(7, 12))
    w = [layer.get_weights() for layer in model.layers[:3]]
    h = np.maximum(x @ w[0][0] + w[0][1], 0)
    h = np.maximum(h @ w[1][0] + w[1][1], 0)
    np.testing.assert_allclose(extractor.predict(x, verbose=0), h @ w[2][0] + w[2][1],
                               rtol=1e-4, atol=1e-5)
    assert extractor.output_shape == (None, 5)
    assert [layer.name for layer in extractor.layers][1:] == [layer.name for layer in model.layers[:3]]


def test_k_function_equals_the_first_layer():
    model = cornu.Sequential([L.Dense(6, activation="tanh", input_shape=(4,)), L.Dense(2)])
    K = cornu.backend
    fn = K.function([model.layers[0].input], [model.layers[0].output])
    x = rng.normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(fn([x])[0], _np(model.layers[0](x)), rtol=1e-6)
    x_in = cornu.Input((4,))
    functional = cornu.Model(x_in, L.Dense(3)(x_in))
    first_to_last = K.function([functional.layers[0].input], [functional.layers[-1].output])
    np.testing.assert_allclose(first_to_last([x])[0], functional.predict(x, verbose=0), rtol=1e-6)
    whole = K.function([model.input, K.learning_phase()], model.output)
    np.testing.assert_allclose(whole([x, 0]), model.predict(x, verbose=0), rtol=1e-6)


def test_nested_models_and_sequential_in_both_directions_train():
    model = nested(cornu)
    model.compile("adam", ["mse", "mse"])
    xa, xb = rng.normal(size=(32, 6)), rng.normal(size=(32, 6))
    inner = model.layers[2]
    before = inner.get_weights()[0].copy()
    model.fit([xa, xb], [rng.normal(size=(32, 2)), rng.normal(size=(32, 1))], epochs=2,
              verbose=0)
    assert not np.allclose(inner.get_weights()[0], before)  # the nested model's weights trained
    functional = cornu.Model(*(lambda i: (i, L.Dense(5)(i)))(cornu.Input((10,))))
    stacked = cornu.Sequential([functional, L.Dense(1)])
    assert stacked.output_shape == (None, 1) and stacked.count_params() == 61
    stacked.compile("sgd", "mse")
    stacked.fit(rng.normal(size=(8, 10)), rng.normal(size=(8, 1)), verbose=0)


def test_introspection():
    x = cornu.Input((5,), name="x")
    dense = L.Dense(3, name="shared")
    y1, y2 = dense(x), dense(L.Dense(5)(x))
    model = cornu.Model(inputs=x, outputs=[y1, y2])
    assert model.inputs == [x] and model.outputs == [y1, y2]
    assert model.input is x and model.output == [y1, y2]
    assert dense.input is x and dense.output is y1  # Keras 3: the first call
    assert dense.get_input_at(1) is model.layers[1].output and dense.get_output_at(1) is y2
    assert dense.input_shape == (None, 5) and dense.output_shape == (None, 3)
    assert dense.get_output_shape_at(1) == (None, 3)
    assert model.get_layer("shared") is dense and model.get_layer(index=0).name == "x"
    with pytest.raises(ValueError, match="No such layer"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="only a layer name or a layer index"):
        model.get_layer("shared", 1)
    with pytest.raises(ValueError, match="never been called"):
        L.Dense(2).output
    odd = L.Dense(2)
    odd(cornu.Input((3,)))
    odd(cornu.Input((4, 3)))
    with pytest.raises(AttributeError):
        odd.input_shape  # tf.keras 2: ill-defined over calls of different shapes
    assert odd.get_input_shape_at(1) == (None, 4, 3)


def test_keras1_input_output_keywords():
    a = cornu.Input((3,))
    model = cornu.Model(input=a, output=L.Dense(2)(a))
    assert isinstance(model, cornu.models.Functional) and model.output_shape == (None, 2)


def test_graph_errors_name_the_tensor():
    a, b = cornu.Input((3,), name="used"), cornu.Input((3,), name="unused")
    out = L.Dense(2)(a)
    with pytest.raises(GraphError, match="unused"):
        cornu.Model([a, b], out)
    c = cornu.Input((3,), name="missing_input")
    joined = L.Add()([a, c])
    with pytest.raises(GraphError, match="Graph disconnected.*missing_input"):
        cornu.Model(a, joined)
    with pytest.raises(GraphError, match="symbolic tensors"):
        cornu.Model(a, np.zeros(3))
    d = cornu.Input((3,))
    with pytest.raises(GraphError, match="unique"):
        cornu.Model(d, L.Dense(2, name="same")(L.Dense(3, name="same")(d)))


def test_layer_named_like_a_model_attribute():
    x = cornu.Input((3,))
    model = cornu.Model(x, L.Dense(1, name="output")(L.Dense(2, name="input")(x)))
    assert model.get_layer("output").units == 1
    assert model.predict(np.ones((2, 3)), verbose=0).shape == (2, 1)


def test_symbolic_arithmetic_and_backend_ops_record_nodes():
    K = cornu.backend
    x = cornu.Input((4,))
    y = K.concatenate([x * 2.0, K.square(x)[:, :2]], axis=-1)
    model = cornu.Model(x, K.mean(y, axis=1, keepdims=True) + 1.0)
    data = rng.normal(size=(3, 4)).astype("float32")
    expected = np.concatenate([data * 2, data[:, :2] ** 2], -1).mean(1, keepdims=True) + 1
    np.testing.assert_allclose(model.predict(data, verbose=0), expected, rtol=1e-6)
    assert model.output_shape == (None, 1)


def test_custom_layer_in_both_apis():
    class Scale(L.Layer):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones",
                                     name="w")

        def call(self, x):
            return x @ self.w

        def compute_output_shape(self, input_shape):
            return input_shape[:-1] + (self.units,)

    x = cornu.Input((4,))
    functional = cornu.Model(x, Scale(5)(x))
    sequential = cornu.Sequential([Scale(2, input_shape=(4,))])
    assert functional.output_shape == (None, 5) and sequential.output_shape == (None, 2)
    np.testing.assert_allclose(functional.predict(np.ones((1, 4)), verbose=0), 4 * np.ones((1, 5)))
    sequential.compile("sgd", "mse")
    sequential.fit(np.ones((4, 4)), np.zeros((4, 2)), verbose=0)


def test_subclassed_model_trains_with_fit():
    class TwoLayer(cornu.Model):
        def __init__(self):
            super().__init__()
            self.hidden = L.Dense(16, activation="relu")
            self.out = L.Dense(1)

        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

    model = TwoLayer()
    model.compile(cornu.optimizers.Adam(learning_rate=0.01), "mse")
    x = rng.normal(size=(64, 3)).astype("float32")
    history = model.fit(x, x[:, :1] * 2, epochs=15, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert model.predict(x, verbose=0).shape == (64, 1) and len(model.weights) == 4


def test_layers_called_with_keyword_tensors_and_outputs_that_are_inputs():
    class Mix(L.Layer):
        def call(self, a, b=None, c=None):
            return a + 10 * b + 100 * c

    a, b, c = cornu.Input((2,)), cornu.Input((2,)), cornu.Input((2,))
    model = cornu.Model([a, b, c], [Mix()(a, c=c, b=b), a])
    mixed, same = model.predict([np.ones((1, 2)), 2 * np.ones((1, 2)), 3 * np.ones((1, 2))],
                                verbose=0)
    np.testing.assert_allclose(mixed, [[321.0, 321.0]])
    np.testing.assert_allclose(same, np.ones((1, 2)))
