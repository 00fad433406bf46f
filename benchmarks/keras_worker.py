"""Runs workloads on real Keras 3 in a process of its own (its backend set before import).

    KERAS_BACKEND=torch python -m benchmarks.keras_worker --size full --repeats 3 mnist_mlp ...

Prints one JSON object: `{workload: {"seconds": [...], "steps": n}}` or `{"error": "..."}`.
"""
import argparse
import json
import os
import sys
import traceback


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+")
    parser.add_argument("--size", default="full")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clock", default="wall")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import warnings
    warnings.filterwarnings("ignore")
    import keras

    import torch

    from benchmarks import workloads
    from benchmarks.workloads import BY_NAME
    workloads.set_clock(args.clock)
    if args.threads:
        torch.set_num_threads(args.threads)
    results = {"_backend": keras.backend.backend(), "_version": keras.__version__}
    for name in args.names:
        workload = BY_NAME[name]
        try:
            workload.run_api(keras, "smoke")  # warm-up: imports, kernels, allocator
            runs = [workload.run_api(keras, args.size) for _ in range(args.repeats)]
            results[name] = {"seconds": [r.seconds for r in runs], "steps": runs[0].steps}
        except Exception as error:  # report, keep going with the other workloads
            results[name] = {"error": f"{type(error).__name__}: {error}".strip()[:300],
                             "trace": traceback.format_exc(limit=3)[-600:]}
        print(f"keras {name} done", file=sys.stderr, flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
