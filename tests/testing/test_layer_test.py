"""cornu.testing itself: its helpers pass correct layers and catch wrong ones."""
import numpy as np
import pytest
import torch

import cornu
from cornu.testing import (assert_allclose_nested, assert_config_matches_keras, compare_with_keras,
                           real_keras, run_layer_test)


@pytest.mark.parametrize("cls,kwargs,shape", [
    (cornu.layers.Dense, {"units": 3, "activation": "tanh"}, (2, 4)),
    (cornu.layers.Conv2D, {"filters": 2, "kernel_size": 3, "padding": "same"}, (2, 5, 5, 3)),
    (cornu.layers.LSTM, {"units": 3, "return_sequences": True}, (2, 4, 3)),
    (cornu.layers.LayerNormalization, {}, (2, 3, 4)),
])
def test_existing_layers_pass(cls, kwargs, shape):
    layer = run_layer_test(cls, kwargs, shape)
    assert layer.built


def test_list_input():
    run_layer_test(cornu.layers.Concatenate, {"axis": -1}, [(2, 3), (2, 4)],
                   expected_output_shape=(2, 7))


def test_wrong_expected_shape_fails():
    with pytest.raises(AssertionError, match="output shape"):
        run_layer_test(cornu.layers.Dense, {"units": 3}, (2, 4), expected_output_shape=(2, 4))


def test_numbers_unlike_keras_fail():
    class WrongDense(cornu.layers.Dense):
        def call(self, inputs):
            return super().call(inputs) * 1.001
    with pytest.raises(AssertionError, match="differ from Keras"):
        run_layer_test(WrongDense, {"units": 3}, (2, 4), keras_name="Dense")


def test_gradient_unlike_keras_fails():
    import torch

    class Scale(torch.autograd.Function):  # right values, wrong gradient
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class WrongGrad(cornu.layers.Dense):
        def call(self, inputs):
            return Scale.apply(super().call(inputs))
    with pytest.raises(AssertionError, match="gradient"):
        run_layer_test(WrongGrad, {"units": 3}, (2, 4), keras_name="Dense",
                       run_symbolic_check=False)


def test_broken_config_fails():
    class NoConfig(cornu.layers.Dense):
        def get_config(self):
            config = super().get_config()
            config["units"] = self.units + 1
            return config
    with pytest.raises(AssertionError, match="config"):
        run_layer_test(NoConfig, {"units": 3}, (2, 4), compare_with_keras=False)


def test_layer_keras_lacks_must_say_so():
    class Custom(cornu.layers.Layer):
        def call(self, x):
            return x * 2
    with pytest.raises(AssertionError, match="Keras 3 has no layer"):
        run_layer_test(Custom, {}, (2, 3), run_training_check=False)
    run_layer_test(Custom, {}, (2, 3), run_training_check=False, compare_with_keras=False)


# ----------------------------------------------------------------------------- wrong layers
class _DropsUseBias(cornu.layers.Dense):
    def get_config(self):  # forgets an argument: the clone gets the default back
        config = super().get_config()
        del config["use_bias"]
        return config


class _Off(cornu.layers.Dense):
    def call(self, inputs):
        return super().call(inputs) + 1e-3


class _NoKernelGradient(cornu.layers.Dense):
    def call(self, inputs):
        return torch.nn.functional.linear(inputs, self.kernel.detach().T, self.bias)


def _instead_of_dense(cls, **kwargs):
    """A builder for compare_with_keras: Keras's Dense, and `cls` on cornu's side."""
    return lambda layers: (cls(3, name="dense", **kwargs) if layers is cornu.layers
                           else layers.Dense(3, **kwargs))


def test_run_layer_test_catches_a_dropped_config_argument():
    with pytest.raises(AssertionError, match="from_config"):
        run_layer_test(_DropsUseBias, {"units": 3, "use_bias": False}, (2, 4),
                       compare_with_keras=False)


def test_run_layer_test_catches_a_missing_gradient():
    with pytest.raises(AssertionError, match="gets no gradient"):
        run_layer_test(_NoKernelGradient, {"units": 3}, (2, 4), keras_name="Dense",
                       run_symbolic_check=False)


