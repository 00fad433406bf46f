"""Keras 2's LocallyConnected1D/2D (removed in Keras 3), checked against their documented
formula: Keras 2's `K.local_conv` computes, for every output position `p` (row-major),
`patch(x, p).flatten() @ kernel[p]`, a patch flattened `(*kernel_size, channels)` for
channels_last and `(channels, *kernel_size)` for channels_first; `K.bias_add` then adds the
bias `(*out, filters)` (reshaped, not transposed, to `(filters, *out)` for channels_first)."""
import itertools
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

import cornu
from cornu.testing import run_layer_test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _reference(x, kernel, bias, kernel_size, strides, data_format):
    """A Python loop over the output positions, with Keras 2's flattening order."""
    first = data_format == "channels_first"
    xl = np.moveaxis(x, 1, -1) if first else x  # (n, *spatial, c)
    n, spatial = xl.shape[0], xl.shape[1:-1]
    out_sp = [(d - k) // s + 1 for d, k, s in zip(spatial, kernel_size, strides)]
    out = np.zeros((n, *out_sp, kernel.shape[-1]))
    for p, pos in enumerate(itertools.product(*[range(o) for o in out_sp])):
        window = tuple(slice(i * s, i * s + k) for i, k, s in zip(pos, kernel_size, strides))
        patch = xl[(slice(None),) + window]  # (n, *kernel_size, c)
        if first:
            patch = np.moveaxis(patch, -1, 1)  # (n, c, *kernel_size)
        out[(slice(None),) + pos] = patch.reshape(n, -1) @ kernel[p]
    if first:
        out = np.moveaxis(out, -1, 1)
        if bias is not None:
            out = out + bias.reshape(kernel.shape[-1], *out_sp)
    elif bias is not None:
        out = out + bias
    return out


def _keras2_shapes(rank, spatial, channels, kernel_size, strides, filters):
    """Keras 2's implementation-1 weight shapes, from its documentation."""
    out = [(d - k) // s + 1 for d, k, s in zip(spatial, kernel_size, strides)]
    kernel = (int(np.prod(out)), int(np.prod(kernel_size)) * channels, filters)
    return [kernel, tuple(out) + (filters,)]


CASES = [(rank, strides, fmt, use_bias)
         for rank in (1, 2) for strides in (1, 2)
         for fmt in ("channels_last", "channels_first") for use_bias in (True, False)]


@pytest.mark.parametrize("index,case", list(enumerate(CASES)))
def test_layer_contract_formula_and_weight_shapes(index, case):
    rank, strides, fmt, use_bias = case
    implementation = index % 3 + 1
    spatial, kernel_size, channels, filters = ((9,), (3,), 4, 5) if rank == 1 \
        else ((7, 6), (3, 2), 3, 4)
    shape = (2, *spatial, channels) if fmt == "channels_last" else (2, channels, *spatial)
    cls = cornu.layers.LocallyConnected1D if rank == 1 else cornu.layers.LocallyConnected2D
    kwargs = {"filters": filters, "kernel_size": kernel_size if rank == 2 else kernel_size[0],
              "strides": strides, "data_format": fmt, "use_bias": use_bias,
              "implementation": implementation}
    out_sp = [(d - k) // strides + 1 for d, k in zip(spatial, kernel_size)]
    expected = (2, *out_sp, filters) if fmt == "channels_last" else (2, filters, *out_sp)
    layer = run_layer_test(cls, kwargs, shape, compare_with_keras=False,
                           expected_output_shape=expected,
                           expected_num_trainable_weights=2 if use_bias else 1)
    weights = layer.get_weights()
    want = _keras2_shapes(rank, spatial, channels, kernel_size, (strides,) * rank, filters)
    assert [w.shape for w in weights] == (want if use_bias else want[:1])
    rng = np.random.RandomState(index)
    layer.set_weights([rng.randn(*w.shape).astype("float32") for w in weights])
    weights = layer.get_weights()
    x = rng.randn(*shape).astype("float32")
    want = _reference(x, weights[0], weights[1] if use_bias else None, kernel_size,
                      (strides,) * rank, fmt)
    np.testing.assert_allclose(layer(x).detach().numpy(), want, rtol=1e-5, atol=1e-5)


def test_implementations_compute_the_same_function():
    x = np.random.RandomState(0).randn(3, 6, 6, 2).astype("float32")
    layers = [cornu.layers.LocallyConnected2D(3, 2, strides=2, implementation=i,
                                              activation="relu") for i in (1, 2, 3)]
    layers[0](x)
    for other in layers[1:]:
        other(x)
        other.set_weights(layers[0].get_weights())
        np.testing.assert_array_equal(other(x).detach().numpy(), layers[0](x).detach().numpy())


def _model():
    return cornu.Sequential([
        cornu.Input((8, 8, 2)),
        cornu.layers.LocallyConnected2D(3, (3, 3), strides=(2, 1), activation="tanh"),
        cornu.layers.Reshape((3 * 6, 3)),
        cornu.layers.LocallyConnected1D(2, 4, strides=2, use_bias=False),
        cornu.layers.Flatten(), cornu.layers.Dense(1)])


def test_h5_round_trip_in_keras2_layout(tmp_path):
    model = _model()
    x = np.random.RandomState(1).rand(4, 8, 8, 2).astype("float32")
    model.compile("sgd", "mse")
    model.fit(x, np.ones((4, 1)), epochs=1, verbose=0)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r") as f:  # Keras 2's HDF5 layout: class names and weight shapes
        config = f.attrs["model_config"]
        config = config.decode() if isinstance(config, bytes) else config
        assert '"LocallyConnected2D"' in config and '"LocallyConnected1D"' in config
        group = f["model_weights"][model.layers[0].name]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        assert [group[n].shape for n in names] == [(18, 18, 3), (3, 6, 3)]
    loaded = cornu.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)


def test_config_round_trip():
    model = _model()
    clone = cornu.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    x = np.random.RandomState(2).rand(2, 8, 8, 2).astype("float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    layer = cornu.layers.deserialize({"class_name": "LocallyConnected2D",
                                      "config": model.layers[0].get_config()})
    assert layer.kernel_size == (3, 3) and layer.strides == (2, 1) and layer.filters == 3


def test_bad_input_names_layer_argument_and_shapes():
    with pytest.raises(ValueError, match=r"LocallyConnected2D .*padding='valid'.*'same'"):
        cornu.layers.LocallyConnected2D(2, 3, padding="same")
    with pytest.raises(ValueError, match=r"LocallyConnected1D .*`filters`.*0"):
        cornu.layers.LocallyConnected1D(0, 3)
    with pytest.raises(ValueError, match=r"`implementation` must be 1, 2 or 3"):
        cornu.layers.LocallyConnected1D(2, 3, implementation=4)
    layer = cornu.layers.LocallyConnected2D(2, (5, 3), name="lc")
    with pytest.raises(ValueError, match=r"'lc'.*kernel_size=\(5, 3\).*\(4, 6\)"):
        layer(np.ones((1, 4, 6, 2), "float32"))
    with pytest.raises(ValueError, match=r"LocallyConnected1D .*spatial dimensions .* known"):
        cornu.Sequential([cornu.Input((None, 3)), cornu.layers.LocallyConnected1D(2, 2)])
    built = cornu.layers.LocallyConnected1D(2, 2, name="lc1")
    built(np.ones((1, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"'lc1' was built for inputs of spatial shape \(5,\)"):
        built(np.ones((1, 6, 3), "float32"))
    with pytest.raises(ValueError, match=r"lc1.*ndim=3"):
        built(np.ones((1, 5, 3, 1), "float32"))


def test_keras1_and_keras2_spellings_in_a_script(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        "import numpy as np\n"
        "from keras.models import Sequential\n"
        "from keras.layers import Flatten, Dense\n"
        "from keras.layers.local import LocallyConnected1D, LocallyConnected2D\n"
        "from keras.layers import LocallyConnected2D as LC2\n"
        "from keras.layers.locally_connected import LocallyConnected2D as LC3\n"
        "assert LC2 is LocallyConnected2D and LC3 is LC2\n"
        "m = Sequential()\n"
        "m.add(LocallyConnected2D(4, 3, 3, border_mode='valid', subsample=(1, 1),\n"
        "                         dim_ordering='tf', init='uniform', input_shape=(6, 6, 2)))\n"
        "assert m.layers[0].kernel_size == (3, 3)\n"
        "m.add(Flatten())\n"
        "m.add(Dense(1))\n"
        "m.compile('sgd', 'mse')\n"
        "m.fit(np.ones((4, 6, 6, 2)), np.ones((4, 1)), nb_epoch=1, verbose=0)\n"
        "n = Sequential([LocallyConnected1D(nb_filter=3, filter_length=2, subsample_length=2,\n"
        "                                   input_dim=4, input_length=6)])\n"
        "assert n.output_shape == (None, 3, 3), n.output_shape\n"
        "assert [w.shape for w in n.get_weights()] == [(3, 8, 3), (3, 3)]\n"
        "print('LC OK')\n")
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-W", "ignore", "-m", "cornu", "run", str(script)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "LC OK" in result.stdout
