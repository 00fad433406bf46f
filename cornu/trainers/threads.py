"""The thread policy: how many intra-op threads a `fit`/`evaluate`/`predict` call runs on.

PyTorch starts one intra-op thread per physical core. For a model whose step is a few small
matrix products that is slower than one thread (the threads cost more to wake and join than
they save), and on a machine where other processes hold cores the extra threads wait for a
core at every parallel op: the breast-cancer MLP of the notes took 3.4x its quiet time with
one of two cores busy. So, once at the start of each call, on CPU, cornu chooses:

- `choose_threads(work, cpu_count, busy_cores, user_set)`, a pure function: one thread per
  `FLOPS_PER_THREAD` of estimated work per step, at least one and at most the cores the other
  processes leave free (`cpu_count - busy_cores`, rounded), never more than torch had;
- the work per step: `estimate_work`, multiply-adds of the model's layers per sample (each
  layer's weight count times the positions it is applied at: a Conv2D's output pixels, an
  RNN's timesteps; an Embedding counts its output, not its table), times the batch size, times
  6 for a training step (forward, backward, update) or 2 for inference;
- the busy cores: `busy_cores()`, the runnable tasks of other processes right now (Linux:
  `/proc/loadavg`'s running count minus this process's running threads; elsewhere the
  one-minute load average minus one). It is read only when the work would use more than one
  thread: about 0.06 ms of CPU once per call (0.6 ms of wall time on a machine with a load
  average of 13 on 2 cores).

The choice is fixed for the call (from `on_train_begin`, or the first batch, to the end of the
steps), set with `torch.set_num_threads` and the previous count
restored when the call ends (also on an exception). cornu does nothing where the user chose:
`OMP_NUM_THREADS` or `MKL_NUM_THREADS` set, or `torch.set_num_threads` called with a count
other than the one torch had when cornu was imported; on CUDA; or inside another call (a
`predict` in a callback runs on the outer call's threads). `model._thread_choice` holds the
choice during the call, `History.threads` after `fit`, `verbose=2` prints it when cornu changed
the count, and BackupAndRestore saves it, so a resumed run uses the same count (results can
differ in the last bits between thread counts). See docs/PERFORMANCE.md.
"""
import math
import os

import torch

from cornu.layers import Embedding, tracking

FLOPS_PER_THREAD = 8e6  # work per step each extra thread must have to pay for itself
ENV_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
AT_IMPORT = torch.get_num_threads()  # torch's count when cornu was imported
ENV_SET = any(os.environ.get(name) for name in ENV_VARIABLES)  # (torch reads them at start)
_ACTIVE = [0]  # calls under the policy, nested
_CPUS = []  # cpu_count(), once known


