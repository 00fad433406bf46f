"""The bad-input catalogue's one check: the call raises the expected type, from cornu's code
(the traceback's innermost frame is a `raise` in the cornu package: not inside torch, NumPy,
h5py, zipfile or json, nor a Python error such as an AttributeError deep in a test's own code),
with the key words of its message."""
import os
import traceback

import pytest

import cornu

_CORNU = os.path.dirname(os.path.abspath(cornu.__file__)) + os.sep


def expect_error(fn, exc, *words):
    with pytest.raises(exc) as info:
        fn()
    frames = traceback.extract_tb(info.tb)
    raised_in = os.path.abspath(frames[-1].filename)
    assert raised_in.startswith(_CORNU), (
        f"raw error from {raised_in}:{frames[-1].lineno} (not cornu's own raise): "
        f"{info.value!r}")
    message = str(info.value).lower()
    missing = [w for w in words if w.lower() not in message]
    assert not missing, f"message lacks {missing}: {info.value}"


def cases(table):
    """A table of (id, fn, exception, *words) rows as pytest parameters."""
    return [pytest.param(row[1], row[2], row[3:], id=row[0]) for row in table]
