"""Weight initializers with Keras 3 defaults, fan computation and names (Keras 1 names too)."""
import math

import numpy as np
import torch

from cornu.backend import variables as _variables
from cornu.backend.config import torch_dtype
from cornu.utils.registry import Registry

registry = Registry("initializer")
register = registry.register


def compute_fans(shape, input_axes=None, output_axes=None):
    """Keras's fans: the receptive field is every dimension but the last two (`(..., in, out)`),
    or the products over `input_axes` and `output_axes` when given."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[a] for a in input_axes)),
                int(math.prod(shape[a] for a in output_axes)))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: `init(shape, dtype=None)` returns a torch tensor of that shape."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

    def _generator(self):
        seed = getattr(self, "seed", None)
        if seed is None:
            return None
        g = torch.Generator()
        g.manual_seed(int(seed))
        return g


@register("zeros", "zero")
class Zeros(Initializer):
    """Initializes to 0."""

    def __call__(self, shape, dtype=None):
        return torch.zeros(tuple(shape), dtype=torch_dtype(dtype))


@register("ones", "one")
class Ones(Initializer):
    """Initializes to 1."""

    def __call__(self, shape, dtype=None):
        return torch.ones(tuple(shape), dtype=torch_dtype(dtype))


@register("constant")
class Constant(Initializer):
    """Initializes every entry to `value`."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        value = torch.as_tensor(np.asarray(self.value), dtype=torch_dtype(dtype))
        return torch.broadcast_to(value, tuple(shape)).clone()

    def get_config(self):
        return {"value": self.value}


class _Seeded(Initializer):
    def get_config(self):
        return {k: getattr(self, k) for k in self._config_keys}


@register("random_uniform", "uniform")
class RandomUniform(_Seeded):
    """Draws from the uniform distribution on `[minval, maxval)` (default ±0.05)."""

    _config_keys = ("minval", "maxval", "seed")

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None):
        out = torch.empty(tuple(shape), dtype=torch_dtype(dtype))
        return out.uniform_(self.minval, self.maxval, generator=self._generator())


@register("random_normal", "normal")
class RandomNormal(_Seeded):
    """Draws from a normal distribution (`mean` 0, `stddev` 0.05 by default)."""

    _config_keys = ("mean", "stddev", "seed")

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        out = torch.empty(tuple(shape), dtype=torch_dtype(dtype))
        return out.normal_(self.mean, self.stddev, generator=self._generator())


def _truncated_normal(shape, mean, stddev, dtype, generator):
    # Keras truncates at two standard deviations (redraws values outside).
    out = torch.empty(tuple(shape), dtype=torch_dtype(dtype))
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=generator)
    return out.mul_(stddev).add_(mean)


@register("truncated_normal")
class TruncatedNormal(_Seeded):
    """Draws from a normal distribution, redrawing values more than 2 standard deviations
    from the mean."""

    _config_keys = ("mean", "stddev", "seed")

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return _truncated_normal(shape, self.mean, self.stddev, dtype, self._generator())


@register("variance_scaling")
class VarianceScaling(_Seeded):
    """Draws with variance `scale / n`, `n` the fan-in, fan-out or their mean (Keras's fans):
    a normal truncated at two standard deviations (rescaled so the variance is exact), an
    untruncated normal, or a uniform in `[-sqrt(3 scale / n), sqrt(3 scale / n)]`."""
    _config_keys = ("seed", "scale", "mode", "distribution", "input_axes", "output_axes")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` {mode!r}: expected 'fan_in', 'fan_out' or 'fan_avg'.")
        distribution = distribution.lower()
        if distribution == "normal":  # Keras 2 name
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"Invalid `distribution` {distribution!r}: expected 'uniform', "
                             "'truncated_normal' or 'untruncated_normal'.")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        self.input_axes, self.output_axes = input_axes, output_axes

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        g = self._generator()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / 0.87962566103423978
            return _truncated_normal(shape, 0.0, stddev, dtype, g)
        out = torch.empty(tuple(shape), dtype=torch_dtype(dtype))
        if self.distribution == "untruncated_normal":
            return out.normal_(0.0, math.sqrt(scale), generator=g)
        limit = math.sqrt(3.0 * scale)
        return out.uniform_(-limit, limit, generator=g)


def _variance_scaling_alias(name, scale, mode, distribution, aliases=()):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    doc = (f"`VarianceScaling(scale={scale}, mode='{mode}', distribution='{distribution}')`.")
    cls = type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                          "__doc__": doc, "__module__": __name__})
    snake = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    registry.register(snake, *aliases)(cls)
    return cls


GlorotUniform = _variance_scaling_alias("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _variance_scaling_alias("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _variance_scaling_alias("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _variance_scaling_alias("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _variance_scaling_alias("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _variance_scaling_alias("LecunNormal", 1.0, "fan_in", "truncated_normal")


@register("orthogonal", "OrthogonalInitializer")
class Orthogonal(_Seeded):
    """An orthogonal matrix (of the shape flattened to 2-D) times `gain`."""

    _config_keys = ("gain", "seed")

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f"The Orthogonal initializer needs a shape of rank >= 2, got {shape}.")
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        flat = torch.empty(max(rows, cols), min(rows, cols)).normal_(generator=self._generator())
        q, r = torch.linalg.qr(flat)
        q = q * torch.sign(torch.diagonal(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).to(torch_dtype(dtype))


@register("identity", "IdentityInitializer")
class Identity(Initializer):
    """The identity matrix times `gain` (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"The Identity initializer needs a 2D shape, got {tuple(shape)}.")
        return self.gain * torch.eye(*shape, dtype=torch_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


IdentityInitializer = Identity


def get(identifier):
    """An initializer from a name (Keras 1 names such as `'uniform'` and `'normal'` included),
    a config, a class, an instance, a function `f(shape, dtype=None)` or an array of values."""
    if isinstance(identifier, (np.ndarray, np.generic, torch.Tensor)):
        values = torch.as_tensor(np.asarray(identifier) if not isinstance(
            identifier, torch.Tensor) else identifier)

        def initialize(shape, dtype=None):
            if tuple(shape) != tuple(values.shape):
                raise ValueError(f"Expected `shape` to be {tuple(values.shape)} for a tensor "
                                 f"given as initializer. Received shape={tuple(shape)}")
            return values.clone().to(torch_dtype(dtype))
        return initialize
    if callable(identifier) and not isinstance(identifier, (type, Initializer)):
        return identifier  # a plain function `f(shape, dtype=None)`
    return registry.get(identifier)


def serialize(initializer):
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)


# Keras 3's lower-case names are the classes (`glorot_uniform(seed=1)` is a GlorotUniform).
zeros, ones, constant = Zeros, Ones, Constant
random_uniform, random_normal, truncated_normal = RandomUniform, RandomNormal, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal

__all__ = ["zeros", "ones", "constant", "random_uniform", "random_normal", "truncated_normal",
           "variance_scaling", "orthogonal", "identity", "glorot_uniform", "glorot_normal",
           "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
           "Initializer", "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform",
           "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "Identity", "get",
           "serialize", "deserialize", "compute_fans"]

_variables.set_initializer_lookup(get)  # `keras.Variable("zeros", shape)`
