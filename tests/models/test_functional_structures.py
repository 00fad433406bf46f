"""Functional models with dict and nested inputs/outputs, and Keras 3's input-rank adjustment,
checked against real Keras 3 running the same code from the same weights."""
import numpy as np
import pytest

import cornu
from cornu.utils import nest
from cornu.testing import real_keras


def _ticket_model(K, num_words=50, num_tags=6, num_departments=4):
    """The Functional API guide's multi-input, multi-output ticket model (smaller)."""
    layers = K.layers
    title_input = K.Input(shape=(None,), name="title")
    body_input = K.Input(shape=(None,), name="body")
    tags_input = K.Input(shape=(num_tags,), name="tags")
    title_features = layers.LSTM(8)(layers.Embedding(num_words, 8)(title_input))
    body_features = layers.LSTM(4)(layers.Embedding(num_words, 8)(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    model = K.Model(inputs=[title_input, body_input, tags_input],
                    outputs={"priority": priority_pred, "department": department_pred})
    model.compile(optimizer=K.optimizers.RMSprop(1e-3),
                  loss={"priority": K.losses.BinaryCrossentropy(from_logits=True),
                        "department": K.losses.CategoricalCrossentropy(from_logits=True)},
                  loss_weights={"priority": 1.0, "department": 0.2})
    return model


def _ticket_data(n=64, num_words=50, num_tags=6, num_departments=4):
    rng = np.random.RandomState(0)
    x = {"title": rng.randint(num_words, size=(n, 5)), "body": rng.randint(num_words, size=(n, 7)),
         "tags": rng.randint(2, size=(n, num_tags)).astype("float32")}
    y = {"priority": rng.random_sample((n, 1)).astype("float32"),
         "department": rng.randint(2, size=(n, num_departments)).astype("float32")}
    return x, y


def test_ticket_model_dict_inputs_targets_losses_match_keras():
    keras = real_keras()
    ref, ours = _ticket_model(keras), _ticket_model(cornu)
    ours.set_weights(ref.get_weights())
    x, y = _ticket_data()
    ref_hist = ref.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    our_hist = ours.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    for key in ("loss", "priority_loss", "department_loss"):
        np.testing.assert_allclose(our_hist[key], ref_hist[key], rtol=2e-4, atol=1e-5)
    ref_pred, our_pred = ref.predict(x, verbose=0), ours.predict(x, verbose=0)
    assert isinstance(our_pred, dict) and sorted(our_pred) == sorted(ref_pred)
    for key in ref_pred:
        np.testing.assert_allclose(our_pred[key], ref_pred[key], rtol=1e-4, atol=1e-5)
    ref_eval = ref.evaluate(x, y, verbose=0, return_dict=True)
    our_eval = ours.evaluate(x, y, verbose=0, return_dict=True)
    for key in ("loss", "priority_loss", "department_loss"):
        np.testing.assert_allclose(our_eval[key], ref_eval[key], rtol=2e-4, atol=1e-5)
    # A direct call with the dict of arrays, as the guide does after training.
    out = ours({k: v[:3] for k, v in x.items()})
    assert sorted(out) == ["department", "priority"]
    np.testing.assert_allclose(out["priority"].detach().numpy(), ref_pred["priority"][:3],
                               rtol=1e-4, atol=1e-5)


def _three_input_model(K, structure):
    a, b, c = K.Input((3,), name="a"), K.Input((4,), name="b"), K.Input((2,), name="c")
    x = K.layers.concatenate([a, b, c])
    o1, o2 = K.layers.Dense(2, name="o1")(x), K.layers.Dense(1, name="o2")(x)
    if structure == "dict":
        return K.Model({"a": a, "b": b, "c": c}, {"o1": o1, "o2": o2})
    if structure == "nested":
        return K.Model([a, [b, c]], [o1, [o2]])
    return K.Model([a, b, c], [o1, o2])


def _shapes(value):
    if isinstance(value, dict):
        return {k: _shapes(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shapes(v) for v in value]
    return tuple(value.shape)


@pytest.mark.parametrize("structure,data", [
    ("dict", "dict"), ("dict", "flat"), ("list", "dict"), ("list", "tuple"), ("nested", "nested")])
def test_structured_call_and_predict_match_keras(structure, data):
    keras = real_keras()
    ref, ours = _three_input_model(keras, structure), _three_input_model(cornu, structure)
    ours.set_weights(ref.get_weights())
    rng = np.random.RandomState(1)
    A, B, C = (rng.randn(5, d).astype("float32") for d in (3, 4, 2))
    x = {"dict": {"a": A, "b": B, "c": C}, "flat": [A, B, C], "tuple": (A, B, C),
         "nested": [A, [B, C]]}[data]
    ref_out, our_out = ref(x), ours(x)
    assert _shapes(our_out) == _shapes(ref_out)
    ref_pred, our_pred = ref.predict(x, verbose=0), ours.predict(x, verbose=0)
    assert _shapes(our_pred) == _shapes(ref_pred)
    for mine, theirs in zip(nest.flatten(our_pred), nest.flatten(ref_pred)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)


def test_nested_outputs_fit_matches_keras():
    keras = real_keras()
    ref, ours = _three_input_model(keras, "nested"), _three_input_model(cornu, "nested")
    ours.set_weights(ref.get_weights())
    rng = np.random.RandomState(2)
    x = [rng.randn(8, 3).astype("float32"), [rng.randn(8, 4).astype("float32"),
                                             rng.randn(8, 2).astype("float32")]]
    y = [rng.randn(8, 2).astype("float32"), [rng.randn(8, 1).astype("float32")]]
    for model in (ref, ours):
        model.compile("sgd", "mse")
    ref_loss = ref.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"]
    our_loss = ours.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(our_loss, ref_loss, rtol=1e-5)


def test_missing_dict_key_is_a_clear_error():
    model = _three_input_model(cornu, "list")
    ones = np.ones((2, 3), "float32")
    with pytest.raises(ValueError, match=r"missing data for input\(s\) \['c'\]"):
        model({"a": ones, "b": np.ones((2, 4), "float32")})


def _cnn(K):
    inp = K.Input((6, 6, 1))
    x = K.layers.Flatten()(K.layers.Conv2D(2, 3)(inp))
    return K.Model(inp, K.layers.Dense(3)(x))


def test_missing_channel_axis_is_added_as_in_keras():
    """Keras 3 feeds (n, 6, 6) data to Input((6, 6, 1)): call, predict, fit and evaluate."""
    keras = real_keras()
    ref, ours = _cnn(keras), _cnn(cornu)
    ours.set_weights(ref.get_weights())
    rng = np.random.RandomState(3)
    x, y = rng.rand(16, 6, 6).astype("float32"), rng.rand(16, 3).astype("float32")
    np.testing.assert_allclose(ours(x).detach().numpy(), ref(x).detach().cpu().numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    for model in (ref, ours):
        model.compile("sgd", "mse")
    ref_loss = ref.fit(x, y, batch_size=8, shuffle=False, verbose=0,
                       validation_data=(x, y)).history
    our_loss = ours.fit(x, y, batch_size=8, shuffle=False, verbose=0,
                        validation_data=(x, y)).history
    np.testing.assert_allclose(our_loss["loss"], ref_loss["loss"], rtol=1e-5)
    np.testing.assert_allclose(our_loss["val_loss"], ref_loss["val_loss"], rtol=1e-5)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), ref.evaluate(x, y, verbose=0),
                               rtol=1e-5)


def test_trailing_axis_of_one_is_squeezed_as_in_keras():
    keras = real_keras()
    models = []
    for K in (keras, cornu):
        inp = K.Input((5,))
        models.append(K.Model(inp, K.layers.Dense(2)(inp)))
    ref, ours = models
    ours.set_weights(ref.get_weights())
    x = np.random.RandomState(4).rand(4, 5, 1).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0), rtol=1e-6)
    # Keras 3 on torch also adjusts a Sequential's input (it runs a functional graph).
    seqs = [K.Sequential([K.Input((6, 6, 1)), K.layers.Flatten(), K.layers.Dense(2)])
            for K in (keras, cornu)]
    seqs[1].set_weights(seqs[0].get_weights())
    x = np.random.RandomState(5).rand(3, 6, 6).astype("float32")
    np.testing.assert_allclose(seqs[1](x).detach().numpy(), seqs[0](x).detach().cpu().numpy(),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(4, 6), (4, 5, 2)])
def test_other_rank_differences_raise_as_in_keras(shape):
    keras = real_keras()
    x = np.zeros(shape, "float32")
    with pytest.raises(ValueError):
        _cnn(keras)(x) if len(shape) == 2 else keras.Model(
            i := keras.Input((5,)), keras.layers.Dense(2)(i))(x)
    model = _cnn(cornu) if len(shape) == 2 else cornu.Model(
        j := cornu.Input((5,)), cornu.layers.Dense(2)(j))
    with pytest.raises(ValueError, match="incompatible shape"):
        model(x)
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="incompatible"):
        model.predict(x, verbose=0)
