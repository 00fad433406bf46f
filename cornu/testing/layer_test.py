"""`run_layer_test`: one call that checks a layer's whole contract, and its numbers against Keras 3.

What it checks, in order:

1. the config round trip: `from_config(get_config())` gives the same config, and (once built)
   the same weights and the same outputs;
2. an eager call on random data: output shape equal to `expected_output_shape` (when given) and to
   `compute_output_shape`;
3. a symbolic call on `Input`s: the same shapes with a `None` batch, and a functional model over it
   that computes what the eager layer computes, from the same weights;
4. gradients: every trainable weight and every float input receives a finite gradient;
5. one `fit` step (SGD, mean squared error against zeros) that changes the trainable weights;
6. when real Keras 3 is installed (run with `KERAS_BACKEND=torch`): the same layer in Keras from
   the same constructor arguments, its weights copied into cornu's (`set_weights(get_weights())`),
   gives the same outputs and the same gradients (for the inputs and for each trainable weight),
   within `rtol`.

Inputs: `input_shape` is one shape (the layer is called on one tensor), a list of shapes (called
on one list, as merge layers are) or a dict of shapes (called with those keyword arguments, as
`MultiHeadAttention(query=..., value=...)`); `input_data` gives the arrays instead.
"""
import numpy as np
import torch

from cornu.layers import Input
from cornu.models import Model
from cornu.optimizers import SGD
from cornu.testing._common import (assert_same_numbers, call, check_clone_weights, comparable,
                                   flatten, map_inputs, numpy, random_inputs, to_torch, values,
                                   weighted_sum)
from cornu.testing.keras_compare import keras_reference

__all__ = ["run_layer_test"]


