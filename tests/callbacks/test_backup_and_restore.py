"""BackupAndRestore: Keras 3's files and behaviour, and cornu's exact resume (an interrupted run,
started again, ends with the uninterrupted run's weights, bit for bit)."""
import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import cornu
from cornu.testing import real_keras

EPOCHS = 6
_SETUP = """
import numpy as np
import cornu

def data():
    rng = np.random.RandomState(0)
    x = rng.rand(60, 5).astype("float32")
    return x, (x.sum(1, keepdims=True) > 2.5).astype("float32")

class Custom(cornu.Sequential):  # fit runs the model's own train_step
    def train_step(self, data):
        return super().train_step(data)

def make(seed=7, cls=cornu.Sequential):
    cornu.utils.set_random_seed(seed)
    model = cls([cornu.Input((5,)), cornu.layers.Dense(8, activation="relu"),
                 cornu.layers.Dropout(0.3), cornu.layers.GaussianNoise(0.1),
                 cornu.layers.AlphaDropout(0.2, seed=11),  # draws from a SeedGenerator
                 cornu.layers.Dense(1, activation="sigmoid")])
    model.compile(cornu.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    return model

def fit(model, callbacks, epochs=%d):
    x, y = data()
    return model.fit(x, y, batch_size=8, epochs=epochs, shuffle=True, verbose=0,
                     callbacks=callbacks)
""" % EPOCHS
_ns = {}
exec(_SETUP, _ns)
make, fit = _ns["make"], _ns["fit"]


class _Interrupt(cornu.callbacks.Callback):
    """Raises in epoch `epoch` after batch `batch` (a crash mid-epoch)."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.at, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise RuntimeError("interrupted")


def _uninterrupted(cls=None):
    model = make(cls=cls or cornu.Sequential)
    fit(model, [])
    return model.get_weights()


def _assert_bit_identical(weights, expected):
    assert len(weights) == len(expected)
    for a, b in zip(weights, expected):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("save_freq,own_step", [("epoch", False), (3, False), (3, True)])
def test_a_run_interrupted_by_an_exception_resumes_bit_identically(tmp_path, save_freq,
                                                                   own_step):
    cls = _ns["Custom"] if own_step else cornu.Sequential
    expected = _uninterrupted(cls)
    backup_dir = str(tmp_path / "backup")
    model = make(cls=cls)
    with pytest.raises(RuntimeError, match="interrupted"):
        fit(model, [cornu.callbacks.BackupAndRestore(backup_dir, save_freq=save_freq),
                    _Interrupt(3, 5)])
    assert sorted(os.listdir(backup_dir)) == ["latest.weights.h5", "training_metadata.json"]
    with open(os.path.join(backup_dir, "training_metadata.json")) as f:
        metadata = json.load(f)
    # Keras 3's keys: the epoch in progress and its last batch backed up (8 batches/epoch;
    # every 3 batches counted across epochs: batch 5 of epoch 3 is the 30th)
    assert (metadata["epoch"], metadata["batch"]) == ((3, 0) if save_freq == "epoch" else (3, 5))
    again = make(seed=123, cls=cls)  # another start: the backup, not the seed, decides the rest
    history = fit(again, [cornu.callbacks.BackupAndRestore(backup_dir, save_freq=save_freq)])
    assert len(history.history["loss"]) == EPOCHS - 3
    _assert_bit_identical(again.get_weights(), expected)
    assert not os.path.exists(backup_dir)  # delete_checkpoint=True, once training completes


def test_a_run_killed_mid_epoch_resumes_bit_identically(tmp_path):
    expected = _uninterrupted()
    backup_dir = str(tmp_path / "backup")
    script = _SETUP + textwrap.dedent(f"""
        import os, signal
        class Kill(cornu.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.epoch = epoch
            def on_train_batch_end(self, batch, logs=None):
                if (self.epoch, batch) == (3, 6):
                    os.kill(os.getpid(), signal.SIGKILL)
        fit(make(), [cornu.callbacks.BackupAndRestore({backup_dir!r}, save_freq=2), Kill()])
        """)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.getcwd()}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr.decode()[-2000:]
    again = make()
    fit(again, [cornu.callbacks.BackupAndRestore(backup_dir, save_freq=2)])
    _assert_bit_identical(again.get_weights(), expected)


def test_keras3_reads_cornus_backup_and_cornu_reads_keras3s(tmp_path):
    """Same two files both ways: Keras 3 resumes at cornu's epoch with cornu's weights."""
    keras = real_keras()
    backup_dir = str(tmp_path / "backup")
    model, backed_up = make(), []
    keep = cornu.callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: backed_up.append(model.get_weights()))
    with pytest.raises(RuntimeError):
        fit(model, [cornu.callbacks.BackupAndRestore(backup_dir), keep, _Interrupt(2, 0)])
    x, y = _ns["data"]()
    ref = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                            keras.layers.Dropout(0.3), keras.layers.GaussianNoise(0.1),
                            keras.layers.AlphaDropout(0.2, seed=11),
                            keras.layers.Dense(1, activation="sigmoid")])
    ref.compile(keras.optimizers.Adam(0.01), "binary_crossentropy")
    seen = []
    epochs = keras.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(e))
    weights = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: seen.append([w.copy() for w in ref.get_weights()]))
    ref.fit(x, y, epochs=3, verbose=0, callbacks=[
        keras.callbacks.BackupAndRestore(backup_dir, delete_checkpoint=False), weights, epochs])
    assert seen[1:] == [2]  # resumed at the epoch cornu had backed up
    _assert_bit_identical(seen[0], backed_up[-1])
    # and Keras 3's backup (no cornu state) restores weights and epoch in cornu
    again = make(seed=5)
    starts = []
    fit(again, [cornu.callbacks.BackupAndRestore(backup_dir),
                cornu.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: starts.append(e))],
        epochs=4)
    assert starts == [3]
    assert not os.path.exists(backup_dir)


def test_arguments_are_checked_as_keras_checks_them(tmp_path):
    with pytest.raises(ValueError, match="backup_dir"):
        cornu.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        cornu.callbacks.BackupAndRestore(str(tmp_path), save_freq="batch")


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    backup_dir = tmp_path / "backup"
    model = make()
    with pytest.raises(RuntimeError):
        fit(model, [cornu.callbacks.BackupAndRestore(str(backup_dir), double_checkpoint=True),
                    _Interrupt(2, 0)])
    assert (backup_dir / "latest.weights.h5.bkp").exists()
    (backup_dir / "latest.weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n damaged")
    starts = []
    fit(make(), [cornu.callbacks.BackupAndRestore(str(backup_dir), double_checkpoint=True),
                 cornu.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: starts.append(e))])
    assert starts[0] == 1  # the .bkp pair: the backup before the latest (after epoch 0)
