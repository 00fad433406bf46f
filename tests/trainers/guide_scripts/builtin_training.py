"""Training & evaluation with the built-in methods: validation data, custom losses and metrics,
add_loss/add_metric-style layers, sample and class weights, a PyDataset, a generator."""
import os

import numpy as np
import keras
from keras import layers, ops

rng = np.random.default_rng(6)
x_train = rng.random((288, 16)).astype("float32")
y_train = (x_train[:, :4].argmax(axis=1)).astype("int64")
x_val, y_val = x_train[-64:], y_train[-64:]
x_train, y_train = x_train[:-64], y_train[:-64]


def custom_mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            values = ops.multiply(values, ops.cast(sample_weight, "float32"))
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives

    def reset_state(self):
        self.true_positives.assign(0.0)


class ActivityRegularizationLayer(layers.Layer):
    def call(self, inputs):
        self.add_loss(ops.sum(inputs) * 1e-3)
        return inputs


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, idx):
        lo = idx * self.batch_size
        return self.x[lo:lo + self.batch_size], self.y[lo:lo + self.batch_size]


def get_model():
    inputs = keras.Input(shape=(16,), name="digits")
    x = layers.Dense(32, activation="relu")(inputs)
    x = ActivityRegularizationLayer()(x)
    x = layers.Dense(32, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(4, activation="softmax", name="predictions")(x))


def run(seed):
    keras.utils.set_random_seed(seed)
    model = get_model()
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(), CategoricalTruePositives()])
    history = model.fit(x_train, y_train, batch_size=32, epochs=3,
                        validation_data=(x_val, y_val), verbose=0)
    assert {"loss", "sparse_categorical_accuracy", "categorical_true_positives",
            "val_loss"} <= set(history.history)
    sample_weight = np.ones(len(y_train), dtype="float32")
    sample_weight[y_train == 2] = 2.0
    model.fit(x_train, y_train, sample_weight=sample_weight, batch_size=32, epochs=1, verbose=0)
    model.fit(x_train, y_train, class_weight={0: 1.0, 1: 1.0, 2: 2.0, 3: 1.0}, batch_size=32,
              epochs=1, verbose=0)
    model.fit(Batches(x_train, y_train, 32), epochs=1, verbose=0)

    def generate():
        while True:
            for lo in range(0, len(x_train), 32):
                yield x_train[lo:lo + 32], y_train[lo:lo + 32]
    model.fit(generate(), steps_per_epoch=7, epochs=1, verbose=0)

    regression = keras.Sequential([keras.Input((16,)), layers.Dense(4)])
    regression.compile(optimizer="adam", loss=custom_mean_squared_error)
    regression.fit(x_train, keras.utils.to_categorical(y_train, 4), epochs=1, verbose=0)
    return float(model.evaluate(x_val, y_val, batch_size=32, verbose=0)[0])


for seed in os.environ.get("GUIDE_SEEDS", "0").split(","):
    print("final_loss", seed, run(int(seed)))