# ----------------------------------------------------------------------------- compare_with_keras
def test_compare_with_keras_returns_both_layers_with_the_same_weights():
    ours, theirs = compare_with_keras("Dense", kwargs={"units": 3, "activation": "tanh"},
                                      input_shape=(2, 4))
    assert isinstance(ours, cornu.layers.Dense) and type(theirs).__module__.startswith("keras")
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_compare_with_keras_takes_a_builder_data_and_a_mask():
    x = np.random.RandomState(0).randn(2, 5, 3).astype("float32")
    mask = np.ones((2, 5), bool)
    mask[0, 3:] = False
    ours, _ = compare_with_keras(lambda L: L.Bidirectional(L.GRU(2, return_sequences=True)), x,
                                 call_kwargs={"mask": mask}, rtol=1e-5, atol=1e-5)
    assert ours.forward_layer.built and ours.backward_layer.built


def test_compare_with_keras_catches_outputs_off_by_1e_3():
    with pytest.raises(AssertionError, match="outputs differ from Keras"):
        compare_with_keras(_instead_of_dense(_Off), input_shape=(2, 4))


def test_compare_with_keras_catches_a_missing_gradient():
    with pytest.raises(AssertionError, match="no gradient for .*kernel; Keras has one"):
        compare_with_keras(_instead_of_dense(_NoKernelGradient), input_shape=(2, 4))


def test_compare_with_keras_catches_a_dropped_config_argument():
    with pytest.raises(AssertionError, match="from_config"):
        compare_with_keras(_instead_of_dense(_DropsUseBias, use_bias=False), input_shape=(2, 4))


def test_compare_with_keras_catches_a_wrong_output_shape_formula():
    class WrongShape(cornu.layers.Dense):
        def compute_output_shape(self, input_shape):
            return tuple(input_shape[:-1]) + (self.units + 1,)
    with pytest.raises(AssertionError, match="compute_output_shape"):
        compare_with_keras(_instead_of_dense(WrongShape), input_shape=(2, 4))


def test_compare_with_keras_catches_other_weight_shapes():
    class Transposed(cornu.layers.Dense):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(self.units, input_shape[-1]), name="kernel")
            self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")

        def call(self, inputs):  # right numbers, torch's layout instead of Keras's
            return torch.nn.functional.linear(inputs, self.kernel, self.bias)
    with pytest.raises(AssertionError, match="weight shapes"):
        compare_with_keras(_instead_of_dense(Transposed), input_shape=(2, 4))


def test_assert_config_matches_keras():
    assert_config_matches_keras(lambda L: L.Conv2D(4, 3, strides=2, padding="same"))
    with pytest.raises(AssertionError, match=r"lacks Keras's keys \['use_bias'\]"):
        assert_config_matches_keras(_instead_of_dense(_DropsUseBias))

    class WrongDefault(cornu.layers.Dense):
        def get_config(self):
            return {**super().get_config(), "activation": "relu"}
    with pytest.raises(AssertionError, match="config\\['activation'\\] is 'relu'"):
        assert_config_matches_keras(_instead_of_dense(WrongDefault))


def test_real_keras_is_keras_3_on_torch():
    keras = real_keras()
    assert keras.__version__.startswith("3") and keras.backend.backend() == "torch"


# ---------------------------------------------------------------------- assert_allclose_nested
def test_assert_allclose_nested_checks_structure_shape_dtype_and_values():
    ones = torch.ones(2, 3)
    assert_allclose_nested([ones, (ones[0],)], [np.ones((2, 3), "float32"), (torch.ones(3),)])
    assert_allclose_nested(torch.tensor([1.0, float("nan")]), np.array([1.0, np.nan], "float32"))
    with pytest.raises(AssertionError, match="1 results, the reference has 2"):
        assert_allclose_nested([ones], [ones, ones])
    with pytest.raises(AssertionError, match="shape"):
        assert_allclose_nested(ones, torch.ones(3, 2))
    with pytest.raises(AssertionError, match="dtype"):
        assert_allclose_nested(ones, torch.ones(2, 3, dtype=torch.float64))
    assert_allclose_nested(ones, torch.ones(2, 3, dtype=torch.float64), check_dtype=False)
    with pytest.raises(AssertionError, match="differs from the reference"):
        assert_allclose_nested(ones, ones + 1e-3)
    with pytest.raises(AssertionError, match="expected a torch tensor"):
        assert_allclose_nested(np.ones(3), np.ones(3))
