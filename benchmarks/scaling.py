"""Data-parallel scaling: samples per second of `fit` on the MNIST CNN with 1, 2, ... processes.

    python -m benchmarks.scaling                      # 1 and 2 processes, global batch 64
    python -m benchmarks.scaling --nproc 1,2,4 --samples 8000 --batch 128

Each count runs under `torchrun --standalone` (1 process: plainly, no process group), the same
script in every rank: the notes' MNIST CNN (Conv2D(128, 2x2)-MaxPool-Dense, adam) on the first
`--samples` MNIST images (random images of MNIST's shape where MNIST is not on disk), one
untimed warm-up epoch, then one timed epoch at global batch `--batch`. Rank 0 reports
samples/s; the table gives the speed-up over 1 process. On a CPU, the processes share the
cores (torchrun gives each OMP_NUM_THREADS=1; the 1-process run gets the same), so 2
processes on 2 cores is at best 2x and less on a busy machine. Writes
benchmarks/results/scaling.json.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")


def _data(samples):
    import numpy as np
    from benchmarks import workloads
    try:
        x, y, _, _ = workloads.mnist()
    except OSError:
        rng = np.random.default_rng(0)
        x = rng.random((samples, 784), dtype="float32")
        y = np.eye(10, dtype="float32")[rng.integers(0, 10, samples)]
    return x[:samples].reshape(-1, 28, 28, 1), y[:samples]


def rank_main(samples, batch, out):
    """One rank's run (under torchrun, or alone for 1 process)."""
    import cornu as K
    x, y = _data(samples)
    K.utils.set_random_seed(0)
    model = K.Sequential([K.Input((28, 28, 1)), K.layers.Conv2D(128, (2, 2)),
                          K.layers.MaxPooling2D((2, 2)), K.layers.Flatten(),
                          K.layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"])
    model.fit(x[:batch * 4], y[:batch * 4], batch_size=batch, epochs=1, verbose=0)  # warm-up
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    if int(os.environ.get("RANK", "0")) == 0:
        with open(out, "w") as f:
            json.dump({"seconds": seconds, "samples_per_s": len(x) / seconds,
                       "loss": history.history["loss"][-1]}, f)


def launch(nproc, samples, batch, timeout):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "rank0.json")
        script = [os.path.abspath(__file__), "--rank-run", "--samples", str(samples),
                  "--batch", str(batch), "--out", out]
        env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")
        command = [sys.executable, *script] if nproc == 1 else [
            sys.executable, "-m", "torch.distributed.run", "--standalone",
            f"--nproc_per_node={nproc}", *script]
        subprocess.run(command, env=env, check=True, timeout=timeout)
        with open(out) as f:
            return json.load(f)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nproc", default="1,2")
    parser.add_argument("--samples", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--rank-run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rank_run:
        rank_main(args.samples, args.batch, args.out)
        return None
    rows = {}
    for n in (int(v) for v in args.nproc.split(",")):
        rows[n] = launch(n, args.samples, args.batch, args.timeout)
        print(f"{n} process(es): {rows[n]['samples_per_s']:8.0f} samples/s "
              f"({rows[n]['seconds']:.2f} s), speed-up x{rows[n]['samples_per_s'] / rows[min(rows)]['samples_per_s']:.2f}",
              flush=True)
    os.makedirs(RESULTS, exist_ok=True)
    import torch
    result = {"workload": "MNIST CNN, 1 epoch", "samples": args.samples,
              "global_batch": args.batch, "cpus": os.cpu_count(),
              "device": "cuda" if torch.cuda.is_available() else "cpu",
              "load_average": os.getloadavg()[0], "runs": rows}
    with open(os.path.join(RESULTS, "scaling.json"), "w") as f:
        json.dump(result, f, indent=1)
    return result


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    main()
