"""Fuzzing against Keras 3: random layer stacks with random arguments and input shapes.

Where Keras 3 builds and runs an example, cornu builds and runs it too: forward (outputs equal
to Keras's from the same weights, 1e-5), backward (finite gradients), config and weights round
trip. Where Keras 3 raises, cornu may raise too, but only a cornu error that names the layer:
never an exception from inside torch or NumPy, never NaN from finite inputs.
"""
import collections
import json
import os
import time
import traceback

import numpy as np
import pytest
import torch

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

os.environ.setdefault("KERAS_BACKEND", "torch")
KINDS = collections.Counter()

ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear", "elu", "softplus", "gelu", "selu", None]


def _dense_layers(draw):
    name = draw(st.sampled_from(["Dense", "Dense", "Dropout", "BatchNormalization",
                                 "LayerNormalization", "Activation"]))
    if name == "Dense":
        return name, {"units": draw(st.integers(1, 6)),
                      "activation": draw(st.sampled_from(ACTIVATIONS)),
                      "use_bias": draw(st.booleans())}
    if name == "Dropout":
        return name, {"rate": draw(st.sampled_from([0.0, 0.3, 0.9]))}
    if name == "BatchNormalization":
        return name, {"epsilon": draw(st.sampled_from([1e-3, 0.1])),
                      "center": draw(st.booleans()), "scale": draw(st.booleans())}
    if name == "LayerNormalization":
        return name, {"epsilon": draw(st.sampled_from([1e-3, 1e-6]))}
    return name, {"activation": draw(st.sampled_from([a for a in ACTIVATIONS if a]))}


def _spatial_layers(draw, rank):
    d = {1: "1D", 2: "2D"}[rank]
    name = draw(st.sampled_from([f"Conv{d}", f"Conv{d}", f"MaxPooling{d}", f"AveragePooling{d}",
                                 "BatchNormalization", f"GlobalAveragePooling{d}",
                                 f"GlobalMaxPooling{d}", "Flatten", "Dropout"]))
    sizes = st.integers(1, 4)
    if name.startswith("Conv"):
        return name, {"filters": draw(st.integers(1, 4)), "kernel_size": draw(sizes),
                      "strides": draw(st.integers(1, 3)),
                      "padding": draw(st.sampled_from(["valid", "same"])),
                      "activation": draw(st.sampled_from(ACTIVATIONS)),
                      "use_bias": draw(st.booleans())}
    if "Pooling" in name and not name.startswith("Global"):
        return name, {"pool_size": draw(sizes), "strides": draw(st.none() | st.integers(1, 3)),
                      "padding": draw(st.sampled_from(["valid", "same"]))}
    if name == "Dropout":
        return name, {"rate": 0.5}
    return name, {}


def _recurrent_layers(draw):
    name = draw(st.sampled_from(["LSTM", "GRU", "SimpleRNN", "Conv1D", "Dense"]))
    if name == "Conv1D":
        return name, {"filters": draw(st.integers(1, 3)), "kernel_size": draw(st.integers(1, 3)),
                      "padding": "same"}
    if name == "Dense":
        return name, {"units": draw(st.integers(1, 4))}
    return name, {"units": draw(st.integers(1, 4)),
                  "return_sequences": draw(st.booleans()),
                  "go_backwards": draw(st.booleans())}


