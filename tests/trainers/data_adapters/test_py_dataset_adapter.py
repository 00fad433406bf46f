"""PyDataset / Sequence: batches by index, loaded by worker threads or processes, in order."""
import multiprocessing
import threading
import time

import numpy as np
import pytest

import cornu
from cornu.trainers.data_adapters import OrderedPass

X = np.random.RandomState(0).rand(40, 3).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.25).astype("float32")


class Batches(cornu.utils.PyDataset):
    """Batches of 10 of the shared data; counts its epochs (in the training process)."""

    def __init__(self, n=4, delay=0.0, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.n, self.delay, self.fail_at = n, delay, fail_at
        self.begun = self.ended = 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise RuntimeError(f"cannot decode batch {i}")
        if self.delay:
            time.sleep(self.delay * (self.n - i))  # later batches are ready first
        part = slice(i % 4 * 10, i % 4 * 10 + 10)
        return X[part], Y[part]

    def on_epoch_begin(self):
        self.begun += 1

    def on_epoch_end(self):
        self.ended += 1


@pytest.mark.parametrize("options", [{}, {"workers": 3}, {"workers": 2, "use_multiprocessing": True}],
                         ids=["main thread", "threads", "processes"])
def test_trains_like_arrays_in_order_with_epoch_hooks(data, options):
    ds = Batches(delay=0.002, **options)
    m = data.model()
    m.fit(ds, epochs=2, shuffle=False, verbose=0)
    data.assert_same(m.get_weights(), data.array_weights(epochs=2))
    assert (ds.begun, ds.ended) == (2, 2)
    assert not multiprocessing.active_children()


def test_trains_like_keras(data, keras):
    class KerasBatches(keras.utils.PyDataset):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return X[i * 10:i * 10 + 10], Y[i * 10:i * 10 + 10]

    ref = data.model(keras)
    # (Keras 3.15's own workers=2 restart each epoch on batches left over from the last, so
    # its workers=1 run is the reference.)
    ref.fit(KerasBatches(), epochs=2, shuffle=False, verbose=0)
    m = data.model()
    m.fit(Batches(workers=2), epochs=2, shuffle=False, verbose=0)
    data.assert_same(m.get_weights(), ref.get_weights(), rtol=1e-5, atol=1e-6)


def test_shuffle_reorders_the_batches_each_epoch():
    seen = []

    class Recording(Batches):
        def __getitem__(self, i):
            seen.append(i)
            return super().__getitem__(i)

    cornu.utils.set_random_seed(3)
    m = cornu.Sequential([cornu.Input((3,)), cornu.layers.Dense(1)])
    m.compile("sgd", "mse")
    m.fit(Recording(n=8), epochs=3, verbose=0)  # shuffle=True by default, as in Keras
    epochs = [seen[i * 8:(i + 1) * 8] for i in range(3)]
    assert all(sorted(e) == list(range(8)) for e in epochs)
    assert any(e != list(range(8)) for e in epochs) and epochs[0] != epochs[1]
    seen.clear()
    m.evaluate(Recording(n=8), verbose=0)  # evaluate never shuffles
    assert seen == list(range(8))


def test_workers_load_in_parallel_and_at_most_max_queue_size_ahead():
    state = {"running": 0, "most": 0, "requested": []}
    lock = threading.Lock()

    class Slow(cornu.utils.PyDataset):
        def __len__(self):
            return 12

        def __getitem__(self, i):
            with lock:
                state["running"] += 1
                state["most"] = max(state["most"], state["running"])
                state["requested"].append(i)
            time.sleep(0.02)
            with lock:
                state["running"] -= 1
            return i

    loader = OrderedPass(Slow(), range(12), workers=4, use_multiprocessing=False,
                         max_queue_size=5)
    got = []
    for i, batch in enumerate(loader):
        got.append(batch)
        assert max(state["requested"]) <= i + 5  # never more than max_queue_size ahead
    assert got == list(range(12))
    assert state["most"] >= 2  # loaded concurrently
    assert state["most"] <= 4  # by at most `workers`


@pytest.mark.parametrize("multiprocessing_", [False, True], ids=["threads", "processes"])
def test_worker_error_is_raised_and_workers_stop(data, multiprocessing_):
    before = threading.active_count()
    ds = Batches(n=8, fail_at=5, workers=2, use_multiprocessing=multiprocessing_)
    with pytest.raises(RuntimeError, match="cannot decode batch 5"):
        data.model().fit(ds, epochs=1, shuffle=False, verbose=0)
    assert not multiprocessing.active_children()
    assert threading.active_count() <= before


@pytest.mark.parametrize("multiprocessing_", [False, True], ids=["threads", "processes"])
def test_keyboard_interrupt_stops_the_workers(data, multiprocessing_):
    before = threading.active_count()

    class Interrupt(cornu.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                raise KeyboardInterrupt

    ds = Batches(n=8, delay=0.001, workers=3, use_multiprocessing=multiprocessing_)
    with pytest.raises(KeyboardInterrupt):
        data.model().fit(ds, epochs=1, verbose=0, callbacks=[Interrupt()])
    assert not multiprocessing.active_children()
    assert threading.active_count() <= before


def test_endless_dataset_needs_steps_and_goes_on_across_epochs(data):
    seen = []

    class Endless(cornu.utils.PyDataset):
        num_batches = None

        def __getitem__(self, i):
            seen.append(i)
            return X[i % 4 * 10:i % 4 * 10 + 10], Y[i % 4 * 10:i % 4 * 10 + 10]

    with pytest.raises(ValueError, match="has no end .*pass `steps_per_epoch`"):
        data.model().fit(Endless(), epochs=1, verbose=0)
    m = data.model()
    m.fit(Endless(), steps_per_epoch=2, epochs=2, shuffle=False, verbose=0)
    assert seen == [0, 1, 2, 3]
    data.assert_same(m.get_weights(), data.array_weights(epochs=1))


def test_steps_per_epoch_shorter_than_the_dataset_continues_the_pass(data):
    # Keras 3: 4 batches, 3 per epoch: epoch 2 gets the 1 left (and a warning), epoch 3 restarts.
    ds = Batches()
    m = data.model()
    with pytest.warns(UserWarning, match="ran out of data"):
        m.fit(ds, steps_per_epoch=3, epochs=3, shuffle=False, verbose=0)
    assert int(m.optimizer.iterations) == 7
    assert ds.ended == 3


def test_keras2_fit_arguments_set_the_workers(data):
    threads = []

    class Recording(Batches):  # workers=1 of its own
        def __getitem__(self, i):
            threads.append(threading.current_thread() is threading.main_thread())
            return super().__getitem__(i)

    m = data.model()
    m.fit(Recording(), epochs=1, shuffle=False, verbose=0, workers=2)  # Keras 2's fit argument
    assert threads == [False] * 4
    data.assert_same(m.get_weights(), data.array_weights(epochs=1))
    threads.clear()
    m.fit(Recording(), epochs=1, shuffle=False, verbose=0)
    assert threads == [True] * 4


def test_subclass_without_super_init_warns_and_works(data):
    class NoSuper(cornu.utils.Sequence):
        def __init__(self):
            pass

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return X[i * 10:i * 10 + 10], Y[i * 10:i * 10 + 10]

    m = data.model()
    with pytest.warns(UserWarning, match=r"should call `super\(\).__init__\(\*\*kwargs\)`"):
        m.fit(NoSuper(), epochs=1, shuffle=False, verbose=0)
    data.assert_same(m.get_weights(), data.array_weights(epochs=1))


def test_bad_batch_names_its_index(data):
    class Bad(Batches):
        def __getitem__(self, i):
            return (X[:10], Y[:10]) if i < 2 else (X[:10], Y[:10], Y[:10], Y[:10])

    with pytest.raises(ValueError, match="Batch 2 of the PyDataset has 4 elements"):
        data.model().fit(Bad(), epochs=1, shuffle=False, verbose=0)


def test_predict_keeps_the_order(data):
    m = data.model()
    got = m.predict(Batches(workers=4, delay=0.002), verbose=0)
    np.testing.assert_allclose(got, m.predict(X, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("where", ["dataset", "fit"])
def test_fit_loads_at_most_max_queue_size_batches_ahead(data, where):
    requested, ahead = [], []

    class Recording(Batches):
        def __getitem__(self, i):
            requested.append(i)
            return super().__getitem__(i)

    class Ahead(cornu.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            ahead.append(max(requested) - batch)  # loaded beyond the batch being trained on

    own, passed = ({"max_queue_size": 3}, {}) if where == "dataset" else ({}, {"max_queue_size": 3})
    m = data.model()
    m.fit(Recording(n=12, delay=0.001, workers=2, **own), epochs=1, shuffle=False, verbose=0,
          callbacks=[Ahead()], **passed)
    assert sorted(requested) == list(range(12)) and len(ahead) == 12
    assert max(ahead) <= 3  # never more than max_queue_size ahead of the training step
    assert max(ahead) >= 2  # but loading ahead of it


@pytest.mark.parametrize("options", [{}, {"workers": 2},
                                     {"workers": 2, "use_multiprocessing": True}],
                         ids=["main thread", "threads", "processes"])
def test_epoch_hooks_run_once_per_epoch_around_its_batches(data, options):
    # Keras's PyDataset docs: on_epoch_begin/on_epoch_end run at the start/end of each epoch.
    # (Keras 3.15 also calls on_epoch_end when its epoch iterator resets, before each validation
    # run and evaluate, and one begin/end pair more than the epochs in fit: docs/DATA.md.)
    class Counting(Batches):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.calls = []

        def __getitem__(self, i):
            self.calls.append(i)  # (in a worker process, the process's copy of the list)
            return super().__getitem__(i)

        def on_epoch_begin(self):
            self.calls.append("begin")

        def on_epoch_end(self):
            self.calls.append("end")

    train, val, test = Counting(**options), Counting(**options), Counting(**options)
    m = data.model()
    m.fit(train, validation_data=val, epochs=3, shuffle=False, verbose=0)
    m.evaluate(test, verbose=0)
    loads = [] if options.get("use_multiprocessing") else [0, 1, 2, 3]
    epoch = ["begin"] + loads + ["end"]
    for ds, runs in ((train, 3), (val, 3), (test, 1)):
        got = [c for c in ds.calls if c in ("begin", "end")]
        assert got == ["begin", "end"] * runs
        # each epoch's batches load between its on_epoch_begin and on_epoch_end
        ordered = [c if isinstance(c, str) else "batch" for c in ds.calls]
        assert ordered == [c if isinstance(c, str) else "batch" for c in epoch] * runs
    data.assert_same(m.get_weights(), data.array_weights(epochs=3))


def test_worker_process_that_dies_or_cannot_send_its_batch_is_an_error(data):
    import os

    class Dies(Batches):
        def __getitem__(self, i):
            if i == 2:
                os._exit(3)
            return super().__getitem__(i)

    class Unpicklable(Batches):
        def __getitem__(self, i):
            x, y = super().__getitem__(i)
            return (x, y) if i != 1 else (x, lambda: y)

    with pytest.raises(RuntimeError, match=r"worker process loading batch 2 died \(exit code 3\)"):
        data.model().fit(Dies(workers=2, use_multiprocessing=True), epochs=1, verbose=0)
    with pytest.raises(RuntimeError, match="Batch 1 of the PyDataset could not be sent back"):
        data.model().fit(Unpicklable(workers=2, use_multiprocessing=True), epochs=1,
                         shuffle=False, verbose=0)
    assert not multiprocessing.active_children()


def test_worker_process_error_carries_the_workers_traceback(data):
    ds = Batches(n=8, fail_at=5, workers=2, use_multiprocessing=True)
    with pytest.raises(RuntimeError, match="cannot decode batch 5") as caught:
        data.model().fit(ds, epochs=1, shuffle=False, verbose=0)
    assert "in __getitem__" in str(caught.value.__cause__)  # the worker's own traceback