def run_layer_test(layer_cls, init_kwargs=None, input_shape=None, *, input_dtype="float32",
                   input_data=None, call_kwargs=None, expected_output_shape=None,
                   expected_num_trainable_weights=None, expected_num_non_trainable_weights=None,
                   supports_masking=None, run_training_check=True, run_symbolic_check=True,
                   compare_with_keras=True, keras_kwargs=None, keras_name=None, training=False,
                   rtol=1e-5, atol=1e-6, seed=0):
    """Checks `layer_cls(**init_kwargs)` end to end; returns the built layer.

    Args:
        layer_cls: the cornu layer class.
        init_kwargs: constructor arguments (also given to Keras's layer unless `keras_kwargs`).
        input_shape: a shape with its batch size, a list of shapes or a dict of shapes.
        input_dtype: dtype of the random inputs (`"int32"` draws integers in [0, 10)).
        input_data: arrays (or a list / dict of them) to use instead of random ones.
        call_kwargs: extra keyword arguments of every call (e.g. `use_causal_mask=True`).
        expected_output_shape: the output shape of the eager call (a list for several outputs).
        expected_num_trainable_weights, expected_num_non_trainable_weights: counts to check.
        supports_masking: the expected value of `layer.supports_masking`.
        run_training_check: run the gradient check and one `fit` step.
        run_symbolic_check: call the layer on `Input`s and run a functional model over it.
        compare_with_keras: compare with real Keras 3 when it is installed. The Keras class must
            exist (pass False for layers Keras 3 does not have).
        keras_kwargs, keras_name: Keras's constructor arguments and class name when they differ.
        training: the `training` flag of the compared calls (random layers: keep False).
        rtol, atol: tolerances of the Keras comparison.
        seed: seed of the random inputs.
    """
    init_kwargs = dict(init_kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    name = layer_cls.__name__
    inputs = input_data if input_data is not None else random_inputs(input_shape, input_dtype, seed)

    layer = layer_cls(**init_kwargs)
    if supports_masking is not None:
        assert bool(layer.supports_masking) == supports_masking, \
            f"{name}.supports_masking is {layer.supports_masking}, expected {supports_masking}"
    _check_config(layer, layer_cls)

    # eager call
    outputs = call(layer, to_torch(inputs, grad=False), call_kwargs, training)
    flat_out = flatten(outputs)
    shapes = [tuple(o.shape) for o in flat_out]
    if expected_output_shape is not None:
        expected = expected_output_shape
        expected = [tuple(s) for s in expected] if isinstance(expected, list) else [tuple(expected)]
        assert shapes == expected, f"{name}: output shape {shapes} != expected {expected}"
    _check_compute_output_shape(layer, inputs, shapes, call_kwargs)
    _check_config(layer, layer_cls)  # again once built: building must not change the config
    _check_clone(layer, layer_cls, inputs, call_kwargs)
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, \
            f"{name}: {len(layer.trainable_weights)} trainable weights, expected " \
            f"{expected_num_trainable_weights}"
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights, \
            f"{name}: {len(layer.non_trainable_weights)} non-trainable weights, expected " \
            f"{expected_num_non_trainable_weights}"

    if run_symbolic_check:
        _check_symbolic(layer_cls, init_kwargs, layer, inputs, call_kwargs, shapes, rtol, atol,
                        run_training_check)
    if run_training_check:
        _check_gradients(layer, inputs, call_kwargs, seed)
    if compare_with_keras:
        _compare_with_keras(layer, keras_name or name, keras_kwargs if keras_kwargs is not None
                            else init_kwargs, inputs, call_kwargs, training, rtol, atol, seed)
    return layer


# ----------------------------------------------------------------------------- the checks
def _check_config(layer, layer_cls):
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    again = clone.get_config()
    assert comparable(again) == comparable(config), \
        f"{layer_cls.__name__}: from_config(get_config()) gives another config:\n" \
        f"  {config}\n  {again}"


def _check_clone(layer, layer_cls, inputs, call_kwargs):
    # The same config is not enough: a config that drops an argument gives the same config back.
    name = layer_cls.__name__
    clone = layer_cls.from_config(layer.get_config())
    call(clone, to_torch(inputs, grad=False), call_kwargs, False)
    check_clone_weights(name, clone, layer)
    clone.set_weights(layer.get_weights())
    got = flatten(call(clone, to_torch(inputs, grad=False), call_kwargs, False))
    want = flatten(call(layer, to_torch(inputs, grad=False), call_kwargs, False))
    for g, w in zip(got, want):
        np.testing.assert_allclose(numpy(g), numpy(w), rtol=1e-6, atol=1e-7,
                                   err_msg=f"{name}: from_config(get_config()) computes otherwise")


def _check_compute_output_shape(layer, inputs, shapes, call_kwargs):
    if isinstance(inputs, dict) or call_kwargs:
        return  # several call arguments: checked through the symbolic call instead
    in_shapes = map_inputs(lambda a: tuple(np.shape(a)), inputs)
    computed = layer.compute_output_shape(in_shapes)
    computed = computed if isinstance(computed, list) else [computed]
    computed = [tuple(s) for s in computed]
    assert computed == shapes, \
        f"{type(layer).__name__}: compute_output_shape gives {computed}, the call gives {shapes}"


def _symbolic_inputs(inputs):

    def one(a):
        a = np.asarray(a) if not isinstance(a, torch.Tensor) else a
        dtype = str(a.dtype).replace("torch.", "")
        text = getattr(a.dtype, "kind", "") in "USO"  # NumPy strings: a string input
        return Input(shape=tuple(a.shape[1:]), dtype="string" if text else dtype)
    return map_inputs(one, inputs)


def _check_symbolic(layer_cls, init_kwargs, layer, inputs, call_kwargs, shapes, rtol, atol, fit):
    name = layer_cls.__name__
    symbolic = _symbolic_inputs(inputs)
    fresh = layer_cls(**init_kwargs)
    out = call(fresh, symbolic, call_kwargs, None)
    sym_shapes = [tuple(t.shape) for t in flatten(out)]
    expected = [(None,) + s[1:] for s in shapes]
    assert sym_shapes == expected, f"{name}: symbolic output shape {sym_shapes} != {expected}"
    fresh.set_weights(layer.get_weights())
    model_inputs = list(symbolic.values()) if isinstance(symbolic, dict) else symbolic
    model = Model(model_inputs, out)
    data = values(inputs) if isinstance(inputs, dict) else inputs
    got = flatten(model(to_torch(data, grad=False)))
    want = flatten(call(layer, to_torch(inputs, grad=False), call_kwargs, False))
    for g, w in zip(got, want):
        np.testing.assert_allclose(numpy(g), numpy(w), rtol=rtol, atol=atol,
                                   err_msg=f"{name}: the functional model differs from the layer")
    if fit:
        _check_fit(model, fresh, data, name)


def _check_fit(model, layer, data, name):
    outputs = flatten(model.outputs) if isinstance(model.outputs, list) else [model.outputs]
    if not all("float" in str(t.dtype) for t in outputs) or not layer.trainable_weights:
        return  # nothing a fit step could change
    if len(outputs) > 1:  # train through the first output only
        model = Model(model.inputs, outputs[0])
    before = [w.detach().clone() for w in layer.trainable_weights]
    prediction = numpy(flatten(model(to_torch(data, grad=False)))[0])
    model.compile(optimizer=SGD(learning_rate=0.1), loss="mse")
    target = np.zeros(prediction.shape, "float32") + 1.0
    history = model.fit(data, target, epochs=1, batch_size=prediction.shape[0], verbose=0)
    loss = history.history["loss"][0]
    assert np.isfinite(loss), f"{name}: one fit step gave the loss {loss}"
    if before:
        changed = [not torch.equal(b, w.detach()) for b, w in zip(before, layer.trainable_weights)]
        assert any(changed), f"{name}: one fit step changed none of its trainable weights"


def _check_gradients(layer, inputs, call_kwargs, seed):
    name = type(layer).__name__
    tensors = to_torch(inputs, grad=True)
    outputs = [o for o in flatten(call(layer, tensors, call_kwargs, False))
               if isinstance(o, torch.Tensor) and o.is_floating_point() and o.requires_grad]
    if not outputs:
        return
    weights = [w for w in layer.trainable_weights if w.requires_grad]
    float_inputs = [t for t in values(tensors) if isinstance(t, torch.Tensor) and t.requires_grad]
    loss = weighted_sum(outputs, seed)
    grads = torch.autograd.grad(loss, float_inputs + weights, allow_unused=True)
    for i, grad in enumerate(grads[len(float_inputs):]):
        assert grad is not None, f"{name}: trainable weight {weights[i].path} gets no gradient"
        assert torch.isfinite(grad).all(), f"{name}: weight {weights[i].path}: non-finite gradient"
    for grad in grads[:len(float_inputs)]:
        if grad is not None:
            assert torch.isfinite(grad).all(), f"{name}: non-finite gradient for an input"


def _compare_with_keras(layer, keras_name, kwargs, inputs, call_kwargs, training, rtol, atol, seed):
    ref_cls = keras_reference(keras_name)
    if ref_cls is None:
        try:
            import keras  # noqa: F401
        except ImportError:
            return  # no Keras 3 here: the reference comparison cannot run
        raise AssertionError(f"Keras 3 has no layer {keras_name!r}: pass compare_with_keras=False "
                             "(and check the layer against its formula) or name it `keras_name`.")
    name = type(layer).__name__
    ref = ref_cls(**kwargs)
    call(ref, to_torch(inputs, grad=False), call_kwargs, training)  # builds it
    ref_weights = ref.get_weights()
    ours_weights = layer.get_weights()
    assert [w.shape for w in ref_weights] == [w.shape for w in ours_weights], \
        f"{name}: weight shapes {[w.shape for w in ours_weights]} != Keras's " \
        f"{[w.shape for w in ref_weights]}"
    layer.set_weights(ref_weights)
    assert_same_numbers(name, layer, ref, inputs, call_kwargs, training, rtol, atol, seed)
