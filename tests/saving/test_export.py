"""model.export: the ONNX and .pt2 files, run by onnxruntime and torch.export.load, give what
model.predict gives; what cannot be exported says which layer and why."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import cornu
from cornu import layers
from cornu.saving.export import ExportError

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

RNG = np.random.default_rng(0)


def _mlp():
    model = cornu.Sequential([layers.Input((8,)), layers.Dense(16, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    return model, [RNG.normal(size=(7, 8)).astype("float32")]


def _cnn():
    model = cornu.Sequential([layers.Input((10, 10, 3)), layers.Conv2D(4, 3, activation="relu"),
                              layers.BatchNormalization(), layers.MaxPooling2D(),
                              layers.Dropout(0.5), layers.Flatten(), layers.Dense(2)])
    model.compile("adam", "mse")
    # One epoch moves BatchNormalization's moving statistics off (0, 1), so a file that
    # normalized with batch statistics, or kept dropout on, would differ from predict.
    model.fit(RNG.normal(2.0, 3.0, size=(16, 10, 10, 3)).astype("float32"),
              RNG.normal(size=(16, 2)).astype("float32"), epochs=1, verbose=0)
    return model, [RNG.normal(2.0, 3.0, size=(7, 10, 10, 3)).astype("float32")]


def _lstm_masked():
    model = cornu.Sequential([layers.Input((6,), dtype="int32"),
                              layers.Embedding(20, 4, mask_zero=True), layers.LSTM(5),
                              layers.Dense(1)])
    x = RNG.integers(1, 20, size=(7, 6)).astype("int32")
    x[:, 4:] = 0  # padding
    x[2, 1:] = 0  # one real step
    x[5, 2] = 0  # a hole in the middle
    x[6] = 0  # fully masked
    return model, [x]


def _gru():
    model = cornu.Sequential([layers.Input((6, 3)), layers.GRU(5)])
    return model, [RNG.normal(size=(7, 6, 3)).astype("float32")]


def _two_inputs():
    a, b = layers.Input((4,), name="a"), layers.Input((3,), name="b")
    out = layers.Dense(2)(layers.Concatenate()([a, layers.Dense(4, activation="tanh")(b)]))
    return cornu.Model([a, b], out), [RNG.normal(size=(7, 4)).astype("float32"),
                                      RNG.normal(size=(7, 3)).astype("float32")]


BUILDERS = {"mlp": _mlp, "cnn_bn_dropout": _cnn, "lstm_mask_zero": _lstm_masked, "gru": _gru,
            "two_inputs": _two_inputs}


def _predict(model, xs, batch):
    return model.predict([x[:batch] for x in xs] if len(xs) > 1 else xs[0][:batch], verbose=0)


# One test per architecture exports each format once (an export costs seconds; a fixture shared
# by several tests would be rebuilt in every pytest-xdist worker).
@pytest.mark.parametrize("architecture", list(BUILDERS))
def test_onnxruntime_and_torch_export_load_equal_predict_at_batch_1_and_7(architecture, tmp_path):
    model, xs = BUILDERS[architecture]()
    onnx_path, pt2_path = str(tmp_path / "model.onnx"), str(tmp_path / "model.pt2")
    model.export(onnx_path, format="onnx", verbose=False)
    model.export(pt2_path, format="torch", verbose=False)
    assert not any(m.training for m in model.modules())  # the mode it had, back
    session = ort.InferenceSession(onnx_path)
    names = [i.name for i in session.get_inputs()]
    assert names == [t.name for t in model.inputs]  # named as the model's Inputs
    assert session.get_inputs()[0].shape[1:] == list(model.inputs[0].shape[1:])  # channels-last
    module = torch.export.load(pt2_path).module()
    for batch in (1, 7):
        expected = _predict(model, xs, batch)
        out = session.run(None, {name: x[:batch] for name, x in zip(names, xs)})[0]
        assert out.shape == expected.shape
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
        out = module(*[torch.as_tensor(x[:batch]) for x in xs]).detach().numpy()
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_pt2_loads_in_a_process_that_never_imports_cornu(tmp_path):
    model, xs = _mlp()
    path = str(tmp_path / "mlp.pt2")
    model.export(path, format="torch", verbose=False)
    np.save(tmp_path / "x.npy", xs[0])
    code = ("import sys, numpy as np, torch\n"
            f"m = torch.export.load({path!r}).module()\n"
            f"y = m(torch.as_tensor(np.load({str(tmp_path / 'x.npy')!r})))\n"
            "assert 'cornu' not in sys.modules, 'cornu was imported'\n"
            f"np.save({str(tmp_path / 'y.npy')!r}, y.detach().numpy())\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(tmp_path), env=env,
                   timeout=300)
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), model.predict(xs[0], verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_verbose_prints_where_the_file_went_as_keras_does(tmp_path, capsys):
    model, _ = _mlp()
    path = str(tmp_path / "m.pt2")
    assert model.export(path, format="torch") == path
    assert f"Saved PyTorch ExportedProgram at '{path}'." in capsys.readouterr().out
    model.export(path, format="torch", verbose=False)
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------------------ signatures
class _Sub(cornu.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, x):
        return self.dense(x) * 2.0


def test_a_subclassed_model_exports_on_the_shapes_it_was_called_on(tmp_path):
    model = _Sub()
    x = RNG.normal(size=(5, 4)).astype("float32")
    model(x)
    path = str(tmp_path / "sub.pt2")
    model.export(path, format="torch", verbose=False)
    out = torch.export.load(path).module()(torch.as_tensor(x[:3]))  # another batch size
    np.testing.assert_allclose(out.detach().numpy(), model.predict(x[:3], verbose=0), rtol=1e-6)


def test_a_model_never_called_needs_an_input_signature(tmp_path):
    model = _Sub()
    with pytest.raises(ValueError, match=r"never built.*input_signature"):
        model.export(str(tmp_path / "sub.pt2"), format="torch", verbose=False)
    keras = pytest.importorskip("keras")
    path = str(tmp_path / "sub.pt2")
    model.export(path, format="torch", verbose=False,
                 input_signature=[keras.InputSpec(shape=(None, 4), dtype="float32")])
    x = RNG.normal(size=(3, 4)).astype("float32")
    out = torch.export.load(path).module()(torch.as_tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), model.predict(x, verbose=0), rtol=1e-6)


def test_input_signature_of_the_wrong_count_is_refused(tmp_path):
    model, _ = _two_inputs()
    with pytest.raises(ValueError, match=r"2 input\(s\).*describes 1"):
        model.export(str(tmp_path / "m.pt2"), format="torch", input_signature=[(None, 4)])


def test_an_unknown_time_axis_that_the_graph_fixes_is_an_error_naming_the_axis(tmp_path):
    model = cornu.Sequential([layers.Input((None, 3)), layers.SimpleRNN(4)])
    with pytest.raises(ExportError, match=r"axis 1 of input .*\(None, None, 3\).*input_signature"):
        model.export(str(tmp_path / "rnn.pt2"), format="torch", verbose=False)
    path = str(tmp_path / "rnn.pt2")
    model.export(path, format="torch", verbose=False, input_signature=[(None, 5, 3)])
    x = RNG.normal(size=(2, 5, 3)).astype("float32")
    out = torch.export.load(path).module()(torch.as_tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), model.predict(x, verbose=0), rtol=1e-5,
                               atol=1e-6)


# --------------------------------------------------------------------------- formats
def test_tf_saved_model_the_keras_default_says_what_cornu_writes(tmp_path):
    model, _ = _mlp()
    with pytest.raises(ValueError, match=r"TensorFlow.*format='onnx'.*format='torch'"):
        model.export(str(tmp_path / "saved"))
    with pytest.raises(ValueError, match=r"unknown format 'tflite'"):
        model.export(str(tmp_path / "saved"), format="tflite")


def test_torch_format_needs_a_pt2_name_and_known_arguments(tmp_path):
    model, _ = _mlp()
    with pytest.raises(ValueError, match=r"must end in '\.pt2'"):
        model.export(str(tmp_path / "model.pt"), format="torch")
    with pytest.raises(ValueError, match=r"unsupported argument\(s\) \['opset_version'\]"):
        model.export(str(tmp_path / "model.pt2"), format="torch", opset_version=17)
    assert not os.listdir(tmp_path)  # nothing written


# ---------------------------------------------------------------- what cannot be exported
def _raises_naming(model, path, layer_name, reason, fmt="torch"):
    with pytest.raises(ExportError) as info:
        model.export(path, format=fmt, verbose=False)
    message = str(info.value)
    assert f"layer {layer_name!r}" in message and reason in message, message
    # torch's own traceback is not chained on (it stays on `torch_error` for debugging)
    assert info.value.__suppress_context__ or info.value.__context__ is None
    assert not os.path.exists(path)
    return info.value


def test_a_lambda_branching_on_tensor_values_names_the_layer(tmp_path):
    branchy = layers.Lambda(lambda t: t if float(t.sum()) > 0 else -t, name="branchy")
    model = cornu.Sequential([layers.Input((3,)), layers.Dense(3), branchy])
    error = _raises_naming(model, str(tmp_path / "m.pt2"), "branchy", "values in a tensor")
    assert error.layer is branchy and error.torch_error is not None


def test_a_stateful_rnn_names_the_layer(tmp_path):
    model = cornu.Sequential([layers.Input((4, 2), batch_size=3),
                              layers.LSTM(3, stateful=True, name="memory")])
    _raises_naming(model, str(tmp_path / "m.onnx"), "memory", "stateful", fmt="onnx")


class _NumpyInside(layers.Layer):
    def call(self, x):
        return torch.as_tensor(np.tanh(x.detach().numpy()))


def test_a_custom_layer_leaving_torch_names_the_layer(tmp_path):
    model = cornu.Sequential([layers.Input((3,)), _NumpyInside(name="numpy_inside")])
    _raises_naming(model, str(tmp_path / "m.pt2"), "numpy_inside", "leaves torch")


class _StableSort(layers.Layer):
    def call(self, x):
        return torch.sort(x, dim=-1, stable=True).values


def test_an_operation_onnx_lacks_names_the_layer_and_the_operation(tmp_path):
    model = cornu.Sequential([layers.Input((3,)), layers.Dense(3), _StableSort(name="sorter")])
    _raises_naming(model, str(tmp_path / "m.onnx"), "sorter", "aten.sort", fmt="onnx")
    path = str(tmp_path / "m.pt2")  # the .pt2 format has every aten operation
    model.export(path, format="torch", verbose=False)
    x = RNG.normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(torch.export.load(path).module()(torch.as_tensor(x)).detach().numpy(),
                               model.predict(x, verbose=0), rtol=1e-6)


# ------------------------------------------------------------- the notes' MNIST CNN
def _mnist_cnn():
    model = cornu.Sequential([layers.Conv2D(128, (2, 2), input_shape=(28, 28, 1), padding="valid"),
                              layers.MaxPooling2D(pool_size=(2, 2)), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"])
    return model


def _accuracy_through_onnx(model, x, y, path):
    cornu.utils.export_onnx(model, path, verbose=False)
    session = ort.InferenceSession(path)
    name = session.get_inputs()[0].name
    probs = np.concatenate([session.run(None, {name: x[i:i + 1000]})[0]
                            for i in range(0, len(x), 1000)])
    return float(np.mean(probs.argmax(1) == y.argmax(1)))


def test_export_onnx_mnist_cnn_on_random_data_scores_as_evaluate(tmp_path):
    model = _mnist_cnn()
    x = RNG.random((300, 28, 28, 1)).astype("float32")
    y = cornu.utils.to_categorical(RNG.integers(0, 10, size=300), 10)
    model.fit(x[:200], y[:200], epochs=1, batch_size=10, verbose=0)
    _, acc = model.evaluate(x, y, verbose=0)
    assert _accuracy_through_onnx(model, x, y, str(tmp_path / "cnn.onnx")) == pytest.approx(
        acc, abs=1e-6)


@pytest.mark.slow
def test_export_onnx_mnist_cnn_on_the_mnist_test_set_scores_as_evaluate(tmp_path):
    if not os.path.isdir(os.path.join(os.environ.get("CORNU_DATASETS", ""), "mnist")):
        pytest.skip("the shared MNIST files are not on this machine")
    (x_train, y_train), (x_test, y_test) = cornu.datasets.mnist.load_data()
    x_train = x_train[:3000].reshape(-1, 28, 28, 1).astype("float32") / 255
    x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255
    y_train = cornu.utils.to_categorical(y_train[:3000])
    y_test = cornu.utils.to_categorical(y_test)
    cornu.utils.set_random_seed(0)
    model = _mnist_cnn()
    model.fit(x_train, y_train, epochs=1, batch_size=10, verbose=0)
    _, acc = model.evaluate(x_test, y_test, verbose=0)
    assert acc > 0.8  # trained: the comparison below is between two working classifiers
    onnx_acc = _accuracy_through_onnx(model, x_test, y_test, str(tmp_path / "cnn.onnx"))
    assert onnx_acc == pytest.approx(acc, abs=1e-6)
