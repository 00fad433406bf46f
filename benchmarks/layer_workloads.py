"""Workloads of issue 16: a small transformer encoder and an augmentation pipeline.

The same two conventions as `workloads.py`: `run_api(K, size)` is the Keras code (cornu or real
Keras 3 run the very same lines), `run_torch(size)` the network written by hand in PyTorch.
"""
import math

import numpy as np
import torch
from torch import nn

from benchmarks.workloads import (Measurement, Workload, _bce, _binary_correct, _fit, _jit,
                                  _seed, _timed, _torch_fit)

VOCAB, SEQ, EMBED, HEADS, BLOCKS, FF = 1000, 128, 128, 4, 2, 128


def _text_data(n):
    rng = np.random.RandomState(0)
    x = rng.randint(2, VOCAB, size=(n, SEQ)).astype("int32")
    y = rng.randint(0, 2, size=(n, 1)).astype("float32")
    x[y[:, 0] == 1, 0] = 1  # a learnable signal: token 1 first
    return x, y


def _transformer_api(K):
    class TokenAndPositionEmbedding(K.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.token_emb = K.layers.Embedding(VOCAB, EMBED)
            self.pos_emb = K.layers.Embedding(SEQ, EMBED)

        def call(self, x):
            return self.token_emb(x) + self.pos_emb(K.ops.arange(0, SEQ, 1))

    inputs = K.Input((SEQ,), dtype="int32")
    h = TokenAndPositionEmbedding()(inputs)
    for _ in range(BLOCKS):
        attention = K.layers.MultiHeadAttention(num_heads=HEADS, key_dim=EMBED // HEADS)(h, h)
        h = K.layers.LayerNormalization(epsilon=1e-6)(h + attention)
        ff = K.layers.Dense(FF, activation="relu")(h)
        ff = K.layers.Dense(EMBED)(ff)
        h = K.layers.LayerNormalization(epsilon=1e-6)(h + ff)
    h = K.layers.GlobalAveragePooling1D()(h)
    return K.Model(inputs, K.layers.Dense(1, activation="sigmoid")(h))


class _Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = nn.MultiheadAttention(EMBED, HEADS, batch_first=True)
        self.norm1 = nn.LayerNorm(EMBED, eps=1e-6)
        self.ff = nn.Sequential(nn.Linear(EMBED, FF), nn.ReLU(), nn.Linear(FF, EMBED))
        self.norm2 = nn.LayerNorm(EMBED, eps=1e-6)

    def forward(self, h):
        h = self.norm1(h + self.attention(h, h, h, need_weights=False)[0])
        return self.norm2(h + self.ff(h))


class _Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.token_emb = nn.Embedding(VOCAB, EMBED)
        self.pos_emb = nn.Embedding(SEQ, EMBED)
        self.blocks = nn.Sequential(*[_Block() for _ in range(BLOCKS)])
        self.head = nn.Sequential(nn.Linear(EMBED, 1), nn.Sigmoid())
        self.register_buffer("positions", torch.arange(SEQ))

    def forward(self, x):
        h = self.token_emb(x) + self.pos_emb(self.positions)
        return self.head(self.blocks(h).mean(dim=1))


class TransformerEncoder(Workload):
    name = "transformer"
    title = "transformer encoder (embed 128, 4 heads, 2 blocks, seq 128, batch 32), adam"
    target = 1.05
    needs = ("MultiHeadAttention", "LayerNormalization", "GlobalAveragePooling1D")
    sizes = {"full": 640, "quick": 128, "smoke": 32}

    def run_api(self, K, size, jit_compile=False):
        _seed()
        x, y = _text_data(self.sizes[size])
        model = _transformer_api(K)
        model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"],
                      **_jit(jit_compile))
        seconds, info = _fit(model, lambda: model.fit(x, y, batch_size=32, epochs=1, verbose=0),
                             jit_compile)
        return Measurement(seconds, math.ceil(len(x) / 32), info)

    def run_torch(self, size):
        _seed()
        x, y = (torch.from_numpy(a) for a in _text_data(self.sizes[size]))
        net = _Encoder()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, foreach=True)
        return _torch_fit(net, opt, _bce, x.long(), y, 32, 1, _binary_correct)


class Augmentation(Workload):
    fits = False
    name = "augmentation"
    title = "RandomFlip + RandomRotation + RandomZoom, 32x32x3 images, batches of 32"
    unit = "batch"
    target = 1.5
    needs = ("RandomFlip", "RandomRotation", "RandomZoom")
    sizes = {"full": 200, "quick": 40, "smoke": 2}

    def _images(self):
        return np.random.RandomState(0).rand(32, 32, 32, 3).astype("float32")

    def run_api(self, K, size, jit_compile=False):
        _seed()
        augment = K.Sequential([K.Input((32, 32, 3)), K.layers.RandomFlip(seed=1),
                                K.layers.RandomRotation(0.1, seed=1),
                                K.layers.RandomZoom(0.1, seed=1)])
        x = torch.as_tensor(self._images())
        augment(x, training=True)  # first call builds
        batches = self.sizes[size]
        seconds, _ = _timed(lambda: [augment(x, training=True) for _ in range(batches)])
        return Measurement(seconds, batches)

    def run_torch(self, size):
        _seed()
        x = torch.as_tensor(self._images()).permute(0, 3, 1, 2)
        batches = self.sizes[size]
        gen = torch.Generator().manual_seed(1)

        def step():
            n = x.shape[0]
            flip = torch.rand(n, generator=gen) < 0.5
            out = torch.where(flip.view(n, 1, 1, 1), x.flip(-1), x)
            flip = torch.rand(n, generator=gen) < 0.5
            out = torch.where(flip.view(n, 1, 1, 1), out.flip(-2), out)
            angle = (torch.rand(n, generator=gen) * 0.2 - 0.1) * 2 * math.pi
            zoom = 1 + torch.rand(n, generator=gen) * 0.2 - 0.1
            for theta in (torch.stack([torch.stack([angle.cos(), -angle.sin(), 0 * angle], -1),
                                       torch.stack([angle.sin(), angle.cos(), 0 * angle], -1)], 1),
                          torch.stack([torch.stack([zoom, 0 * zoom, 0 * zoom], -1),
                                       torch.stack([0 * zoom, zoom, 0 * zoom], -1)], 1)):
                grid = nn.functional.affine_grid(theta, out.shape, align_corners=False)
                out = nn.functional.grid_sample(out, grid, padding_mode="reflection",
                                                align_corners=False)
            return out.permute(0, 2, 3, 1)
        seconds, _ = _timed(lambda: [step() for _ in range(batches)])
        return Measurement(seconds, batches)


LAYER_WORKLOADS = [TransformerEncoder(), Augmentation()]