def choose_threads(work_per_step_flops, cpu_count, busy_cores, user_set):
    """The intra-op thread count for a call: `user_set` (the user's count) if not None, else
    one thread per `FLOPS_PER_THREAD` of work, within `[1, cpu_count - busy_cores]`."""
    if user_set is not None:
        return int(user_set)
    by_work = int(work_per_step_flops // FLOPS_PER_THREAD)
    free = int(cpu_count) - int(round(max(0.0, float(busy_cores))))
    return max(1, min(by_work, free, int(cpu_count)))


def one_thread_suffices(work_per_step_flops):
    """Whether a step of this much work runs on one thread whatever the load (which is then
    not read)."""
    return work_per_step_flops < 2 * FLOPS_PER_THREAD or cpu_count() == 1


def user_threads():
    """The user's thread count, or None when torch runs on the count cornu found at import."""
    current = torch.get_num_threads()
    if ENV_SET or current != AT_IMPORT:
        return current
    return None


def cpu_count():
    """The cores this process may use (its CPU affinity when first asked), at most torch's
    count at import."""
    if not _CPUS:
        try:
            usable = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            usable = os.cpu_count() or 1
        _CPUS.append(max(1, min(usable, AT_IMPORT)))
    return _CPUS[0]


def _running_threads_of_this_process():
    running = 0
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return 1
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        if stat[stat.rindex(b")") + 2:][:1] == b"R":
            running += 1
    return max(running, 1)  # (the thread reading is running)


def busy_cores():
    """How many cores other processes hold right now (runnable tasks, not this process's)."""
    try:
        with open("/proc/loadavg", "rb") as f:
            running = int(f.read().split()[3].split(b"/")[0])
        return max(0, running - _running_threads_of_this_process())
    except (OSError, ValueError, IndexError):
        try:
            return max(0.0, os.getloadavg()[0] - 1.0)
        except (AttributeError, OSError):
            return 0


def _extent(shape):
    """The product of the dimensions between batch and channels (None if not all known)."""
    dims = tuple(shape or ())[1:-1]
    if dims and all(isinstance(d, int) for d in dims):
        return math.prod(dims)
    return None if dims else 1


def _positions(layer, inherited):
    """How many places per sample the layer applies its weights: the spatial or time extent of
    its first call's output (of its input where the output has none: an RNN's timesteps), or,
    for a layer never called on symbolic tensors (a subclassed model's), of the input shape it
    was built for. A layer inside another layer (an RNN's cell, a wrapped layer) runs at least
    at its parent's positions (`inherited`; None inside a model)."""
    own = None
    nodes = getattr(layer, "_inbound_nodes", None)
    if nodes:
        node, own = nodes[0], 1
        for tensors in (node.output_tensors, node.input_tensors):
            extent = _extent(getattr(tensors[0], "shape", ())) if tensors else 1
            if extent and extent > 1:
                own = extent
                break
    else:
        shape = layer.__dict__.get("_build_input_shape")
        if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
            shape = shape[0]  # several inputs: the first
        own = _extent(shape) if isinstance(shape, (list, tuple)) else None
    return max(own or 1, inherited or 1)


def _per_sample(model):
    total, stack, seen = 0, [(model, None)], set()
    while stack:
        layer, inherited = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        positions = _positions(layer, inherited)
        if isinstance(layer, Embedding):  # a lookup: its output, not its table
            total += positions * int(getattr(layer, "output_dim", 1))
        elif hasattr(layer, "_own_variables"):
            total += sum(int(v.numel()) for v in layer._own_variables()) * positions
        inner = None if hasattr(layer, "fit") else positions  # a model's layers are its stages
        stack.extend((child, inner) for child in
                     (layer._sublayers() if hasattr(layer, "_sublayers") else ()))
    return total


def estimate_work(model, batch_size, training):
    """Estimated floating-point operations of one step (see the module's docstring); the
    per-sample count is kept on the model until a layer is added or the model is built."""
    return float(_cached(model)[1]) * batch_size * (6 if training else 2)


def _cached(model):
    """`(key, work per sample, first parameter, {(training, batch): one-thread choice})`,
    kept on the model until a layer or weight is added or the model is built."""
    key = (tracking.METRICS_VERSION[0], model.__dict__.get("built", False))
    cached = model.__dict__.get("_work_per_sample")
    if cached is None or cached[0] != key:
        try:
            work = _per_sample(model)
        except (AttributeError, TypeError, ValueError, IndexError):
            work = None  # a layer this estimate cannot read: the policy stays out
        cached = model.__dict__["_work_per_sample"] = (
            key, work, next(model.parameters(), None), {})
    return cached


def _batch_size(adapter):
    """The call's batch size as its data adapter cuts the data (32 where it cannot say)."""
    batch = getattr(adapter, "batch_size", None) or 32
    samples = getattr(adapter, "num_samples", None)
    return min(batch, samples) if isinstance(samples, int) and samples > 0 else batch


def _on_cpu(model):
    first = _cached(model)[2]
    return first is None or first.device.type == "cpu"


def decide(model, kind, batch_size, cached=None):
    """The choice for one call: a dict with `threads`, `auto` (cornu chose) and what it read."""
    user = user_threads()
    if user is not None:
        return {"threads": user, "auto": False}
    return _auto_choice(model, kind, batch_size, cached or _cached(model))


def _auto_choice(model, kind, batch_size, cached):
    """`decide` where the user set no thread count."""
    known = cached[3].get((kind == "fit", batch_size))
    if known is not None:  # (the machine's load is not read for these: no need to decide again)
        return dict(known)
    cores = cpu_count()
    work = float(cached[1]) * batch_size * (6 if kind == "fit" else 2)
    if one_thread_suffices(work):
        known = cached[3][(kind == "fit", batch_size)] = {
            "threads": 1, "auto": True, "work_per_step_flops": work, "cpu_count": cores,
            "busy_cores": None}
        return dict(known)
    busy = busy_cores()
    return {"threads": choose_threads(work, cores, busy, None), "auto": True,
            "work_per_step_flops": work, "cpu_count": cores, "busy_cores": busy}


def describe(choice, before):
    """The line `fit(verbose=2)` prints."""
    if not choice["auto"]:
        return f"Threads: {choice['threads']} (set by the user)"
    busy = choice["busy_cores"]
    load = "not read: one thread" if busy is None else f"{busy} busy"
    return (f"Threads: {choice['threads']} (torch had {before}; cornu's choice for "
            f"{choice['work_per_step_flops']:.2g} FLOPs per step on {choice['cpu_count']} "
            f"cores, {load})")


def enter(model, kind, adapter, verbose):
    """Starts a `fit`/`evaluate`/`predict` call (`kind`) under the policy: chooses, sets and
    returns what `leave` needs (None where the policy stays out: on CUDA, inside another call)."""
    if _ACTIVE[0]:
        return None
    before = torch.get_num_threads()
    user = before if ENV_SET or before != AT_IMPORT else None  # (`user_threads()`, read once)
    if kind == "predict" and user is not None:
        return None  # the user's count: nothing to choose or record (`predict` runs per sample)
    cached = _cached(model)
    first = cached[2]
    if cached[1] is None or (first is not None and first.device.type != "cpu"):
        return None
    # `decide`, with the user's count read once per call
    choice = {"threads": user, "auto": False} if user is not None else \
        _auto_choice(model, kind, _batch_size(adapter), cached)
    _ACTIVE[0] += 1
    model.__dict__["_thread_choice"] = choice
    if choice["threads"] != before:
        torch.set_num_threads(choice["threads"])
        if verbose == 2 and kind == "fit":
            print(describe(choice, before), flush=True)
    return before, choice


def leave(model, entered):
    """Ends the call `enter` started: the previous count back. Returns the choice (with the
    count the call ended on: a backup restored may have changed it), or None."""
    if entered is None:
        return None
    before, choice = entered
    _ACTIVE[0] -= 1
    model.__dict__.pop("_thread_choice", None)
    now = torch.get_num_threads()
    if now != before:
        torch.set_num_threads(before)
    return dict(choice, threads=now)
