"""The benchmark workloads: the course notes' models, each written twice.

`run_api(K, size)` is the Keras code a user writes; `K` is `cornu` or real `keras`, so cornu and
Keras 3 run the very same lines. `run_torch(size)` is the same network on the same data written
by hand in idiomatic PyTorch: an `nn.Sequential`, a `torch.optim` optimizer with `foreach=True`,
tensors converted once and batches shuffled and cut before the clock starts, and a loop that
keeps the numbers `fit` reports (the epoch's loss and accuracy, read with `.item()` as the
PyTorch tutorials do). Losses are Keras's formulas (outputs clipped by epsilon before the log),
so both sides compute the same function.

Every run returns a `Measurement`: wall seconds of the timed call (model building and data
loading excluded on both sides; `fit()` is timed whole, so its fixed costs count) and the number
of steps (training steps, batches or calls) it covered.

Sizes: "full" is the benchmark, "quick" a smoke run of the suite, "smoke" a few steps for CI.
"""
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

EPS = 1e-7  # Keras's fuzz factor: losses clip probabilities to [EPS, 1 - EPS]


@dataclass
class Measurement:
    seconds: float
    steps: int
    extra: dict = field(default_factory=dict)


def _seed(seed=0):
    np.random.seed(seed)
    torch.manual_seed(seed)


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]  # the runner sets it; "cpu" (process CPU time) resists a busy machine


def set_clock(name):
    global clock
    clock = CLOCKS[name]


def _timed(fn):
    start = clock()
    out = fn()
    return clock() - start, out


def _use_shared_datasets():
    """Points `CORNU_DATASETS` at a folder that holds MNIST, if one is near: the variable's own
    value, else a `shared/datasets` folder beside one of this checkout's parent folders (where
    the project's machines keep the data sets). Otherwise `load_data()` downloads as usual."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("CORNU_DATASETS")]
    while os.path.dirname(here) != here:
        here = os.path.dirname(here)
        candidates.append(os.path.join(here, "shared", "datasets"))
    for folder in filter(None, candidates):
        if os.path.isdir(os.path.join(folder, "mnist")) or \
                os.path.exists(os.path.join(folder, "mnist.npz")):
            os.environ["CORNU_DATASETS"] = folder
            return


_CACHE = {}


def mnist():
    """MNIST as the notes prepare it: flat float32 in [0, 1] and one-hot float32 labels."""
    if "mnist" not in _CACHE:
        _use_shared_datasets()
        from cornu.datasets import mnist as loader
        (x_train, y_train), (x_test, y_test) = loader.load_data()
        eye = np.eye(10, dtype="float32")
        _CACHE["mnist"] = (x_train.reshape(-1, 784).astype("float32") / 255.0, eye[y_train],
                           x_test.reshape(-1, 784).astype("float32") / 255.0, eye[y_test])
    return _CACHE["mnist"]


def breast_cancer():
    if "bc" not in _CACHE:
        from sklearn.datasets import load_breast_cancer
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        data = load_breast_cancer()
        x_train, _, y_train, _ = train_test_split(data.data, data.target, test_size=0.3,
                                                  random_state=7)
        x_train = StandardScaler().fit(x_train).transform(x_train).astype("float32")
        _CACHE["bc"] = (x_train, y_train.astype("float32"))
    return _CACHE["bc"]


def next_word_data():
    """The notes' next-word example: 'Hi this is a small sentence', two words → the third."""
    words = "hi this is a small sentence".split()
    index = {w: i + 1 for i, w in enumerate(dict.fromkeys(words))}
    seqs = np.array([[index[w] for w in words[i - 3:i]] for i in range(3, len(words) + 1)])
    vocab = len(index) + 1
    return seqs[:, :2].astype("int32"), np.eye(vocab, dtype="float32")[seqs[:, 2]], vocab


# ------------------------------------------------------------------ hand-written PyTorch
def _epoch_batches(n, batch_size, epochs, generator):
    """Index tensors of every batch of every epoch, shuffled as fit() shuffles (before timing)."""
    return [torch.randperm(n, generator=generator).split(batch_size) for _ in range(epochs)]


