"""cornu.Variable against Keras 3's keras.Variable (torch backend): construction, assignment,
`.value` as the differentiated parameter, and state variables in layers and seed generators."""
import copy
import pickle

import numpy as np
import pytest
import torch

import cornu
from cornu import ops

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("value", [3, 3.0, [1.0, 2.0], np.float32(2), np.arange(3),
                                   np.ones((2, 2)), True])
def test_dtype_and_shape_of_values_match_keras(value):
    ref = keras.Variable(value, trainable=False)
    ours = cornu.Variable(value, trainable=False)
    assert str(ours.dtype).replace("torch.", "") == ref.dtype
    assert tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


@pytest.mark.parametrize("init, dtype", [("zeros", None), ("ones", "float64"),
                                         (cornu.initializers.Constant(2.5), None)])
def test_initializer_needs_shape_and_gives_keras_values(init, dtype):
    ref_init = init if isinstance(init, str) else keras.initializers.Constant(2.5)
    ref = keras.Variable(ref_init, shape=(2, 3), dtype=dtype)
    ours = cornu.Variable(init, shape=(2, 3), dtype=dtype)
    assert str(ours.dtype).replace("torch.", "") == ref.dtype
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())
    with pytest.raises(ValueError, match="shape"):
        keras.Variable(ref_init)
    with pytest.raises(ValueError, match="shape"):
        cornu.Variable(init)


def test_names_and_paths_follow_keras():
    keras.backend.clear_session()
    ref, ours = keras.Variable(np.zeros(2)), cornu.Variable(np.zeros(2))
    assert (ours.name, ours.path) == (ref.name, ref.path) == ("variable", "variable")
    assert cornu.Variable(np.zeros(2)).name == keras.Variable(np.zeros(2)).name == "variable_1"
    named = cornu.Variable(np.zeros(2), name="total")
    assert (named.name, named.path) == ("total", "total")
    with pytest.raises(ValueError, match="name"):
        cornu.Variable(np.zeros(2), name=3)


def test_value_is_the_parameter_torch_differentiates():
    v = cornu.Variable(np.array([1.0, 2.0, 3.0], "float32"))
    assert isinstance(v, torch.nn.Parameter) and v.value is v
    (v * v).sum().backward()
    np.testing.assert_allclose(v.value.grad.numpy(), [2.0, 4.0, 6.0])
    out = v + 1  # math gives plain tensors, as on Keras 3's torch backend
    assert type(out) is torch.Tensor and type(keras.Variable(np.ones(3)) + 1) is torch.Tensor
    opt = torch.optim.SGD([v], lr=0.5)
    opt.step()
    np.testing.assert_allclose(v.numpy(), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("value", [2.0, np.float32(2), np.full((3,), 2.0),
                                   torch.full((3,), 2.0, dtype=torch.float64)])
def test_assign_family_from_numbers_arrays_tensors(value):
    ours = cornu.Variable(np.zeros(3, "float32"))
    ref = keras.Variable(np.zeros(3, "float32"))
    for op, arg in [("assign_add", value), ("assign_sub", 0.5), ("assign_add", torch.tensor(1.0))]:
        result = getattr(ours, op)(arg)
        assert result is ours
        getattr(ref, op)(arg)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())
    ours.assign(np.array([4.0, 5.0, 6.0]))
    ref.assign(np.array([4.0, 5.0, 6.0]))
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_assign_keeps_dtype_and_does_not_record_autograd():
    counter = cornu.Variable(np.zeros((), "int32"), trainable=False)
    counter.assign(2.7)
    assert counter.dtype == torch.int32 and int(counter) == int(
        keras.Variable(np.zeros((), "int32"), trainable=False).assign(2.7))
    w = cornu.Variable(np.ones(2, "float32"))
    x = torch.ones(2, requires_grad=True)
    w.assign(x * 3)
    assert w.grad_fn is None and w.is_leaf
    np.testing.assert_array_equal(w.numpy(), [3.0, 3.0])


def test_bad_assignments_are_clear_errors():
    v = cornu.Variable(np.zeros(3, "float32"), name="total")
    with pytest.raises(ValueError, match=r"total.*\(3,\).*\(4,\)"):
        v.assign(np.ones(4))
    with pytest.raises(ValueError, match=r"total.*\(3,\)"):
        v.assign(1.0)  # Keras 3 too: assign needs the variable's shape
    with pytest.raises(ValueError, match=r"assign_add.*\(3,\).*\(4,\)"):
        v.assign_add(np.ones(4))
    with pytest.raises(TypeError, match="assign"):
        v.assign("x")
    with pytest.raises(ValueError, match=r"initial value has shape \(2,\).*\(3,\)"):
        cornu.Variable(np.zeros(2), shape=(3,))