@st.composite
def stacks(draw):
    """(kind, input shape without batch, input dtype, [(class name, kwargs), ...])."""
    kind = draw(st.sampled_from(["dense", "conv1d", "conv2d", "recurrent", "embedding",
                                 "reshape"]))
    n = draw(st.integers(1, 4))
    if kind == "dense":
        shape = (draw(st.integers(1, 6)),)
        return kind, shape, "float32", [_dense_layers(draw) for _ in range(n)]
    if kind == "conv1d":
        shape = (draw(st.integers(1, 9)), draw(st.integers(1, 3)))
        return kind, shape, "float32", [_spatial_layers(draw, 1) for _ in range(n)]
    if kind == "conv2d":
        shape = (draw(st.integers(1, 7)), draw(st.integers(1, 7)), draw(st.integers(1, 3)))
        return kind, shape, "float32", [_spatial_layers(draw, 2) for _ in range(n)]
    if kind == "recurrent":
        shape = (draw(st.integers(1, 5)), draw(st.integers(1, 3)))
        return kind, shape, "float32", [_recurrent_layers(draw) for _ in range(min(n, 2))]
    if kind == "embedding":
        length = draw(st.integers(1, 5))
        vocab = draw(st.integers(1, 12))
        head = draw(st.sampled_from([("Flatten", {}), ("GlobalAveragePooling1D", {}),
                                     ("LSTM", {"units": 2})]))
        return kind, (length,), ("int32", vocab), [
            ("Embedding", {"input_dim": vocab, "output_dim": draw(st.integers(1, 4))}), head,
            ("Dense", {"units": draw(st.integers(1, 3))})]
    size = draw(st.integers(1, 12))
    target = draw(st.sampled_from([(size,), (1, size), (size, 1), (2, -1), (-1, 2), (3, 4)]))
    return kind, (size,), "float32", [("Reshape", {"target_shape": target}), ("Flatten", {}),
                                      ("Dense", {"units": 2})]


def _build(module, shape, layer_specs):
    model = module.Sequential([module.Input(shape)] +
                              [getattr(module.layers, n)(**dict(kw)) for n, kw in layer_specs])
    return model


def _input(shape, dtype, seed):
    rng = np.random.RandomState(seed)
    if isinstance(dtype, tuple):
        return rng.randint(0, dtype[1], size=(3,) + shape).astype("int32")
    return rng.randn(3, *shape).astype("float32")


def _is_raw(error):
    """Not raised by cornu's own code (the innermost frame is elsewhere: torch, NumPy, ...)."""
    import cornu
    package = os.path.dirname(os.path.abspath(cornu.__file__)) + os.sep
    frames = traceback.extract_tb(error.__traceback__)
    return not frames or not os.path.abspath(frames[-1].filename).startswith(package)


def _run_keras(keras, shape, specs, x):
    try:
        model = _build(keras, shape, specs)
        return model, np.asarray(model(x, training=False).detach().cpu())
    except Exception as error:  # noqa: BLE001 - Keras's own verdict on the example
        return error, None


def _average_pool_by_definition(x, pool, strides):
    """'same' average pooling of a channels-last array as TensorFlow and JAX compute it:
    each window clipped to the input, padded cells not counted (docs/ERAS.md; Keras 3 on torch
    counts the odd padded cell of an uneven padding)."""
    spatial = x.shape[1:-1]
    ranges = []
    for n, k, s in zip(spatial, pool, strides):
        out = -(-n // s)
        left = max((out - 1) * s + k - n, 0) // 2
        ranges.append([(max(i * s - left, 0), min(i * s - left + k, n)) for i in range(out)])
    result = np.zeros((x.shape[0],) + tuple(len(r) for r in ranges) + (x.shape[-1],), x.dtype)
    for index in np.ndindex(*[len(r) for r in ranges]):
        window = tuple(slice(*ranges[a][i]) for a, i in enumerate(index))
        cells = x[(slice(None),) + window + (slice(None),)].reshape(x.shape[0], -1, x.shape[-1])
        result[(slice(None),) + index + (slice(None),)] = cells.mean(axis=1)
    return result


def _keras_with_tf_average_pooling(model, x):
    """Keras's model run layer by layer, its 'same' average pooling by the definition."""
    for layer in model.layers:
        if type(layer).__name__.startswith("AveragePooling") and layer.padding == "same":
            x = _average_pool_by_definition(np.asarray(x), layer.pool_size, layer.strides)
        else:
            x = np.asarray(layer(x, training=False).detach().cpu())
    return x


def check_example(kind, shape, dtype, specs, seed=0):
    """Checks one example; returns its outcome: 'same result as Keras' (or '... by TF's
    average-pooling rule', docs/ERAS.md), 'same error class',
    'cornu clearer' (both raise, cornu with another builtin error naming the layer), or
    'keras raises, cornu runs'. A mismatch is an AssertionError."""
    import keras

    import cornu
    x = _input(shape, dtype, seed)
    ref_model, ref = _run_keras(keras, shape, specs, x)
    if ref is None:
        try:
            model = _build(cornu, shape, specs)
            model.predict(x, verbose=0)
        except Exception as error:  # noqa: BLE001
            assert not _is_raw(error), f"raw error where Keras raised {ref_model!r}: {error!r}"
            assert type(error).__module__ == "builtins"
            message = str(error).lower()
            assert any(n.lower() in message for n, _ in specs) or "input" in message, error
            return ("same error class" if type(error) is type(ref_model)
                    else "cornu clearer")
        return "keras raises, cornu runs"
    same_as = "same result as Keras"
    if any(n.startswith("AveragePooling") and kw.get("padding") == "same" for n, kw in specs):
        tf_rule = _keras_with_tf_average_pooling(ref_model, x)
        if not np.allclose(tf_rule, ref, rtol=1e-5, atol=1e-5):
            ref, same_as = tf_rule, "same result as Keras by TF's average-pooling rule"
    model = _build(cornu, shape, specs)
    model.set_weights(ref_model.get_weights())
    out = model.predict(x, verbose=0)
    assert out.shape == ref.shape, (out.shape, ref.shape)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    assert np.isfinite(out).all(), "NaN from finite inputs"
    # config and weights round trip
    clone = cornu.Sequential.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x, verbose=0), out, rtol=1e-6, atol=1e-6)
    # backward (a training-mode pass: it moves BatchNormalization's statistics, so last)
    if any(p.requires_grad for p in model.parameters()):
        loss = model(torch.as_tensor(x), training=True).float().square().mean()
        loss.backward()
    for p in model.parameters():
        if p.requires_grad and p.grad is not None:
            assert torch.isfinite(p.grad).all(), "non-finite gradient"
    return same_as


