"""TensorBoard: epoch logs as TensorBoard scalars, when the `tensorboard` package is installed.

cornu writes only the scalars of `logs` (under `train/` and `validation/`, as Keras does); graphs,
histograms, images, embeddings and profiles are TensorFlow summaries it does not produce. Without
the `tensorboard` package the callback warns once and does nothing, so scripts still run.
"""
import os
import warnings

from cornu.callbacks.callback import Callback


class TensorBoard(Callback):
    """Writes the logs as TensorBoard scalars under `log_dir` (via `torch.utils.tensorboard`);
    the other arguments are accepted and do nothing (see the module's docstring)."""

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None, **legacy):
        # Keras 1/2 also took batch_size, write_grads, embeddings_layer_names, embeddings_data:
        # all about summaries cornu does not write, so they are accepted and ignored.
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq, self.write_graph, self.write_images = histogram_freq, write_graph, write_images
        self.update_freq = update_freq
        self._writers = None

    def _open(self):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            warnings.warn("TensorBoard: the `tensorboard` package is not installed, so no logs "
                          f"are written to {self.log_dir!r} (pip install tensorboard).")
            return {}
        return {kind: SummaryWriter(os.path.join(self.log_dir, kind))
                for kind in ("train", "validation")}

    def on_train_begin(self, logs=None):
        if self._writers is None:
            self._writers = self._open()

    def on_epoch_end(self, epoch, logs=None):
        if not self._writers:
            return
        for key, value in (logs or {}).items():
            kind, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            try:
                self._writers[kind].add_scalar(f"epoch_{name}", float(value), epoch)
            except (TypeError, ValueError):
                continue

    def on_train_end(self, logs=None):
        for writer in (self._writers or {}).values():
            writer.flush()
