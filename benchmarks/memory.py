"""Peak memory of `fit` on MNIST, one side per process.

    python -m benchmarks.memory cornu|torch|keras [--size full]

Reads the resident set size after the imports (and one warm-up step of a tiny model), loads
MNIST (the same NumPy arrays on every side), resets the kernel's peak counter (so the data
loading's temporaries do not count), runs one epoch of the MNIST MLP, and reads the peak. Prints JSON with, in MiB:
`peak_minus_imports` (the headline: peak RSS during fit minus RSS after imports; the data set
itself, 180 MiB of float32, is in it on every side) and `fit_increment` (peak during fit minus
RSS just before it: what training itself allocated).
"""
import argparse
import json
import os
import sys


def _status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0  # kB → MiB
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("side", choices=["cornu", "torch", "keras"])
    parser.add_argument("--size", default="full")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.side == "keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import warnings
        warnings.filterwarnings("ignore")
        import keras as K
    elif args.side == "cornu":
        import cornu as K
    import numpy as np  # noqa: F401
    import torch  # noqa: F401

    from benchmarks import workloads
    if args.threads:
        torch.set_num_threads(args.threads)
    # One step of a one-weight model first: what each side imports lazily on its first step
    # (torch.optim pulls in torch._dynamo, for one) belongs to the imports, not to training.
    tiny = workloads.YEqualsX()
    tiny.run_torch("smoke") if args.side == "torch" else tiny.run_api(K, "smoke")
    after_imports = _status("VmRSS")
    workloads.mnist()
    workload = workloads.MnistMLP()
    before_fit = _status("VmRSS")
    reset = _reset_peak()
    if args.side == "torch":
        workload.run_torch(args.size, lazy=True)  # no copy of the data set
    else:
        workload.run_api(K, args.size)
    peak = _status("VmHWM")
    print(json.dumps({"side": args.side, "after_imports": after_imports, "before_fit": before_fit,
                      "peak": peak, "peak_minus_imports": peak - after_imports,
                      "fit_increment": peak - before_fit, "peak_reset": reset}))


if __name__ == "__main__":
    sys.exit(main())
