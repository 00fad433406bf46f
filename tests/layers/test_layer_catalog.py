"""docs/LAYERS.md lists every Keras 3 layer with cornu's status, and missing ones say why."""
import inspect
import os
import re

import pytest

import cornu

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "LAYERS.md")


def _table():
    rows = {}
    for line in open(DOC, encoding="utf-8"):
        match = re.match(r"\| `(\w+)` \| (yes|no) \|", line)
        if match:
            rows[match.group(1)] = match.group(2) == "yes"
    return rows


def test_catalog_matches_keras_and_cornu():
    keras = pytest.importorskip("keras")
    names = {n for n in dir(keras.layers) if inspect.isclass(getattr(keras.layers, n))
             and issubclass(getattr(keras.layers, n), keras.layers.Layer)}
    table = _table()
    assert set(table) == names
    for name, present in table.items():
        assert hasattr(cornu.layers, name) == present, name


def test_missing_layers_say_why():
    for name, present in _table().items():
        if not present:
            with pytest.raises(AttributeError, match="cornu does not provide"):
                getattr(cornu.layers, name)
