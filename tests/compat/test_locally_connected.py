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


def _add_bias(out, bias, data_format):
    if bias is None:
        return out
    if data_format == "channels_first":  # K.bias_add: a reshape of (*out, filters)
        return out + bias.reshape(bias.shape[-1], *bias.shape[:-1])
    return out + bias


def _reference(x, kernel, bias, kernel_size, strides, data_format):
    """Implementation 1: a Python loop over the output positions, Keras 2's flattening."""
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
    return _add_bias(np.moveaxis(out, -1, 1) if first else out, bias, data_format)


def _connected(in_sp, kernel_size, strides):
    """Keras's conv_connected_inputs for padding='valid': (output position, its inputs)."""
    out_sp = [(d - k) // s + 1 for d, k, s in zip(in_sp, kernel_size, strides)]
    for o in itertools.product(*[range(d) for d in out_sp]):
        yield o, itertools.product(*[range(p * s, p * s + k)
                                     for p, k, s in zip(o, kernel_size, strides)])


def _reference_dense(x, kernel, bias, kernel_size, strides, data_format):
    """Implementation 2 (local_conv_matmul): `x_flat @ (kernel * mask)` as a 2D matrix."""
    first = data_format == "channels_first"
    in_sp = x.shape[2:] if first else x.shape[1:-1]
    nd = len(in_sp)
    out_sp = tuple((d - k) // s + 1 for d, k, s in zip(in_sp, kernel_size, strides))
    mask = np.zeros(tuple(in_sp) + out_sp)
    for o, inputs in _connected(in_sp, kernel_size, strides):
        for i in inputs:
            mask[i + o] = 1
    mask = np.expand_dims(np.expand_dims(mask, 0), nd + 1) if first \
        else np.expand_dims(np.expand_dims(mask, nd), -1)
    dense = (kernel * mask).reshape(int(np.prod(kernel.shape[:nd + 1])), -1)
    out = (x.reshape(len(x), -1) @ dense).reshape(len(x), *kernel.shape[nd + 1:])
    return _add_bias(out, bias, data_format)


def _reference_sparse(x, vector, bias, kernel_size, strides, data_format, filters):
    """Implementation 3 (local_conv_sparse_matmul): a sparse matrix whose entries are the
    sorted (output, input) flat index pairs of conv_kernel_idxs, times x_flat."""
    first = data_format == "channels_first"
    in_sp = tuple(x.shape[2:] if first else x.shape[1:-1])
    chans = x.shape[1] if first else x.shape[-1]
    out_sp = tuple((d - k) // s + 1 for d, k, s in zip(in_sp, kernel_size, strides))

    def cat(spatial, f):
        return (f,) + tuple(spatial) if first else tuple(spatial) + (f,)
    pairs = []
    for o, inputs in _connected(in_sp, kernel_size, strides):
        for i in inputs:
            for f_in in range(chans):
                for f_out in range(filters):
                    pairs.append((np.ravel_multi_index(cat(o, f_out), cat(out_sp, filters)),
                                  np.ravel_multi_index(cat(i, f_in), cat(in_sp, chans))))
    pairs = sorted(pairs)
    matrix = np.zeros((int(np.prod(out_sp)) * filters, int(np.prod(in_sp)) * chans))
    matrix[tuple(np.array(pairs).T)] = vector
    out = (matrix @ x.reshape(len(x), -1).T).T.reshape(len(x), *cat(out_sp, filters))
    return _add_bias(out, bias, data_format)


def _keras2_shapes(spatial, channels, kernel_size, strides, filters, implementation,
                   data_format):
    """tf.keras 2's weight shapes per implementation, from its documentation."""
    out = tuple((d - k) // s + 1 for d, k, s in zip(spatial, kernel_size, strides))
    window = int(np.prod(kernel_size)) * channels
    kernel = {1: (int(np.prod(out)), window, filters),
              2: (*spatial, channels, *out, filters) if data_format == "channels_last"
              else (channels, *spatial, filters, *out),
              3: (int(np.prod(out)) * window * filters,)}[implementation]
    return [kernel, out + (filters,)]


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
    want = _keras2_shapes(spatial, channels, kernel_size, (strides,) * rank, filters,
                          implementation, fmt)
    assert [w.shape for w in weights] == (want if use_bias else want[:1])
    rng = np.random.RandomState(index)
    layer.set_weights([rng.randn(*w.shape).astype("float32") for w in weights])
    weights = layer.get_weights()
    x = rng.randn(*shape).astype("float32")
    bias, step = (weights[1] if use_bias else None), (strides,) * rank
    if implementation == 1:
        want = _reference(x, weights[0], bias, kernel_size, step, fmt)
    elif implementation == 2:
        want = _reference_dense(x, weights[0], bias, kernel_size, step, fmt)
    else:
        want = _reference_sparse(x, weights[0], bias, kernel_size, step, fmt, filters)
    np.testing.assert_allclose(layer(x).detach().numpy(), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
@pytest.mark.parametrize("implementation", [2, 3])
def test_each_implementation_by_its_own_formula(implementation, fmt):
    # Every implementation in both data formats, on a 2D case with uneven strides.
    shape = (2, 7, 6, 3) if fmt == "channels_last" else (2, 3, 7, 6)
    layer = cornu.layers.LocallyConnected2D(4, (3, 2), strides=(2, 1), data_format=fmt,
                                            implementation=implementation)
    x = np.random.RandomState(5).randn(*shape).astype("float32")
    layer(x)
    rng = np.random.RandomState(6)
    layer.set_weights([rng.randn(*w.shape).astype("float32") for w in layer.get_weights()])
    kernel, bias = layer.get_weights()
    want = _reference_dense(x, kernel, bias, (3, 2), (2, 1), fmt) if implementation == 2 \
        else _reference_sparse(x, kernel, bias, (3, 2), (2, 1), fmt, 4)
    np.testing.assert_allclose(layer(x).detach().numpy(), want, rtol=1e-5, atol=1e-5)


def _model():
    return cornu.Sequential([
        cornu.Input((8, 8, 2)),
        cornu.layers.LocallyConnected2D(3, (3, 3), strides=(2, 1), activation="tanh"),
        cornu.layers.Reshape((3 * 6, 3)),
        cornu.layers.LocallyConnected1D(2, 4, strides=2, use_bias=False, implementation=3),
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
        group = f["model_weights"][model.layers[2].name]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        assert [group[n].shape for n in names] == [(8 * 4 * 3 * 2,)]  # implementation 3
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
