"""Random augmentation layers: active only in training, the identity in inference.

Each draws its per-image parameters from its own `SeedGenerator` (an int `seed` makes the
sequence reproducible) and transforms the whole batch at once on the images' device.
"""
import math

import torch

from cornu.layers.layer import registry
from cornu.layers.preprocessing.image.base import (ImageLayer, affine_sample, check_fill,
                                                   factor_pair)
from cornu.layers.preprocessing.image.resizing import aspect_crop, resize


class _Geometric(ImageLayer):
    """Rotation, zoom and translation: a per-image affine map sampled with `fill_mode`."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        check_fill(type(self).__name__, fill_mode, interpolation)
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value
        self._seeded(seed)

    def transform(self, images, training):
        if not training:
            return images
        theta = self.theta(images.shape[0], images.shape[2], images.shape[3], images.device)
        return affine_sample(images, theta, self.interpolation, self.fill_mode, self.fill_value)

    def compute_output_shape(self, input_shape):
        return input_shape


def _theta(a, b, tx, c, d, ty):
    return torch.stack([torch.stack([a, b, tx], -1), torch.stack([c, d, ty], -1)], -2)


@registry.register()
class RandomRotation(_Geometric):
    """Rotates each image by an angle drawn from `factor * 360` degrees (a number f: (-f, f)).

    Args:
        factor: a fraction of a full turn, or a pair (lower, upper).
        fill_mode: `"reflect"` (default), `"wrap"`, `"constant"` or `"nearest"`.
        interpolation: `"bilinear"` (default) or `"nearest"`.
        seed: int seed of the draws.
        fill_value: the value outside the image with `fill_mode="constant"`.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", owner="RandomRotation")

    def theta(self, n, h, w, device):
        angle = self.uniform((n,), self.factor[0] * 2 * math.pi, self.factor[1] * 2 * math.pi,
                             device)
        cos, sin, zero = torch.cos(angle), torch.sin(angle), torch.zeros_like(angle)
        # a rotation in pixels, written in coordinates normalized per axis
        return _theta(cos, -sin * h / w, zero, sin * w / h, cos, zero)


@registry.register()
class RandomZoom(_Geometric):
    """Zooms each image by `1 + z`, `z` drawn from `height_factor` (a number f: (-f, f));
    positive values zoom out, negative in. `width_factor` None keeps the aspect ratio.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h = factor_pair(height_factor, "height_factor", (-1.0, float("inf")), "RandomZoom")
        self._w = None if width_factor is None else factor_pair(
            width_factor, "width_factor", (-1.0, float("inf")), "RandomZoom")

    def theta(self, n, h, w, device):
        zy = 1 + self.uniform((n,), self._h[0], self._h[1], device)
        zx = zy if self._w is None else 1 + self.uniform((n,), self._w[0], self._w[1], device)
        zero = torch.zeros_like(zy)
        return _theta(zx, zero, zero, zero, zy, zero)


@registry.register()
class RandomTranslation(_Geometric):
    """Shifts each image by fractions of its height and width drawn from `height_factor` and
    `width_factor` (a number f: (-f, f))."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h = factor_pair(height_factor, "height_factor", owner="RandomTranslation")
        self._w = factor_pair(width_factor, "width_factor", owner="RandomTranslation")

    def theta(self, n, h, w, device):
        dy = self.uniform((n,), self._h[0], self._h[1], device)
        dx = self.uniform((n,), self._w[0], self._w[1], device)
        one, zero = torch.ones_like(dy), torch.zeros_like(dy)
        # output(x) = input(x - shift): a shift of d image sizes is 2d in normalized units
        return _theta(one, zero, -2 * dx, zero, one, -2 * dy)


@registry.register()
class RandomFlip(ImageLayer):
    """Flips each image, with probability 1/2 per direction, `"horizontal"`, `"vertical"` or
    `"horizontal_and_vertical"` (default)."""
    supports_masking = False

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"RandomFlip: `mode` must be 'horizontal', 'vertical' or "
                             f"'horizontal_and_vertical', got {mode!r}.")
        self.mode = mode
        self._seeded(seed)

    def transform(self, images, training):
        if not training:
            return images
        n = images.shape[0]
        if "horizontal" in self.mode:
            flip = (self.uniform((n,), 0, 1, images.device) < 0.5).view(n, 1, 1, 1)
            images = torch.where(flip, images.flip(-1), images)
        if "vertical" in self.mode:
            flip = (self.uniform((n,), 0, 1, images.device) < 0.5).view(n, 1, 1, 1)
            images = torch.where(flip, images.flip(-2), images)
        return images

    def compute_output_shape(self, input_shape):
        return input_shape


@registry.register()
class RandomContrast(ImageLayer):
    """Scales each image's deviation from its per-channel mean by a factor drawn from
    `[1 - lower, 1 + upper]` (`factor` f in [0, 1]: lower 0, upper f, as Keras 3 reads it), then
    clips to `value_range`."""

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", (0.0, 1.0), "RandomContrast")
        self.value_range = tuple(value_range)
        self._seeded(seed)

    def transform(self, images, training):
        if not training:
            return images
        f = self.uniform((images.shape[0], 1, 1, 1), 1 - self.factor[0], 1 + self.factor[1],
                         images.device).to(images.dtype)
        mean = images.mean(dim=(-2, -1), keepdim=True)
        return ((images - mean) * f + mean).clamp(self.value_range[0], self.value_range[1])

    def compute_output_shape(self, input_shape):
        return input_shape


@registry.register()
class RandomBrightness(ImageLayer):
    """Adds to each image a delta drawn from `factor` (a number f: (-f, f)) times the width of
    `value_range`, then clips to `value_range`."""

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair(factor, "factor", owner="RandomBrightness")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError("RandomBrightness: `value_range` must be a pair (low, high), got "
                             f"{value_range!r}.")
        self.value_range = sorted(value_range)
        self._seeded(seed)

    def transform(self, images, training):
        if not training:
            return images
        low, high = self.value_range
        delta = self.uniform((images.shape[0], 1, 1, 1), self.factor[0], self.factor[1],
                             images.device).to(images.dtype) * (high - low)
        return (images + delta).clamp(low, high)

    def compute_output_shape(self, input_shape):
        return input_shape


@registry.register()
class RandomCrop(ImageLayer):
    """Crops a random `(height, width)` box of each batch in training (one offset per batch, as
    Keras); in inference, and when the image is not larger than the box, the largest centred
    box of that aspect ratio, resized to `(height, width)`."""

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = int(height), int(width)
        self._seeded(seed)

    def transform(self, images, training):
        h, w = images.shape[-2:]
        if training and h > self.height and w > self.width:
            top = int(self.uniform((), 0, h - self.height + 1, "cpu"))
            left = int(self.uniform((), 0, w - self.width + 1, "cpu"))
            return images[:, :, top:top + self.height, left:left + self.width]
        return resize(aspect_crop(images, self.height, self.width), self.height, self.width)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        hi, wi = self._hw_axes(len(shape))
        shape[hi], shape[wi] = self.height, self.width
        return tuple(shape)

