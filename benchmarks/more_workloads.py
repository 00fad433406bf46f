"""Larger workloads (issue 19): a CIFAR-10 CNN and an IMDB-sized LSTM, on synthetic data of the
real data sets' shapes (nothing is downloaded), each against the same network written by hand
in PyTorch (same layers, same optimizer and loss; PyTorch's own initializers, which do not
change the time of a step).

- `cifar10_cnn`: the CIFAR-10 CNN the issue names: 32x32x3 input, two blocks of
  Conv2D(32|64, 3, relu) x2 -> MaxPooling2D -> Dropout(0.25), then Flatten -> Dense(512, relu)
  -> Dropout(0.5) -> Dense(10, softmax); adam, batch 32.
- `cifar10_notes_cnn`: the course notes' own CIFAR-10 model: their MNIST CNN ("the modelling
  is the same as MNIST") on 32x32x3 images: Conv2D(128, 2x2) -> MaxPooling2D -> Flatten ->
  Dense(10, softmax); adam, batch 10.
- `imdb_lstm`: Embedding(20000, 128) -> LSTM(128) -> Dense(1, sigmoid) on sequences of 80
  word indices, adam, binary cross-entropy, batch 32.
"""
import math

import numpy as np
import torch
from torch import nn

from benchmarks.workloads import (Measurement, Workload, _bce, _binary_correct,
                                  _categorical_correct, _cce, _fit, _jit, _LastStep, _seed,
                                  _torch_fit)

_DATA = {}


def cifar_like(n):
    """`n` CIFAR-10-shaped samples: float32 images in [0, 1) and one-hot labels (seeded)."""
    if _DATA.get("cifar", (0,))[0] < n:
        rng = np.random.default_rng(10)
        x = rng.random((n, 32, 32, 3), dtype=np.float32)
        y = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
        _DATA["cifar"] = (n, x, y)
    _, x, y = _DATA["cifar"]
    return x[:n], y[:n]


def imdb_like(n, vocabulary=20000, length=80):
    """`n` IMDB-shaped samples: int32 word indices in [1, vocabulary) and 0/1 labels."""
    if _DATA.get("imdb", (0,))[0] < n:
        rng = np.random.default_rng(20)
        x = rng.integers(1, vocabulary, (n, length)).astype("int32")
        y = rng.integers(0, 2, (n, 1)).astype("float32")
        _DATA["imdb"] = (n, x, y)
    _, x, y = _DATA["imdb"]
    return x[:n], y[:n]


class Cifar10CNN(Workload):
    name = "cifar10_cnn"
    title = "CIFAR-10 CNN 2x(Conv32|64 x2-MaxPool-Dropout)-Dense512, adam, batch 32"
    target = 0.80
    needs = ("Conv2D", "MaxPooling2D", "Dropout")
    sizes = {"full": 1600, "quick": 320, "smoke": 64}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y = cifar_like(self.sizes[size])
        L = K.layers
        model = K.Sequential([
            K.Input((32, 32, 3)),
            L.Conv2D(32, 3, activation="relu"), L.Conv2D(32, 3, activation="relu"),
            L.MaxPooling2D(), L.Dropout(0.25),
            L.Conv2D(64, 3, activation="relu"), L.Conv2D(64, 3, activation="relu"),
            L.MaxPooling2D(), L.Dropout(0.25),
            L.Flatten(), L.Dense(512, activation="relu"), L.Dropout(0.5),
            L.Dense(10, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"],
                      **_jit(jit_compile))
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=1, batch_size=32, verbose=0),
                             jit_compile)
        return Measurement(seconds, math.ceil(len(x) / 32), info)

    def run_torch(self, size):
        _seed()
        x, y = cifar_like(self.sizes[size])
        x, y = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(y)
        net = nn.Sequential(
            nn.Conv2d(3, 32, 3), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(),
            nn.MaxPool2d(2), nn.Dropout(0.25),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.Conv2d(64, 64, 3), nn.ReLU(),
            nn.MaxPool2d(2), nn.Dropout(0.25),
            nn.Flatten(), nn.Linear(64 * 5 * 5, 512), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(512, 10), nn.Softmax(dim=1))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, foreach=True)
        return _torch_fit(net, opt, _cce, x, y, 32, 1, _categorical_correct)


class Cifar10NotesCNN(Workload):
    name = "cifar10_notes_cnn"
    title = "CIFAR-10, the notes' CNN Conv2D(128,2x2)-MaxPool-Dense, adam, batch 10"
    target = 0.80
    needs = ("Conv2D", "MaxPooling2D")
    sizes = {"full": 2000, "quick": 400, "smoke": 30}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y = cifar_like(self.sizes[size])
        model = K.Sequential([K.Input((32, 32, 3)), K.layers.Conv2D(128, (2, 2), padding="valid"),
                              K.layers.MaxPooling2D(pool_size=(2, 2)), K.layers.Flatten(),
                              K.layers.Dense(10, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"],
                      **_jit(jit_compile))
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=1, batch_size=10, verbose=0),
                             jit_compile)
        return Measurement(seconds, math.ceil(len(x) / 10), info)

    def run_torch(self, size):
        _seed()
        x, y = cifar_like(self.sizes[size])
        x, y = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(y)
        net = nn.Sequential(nn.Conv2d(3, 128, 2), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(128 * 15 * 15, 10), nn.Softmax(dim=1))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, foreach=True)
        return _torch_fit(net, opt, _cce, x, y, 10, 1, _categorical_correct)


class ImdbLSTM(Workload):
    name = "imdb_lstm"
    title = "IMDB-sized LSTM Embedding(20000,128)-LSTM(128)-Dense(1), length 80, adam, batch 32"
    target = 0.95
    needs = ("Embedding", "LSTM")
    sizes = {"full": 1600, "quick": 320, "smoke": 64}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y = imdb_like(self.sizes[size])
        model = K.Sequential([K.Input((80,), dtype="int32"), K.layers.Embedding(20000, 128),
                              K.layers.LSTM(128), K.layers.Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"],
                      **_jit(jit_compile))
        seconds, info = _fit(model, lambda: model.fit(x, y, epochs=1, batch_size=32, verbose=0),
                             jit_compile)
        return Measurement(seconds, math.ceil(len(x) / 32), info)

    def run_torch(self, size):
        _seed()
        x, y = imdb_like(self.sizes[size])
        x, y = torch.from_numpy(x).long(), torch.from_numpy(y)
        net = nn.Sequential(nn.Embedding(20000, 128), nn.LSTM(128, 128, batch_first=True),
                            _LastStep(), nn.Linear(128, 1), nn.Sigmoid())
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, foreach=True)
        return _torch_fit(net, opt, _bce, x, y, 32, 1, _binary_correct)


MORE_WORKLOADS = [Cifar10CNN(), Cifar10NotesCNN(), ImdbLSTM()]
