"""Making new layers and models via subclassing: add_weight in build, add_loss, nested layers,
get_config, and the guide's end-to-end VAE trained with fit."""
import os

import numpy as np
import keras
from keras import layers, ops

rng = np.random.default_rng(2)
x = rng.random((256, 12)).astype("float32")


class Linear(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class ActivityRegularization(layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.sum(inputs))
        return inputs


class Sampling(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(shape=ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class Encoder(layers.Layer):
    def __init__(self, latent_dim=4, intermediate_dim=16, **kwargs):
        super().__init__(**kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_mean = layers.Dense(latent_dim)
        self.dense_log_var = layers.Dense(latent_dim)
        self.sampling = Sampling()

    def call(self, inputs):
        x = self.dense_proj(inputs)
        z_mean, z_log_var = self.dense_mean(x), self.dense_log_var(x)
        return z_mean, z_log_var, self.sampling((z_mean, z_log_var))


class VariationalAutoEncoder(keras.Model):
    def __init__(self, original_dim, intermediate_dim=16, latent_dim=4, **kwargs):
        super().__init__(**kwargs)
        self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim)
        self.decoder = keras.Sequential([layers.Dense(intermediate_dim, activation="relu"),
                                         layers.Dense(original_dim, activation="sigmoid")])

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        reconstructed = self.decoder(z)
        kl_loss = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
        self.add_loss(kl_loss)
        return reconstructed


def run(seed):
    keras.utils.set_random_seed(seed)
    layer = Linear(4)
    assert tuple(layer(x[:2]).shape) == (2, 4) and len(layer.weights) == 2
    assert Linear.from_config(layer.get_config()).units == 4
    regularized = ActivityRegularization()
    regularized(x[:2])
    assert len(regularized.losses) == 1

    vae = VariationalAutoEncoder(12)
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                loss=keras.losses.MeanSquaredError())
    history = vae.fit(x, x, epochs=6, batch_size=32, verbose=0)
    return history.history["loss"][-1]


for seed in os.environ.get("GUIDE_SEEDS", "0").split(","):
    print("final_loss", seed, run(int(seed)))
