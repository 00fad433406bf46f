"""Metrics by class and by name (Keras 3's names, plus Keras 1/2's and every loss name).

`'accuracy'`/`'acc'` given to `compile()` resolve to binary, categorical or sparse categorical
accuracy from the loss and the shapes (cornu/trainers/compile_utils.py); here, as in Keras 3,
`metrics.get('accuracy')` is the exact-match `Accuracy`.
"""
from cornu import losses as _losses
from cornu.backend.naming import to_snake_case
from cornu.metrics.accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                    SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                                    TopKCategoricalAccuracy, accuracy, binary_accuracy,
                                    categorical_accuracy, sparse_categorical_accuracy,
                                    sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from cornu.metrics.confusion import (AUC, FalseNegatives, FalsePositives, Precision,
                                     PrecisionAtRecall, Recall, RecallAtPrecision,
                                     SensitivityAtSpecificity, SpecificityAtSensitivity,
                                     TrueNegatives, TruePositives)
from cornu.metrics.f_score import F1Score, FBetaScore
from cornu.metrics.metric import Metric
from cornu.metrics.probabilistic import (BinaryCrossentropy, CategoricalCrossentropy,
                                         CategoricalHinge, Hinge, KLDivergence, Poisson,
                                         SparseCategoricalCrossentropy, SquaredHinge)
from cornu.metrics.reduction import Mean, MeanMetricWrapper, Sum
from cornu.metrics.regression import (CosineSimilarity, LogCoshError, MeanAbsoluteError,
                                      MeanAbsolutePercentageError, MeanSquaredError,
                                      MeanSquaredLogarithmicError, R2Score, RootMeanSquaredError,
                                      cosine_similarity)
from cornu.utils.registry import Registry

registry = Registry("metric")
CLASSES = (Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
           SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
           MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
           MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score, AUC,
           TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall,
           SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall,
           RecallAtPrecision, F1Score, FBetaScore, BinaryCrossentropy, CategoricalCrossentropy,
           SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge, SquaredHinge,
           CategoricalHinge)
FUNCTIONS = (binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
             top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)
for _fn in FUNCTIONS:
    registry.register()(_fn)
for _cls in CLASSES:  # Keras 3: a class's snake-case name finds the class
    _cls.__module__ = __name__  # where pickle finds it
    registry.register(to_snake_case(_cls.__name__))(_cls)
for _name, _cls in {"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
                    "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
                    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
                    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
                    "rmse": RootMeanSquaredError, "logcosh": LogCoshError,
                    "log_cosh": LogCoshError, "kld": KLDivergence, "KLD": KLDivergence,
                    "kullback_leibler_divergence": KLDivergence,
                    "cosine": CosineSimilarity, "cosine_proximity": CosineSimilarity,
                    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
                    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy}.items():
    registry.add(_name, _cls)

# Any other loss name is a metric too: the mean of that loss ('huber', 'dice', ...).
for _name, _obj in _losses.registry._by_name.items():
    if _name not in registry and not isinstance(_obj, type):
        registry.add(_name, _obj)

# The same metric under every era's name: history lookups accept any of them.
ALIASES = [
    ("acc", "accuracy"),
    ("mae", "mean_absolute_error", "MAE"), ("mse", "mean_squared_error", "MSE"),
    ("mape", "mean_absolute_percentage_error", "MAPE"),
    ("msle", "mean_squared_logarithmic_error", "MSLE"),
    ("cosine", "cosine_proximity", "cosine_similarity"),
    ("kld", "kullback_leibler_divergence", "kl_divergence", "KLD"),
    ("logcosh", "log_cosh"), ("rmse", "root_mean_squared_error"),
    ("bce", "binary_crossentropy", "BCE"),
    ("lr", "learning_rate"),  # tf.keras 2 logged the scheduled rate as `lr`
]


def alias_group(name):
    for group in ALIASES:
        if name in group:
            return group
    return (name,)


def get(identifier):
    """A metric name, function, class, config or instance → a Metric object (functions are
    wrapped in `MeanMetricWrapper`)."""
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
    return {"module": "keras.metrics", "class_name": type(metric).__name__,
            "config": metric.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)


# Loss functions under their own names (`cornu.metrics.mse`, `cornu.metrics.binary_crossentropy`
# as in Keras 2), except where Keras 3 has a metric function of that name.
for _name, _obj in _losses.registry._by_name.items():
    if not isinstance(_obj, type):
        globals().setdefault(_name, _obj)

__all__ = sorted({c.__name__ for c in CLASSES} | {f.__name__ for f in FUNCTIONS} | {
    "accuracy", "cosine_similarity", "get", "serialize", "deserialize", "alias_group"})
