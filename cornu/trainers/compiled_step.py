"""`compile(jit_compile=True)` for a model that overrides `train_step`, `test_step` or
`predict_step`: the user's step under `torch.compile`, as Keras 3's torch trainer runs it.

Keras 3 (torch backend) wraps the step in `torch.compile` when `jit_compile` is True and runs it
eagerly for "auto". Here, likewise, each of a model's overridden steps is compiled once and kept
until `compile()` is called again. Dynamo splits the step where it cannot trace (`.backward()`,
a `.item()`, a print): those graph breaks run eagerly between compiled pieces, which is
`torch.compile`'s own behaviour. What Dynamo or Inductor cannot compile at all (a backend that
fails, the recompile limit) is run eagerly by Dynamo frame by frame, from the frame's start, so
no update is done twice or lost; the step then stays eager, with one `JitCompileWarning` that
says why.

The first call runs eagerly: it builds what is built lazily (the compiled metrics, the
optimizer's slots), which is Python bookkeeping Dynamo would otherwise trace once and then guard
on. Compile time goes to `Model._jit_report` (`compile_seconds`, `compiles`, `fallback`), as for
the built-in compiled step (trainers/jit.py).
"""
import contextlib
import logging
import time
import warnings

import torch

from cornu.trainers.jit import JitCompileWarning, _graph_counter, _own_code
from cornu.utils.compiling import compiled_step

STEPS = ("train_step", "test_step", "predict_step")
_DYNAMO_LOG = "torch._dynamo.convert_frame"  # where Dynamo says it gave up on a frame


def _run_step(model, name, data):
    """The function `torch.compile` traces: the model's (overridden) step on one batch."""
    return getattr(model, name)(data)


class _Failures(logging.Filter):
    """Takes what Dynamo logs when it gives up on a frame and runs it eagerly (the failure
    becomes one warning of ours instead of a page of log); lets every other record through."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def filter(self, record):
        if record.levelno < logging.WARNING:
            return True
        message = record.getMessage().strip()
        if not (message.startswith("WON'T CONVERT") or "recompile_limit" in message):
            return True
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:  # the backend's own error, not Dynamo's wrapper of it
            error = getattr(error, "inner_exception", None) or error.__cause__ or error
            first = (str(error).strip().splitlines() or [""])[0]
            message = f"{type(error).__name__}: {first}"
        self.messages.append(message.splitlines()[0][:300])
        return False


@contextlib.contextmanager
def _failures_caught():
    """Dynamo's errors suppressed (the frame that fails runs eagerly) and collected."""
    failures = _Failures()
    logger = logging.getLogger(_DYNAMO_LOG)
    logger.addFilter(failures)
    try:
        with torch._dynamo.config.patch(suppress_errors=True):
            yield failures.messages
    finally:
        logger.removeFilter(failures)


def _compiler_errors():
    """The exceptions that mean the compiler, not the user's code, failed."""
    errors = [torch._dynamo.exc.TorchDynamoException]
    try:
        from torch._inductor.exc import InductorError
        errors.append(InductorError)
    except ImportError:
        pass
    return tuple(errors)


class CompiledStep:
    """`model.<name>(data)` under `torch.compile`, with the eager fallback and the report."""

    def __init__(self, model, name):
        self.model = model
        self.name = name
        self.report = {"compile_seconds": 0.0, "compiles": 0, "fallback": None, "step": name}
        self.failed = None
        self.calls = 0
        self._compiled = torch.compile(_own_code(_run_step))
        self._graphs = _graph_counter()

    def _fall_back(self, reason):
        self.failed = reason
        self.report["fallback"] = reason
        warnings.warn(f"jit_compile=True: {self.name} could not be compiled ({reason}); "
                      "running it eagerly instead.", JitCompileWarning, stacklevel=4)

    def __call__(self, data):
        model = self.model
        self.calls += 1
        if self.failed is not None or self.calls == 1:
            return getattr(model, self.name)(data)
        before = self._graphs()
        start = time.perf_counter()
        try:
            with _failures_caught() as failures, compiled_step():
                out = self._compiled(model, self.name, data)
        except _compiler_errors() as error:  # outside Dynamo's frames (a lazily compiled
            # backward): the step stopped before its update, which the eager step now makes
            inner = getattr(error, "inner_exception", None) or error.__cause__ or error
            first = (str(inner).strip().splitlines() or [""])[0]
            self._fall_back(f"{type(inner).__name__}: {first[:300]}")
            return getattr(model, self.name)(data)
        if self._graphs() != before:
            self.report["compile_seconds"] += time.perf_counter() - start
            self.report["compiles"] += self._graphs() - before
        if failures:
            self._fall_back(failures[0])
        return out


def step_function(model, name):
    """The callable the step loop runs for `model.<name>`: the bound method, or (with
    `compile(jit_compile=True)`, for a step the model overrides) its compiled form, made once
    per model and step. (The built-in steps stay eager here: a model that overrides one step
    runs cornu's others as they are, with no compile time for, say, each validation.)"""
    from cornu.trainers.trainer import Trainer
    method = getattr(model, name)
    if not getattr(model, "jit_compile", False) or \
            getattr(type(model), name) is getattr(Trainer, name):
        return method
    steps = model.__dict__.setdefault("_jit_user_steps", {})
    step = steps.get(name)
    if step is None:
        step = steps[name] = CompiledStep(model, name)
    return step


def report(model):
    """The compiled user steps' report (compile time and count summed), or None."""
    steps = model.__dict__.get("_jit_user_steps")
    if not steps:
        return None
    parts = [s.report for s in steps.values()]
    return {"compile_seconds": sum(p["compile_seconds"] for p in parts),
            "compiles": sum(p["compiles"] for p in parts),
            "fallback": next((p["fallback"] for p in parts if p["fallback"]), None),
            "steps": {s.name: s.report for s in steps.values()}}
