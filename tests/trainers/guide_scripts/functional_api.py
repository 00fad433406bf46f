"""The Functional API: a multi-input, multi-output model with named outputs, dict losses and
loss weights, shared layers, models as layers, and extracting intermediate outputs."""
import os

import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(5)
num_tags, num_words, num_departments = 6, 100, 3
title_data = rng.integers(0, num_words, size=(160, 10))
body_data = rng.integers(0, num_words, size=(160, 20))
tags_data = rng.integers(0, 2, size=(160, num_tags)).astype("float32")
priority_targets = rng.random(size=(160, 1)).astype("float32")
dept_targets = rng.integers(0, 2, size=(160, num_departments)).astype("float32")


def run(seed):
    keras.utils.set_random_seed(seed)
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    shared_embedding = layers.Embedding(num_words, 16)
    title_features = layers.LSTM(16)(shared_embedding(title_input))
    body_features = layers.LSTM(8)(shared_embedding(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    model = keras.Model(inputs=[title_input, body_input, tags_input],
                        outputs={"priority": priority_pred, "department": department_pred})
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
                  loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
                        "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
                  loss_weights={"priority": 1.0, "department": 0.2})
    history = model.fit({"title": title_data, "body": body_data, "tags": tags_data},
                        {"priority": priority_targets, "department": dept_targets},
                        epochs=4, batch_size=32, verbose=0)

    extractor = keras.Model(model.inputs, [layer.output for layer in model.layers[-3:]])
    outputs = extractor.predict([title_data[:4], body_data[:4], tags_data[:4]], verbose=0)
    assert [tuple(o.shape) for o in outputs] == [(4, 30), (4, num_departments), (4, 1)]

    encoder_input = keras.Input(shape=(8,))
    encoder = keras.Model(encoder_input, layers.Dense(4, activation="relu")(encoder_input))
    autoencoder_input = keras.Input(shape=(8,))
    decoded = layers.Dense(8)(encoder(autoencoder_input))
    autoencoder = keras.Model(autoencoder_input, decoded)
    assert len(autoencoder.layers) == 3
    return history.history["loss"][-1]


for seed in os.environ.get("GUIDE_SEEDS", "0").split(","):
    print("final_loss", seed, run(int(seed)))
