"""Patterns of Keras 3's "Making new layers and models via subclassing" guide, run in cornu and
in real Keras 3 on the same code and weights."""
import numpy as np

import cornu
from cornu.testing import real_keras


def _np(t):
    return np.asarray(t.detach().cpu()) if hasattr(t, "detach") else np.asarray(t)


def _guide_layers(K):
    ops = K.ops

    class Linear(K.layers.Layer):  # weights created in __init__
        def __init__(self, units=32, input_dim=32):
            super().__init__()
            self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal",
                                     trainable=True)
            self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

    class ComputeSum(K.layers.Layer):  # a non-trainable weight updated with assign_add
        def __init__(self, input_dim):
            super().__init__()
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,),
                                         trainable=False)

        def call(self, inputs):
            self.total.assign_add(ops.sum(inputs, axis=0))
            return self.total

    class LazyLinear(K.layers.Layer):  # deferred build, serializable with **kwargs
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal", trainable=True)
            self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                     trainable=True)

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            config = super().get_config()
            config.update({"units": self.units})
            return config

    class MLPBlock(K.layers.Layer):  # nested layers
        def __init__(self):
            super().__init__()
            self.linear_1 = LazyLinear(32)
            self.linear_2 = LazyLinear(32)
            self.linear_3 = LazyLinear(1)

        def call(self, inputs):
            x = K.activations.relu(self.linear_1(inputs))
            x = K.activations.relu(self.linear_2(x))
            return self.linear_3(x)

    class CustomDropout(K.layers.Layer):  # the `training` argument
        def __init__(self, rate, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = K.random.SeedGenerator(1337)

        def call(self, inputs, training=None):
            if training:
                return K.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
            return inputs

    return Linear, ComputeSum, LazyLinear, MLPBlock, CustomDropout


def test_linear_with_weights_in_init_matches_keras():
    keras = real_keras()
    (RefLinear, *_), (Linear, *_) = _guide_layers(keras), _guide_layers(cornu)
    ref, ours = RefLinear(4, 2), Linear(4, 2)
    assert ours.weights == [ours.w, ours.b]
    ours.set_weights(ref.get_weights())
    x = np.ones((2, 2), "float32")
    np.testing.assert_allclose(_np(ours(x)), _np(ref(x)), rtol=1e-6)


def test_non_trainable_weight_updated_with_assign_add_matches_keras():
    keras = real_keras()
    sums = []
    for K in (keras, cornu):
        layer = _guide_layers(K)[1](2)
        x = np.ones((2, 2), "float32")
        sums.append([_np(layer(x)).copy(), _np(layer(x)).copy(), len(layer.weights),
                     len(layer.non_trainable_weights), len(layer.trainable_weights)])
    ref, ours = sums
    np.testing.assert_allclose(ours[0], ref[0])
    np.testing.assert_allclose(ours[1], ref[1])
    assert ours[2:] == ref[2:] == [1, 1, 0]


def test_deferred_build_nested_block_and_config_match_keras():
    keras = real_keras()
    blocks = []
    for K in (keras, cornu):
        _, _, LazyLinear, MLPBlock, _ = _guide_layers(K)
        lazy = LazyLinear(32)
        assert not lazy.weights
        lazy(np.ones((2, 2), "float32"))
        block = MLPBlock()
        block(np.ones((3, 64), "float32"))
        config = LazyLinear(units=64).get_config()
        blocks.append((len(lazy.weights), block, config, LazyLinear.from_config(config).units))
    (ref_n, ref_block, ref_config, ref_units), (n, block, config, units) = blocks
    assert n == ref_n == 2
    assert len(block.weights) == len(ref_block.weights) == 6
    assert len(block.trainable_weights) == len(ref_block.trainable_weights) == 6
    assert sorted(config) == sorted(ref_config) and units == ref_units == 64
    block.set_weights(ref_block.get_weights())
    x = np.random.RandomState(0).rand(3, 64).astype("float32")
    np.testing.assert_allclose(_np(block(x)), _np(ref_block(x)), rtol=1e-5, atol=1e-6)


def test_training_argument_reaches_the_layer():
    dropout = _guide_layers(cornu)[4](0.5)
    x = np.ones((20, 20), "float32")
    np.testing.assert_array_equal(_np(dropout(x)), x)
    dropped = _np(dropout(x, training=True))
    assert 0 < (dropped == 0).sum() < dropped.size  # Keras's dropout: zeros and 1 / (1 - rate)
    np.testing.assert_allclose(np.unique(dropped), [0.0, 2.0])
