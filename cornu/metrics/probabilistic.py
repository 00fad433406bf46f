"""Crossentropy, divergence and hinge metrics: the mean of the loss function of the same name."""
from cornu import losses
from cornu.metrics.reduction import metric_class

BinaryCrossentropy = metric_class("BinaryCrossentropy", losses.binary_crossentropy,
                                  "binary_crossentropy", from_logits=False, label_smoothing=0)
CategoricalCrossentropy = metric_class("CategoricalCrossentropy", losses.categorical_crossentropy,
                                       "categorical_crossentropy", from_logits=False,
                                       label_smoothing=0, axis=-1)
SparseCategoricalCrossentropy = metric_class("SparseCategoricalCrossentropy",
                                             losses.sparse_categorical_crossentropy,
                                             "sparse_categorical_crossentropy",
                                             from_logits=False, ignore_class=None, axis=-1)
KLDivergence = metric_class("KLDivergence", losses.kl_divergence, "kl_divergence")
Poisson = metric_class("Poisson", losses.poisson, "poisson")
Hinge = metric_class("Hinge", losses.hinge, "hinge")
SquaredHinge = metric_class("SquaredHinge", losses.squared_hinge, "squared_hinge")
CategoricalHinge = metric_class("CategoricalHinge", losses.categorical_hinge, "categorical_hinge")
