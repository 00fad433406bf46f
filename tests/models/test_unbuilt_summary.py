"""`summary()` of an unbuilt Sequential: tf.keras 2 gave an `Embedding` without `input_length`
the input shape `(None,)`, so such models printed with shapes; others say how to build them."""
import pytest

import cornu
from cornu.layers import Dense, Embedding, Flatten, SimpleRNN


def _summary(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def test_embedding_first_sequential_prints_with_shapes():
    model = cornu.Sequential([Embedding(10000, 32), SimpleRNN(32)])
    text = _summary(model)
    # Embedding: 10000 * 32 weights; SimpleRNN: kernel 32*32 + recurrent 32*32 + bias 32.
    assert "(None, None, 32)" in text and "320000" in text
    assert "(None, 32)" in text and str(32 * 32 * 2 + 32) in text
    assert f"Total params: {10000 * 32 + 32 * 32 * 2 + 32:,}" in text


def test_construction_stays_lazy_and_length_dependent_models_stay_unbuilt():
    model = cornu.Sequential([Embedding(100, 4), SimpleRNN(3)])
    assert not model.built
    flat = cornu.Sequential([Embedding(100, 4), Flatten(), Dense(1)])
    with pytest.raises(ValueError, match="not yet been built"):
        flat.summary()
    import numpy as np
    flat.compile("adam", "mse")
    flat.fit(np.random.randint(0, 100, (4, 6)), np.ones((4, 1)), verbose=0)
    assert f"{100 * 4 + 6 * 4 + 1:,}" in _summary(flat)


def test_other_unbuilt_models_still_say_how_to_build():
    with pytest.raises(ValueError, match="not yet been built"):
        cornu.Sequential([Dense(3), Dense(1)]).summary()
