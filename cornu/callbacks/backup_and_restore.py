"""BackupAndRestore: an interrupted `fit` started again continues where it stopped.

Keras 3's layout in `backup_dir`: `latest.weights.h5` (the model's and the optimizer's state)
and `training_metadata.json` (`{"epoch": ..., "batch": ...}`), with `.bkp` copies of the
previous pair when `double_checkpoint=True`. Keras 3 restores the weights and the starting
epoch. cornu also keeps, under the JSON's `"cornu"` key, what makes the rest of the run the
same as if it had never stopped: the random generators training draws from (Python's, NumPy's,
torch's on each device, the model's `SeedGenerator`s), taken at the start of the epoch (which
fixes its shuffle order) and at the backup, how many batches of the epoch were trained, the
intra-op thread count (a resumed run whose count cornu chooses uses the saved one) and whether
`jit_compile="auto"` compiled the train step (a resumed run under "auto" does as it did).
A run restored from a backup made mid-epoch (integer `save_freq`) redraws the epoch's shuffle
order, skips the batches already trained and continues with the generators as they were: its
final weights are bit-identical to the uninterrupted run's. See docs/resume.md.

Each file is written atomically (a kill leaves the previous file or the new one). The JSON is
written before the weights and keeps the state of the previous backup as well, each tagged
with the optimizer's iteration count: a kill between the two writes is recognized on restore
by the count the weights file holds, and the matching state is used.
"""
import base64
import json
import os
import random
import shutil
import warnings

import numpy as np
import torch

from cornu.callbacks.callback import Callback
from cornu.layers import tracking
from cornu.utils.files import atomic_path


