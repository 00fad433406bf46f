"""`evaluate` scores many batches at once where the numbers cannot differ; they must equal Keras's
batch-by-batch numbers, and a user metric or loss (which may depend on the batch) keeps batches."""
import numpy as np

import cornu
from cornu.callbacks import Callback
from cornu.trainers import chunked_eval
from cornu.testing import real_keras as keras_module


def _two_output_model(lib):
    inputs = lib.Input((6,))
    hidden = lib.layers.Dense(8, activation="relu")(inputs)
    probs = lib.layers.Dense(3, activation="softmax", name="probs")(hidden)
    value = lib.layers.Dense(1, name="value")(hidden)
    model = lib.Model(inputs, [probs, value])
    return model


def _data(n):
    rng = np.random.RandomState(3)
    x = rng.randn(n, 6).astype("float32")
    y_class = np.eye(3, dtype="float32")[rng.randint(0, 3, n)]
    y_value = rng.randn(n, 1).astype("float32")
    weights = rng.rand(n).astype("float32")
    return x, [y_class, y_value], weights


def _compile(model):
    model.compile(optimizer="sgd", loss=["categorical_crossentropy", "mse"], loss_weights=[1.0, 0.3],
                  metrics=[["accuracy", "auc"], ["mae"]], weighted_metrics=[["accuracy"], []])


def test_chunked_evaluate_equals_keras_batch_by_batch():
    keras = keras_module()
    n = 2 * chunked_eval.CHUNK_SAMPLES + 77  # three chunks, the last batch partial
    x, y, weights = _data(n)
    ref = _two_output_model(keras)
    _compile(ref)
    ours = _two_output_model(cornu)
    ours.set_weights(ref.get_weights())
    _compile(ours)
    expected = ref.evaluate(x, y, sample_weight=weights, batch_size=32, verbose=0,
                            return_dict=True)
    got = ours.evaluate(x, y, sample_weight=weights, batch_size=32, verbose=0, return_dict=True)
    assert chunked_eval.can_chunk(ours, False, False)
    assert sorted(got) == sorted(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=2e-5, atol=1e-6, err_msg=key)


class _CountBatches(Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_test_batch_end(self, batch, logs=None):
        self.batches += 1


def test_per_batch_hooks_and_user_functions_keep_batch_by_batch_scoring():
    x, y, _ = _data(300)
    model = _two_output_model(cornu)
    _compile(model)
    counter = _CountBatches()
    chunked = model.evaluate(x, y, verbose=0, return_dict=True)
    hooked = model.evaluate(x, y, verbose=0, return_dict=True, callbacks=[counter])
    assert counter.batches == 10
    for key in chunked:
        np.testing.assert_allclose(chunked[key], hooked[key], rtol=1e-6)

    def batch_mean_error(y_true, y_pred):  # a scalar per batch: Keras averages it over batches
        return cornu.ops.mean(cornu.ops.abs(y_true - y_pred))

    single = cornu.Sequential([cornu.Input((6,)), cornu.layers.Dense(1)])
    single.compile(optimizer="sgd", loss="mse", metrics=[batch_mean_error])
    xs, ys = x[:70], y[1][:70]
    _, got = single.evaluate(xs, ys, batch_size=32, verbose=0)
    assert not chunked_eval.can_chunk(single, False, False)
    pred = single.predict(xs, verbose=0)
    per_batch = [np.abs(ys[i:i + 32] - pred[i:i + 32]).mean() for i in range(0, 70, 32)]
    np.testing.assert_allclose(got, np.mean(per_batch), rtol=1e-5)


class _BatchLogs(Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        if batch in (0, 40, 65):
            self.seen.append(dict(logs))


def _binary(lib):
    return lib.Sequential([lib.Input((6,)), lib.layers.Dense(5, activation="relu"),
                           lib.layers.Dense(1, activation="sigmoid")])


def test_training_metrics_held_back_equal_keras_per_epoch_and_per_batch():
    keras = keras_module()
    rng = np.random.RandomState(0)
    x = rng.randn(2600, 6).astype("float32")
    y = (x[:, 0] + 0.5 * rng.randn(2600) > 0).astype("float32")
    ref, ours = _binary(keras), _binary(cornu)
    ours.set_weights(ref.get_weights())
    for model in (ref, ours):
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy", "auc"])
    assert ours._compile_metrics._deferrable is False  # not built until it sees data
    kw = dict(epochs=2, batch_size=32, shuffle=False, validation_split=0.2,
              class_weight={0: 1.0, 1: 2.0}, verbose=0)
    expected = ref.fit(x, y, **kw).history
    got = ours.fit(x, y, **kw).history
    assert ours._compile_metrics._deferrable is True
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-4, err_msg=key)
    ref_logs, our_logs = _BatchLogs(), _BatchLogs()
    ref.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0, callbacks=[ref_logs])
    ours.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0, callbacks=[our_logs])
    for want, have in zip(ref_logs.seen, our_logs.seen):
        for key in want:
            np.testing.assert_allclose(have[key], want[key], rtol=1e-4, err_msg=key)


def test_an_epoch_of_one_batch_held_back_equals_keras():
    # One batch per epoch: the batch held back is scored as it is (no concatenation).
    keras = keras_module()
    rng = np.random.RandomState(1)
    x = rng.randn(20, 6).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    sw = rng.uniform(0.5, 2.0, size=20).astype("float32")
    ref, ours = _binary(keras), _binary(cornu)
    ours.set_weights(ref.get_weights())
    for model in (ref, ours):
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"],
                      weighted_metrics=["mse"])
    kw = dict(epochs=3, batch_size=32, shuffle=False, sample_weight=sw, verbose=0)
    expected = ref.fit(x, y, **kw).history
    got = ours.fit(x, y, **kw).history
    assert ours._compile_metrics._deferrable is True
    assert set(got) == set(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-4, err_msg=key)
