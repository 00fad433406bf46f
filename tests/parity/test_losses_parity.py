"""Every loss against real Keras 3: value and gradient, as functions and as Loss objects with
each reduction and with sample weights (float32, rtol 1e-5, atol 1e-6)."""
import numpy as np
import pytest
import torch

from cornu import losses

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(1)
N, C = 8, 4
PROB = RNG.dirichlet(np.ones(C), size=N).astype("float32")
PROB[0, 0] = 0.0  # exercises the epsilon clipping
ONE_HOT = np.eye(C, dtype="float32")[RNG.integers(0, C, N)]
SPARSE = RNG.integers(0, C, N).astype("float32")
BINARY = RNG.integers(0, 2, (N, C)).astype("float32")
SIGNED = 2 * BINARY - 1
REAL = RNG.normal(size=(N, C)).astype("float32")
POSITIVE = RNG.uniform(0.1, 3, (N, C)).astype("float32")
UNIT = RNG.uniform(0.001, 0.999, (N, C)).astype("float32")
WEIGHTS = RNG.uniform(0, 2, N).astype("float32")

# name -> (y_true, y_pred, keyword arguments)
CASES = {
    "mean_squared_error": (REAL, POSITIVE, {}),
    "mean_absolute_error": (REAL, POSITIVE, {}),
    "mean_absolute_percentage_error": (REAL, POSITIVE, {}),
    "mean_squared_logarithmic_error": (POSITIVE, REAL, {}),
    "hinge": (BINARY, REAL, {}),
    "hinge-signed": (SIGNED, REAL, {}),
    "squared_hinge": (BINARY, REAL, {}),
    "categorical_hinge": (ONE_HOT, REAL, {}),
    "binary_crossentropy": (BINARY, UNIT, {}),
    "binary_crossentropy-logits-smoothing": (BINARY, REAL, {"from_logits": True,
                                                            "label_smoothing": 0.1}),
    "binary_focal_crossentropy": (BINARY, UNIT, {"gamma": 1.5}),
    "binary_focal_crossentropy-balanced-logits": (BINARY, REAL, {
        "apply_class_balancing": True, "alpha": 0.3, "from_logits": True,
        "label_smoothing": 0.05}),
    "categorical_crossentropy": (ONE_HOT, PROB, {}),
    "categorical_crossentropy-logits-smoothing": (ONE_HOT, REAL, {"from_logits": True,
                                                                  "label_smoothing": 0.2}),
    "categorical_crossentropy-axis0": (ONE_HOT.T.copy(), PROB.T.copy(), {"axis": 0}),
    "categorical_focal_crossentropy": (ONE_HOT, PROB, {"alpha": 0.5, "gamma": 1.0}),
    "categorical_focal_crossentropy-logits": (ONE_HOT, REAL, {"from_logits": True,
                                                              "label_smoothing": 0.1}),
    "sparse_categorical_crossentropy": (SPARSE, PROB, {}),
    "sparse_categorical_crossentropy-logits": (SPARSE[:, None], REAL, {"from_logits": True}),
    "kl_divergence": (PROB[::-1].copy(), PROB, {}),
    "poisson": (POSITIVE, POSITIVE[::-1].copy(), {}),
    "cosine_similarity": (REAL, POSITIVE, {}),
    "cosine_similarity-axis0": (REAL, POSITIVE, {"axis": 0}),
    "huber": (REAL, POSITIVE, {}),
    "huber-delta": (REAL, POSITIVE, {"delta": 0.4}),
    "log_cosh": (REAL, POSITIVE * 10, {}),
    "dice": (BINARY, UNIT, {}),
    "tversky": (BINARY, UNIT, {"alpha": 0.3, "beta": 0.7}),
}


def _value_and_grad(fn, y_true, y_pred, **kwargs):
    y_pred = torch.tensor(y_pred, requires_grad=True)
    value = fn(torch.tensor(y_true), y_pred, **kwargs)
    (grad,) = torch.autograd.grad(value.sum(), [y_pred])
    return value.detach().numpy(), grad.numpy()


def _close(ours, theirs):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_loss_function_value_and_gradient(case):
    name = case.split("-")[0]
    y_true, y_pred, kwargs = CASES[case]
    _close(_value_and_grad(getattr(losses, name), y_true, y_pred, **kwargs),
           _value_and_grad(getattr(keras.losses, name), y_true, y_pred, **kwargs))


