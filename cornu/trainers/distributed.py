"""`fit`/`evaluate` across processes: DistributedDataParallel under `torchrun`.

When several ranks train together (torchrun's environment, `cornu run --nproc N`, or a process
group the script made), `fit`/`evaluate` decide so once per call (`session()`; no process group
costs one check per call, nothing per step) and then:

- **the model** is checked to be the same on every rank (a clear error on all of them
  otherwise), rank 0's weights are broadcast, and the built-in step runs the forward pass
  through a `DistributedDataParallel` wrapper, so gradients are averaged by DDP's bucketed
  all-reduce while backward runs. `model` stays the Keras model: the wrapper lives in the loop.
  A model that overrides `train_step` calls `self(x)` itself, outside any wrapper, so there
  the gradients are averaged right before `optimizer.apply` (one all-reduce per dtype): the
  same numbers, without DDP's overlap of communication and backward;
- **the data** is sharded by rank (distributed_data.py has the rule per input kind);
- **metrics** are reduced by their states (totals and counts, confusion matrices: summed over
  ranks) at the end of each epoch, so AUC, precision and recall are exact and History,
  EarlyStopping and ModelCheckpoint see the values one process would compute. Batch logs (the
  progress bar between epoch ends) are rank 0's own;
- **output**: the progress bar and the callbacks that write files run on rank 0 only.

`compile(jit_compile=True)` runs eagerly across processes.
"""
import contextlib
import warnings

import numpy as np
import torch
import torch.distributed as dist

from cornu.distribution import distribution_lib
from cornu.trainers.builtin_steps import BuiltinLoop
from cornu.trainers.compile_utils import LossTracker, per_output_weights
from cornu.trainers.data_adapters import ArrayAdapter
from cornu.trainers.distributed_data import shard
from cornu.trainers.step_loop import StepLoop

# cornu's kernels are Keras-shaped views of torch's layout, so their gradients' strides differ
# from DDP's flat buckets, which torch says once per run; the copy is one memcpy per kernel.
warnings.filterwarnings("ignore", message="Grad strides do not match bucket view strides")

# Callbacks that print or write files: only rank 0 keeps them (matched by class name, so
# subclasses and the callbacks of other modules count too).
RANK_ZERO_ONLY = ("ProgbarLogger", "ModelCheckpoint", "TensorBoard", "CSVLogger")


def session():
    """A `Session` when several processes train together, else None (decided once per call)."""
    if not distribution_lib.ensure_process_group():
        return None
    return Session(dist.get_rank(), dist.get_world_size())


