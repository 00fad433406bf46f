"""Patterns of Keras 3's "The Functional API" guide, run in cornu and in real Keras 3 on the same
code: parameter counts, outputs from the same weights and training losses with shuffle=False."""
import numpy as np

import cornu
from cornu.testing import real_keras


def _np(t):
    return np.asarray(t.detach().cpu()) if hasattr(t, "detach") else np.asarray(t)


def _toy_resnet(K):
    layers = K.layers
    inputs = K.Input(shape=(16, 16, 3), name="img")
    x = layers.Conv2D(8, 3, activation="relu")(inputs)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(block_2_output)
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(x)
    block_3_output = layers.add([x, block_2_output])
    x = layers.Conv2D(16, 3, activation="relu")(block_3_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(32, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    model = K.Model(inputs, layers.Dense(10)(x), name="toy_resnet")
    model.compile(optimizer=K.optimizers.RMSprop(1e-3),
                  loss=K.losses.CategoricalCrossentropy(from_logits=True), metrics=["acc"])
    return model


def test_toy_resnet_trains_like_keras_from_the_same_weights():
    keras = real_keras()
    ref, ours = _toy_resnet(keras), _toy_resnet(cornu)
    assert ours.count_params() == ref.count_params()
    assert [type(layer).__name__ for layer in ours.layers] == \
        [type(layer).__name__ for layer in ref.layers]
    ours.set_weights(ref.get_weights())
    rng = np.random.RandomState(0)
    x = rng.rand(32, 16, 16, 3).astype("float32")
    y = np.eye(10, dtype="float32")[rng.randint(10, size=32)]
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)
    # Dropout draws differ between the two; with rate 0 the steps are the same computation.
    for model in (ref, ours):
        model.layers[-2].rate = 0.0
    ref_loss = ref.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history["loss"]
    our_loss = ours.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(our_loss, ref_loss, rtol=1e-4)


def _encoder_decoder(K):
    layers = K.layers
    encoder_input = K.Input(shape=(28, 28, 1), name="original_img")
    x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    encoder = K.Model(encoder_input, layers.GlobalMaxPooling2D()(x), name="encoder")
    decoder_input = K.Input(shape=(16,), name="encoded_img")
    x = layers.Reshape((4, 4, 1))(decoder_input)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    decoder = K.Model(decoder_input, layers.Conv2DTranspose(1, 3, activation="relu")(x),
                      name="decoder")
    autoencoder_input = K.Input(shape=(28, 28, 1), name="img")
    decoded_img = decoder(encoder(autoencoder_input))
    return K.Model(autoencoder_input, decoded_img, name="autoencoder")


def test_models_used_as_layers_match_keras():
    keras = real_keras()
    ref, ours = _encoder_decoder(keras), _encoder_decoder(cornu)
    assert ours.count_params() == ref.count_params()
    assert [layer.name for layer in ours.layers] == [layer.name for layer in ref.layers]
    assert [type(layer).__name__ for layer in ours.layers[1:]] == ["Functional", "Functional"]
    ours.set_weights(ref.get_weights())
    x = np.random.RandomState(1).rand(2, 28, 28, 1).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0),
                               rtol=1e-4, atol=1e-5)


def test_ensembling_and_shared_layers_match_keras():
    keras = real_keras()
    built = []
    for K in (keras, cornu):
        def get_model():
            inputs = K.Input(shape=(8,))
            return K.Model(inputs, K.layers.Dense(1)(inputs))
        model1, model2, model3 = get_model(), get_model(), get_model()
        inputs = K.Input(shape=(8,))
        outputs = K.layers.average([model1(inputs), model2(inputs), model3(inputs)])
        ensemble = K.Model(inputs=inputs, outputs=outputs)
        shared = K.layers.Embedding(100, 4)
        a, b = K.Input(shape=(None,), dtype="int32"), K.Input(shape=(None,), dtype="int32")
        pair = K.Model([a, b], K.layers.concatenate([shared(a), shared(b)]))
        built.append((ensemble, pair))
    (ref_e, ref_p), (our_e, our_p) = built
    assert our_e.count_params() == ref_e.count_params() == 27
    assert our_p.count_params() == ref_p.count_params() == 400
    our_e.set_weights(ref_e.get_weights())
    our_p.set_weights(ref_p.get_weights())
    x = np.random.RandomState(2).rand(3, 8).astype("float32")
    np.testing.assert_allclose(_np(our_e(x)), _np(ref_e(x)), rtol=1e-5, atol=1e-6)
    ids = np.array([[1, 2, 3], [4, 5, 6]])
    np.testing.assert_allclose(_np(our_p([ids, ids[:, ::-1]])), _np(ref_p([ids, ids[:, ::-1]])),
                               rtol=1e-6)


def test_custom_layer_config_round_trip_in_a_functional_model():
    class CustomDense(cornu.layers.Layer):
        def __init__(self, units=32):
            super().__init__()
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal", trainable=True)
            self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                     trainable=True)

        def call(self, inputs):
            return cornu.ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            return {"units": self.units}

    inputs = cornu.Input((4,))
    model = cornu.Model(inputs, CustomDense(10)(inputs))
    new_model = cornu.Model.from_config(model.get_config(),
                                        custom_objects={"CustomDense": CustomDense})
    assert new_model.count_params() == model.count_params() == 50
    new_model.set_weights(model.get_weights())
    x = np.random.RandomState(3).rand(2, 4).astype("float32")
    np.testing.assert_allclose(_np(new_model(x)), _np(model(x)), rtol=1e-6)


def _mixed(K):
    units, timesteps, input_dim = 6, 5, 3
    layers, ops = K.layers, K.ops

    class CustomRNN(layers.Layer):
        def __init__(self):
            super().__init__()
            self.units = units
            self.projection_1 = layers.Dense(units=units, activation="tanh")
            self.projection_2 = layers.Dense(units=units, activation="tanh")

        def call(self, inputs):
            outputs, state = [], ops.zeros(shape=(inputs.shape[0], self.units))
            for t in range(inputs.shape[1]):
                state = self.projection_1(inputs[:, t, :]) + self.projection_2(state)
                outputs.append(state)
            return ops.stack(outputs, axis=1)

    inputs = K.Input(batch_shape=(2, timesteps, input_dim))
    x = layers.Conv1D(4, 3)(inputs)
    functional = K.Model(inputs, CustomRNN()(x))
    classifier_in = K.Input((None, units))
    classifier = K.Model(classifier_in,
                         layers.Dense(1)(layers.GlobalAveragePooling1D()(classifier_in)))

    class Wrapper(layers.Layer):  # a subclassed layer holding a functional model
        def __init__(self):
            super().__init__()
            self.rnn = CustomRNN()
            self.classifier = classifier

        def call(self, inputs):
            return self.classifier(self.rnn(inputs))
    return functional, Wrapper()


def test_mixing_subclassed_and_functional_models_matches_keras():
    keras = real_keras()
    (ref_f, ref_w), (our_f, our_w) = _mixed(keras), _mixed(cornu)
    x = np.random.RandomState(4).rand(2, 5, 3).astype("float32")
    ref_w(x)
    our_w(x)
    for ref, ours in ((ref_f, our_f), (ref_w, our_w)):
        assert ours.count_params() == ref.count_params()
        ours.set_weights(ref.get_weights())
        np.testing.assert_allclose(_np(ours(x)), _np(ref(x)), rtol=1e-5, atol=1e-6)
