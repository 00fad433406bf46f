"""Wrappers: scikit-learn estimators around models: Keras 2's `keras.wrappers.scikit_learn`
(`KerasClassifier`, `KerasRegressor`) and Keras 3's `keras.wrappers.SKLearn*`."""
from cornu.wrappers.scikit_learn import KerasClassifier, KerasRegressor
from cornu.wrappers.sklearn_wrapper import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer

__all__ = ["KerasClassifier", "KerasRegressor", "SKLearnClassifier", "SKLearnRegressor",
           "SKLearnTransformer"]