def _torch_fit(net, opt, loss_fn, x, y, batch_size, epochs, accuracy=None, lazy=False):
    """The hand-written training loop. Returns the Measurement (and the last epoch's numbers).

    Batches are cut before the clock starts; `lazy=True` gathers each batch in the loop instead
    (for the memory benchmark, where cutting them all first would copy the data set).
    """
    n = x.shape[0]
    order = _epoch_batches(n, batch_size, epochs, torch.Generator().manual_seed(0))
    if lazy:
        batches = [((x[i], y[i]) for i in epoch) for epoch in order]
    else:
        batches = [[(x[i], y[i]) for i in epoch] for epoch in order]  # pre-shuffled tensor batches
    history = []

    def loop():
        net.train()
        for epoch in batches:
            running_loss, correct = 0.0, 0.0
            for xb, yb in epoch:
                out = net(xb)
                loss = loss_fn(out, yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                running_loss += loss.item() * xb.shape[0]
                if accuracy is not None:
                    correct += accuracy(out, yb).item()
            history.append((running_loss / n, correct / n))
    seconds, _ = _timed(loop)
    steps = sum(len(e) for e in order)
    return Measurement(seconds, steps, {"last_epoch": history[-1]})


def _mse(out, y):
    return ((out - y) ** 2).mean()


def _bce(out, y):
    return nn.functional.binary_cross_entropy(out.clamp(EPS, 1 - EPS), y)


def _cce(out, y):
    return -(y * out.clamp(EPS, 1 - EPS).log()).sum(dim=1).mean()


def _binary_correct(out, y):
    return ((out > 0.5).float() == y).float().sum()


def _categorical_correct(out, y):
    return (out.argmax(dim=1) == y.argmax(dim=1)).float().sum()


class _LastStep(nn.Module):
    """nn.LSTM returns (outputs, state); the model continues from the last step's output."""

    def forward(self, inputs):
        return inputs[0][:, -1]


# ------------------------------------------------------------------------ workloads
class Workload:
    name = ""
    title = ""
    unit = "step"          # what `steps` counts
    target = None          # cornu / PyTorch ratio to hold
    needs = ()             # cornu.layers names the workload needs
    jit = False            # also run cornu with compile(jit_compile=True) by default
    fits = True            # a fit() workload (jit_compile applies)
    sizes = {}

    def missing_layers(self, K):
        return [name for name in self.needs if not hasattr(K.layers, name)]

    def run_api(self, K, size, jit_compile=False):
        raise NotImplementedError

    def run_torch(self, size):
        raise NotImplementedError


def _jit(jit_compile):
    return {"jit_compile": True} if jit_compile else {}  # (Keras runs pass nothing)


def _fit(model, fit, jit_compile):
    """Times `fit()`. With jit_compile, the first fit compiles (the trainer reports the wall
    time spent compiling) and the same fit is timed again: compiled steps only."""
    if not jit_compile:
        seconds, _ = _timed(fit)
        return seconds, {}
    first, _ = _timed(fit)
    info = dict(getattr(model, "_jit_report", None) or {})
    info["first_fit_seconds"] = first
    seconds, _ = _timed(fit)
    return seconds, info


class YEqualsX(Workload):
    name = "y_equals_x"
    title = "y=x, Dense(1), adam, 1000 epochs"
    target = 1.2
    jit = True
    sizes = {"full": 1000, "quick": 100, "smoke": 3}

    def _data(self):
        x = np.array([[1.0], [2.0], [3.0]], dtype="float32")
        return x, x.copy()

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y = self._data()
        model = K.Sequential([K.Input((1,)), K.layers.Dense(1)])
        model.compile(loss="mse", optimizer="adam", **_jit(jit_compile))
        epochs = self.sizes[size]
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=epochs, verbose=0),
                             jit_compile)
        return Measurement(seconds, epochs, info)

    def run_torch(self, size):
        _seed()
        x, y = (torch.from_numpy(a) for a in self._data())
        net = nn.Sequential(nn.Linear(1, 1))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, foreach=True)
        return _torch_fit(net, opt, _mse, x, y, 32, self.sizes[size])


