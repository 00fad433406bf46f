"""`cornu.testing`: checks a layer the way Keras's own test suite does, against real Keras 3.

    from cornu.testing import run_layer_test
    run_layer_test(cornu.layers.Dense, {"units": 3}, input_shape=(2, 4))
"""
from cornu.testing.layer_test import keras_reference, run_layer_test

__all__ = ["run_layer_test", "keras_reference"]
