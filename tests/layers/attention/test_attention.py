"""Attention and AdditiveAttention against Keras 3, with masks and scores."""
import numpy as np
import pytest

import cornu
from cornu.testing import run_layer_test

QV = [(2, 3, 4), (2, 5, 4)]
QVK = [(2, 3, 4), (2, 5, 4), (2, 5, 4)]


@pytest.mark.parametrize("cls", [cornu.layers.Attention, cornu.layers.AdditiveAttention])
@pytest.mark.parametrize("kwargs,shapes,call", [
    ({}, QV, {}),
    ({"use_scale": True}, QVK, {}),
    ({"use_scale": False}, QV, {"return_attention_scores": True}),
    ({}, [(2, 4, 4), (2, 4, 4)], {"use_causal_mask": True}),
    ({"dropout": 0.5}, QV, {}),
])
def test_against_keras(cls, kwargs, shapes, call):
    run_layer_test(cls, kwargs, shapes, call_kwargs=call)


@pytest.mark.parametrize("use_scale", [False, True])
def test_concat_scores_against_keras(use_scale):
    run_layer_test(cornu.layers.Attention, {"score_mode": "concat", "use_scale": use_scale}, QV)


@pytest.mark.parametrize("name", ["Attention", "AdditiveAttention"])
def test_masks_against_keras(name):
    import keras
    rng = np.random.RandomState(0)
    q, v = rng.randn(2, 3, 4).astype("float32"), rng.randn(2, 5, 4).astype("float32")
    masks = [np.array([[1, 1, 0], [1, 0, 0]], bool), np.array([[1, 1, 1, 0, 0], [1] * 5], bool)]
    ref = getattr(keras.layers, name)()
    want = ref([q, v], mask=masks, return_attention_scores=True)
    ours = getattr(cornu.layers, name)()
    ours([q, v])
    ours.set_weights(ref.get_weights())
    got = ours([q, v], mask=masks, return_attention_scores=True)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.detach().numpy(), np.asarray(w.detach()), rtol=1e-5, atol=1e-6)


def test_mask_travels_through_a_model():
    import keras

    def build(lib):
        a, b = lib.Input((4,), dtype="int32"), lib.Input((5,), dtype="int32")
        emb = lib.layers.Embedding(10, 6, mask_zero=True)
        return lib.Model([a, b], lib.layers.Attention()([emb(a), emb(b)]))
    ids = [np.array([[1, 2, 0, 0], [3, 4, 5, 6]], "int32"),
           np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]], "int32")]
    ref, ours = build(keras), build(cornu)
    ours.set_weights(ref.get_weights())
    np.testing.assert_allclose(ours(ids).detach().numpy(), np.asarray(ref(ids).detach()),
                               rtol=1e-5, atol=1e-6)


def test_bad_calls_say_what_is_expected():
    with pytest.raises(ValueError, match=r"\[query, value\]"):
        cornu.layers.Attention()(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="score_mode"):
        cornu.layers.Attention(score_mode="cosine")
