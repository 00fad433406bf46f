"""Metrics by class and by name; `'accuracy'`/`'acc'` resolve as Keras resolves them."""
from cornu import losses as _losses
from cornu.metrics.accuracy import (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                                    SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy,
                                    binary_accuracy, categorical_accuracy,
                                    sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
                                    top_k_categorical_accuracy)
from cornu.metrics.metric import Metric
from cornu.metrics.reduction import Mean, MeanMetricWrapper, Sum
from cornu.utils.registry import Registry

registry = Registry("metric")
for _obj in (Metric, Mean, Sum, MeanMetricWrapper, BinaryAccuracy, CategoricalAccuracy,
             SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
             binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
             top_k_categorical_accuracy, sparse_top_k_categorical_accuracy):
    registry.register()(_obj)
registry.add("top_k_categorical_accuracy", top_k_categorical_accuracy)

# Every loss function is also a metric under its names ('mse', 'mae', ...).
for _name, _obj in _losses.registry._by_name.items():
    if not isinstance(_obj, type):
        registry.add(_name, _obj)
        globals().setdefault(_name, _obj)

# The same metric under every era's name: history lookups accept any of them.
ALIASES = [
    ("acc", "accuracy"),
    ("mae", "mean_absolute_error"), ("mse", "mean_squared_error"),
    ("mape", "mean_absolute_percentage_error"), ("msle", "mean_squared_logarithmic_error"),
    ("cosine", "cosine_proximity", "cosine_similarity"),
    ("kld", "kullback_leibler_divergence"),
]


def alias_group(name):
    for group in ALIASES:
        if name in group:
            return group
    return (name,)


def get(identifier):
    """A metric name, function, class or instance → a Metric object (functions are wrapped)."""
    if isinstance(identifier, Metric):
        return identifier
    obj = registry.get(identifier, instantiate=True)
    if isinstance(obj, Metric):
        return obj
    if callable(obj):
        name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", "metric")
        return MeanMetricWrapper(obj, name=name)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def serialize(metric):
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)


__all__ = ["Metric", "Mean", "Sum", "MeanMetricWrapper", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
           "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "get", "serialize",
           "deserialize"]