def _count(example, counts, by_family):
    outcome = check_example(*example)
    counts[outcome] += 1
    by_family[f"{example[0]}: {outcome}"] += 1


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    print("\nfuzz examples by outcome:", dict(sorted(KINDS.items())))


_common = dict(deadline=None, derandomize=True, database=None,
               suppress_health_check=list(HealthCheck))


@settings(max_examples=300, **_common)
@given(stacks())
def test_random_stacks_agree_with_keras(example):
    _count(example, KINDS, collections.Counter())


def _write_counts(path, counts, by_family, mismatches, started, done):
    with open(path + ".part", "w") as f:  # the file is replaced whole: a reader never sees half
        json.dump({"examples_run": sum(counts.values()), "finished": done,
                   "seconds": round(time.time() - started, 1),
                   "outcomes": dict(sorted(counts.items())),
                   "outcomes_by_family": dict(sorted(by_family.items())),
                   "mismatches": mismatches}, f, indent=1)
    os.replace(path + ".part", path)


@pytest.mark.slow
def test_random_stacks_agree_with_keras_long():
    """10,000 examples; a mismatch is recorded and the run goes on, so the counts cover the whole
    run. They are written (every 200 examples, and at the end) to $CORNU_FUZZ_COUNTS, by default
    .pytest_cache/cornu_fuzz_counts.json."""
    path = os.environ.get("CORNU_FUZZ_COUNTS",
                          os.path.join(".pytest_cache", "cornu_fuzz_counts.json"))
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    counts, by_family, mismatches = collections.Counter(), collections.Counter(), []
    started = time.time()

    @settings(max_examples=10_000, **_common)
    @given(stacks())
    def run(example):
        try:
            _count(example, counts, by_family)
        except Exception as error:  # noqa: BLE001 - recorded, and the run goes on
            counts["mismatch"] += 1
            mismatches.append({"example": repr(example), "error": f"{type(error).__name__}: "
                               f"{str(error)[:600]}"})
        if sum(counts.values()) % 200 == 0:
            _write_counts(path, counts, by_family, mismatches, started, False)

    run()
    _write_counts(path, counts, by_family, mismatches, started, True)
    print("\nfuzz examples by outcome:", dict(sorted(counts.items())))
    assert not mismatches, f"{len(mismatches)} mismatches, listed in {path}: {mismatches[:3]}"
