"""Keras 1/2 names of layer classes that Keras 3 renamed, and tf.keras 2's names of optimizers in
its files: each is the modern class itself.

One row per old name: `Convolution2D(32, (3, 3))` builds a `Conv2D`; a config or HDF5 file
naming `Convolution2D` loads as one. The old *arguments* (`Convolution2D(32, 3, 3)`,
`border_mode=`) are translated by `arguments.py`.
"""
LAYERS = {
    "Convolution1D": "Conv1D", "AtrousConvolution1D": "Conv1D",
    "Convolution2D": "Conv2D", "AtrousConvolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
    "Deconvolution2D": "Conv2DTranspose", "Convolution2DTranspose": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose", "Convolution3DTranspose": "Conv3DTranspose",
    "SeparableConvolution1D": "SeparableConv1D", "SeparableConvolution2D": "SeparableConv2D",
    # Keras 2's cuDNN-only recurrent layers: the modern layers run cuDNN's kernels when their
    # arguments allow (GRU's default `reset_after=True` is cuDNN's formulation).
    "CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU",
}

# Optimizer names in tf.keras 2.11+ HDF5 files: its optimizers are registered in the package
# `Custom`, so `training_config` names `Custom>Adam`. (Its `optimizers.legacy.*` and TF 2.0-2.10
# write the plain class name, with Keras 2 arguments that `arguments.py` translates.)
OPTIMIZERS = {f"Custom>{name}": name for name in (
    "SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "AdamW", "Adamax", "Nadam", "Ftrl", "Lion")}

# The packages that show these names (`keras.layers.Convolution2D`, `...recurrent.CuDNNLSTM`).
PACKAGES = {"cornu.layers": LAYERS, "cornu.layers.recurrent": {"CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU"}}

# Keras 2's other old names of modern objects, by module: `initializers.normal`, `losses.cosine`.
NAMES = {
    "cornu.initializers": {"normal": "RandomNormal", "uniform": "RandomUniform"},
    "cornu.losses": {"cosine": "cosine_proximity"},
    "cornu.metrics": {"cosine": "cosine_proximity"},
}


def install():
    """Registers each old name with the layer registry and adds it to its packages."""
    import sys

    from cornu import layers, optimizers
    from cornu.layers.layer import registry
    for old, new in LAYERS.items():
        registry.add(old, getattr(layers, new))
    for old, new in OPTIMIZERS.items():
        optimizers.registry.add(old, getattr(optimizers, new))
    for package, table in PACKAGES.items():
        module = sys.modules[package]
        for old, new in table.items():
            setattr(module, old, getattr(layers, new))
        if hasattr(module, "__all__"):
            module.__all__.extend(old for old in table if old not in module.__all__)
    for package, table in NAMES.items():
        module = sys.modules[package]
        for old, new in table.items():
            setattr(module, old, getattr(module, new))
