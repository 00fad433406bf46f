"""Recurrent models in training and with masks, against Keras 3 from the same weights."""
import warnings

import numpy as np
import pytest

import cornu
from cornu.testing import real_keras

VOCAB = 12


def _next_word(L):
    """The course notes' next-word model."""
    model = L.Sequential()
    model.add(L.layers.Embedding(input_dim=VOCAB, output_dim=8, input_length=2)
              if L is cornu else L.layers.Input((2,)))
    if L is not cornu:
        model.add(L.layers.Embedding(input_dim=VOCAB, output_dim=8))
    model.add(L.layers.LSTM(8))
    model.add(L.layers.Dense(8, activation="relu"))
    model.add(L.layers.Dense(VOCAB, activation="softmax"))
    return model


def _masked_tagger(L):
    """Functional: padded word indices → Embedding(mask_zero) → BiGRU → LSTM → Dense."""
    inputs = L.Input((6,))
    x = L.layers.Embedding(VOCAB, 5, mask_zero=True)(inputs)
    x = L.layers.Bidirectional(L.layers.GRU(4, return_sequences=True))(x)
    x = L.layers.LSTM(3)(x)
    return L.Model(inputs, L.layers.Dense(2, activation="softmax")(x))


def _fit_both(make, x, y, loss, epochs=3, batch_size=4):
    keras = real_keras()
    ref, model = make(keras), make(cornu)
    model.set_weights(ref.get_weights())
    for m in (ref, model):
        m.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    theirs = ref.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    ours = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    np.testing.assert_allclose(ours.history["loss"], theirs.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(ours.history["accuracy"], theirs.history["accuracy"])
    for a, b in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(model.predict(x, verbose=0), ref.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    return model


def test_notes_next_word_lstm_trains_like_keras():
    rng = np.random.RandomState(0)
    x = rng.randint(1, VOCAB, size=(20, 2)).astype("float32")
    y = np.eye(VOCAB, dtype="float32")[rng.randint(1, VOCAB, size=20)]
    model = _fit_both(_next_word, x, y, "categorical_crossentropy")
    assert [type(layer).__name__ for layer in model.layers] == ["Embedding", "LSTM", "Dense",
                                                                "Dense"]


def test_masked_bidirectional_model_trains_like_keras():
    rng = np.random.RandomState(1)
    lengths = rng.randint(1, 7, size=16)
    x = np.zeros((16, 6), "float32")
    for i, n in enumerate(lengths):
        x[i, 6 - n:] = rng.randint(1, VOCAB, size=n)  # pad_sequences' default: padding "pre"
    x[3, 1:4] = [0, 5, 0]  # masked gaps, not only padding
    y = (lengths > 3).astype("float32")
    _fit_both(_masked_tagger, x, y, "sparse_categorical_crossentropy", epochs=2)


def test_masks_flow_through_sequential_and_stop_where_keras_stops_them():
    keras = real_keras()
    x = np.random.RandomState(2).randn(4, 5, 3).astype("float32")
    x[0, :2] = 0
    x[1, 3:] = 0

    def make(L):
        return L.Sequential([L.layers.Input((5, 3)), L.layers.Masking(0.0),
                             L.layers.SimpleRNN(4, return_sequences=True),
                             L.layers.TimeDistributed(L.layers.Dense(2)),
                             L.layers.Activation("tanh"),
                             L.layers.GRU(3, return_sequences=True, go_backwards=True),
                             L.layers.LSTM(2)])
    ref = make(keras)
    model = make(cornu)
    model.set_weights(ref.get_weights())
    np.testing.assert_allclose(model.predict(x, verbose=0), ref.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    with pytest.warns(UserWarning, match="does not support masking"):
        cornu.Sequential([cornu.layers.Embedding(5, 2, mask_zero=True, input_length=3),
                          cornu.layers.Flatten(), cornu.layers.Dense(1)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = cornu.Sequential([cornu.layers.Embedding(5, 2, input_length=3),
                                  cornu.layers.LSTM(2)])
    assert plain._plan.chain is not None  # no mask: the plain chain, nothing added


def test_eager_calls_pass_masks_like_keras():
    keras = real_keras()
    x = np.array([[0, 0, 1, 2], [3, 4, 0, 0]])
    ref_emb, ref_lstm = keras.layers.Embedding(5, 3, mask_zero=True), keras.layers.LSTM(2)
    expected = np.asarray(ref_lstm(ref_emb(x)).detach())
    emb, lstm = cornu.layers.Embedding(5, 3, mask_zero=True), cornu.layers.LSTM(2)
    emb(x)
    lstm(emb(x))
    emb.set_weights(ref_emb.get_weights())
    lstm.set_weights(ref_lstm.get_weights())
    np.testing.assert_allclose(lstm(emb(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_stateful_fit_starts_from_zero_states_and_carries_them():
    rng = np.random.RandomState(3)
    x, y = rng.randn(4, 5, 3).astype("float32"), rng.randn(4, 1).astype("float32")
    model = cornu.Sequential([cornu.layers.LSTM(4, stateful=True, batch_input_shape=(4, 5, 3)),
                              cornu.layers.Dense(1)])
    plain = cornu.Sequential([cornu.layers.LSTM(4, input_shape=(5, 3)), cornu.layers.Dense(1)])
    plain.set_weights(model.get_weights())
    for m in (model, plain):
        m.compile("sgd", "mse")
    expected = plain.evaluate(x, y, batch_size=4, verbose=0)
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-6)
    states = model.layers[0].states
    assert float(states[0].abs().sum()) > 0 and not states[0].requires_grad
    model.reset_states()  # Keras 2's Model.reset_states
    assert all(float(s.abs().sum()) == 0 for s in model.layers[0].states)


def _seq2seq(K):
    """Keras 2's encoder-decoder: the encoder's final states start the decoder."""
    encoder_inputs, decoder_inputs = K.Input((None, 5)), K.Input((None, 6))
    _, h, c = K.layers.LSTM(7, return_state=True)(encoder_inputs)
    decoded, _, _ = K.layers.LSTM(7, return_sequences=True, return_state=True)(
        decoder_inputs, initial_state=[h, c])
    return K.Model([encoder_inputs, decoder_inputs],
                   K.layers.Dense(6, activation="softmax")(decoded))


def test_encoder_decoder_with_initial_state_trains_like_keras():
    rng = np.random.RandomState(4)
    x = [rng.randn(8, 3, 5).astype("float32"), rng.randn(8, 2, 6).astype("float32")]
    y = np.eye(6, dtype="float32")[rng.randint(0, 6, size=(8, 2))]
    _fit_both(_seq2seq, x, y, "categorical_crossentropy", epochs=2)