def test_trainable_switch_and_copies():
    v = cornu.Variable(np.ones(2, "float32"), name="w")
    v.trainable = False
    assert not v.requires_grad and not v.trainable
    for clone in (copy.deepcopy(v), pickle.loads(pickle.dumps(v))):
        assert isinstance(clone, cornu.Variable) and clone.name == "w" and not clone.trainable
        np.testing.assert_array_equal(clone.numpy(), v.numpy())
    assert not cornu.Variable(np.arange(3)).requires_grad  # integer state has no gradient


class _Total:
    """The 'Making new layers via subclassing' guide's non-trainable state, in either library."""

    @staticmethod
    def layer(lib, lib_ops):
        class ComputeSum(lib.layers.Layer):
            def build(self, input_shape):
                self.total = self.add_weight(initializer="zeros", shape=(input_shape[-1],),
                                             trainable=False)

            def call(self, inputs):
                self.total.assign_add(lib_ops.sum(inputs, axis=0))
                return inputs
        return ComputeSum()


def test_non_trainable_state_layer_as_keras():
    x = np.ones((2, 2), "float32")
    ours, ref = _Total.layer(cornu, ops), _Total.layer(keras, keras.ops)
    for _ in range(2):
        ours(x)
        ref(x)
    np.testing.assert_array_equal(ours.total.numpy(), ref.total.numpy())  # [4, 4]
    assert ours.weights[0].path.startswith("compute_sum/") and ours.non_trainable_weights
    assert ours.trainable_weights == [] and ref.trainable_weights == []


def test_state_layer_in_a_functional_model_and_fit():
    # Shape inference runs the layer on stand-ins: its assign_add must work there, and must not
    # touch the real state.
    inputs = cornu.Input((3,))
    state = _Total.layer(cornu, ops)
    model = cornu.Model(inputs, cornu.layers.Dense(1)(state(inputs)))
    np.testing.assert_array_equal(state.total.numpy(), [0, 0, 0])
    model(np.ones((2, 3), "float32"))
    np.testing.assert_array_equal(state.total.numpy(), [2, 2, 2])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), batch_size=2, verbose=0)
    np.testing.assert_array_equal(state.total.numpy(), [6, 6, 6])  # Keras 3 too: 2 + 4
    model.evaluate(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), batch_size=2,
                   verbose=0)
    model.predict(np.ones((4, 3), "float32"), batch_size=2, verbose=0)
    np.testing.assert_array_equal(state.total.numpy(), [14, 14, 14])  # Keras 3: 14


def test_variable_assigned_in_build_is_a_weight_with_the_layers_path():
    def make(lib):
        class L(lib.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(2,), name="w")
                self.v = lib.Variable(np.zeros(2), name="free")
        layer = L(name="mylayer")
        layer.build((None, 2))
        return layer
    ours, ref = make(cornu), make(keras)
    assert [w.path for w in ours.weights] == [w.path for w in ref.weights] == \
        ["mylayer/w", "mylayer/free"]


def test_seed_generator_state_is_a_variable():
    keras.backend.clear_session()
    ours, ref = cornu.random.SeedGenerator(42), keras.random.SeedGenerator(42)
    assert isinstance(ours.state, cornu.Variable) and not ours.state.trainable
    assert ours.state.dtype == torch.int32 and ref.state.dtype == "int32"
    assert ours.state.name == ref.state.name == "seed_generator_state"
    assert ours.state.path == ref.state.path == "seed_generator/seed_generator_state"
    ours.next()
    ref.next()
    np.testing.assert_array_equal(ours.state.numpy(), ref.state.numpy())  # [42, 1]
    first = cornu.random.normal((3,), seed=ours).numpy()
    ours.state.assign(np.array([42, 1], "int32"))  # rewinding the state replays the stream
    np.testing.assert_array_equal(cornu.random.normal((3,), seed=ours).numpy(), first)


def test_layer_variables_list_seed_state_but_weights_do_not():
    def make(lib):
        class Noisy(lib.layers.Layer):
            def __init__(self):
                super().__init__()
                self.seed_generator = lib.random.SeedGenerator(1)

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), name="w")
        layer = Noisy()
        layer.build((None, 2))
        return layer
    ours, ref = make(cornu), make(keras)
    assert len(ours.weights) == len(ref.weights) == 1
    assert len(ours.variables) == len(ref.variables) == 2
    assert len(ours.non_trainable_variables) == len(ref.non_trainable_variables) == 1
    assert ours.variables[1] is ours.seed_generator.state
