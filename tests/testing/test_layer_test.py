"""run_layer_test itself: it passes correct layers and catches wrong ones."""
import numpy as np
import pytest

import cornu
from cornu.testing import run_layer_test


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
