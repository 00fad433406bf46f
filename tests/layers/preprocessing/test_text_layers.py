"""StringLookup, IntegerLookup and TextVectorization without TensorFlow, checked against the
results Keras 3 documents for them (Keras 3 itself needs TensorFlow for these layers)."""
import numpy as np
import pytest

import cornu

L = cornu.layers
VOCAB = ["a", "b", "c", "d"]
DATA = np.array([["a", "c", "d"], ["d", "z", "b"]], dtype=object)


def test_string_lookup_int_and_mask():
    assert L.StringLookup(vocabulary=VOCAB)(DATA).tolist() == [[1, 3, 4], [4, 0, 2]]
    masked = L.StringLookup(vocabulary=VOCAB, mask_token="")
    assert masked([["a", "c", "d"], ["d", "", "b"]]).tolist() == [[2, 4, 5], [5, 0, 3]]
    assert masked.get_vocabulary() == ["", "[UNK]"] + VOCAB


@pytest.mark.parametrize("mode,want", [
    ("multi_hot", [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
    ("count", [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
])
def test_string_lookup_encodings(mode, want):
    data = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    out = L.StringLookup(vocabulary=VOCAB, output_mode=mode)(data)
    np.testing.assert_array_equal(out.numpy(), want)


def test_string_lookup_one_hot_tf_idf_invert_adapt():
    out = L.StringLookup(vocabulary=VOCAB, output_mode="one_hot")(["a", "b", "c", "d", "z"])
    np.testing.assert_array_equal(out.numpy(), np.eye(5)[[1, 2, 3, 4, 0]])
    tfidf = L.StringLookup(vocabulary=VOCAB, output_mode="tf_idf",
                           idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tfidf([["a", "c", "d", "d"], ["d", "z", "b", "z"]]).numpy(),
                               [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    inverse = L.StringLookup(vocabulary=VOCAB, invert=True)(np.array([[1, 3, 4], [4, 0, 2]]))
    assert inverse.tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    learned = L.StringLookup()
    learned.adapt(DATA)
    assert learned.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    capped = L.StringLookup(max_tokens=3)
    capped.adapt(DATA)
    assert capped.get_vocabulary() == ["[UNK]", "d", "z"]


def test_integer_lookup():
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    layer = L.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    assert layer(data).tolist() == [[1, 3, 4], [4, 0, 2]]
    learned = L.IntegerLookup()
    learned.adapt(data)
    assert learned.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    assert learned(__import__("torch").as_tensor(data)).tolist() == [[5, 2, 1], [1, 3, 4]]


def test_lookup_config_round_trip_and_errors():
    layer = L.StringLookup(vocabulary=VOCAB, mask_token="", output_mode="int")
    clone = L.StringLookup.from_config(layer.get_config())
    assert clone(DATA).tolist() == layer(DATA).tolist()
    with pytest.raises(NotImplementedError, match="FarmHash64"):
        L.StringLookup(num_oov_indices=2)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        L.StringLookup(vocabulary=VOCAB, num_oov_indices=0)(["z"])


def test_text_vectorization_int():
    layer = L.TextVectorization(max_tokens=5000, output_sequence_length=4,
                                vocabulary=["earth", "wind", "and", "fire"])
    assert layer(["earth wind and also fire"]).tolist() == [[2, 3, 4, 1]]
    assert layer(["Fire!", "WIND, and earth"]).tolist() == [[5, 0, 0, 0], [3, 4, 2, 0]]
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    learned = L.TextVectorization()
    learned.adapt(["the cat sat", "the dog"])
    # most frequent first, ties broken by the larger token (Keras's lexsort, reversed)
    assert learned.get_vocabulary() == ["", "[UNK]", "the", "sat", "dog", "cat"]
    assert learned(np.array([["the dog sat"], ["cat"]], dtype=object)).tolist() == \
        [[2, 4, 3], [5, 0, 0]]


def test_text_vectorization_ngrams_split_and_modes():
    layer = L.TextVectorization(ngrams=2, vocabulary=["a", "b", "a b"])
    assert layer(["a b c"]).tolist() == [[2, 3, 1, 4, 1]]  # 1-grams then 2-grams
    chars = L.TextVectorization(split="character", standardize=None, vocabulary=["a", "B"])
    assert chars(["aBc"]).tolist() == [[2, 3, 1]]
    hot = L.TextVectorization(output_mode="multi_hot", vocabulary=["a", "b"])
    np.testing.assert_array_equal(hot(["a a c", "b"]).numpy(), [[1, 1, 0], [0, 0, 1]])
    count = L.TextVectorization(output_mode="count", vocabulary=["a", "b"])
    np.testing.assert_array_equal(count(["a a c", "b"]).numpy(), [[1, 2, 0], [0, 0, 1]])
    tfidf = L.TextVectorization(output_mode="tf_idf")
    tfidf.adapt(["a b b", "a c"])
    idf = {t: np.log(1 + 2 / (1 + n)) for t, n in (("a", 2), ("b", 1), ("c", 1))}
    oov = np.mean([idf["b"], idf["a"], idf["c"]])
    assert tfidf.get_vocabulary() == ["[UNK]", "b", "a", "c"]
    np.testing.assert_allclose(tfidf(["a b z b"]).numpy(),
                               [[oov, 2 * idf["b"], idf["a"], 0]], rtol=1e-6)


def test_a_model_trains_on_raw_strings():
    rng = np.random.RandomState(0)
    words = ["good", "great", "fine", "bad", "awful", "poor", "movie", "film", "plot"]
    texts, labels = [], []
    for _ in range(256):
        label = rng.randint(2)
        mood = words[:3] if label else words[3:6]
        texts.append(" ".join(rng.choice(mood + words[6:], size=5)))
        labels.append(label)
    texts, labels = np.array(texts, dtype=object), np.array(labels)
    vectorize = L.TextVectorization(max_tokens=20, output_sequence_length=5)
    vectorize.adapt(texts)
    model = cornu.Sequential([vectorize, L.Embedding(20, 8), L.GlobalAveragePooling1D(),
                              L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=cornu.optimizers.Adam(0.02), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(texts, labels, epochs=15, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.95
    predictions = model.predict(np.array(["good great film", "awful poor plot"], dtype=object),
                                verbose=0)
    assert predictions[0, 0] > 0.5 > predictions[1, 0]


@pytest.mark.parametrize("cls, kwargs, x, expected", [
    # Keras 3's defaults: one OOV index (0), then the vocabulary in order
    ("StringLookup", {"vocabulary": ["a", "b", "c"]},
     np.array([["a", "b", "z"], ["c", "a", "b"]]), [[1, 2, 0], [3, 1, 2]]),
    ("StringLookup", {"vocabulary": ["a", "b", "c"], "output_mode": "multi_hot"},
     np.array([["a", "b", "z"], ["c", "c", "b"]]), [[1, 1, 1, 0], [0, 0, 1, 1]]),
    ("IntegerLookup", {"vocabulary": [1, 2, 3]},
     np.array([[1, 2, 7], [3, 1, 0]]), [[1, 2, 0], [3, 1, 0]]),
    # one_hot encodes each element: (2, 3) -> (2, 3, 4), compute_output_shape included
    ("IntegerLookup", {"vocabulary": [1, 2, 3], "output_mode": "one_hot"},
     np.array([[1, 2, 7], [3, 1, 0]]), np.eye(4)[[[1, 2, 0], [3, 1, 0]]]),
    ("TextVectorization", {"vocabulary": ["the", "cat", "sat"], "output_sequence_length": 4},
     np.array(["the cat sat", "a cat"]), [[2, 3, 4, 0], [1, 3, 0, 0]]),
])
def test_lookup_layers_pass_the_layer_contract(cls, kwargs, x, expected):
    # Keras 3's lookup layers need TensorFlow, so the reference is the documented mapping
    from cornu.testing import run_layer_test
    layer = run_layer_test(getattr(cornu.layers, cls), kwargs, input_data=x,
                           run_training_check=False, compare_with_keras=False)
    np.testing.assert_array_equal(np.asarray(layer(x)), np.asarray(expected))
