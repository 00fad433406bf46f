"""The "Understanding masking & padding" guide's patterns, run in cornu and in real Keras 3 on
the same data and weights: masks produced, propagated, passed to `call(mask=)` and modified."""
import numpy as np
import pytest

import cornu
from cornu.testing import real_keras

RAW = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]]


def _np(t):
    return np.asarray(t.detach().cpu()) if hasattr(t, "detach") else np.asarray(t)


def _padded(K):
    return K.utils.pad_sequences(RAW, padding="post")


def test_embedding_and_masking_layer_masks_match_keras():
    keras = real_keras()
    masks = []
    for K in (keras, cornu):
        padded = _padded(K)
        embedded = K.layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(padded)
        unmasked = K.ops.cast(K.ops.tile(K.ops.expand_dims(padded, axis=-1), [1, 1, 10]),
                              "float32")
        masked = K.layers.Masking()(unmasked)
        masks.append((_np(embedded._keras_mask), _np(masked._keras_mask)))
    for mine, theirs in zip(masks[1], masks[0]):
        np.testing.assert_array_equal(mine, theirs)


def _temporal_split(K):
    class TemporalSplit(K.layers.Layer):
        def call(self, inputs):
            return K.ops.split(inputs, 2, axis=1)

        def compute_mask(self, inputs, mask=None):
            if mask is None:
                return None
            return K.ops.split(mask, 2, axis=1)
    return TemporalSplit


def _custom_embedding(K):
    class CustomEmbedding(K.layers.Layer):
        def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
            super().__init__(**kwargs)
            self.input_dim = input_dim
            self.output_dim = output_dim
            self.mask_zero = mask_zero

        def build(self, input_shape):
            self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                              initializer="random_normal", dtype="float32")

        def call(self, inputs):
            inputs = K.ops.cast(inputs, "int32")
            return K.ops.take(self.embeddings, inputs)

        def compute_mask(self, inputs, mask=None):
            if not self.mask_zero:
                return None
            return K.ops.not_equal(inputs, 0)
    return CustomEmbedding


def test_a_layer_that_modifies_the_mask_matches_keras():
    keras = real_keras()
    results = []
    for K in (keras, cornu):
        padded = _padded(K)
        unmasked = K.ops.cast(K.ops.tile(K.ops.expand_dims(padded, axis=-1), [1, 1, 10]),
                              "float32")
        first, second = _temporal_split(K)()(K.layers.Masking()(unmasked))
        # The same layer in a graph: the symbolic masks follow `compute_mask`.
        inputs = K.Input((6, 10))
        sym_first, _ = _temporal_split(K)()(K.layers.Masking()(inputs))
        results.append((_np(first._keras_mask), _np(second._keras_mask),
                        tuple(sym_first._keras_mask.shape)))
    ours, ref = results[1], results[0]
    np.testing.assert_array_equal(ours[0], ref[0])
    np.testing.assert_array_equal(ours[1], ref[1])
    assert ours[2] == ref[2]


def test_a_layer_that_generates_a_mask_matches_keras():
    keras = real_keras()
    x = (np.random.RandomState(0).random_sample((3, 10)) * 9).astype("int32")
    out = []
    for K in (keras, cornu):
        layer = _custom_embedding(K)(10, 32, mask_zero=True)
        y = layer(x)
        out.append((layer, _np(layer.compute_mask(x)), _np(y._keras_mask)))
        inputs = K.Input(shape=(None,), dtype="int32")
        symbolic = _custom_embedding(K)(10, 4, mask_zero=True)(inputs)
        out[-1] += (tuple(symbolic._keras_mask.shape),)
    (_, ref_mask, ref_attached, ref_sym), (_, mask, attached, sym) = out
    np.testing.assert_array_equal(mask, ref_mask)
    np.testing.assert_array_equal(attached, ref_attached)
    assert sym == ref_sym == (None, None)


