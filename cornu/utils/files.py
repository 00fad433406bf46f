"""Atomic file writes: write beside the target, then rename, so a crash never leaves a corrupt
model where a good one was.

The temporary file sits in the target's folder (a rename within one file system is atomic) and
is named `.NAME.HOST.PID.RANDOM.tmp`, so a later save or load can remove what a dead process of
this host left behind without touching a live one's (DDP ranks and parallel jobs write side by
side). The data is fsynced before the rename and the folder after it, so a power cut leaves
the old file or the new one. The new file gets the mode `open()` would give it (the user's
umask; an existing target keeps its mode), and a symlink is written through to its target.
"""
import contextlib
import os
import re
import socket
import stat
import tempfile

_HOST = re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname()) or "host"
_TEMP = re.compile(r"^\..+\.(?P<host>[A-Za-z0-9_-]+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")


@contextlib.contextmanager
def atomic_path(filepath, overwrite=True):
    """Yields a temporary path to write; on success it replaces `filepath` (durably)."""
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False.")
    target = os.path.realpath(filepath)  # a symlink: write the file it points to
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    remove_stale_temp_files(folder)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.{_HOST}."
                               f"{os.getpid()}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(target))
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync(folder)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def remove_stale_temp_files(folder):
    """Removes the temp files in `folder` that processes of this host, now dead, left behind."""
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return
    for name in names:
        match = _TEMP.match(name)
        if match and match.group("host") == _HOST and not _alive(int(match.group("pid"))):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(folder, name))


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, another user's
        return True
    return True


def _mode_for(target):
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # a folder on a file system that cannot fsync one
        pass
    finally:
        os.close(fd)
