"""Writing your own callbacks: every hook with its logs, early stopping at the minimum loss
with the best weights restored, a learning-rate schedule set through the optimizer."""
import os

import numpy as np
import keras

rng = np.random.default_rng(3)
x = rng.random((200, 8)).astype("float32")
y = (x @ rng.normal(size=(8, 1))).astype("float32")


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_end(self, epoch, logs=None):
        assert "loss" in logs and "mean_absolute_error" in logs
        self.calls.append(f"epoch_end {epoch}")

    def on_train_batch_end(self, batch, logs=None):
        assert "loss" in logs

    def on_test_batch_end(self, batch, logs=None):
        assert "loss" in logs


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best = 0, 0, np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best, self.wait = current, 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                self.model.set_weights(self.best_weights)


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        lr = self.model.optimizer.learning_rate
        self.model.optimizer.learning_rate = self.schedule(epoch, float(np.array(lr)))


def run(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
                  loss="mean_squared_error", metrics=["mean_absolute_error"])
    recorder = Recorder()
    history = model.fit(x, y, batch_size=16, epochs=12, verbose=0, validation_split=0.2,
                        callbacks=[recorder, EarlyStoppingAtMinLoss(patience=2),
                                   CustomLearningRateScheduler(lambda e, lr: lr * 0.9)])
    assert recorder.calls[0] == "train_begin" and recorder.calls[1] == "epoch_end 0"
    return float(model.evaluate(x, y, verbose=0, callbacks=[recorder])[0])


for seed in os.environ.get("GUIDE_SEEDS", "0").split(","):
    print("final_loss", seed, run(int(seed)))
