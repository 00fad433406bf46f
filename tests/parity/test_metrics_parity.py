"""Every metric against real Keras 3: three `update_state` calls with sample weights, then
`result()`; configs match Keras's; a reset starts again from zero."""
import numpy as np
import pytest
import torch

from cornu import metrics

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(2)
N, C = 12, 4


def _batch(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(N, C)).astype("float32")
    prob = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    labels = rng.integers(0, C, N)
    return {
        "prob": prob.astype("float32"), "logits": logits,
        "one_hot": np.eye(C, dtype="float32")[labels], "sparse": labels.astype("float32"),
        "binary": rng.integers(0, 2, (N, C)).astype("float32"),
        "unit": np.round(rng.uniform(size=(N, C)), 2).astype("float32"),  # ties at thresholds
        "binary1": rng.integers(0, 2, (N, 1)).astype("float32"),
        "unit1": rng.uniform(size=(N, 1)).astype("float32"),
        "real": rng.normal(size=(N, C)).astype("float32"),
        "positive": rng.uniform(0.1, 3, (N, C)).astype("float32"),
        "weights": rng.uniform(0, 2, N).astype("float32"),
    }


BATCHES = [_batch(s) for s in range(3)]

# class name -> (constructor kwargs, y_true key, y_pred key)
CASES = {
    "Accuracy": ({}, "sparse", "sparse"),
    "BinaryAccuracy": ({"threshold": 0.4}, "binary", "unit"),
    "CategoricalAccuracy": ({}, "one_hot", "prob"),
    "SparseCategoricalAccuracy": ({}, "sparse", "prob"),
    "TopKCategoricalAccuracy": ({"k": 2}, "one_hot", "prob"),
    "SparseTopKCategoricalAccuracy": ({"k": 2}, "sparse", "prob"),
    "MeanSquaredError": ({}, "real", "positive"),
    "RootMeanSquaredError": ({}, "real", "positive"),
    "MeanAbsoluteError": ({}, "real", "positive"),
    "MeanAbsolutePercentageError": ({}, "real", "positive"),
    "MeanSquaredLogarithmicError": ({}, "positive", "real"),
    "CosineSimilarity": ({}, "real", "positive"),
    "LogCoshError": ({}, "real", "positive"),
    "R2Score": ({}, "real", "positive"),
    "R2Score-weighted": ({"class_aggregation": "variance_weighted_average"}, "real", "positive"),
    "BinaryCrossentropy": ({"label_smoothing": 0.1}, "binary", "unit"),
    "CategoricalCrossentropy": ({"from_logits": True}, "one_hot", "logits"),
    "SparseCategoricalCrossentropy": ({}, "sparse", "prob"),
    "KLDivergence": ({}, "prob", "one_hot"),
    "Poisson": ({}, "positive", "positive"),
    "Hinge": ({}, "binary", "real"),
    "SquaredHinge": ({}, "binary", "real"),
    "CategoricalHinge": ({}, "one_hot", "real"),
    "TruePositives": ({}, "binary", "unit"),
    "FalsePositives": ({"thresholds": [0.2, 0.5, 0.7]}, "binary", "unit"),
    "TrueNegatives": ({"thresholds": [0.0, 0.5, 1.0]}, "binary", "unit"),
    "FalseNegatives": ({}, "binary", "unit"),
    "Precision": ({}, "binary", "unit"),
    "Precision-top_k": ({"top_k": 2}, "binary", "unit"),
    "Recall": ({"thresholds": [0.3, 0.6]}, "binary", "unit"),
    "Recall-class_id": ({"class_id": 1}, "binary", "unit"),
    "AUC": ({}, "binary1", "unit1"),
    "AUC-multi": ({}, "binary", "unit"),
    "AUC-PR": ({"curve": "PR"}, "binary", "unit"),
    "AUC-PR-majoring": ({"curve": "PR", "summation_method": "majoring"}, "binary", "unit"),
    "AUC-minoring": ({"summation_method": "minoring", "num_thresholds": 50}, "binary", "unit"),
    "AUC-multi_label": ({"multi_label": True, "label_weights": [1, 2, 0.5, 1]}, "binary", "unit"),
    "AUC-thresholds": ({"thresholds": [0.25, 0.5, 0.75], "curve": "PR"}, "binary", "unit"),
    "AUC-logits-PRGAIN": ({"from_logits": True, "curve": "PRGAIN"}, "binary", "real"),
    "SensitivityAtSpecificity": ({"specificity": 0.5}, "binary", "unit"),
    "SpecificityAtSensitivity": ({"sensitivity": 0.6, "num_thresholds": 30}, "binary", "unit"),
    "PrecisionAtRecall": ({"recall": 0.4}, "binary", "unit"),
    "RecallAtPrecision": ({"precision": 0.5}, "binary", "unit"),
    "F1Score": ({}, "one_hot", "prob"),
    "F1Score-macro": ({"average": "macro", "threshold": 0.3}, "binary", "unit"),
    "FBetaScore-weighted": ({"average": "weighted", "beta": 2.0, "threshold": 0.5},
                            "binary", "unit"),
    "FBetaScore-micro": ({"average": "micro", "beta": 0.5}, "one_hot", "prob"),
}


