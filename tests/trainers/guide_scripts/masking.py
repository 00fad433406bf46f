"""Understanding masking & padding: pad_sequences, Embedding(mask_zero=True), Masking, a layer
that supports masking, a layer that makes its own mask, masks reaching the loss."""
import os

import numpy as np
import keras
from keras import layers, ops

rng = np.random.default_rng(4)
raw = [list(rng.integers(1, 50, size=rng.integers(3, 12))) for _ in range(192)]
labels = np.array([int(sum(s) % 2) for s in raw], dtype="float32")
padded = keras.utils.pad_sequences(raw, padding="post")


class MyActivation(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return ops.relu(inputs)


class TemporalSoftmax(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        assert mask is not None
        broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
        inputs_exp = ops.exp(inputs) * broadcast_float_mask
        inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
        return inputs_exp / ops.maximum(inputs_sum, 1e-7)  # masked steps: 0, not 0/0


def run(seed):
    keras.utils.set_random_seed(seed)
    assert padded.shape == (len(raw), max(len(s) for s in raw))
    embedding = layers.Embedding(input_dim=50, output_dim=8, mask_zero=True)
    mask = embedding.compute_mask(padded[:3])
    assert np.array_equal(np.array(ops.convert_to_numpy(mask)), padded[:3] != 0)
    masking = layers.Masking()
    unmasked = np.expand_dims(padded[:3].astype("float32"), -1)
    assert np.array_equal(ops.convert_to_numpy(masking.compute_mask(unmasked)), padded[:3] != 0)

    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=50, output_dim=8, mask_zero=True)(inputs)
    x = MyActivation()(x)
    x = layers.Dense(8)(x)
    x = TemporalSoftmax()(x)
    x = layers.LSTM(16)(x)
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(padded, labels, epochs=5, batch_size=32, verbose=0)
    return history.history["loss"][-1]


for seed in os.environ.get("GUIDE_SEEDS", "0").split(","):
    print("final_loss", seed, run(int(seed)))
