"""Input pipelines feeding the MNIST MLP: a PyDataset whose batches take 2 ms to "decode" (a
sleep), loaded by 4 workers, and a torch DataLoader. Each is timed against hand-written PyTorch
fed the same way, and against a cornu reference (`run_reference`): the PyDataset with 1 worker,
and the same data as arrays. Sleeping is the point of the first, so time it with `--clock wall`.

End to end, workers=4 can beat workers=1 only by the ceiling `(step + load) / max(step, load /
workers)`: where the training step takes longer than loading a batch (the MLP's step on a CPU),
that is well under 3x. So `input_bound_workers` also reports (its `details`, always on the wall
clock) the measured step and load times, that ceiling beside the end-to-end ratio, and the
loader's own throughput: batches per second the PyDataset adapter delivers to `fit` when the
training step does nothing, for 1 worker, 4 threads and 4 processes (`use_multiprocessing`),
over a 3-epoch fit (worker processes start anew each epoch, as in Keras, and are waited for
when the fit ends).
"""
import math
import statistics
import time

import torch
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.workloads import (Measurement, MnistMLP, _categorical_correct, _cce, _fit,
                                  _mlp_api, _mlp_torch, _seed, _timed, mnist)

DECODE_SECONDS = 0.002
BATCH = 32
LOADER_EPOCHS = 3  # the loader's throughput over a fit of 3 epochs (processes start each epoch)


def _data(size):
    x, y, _, _ = mnist()
    n = MnistMLP.sizes[size]
    return x[:n], y[:n]


def _compiled_mlp(K):
    model = _mlp_api(K)
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    return model


def _decoding_dataset(K, x, y, workers, use_multiprocessing=False):
    """Batches by index, each taking DECODE_SECONDS to produce."""
    class Decoding(K.utils.PyDataset):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

        def __len__(self):
            return math.ceil(len(x) / BATCH)

        def __getitem__(self, i):
            time.sleep(DECODE_SECONDS)
            return x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]

    return Decoding(workers=workers, use_multiprocessing=use_multiprocessing)


def _no_step_model(K):
    """The loader alone: a model whose training step does nothing, so `fit` runs as fast as its
    data arrives (the conversion of each batch to tensors and the loop's own work included)."""
    class NoStep(K.Sequential):
        def train_step(self, data):
            return {}

    model = NoStep([K.Input((784,)), K.layers.Dense(10)])
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    return model


def _wall(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class _Batches(torch.utils.data.Dataset):
    """The PyTorch side's map-style dataset of whole batches (DataLoader(batch_size=None))."""

    def __init__(self, x, y):
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y)

    def __len__(self):
        return math.ceil(len(self.x) / BATCH)

    def __getitem__(self, i):
        time.sleep(DECODE_SECONDS)
        return self.x[i * BATCH:(i + 1) * BATCH], self.y[i * BATCH:(i + 1) * BATCH]


