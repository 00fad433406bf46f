"""ModelCheckpoint file names: a key that the logs lack, or a format the value does not take,
is a clear error naming the key and what exists (Keras 3 also raises KeyError for the first)."""
import numpy as np
import pytest

import cornu
from cornu import callbacks


def _fit(path):
    model = cornu.Sequential([cornu.layers.Input((2,)), cornu.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0,
              callbacks=[callbacks.ModelCheckpoint(path)])


def test_a_typo_in_a_key_names_it_and_the_keys_that_exist(tmp_path):
    with pytest.raises(KeyError, match=r"names \{epoc\}, which is not among this epoch's keys: "
                                       r"\['epoch', 'loss'\]"):
        _fit(str(tmp_path / "m_{epoc:02d}.h5"))
    assert not list(tmp_path.iterdir())


def test_a_format_the_value_does_not_take_is_a_value_error_naming_the_path(tmp_path):
    with pytest.raises(ValueError, match=r"cannot format filepath .*\{loss:02d\}"):
        _fit(str(tmp_path / "m_{loss:02d}.h5"))


def test_the_keys_that_exist_format_as_keras_formats_them(tmp_path):
    _fit(str(tmp_path / "m_{epoch:02d}_{loss:.2f}.h5"))
    (name,) = [p.name for p in tmp_path.iterdir()]
    assert name.startswith("m_01_") and name.endswith(".h5")
