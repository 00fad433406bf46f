"""Atomic writes: the mode open() gives, symlinks written through, fsync, temp files of dead
processes removed and live ones kept, nothing left after a failed write."""
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

import cornu
from cornu.utils import files
from cornu.utils.files import atomic_path


def _model():
    model = cornu.Sequential([cornu.layers.Input((3,)), cornu.layers.Dense(2)])
    return model, np.ones((2, 3), "float32")


def _write(path, data=b"new"):
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_mode_open_gives_under_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        with open(tmp_path / "reference", "wb"):
            pass
        _write(tmp_path / "ours")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "ours").st_mode) == \
        stat.S_IMODE(os.stat(tmp_path / "reference").st_mode)


def test_an_existing_file_keeps_its_mode(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    _write(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640 and path.read_bytes() == b"new"


def test_saving_to_a_symlink_writes_its_target(tmp_path):
    model, x = _model()
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "model_v1.keras"
    link = tmp_path / "latest.keras"
    model.save(str(target))
    os.symlink(target, link)
    model.layers[0].set_weights([w * 0 + 2 for w in model.layers[0].get_weights()])
    model.save(str(link))
    assert os.path.islink(link) and os.readlink(link) == str(target)
    again = cornu.models.load_model(str(target))
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_the_data_and_the_folder_are_fsynced(tmp_path, monkeypatch):
    synced = []
    real = os.fsync

    def record(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real(fd)
    monkeypatch.setattr(os, "fsync", record)
    _write(tmp_path / "f.bin")
    assert len(synced) == 2
    assert os.path.basename(synced[0]).startswith(".f.bin.") and synced[1] == str(tmp_path)


def test_the_temp_file_names_the_host_and_process(tmp_path):
    with atomic_path(tmp_path / "f.bin") as tmp:
        name = os.path.basename(tmp)
        assert name.startswith(f".f.bin.{files._HOST}.{os.getpid()}.") and name.endswith(".tmp")
        assert files._TEMP.match(name)


def test_a_failed_write_leaves_no_temp_file_and_the_old_file(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as tmp:
            open(tmp, "wb").write(b"half")
            raise RuntimeError("killed")
    assert os.listdir(tmp_path) == ["model.h5"] and path.read_bytes() == b"old"


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_later_save_or_load_removes_temp_files_of_dead_processes_only(tmp_path):
    model, _ = _model()
    dead = tmp_path / f".model.keras.{files._HOST}.{_dead_pid()}.abc123.tmp"
    live = tmp_path / f".model.keras.{files._HOST}.{os.getppid()}.def456.tmp"
    other_host = tmp_path / f".model.keras.otherhost.{_dead_pid()}.ghi789.tmp"
    unrelated = tmp_path / "notes.tmp"
    for path in (dead, live, other_host, unrelated):
        path.write_bytes(b"partial")
    model.save(str(tmp_path / "model.keras"))
    assert not dead.exists()
    assert live.exists() and other_host.exists() and unrelated.exists()
    dead2 = tmp_path / f".x.h5.{files._HOST}.{_dead_pid()}.zz_9.tmp"
    dead2.write_bytes(b"partial")
    cornu.models.load_model(str(tmp_path / "model.keras"))
    assert not dead2.exists() and live.exists()


def test_every_save_path_renames_a_temp_file_of_this_host_and_process_into_place(
        tmp_path, monkeypatch):
    """`.keras`, `.h5`, `.weights.h5`, Keras 2 weights, checkpoints, backups and export: every
    file cornu leaves was renamed into place from `.NAME.HOST.PID.RANDOM.tmp` beside it (the
    downloads: tests/utils/test_get_file.py)."""
    model, x = _model()
    model.compile("sgd", "mse")
    renamed = {}
    real_replace = os.replace

    def replace(src, dst):
        renamed[os.path.abspath(dst)] = os.path.basename(src)
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    model.save(str(tmp_path / "m.keras"))
    model.save(str(tmp_path / "m.h5"))
    model.save_weights(str(tmp_path / "m.weights.h5"))
    model.save_weights(str(tmp_path / "k2.h5"))
    callbacks = [cornu.callbacks.ModelCheckpoint(str(tmp_path / "ck" / "e{epoch}.keras")),
                 cornu.callbacks.ModelCheckpoint(str(tmp_path / "ck" / "best.weights.h5"),
                                                 save_weights_only=True, save_best_only=True,
                                                 monitor="loss"),
                 cornu.callbacks.BackupAndRestore(str(tmp_path / "backup"),
                                                  double_checkpoint=True,
                                                  delete_checkpoint=False)]
    model.fit(x, np.ones((2, 2)), epochs=2, verbose=0, callbacks=callbacks)
    model.export(str(tmp_path / "m.pt2"), format="torch", verbose=False)
    left = [os.path.join(root, name) for root, _, names in os.walk(tmp_path) for name in names]
    assert len(left) >= 10
    for path in left:
        name = renamed.get(os.path.abspath(path))
        assert name is not None, f"{path} was not renamed into place"
        assert name.startswith(f".{os.path.basename(path)}.{files._HOST}.{os.getpid()}.")
        assert files._TEMP.match(name), name
