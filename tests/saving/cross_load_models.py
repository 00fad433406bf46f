"""The models of the cross-load matrix, written once for every library: `build(lib, name)` takes
a module with Keras's API (real Keras 3, tf-keras 2, or cornu) and builds the same model in it.

Run as a script, it writes the reference files: `python cross_load_models.py <lib> <folder>`
builds each model with the library `lib` (`keras` or `tf_keras`), gives every weight a seeded
random value (BatchNormalization's moving statistics too), compiles it, and writes
`<model>.keras`, `<model>.weights.h5` and `<model>.h5` (those the library can write), the inputs
and the library's predictions (`<model>.npz`). The test runs it in a subprocess, once a session.
"""
import os
import sys

import numpy as np

NAMES = ["mlp", "cnn_batchnorm", "stacked_lstm", "gru", "bidirectional_time_distributed",
         "embedding_mask_zero", "functional_shared_two_outputs"]


def build(lib, name):
    L = lib.layers
    if name == "mlp":
        return lib.Sequential([lib.Input((8,)), L.Dense(16, activation="relu"), L.Dropout(0.2),
                               L.Dense(3, activation="softmax")])
    if name == "cnn_batchnorm":
        return lib.Sequential([lib.Input((8, 8, 2)), L.Conv2D(4, 3, padding="same"),
                               L.BatchNormalization(), L.Activation("relu"), L.MaxPooling2D(),
                               L.Conv2D(3, 3), L.BatchNormalization(), L.Flatten(), L.Dense(2)])
    if name == "stacked_lstm":
        return lib.Sequential([lib.Input((6, 3)), L.LSTM(5, return_sequences=True), L.LSTM(4),
                               L.Dense(1)])
    if name == "gru":
        return lib.Sequential([lib.Input((6, 3)), L.GRU(5), L.Dense(2)])
    if name == "bidirectional_time_distributed":
        return lib.Sequential([lib.Input((6, 3)), L.Bidirectional(L.LSTM(4, return_sequences=True)),
                               L.TimeDistributed(L.Dense(2))])
    if name == "embedding_mask_zero":
        return lib.Sequential([lib.Input((7,), dtype="int32"), L.Embedding(20, 4, mask_zero=True),
                               L.LSTM(3), L.Dense(1)])
    if name == "functional_shared_two_outputs":
        a, b = lib.Input((5,), name="a"), lib.Input((5,), name="b")
        shared = L.Dense(4, activation="tanh", name="shared")
        ha, hb = shared(a), shared(b)
        inner = lib.Sequential([lib.Input((4,)), L.Dense(3), L.BatchNormalization()], name="inner")
        out1 = L.Dense(1, name="o1")(L.Concatenate()([ha, hb]))
        out2 = L.Dense(2, name="o2")(inner(hb))
        return lib.Model([a, b], [out1, out2])
    raise KeyError(name)


def inputs(name, seed=0):
    rng = np.random.RandomState(seed)
    if name == "mlp":
        return rng.randn(4, 8).astype("float32")
    if name == "cnn_batchnorm":
        return rng.randn(4, 8, 8, 2).astype("float32")
    if name == "embedding_mask_zero":
        x = rng.randint(1, 20, size=(4, 7)).astype("int32")
        x[0, 4:], x[1, 2:], x[2, 6:] = 0, 0, 0  # padded ends: the mask must carry through
        return x
    if name == "functional_shared_two_outputs":
        return [rng.randn(4, 5).astype("float32"), rng.randn(4, 5).astype("float32")]
    return rng.randn(4, 6, 3).astype("float32")


def randomize(model, seed=1):
    """Seeded random weights, positive where they must be (moving variances)."""
    rng = np.random.RandomState(seed)
    for weight in model.weights:
        shape = tuple(weight.shape)
        name = weight.path if hasattr(weight, "path") else weight.name
        value = rng.uniform(0.5, 1.5, shape) if "variance" in name else rng.uniform(-0.6, 0.6, shape)
        weight.assign(value.astype("float32"))


def compile_model(model, name):
    loss = ["mse", "mse"] if name == "functional_shared_two_outputs" else "mse"
    metrics = [["mae"], ["accuracy"]] if name == "functional_shared_two_outputs" else ["mae"]
    model.compile(optimizer="adam", loss=loss, metrics=metrics)


def predict(model, x):
    out = model.predict(x, verbose=0)
    return [np.asarray(o) for o in out] if isinstance(out, list) else [np.asarray(out)]


def _write(lib_name, folder):
    if lib_name == "keras":
        os.environ["KERAS_BACKEND"] = "torch"
        import keras as lib
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tf_keras as lib
    for name in NAMES:
        lib.utils.set_random_seed(0)
        model = build(lib, name)
        randomize(model)
        compile_model(model, name)
        x = inputs(name)
        base = os.path.join(folder, name)
        if lib_name == "keras":
            model.save(base + ".keras")
            model.save_weights(base + ".weights.h5")
        model.save(base + ".h5")
        xs = x if isinstance(x, list) else [x]
        np.savez(base + ".npz", **{f"x{i}": v for i, v in enumerate(xs)},
                 **{f"y{i}": v for i, v in enumerate(predict(model, x))})


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    _write(sys.argv[1], sys.argv[2])
