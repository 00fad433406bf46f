"""pytest set-up shared by the test suite and the docstring examples (`--doctest-modules cornu`).

Docstring examples are written as a user would: `np` is NumPy, `keras` is cornu, and the
layers are in scope (`from keras.layers import *`).
"""
import numpy
import pytest


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    import cornu
    doctest_namespace.update({name: getattr(cornu.layers, name) for name in cornu.layers.__all__})
    doctest_namespace.update(np=numpy, keras=cornu, cornu=cornu)
