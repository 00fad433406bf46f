"""MultiHeadAttention against Keras 3 from the same weights: outputs, gradients, masks, files."""
import os

import numpy as np
import pytest
import torch

import cornu
from cornu.testing import run_layer_test

MHA = cornu.layers.MultiHeadAttention
SELF = {"query": (2, 5, 8), "value": (2, 5, 8)}


@pytest.mark.parametrize("kwargs,shapes,call", [
    ({"num_heads": 2, "key_dim": 4}, SELF, {}),
    ({"num_heads": 3, "key_dim": 4, "value_dim": 6, "output_shape": 7}, SELF, {}),
    ({"num_heads": 2, "key_dim": 4, "use_bias": False}, SELF, {}),
    ({"num_heads": 2, "key_dim": 3},
     {"query": (2, 4, 8), "value": (2, 6, 6), "key": (2, 6, 5)}, {}),
    ({"num_heads": 2, "key_dim": 4}, SELF, {"use_causal_mask": True}),
    ({"num_heads": 2, "key_dim": 4}, {"query": (2, 4, 8), "value": (2, 6, 8)},
     {"use_causal_mask": True}),
    ({"num_heads": 2, "key_dim": 4}, SELF, {"return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 4, "dropout": 0.3}, SELF, {}),
    ({"num_heads": 2, "key_dim": 4, "use_gate": True}, SELF, {}),
    ({"num_heads": 2, "key_dim": 4, "sliding_window": 2}, SELF, {"use_causal_mask": True}),
    ({"num_heads": 2, "key_dim": 4}, {"query": (2, 3, 4, 8), "value": (2, 3, 4, 8)}, {}),
    ({"num_heads": 2, "key_dim": 4, "attention_axes": (2,)},
     {"query": (2, 3, 4, 8), "value": (2, 3, 4, 8)}, {}),
    ({"num_heads": 2, "key_dim": 4, "attention_axes": (1, 2)},
     {"query": (2, 3, 4, 8), "value": (2, 3, 4, 8)}, {"return_attention_scores": True}),
])
def test_against_keras(kwargs, shapes, call):
    run_layer_test(MHA, kwargs, shapes, call_kwargs=call)


def test_attention_mask_against_keras():
    rng = np.random.RandomState(1)
    mask = rng.rand(2, 5, 6) > 0.4
    mask[0, 2] = False  # a query that may attend to nothing
    for dropout, scores in ((0.0, False), (0.0, True), (0.2, False)):
        data = {"query": rng.randn(2, 5, 8).astype("float32"),
                "value": rng.randn(2, 6, 8).astype("float32"), "attention_mask": mask}
        run_layer_test(MHA, {"num_heads": 2, "key_dim": 4, "dropout": dropout}, input_data=data,
                       call_kwargs={"return_attention_scores": scores})


def _transformer(lib, mask_zero):
    inputs = lib.Input(shape=(6,), dtype="int32")
    x = lib.layers.Embedding(20, 8, mask_zero=mask_zero)(inputs)
    x = lib.layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
    return lib.Model(inputs, x)


@pytest.mark.parametrize("mask_zero", [False, True])
def test_masks_from_inputs_against_keras(mask_zero):
    import keras
    ids = np.array([[3, 4, 5, 0, 0, 0], [1, 2, 3, 4, 5, 6]], "int32")
    ref = _transformer(keras, mask_zero)
    ours = _transformer(cornu, mask_zero)
    ours.set_weights(ref.get_weights())
    want = np.asarray(ref(ids).detach())
    got = ours(ids).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    layer = cornu.layers.MultiHeadAttention(2, 4)
    x = cornu.layers.Embedding(20, 8, mask_zero=mask_zero)(ids)
    eager = layer(x, x)
    assert (getattr(eager, "_keras_mask", None) is not None) == mask_zero


def _masked_graph(lib, scores, cross):
    ids = lib.Input(shape=(5,), dtype="int32")
    other = lib.Input(shape=(4,), dtype="int32")
    x = lib.layers.Embedding(20, 8, mask_zero=True)(ids)
    y = lib.layers.Embedding(20, 8, mask_zero=True)(other) if cross else x
    # (each graph feeds `x` to one attention layer: Keras's call clears the masks of the
    # tensors it is given, so a second layer reading `x` would see none)
    outputs = lib.layers.MultiHeadAttention(num_heads=2, key_dim=4)(
        x, y, return_attention_scores=scores)
    return lib.Model([ids, other] if cross else ids, list(outputs) if scores else outputs)


@pytest.mark.parametrize("cross", [False, True])
@pytest.mark.parametrize("scores", [False, True])
def test_fully_masked_rows_in_a_functional_graph_against_keras(scores, cross):
    # Keras sets masked logits to a large negative value before the softmax, so a query whose
    # keys are all masked (a value sequence of padding only) gets uniform weights on the fused
    # path and zeros where scores are returned (its masked softmax zeroes them), never NaN;
    # the value's mask reaches the layer as `value_mask` (Keras 3's `<argument>_mask` rule)
    import keras
    ids = np.array([[3, 4, 0, 0, 0], [0, 0, 0, 0, 0], [1, 2, 3, 4, 5]], "int32")
    other = np.array([[0, 0, 0, 0], [7, 8, 0, 0], [5, 6, 7, 8]], "int32")
    ref, ours = _masked_graph(keras, scores, cross), _masked_graph(cornu, scores, cross)
    ours.set_weights(ref.get_weights())
    data = [ids, other] if cross else ids
    want, got = ref(data), ours(data)
    for want, got in zip(*((w,) if not scores else w for w in (want, got))):
        want, got = np.asarray(want.detach()), got.detach().numpy()
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_weight_layout_and_files_cross_load(tmp_path):
    import keras
    ref = keras.Sequential([keras.Input((5, 8))])
    inp = keras.Input((5, 8))
    ref = keras.Model(inp, keras.layers.MultiHeadAttention(2, 4, use_gate=True)(inp, inp))
    ours_in = cornu.Input((5, 8))
    mha = cornu.layers.MultiHeadAttention(2, 4, use_gate=True)
    ours = cornu.Model(ours_in, mha(ours_in, ours_in))
    assert [tuple(w.shape) for w in mha.weights] == [tuple(w.shape) for w in ref.weights]
    assert tuple(mha.query_dense.kernel.shape) == (8, 2, 4)
    assert tuple(mha.output_dense.kernel.shape) == (2, 4, 8)
    x = np.random.RandomState(0).randn(2, 5, 8).astype("float32")
    path = os.path.join(tmp_path, "keras.weights.h5")
    ref.save_weights(path)
    ours.load_weights(path)
    np.testing.assert_allclose(ours(x).detach().numpy(), np.asarray(ref(x).detach()),
                               rtol=1e-5, atol=1e-6)
    back = os.path.join(tmp_path, "cornu.weights.h5")
    for w in ours.weights:  # new values, then Keras loads cornu's file
        w.assign(np.random.RandomState(3).randn(*w.shape).astype("float32") * 0.1)
    ours.save_weights(back)
    ref.load_weights(back)
    np.testing.assert_allclose(ours(x).detach().numpy(), np.asarray(ref(x).detach()),
                               rtol=1e-5, atol=1e-6)


def test_fused_kernel_runs_when_arguments_allow(monkeypatch):
    calls = []
    real = torch.nn.functional.scaled_dot_product_attention
    monkeypatch.setattr(torch.nn.functional, "scaled_dot_product_attention",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    x = np.random.rand(2, 5, 8).astype("float32")
    layer = MHA(2, 4)
    layer(x, x)
    layer(x, x, use_causal_mask=True)
    assert len(calls) == 2
    layer(x, x, return_attention_scores=True)
    MHA(2, 4, attention_axes=(1,))(x, x)
    assert len(calls) == 3  # scores need the explicit softmax


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="num_heads"):
        MHA(0, 4)
    with pytest.raises(ValueError, match="key_dim"):
        MHA(2, "4")
    with pytest.raises(ValueError, match="dropout"):
        MHA(2, 4, dropout=0.1, flash_attention=True)
    x = np.zeros((2, 5, 8), "float32")
    with pytest.raises(ValueError, match="query.*value"):
        MHA(2, 4)(x)
    with pytest.raises(ValueError, match="scores"):
        MHA(2, 4, flash_attention=True)(x, x, return_attention_scores=True)
    with pytest.raises(ValueError, match="same shape"):
        MHA(2, 4)(x, np.zeros((2, 5, 8), "float32"), np.zeros((2, 4, 8), "float32"))


def test_config_matches_keras():
    import keras
    kwargs = {"num_heads": 2, "key_dim": 4, "dropout": 0.1, "output_shape": (3,)}
    ours = MHA(**kwargs).get_config()
    ref = keras.layers.MultiHeadAttention(**kwargs).get_config()
    assert set(ours) == set(ref)
    for key in ("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "use_gate",
                "output_shape", "sliding_window", "seed"):
        assert ours[key] == ref[key], key
