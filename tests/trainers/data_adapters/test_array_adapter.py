"""Arrays and structures of arrays (lists, dicts by input name, pandas): fit batches them."""
import numpy as np
import pytest

import cornu
from cornu.trainers import data_adapters


def _two_inputs(K):
    a, b = K.Input((2,), name="a"), K.Input((1,), name="b")
    out = K.layers.Dense(1, name="out")(K.layers.Concatenate()([a, b]))
    m = K.Model([a, b], out)
    m.compile(optimizer=K.optimizers.SGD(0.1), loss="mse")
    m.set_weights([np.array([[0.3], [-0.1], [0.2]], "float32"), np.array([0.05], "float32")])
    return m


def test_dict_by_input_name_and_list_train_like_keras(data, keras):
    xa, xb = data.X[:, :2], data.X[:, 2:]
    ref = _two_inputs(keras)
    ref.fit({"b": xb, "a": xa}, data.Y, batch_size=10, epochs=2, shuffle=False, verbose=0)
    for x in ({"b": xb, "a": xa}, [xa, xb]):
        m = _two_inputs(cornu)
        m.fit(x, data.Y, batch_size=10, epochs=2, shuffle=False, verbose=0)
        data.assert_same(m.get_weights(), ref.get_weights(), rtol=1e-5, atol=1e-6)


def test_pandas_frames_and_series_train_like_arrays(data):
    pd = pytest.importorskip("pandas")
    m = data.model()
    m.fit(pd.DataFrame(data.X, columns=list("abc")), pd.Series(data.Y[:, 0]), batch_size=10,
          epochs=2, shuffle=False, verbose=0, sample_weight=pd.Series(data.W))
    data.assert_same(m.get_weights(), data.array_weights(epochs=2, sample_weight=data.W))


def test_validation_split_takes_the_last_fraction(data):
    m = data.model()
    history = m.fit(data.X, data.Y, batch_size=10, epochs=1, shuffle=False, verbose=0,
                    validation_split=0.25)
    expected = data.model()
    expected.fit(data.X[:30], data.Y[:30], batch_size=10, epochs=1, shuffle=False, verbose=0)
    data.assert_same(m.get_weights(), expected.get_weights())
    np.testing.assert_allclose(history.history["val_loss"][0],
                               expected.evaluate(data.X[30:], data.Y[30:], verbose=0), rtol=1e-6)


def test_get_returns_an_adapter_as_it_is_and_arrays_on_the_fast_path(data):
    adapter = data_adapters.get(data.X, data.Y, batch_size=10,
                                prepare=lambda x, y, sw, cw: (x, y, sw))
    assert isinstance(adapter, data_adapters.ArrayAdapter)
    assert data_adapters.get(adapter) is adapter
    assert not data_adapters.is_iterator_data({"a": data.X})
    assert data_adapters.is_iterator_data(iter([]))