class Session:
    """One `fit`/`evaluate` call across `world` processes, seen from `rank`."""

    def __init__(self, rank, world):
        self.rank, self.world = rank, world
        self.batch_scale, self.batch_empty = 1.0, False  # set per batch by ShardedArrays
        self.started = False

    # ------------------------------------------------------------- set-up
    def for_fit(self, model, loop, train, val, callbacks, verbose):
        loop = self._loop(model, loop)
        auto = distribution_lib.auto_shard()
        train = shard(train, self, training=True) if auto else train
        val = shard(val, self, training=False) if auto and val is not None else val
        callbacks, verbose = self._callbacks(callbacks, verbose)
        if model.built:
            self.start(model)
        return loop, train, val, callbacks, verbose

    def for_evaluate(self, model, loop, adapter, callbacks, verbose):
        loop = self._loop(model, loop)
        adapter = shard(adapter, self, training=False) if distribution_lib.auto_shard() else adapter
        callbacks, verbose = self._callbacks(callbacks, verbose)
        if model.built:
            self.start(model)
        return loop, adapter, callbacks, verbose

    def for_predict(self, model, adapter, verbose):
        """Rank `r` predicts the `r`-th contiguous share of the samples (batches of
        `ceil(batch_size / world)`); `gather` puts the shares back together on every rank.
        Data that is not arrays, or `steps=` short of all of it, is predicted whole by each."""
        verbose = verbose if self.rank == 0 else 0
        if not (isinstance(adapter, ArrayAdapter) and distribution_lib.auto_shard()
                and self.world <= adapter.num_samples
                <= adapter.steps_per_epoch * adapter.batch_size):  # (`steps=` all of the data)
            return adapter, verbose, lambda outputs: outputs
        check_same_model(model, self.world)  # (no broadcast: predict in a loop stays cheap)
        base, extra = divmod(adapter.num_samples, self.world)
        lo = self.rank * base + min(self.rank, extra)
        index = slice(lo, lo + base + (self.rank < extra))
        local = ArrayAdapter(adapter._take(adapter.x, index),
                             batch_size=-(-adapter.batch_size // self.world))
        return local, verbose, self._gather

    def _gather(self, outputs):
        shares = [None] * self.world
        dist.all_gather_object(shares, outputs)
        return _concat_shares(shares)

    def _loop(self, model, loop):
        return DataParallelLoop(model, self) if loop.builtin else DataParallelStepLoop(model, self)

    def _callbacks(self, callbacks, verbose):
        if self.rank == 0:
            return callbacks, verbose
        kept = [c for c in callbacks or []
                if not any(k.__name__ in RANK_ZERO_ONLY for k in type(c).__mro__)]
        return kept, 0

    def start(self, model):
        """Once per call: the same model on every rank (or an error on all), rank 0's weights."""
        if self.started:
            return
        self.started = True
        check_same_model(model, self.world)
        with torch.no_grad():
            for weight in model.weights:
                dist.broadcast(weight.data, 0)

    # ------------------------------------------------------- collectives
    def shared_permutation(self, n, device):
        """A permutation of `range(n)` drawn by rank 0 (as one process would draw it) and sent
        to every rank, so all shard the same shuffled batches whatever their seeds."""
        order = torch.randperm(n, device=device) if self.rank == 0 else \
            torch.empty(n, dtype=torch.int64, device=device)
        dist.broadcast(order, 0)
        return order

    def average_gradients(self, grads):
        """Averages `grads` over ranks in place: one flat all-reduce per (dtype, device)."""
        groups = {}
        for g in grads:
            if g is not None:
                groups.setdefault((g.dtype, g.device), []).append(g)
        for group in groups.values():
            flat = torch.cat([g.reshape(-1) for g in group])
            dist.all_reduce(flat)
            flat.div_(self.world)
            offset = 0
            for g in group:
                g.copy_(flat[offset:offset + g.numel()].view_as(g))
                offset += g.numel()

    @contextlib.contextmanager
    def gradient_sync(self, optimizer):
        """While active, `optimizer.apply` (and `apply_gradients`) average the gradients over
        ranks first: the sync point of a `train_step` override."""
        original = optimizer.apply

        def apply(grads, trainable_variables=None):
            grads = list(grads)
            self.average_gradients(grads)
            return original(grads, trainable_variables)
        optimizer.apply = apply
        try:
            yield
        finally:
            del optimizer.apply


def _concat_shares(shares):
    """The ranks' predictions (arrays, or lists/dicts of them) joined along the batch axis."""
    first = shares[0]
    if isinstance(first, (list, tuple)):
        return [_concat_shares([s[i] for s in shares]) for i in range(len(first))]
    if isinstance(first, dict):
        return {k: _concat_shares([s[k] for s in shares]) for k in first}
    return np.concatenate(shares, axis=0)


def check_same_model(model, world):
    """Raises on every rank when the ranks' models differ in class, weight names or shapes."""
    signature = [type(model).__name__] + [
        (getattr(w, "path", None) or w.name, tuple(w.shape), str(w.dtype)) for w in model.weights]
    gathered = [None] * world
    dist.all_gather_object(gathered, signature)
    for other, theirs in enumerate(gathered):
        if theirs == gathered[0]:
            continue
        diff = next((f"{a} vs {b}" for a, b in zip(gathered[0], theirs) if a != b),
                    f"{len(gathered[0]) - 1} weights vs {len(theirs) - 1}")
        raise ValueError(f"The {world} processes hold different models: rank 0 and rank {other} "
                         f"differ ({diff}). Every process must build the same model (same code, "
                         f"same arguments) before fit()/evaluate().")


def reduce_metric_states(model, world):
    """Sums every metric's state over ranks, in place (one all-reduce per call): the results
    then are those of all ranks' batches together. A variable made with
    `add_variable(aggregation="mean")` is averaged instead; `"none"` and
    `"only_first_replica"` stay local."""
    trackers, variables = [], []
    for metric in model.metrics:
        if isinstance(metric, LossTracker):
            trackers.append(metric)
        else:
            variables.extend(v for v in getattr(metric, "variables", [])
                             if getattr(v, "aggregation", "sum") in ("sum", "mean"))
    if not trackers and not variables:
        return
    device = next((v.device for v in variables), None) or next(
        (t.total.device for t in trackers if t.total is not None), torch.device("cpu"))
    if dist.get_backend() == "nccl" and device.type != "cuda":
        device = torch.device("cuda", torch.cuda.current_device())
    parts = [torch.stack([_tracker_total(t, device), torch.tensor(float(t.count), device=device,
                                                                dtype=torch.float64)])
             for t in trackers]
    parts += [v.detach().to(device, torch.float64).reshape(-1) for v in variables]
    flat = torch.cat(parts)
    dist.all_reduce(flat)
    offset = 0
    for tracker in trackers:
        total, count = flat[offset], float(flat[offset + 1])
        dtype = torch.float32 if tracker.total is None else tracker.total.dtype
        tracker.total = total.to(dtype)
        tracker.scale, tracker.count = None, count
        offset += 2
    with torch.no_grad():
        for v in variables:
            value = flat[offset:offset + v.numel()].view(v.shape)
            if getattr(v, "aggregation", "sum") == "mean":
                value = value / world
            v.data.copy_(value.to(v.device, v.dtype))
            offset += v.numel()


def _tracker_total(tracker, device):
    if tracker.total is None:
        return torch.zeros((), dtype=torch.float64, device=device)
    total = tracker.total.to(device, torch.float64)
    return total * tracker.scale if tracker.scale is not None else total


class _Replica(torch.nn.Module):
    """What DDP wraps: the model's fast forward pass (the model stays the user's object)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model._forward(x)


class DataParallelLoop(BuiltinLoop):
    """The built-in loops, the forward pass through DDP and metrics reduced per epoch."""

    def __init__(self, model, session):
        super().__init__(model)
        self.session = session
        self.ddp, self.first_step = None, True

    def _begin(self, xb, yb):
        model = self.model
        if model.jit_compile:
            warnings.warn("jit_compile=True runs eagerly across processes (DDP).", stacklevel=3)
        model._ensure_built(xb)
        self.session.start(model)
        with torch.no_grad():
            model._compile_for(yb, model._peek_output(xb))
        self.params = model._trainable_params()
        if model.optimizer._params is None:
            model.optimizer.build(self.params)
        if not self.params:  # nothing to synchronize (and DDP refuses such a module)
            self.step = model._train_step
            return
        device = self.params[0].device
        self.ddp = torch.nn.parallel.DistributedDataParallel(
            _Replica(model), device_ids=[device] if device.type == "cuda" else None)
        self.step = self._ddp_step

    def _ddp_step(self, x, y, sw, params, regularized):
        """`BuiltinSteps._train_step` through DDP. The local loss is scaled by the share of the
        global batch this rank holds (`n_local * world / n_global`), so DDP's average of the
        gradients is the gradient of the global batch's mean loss, uneven batches included."""
        model, session = self.model, self.session
        y_pred = self.ddp(x)
        ys, preds = model._as_lists(y, y_pred)
        sws = per_output_weights(sw, len(preds))
        per_output = [] if model._compile_loss.multi else None
        loss = model._with_added_losses(model._compile_loss(ys, preds, sws, per_output),
                                        regularized)
        for p in params:
            p.grad = None
        (loss if session.batch_scale == 1.0 else loss * session.batch_scale).backward()
        if self.first_step:
            self.first_step = False
            _check_all_used(model, params)
        model.optimizer.apply([p.grad for p in params], params)
        if session.batch_empty:  # a stand-in sample: it joined the all-reduce, not the metrics
            return loss
        with torch.no_grad():
            model._loss_tracker.add(loss, preds[0].shape[0])
            if per_output is not None:
                model._compile_loss.track(per_output, preds)
            model._compile_metrics.update_lists(ys, preds, sws)
        return loss

    def train_epoch(self, batches, callback_list, first=0):
        steps, logs = super().train_epoch(batches, callback_list, first)
        if self.params is None:
            return steps, logs
        reduce_metric_states(self.model, self.session.world)
        return steps, self.model._logs()

    def test_epoch(self, adapter, progbar=None, callback_list=None):
        steps, logs = super().test_epoch(adapter, progbar, callback_list)
        reduce_metric_states(self.model, self.session.world)
        return steps, self.model._logs()


def _check_all_used(model, params):
    """DDP averages gradients by buckets that fill as backward reaches each weight: a trainable
    weight the loss does not reach leaves its bucket unsent (the same weights on every rank, so
    all raise this together)."""
    unused = [getattr(p, "path", None) or getattr(p, "name", "?") for p in params if p.grad is None]
    if unused:
        raise ValueError(f"Model {model.name!r}: the loss does not depend on the trainable "
                         f"weight(s) {unused}, which training across processes (DDP) needs; "
                         "freeze them (`layer.trainable = False`) or give their outputs a loss.")


class DataParallelStepLoop(StepLoop):
    """The loops of `train_step`/`test_step` overrides: gradients averaged before
    `optimizer.apply`, metrics reduced per epoch."""

    def __init__(self, model, session):
        super().__init__(model)
        self.session = session

    def _started(self, batches):
        for i, batch in enumerate(batches):
            if i == 0:
                self.session.start(self.model)  # the first batch built the model
            yield batch

    def _train_epoch(self, batches, callback_list, first=0):
        with self.session.gradient_sync(self.model.optimizer):
            return super()._train_epoch(self._started(batches), callback_list, first)

    def _logs_at_end(self, last):
        reduce_metric_states(self.model, self.session.world)
        return super()._logs_at_end(last)
