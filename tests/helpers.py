"""Shared test helpers: compare a cornu layer with the same Keras 3 layer, from the same weights."""
import os

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")


def keras_module():
    import keras
    return keras


def compare_layer_with_keras(class_name, kwargs, input_shape, training=False, rtol=1e-5,
                             atol=1e-6, seed=0, cornu_kwargs=None, x=None):
    """Builds `class_name(**kwargs)` in cornu and in Keras 3, copies Keras's weights into cornu,
    and checks output shapes, values, `compute_output_shape` and a config round trip."""
    import cornu
    keras = keras_module()
    if x is None:
        x = np.random.RandomState(seed).randn(*input_shape).astype("float32")
    ref_layer = getattr(keras.layers, class_name)(**kwargs)
    ref = np.asarray(ref_layer(x, training=training).detach().cpu())
    layer = getattr(cornu.layers, class_name)(**(cornu_kwargs or kwargs))
    layer(x)
    layer.set_weights(ref_layer.get_weights())
    ours = layer(x, training=training)
    ours = ours.detach().cpu().numpy()
    assert ours.shape == ref.shape, f"{class_name}: shape {ours.shape} != Keras {ref.shape}"
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol)
    shape = (None,) + tuple(input_shape[1:])
    assert tuple(layer.compute_output_shape(shape)) == tuple(ref_layer.compute_output_shape(shape))
    clone = type(layer).from_config(layer.get_config())
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x, training=False).detach().cpu().numpy(),
                               layer(x, training=False).detach().cpu().numpy(), rtol=1e-6, atol=1e-7)
    return layer, ref_layer
