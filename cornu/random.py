"""`cornu.random` (Keras 3's `keras.random`): random tensors from explicit seeds.

`seed` may be None (torch's global generator: new numbers each call), an int (the same numbers
on every call with that int, as in Keras), or a `SeedGenerator` (a fresh, reproducible draw per
call). Numbers are drawn on the CPU, so a seed gives the same values on every device, and then
moved to cornu's device.
"""
import torch

from cornu.backend.config import floatx, get_device, torch_dtype
from cornu.backend.naming import uniquify
from cornu.backend.variables import Variable

__all__ = ["SeedGenerator", "normal", "uniform", "randint", "truncated_normal", "dropout",
           "shuffle", "categorical", "gamma", "beta", "binomial"]


class SeedGenerator:
    """A stream of seeds: each random op given this generator draws new numbers, and two
    generators made with the same `seed` draw the same sequence.

    Its state is a non-trainable `Variable` of two int32 numbers, `[seed, counter]`, as in
    Keras 3 (`state.assign(...)` rewinds or forks the stream); a layer holding a generator lists
    the state in `layer.variables` (not in `weights`, and not in weight files, as Keras 3).

    Args:
        seed: int, or None for a seed drawn from torch's global generator.
        name: the generator's name (the state's path is `<name>/seed_generator_state`).
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is None:
            seed = int(torch.randint(0, 2 ** 31 - 1, ()).item())
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(f"SeedGenerator: `seed` must be an int or None, got {seed!r}.")
        self.initial_seed = seed
        self.name = name or uniquify("seed_generator")
        # On the CPU, where the numbers are drawn: reading it never waits for a device.
        self.state = Variable(torch.tensor([seed, 0], dtype=torch.int32), trainable=False,
                              name="seed_generator_state",
                              path=f"{self.name}/seed_generator_state")

    def next(self, ordered=True):
        """The next seed of the stream (an int); the state's counter moves on by one."""
        seed, counter = (int(v) for v in self.state.detach())
        self.state.data[1] += 1
        return (seed * 1_000_003 + counter * 7_919 + 1) % (2 ** 63 - 1)

    def get_config(self):
        return {"seed": self.initial_seed}


def _generator(seed, fn):
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        seed = seed.next()
    elif isinstance(seed, torch.Tensor) and seed.numel() == 1:
        seed = int(seed.item())
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"{fn}: `seed` must be an int, None or a SeedGenerator, got {seed!r}.")
    return torch.Generator().manual_seed(int(seed))


def _shape(shape):
    return (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)


def _dtype(dtype):
    return torch_dtype(dtype if dtype is not None else floatx())


def _out(x, dtype=None):
    return x.to(device=get_device(), dtype=dtype if dtype is not None else x.dtype)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of a normal distribution `N(mean, stddev**2)` (floatx by default)."""
    x = torch.randn(_shape(shape), generator=_generator(seed, "normal"), dtype=torch.float32)
    return _out(x * stddev + mean, _dtype(dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of the uniform distribution on `[minval, maxval)` (floatx by default)."""
    dtype = _dtype(dtype)
    if not dtype.is_floating_point:
        raise ValueError(f"uniform: `dtype` must be a float type, got {dtype}; use randint.")
    x = torch.rand(_shape(shape), generator=_generator(seed, "uniform"), dtype=torch.float32)
    return _out(x * (maxval - minval) + minval, dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from `[minval, maxval)` (int32 by default)."""
    x = torch.randint(int(minval), int(maxval), _shape(shape),
                      generator=_generator(seed, "randint"))
    return _out(x, torch_dtype(dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn until within two standard deviations of `mean`."""
    generator = _generator(seed, "truncated_normal")
    x = torch.randn(_shape(shape), generator=generator)
    bad = x.abs() > 2
    while bad.any():
        x[bad] = torch.randn(int(bad.sum()), generator=generator)
        bad = x.abs() > 2
    return _out(x * stddev + mean, _dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """`inputs` with each element zeroed with probability `rate`, the rest scaled by
    `1 / (1 - rate)`; `noise_shape` (None entries from `inputs`) shares the mask across axes."""
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: `rate` must be in [0, 1), got {rate!r}.")
    x = torch.as_tensor(inputs, device=get_device())
    if not x.is_floating_point():
        x = x.to(_dtype(None))
    shape = x.shape if noise_shape is None else tuple(
        x.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    keep = torch.rand(shape, generator=_generator(seed, "dropout")) >= rate
    return x * keep.to(device=x.device, dtype=x.dtype) / (1 - rate)


def shuffle(x, axis=0, seed=None):
    """`x` with its slices along `axis` in a random order."""
    x = torch.as_tensor(x, device=get_device())
    order = torch.randperm(x.shape[axis], generator=_generator(seed, "shuffle"))
    return torch.index_select(x, axis, order.to(x.device))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """`num_samples` class indices per row of `logits` `(batch, classes)`, drawn with
    probabilities `softmax(logits)`."""
    logits = torch.as_tensor(logits).to("cpu", torch.float64)
    probs = torch.softmax(logits, dim=-1)
    out = torch.multinomial(probs, int(num_samples), replacement=True,
                            generator=_generator(seed, "categorical"))
    return _out(out, torch_dtype(dtype))


def _seeded(seed, fn, sample):
    generator = _generator(seed, fn)
    if generator is None:
        return sample()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(generator.initial_seed())
        return sample()


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples of the Gamma distribution with concentration `alpha` and scale 1."""
    alpha = torch.full(_shape(shape), float(alpha), dtype=torch.float64)
    return _out(_seeded(seed, "gamma", lambda: torch._standard_gamma(alpha)), _dtype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):  # noqa: F811  (Keras's argument name)
    """Samples of the Beta distribution, as `X / (X + Y)` for Gamma samples `X`, `Y`."""
    a = torch.full(_shape(shape), float(alpha), dtype=torch.float64)
    b = torch.full(_shape(shape), float(beta), dtype=torch.float64)

    def sample():
        x, y = torch._standard_gamma(a), torch._standard_gamma(b)
        return x / (x + y)
    return _out(_seeded(seed, "beta", sample), _dtype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples of the Binomial distribution (`counts` trials of success probability
    `probabilities`)."""
    counts = torch.full(_shape(shape), float(counts), dtype=torch.float64)
    probs = torch.full(_shape(shape), float(probabilities), dtype=torch.float64)
    return _out(_seeded(seed, "binomial", lambda: torch.binomial(counts, probs)), _dtype(dtype))
