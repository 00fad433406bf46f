"""Load-insensitive counts of a workload's timed part: Python bytecodes executed (by function) and
aten ops dispatched, per unit. On a shared machine timings spread +-30%; these counts do not move,
so they tell two versions of cornu apart where the clock cannot.

    python -m benchmarks.counts logistic_regression                # totals per unit
    python -m benchmarks.counts predict_1 --top 30                 # and the top functions
    python -m benchmarks.counts mnist_mlp --size quick --ops       # aten ops per unit too

Run it in two checkouts (PYTHONPATH=. in each) and compare. Bytecodes are a proxy for Python's
interpreter cost, not a time: a C call behind one bytecode can cost more than a hundred others.
"""
import argparse
import collections
import os
import re
import sys

import torch
from torch.utils._python_dispatch import TorchDispatchMode


class _OpCounter(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.counts = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.counts[str(func)] += 1
        return func(*args, **(kwargs or {}))


def _bytecode_tracer(counts):
    def tracer(frame, event, arg):
        if event == "call":
            frame.f_trace_opcodes, frame.f_trace_lines = True, False
            return tracer
        if event == "opcode":
            code = frame.f_code
            counts[(code.co_filename, code.co_firstlineno, code.co_name)] += 1
        return tracer
    return tracer


def _run_traced(name, size, bytecodes=None, op_counter=None):
    from benchmarks import workloads as W
    import cornu

    def traced(fn):
        def inner(*args, **kwargs):
            if bytecodes is not None:
                sys.settrace(_bytecode_tracer(bytecodes))
            try:
                if op_counter is None:
                    return fn(*args, **kwargs)
                with op_counter:
                    return fn(*args, **kwargs)
            finally:
                sys.settrace(None)
        return inner

    timed = W._timed  # (`_fit` times through it too: wrapping both counted every op twice)
    W._timed = lambda fn: timed(traced(fn))
    try:
        return W.BY_NAME[name].run_api(cornu, size).steps
    finally:
        W._timed = timed


def count(name, size="quick", ops=False):
    """`(units, bytecodes Counter, aten ops Counter or None)` of the workload's timed part; the
    ops are counted in a run of their own (the counting mode runs Python of its own)."""
    _run_traced(name, "smoke", collections.Counter(), _OpCounter() if ops else None)  # warm-up
    bytecodes = collections.Counter()
    units = _run_traced(name, size, bytecodes)
    op_counter = None
    if ops:
        op_counter = _OpCounter()
        _run_traced(name, size, None, op_counter)
    return units, bytecodes, (op_counter.counts if op_counter else None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload")
    parser.add_argument("--size", default="quick", choices=["smoke", "quick", "full"])
    parser.add_argument("--top", type=int, default=0, help="list the N costliest functions")
    parser.add_argument("--ops", action="store_true", help="count aten ops as well")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    units, bytecodes, ops = count(args.workload, args.size, args.ops)
    print(f"{args.workload}: {sum(bytecodes.values()) / units:.0f} bytecodes per unit"
          + (f", {sum(ops.values()) / units:.2f} aten ops per unit" if ops else "")
          + f" ({units} units)")
    for (file, line, fn), n in bytecodes.most_common(args.top):
        file = re.sub(r".*/(cornu|torch|benchmarks)/", r"\1/", file)
        print(f"  {n / units:8.1f}  {file}:{line}({fn})")
    if ops and args.top:
        print("  aten ops per unit:")
        for op, n in ops.most_common(args.top):
            print(f"  {n / units:8.2f}  {op}")
    return units, bytecodes, ops


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    main()