def _softmax_model(K):
    class MyActivation(K.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True  # safe for mask propagation

        def call(self, inputs):
            return K.ops.relu(inputs)

    class TemporalSoftmax(K.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs, mask=None):
            assert mask is not None
            broadcast_float_mask = K.ops.expand_dims(K.ops.cast(mask, "float32"), -1)
            inputs_exp = K.ops.exp(inputs) * broadcast_float_mask
            inputs_sum = K.ops.sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
            return inputs_exp / inputs_sum

    inputs = K.Input(shape=(None,), dtype="int32")
    x = K.layers.Embedding(input_dim=10, output_dim=8, mask_zero=True)(inputs)
    x = MyActivation()(x)
    mask_shape = tuple(x._keras_mask.shape)
    x = K.layers.Dense(1)(x)
    return K.Model(inputs, TemporalSoftmax()(x)), mask_shape


def test_call_with_mask_argument_downstream_of_embedding_matches_keras():
    keras = real_keras()
    (ref, ref_shape), (ours, our_shape) = _softmax_model(keras), _softmax_model(cornu)
    assert our_shape == ref_shape == (None, None)
    ours.set_weights(ref.get_weights())
    x = np.random.RandomState(1).randint(0, 10, size=(4, 7))
    x[:, 5:] = 0
    np.testing.assert_allclose(_np(ours(x)), _np(ref(x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def _pooling_models(K):
    class MaskedMean(K.layers.Layer):  # takes `mask`, does not pass it on
        def call(self, x, mask=None):
            m = K.ops.expand_dims(K.ops.cast(mask, "float32"), -1)
            return K.ops.sum(x * m, axis=1) / K.ops.sum(m, axis=1)

    inputs = K.Input((None,), dtype="int32")
    h = K.layers.Dense(3)(K.layers.Embedding(10, 4, mask_zero=True)(inputs))
    functional = K.Model(inputs, MaskedMean()(h))
    sequential = K.Sequential([K.Input((None,), dtype="int32"),
                               K.layers.Embedding(10, 4, mask_zero=True), MaskedMean(),
                               K.layers.Dense(1)])
    return functional, sequential, MaskedMean


# Keras 3 warns too: the layer consumes the mask without declaring `supports_masking`.
@pytest.mark.filterwarnings("ignore:Layer 'masked_mean")
def test_custom_layer_receives_the_mask_eagerly_and_in_graphs_as_in_keras():
    keras = real_keras()
    (ref_f, ref_s, RefMean), (our_f, our_s, OurMean) = _pooling_models(keras), \
        _pooling_models(cornu)
    our_f.set_weights(ref_f.get_weights())
    our_s.set_weights(ref_s.get_weights())
    x = np.array([[1, 2, 0, 0], [3, 4, 5, 0]])
    np.testing.assert_allclose(_np(our_f(x)), _np(ref_f(x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(our_s.predict(x, verbose=0), ref_s.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    for model in (ref_s, our_s):
        model.compile("sgd", "mse")
    y = np.array([[1.0], [0.0]], "float32")
    np.testing.assert_allclose(
        our_s.fit(x, y, epochs=2, shuffle=False, verbose=0).history["loss"],
        ref_s.fit(x, y, epochs=2, shuffle=False, verbose=0).history["loss"], rtol=1e-5)
    # Eagerly: the embedding's output carries its mask into the next layer's call.
    emb = [K.layers.Embedding(10, 4, mask_zero=True) for K in (keras, cornu)]
    emb[0](x)
    emb[1](x)
    emb[1].set_weights(emb[0].get_weights())
    np.testing.assert_allclose(_np(OurMean()(emb[1](x))), _np(RefMean()(emb[0](x))),
                               rtol=1e-5, atol=1e-6)


def test_mask_passed_explicitly_inside_a_custom_layer_matches_keras():
    keras = real_keras()
    built = []
    for K in (keras, cornu):
        class MyLayer(K.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.embedding = K.layers.Embedding(input_dim=50, output_dim=4, mask_zero=True)
                self.lstm = K.layers.LSTM(3)

            def call(self, inputs):
                x = self.embedding(inputs)
                mask = self.embedding.compute_mask(inputs)
                return self.lstm(x, mask=mask)
        built.append(MyLayer())
    x = (np.random.RandomState(2).random_sample((4, 6)) * 50).astype("int32")
    x[:, 4:] = 0
    ref, ours = built
    ref(x)
    ours(x)
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(_np(ours(x)), _np(ref(x)), rtol=1e-5, atol=1e-6)


def test_sequential_and_functional_propagate_into_lstm_as_in_keras():
    keras = real_keras()
    models = []
    for K in (keras, cornu):
        inputs = K.Input(shape=(None,), dtype="int32")
        x = K.layers.Embedding(input_dim=5000, output_dim=8, mask_zero=True)(inputs)
        functional = K.Model(inputs, K.layers.LSTM(4)(x))
        sequential = K.Sequential([K.layers.Embedding(input_dim=5000, output_dim=8,
                                                      mask_zero=True), K.layers.LSTM(4)])
        models.append((functional, sequential))
    padded = _padded(cornu)
    for ref, ours in zip(*models):
        ref(padded)
        ours(padded)
        ours.set_weights(ref.get_weights())
        np.testing.assert_allclose(_np(ours(padded)), _np(ref(padded)), rtol=1e-5, atol=1e-6)