def _torch_loop(loader, steps):
    """The hand-written loop over a DataLoader: the same network, loss and SGD as mnist_mlp."""
    _seed()
    net = _mlp_torch()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, foreach=True)

    def loop():
        net.train()
        running, correct = 0.0, 0.0
        for xb, yb in loader:
            out = net(xb)
            loss = _cce(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running += loss.item() * xb.shape[0]
            correct += _categorical_correct(out, yb).item()
        return running, correct
    seconds, _ = _timed(loop)
    return Measurement(seconds, steps)


class InputBoundWorkers(MnistMLP):
    name = "input_bound_workers"
    title = "MNIST MLP fed by a PyDataset decoding 2 ms/batch, workers=4 (ref: workers=1)"
    target = 1.2                 # cornu / PyTorch (a DataLoader with 4 worker processes)
    reference = "workers=1"
    reference_target = 1 / 3     # cornu / reference: at least 3x the throughput of 1 worker
    fits = False

    def _run(self, K, size, workers):
        _seed()
        x, y = _data(size)
        model = _compiled_mlp(K)
        ds = _decoding_dataset(K, x, y, workers)
        seconds, _ = _fit(model, lambda: model.fit(ds, epochs=1, shuffle=False, verbose=0), False)
        return Measurement(seconds, len(ds))

    def run_api(self, K, size, jit_compile=False):
        return self._run(K, size, 4)

    def run_reference(self, K, size):
        return self._run(K, size, 1)

    def run_torch(self, size):
        x, y = _data(size)
        loader = DataLoader(_Batches(x, y), batch_size=None, num_workers=4)
        return _torch_loop(loader, len(loader))

    def details(self, K, size, entry, repeats=3):
        """Wall-clock medians (seconds) of the step alone, a batch's load alone and the loader
        alone, with the ceiling they put on the end-to-end ratio. `entry` holds the end-to-end
        runs (cornu_s: workers=4, reference_s: workers=1)."""
        x, y = _data(size)
        ds = _decoding_dataset(K, x, y, 1)
        batches = len(ds)
        median = lambda fn: sorted(fn() for _ in range(repeats))[repeats // 2]
        model = _compiled_mlp(K)
        model.fit(x[:BATCH * 4], y[:BATCH * 4], batch_size=BATCH, verbose=0)  # first-call costs
        step = median(lambda: _wall(lambda: model.fit(
            x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0))) / batches
        load = median(lambda: _wall(lambda: [ds[i] for i in range(batches)])) / batches
        out = {"step_ms": step * 1e3, "load_ms": load * 1e3, "workers": 4}
        out["ceiling"] = (step + load) / max(step, load / 4)
        if entry.get("cornu_s") and entry.get("reference_s"):
            out["end_to_end"] = (statistics.median(entry["reference_s"]) /
                                 statistics.median(entry["cornu_s"]))
        loader = {}
        for label, workers, processes in (("workers=1", 1, False), ("workers=4 threads", 4, False),
                                          ("workers=4 processes", 4, True)):
            ds = _decoding_dataset(K, x, y, workers, processes)
            model = _no_step_model(K)
            model.fit(ds, epochs=1, verbose=0)  # first-call costs
            loader[label] = LOADER_EPOCHS * batches / median(lambda: _wall(
                lambda: model.fit(ds, epochs=LOADER_EPOCHS, shuffle=False, verbose=0)))
        out["loader_batches_per_s"] = loader
        # A batch's load as the loop sees it (the sleep in the loop's own thread, the batch's
        # conversion): on a busy machine a thread that also computes wakes later from a sleep
        # than one that only sleeps, so this can be well over load_ms, and so can workers=1.
        out["load_in_loop_ms"] = 1e3 / loader["workers=1"]
        in_loop = out["load_in_loop_ms"] / 1e3
        out["ceiling_in_loop"] = (step + in_loop) / max(step, in_loop / 4)
        out["loader_threads_over_1"] = loader["workers=4 threads"] / loader["workers=1"]
        out["loader_processes_over_1"] = loader["workers=4 processes"] / loader["workers=1"]
        return out

    @staticmethod
    def report(details):
        """The lines `benchmarks.run` prints under its table."""
        d, loader = details, details["loader_batches_per_s"]
        end = f"{d['end_to_end']:.2f}x" if "end_to_end" in d else "-"
        met = min(d["loader_threads_over_1"], d["loader_processes_over_1"]) >= 3
        return [
            f"input_bound_workers: end to end workers=4 / workers=1 = {end} throughput; ceiling "
            f"(step + load) / max(step, load / 4) = {d['ceiling']:.2f}x from step "
            f"{d['step_ms']:.2f} ms, load {d['load_ms']:.2f} ms per batch ("
            f"{d['ceiling_in_loop']:.2f}x from the load in the loop, "
            f"{d['load_in_loop_ms']:.2f} ms: 1 / the loader's workers=1 rate)",
            "  the loader alone (a no-op step), batches/s: " + ", ".join(
                f"{k} {v:.0f}" for k, v in loader.items()) +
            f"; threads {d['loader_threads_over_1']:.2f}x, processes "
            f"{d['loader_processes_over_1']:.2f}x workers=1 (target >=3x: "
            f"{'ok' if met else 'MISS'})"]


class DataLoaderVsArrays(MnistMLP):
    name = "dataloader_vs_arrays"
    title = "MNIST MLP fed by a shuffling torch DataLoader, batch 32 (ref: fit on arrays)"
    target = 1.15               # cornu / PyTorch over the same DataLoader
    reference = "arrays"
    reference_target = 1.15     # cornu's DataLoader path / cornu's array path
    fits = False

    def _loader(self, size):
        x, y = _data(size)
        return DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                          batch_size=BATCH, shuffle=True, generator=torch.Generator().manual_seed(0))

    def run_api(self, K, size, jit_compile=False):
        _seed()
        loader = self._loader(size)
        model = _compiled_mlp(K)
        seconds, _ = _fit(model, lambda: model.fit(loader, epochs=1, shuffle=False, verbose=0),
                          False)
        return Measurement(seconds, len(loader))

    def run_reference(self, K, size):
        _seed()
        x, y = _data(size)
        model = _compiled_mlp(K)
        seconds, _ = _fit(model, lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0),
                          False)
        return Measurement(seconds, math.ceil(len(x) / BATCH))

    def run_torch(self, size):
        loader = self._loader(size)
        return _torch_loop(loader, len(loader))


DATA_WORKLOADS = [InputBoundWorkers(), DataLoaderVsArrays()]
