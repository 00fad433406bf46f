"""The Keras 3 text-classification transformer and a ViT-style patch model, written against
`keras` as the Keras 3 examples write them (run with `cornu run`). Prints each model's first and
last epoch loss."""
import numpy as np

import keras
from keras import layers, ops


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                     layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=False):
        attn_output = self.dropout1(self.att(inputs, inputs), training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.dropout2(self.ffn(out1), training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        positions = ops.arange(start=0, stop=ops.shape(x)[-1], step=1)
        return self.token_emb(x) + self.pos_emb(positions)


class Patches(layers.Layer):
    def __init__(self, patch_size):
        super().__init__()
        self.patch_size = patch_size

    def call(self, images):
        n, h, w, c = ops.shape(images)
        p = self.patch_size
        patches = ops.reshape(images, (n, h // p, p, w // p, p, c))
        patches = ops.transpose(patches, (0, 1, 3, 2, 4, 5))
        return ops.reshape(patches, (n, (h // p) * (w // p), p * p * c))


class PatchEncoder(layers.Layer):  # as in the Keras 3 ViT example
    def __init__(self, num_patches, projection_dim):
        super().__init__()
        self.num_patches = num_patches
        self.projection = layers.Dense(units=projection_dim)
        self.position_embedding = layers.Embedding(input_dim=num_patches,
                                                   output_dim=projection_dim)

    def call(self, patch):
        positions = ops.expand_dims(ops.arange(start=0, stop=self.num_patches, step=1), axis=0)
        return self.projection(patch) + self.position_embedding(positions)


keras.utils.set_random_seed(0)
rng = np.random.RandomState(0)
vocab, maxlen = 50, 12
x_text = rng.randint(1, vocab, size=(128, maxlen))
y_text = (x_text[:, 0] > vocab // 2).astype("int64")  # the label is in the first token

inputs = layers.Input(shape=(maxlen,))
h = TokenAndPositionEmbedding(maxlen, vocab, 16)(inputs)
h = TransformerBlock(16, 2, 16)(h)
h = layers.GlobalAveragePooling1D()(h)
h = layers.Dropout(0.1)(h)
outputs = layers.Dense(2, activation="softmax")(layers.Dense(16, activation="relu")(h))
text_model = keras.Model(inputs=inputs, outputs=outputs)
text_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
text = text_model.fit(x_text, y_text, batch_size=32, epochs=12, verbose=0).history["loss"]
print(f"TEXT {text[0]:.4f} {text[-1]:.4f}")

x_img = rng.rand(96, 16, 16, 3).astype("float32")
y_img = (x_img[:, :8, :, 0].mean(axis=(1, 2)) > x_img[:, 8:, :, 0].mean(axis=(1, 2))).astype("int64")
inputs = layers.Input(shape=(16, 16, 3))
patches = Patches(4)(inputs)
encoded = PatchEncoder(16, 16)(patches)
x1 = layers.LayerNormalization(epsilon=1e-6)(encoded)
attention = layers.MultiHeadAttention(num_heads=2, key_dim=8, dropout=0.1)(x1, x1)
x2 = layers.Add()([attention, encoded])
x3 = layers.Dense(16, activation=keras.activations.gelu)(layers.LayerNormalization(epsilon=1e-6)(x2))
h = layers.Flatten()(layers.Add()([x3, x2]))
vit = keras.Model(inputs, layers.Dense(2)(h))
vit.compile(optimizer=keras.optimizers.AdamW(learning_rate=1e-3, weight_decay=1e-4),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
img = vit.fit(x_img, y_img, batch_size=32, epochs=12, verbose=0).history["loss"]
print(f"VIT {img[0]:.4f} {img[-1]:.4f}")
