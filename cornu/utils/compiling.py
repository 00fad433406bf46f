"""Python bookkeeping that runs eagerly inside a `torch.compile`d step.

With `compile(jit_compile=True)` a model's own `train_step` runs under `torch.compile`
(trainers/compiled_step.py), and with it what the step calls: `optimizer.apply`, the metrics'
`update_state`/`result`, `zero_grad`. Those keep Python state for the eager fast path (counts,
host scalars such as the learning rate, metric updates batched in lists), on which Dynamo would
guard and recompile at every step. Marked with `eager_under_compile`, each runs eagerly there,
between two compiled pieces (a graph break), and costs one check everywhere else. Nothing here
imports Dynamo until a compiled step is made (`prepare()`): it takes seconds to import.
"""
import contextlib
import functools

_IN_COMPILED_STEP = [False]
_PREPARED = [False]


def prepare():
    """Tells Dynamo to leave the wrappers below untraced (a call of one from traced code is a
    graph break; the functions they call are Dynamo's as usual). Called before compiling."""
    if _PREPARED[0]:
        return
    _PREPARED[0] = True
    try:
        from torch._dynamo.eval_frame import skip_code
    except ImportError:  # (another torch: the wrapper is traced, to the same effect, slower)
        return
    skip_code(_wrapper_code)


@contextlib.contextmanager
def compiled_step():
    """Marks the call of a `torch.compile`d step: marked functions run eagerly inside it."""
    prepare()
    outer = _IN_COMPILED_STEP[0]
    _IN_COMPILED_STEP[0] = True
    try:
        yield
    finally:
        _IN_COMPILED_STEP[0] = outer


def _eagerly(fn):
    """`fn` with Dynamo disabled for it and all it calls (made once, at the first need)."""
    disabled = fn.__dict__.get("_disabled")
    if disabled is None:
        import torch
        disabled = fn.__dict__["_disabled"] = torch.compiler.disable(fn)
    return disabled


def eager_under_compile(fn):
    """`fn`, run eagerly (neither traced nor compiled, nor what it calls) inside a compiled
    step; a call of it from traced code is a graph break."""
    if getattr(fn, "eager_under_compile", False):
        return fn
    flag = _IN_COMPILED_STEP

    @functools.wraps(fn)
    def run(*args, **kwargs):
        if flag[0]:
            return _eagerly(fn)(*args, **kwargs)
        return fn(*args, **kwargs)

    run.eager_under_compile = True
    run._torchdynamo_disable = True  # (Dynamo's mark: traced code calling it breaks the graph)
    return run


_wrapper_code = eager_under_compile(lambda: None).__code__  # every wrapper's code object
