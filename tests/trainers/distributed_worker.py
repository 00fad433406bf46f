"""What tests/trainers/test_distributed.py runs in each process, and in one process for the
reference: `python -m torch.distributed.run --nproc_per_node 2 distributed_worker.py OUT`.

Each case trains a model 3 epochs at global batch 64 and writes its weights, History and
`evaluate` results under OUT (per rank), then the bad-input cases record their errors.
"""
import json
import os
import sys

import numpy as np


def data(n, shape, classes, seed):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, *shape).astype("float32")
    w = rng.randn(int(np.prod(shape)), classes)
    logits = x.reshape(n, -1) @ w + 0.5 * rng.randn(n, classes)
    return x, logits.argmax(-1) if classes > 1 else (logits[:, 0] > 0).astype("float32")


def mlp(keras, units=16):
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=["accuracy", keras.metrics.AUC(name="auc"),
                           keras.metrics.Precision(name="precision")])
    return model


def cnn(keras):
    keras.utils.set_random_seed(11)
    model = keras.Sequential([
        keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3),
        keras.layers.BatchNormalization(synchronized=True), keras.layers.Activation("relu"),
        keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def custom(keras):
    """A subclassed model with its own train_step, test_step and metrics (Keras 3's guide):
    the loop that averages gradients before `optimizer.apply`; built by its first batch."""
    import torch

    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(8, activation="tanh")
            self.out = keras.layers.Dense(1, activation="sigmoid")
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.acc = keras.metrics.BinaryAccuracy(name="acc")

        def call(self, x):
            return self.out(self.hidden(x))

        @property
        def metrics(self):
            return [self.loss_tracker, self.acc]

        def train_step(self, data):
            x, y = data
            y_pred = self(x, training=True)
            self.zero_grad()
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
            loss.backward()
            with torch.no_grad():
                self.optimizer.apply([v.grad for v in self.trainable_weights],
                                     self.trainable_weights)
            return self._track(loss, y, y_pred)

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            return self._track(self.compute_loss(x=x, y=y, y_pred=y_pred), y, y_pred)

        def _track(self, loss, y, y_pred):
            self.loss_tracker.update_state(loss)
            self.acc.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    keras.utils.set_random_seed(5)
    model = Custom()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    return model


CASES = {"mlp": (mlp, 203, (10,), 1), "cnn": (cnn, 150, (8, 8, 1), 3),
         "custom": (custom, 128, (10,), 1)}


def train(keras, case, out, rank=0):
    """Fits and evaluates one case; returns (weights, history, evaluate dict)."""
    build, n, shape, classes = CASES[case]
    x, y = data(n, shape, classes, seed=1)
    xv, yv = data(70, shape, classes, seed=2)
    model = build(keras)
    callbacks = [keras.callbacks.ModelCheckpoint(os.path.join(out, f"{case}_rank{rank}.weights.h5"),
                                                 save_weights_only=True),
                 keras.callbacks.CSVLogger(os.path.join(out, f"{case}_rank{rank}.csv"))]
    history = model.fit(x, y, batch_size=64, epochs=3, validation_data=(xv, yv),
                        callbacks=callbacks, verbose=2 if case == "mlp" else 0)
    results = model.evaluate(xv, yv, batch_size=32, return_dict=True, verbose=0)
    results["predict"] = np.asarray(model.predict(xv, batch_size=16, verbose=0)).tolist()
    return model.get_weights(), dict(history.history), results


def bad_inputs(keras, rank):
    """The errors every rank must raise (and not hang on)."""
    errors = {}
    x, y = data(64, (10,), 1, seed=1)
    try:
        mlp(keras).fit(x, y, batch_size=1, epochs=1, verbose=0)
    except ValueError as e:
        errors["batch"] = str(e)
    try:
        mlp(keras, units=16 if rank == 0 else 17).fit(x, y, batch_size=64, epochs=1, verbose=0)
    except ValueError as e:
        errors["model"] = str(e)
    try:
        inputs = keras.Input((10,))
        hidden = keras.layers.Dense(4)(inputs)
        model = keras.Model(inputs, [keras.layers.Dense(1, name="a")(hidden),
                                     keras.layers.Dense(1, name="b")(hidden)])
        model.compile(optimizer="sgd", loss={"a": "mse"})
        model.fit(x, [y, y], batch_size=64, epochs=1, verbose=0)
    except ValueError as e:
        errors["unused"] = str(e)
    return errors


def main(out):
    import cornu as keras
    rank = int(os.environ.get("RANK", "0"))
    for case in CASES:
        weights, history, results = train(keras, case, out, rank)
        np.savez(os.path.join(out, f"{case}_weights_rank{rank}.npz"), *weights)
        with open(os.path.join(out, f"{case}_logs_rank{rank}.json"), "w") as f:
            json.dump({"history": history, "evaluate": results}, f)
    with open(os.path.join(out, f"errors_rank{rank}.json"), "w") as f:
        json.dump(bad_inputs(keras, rank), f)


if __name__ == "__main__":
    main(sys.argv[1])
