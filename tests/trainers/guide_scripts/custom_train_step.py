"""Customizing what happens in fit() with PyTorch: train_step/test_step overrides, a GAN."""
import os

import numpy as np
import torch
import keras
from keras import layers

rng = np.random.default_rng(0)
x = rng.random((256, 16)).astype("float32")
y = (x @ rng.normal(size=(16, 1))).astype("float32")


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.seed_generator = keras.random.SeedGenerator(1337)
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real):
        if isinstance(real, tuple):
            real = real[0]
        batch_size = real.shape[0]
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        fake = self.generator(noise)
        combined = torch.cat([fake, real], dim=0)
        labels = torch.cat([torch.ones((batch_size, 1)), torch.zeros((batch_size, 1))], dim=0)
        self.zero_grad()
        d_loss = self.loss_fn(labels, self.discriminator(combined))
        d_loss.backward()
        grads = [v.value.grad for v in self.discriminator.trainable_weights]
        with torch.no_grad():
            self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        misleading = torch.zeros((batch_size, 1))
        self.zero_grad()
        g_loss = self.loss_fn(misleading, self.discriminator(self.generator(noise)))
        g_loss.backward()
        grads = [v.value.grad for v in self.generator.trainable_weights]
        with torch.no_grad():
            self.g_optimizer.apply(grads, self.generator.trainable_weights)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def run(seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(16,))
    hidden = layers.Dense(32, activation="relu")(inputs)
    model = CustomModel(inputs, layers.Dense(1)(hidden))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    evaluated = model.evaluate(x, y, verbose=0)
    assert len(evaluated) == 2 and abs(evaluated[0] - history.history["loss"][-1]) < 0.5

    discriminator = keras.Sequential([keras.Input((16,)), layers.Dense(16, activation="relu"),
                                      layers.Dense(1)])
    generator = keras.Sequential([keras.Input((4,)), layers.Dense(16, activation="sigmoid")])
    gan = GAN(discriminator, generator, latent_dim=4)
    gan.compile(d_optimizer=keras.optimizers.Adam(3e-4), g_optimizer=keras.optimizers.Adam(3e-4),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    gan_history = gan.fit(x, epochs=2, batch_size=32, verbose=0).history
    assert set(gan_history) == {"d_loss", "g_loss"}
    return history.history["loss"][-1]


for seed in os.environ.get("GUIDE_SEEDS", "0").split(","):
    print("final_loss", seed, run(int(seed)))
