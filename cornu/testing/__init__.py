"""`cornu.testing`: checks a layer the way Keras's own test suite does, against real Keras 3.

    from cornu.testing import run_layer_test
    run_layer_test(cornu.layers.Dense, {"units": 3}, input_shape=(2, 4))

- `run_layer_test(layer_cls, init_kwargs, input_shape, ...)`: a layer's whole contract (config
  round trip, eager and symbolic call, shapes, gradients, a `fit` step) and its numbers against
  Keras 3's;
- `compare_with_keras(layer, x, ...)`: a layer built by the caller (a class name, or a function
  of a layers module for positional arguments and wrappers) against Keras 3's from the same
  weights: shapes, config round trip, outputs, gradients; returns both layers;
- `assert_config_matches_keras(layer, kwargs)`: the config has Keras's keys and values;
- `assert_allclose_nested(actual, expected)`: results (an op's, a layer's) against a reference,
  leaf by leaf, with shapes and dtypes;
- `real_keras()`, `keras_reference(class_name)`: the reference itself.
"""
from cornu.testing.asserts import assert_allclose_nested
from cornu.testing.keras_compare import (assert_config_matches_keras, compare_with_keras,
                                         keras_reference, real_keras)
from cornu.testing.layer_test import run_layer_test

__all__ = ["run_layer_test", "compare_with_keras", "assert_config_matches_keras",
           "assert_allclose_nested", "real_keras", "keras_reference"]
