"""cornu's thread policy (cornu/trainers/threads.py) against fixed thread counts, in one process.

    python -m benchmarks.thread_policy                 # breast-cancer and MNIST MLP fits
    python -m benchmarks.thread_policy --under-load    # the same with one core busy

Each repeat runs every mode once, in rotating order (so drifts in the machine's speed hit all):
`policy` (cornu chooses, from torch's default count), `default` (the policy off: torch's one
thread per core) and `threads=N` for each fixed count (set with `torch.set_num_threads`, which
the policy honours). Wall clock (of `fit` alone): thread counts change what CPU time means. Prints the median
seconds per fit and each mode's ratio to `default`.
"""
import argparse
import statistics

import torch

from benchmarks import load
from benchmarks.workloads import BY_NAME


def _modes(fixed):
    from cornu.trainers import threads
    default = threads.AT_IMPORT
    real_enter = threads.enter

    def run(mode, fn):
        threads.enter = real_enter if mode != "default" else (lambda *args: None)
        torch.set_num_threads(default if mode in ("policy", "default") else int(mode[8:]))
        try:
            return fn()
        finally:
            threads.enter = real_enter
            torch.set_num_threads(default)
    return ["policy", "default"] + [f"threads={n}" for n in fixed], run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="breast_cancer,mnist_mlp")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", default="full")
    parser.add_argument("--fixed", default="1", help="fixed thread counts to compare, e.g. 1,2")
    parser.add_argument("--under-load", action="store_true", help="one core busy for the run")
    args = parser.parse_args(argv)
    import cornu
    modes, run = _modes([int(n) for n in args.fixed.split(",") if n])
    results = {}
    with load.busy_cores(1 if args.under_load else 0) as label:
        for name in args.only.split(","):
            workload = BY_NAME[name]
            workload.run_api(cornu, "smoke")
            times = {mode: [] for mode in modes}
            for i in range(args.repeats):
                for mode in modes[i % len(modes):] + modes[:i % len(modes)]:
                    measured = run(mode, lambda: workload.run_api(cornu, args.size))
                    times[mode].append(measured.seconds)
            results[name] = {mode: statistics.median(t) for mode, t in times.items()}
    loadavg = open("/proc/loadavg").read().split()[:3]
    print(f"thread policy, {args.size}, median of {args.repeats}, wall s per fit"
          f"{'; UNDER LOAD: ' + label if label else ''}; load average after {loadavg}")
    for name, medians in results.items():
        base = medians["default"]
        print(f"  {name:14s} " + "  ".join(f"{mode} {s:.3f}s ({s / base:.2f}x)"
                                          for mode, s in medians.items()))
    return results


if __name__ == "__main__":
    main()
