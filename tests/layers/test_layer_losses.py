"""`layer.losses` as Keras 3 keeps it: a top-level call starts afresh, nested calls accumulate,
regularizers are recomputed; checked against real Keras 3 running the same layers."""
import numpy as np
import pytest

import cornu
from cornu.testing import real_keras


def _layers(K):
    class ActivityRegularizationLayer(K.layers.Layer):
        def __init__(self, rate=1e-2):
            super().__init__()
            self.rate = rate

        def call(self, inputs):
            self.add_loss(self.rate * K.ops.mean(inputs))
            return inputs

    class OuterLayer(K.layers.Layer):
        def __init__(self):
            super().__init__()
            self.activity_reg = ActivityRegularizationLayer(1e-2)

        def call(self, inputs):
            return self.activity_reg(inputs)

    class Twice(K.layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = ActivityRegularizationLayer(1.0)

        def call(self, inputs):
            return self.inner(self.inner(inputs) + 1.0)

    return ActivityRegularizationLayer, OuterLayer, Twice


def _values(losses):
    return sorted(float(np.asarray(loss.detach().cpu())) for loss in losses)


def test_losses_hold_only_the_last_top_level_call_as_in_keras():
    keras = real_keras()
    results = []
    for K in (keras, cornu):
        _, OuterLayer, Twice = _layers(K)
        layer = OuterLayer()
        seen = [len(layer.losses)]
        layer(np.ones((1, 1), "float32"))
        seen.append(_values(layer.losses))
        layer(np.full((1, 1), 3.0, "float32"))
        seen.append(_values(layer.losses))
        twice = Twice()
        twice(np.ones((2, 2), "float32"))  # the inner layer runs twice inside one call
        seen.append(_values(twice.losses))
        seen.append(_values(twice.inner.losses))
        twice(np.ones((2, 2), "float32"))
        seen.append(_values(twice.losses))
        results.append(seen)
    ref, ours = results
    assert ours[0] == ref[0] == 0
    for mine, theirs in zip(ours[1:], ref[1:]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)
    assert len(ours[3]) == 2


def test_calling_another_layer_keeps_this_layers_losses():
    reg, _, _ = _layers(cornu)
    first, second = reg(1.0), reg(1.0)
    first(np.ones((1, 1), "float32"))
    second(np.ones((1, 1), "float32"))
    assert _values(first.losses) == [1.0]


def test_kernel_regularizer_loss_matches_keras():
    keras = real_keras()
    values = []
    for K in (keras, cornu):
        class OuterLayerWithKernelRegularizer(K.layers.Layer):
            def __init__(self):
                super().__init__()
                self.dense = K.layers.Dense(4, kernel_regularizer=K.regularizers.l2(1e-3))

            def call(self, inputs):
                return self.dense(inputs)
        layer = OuterLayerWithKernelRegularizer()
        layer(np.zeros((1, 3), "float32"))
        values.append(layer)
    ref, ours = values
    ours.set_weights(ref.get_weights())
    for _ in range(2):
        ours(np.zeros((1, 3), "float32"))
    assert len(ours.losses) == len(ref.losses) == 1
    np.testing.assert_allclose(_values(ours.losses), _values(ref.losses), rtol=1e-6)


def test_add_loss_of_a_non_tensor_names_the_layer():
    class Bad(cornu.layers.Layer):
        def call(self, inputs):
            self.add_loss("oops")
            return inputs
    with pytest.raises(ValueError, match=r"Layer 'bad'.*add_loss\(\)"):
        Bad()(np.ones((1, 1), "float32"))


def test_fit_with_add_loss_in_call_matches_keras():
    """The subclassing guide's functional model with an add_loss layer, from the same weights."""
    keras = real_keras()
    histories = []
    x = np.random.RandomState(0).random_sample((8, 3)).astype("float32")
    y = np.random.RandomState(1).random_sample((8, 3)).astype("float32")
    weights = None
    for K in (keras, cornu):
        reg, _, _ = _layers(K)
        losses = []
        for loss in ("mse", None):  # with a compiled loss, then the added loss alone
            inputs = K.Input(shape=(3,))
            model = K.Model(inputs, reg()(K.layers.Dense(3)(inputs)))
            weights = model.get_weights() if weights is None else weights
            model.set_weights(weights)
            model.compile(optimizer="sgd", loss=loss)
            losses += model.fit(x, y, batch_size=4, shuffle=False, epochs=2,
                                verbose=0).history["loss"]
        histories.append(losses)
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)