class LogisticRegression(Workload):
    name = "logistic_regression"
    title = "logistic regression, 6 samples, sgd, 2000 epochs"
    target = 1.2
    jit = True
    sizes = {"full": 2000, "quick": 200, "smoke": 3}

    def _data(self):
        x = np.array([[1, 2], [2, 3], [3, 1], [4, 3], [5, 3], [6, 2]], dtype="float32")
        y = np.array([[0], [0], [0], [1], [1], [1]], dtype="float32")
        return x, y

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y = self._data()
        model = K.Sequential([K.Input((2,)), K.layers.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"],
                      **_jit(jit_compile))
        epochs = self.sizes[size]
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=epochs, verbose=0),
                             jit_compile)
        return Measurement(seconds, epochs, info)

    def run_torch(self, size):
        _seed()
        x, y = (torch.from_numpy(a) for a in self._data())
        net = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
        opt = torch.optim.SGD(net.parameters(), lr=0.01, foreach=True)
        return _torch_fit(net, opt, _bce, x, y, 32, self.sizes[size], _binary_correct)


def _mlp_api(K):
    return K.Sequential([K.Input((784,)), K.layers.Dense(256, activation="relu"),
                         K.layers.Dense(256, activation="relu"),
                         K.layers.Dense(256, activation="relu"),
                         K.layers.Dense(10, activation="softmax")])


def _mlp_torch():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10), nn.Softmax(dim=1))


class MnistMLP(Workload):
    name = "mnist_mlp"
    title = "MNIST MLP 784-256x3-10, sgd, batch 32, 1 epoch"
    target = 1.10
    sizes = {"full": 60000, "quick": 6400, "smoke": 96}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y, _, _ = mnist()
        n = self.sizes[size]
        x, y = x[:n], y[:n]
        model = _mlp_api(K)
        model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"],
                      **_jit(jit_compile))
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=1, batch_size=32, verbose=0),
                             jit_compile)
        return Measurement(seconds, math.ceil(n / 32), info)

    def run_torch(self, size, lazy=False):
        _seed()
        x, y, _, _ = mnist()
        n = self.sizes[size]
        x, y = torch.from_numpy(x[:n]), torch.from_numpy(y[:n])
        net = _mlp_torch()
        opt = torch.optim.SGD(net.parameters(), lr=0.01, foreach=True)
        return _torch_fit(net, opt, _cce, x, y, 32, 1, _categorical_correct, lazy=lazy)


