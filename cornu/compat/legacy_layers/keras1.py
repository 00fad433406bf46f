"""Keras 1's Highway and MaxoutDense, by their documented formulas (Keras 1 weight order)."""
import torch

from cornu import activations, constraints, initializers, regularizers
from cornu.layers.attention.einsum_dense import serialized
from cornu.layers.layer import Layer, registry


@registry.register()
class Highway(Layer):
    """Keras 1's densely connected highway layer (Srivastava et al., 2015):
    `y = t * activation(x W + b) + (1 - t) * x` with the transform gate
    `t = sigmoid(x W_carry + b_carry)`; `b_carry` starts at `transform_bias` (-2).

    Weights, in Keras 1's order: `W` `(dim, dim)`, `W_carry`, `b` `(dim,)`, `b_carry`.
    """

    # Keras 1's spellings (`init`, `W_regularizer`, `bias`, ...) reach here through the compat
    # argument table, as for every layer.
    def __init__(self, kernel_initializer="glorot_uniform", transform_bias=-2, activation=None,
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        init, W_regularizer, b_regularizer = kernel_initializer, kernel_regularizer, \
            bias_regularizer
        W_constraint, b_constraint, bias = kernel_constraint, bias_constraint, use_bias
        self.init = initializers.get(init)
        self.transform_bias = transform_bias
        self.activation = activations.get(activation)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.bias = bias

    def build(self, input_shape):
        dim = input_shape[-1]
        self.W = self.add_weight(name="W", shape=(dim, dim), initializer=self.init, regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        self.W_carry = self.add_weight(name="W_carry", shape=(dim, dim), initializer=self.init)
        self.b = self.b_carry = None
        if self.bias:
            self.b = self.add_weight(name="b", shape=(dim,), initializer="zeros", regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)
            self.b_carry = self.add_weight(name="b_carry", shape=(dim,),
                                           initializer=initializers.Constant(self.transform_bias))

    def call(self, inputs):
        h, t = inputs @ self.W, inputs @ self.W_carry
        if self.b is not None:
            h, t = h + self.b, t + self.b_carry
        t = torch.sigmoid(t)
        return t * self.activation(h) + (1 - t) * inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), **_common(self), "transform_bias": self.transform_bias,
                "activation": activations.serialize(self.activation)}


@registry.register()
class MaxoutDense(Layer):
    """Keras 1's maxout dense layer (Goodfellow et al., 2013): `nb_feature` linear maps and,
    per output unit, their maximum: `y = max_k (x W[k] + b[k])`.

    Weights, in Keras 1's order: `W` `(nb_feature, input_dim, output_dim)`, `b`
    `(nb_feature, output_dim)`.
    """

    def __init__(self, units, nb_feature=4, kernel_initializer="glorot_uniform",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        output_dim, init, W_regularizer, b_regularizer = units, kernel_initializer, \
            kernel_regularizer, bias_regularizer
        W_constraint, b_constraint, bias = kernel_constraint, bias_constraint, use_bias
        self.output_dim, self.nb_feature = int(output_dim), int(nb_feature)
        self.init = initializers.get(init)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.bias = bias

    def build(self, input_shape):
        shape = (self.nb_feature, input_shape[-1], self.output_dim)
        self.W = self.add_weight(name="W", shape=shape, initializer=self.init, regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        self.b = self.add_weight(name="b", shape=(self.nb_feature, self.output_dim), initializer="zeros",
                                 regularizer=self.b_regularizer,
                                 constraint=self.b_constraint) if self.bias else None

    def call(self, inputs):
        out = torch.einsum("ni,kio->nko", inputs, self.W)
        if self.b is not None:
            out = out + self.b
        return out.amax(dim=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        return {**super().get_config(), **_common(self), "units": self.output_dim,
                "nb_feature": self.nb_feature}


def _common(layer):
    return {"kernel_initializer": initializers.serialize(layer.init),
            "kernel_regularizer": serialized(regularizers, layer.W_regularizer),
            "bias_regularizer": serialized(regularizers, layer.b_regularizer),
            "kernel_constraint": serialized(constraints, layer.W_constraint),
            "bias_constraint": serialized(constraints, layer.b_constraint), "use_bias": layer.bias}