def _results(metric, weighted):
    values = []
    for batch, (_, true_key, pred_key) in zip(BATCHES, [CASES[metric[0]]] * 3):
        kwargs = {"sample_weight": torch.tensor(batch["weights"])} if weighted else {}
        metric[1].update_state(torch.tensor(batch[true_key]), torch.tensor(batch[pred_key]),
                               **kwargs)
        values.append(torch.as_tensor(metric[1].result()).detach().numpy().copy())
    return values


@pytest.mark.parametrize("case", sorted(CASES))
def test_metric_over_several_updates_with_sample_weights(case):
    class_name = case.split("-")[0]
    kwargs = CASES[case][0]
    for weighted in (False, True):
        ours = getattr(metrics, class_name)(**kwargs)
        theirs = getattr(keras.metrics, class_name)(**kwargs)
        ours_values = _results((case, ours), weighted)
        for a, b in zip(ours_values, _results((case, theirs), weighted)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        ours.reset_state()
        theirs.reset_state()
        np.testing.assert_allclose(_results((case, ours), weighted)[0],
                                   _results((case, theirs), weighted)[0], rtol=1e-5, atol=1e-6)
    config = ours.get_config()
    expected = theirs.get_config()
    if kwargs.get("name") is None and expected["name"] != config["name"]:
        expected["name"] = config["name"]  # Keras numbers auto names: `auc_1`, `auc_2`, ...
    if class_name == "CosineSimilarity":
        expected["axis"] = kwargs.get("axis", -1)  # Keras leaves it out of the config
    if "label_weights" in config:
        expected["label_weights"] = config["label_weights"]  # a list here, a tensor there
    assert config == expected
    assert getattr(metrics, class_name).from_config(config).get_config() == config


def test_mean_and_sum_with_weights_of_higher_rank():
    values = RNG.normal(size=(N, 3)).astype("float32")
    weights = RNG.uniform(size=(N, 3)).astype("float32")
    for name in ("Mean", "Sum"):
        ours, theirs = getattr(metrics, name)(), getattr(keras.metrics, name)()
        for w in (None, weights, weights[:, :1], weights[:, 0]):
            ours.update_state(values, w)
            theirs.update_state(values, w)
        np.testing.assert_allclose(np.asarray(ours.result()), np.asarray(theirs.result()),
                                   rtol=1e-5, atol=1e-6)


def test_loss_functions_as_metrics_and_keras_names():
    batch = BATCHES[0]
    for name in ["mse", "mae", "mape", "msle", "kld", "logcosh", "huber", "binary_crossentropy",
                 "categorical_focal_crossentropy", "poisson", "cosine_similarity"]:
        metric = metrics.get(name)
        true_key, pred_key = ("one_hot", "prob") if "categorical" in name else ("prob", "prob")
        metric.update_state(batch[true_key], batch[pred_key][::-1].copy(), batch["weights"])
        assert np.isfinite(float(metric.result()))
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("auc"), metrics.AUC)
    assert isinstance(metrics.get("f1_score"), metrics.F1Score)
    with pytest.raises(ValueError, match="Did you mean"):
        metrics.get("precison")


def test_metric_state_lives_on_the_data_device_and_custom_metrics_work():
    class CountPositives(metrics.Metric):
        def __init__(self, name="count_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.count = self.add_weight(name="count", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.count.assign_add(torch.sum(torch.as_tensor(y_pred) > 0.5).float())

        def result(self):
            return self.count

    metric = CountPositives()
    metric.update_state(None, torch.tensor([0.2, 0.7, 0.9]))
    assert float(metric.result()) == 2.0 and metric.variables[0].name == "count"
    metric.reset_state()
    assert float(metric.result()) == 0.0


@pytest.mark.parametrize("name, kwargs, y_key, p_key, shape, summed", [
    ("BinaryAccuracy", {}, "binary1", "unit1", None, True),
    ("BinaryAccuracy", {"threshold": 0.3}, "binary1", "unit1", (N,), True),
    ("BinaryAccuracy", {}, "binary", "unit", None, False),  # several values a sample
    ("CategoricalAccuracy", {}, "one_hot", "prob", None, True),
    ("SparseCategoricalAccuracy", {}, "sparse", "prob", None, True),
    ("SparseCategoricalAccuracy", {}, "sparse", "prob", (N, 1), True),
])
def test_accuracy_of_tensors_without_weights_matches_keras(name, kwargs, y_key, p_key, shape,
                                                          summed, monkeypatch):
    """The built-in steps' case (tensors, no weights): its sums are taken in fewer ops
    (metrics/accuracy.py) and must give Keras's result, as the arrays' path does."""
    from cornu.metrics import reduction
    calls = []
    real = reduction.as_tensors
    monkeypatch.setattr(reduction, "as_tensors", lambda *a: calls.append(1) or real(*a))
    ours, ref = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    for batch in BATCHES:
        y, p = batch[y_key], batch[p_key]
        if shape is not None:
            y = y.reshape(shape)
            p = p if name.startswith("Sparse") else p.reshape(shape)
        ours.update_state(torch.from_numpy(y), torch.from_numpy(p))
        ref.update_state(y, p)
    np.testing.assert_allclose(float(ours.result()), float(ref.result()), rtol=1e-6)
    assert float(ours.count) == float(ref.count) == 3 * N
    assert (not calls) == summed
