"""What the image preprocessing layers share: data format, batching, sampling, seeds."""
import torch
import torch.nn.functional as F

from cornu import random as cornu_random
from cornu.backend.config import image_data_format
from cornu.layers.layer import Layer

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("bilinear", "nearest")


class ImageLayer(Layer):
    """Images `(batch, height, width, channels)` (or `channels_first`, or one unbatched image).

    Subclasses write `transform(x, training)` on a float batch in torch's `(N, C, H, W)`;
    this class moves the layout and the batch axis in and out.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or image_data_format()
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{type(self).__name__}: `data_format` must be 'channels_last' or "
                             f"'channels_first', got {data_format!r}.")

    def call(self, inputs, training=False):
        x = inputs
        if x.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected images of rank 3 "
                             f"(one image) or 4 (a batch), got shape {tuple(x.shape)}.")
        if not x.is_floating_point():
            x = x.to(torch.get_default_dtype())
        single = x.ndim == 3
        if single:
            x = x.unsqueeze(0)
        if self.data_format == "channels_last":
            x = x.permute(0, 3, 1, 2)
        out = self.transform(x, bool(training))
        if self.data_format == "channels_last":
            out = out.permute(0, 2, 3, 1)
        return out[0] if single else out

    def transform(self, images, training):
        raise NotImplementedError

    def _seeded(self, seed):
        """Random layers: a `SeedGenerator` stream (an int `seed` makes it reproducible)."""
        self.seed = seed
        self.generator = cornu_random.SeedGenerator(seed)

    def uniform(self, shape, low, high, device):
        """Uniform draws from this layer's seed stream, on `device`."""
        return cornu_random.uniform(shape, low, high, seed=self.generator,
                                    dtype="float32").to(device)

    def _hw_axes(self, rank):
        first = 0 if rank == 3 else 1
        return (first, first + 1) if self.data_format == "channels_last" else \
            (first + 1, first + 2)


def factor_pair(factor, name, bounds=(-1.0, 1.0), owner="layer"):
    """Keras's reading of a `factor`: a number f means (-f, f) (clipped to `bounds`), a pair is
    sorted."""
    message = (f"{owner}: `{name}` must be a number or a pair of numbers in "
               f"[{bounds[0]}, {bounds[1]}], got {factor!r}.")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(message)
        factor = abs(factor)
        return (max(-factor, bounds[0]), factor)
    raise ValueError(message)


def check_fill(owner, fill_mode, interpolation):
    if fill_mode not in FILL_MODES:
        raise NotImplementedError(f"{owner}: unknown `fill_mode` {fill_mode!r}; expected one of "
                                  f"{FILL_MODES}.")
    if interpolation not in INTERPOLATIONS:
        raise NotImplementedError(f"{owner}: unknown `interpolation` {interpolation!r}; "
                                  f"expected one of {INTERPOLATIONS}.")


def affine_sample(images, theta, interpolation, fill_mode, fill_value):
    """Samples `images` (N, C, H, W) at `theta @ [x, y, 1]` for each output pixel, in
    normalized coordinates (-1..1 over the pixel edges), filling outside as Keras's `fill_mode`:
    reflect (d c b a|a b c d|d c b a), wrap, nearest (the edge), constant (`fill_value`)."""
    n, c, h, w = images.shape
    grid = F.affine_grid(theta.to(images.dtype), (n, c, h, w), align_corners=False)
    mode = "bilinear" if interpolation == "bilinear" else "nearest"
    if fill_mode == "wrap":
        grid = torch.remainder(grid + 1, 2) - 1
    padding = {"reflect": "reflection", "wrap": "border", "nearest": "border",
               "constant": "zeros"}[fill_mode]
    if fill_mode == "constant" and fill_value:
        ones = torch.ones((n, 1, h, w), dtype=images.dtype, device=images.device)
        both = F.grid_sample(torch.cat([images, ones], 1), grid, mode=mode,
                             padding_mode=padding, align_corners=False)
        return both[:, :c] + (1 - both[:, c:]) * fill_value
    return F.grid_sample(images, grid, mode=mode, padding_mode=padding, align_corners=False)