class BreastCancer(Workload):
    name = "breast_cancer"
    title = "breast-cancer MLP 30-10-10-10-1, SGD 0.01, batch 50, 100 epochs"
    target = 1.10
    sizes = {"full": 100, "quick": 10, "smoke": 1}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y = breast_cancer()
        model = K.Sequential([K.Input((30,)), K.layers.Dense(10, activation="sigmoid"),
                              K.layers.Dense(10, activation="sigmoid"),
                              K.layers.Dense(10, activation="sigmoid"),
                              K.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=K.optimizers.SGD(learning_rate=0.01), loss="binary_crossentropy",
                      metrics=["accuracy"], **_jit(jit_compile))
        epochs = self.sizes[size]
        seconds, info = _fit(model, lambda: model.fit(x, y, batch_size=50, epochs=epochs,
                                                      verbose=0), jit_compile)
        return Measurement(seconds, epochs * math.ceil(len(x) / 50), info)

    def run_torch(self, size):
        _seed()
        x, y = breast_cancer()
        x, y = torch.from_numpy(x), torch.from_numpy(y).reshape(-1, 1)
        net = nn.Sequential(nn.Linear(30, 10), nn.Sigmoid(), nn.Linear(10, 10), nn.Sigmoid(),
                            nn.Linear(10, 10), nn.Sigmoid(), nn.Linear(10, 1), nn.Sigmoid())
        opt = torch.optim.SGD(net.parameters(), lr=0.01, foreach=True)
        return _torch_fit(net, opt, _bce, x, y, 50, self.sizes[size], _binary_correct)


class PredictOne(Workload):
    fits = False
    name = "predict_1"
    title = "MNIST MLP predict, 1 sample (per call)"
    unit = "call"
    target = 3.0
    sizes = {"full": 300, "quick": 30, "smoke": 2}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        _, _, x_test, _ = mnist()
        model = _mlp_api(K)
        sample = x_test[:1]
        model.predict(sample, verbose=0)  # first call builds what predict() keeps
        calls = self.sizes[size]
        seconds, _ = _timed(lambda: [model.predict(sample, verbose=0) for _ in range(calls)])
        return Measurement(seconds, calls)

    def run_torch(self, size):
        _seed()
        _, _, x_test, _ = mnist()
        net = _mlp_torch().eval()
        sample = torch.from_numpy(x_test[:1])
        calls = self.sizes[size]

        def loop():
            for _ in range(calls):
                with torch.no_grad():
                    net(sample)
        seconds, _ = _timed(loop)
        return Measurement(seconds, calls)


class Predict10k(Workload):
    fits = False
    name = "predict_10k"
    title = "MNIST MLP predict, 10,000 samples (batch 32)"
    unit = "batch"
    target = 1.10
    sizes = {"full": 10000, "quick": 2000, "smoke": 64}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        _, _, x_test, _ = mnist()
        x = x_test[:self.sizes[size]]
        model = _mlp_api(K)
        seconds, _ = _timed(lambda: model.predict(x, verbose=0))
        return Measurement(seconds, math.ceil(len(x) / 32))

    def run_torch(self, size):
        _seed()
        _, _, x_test, _ = mnist()
        x = torch.from_numpy(x_test[:self.sizes[size]])
        net = _mlp_torch().eval()

        def run():
            with torch.no_grad():
                return torch.cat([net(xb) for xb in x.split(32)]).numpy()
        seconds, _ = _timed(run)
        return Measurement(seconds, math.ceil(len(x) / 32))


class EvaluateMnist(Workload):
    fits = False
    name = "evaluate"
    title = "MNIST MLP evaluate, 10,000 test samples (batch 32)"
    unit = "batch"
    target = 1.10
    sizes = {"full": 10000, "quick": 2000, "smoke": 64}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        _, _, x_test, y_test = mnist()
        n = self.sizes[size]
        model = _mlp_api(K)
        model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
        seconds, _ = _timed(lambda: model.evaluate(x_test[:n], y_test[:n], verbose=0))
        return Measurement(seconds, math.ceil(n / 32))

    def run_torch(self, size):
        _seed()
        _, _, x_test, y_test = mnist()
        n = self.sizes[size]
        x, y = torch.from_numpy(x_test[:n]), torch.from_numpy(y_test[:n])
        net = _mlp_torch().eval()

        def run():
            total, correct = 0.0, 0.0
            with torch.no_grad():
                for xb, yb in zip(x.split(32), y.split(32)):
                    out = net(xb)
                    total += _cce(out, yb).item() * xb.shape[0]
                    correct += _categorical_correct(out, yb).item()
            return total / n, correct / n
        seconds, _ = _timed(run)
        return Measurement(seconds, math.ceil(n / 32))


class MnistCNN(Workload):
    name = "mnist_cnn"
    title = "MNIST CNN Conv2D(128,2x2)-MaxPool-Dense, adam, batch 10, 1000 steps"
    target = 1.10
    needs = ("Conv2D", "MaxPooling2D")
    sizes = {"full": 10000, "quick": 1000, "smoke": 30}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y, _, _ = mnist()
        n = self.sizes[size]
        x, y = x[:n].reshape(-1, 28, 28, 1), y[:n]
        model = K.Sequential([K.Input((28, 28, 1)),
                              K.layers.Conv2D(128, (2, 2), padding="valid"),
                              K.layers.MaxPooling2D(pool_size=(2, 2)), K.layers.Flatten(),
                              K.layers.Dense(10, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"],
                      **_jit(jit_compile))
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=1, batch_size=10, verbose=0),
                             jit_compile)
        return Measurement(seconds, math.ceil(n / 10), info)

    def run_torch(self, size):
        _seed()
        x, y, _, _ = mnist()
        n = self.sizes[size]
        x, y = torch.from_numpy(x[:n]).reshape(-1, 1, 28, 28), torch.from_numpy(y[:n])
        net = nn.Sequential(nn.Conv2d(1, 128, 2), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(128 * 13 * 13, 10), nn.Softmax(dim=1))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, foreach=True)
        return _torch_fit(net, opt, _cce, x, y, 10, 1, _categorical_correct)


