"""Python bookkeeping that runs eagerly inside a `torch.compile`d step.

With `compile(jit_compile=True)` a model's own `train_step` runs under `torch.compile`
(trainers/compiled_step.py), and with it what the step calls: `optimizer.apply`, the metrics'
`update_state`/`result`, `zero_grad`. Those keep Python state for the eager fast path (counts,
host scalars such as the learning rate, metric updates batched in lists), on which Dynamo would
guard and recompile at every step. Marked with `eager_under_compile`, each runs eagerly there,
between two compiled pieces (a graph break), and costs one check everywhere else.
"""
import contextlib
import functools

import torch

_IN_COMPILED_STEP = [False]


@contextlib.contextmanager
def compiled_step():
    """Marks the call of a `torch.compile`d step: marked functions run eagerly inside it."""
    outer = _IN_COMPILED_STEP[0]
    _IN_COMPILED_STEP[0] = True
    try:
        yield
    finally:
        _IN_COMPILED_STEP[0] = outer


def eager_under_compile(fn):
    """`fn`, run eagerly (neither traced nor compiled, nor what it calls) inside a compiled
    step; a call of it from traced code is a graph break."""
    if getattr(fn, "eager_under_compile", False):
        return fn
    disabled = torch.compiler.disable(fn)
    flag = _IN_COMPILED_STEP

    @functools.wraps(fn)
    def run(*args, **kwargs):
        if flag[0]:
            return disabled(*args, **kwargs)
        return fn(*args, **kwargs)

    run.eager_under_compile = True
    _skip(run)
    return run


def _skip(fn):
    """Dynamo neither traces `fn` (a call of it from traced code is a graph break) nor compiles
    it as a frame of its own; the functions it calls are Dynamo's as usual."""
    try:
        from torch._dynamo.decorators import skip
    except ImportError:  # (older torch: the wrapper is traced, to the same effect, slower)
        return
    skip(fn)
