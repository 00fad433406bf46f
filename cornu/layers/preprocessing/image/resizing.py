"""Resizing and CenterCrop: deterministic image layers (the same in training and inference)."""
import torch.nn.functional as F

from cornu.layers.layer import registry
from cornu.layers.preprocessing.image.base import ImageLayer

_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}


def resize(images, height, width, interpolation="bilinear", antialias=False):
    """`(N, C, H, W)` images resized as Keras on torch does (`align_corners=False`)."""
    if tuple(images.shape[-2:]) == (height, width):
        return images
    align = False if interpolation in ("bilinear", "bicubic") else None
    return F.interpolate(images, size=(height, width), mode=_MODES[interpolation],
                         align_corners=align,
                         antialias=antialias and interpolation in ("bilinear", "bicubic"))


def aspect_crop(images, height, width):
    """The largest centred crop of `(N, C, H, W)` images with the aspect ratio `height:width`."""
    h, w = images.shape[-2:]
    crop_h = max(min(h, int(float(w * height) / width)), 1)
    crop_w = max(min(w, int(float(h * width) / height)), 1)
    top, left = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
    return images[:, :, top:top + crop_h, left:left + crop_w]


@registry.register()
class Resizing(ImageLayer):
    """Resizes images to `(height, width)`.

    Args:
        height, width: the output size.
        interpolation: `"bilinear"` (default), `"nearest"` or `"bicubic"`.
        crop_to_aspect_ratio: first crop the largest centred box of the target aspect ratio.
        pad_to_aspect_ratio: first pad (with `fill_value`) to the target aspect ratio.
        fill_mode: `"constant"` (the only mode Keras supports here).
        fill_value: the padding value.
        antialias: antialias when downsampling (bilinear, bicubic).
        data_format: `"channels_last"` (default) or `"channels_first"`.

    >>> tuple(Resizing(4, 6)(np.ones((2, 8, 8, 3))).shape)
    (2, 4, 6, 3)
    """
    supports_masking = False

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if interpolation not in _MODES:
            raise NotImplementedError(f"Resizing: `interpolation` {interpolation!r} is not "
                                      f"supported; expected one of {sorted(_MODES)}.")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: only one of `crop_to_aspect_ratio` and "
                             "`pad_to_aspect_ratio` can be True.")
        if fill_mode != "constant":
            raise ValueError(f"Resizing: `fill_mode` must be 'constant', got {fill_mode!r}.")
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio, self.pad_to_aspect_ratio = crop_to_aspect_ratio, \
            pad_to_aspect_ratio
        self.fill_mode, self.fill_value, self.antialias = fill_mode, fill_value, antialias

    def transform(self, images, training):
        if self.crop_to_aspect_ratio:
            images = aspect_crop(images, self.height, self.width)
        elif self.pad_to_aspect_ratio:
            h, w = images.shape[-2:]
            pad_h = max(h, int(float(w * self.height) / self.width))
            pad_w = max(w, int(float(h * self.width) / self.height))
            top, left = int(float(pad_h - h) / 2), int(float(pad_w - w) / 2)
            images = F.pad(images, (left, left, top, top), value=float(self.fill_value))
        return resize(images, self.height, self.width, self.interpolation, self.antialias)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h, w = self._hw_axes(len(shape))
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)


@registry.register()
class CenterCrop(ImageLayer):
    """Crops the centre `(height, width)` of images; an image smaller than that is first
    centre-cropped to the target aspect ratio and resized (bilinear), as Keras does.

    >>> tuple(CenterCrop(4, 4)(np.ones((2, 8, 6, 3))).shape)
    (2, 4, 4, 3)
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = int(height), int(width)

    def transform(self, images, training):
        h, w = images.shape[-2:]
        if h >= self.height and w >= self.width:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            return images[:, :, top:top + self.height, left:left + self.width]
        return resize(aspect_crop(images, self.height, self.width), self.height, self.width)

    compute_output_shape = Resizing.compute_output_shape

