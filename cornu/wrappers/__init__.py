"""Wrappers: scikit-learn estimators around models (`keras.wrappers.scikit_learn`)."""
from cornu.wrappers.scikit_learn import KerasClassifier, KerasRegressor

__all__ = ["KerasClassifier", "KerasRegressor"]