class BackupAndRestore(Callback):
    """Backs up the training state in `backup_dir`; a new `fit` restores it first.

    Args:
        backup_dir: the folder of the backup (created if needed; deleted at the end of a `fit`
            that completes, with `delete_checkpoint=True`).
        save_freq: `"epoch"` (back up at the end of each epoch) or an integer: back up after
            every that many batches.
        double_checkpoint: keep the previous backup as `*.bkp`, used when the latest cannot
            be read.
        delete_checkpoint: delete `backup_dir` when training completes.

    Example:

    ```python
    backup = keras.callbacks.BackupAndRestore(backup_dir="/tmp/backup", save_freq=100)
    model.fit(x, y, epochs=10, callbacks=[backup])  # interrupted? run the same line again
    ```
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: empty `backup_dir` argument passed.")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)
                                     or save_freq < 1):
            raise ValueError("BackupAndRestore: invalid value for argument `save_freq`. "
                             f"Received: save_freq={save_freq!r}. Expected either 'epoch' or a "
                             "positive integer (a number of batches).")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"
        self._current_epoch = 0
        self._last_batch_seen = 0
        self._batches_since_save = 0
        self._epoch_rng = None
        self._previous_state = None

    # ---------------------------------------------------------------------- restore
    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, your model must be built "
                             f"before you call `fit()`. Model {self.model.name!r} is unbuilt. "
                             "Build it beforehand by calling it on a batch of data, or give it "
                             "an `Input`.")
        self._current_epoch, self._last_batch_seen, self._batches_since_save = 0, 0, 0
        self._previous_state = None
        try:
            self._restore()
        except (OSError, ValueError):
            if not os.path.exists(self._prev_weights_path):
                raise
            _copy(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                _copy(self._prev_training_metadata_path, self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._restore()

    def _restore(self):
        if not os.path.exists(self._weights_path):
            return  # (a metadata file alone: killed before the first weights were written)
        self.model.load_weights(self._weights_path)
        if not os.path.exists(self._training_metadata_path):
            return
        with open(self._training_metadata_path, encoding="utf8") as f:
            metadata = json.load(f)
        epoch = int(metadata["epoch"])
        state = self._matching_state(metadata.get("cornu"))
        if state is None:
            self.model._initial_epoch = epoch
            return
        self._previous_state = state
        _use_threads(self.model, state.get("threads"))
        _use_jit(self.model, state.get("jit"))
        self._current_epoch = epoch = state["epoch"]
        self.model._initial_epoch = epoch
        steps = state["steps_done"]
        if steps == 0:
            _set_rng(self.model, state["rng"])
            return
        self._last_batch_seen = steps - 1
        _set_rng(self.model, state["epoch_rng"])  # the epoch's shuffle order is drawn again

        def resume(batches):
            iterator = iter(batches)
            for _ in range(steps):
                next(iterator, None)
            _set_rng(self.model, state["rng"])
            return iterator, steps
        self.model._resume_batches = resume

    def _matching_state(self, saved):
        """The saved state that belongs to the weights just loaded (same iteration count)."""
        if not saved:
            return None
        optimizer = getattr(self.model, "optimizer", None)
        count = int(optimizer._iterations) if getattr(optimizer, "built", False) else None
        for state in (saved.get("latest"), saved.get("previous")):
            if state and count is not None and state.get("iterations") == count:
                return state
        warnings.warn(f"BackupAndRestore: the backup in {self.backup_dir} does not hold the "
                      "random-generator state of its weights (the optimizer's step count "
                      f"{count} matches none saved); training resumes at the saved epoch, "
                      "without the exact data order.", stacklevel=3)
        return None

    # ------------------------------------------------------------------------- back up
    @property
    def needs_batch_hooks(self):  # only an integer save_freq reads the batches
        return self.save_freq != "epoch"

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_rng = _get_rng(self.model)

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save(steps_done=0)

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        if batch <= self._last_batch_seen:  # a new epoch (Keras counts from its batch 0)
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_since_save += added
        self._last_batch_seen = batch
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(steps_done=batch + 1)

    def _save(self, steps_done):
        if not _writes_files():
            return
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for path, prev in ((self._weights_path, self._prev_weights_path),
                               (self._training_metadata_path, self._prev_training_metadata_path)):
                if os.path.exists(path):
                    _copy(path, prev)
        optimizer = getattr(self.model, "optimizer", None)
        state = {"epoch": self._current_epoch, "steps_done": steps_done,
                 "iterations": int(optimizer._iterations) if optimizer is not None else 0,
                 "rng": _get_rng(self.model), "threads": torch.get_num_threads(),
                 "jit": _jit(self.model),
                 "epoch_rng": self._epoch_rng if steps_done else None}
        metadata = {"epoch": self._current_epoch, "batch": self._last_batch_seen,
                    "cornu": {"latest": state, "previous": self._previous_state}}
        with atomic_path(self._training_metadata_path) as tmp:
            with open(tmp, "w", encoding="utf8") as f:
                json.dump(metadata, f)
        self.model.save_weights(self._weights_path, overwrite=True)
        self._previous_state = state

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and _writes_files() and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)


def _writes_files():
    """Every rank of a distributed run restores; only rank 0 writes and deletes backups."""
    dist = torch.distributed
    return not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0


def _use_threads(model, threads):
    """A resumed run takes the intra-op thread count the backed-up one trained with, where
    cornu chose the count for this call (trainers/threads.py restores the user's at its end);
    a count the user set stays."""
    choice = model.__dict__.get("_thread_choice")
    if threads and choice is not None and choice.get("auto") and threads != choice["threads"]:
        torch.set_num_threads(int(threads))
        choice["threads"] = int(threads)


def _jit(model):
    """Whether `jit_compile="auto"` compiles this call's train step (None: not "auto")."""
    choice = model.__dict__.get("_jit_choice")
    return bool(choice["compile"]) if choice is not None and choice.get("auto") else None


def _use_jit(model, compile_):
    """A resumed run under `jit_compile="auto"` takes the backed-up run's choice (fewer steps
    are left, which alone could decide otherwise), so both train on the same numeric path;
    where the built-in step cannot compile at all now (no `device` read), it stays eager."""
    choice = model.__dict__.get("_jit_choice")
    if compile_ is not None and choice is not None and choice.get("auto") and \
            choice.get("device") is not None and bool(compile_) != choice["compile"]:
        choice.update(compile=bool(compile_), reason="as the run the backup was made by")


def _copy(source, target):
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


# ------------------------------------------------------------------ random generators
def _bytes(tensor):
    return base64.b64encode(tensor.numpy().tobytes()).decode("ascii")


def _tensor(text):
    return torch.frombuffer(bytearray(base64.b64decode(text)), dtype=torch.uint8)


def _get_rng(model):
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state = {"python": [version, list(internal), gauss_next],
             "numpy": [kind, keys.tolist(), int(pos), int(has_gauss), float(gauss)],
             "torch": _bytes(torch.get_rng_state()),
             "seed_generators": [s.detach().tolist() for s in tracking.seed_states(model)]}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = [_bytes(s) for s in torch.cuda.get_rng_state_all()]
    return state


def _set_rng(model, state):
    version, internal, gauss_next = state["python"]
    random.setstate((version, tuple(internal), gauss_next))
    kind, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, gauss))
    torch.set_rng_state(_tensor(state["torch"]))
    if state.get("cuda") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([_tensor(s) for s in state["cuda"]])
    seeds = tracking.seed_states(model)
    if len(seeds) == len(state["seed_generators"]):
        for var, value in zip(seeds, state["seed_generators"]):
            var.data.copy_(torch.tensor(value, dtype=var.dtype))
