"""The bad-input catalogue's one check: the call raises the expected type, from cornu's code
(not from inside torch, NumPy, h5py, zipfile or json), with the key words of its message."""
import os
import traceback

import pytest

_RAW = tuple(os.sep + p + os.sep for p in ("torch", "numpy", "h5py", "zipfile", "json", "pickle"))


def expect_error(fn, exc, *words):
    with pytest.raises(exc) as info:
        fn()
    frames = traceback.extract_tb(info.tb)
    raised_in = frames[-1].filename
    assert not any(part in raised_in for part in _RAW), (
        f"raw error from {raised_in}: {info.value!r}")
    message = str(info.value).lower()
    missing = [w for w in words if w.lower() not in message]
    assert not missing, f"message lacks {missing}: {info.value}"


def cases(table):
    """A table of (id, fn, exception, *words) rows as pytest parameters."""
    return [pytest.param(row[1], row[2], row[3:], id=row[0]) for row in table]
