"""`optimizer.apply` / `apply_gradients` called from user code, as Keras 3's torch guides call
them: compared with real Keras 3's optimizers on the same variables and gradients."""
import warnings

import numpy as np
import pytest
import torch

import cornu

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(3)
INITIAL = [RNG.normal(size=s).astype("float32") for s in [(3, 2), (2,), (2, 4)]]
GRADS = [[RNG.normal(size=w.shape).astype("float32") for w in INITIAL] for _ in range(4)]


def run(lib, name, how, **config):
    variables = [lib.Variable(w.copy()) for w in INITIAL]
    opt = getattr(lib.optimizers, name)(**config)
    for grads in GRADS:
        grads = [torch.from_numpy(g) for g in grads]
        if how == "apply_gradients":
            opt.apply_gradients(zip(grads, variables))
        else:
            opt.apply(grads, variables)
    return [v.numpy() for v in variables], int(opt.iterations)


@pytest.mark.parametrize("name, config", [("Adam", {"learning_rate": 0.01}),
                                          ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
                                          ("RMSprop", {})])
@pytest.mark.parametrize("how", ["apply", "apply_gradients"])
def test_apply_builds_lazily_and_updates_as_keras(name, config, how):
    ours, ours_steps = run(cornu, name, how, **config)
    ref, ref_steps = run(keras, name, how, **config)
    assert ours_steps == ref_steps == len(GRADS)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_two_optimizers_each_over_its_own_variables():
    # The GAN pattern: d_optimizer and g_optimizer, built by their first apply.
    def gan(lib):
        g = [lib.Variable(INITIAL[0].copy()), lib.Variable(INITIAL[1].copy())]
        d = [lib.Variable(INITIAL[2].copy())]
        g_opt, d_opt = lib.optimizers.Adam(1e-2), lib.optimizers.Adam(3e-2)
        for grads in GRADS:
            d_opt.apply([torch.from_numpy(grads[2])], d)
            g_opt.apply([torch.from_numpy(x) for x in grads[:2]], g)
        return [v.numpy() for v in g + d], len(g_opt.variables), len(d_opt.variables)
    ours, ref = gan(cornu), gan(keras)
    assert ours[1:] == ref[1:]
    for a, b in zip(ours[0], ref[0]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_none_gradients_are_skipped_with_a_warning():
    variables = [cornu.Variable(w.copy()) for w in INITIAL]
    opt = cornu.optimizers.SGD(0.1)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply([torch.ones(3, 2), None, torch.ones(2, 4)], variables)
    np.testing.assert_array_equal(variables[1].numpy(), INITIAL[1])
    np.testing.assert_allclose(variables[0].numpy(), INITIAL[0] - 0.1)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply([None, None, None], variables)


def test_apply_records_no_autograd_and_keeps_leaves():
    v = cornu.Variable(np.ones(3, "float32"))
    x = torch.ones(3, requires_grad=True)
    cornu.optimizers.SGD(0.5).apply([x * 2], [v])  # a gradient that is itself in a graph
    assert v.is_leaf and v.grad_fn is None
    np.testing.assert_allclose(v.numpy(), [0.0, 0.0, 0.0])


def test_mismatched_lists_and_shapes_are_clear_errors():
    variables = [cornu.Variable(w.copy(), name=f"w{i}") for i, w in enumerate(INITIAL)]
    opt = cornu.optimizers.Adam()
    with pytest.raises(ValueError, match="2 gradients for 3 variables"):
        opt.apply([torch.ones(3, 2), torch.ones(2)], variables)
    with pytest.raises(ValueError, match=r"w1.*shape \(3,\).*shape \(2,\)"):
        opt.apply([torch.ones(3, 2), torch.ones(3), torch.ones(2, 4)], variables)
    with pytest.raises(ValueError, match="unknown variable"):
        opt.apply([torch.ones(5)], [cornu.Variable(np.zeros(5, "float32"))])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a correct call after the errors works, silently
        opt.apply([torch.ones(w.shape) for w in INITIAL], variables)
    assert int(opt.iterations) == 1
