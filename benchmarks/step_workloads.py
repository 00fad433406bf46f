"""Workloads whose model overrides an engine method (Keras 3's `train_step`), against the same
hand-written PyTorch loop as the built-in workload they mirror."""
import math

import torch

from benchmarks.workloads import (Measurement, MnistCNN, MnistMLP, _fit, _jit, _mlp_api, _seed,
                                  mnist)


def _train_step_model(K, model):
    """`model`'s graph as a Model subclass whose `train_step` does the built-in work, written as
    Keras 3's "Customizing what happens in fit() with PyTorch" guide writes it."""
    class CustomModel(K.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            trainable_weights = self.trainable_weights
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    return CustomModel(model.inputs, model.outputs)


class MnistMLPTrainStep(MnistMLP):
    name = "mnist_mlp_train_step"
    title = "MNIST MLP as above, train_step overridden (the Keras 3 torch guide's step)"
    target = 1.0
    # (with jit_compile=True the overridden step is torch.compile'd, as Keras 3 on torch does)

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y, _, _ = mnist()
        n = self.sizes[size]
        x, y = x[:n], y[:n]
        model = _train_step_model(K, _mlp_api(K))
        model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"],
                      **_jit(jit_compile))
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=1, batch_size=32, verbose=0),
                             jit_compile)
        return Measurement(seconds, math.ceil(n / 32), info)


def _cnn_api(K):
    """`MnistCNN`'s model (benchmarks/workloads.py), layer for layer."""
    return K.Sequential([K.Input((28, 28, 1)), K.layers.Conv2D(128, (2, 2), padding="valid"),
                         K.layers.MaxPooling2D(pool_size=(2, 2)), K.layers.Flatten(),
                         K.layers.Dense(10, activation="softmax")])


class MnistCNNTrainStep(MnistCNN):
    name = "mnist_cnn_train_step"
    title = "MNIST CNN as above, train_step overridden (the Keras 3 torch guide's step)"
    target = 1.0

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y, _, _ = mnist()
        n = self.sizes[size]
        x, y = x[:n].reshape(-1, 28, 28, 1), y[:n]
        model = _train_step_model(K, _cnn_api(K))
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"],
                      **_jit(jit_compile))
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=1, batch_size=10, verbose=0),
                             jit_compile)
        return Measurement(seconds, math.ceil(n / 10), info)


STEP_WORKLOADS = [MnistMLPTrainStep(), MnistCNNTrainStep()]
