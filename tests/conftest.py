import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared")
os.environ.setdefault("CORNU_DATASETS", os.path.abspath(os.path.join(SHARED, "datasets")))


@pytest.fixture(scope="session", autouse=True)
def _frozen_imports():
    # clear_session() runs gc.collect() before every test; with torch and keras imported that
    # walk takes ~1 s. Freezing what collection imported makes each collection ~0.1 ms.
    import gc
    gc.collect()
    gc.freeze()
    yield


@pytest.fixture(autouse=True)
def _fresh_names():
    from cornu.backend import clear_session
    clear_session(free_memory=False)  # names only: a gc pass per test costs ~0.7 s
    yield
