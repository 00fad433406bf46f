"""Training speed of a functional graph (two inputs, shared tower, residual Add, concatenate,
two outputs): cornu vs the same network hand-written in PyTorch, and Keras 3 when installed.

    python benchmarks/functional_graph.py [--steps 300] [--batch 64]

Prints milliseconds per training step and cornu's ratio to hand-written PyTorch.
"""
import argparse
import os
import time

import numpy as np
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")


def build(lib):
    L = lib.layers
    a, b = lib.Input(shape=(64,)), lib.Input(shape=(64,))
    tower = L.Dense(128, activation="relu")
    block = L.Dense(128)
    ha, hb = tower(a), tower(b)
    ra = L.Activation("relu")(L.Add()([ha, block(ha)]))
    rb = L.Activation("relu")(L.Add()([hb, block(hb)]))
    merged = L.Concatenate()([ra, rb])
    return lib.Model([a, b], [L.Dense(1)(merged), L.Dense(10, activation="softmax")(merged)])


class Torch(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.tower, self.block = torch.nn.Linear(64, 128), torch.nn.Linear(128, 128)
        self.head_a, self.head_b = torch.nn.Linear(256, 1), torch.nn.Linear(256, 10)

    def forward(self, a, b):
        ha, hb = torch.relu(self.tower(a)), torch.relu(self.tower(b))
        ra, rb = torch.relu(ha + self.block(ha)), torch.relu(hb + self.block(hb))
        merged = torch.cat([ra, rb], dim=1)
        return self.head_a(merged), torch.softmax(self.head_b(merged), dim=1)


def torch_step_time(x1, x2, y1, y2, steps, batch):
    model = Torch()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    tensors = [torch.as_tensor(t) for t in (x1, x2, y1, y2)]
    n = len(x1)
    start = time.perf_counter()
    for step in range(steps):
        i = (step * batch) % (n - batch)
        a, b, t1, t2 = (t[i:i + batch] for t in tensors)
        p1, p2 = model(a, b)
        loss = torch.mean((p1 - t1) ** 2) + torch.mean(
            -torch.sum(t2 * torch.log(torch.clamp(p2, 1e-7, 1 - 1e-7)), dim=1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return (time.perf_counter() - start) / steps * 1e3


def library_step_time(lib, x1, x2, y1, y2, steps, batch):
    model = build(lib)
    model.compile(optimizer="adam", loss=["mse", "categorical_crossentropy"])
    n = len(x1)
    epochs = max(1, steps * batch // n)
    model.fit([x1, x2], [y1, y2], batch_size=batch, epochs=1, verbose=0)  # warm-up
    start = time.perf_counter()
    model.fit([x1, x2], [y1, y2], batch_size=batch, epochs=epochs, verbose=0, shuffle=False)
    return (time.perf_counter() - start) / (epochs * (n // batch)) * 1e3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    n = args.batch * 50
    x1, x2 = (rng.normal(size=(n, 64)).astype("float32") for _ in range(2))
    y1 = rng.normal(size=(n, 1)).astype("float32")
    y2 = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
    import cornu
    reference = torch_step_time(x1, x2, y1, y2, args.steps, args.batch)
    ours = library_step_time(cornu, x1, x2, y1, y2, args.steps, args.batch)
    print(f"hand-written torch: {reference:.3f} ms/step")
    print(f"cornu:              {ours:.3f} ms/step  ({ours / reference:.2f}x torch)")
    try:
        import keras
    except ImportError:
        return
    theirs = library_step_time(keras, x1, x2, y1, y2, args.steps, args.batch)
    print(f"keras 3 (torch):    {theirs:.3f} ms/step  ({theirs / reference:.2f}x torch)")


if __name__ == "__main__":
    main()
