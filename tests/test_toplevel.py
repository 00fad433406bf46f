"""Keras 3's top-level names and `keras.config`, against real Keras 3."""
import numpy as np
import pytest
import torch

import cornu

keras = pytest.importorskip("keras")

# Top-level names of Keras 3.15 that cornu does not provide (their features are missing, or are
# TensorFlow/JAX machinery): listed so that a new Keras name, or a cornu gap closing, shows here.
NOT_PROVIDED = {"Function", "InputSpec", "Operation", "Quantizer", "RematScope", "StatelessScope",
                "SymbolicScope", "distillation", "distribution", "dtype_policies", "export",
                "legacy", "mixed_precision", "quantizers", "remat", "src", "tree",
                "visualization", "_tf_keras"}


def test_top_level_names_of_keras_3():
    public = {n for n in dir(keras) if not n.startswith("__")}
    missing = sorted(n for n in public - NOT_PROVIDED if not hasattr(cornu, n))
    assert missing == []
    for name in ("Layer", "Model", "Sequential", "Input", "Variable", "KerasTensor", "Loss",
                 "Metric", "Optimizer", "Initializer", "Regularizer"):
        assert getattr(cornu, name).__name__ == getattr(keras, name).__name__
    assert isinstance(cornu.Input((3,)), cornu.KerasTensor)
    assert cornu.Layer is cornu.layers.Layer and cornu.Variable is cornu.backend.variables.Variable


def test_keras_alias_reaches_the_new_names():
    import subprocess
    import sys
    code = ("import cornu; cornu.install_as_keras(); import keras; "
            "print(keras.Variable.__module__, keras.Layer.__module__, keras.config.backend())")
    out = subprocess.run([sys.executable, "-c", code],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["cornu.backend.variables", "cornu.layers.layer", "torch"]


def test_name_scope_and_device():
    with cornu.name_scope("block") as scope, keras.name_scope("block"):
        layer = cornu.layers.Dense(2)
        layer.build((None, 3))
    assert scope.name == "block" and layer.kernel.path == "dense/kernel"
    with pytest.raises(ValueError, match="name"):
        cornu.name_scope(None)
    before = cornu.backend.get_device()
    with cornu.device("cpu"):
        assert cornu.Variable(np.zeros(2)).device == torch.device("cpu")
        assert cornu.backend.get_device() == torch.device("cpu")
    assert cornu.backend.get_device() == before
    with pytest.raises(ValueError, match="device"):
        with cornu.device("nowhere"):
            pass


def test_config_functions_of_keras_3():
    ours, ref = cornu.config, keras.config
    names = [n for n in dir(ref) if not n.startswith("_")]
    unsupported = {"set_backend", "is_nnx_enabled", "enable_flash_attention",
                   "disable_flash_attention", "is_flash_attention_enabled"}
    assert sorted(n for n in names if n not in unsupported and not hasattr(ours, n)) == []
    assert ours.backend() == ref.backend() == "torch"
    for lib in (ours, ref):
        lib.disable_traceback_filtering()
        assert not lib.is_traceback_filtering_enabled()
        lib.enable_traceback_filtering()
        assert lib.is_traceback_filtering_enabled()
        lib.disable_interactive_logging()
        assert not lib.is_interactive_logging_enabled()
        lib.enable_interactive_logging()
        assert lib.is_interactive_logging_enabled()
    assert ours.dtype_policy().name == ref.dtype_policy().name == "float32"


def test_dtype_policy():
    try:
        cornu.config.set_dtype_policy("float64")
        assert cornu.config.dtype_policy().name == "float64" and cornu.config.floatx() == "float64"
        layer = cornu.layers.Dense(2)
        layer.build((None, 3))
        assert layer.kernel.dtype == torch.float64
    finally:
        cornu.config.set_dtype_policy("float32")
    with pytest.raises(ValueError, match="mixed precision"):
        cornu.config.set_dtype_policy("mixed_float16")
    with pytest.raises(ValueError, match="Unknown dtype policy"):
        cornu.config.set_dtype_policy("float8")
    assert cornu.config.floatx() == "float32"


def test_max_epochs_and_steps_cap_fit():
    model = cornu.Sequential([cornu.Input((2,)), cornu.layers.Dense(1)])
    model.compile("sgd", "mse")
    start = model.get_weights()
    x, y = np.ones((40, 2), "float32"), np.ones((40, 1), "float32")
    try:
        cornu.config.set_max_epochs(2)
        cornu.config.set_max_steps_per_epoch(3)
        assert (cornu.config.max_epochs(), cornu.config.max_steps_per_epoch()) == (2, 3)
        history = model.fit(x, y, batch_size=4, epochs=10, verbose=0)
        assert len(history.history["loss"]) == 2
        assert int(model.optimizer.iterations) == 6
    finally:
        cornu.config.set_max_epochs(None)
        cornu.config.set_max_steps_per_epoch(None)
    # the reference: the 2 epochs of 3 batches the caps allow, asked for without caps
    reference = cornu.Sequential([cornu.Input((2,)), cornu.layers.Dense(1)])
    reference.compile("sgd", "mse")
    reference.set_weights(start)
    expected = reference.fit(x[:12], y[:12], batch_size=4, epochs=2, verbose=0).history["loss"]
    np.testing.assert_allclose(history.history["loss"], expected, rtol=1e-6)
    np.testing.assert_allclose(model.get_weights()[0], reference.get_weights()[0], rtol=1e-6)
    with pytest.raises(ValueError, match="max_epochs"):
        cornu.config.set_max_epochs(0)
