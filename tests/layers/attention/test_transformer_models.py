"""The Keras 3 transformer text-classification pattern and a ViT-style patch model train."""
import numpy as np
import torch

import cornu as keras
from cornu import layers


class TransformerBlock(layers.Layer):  # as in the Keras 3 text-classification example
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                     layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=False):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = keras.ops.shape(x)[-1]
        positions = keras.ops.arange(start=0, stop=maxlen, step=1)
        return self.token_emb(x) + self.pos_emb(positions)


def test_text_classification_transformer_trains():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    maxlen, vocab = 20, 50
    x = rng.randint(2, vocab, size=(512, maxlen)).astype("int32")
    y = rng.randint(0, 2, size=512)
    x[y == 1, rng.randint(0, maxlen, size=(y == 1).sum())] = 1  # class 1: token 1 appears
    inputs = layers.Input(shape=(maxlen,))
    h = TokenAndPositionEmbedding(maxlen, vocab, 32)(inputs)
    h = TransformerBlock(32, 2, 32)(h)
    h = layers.GlobalAveragePooling1D()(h)
    h = layers.Dropout(0.1)(h)
    h = layers.Dense(20, activation="relu")(h)
    outputs = layers.Dense(2, activation="softmax")(h)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=6, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9


class PatchEncoder(layers.Layer):  # as in the Keras ViT example
    def __init__(self, num_patches, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_patches = num_patches
        self.projection = layers.Dense(units=projection_dim)
        self.position_embedding = layers.Embedding(input_dim=num_patches,
                                                   output_dim=projection_dim)

    def call(self, patch):
        positions = keras.ops.expand_dims(keras.ops.arange(0, self.num_patches, 1), axis=0)
        return self.projection(patch) + self.position_embedding(positions)


def test_vit_style_patch_model_trains():
    torch.manual_seed(0)
    rng = np.random.RandomState(1)
    n, size, patch = 384, 16, 4
    y = rng.randint(0, 2, size=n)
    x = rng.rand(n, size, size, 3).astype("float32") * 0.5
    x[y == 1, : size // 2] += 0.5  # class 1: a bright upper half
    num_patches = (size // patch) ** 2
    inputs = keras.Input(shape=(size, size, 3))
    patches = layers.Conv2D(patch * patch * 3, patch, strides=patch, use_bias=False,
                            trainable=False)(inputs)  # a fixed linear map of each patch
    patches = layers.Reshape((num_patches, patch * patch * 3))(patches)
    encoded = PatchEncoder(num_patches, 32)(patches)
    for _ in range(2):
        x1 = layers.LayerNormalization(epsilon=1e-6)(encoded)
        attention = layers.MultiHeadAttention(num_heads=4, key_dim=32, dropout=0.1)(x1, x1)
        x2 = layers.Add()([attention, encoded])
        x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
        x3 = layers.Dense(64, activation="gelu")(x3)
        x3 = layers.Dense(32)(x3)
        encoded = layers.Add()([x3, x2])
    rep = layers.Flatten()(layers.LayerNormalization(epsilon=1e-6)(encoded))
    logits = layers.Dense(2)(rep)
    model = keras.Model(inputs, logits)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=5, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9


def test_both_patterns_train_under_cornu_run(tmp_path):
    # the same patterns written against `import keras`, as the Keras 3 examples are
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts",
                          "keras3_transformer_and_vit.py")
    env = {**os.environ, "PYTHONPATH": root, "KERAS_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-W", "ignore", "-m", "cornu", "run", script],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ("TEXT", "VIT"):
        line = next(l for l in done.stdout.splitlines() if l.startswith(name))
        first, last = map(float, line.split()[1:])
        assert last < 0.8 * first, line  # the loss falls by a fifth or more
