"""Old and new `keras` module paths → the cornu module that implements them.

`install_as_keras()` serves every name here as a module of the `keras` package: Keras 1's
`keras.layers.core` and `keras.utils.np_utils`, Keras 2's `keras.optimizers`, Keras 3's
`keras.ops`... A path missing from this table but starting with a known prefix resolves to the
nearest listed parent (`keras.layers.advanced_activations` → `cornu.layers`).
"""
MODULES = {
    "keras": "cornu",
    "keras.models": "cornu.models",
    "keras.engine": "cornu.models",
    "keras.engine.training": "cornu.models",
    "keras.engine.sequential": "cornu.models",
    "keras.engine.topology": "cornu.layers",
    "keras.engine.base_layer": "cornu.layers",
    "keras.engine.input_layer": "cornu.layers",
    "keras.layers": "cornu.layers",
    "keras.layers.core": "cornu.layers",
    "keras.layers.advanced_activations": "cornu.layers",
    "keras.layers.normalization": "cornu.layers",
    "keras.layers.noise": "cornu.layers",
    "keras.layers.convolutional": "cornu.layers",
    "keras.layers.pooling": "cornu.layers",
    "keras.layers.recurrent": "cornu.layers",
    "keras.layers.embeddings": "cornu.layers",
    "keras.layers.merge": "cornu.layers",
    "keras.optimizers": "cornu.optimizers",
    "keras.optimizers.schedules": "cornu.optimizers.schedules",
    "keras.optimizers.legacy": "cornu.optimizers",
    "keras.losses": "cornu.losses",
    "keras.objectives": "cornu.losses",
    "keras.metrics": "cornu.metrics",
    "keras.activations": "cornu.activations",
    "keras.initializers": "cornu.initializers",
    "keras.initializations": "cornu.initializers",
    "keras.regularizers": "cornu.regularizers",
    "keras.constraints": "cornu.constraints",
    "keras.callbacks": "cornu.callbacks",
    "keras.backend": "cornu.backend",
    "keras.utils": "cornu.utils",
    "keras.utils.np_utils": "cornu.utils",
    "keras.utils.generic_utils": "cornu.utils",
    "keras.utils.data_utils": "cornu.utils",
    "keras.preprocessing": "cornu.preprocessing",
    "keras.preprocessing.text": "cornu.preprocessing.text",
    "keras.preprocessing.sequence": "cornu.preprocessing.sequence",
    "keras.datasets": "cornu.datasets",
    "keras.datasets.mnist": "cornu.datasets.mnist",
}