CLASSES = {
    "MeanSquaredError": "mean_squared_error", "MeanAbsoluteError": "mean_absolute_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error", "Hinge": "hinge",
    "SquaredHinge": "squared_hinge", "CategoricalHinge": "categorical_hinge",
    "BinaryCrossentropy": "binary_crossentropy-logits-smoothing",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy-balanced-logits",
    "CategoricalCrossentropy": "categorical_crossentropy-logits-smoothing",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy-logits",
    "KLDivergence": "kl_divergence", "Poisson": "poisson", "CosineSimilarity": "cosine_similarity",
    "Huber": "huber-delta", "LogCosh": "log_cosh", "Dice": "dice", "Tversky": "tversky",
}
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]


@pytest.mark.parametrize("class_name", sorted(CLASSES))
def test_loss_objects_reductions_and_sample_weights(class_name):
    y_true, y_pred, kwargs = CASES[CLASSES[class_name]]
    for reduction in REDUCTIONS:
        for weights in (None, WEIGHTS):
            if weights is not None and class_name in ("Dice", "Tversky"):
                continue  # their values are not per sample
            ours = getattr(losses, class_name)(reduction=reduction, **kwargs)
            theirs = getattr(keras.losses, class_name)(reduction=reduction, **kwargs)
            sw = None if weights is None else torch.tensor(weights)
            _close(_value_and_grad(lambda t, p: ours(t, p, sw), y_true, y_pred),
                   _value_and_grad(lambda t, p: theirs(t, p, sw), y_true, y_pred))
    config = getattr(losses, class_name)(**kwargs).get_config()
    assert {k: v for k, v in config.items() if k in theirs.get_config()} == {
        **theirs.get_config(), "reduction": "sum_over_batch_size"}
    assert getattr(losses, class_name).from_config(config).get_config() == config


def test_sparse_crossentropy_ignore_class_is_masked_out_of_the_mean():
    y_true = np.array([[0, 2, -1], [1, -1, -1]], dtype="float32")
    y_pred = RNG.normal(size=(2, 3, C)).astype("float32")
    for reduction in ("sum_over_batch_size", "sum", "none"):
        ours = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                                    reduction=reduction)
        theirs = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                                            reduction=reduction)
        _close(_value_and_grad(ours, y_true, y_pred), _value_and_grad(theirs, y_true, y_pred))


def test_timestep_sample_weights_and_rank_alignment():
    y_true = RNG.normal(size=(N, 3, 2)).astype("float32")
    y_pred = RNG.normal(size=(N, 3, 2)).astype("float32")
    for sw in (RNG.uniform(size=(N, 3)).astype("float32"),
               RNG.uniform(size=(N, 3, 1)).astype("float32")):
        ours = losses.MeanSquaredError()(y_true, y_pred, sw)
        theirs = keras.losses.MeanSquaredError()(y_true, y_pred, sw)
        _close([ours.numpy()], [theirs.numpy()])
    y_true, y_pred = BINARY[:, :1], UNIT[:, :1]  # (N, 1) labels, (N,) output
    _close([losses.BinaryCrossentropy()(y_true, y_pred[:, 0], WEIGHTS).numpy()],
           [keras.losses.BinaryCrossentropy()(y_true, y_pred[:, 0], WEIGHTS).numpy()])


def test_names_and_aliases_resolve():
    for name in ["mse", "MSE", "mae", "mape", "msle", "kld", "KLD", "kullback_leibler_divergence",
                 "logcosh", "cosine_proximity", "huber_loss", "binary_crossentropy"]:
        assert callable(losses.get(name))
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert losses.Huber().name == "huber_loss"
    with pytest.raises(ValueError, match="Did you mean"):
        losses.get("categorical_crossentropi")


def test_categorical_crossentropy_on_integer_labels_suggests_the_fix():
    with pytest.raises(ValueError, match="to_categorical.*sparse_categorical_crossentropy"):
        losses.CategoricalCrossentropy()(SPARSE, PROB)
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(ONE_HOT[:, :, None].repeat(2, 2), PROB)
