"""Model configs: get_config/from_config, to_json/model_from_json, safe loading of Lambdas."""
import json

import numpy as np
import pytest

import cornu
from cornu import layers as L
from cornu.models import model_from_config, model_from_json
from cornu.utils.registry import register_keras_serializable

rng = np.random.default_rng(0)


def shared_multi_io():
    a, b = cornu.Input((5,), name="a"), cornu.Input((5,), name="b")
    tower = L.Dense(4, activation="relu", name="tower")
    ta, tb = tower(a), tower(b)
    joined = L.concatenate([ta, tb], axis=-1)
    inner_in = cornu.Input((8,))
    inner = cornu.Model(inner_in, L.Dense(3)(inner_in), name="inner")
    seq = cornu.Sequential([L.Dense(2, input_shape=(3,)), L.Activation("softmax")], name="head")
    return cornu.Model([a, b], [seq(inner(joined)), L.Add()([ta, tb]),
                                L.Dot(axes=1, normalize=True)([ta, tb])], name="graph")


def dict_model():
    a, b = cornu.Input((3,), name="a"), cornu.Input((2,), name="b")
    h = L.Concatenate()([a, b])
    return cornu.Model({"a": a, "b": b}, {"y": L.Dense(1)(h)})


def ops_model():
    x = cornu.Input((6,))
    y = (x[:, 1:4] * 2.0 + 1.0) ** 2
    z = cornu.backend.concatenate([y, cornu.backend.mean(x, axis=-1, keepdims=True)], axis=-1)
    return cornu.Model(x, z)


def _same_model(original, rebuilt, inputs):
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in original.layers]
    assert [type(layer) for layer in rebuilt.layers] == [type(layer) for layer in original.layers]
    assert rebuilt.count_params() == original.count_params()
    assert [t.shape for t in rebuilt.outputs] == [t.shape for t in original.outputs]
    rebuilt.set_weights(original.get_weights())
    ours, theirs = original.predict(inputs, verbose=0), rebuilt.predict(inputs, verbose=0)
    for a, b in zip(cornu.utils.nest.flatten(ours), cornu.utils.nest.flatten(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("builder,inputs", [
    (shared_multi_io, [rng.normal(size=(4, 5)), rng.normal(size=(4, 5))]),
    (dict_model, {"a": rng.normal(size=(4, 3)), "b": rng.normal(size=(4, 2))}),
    (ops_model, rng.normal(size=(4, 6))),
])
def test_config_and_json_round_trip(builder, inputs):
    model = builder()
    config = model.get_config()
    assert set(config) >= {"name", "layers", "input_layers", "output_layers"}
    for entry in config["layers"]:
        assert {"class_name", "config", "name", "inbound_nodes"} <= set(entry)
    _same_model(model, cornu.Model.from_config(config), inputs)
    text = model.to_json()
    assert json.loads(text)["class_name"] == "Functional"
    _same_model(model, model_from_json(text), inputs)
    _same_model(model, model_from_config(json.loads(text)), inputs)


def test_config_counts_only_the_models_own_calls():
    """A layer also used outside the model saves only its calls inside the model."""
    dense = L.Dense(2, name="reused")
    dense(cornu.Input((3,)))  # a call in no model
    x = cornu.Input((3,), name="x")
    model = cornu.Model(x, dense(x))
    entry = next(e for e in model.get_config()["layers"] if e["name"] == "reused")
    assert len(entry["inbound_nodes"]) == 1
    assert model.get_config()["output_layers"] == ["reused", 0, 0]
    rebuilt = cornu.Model.from_config(model.get_config())
    assert rebuilt.output_shape == (None, 2)


def test_sequential_config_starts_with_its_input_layer():
    model = cornu.Sequential([L.Dense(4, input_shape=(3,)), L.Dense(1)], name="seq")
    config = model.get_config()
    assert [e["class_name"] for e in config["layers"]] == ["InputLayer", "Dense", "Dense"]
    rebuilt = model_from_json(model.to_json())
    assert isinstance(rebuilt, cornu.Sequential) and rebuilt.name == "seq"
    _same_model(model, rebuilt, rng.normal(size=(2, 3)))
    # Keras 1/2.0 wrote a Sequential's config as the bare list of its layers.
    old = cornu.Sequential.from_config([{"class_name": "Dense", "config": {
        "units": 2, "batch_input_shape": [None, 3], "name": "d"}}])
    assert old.output_shape == (None, 2)


def test_tf_keras2_list_layout_of_inbound_nodes_loads():
    config = {
        "name": "model", "layers": [
            {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "input_1"}},
            {"class_name": "Dense", "name": "dense", "config": {"units": 3, "name": "dense"},
             "inbound_nodes": [[["input_1", 0, 0, {}]]]},
            {"class_name": "Dense", "name": "dense_1", "config": {"units": 3, "name": "dense_1"},
             "inbound_nodes": [[["dense", 0, 0, {}]]]},
            {"class_name": "Add", "name": "add", "config": {"name": "add"},
             "inbound_nodes": [[["dense", 0, 0, {}], ["dense_1", 0, 0, {}]]]}],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["add", 0, 0]]}
    model = cornu.Model.from_config(config)
    assert model.output_shape == (None, 3) and model.count_params() == 27
    assert [layer.name for layer in model.layers] == ["input_1", "dense", "dense_1", "add"]


def test_lambda_bytecode_loads_only_outside_safe_mode():
    x = cornu.Input((3,))
    model = cornu.Model(x, L.Lambda(lambda t, k=3.0: t * k, output_shape=(3,))(x))
    text = model.to_json()
    with pytest.raises(ValueError, match="safe_mode=False"):
        model_from_json(text)
    rebuilt = model_from_json(text, safe_mode=False)
    np.testing.assert_allclose(rebuilt.predict(np.ones((1, 3)), verbose=0), 3 * np.ones((1, 3)))


def test_lambda_with_a_registered_function_loads_safely():
    @register_keras_serializable()
    def halve(t):
        return t / 2

    x = cornu.Input((2,))
    model = cornu.Model(x, L.Lambda(halve)(x))
    rebuilt = model_from_json(model.to_json())
    np.testing.assert_allclose(rebuilt.predict(np.ones((1, 2)), verbose=0), [[0.5, 0.5]])


def test_custom_layer_round_trips_through_custom_objects():
    class Twice(L.Layer):
        def call(self, x):
            return 2 * x

    x = cornu.Input((2,))
    model = cornu.Model(x, Twice(name="twice")(x))
    with pytest.raises(ValueError, match="Unknown layer"):
        model_from_json(model.to_json())
    rebuilt = model_from_json(model.to_json(), custom_objects={"Twice": Twice})
    assert isinstance(rebuilt.get_layer("twice"), Twice)


def test_yaml_round_trip():
    pytest.importorskip("yaml")
    model = shared_multi_io()
    rebuilt = cornu.models.model_from_yaml(model.to_yaml())
    assert rebuilt.count_params() == model.count_params()