class NetworkInNetwork(Workload):
    """The notes' Network-in-Network CNN: 3x3 and 1x1 convolutions with BatchNormalization."""
    name = "nin_cnn"
    title = "NiN CNN (Conv 3x3/1x1 + BatchNorm, 3 pools, Dense 50), adam, batch 32"
    target = 1.10
    needs = ("Conv2D", "MaxPooling2D", "BatchNormalization")
    sizes = {"full": 3200, "quick": 640, "smoke": 64}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y, _, _ = mnist()
        n = self.sizes[size]
        x, y = x[:n].reshape(-1, 28, 28, 1), y[:n]
        L = K.layers

        def conv(filters, k):
            return L.Conv2D(filters, (k, k), padding="same" if k == 3 else "valid",
                            kernel_initializer="he_normal")
        stack = [K.Input((28, 28, 1)), conv(50, 3), L.BatchNormalization(), L.Activation("relu")]
        for block in range(5):
            stack += [conv(50, 3), conv(25, 1), L.BatchNormalization(), L.Activation("relu")]
            if block in (0, 2, 4):
                stack.append(L.MaxPooling2D(pool_size=(2, 2)))
        stack += [L.Flatten(), L.Dense(50, activation="relu", kernel_initializer="he_normal"),
                  L.Dropout(0.5), L.Dense(10, activation="softmax")]
        model = K.Sequential(stack)
        model.compile(loss="categorical_crossentropy",
                      optimizer=K.optimizers.Adam(learning_rate=0.001), metrics=["accuracy"],
                      **_jit(jit_compile))
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=1, batch_size=32, verbose=0),
                             jit_compile)
        return Measurement(seconds, math.ceil(n / 32), info)

    def run_torch(self, size):
        _seed()
        x, y, _, _ = mnist()
        n = self.sizes[size]
        x, y = torch.from_numpy(x[:n]).reshape(-1, 1, 28, 28), torch.from_numpy(y[:n])

        def bn(c):  # Keras's defaults: momentum 0.99 (torch counts 1 - momentum), epsilon 1e-3
            return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)
        stack = [nn.Conv2d(1, 50, 3, padding=1), bn(50), nn.ReLU()]
        for block in range(5):
            stack += [nn.Conv2d(50 if block == 0 else 25, 50, 3, padding=1), nn.Conv2d(50, 25, 1),
                      bn(25), nn.ReLU()]
            if block in (0, 2, 4):
                stack.append(nn.MaxPool2d(2))
        stack += [nn.Flatten(), nn.Linear(25 * 3 * 3, 50), nn.ReLU(), nn.Dropout(0.5),
                  nn.Linear(50, 10), nn.Softmax(dim=1)]
        net = nn.Sequential(*stack)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, foreach=True)
        return _torch_fit(net, opt, _cce, x, y, 32, 1, _categorical_correct)


class NextWordLSTM(Workload):
    name = "next_word_lstm"
    title = "next-word LSTM Embedding(7,8)-LSTM(8)-Dense, adam, 500 epochs"
    target = 1.10
    needs = ("Embedding", "LSTM")
    sizes = {"full": 500, "quick": 50, "smoke": 3}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y, vocab = next_word_data()
        model = K.Sequential([K.Input((2,), dtype="int32"),
                              K.layers.Embedding(input_dim=vocab, output_dim=8),
                              K.layers.LSTM(8), K.layers.Dense(8, activation="relu"),
                              K.layers.Dense(vocab, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"],
                      **_jit(jit_compile))
        epochs = self.sizes[size]
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=epochs, verbose=0),
                             jit_compile)
        return Measurement(seconds, epochs, info)

    def run_torch(self, size):
        _seed()
        x, y, vocab = next_word_data()
        x, y = torch.from_numpy(x).long(), torch.from_numpy(y)
        net = nn.Sequential(nn.Embedding(vocab, 8), nn.LSTM(8, 8, batch_first=True), _LastStep(),
                            nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, vocab), nn.Softmax(dim=1))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, foreach=True)
        return _torch_fit(net, opt, _cce, x, y, 32, self.sizes[size], _categorical_correct)


WORKLOADS = [YEqualsX(), LogisticRegression(), MnistMLP(), BreastCancer(), PredictOne(),
             Predict10k(), EvaluateMnist(), MnistCNN(), NetworkInNetwork(), NextWordLSTM()]
from benchmarks.layer_workloads import LAYER_WORKLOADS  # noqa: E402 (they build on this module)
from benchmarks.step_workloads import STEP_WORKLOADS  # noqa: E402 (as above)
from benchmarks.data_workloads import DATA_WORKLOADS  # noqa: E402 (as above)
from benchmarks.more_workloads import MORE_WORKLOADS  # noqa: E402 (as above)
WORKLOADS += STEP_WORKLOADS + LAYER_WORKLOADS + DATA_WORKLOADS + MORE_WORKLOADS
BY_NAME = {w.name: w for w in WORKLOADS}
