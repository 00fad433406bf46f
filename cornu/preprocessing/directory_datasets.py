"""`image_dataset_from_directory` and `text_dataset_from_directory`: Keras 3's folder-of-classes
datasets, returned as cornu `Dataset`s (Keras 3 returns `tf.data` datasets, which need
TensorFlow).

    main_directory/
        class_a/  a_image_1.jpg  a_image_2.jpg ...
        class_b/  b_image_1.jpg ...

gives batches `(images, labels)`: images float32 `(batch, height, width, channels)` (values
0-255), labels int32 `(batch,)` (`label_mode="int"`), float32 `(batch, 1)` ("binary") or
one-hot float32 `(batch, classes)` ("categorical"). `.class_names` and `.file_paths` are
Keras's, in Keras's order for the same `seed`.
"""
import numpy as np
import torch
import torch.nn.functional as F

from cornu.backend.config import image_data_format
from cornu.utils import dataset_utils as du

__all__ = ["image_dataset_from_directory", "text_dataset_from_directory", "resize_image"]

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic", "area": "area"}
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


def resize_image(image, size, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, data_format="channels_last"):
    """Resizes one float image `(h, w, c)` (or `(c, h, w)`) to `size` as Keras 3 does on torch:
    `crop_to_aspect_ratio` first cuts the largest centred box of the target's aspect ratio,
    `pad_to_aspect_ratio` pads both sides equally with zeros towards it; then half-pixel interpolation, no antialias."""
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be True.")
    chw = image if data_format == "channels_first" else image.permute(2, 0, 1)
    height, width = chw.shape[-2:]
    th, tw = size
    if crop_to_aspect_ratio:
        ch = max(min(height, int(float(width * th) / tw)), 1)
        cw = max(min(width, int(float(height * tw) / th)), 1)
        top, left = int(float(height - ch) / 2), int(float(width - cw) / 2)
        chw = chw[:, top:top + ch, left:left + cw]
    elif pad_to_aspect_ratio:
        ph = max(height, int(float(width * th) / tw))
        pw = max(width, int(float(height * tw) / th))
        top, left = int(float(ph - height) / 2), int(float(pw - width) / 2)
        chw = F.pad(chw, (left, left, top, top))  # the same margin on both sides, as Keras
    mode = _MODES[interpolation]
    out = F.interpolate(chw[None], size=(th, tw), mode=mode,
                        align_corners=False if mode in ("bilinear", "bicubic") else None)[0]
    return out if data_format == "channels_first" else out.permute(1, 2, 0)


def _image_loader(size, channels, interpolation, crop, pad, data_format):
    from cornu.preprocessing.image import _pil
    pil = _pil()
    modes = {1: ("L", "I;16", "I"), 3: ("RGB",), 4: ("RGBA",)}

    def load(path):
        with pil.open(path) as img:
            if img.mode not in modes[channels]:
                img = img.convert(modes[channels][0])
            array = np.array(img, dtype="float32")
        image = torch.from_numpy(array if array.ndim == 3 else array[..., None])
        if data_format == "channels_first":
            image = image.permute(2, 0, 1)
        return resize_image(image, size, interpolation, crop, pad, data_format)
    return load


def _check_labels(labels, label_mode, class_names):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple, np.ndarray)):
            raise ValueError("`labels` must be 'inferred', None, or a list/tuple of integer "
                             f"labels in the order of the sorted file paths; got {labels!r}.")
        if class_names:
            raise ValueError("`class_names` goes with labels='inferred' only; got "
                             f"labels={type(labels).__name__} and class_names={class_names}.")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f'`label_mode` must be "int", "categorical", "binary" or None, got '
                         f"{label_mode!r}.")
    return (None, None) if labels is None or label_mode is None else (labels, label_mode)


def _build(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
           validation_split, subset, follow_links, verbose, formats, load, kind):
    du.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = du.index_directory(
        directory, labels, formats=formats, class_names=class_names, shuffle=shuffle,
        seed=seed, follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'label_mode="binary" needs exactly 2 classes; found {class_names}.')
    num_classes = len(class_names) if class_names else 0

    def make(subset_name, shuffle_it):
        these, their_labels = du.training_or_validation(paths, labels, validation_split,
                                                        subset_name, verbose)
        if not these:
            raise ValueError(f"No {kind} found in {directory} (allowed formats: {formats})"
                             + (f" for the {subset_name} subset." if subset_name else "."))
        dataset = du.samples_dataset(these, their_labels, load, label_mode, num_classes,
                                     batch_size, shuffle_it, seed)
        dataset.class_names, dataset.file_paths = class_names, list(these)
        return dataset
    if subset == "both":
        return [make("training", shuffle), make("validation", False)]
    return make(subset, shuffle)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """A Dataset of `(images, labels)` batches from a folder of class subfolders.

    Args (Keras 3's): `labels` 'inferred' (subfolders), None, or a list of labels for the
    sorted files; `label_mode` 'int', 'categorical', 'binary' or None (images only);
    `class_names` the subfolders to use, in label order; `color_mode` 'rgb', 'rgba',
    'grayscale'; `image_size` `(height, width)` or an int; `shuffle`/`seed` the file order
    (and a per-epoch buffered shuffle of the batches' samples); `validation_split` with
    `subset` 'training', 'validation' or 'both' (a list of two datasets);
    `interpolation` 'bilinear', 'nearest', 'bicubic' or 'area'; `crop_to_aspect_ratio` /
    `pad_to_aspect_ratio`; `data_format`; `format` ('tf' or 'grain': the same Dataset here).

    Example:
        train, val = image_dataset_from_directory("photos", validation_split=0.2,
                subset="both", seed=1337, image_size=(180, 180), batch_size=32)
        model.fit(train, validation_data=val, epochs=5)
    """
    labels, label_mode = _check_labels(labels, label_mode, class_names)
    if color_mode not in _CHANNELS:
        raise ValueError(f'`color_mode` must be "rgb", "rgba" or "grayscale", got {color_mode!r}.')
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    if not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(f"`image_size` must be (height, width), got {image_size!r}.")
    interpolation = interpolation.lower()
    if interpolation not in _MODES:
        raise ValueError(f"`interpolation` must be one of {sorted(_MODES)} on cornu, got "
                         f"{interpolation!r} (lanczos and gaussian kernels are not in torch).")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be True.")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` must be "tf" or "grain", got {format!r}.')
    data_format = data_format or image_data_format()
    load = _image_loader(tuple(int(s) for s in image_size), _CHANNELS[color_mode], interpolation,
                         crop_to_aspect_ratio, pad_to_aspect_ratio, data_format)
    return _build(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                  validation_split, subset, follow_links, verbose, IMAGE_FORMATS, load, "images")


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                batch_size=32, max_length=None, shuffle=True, seed=None,
                                validation_split=None, subset=None, follow_links=False,
                                format="tf", verbose=True):
    """A Dataset of `(texts, labels)` batches from a folder of class subfolders of `.txt` files.

    Texts are NumPy arrays of `str` (Keras 3 gives tf string tensors); `max_length` keeps the
    first `max_length` characters. Other arguments as `image_dataset_from_directory`.
    """
    labels, label_mode = _check_labels(labels, label_mode, class_names)
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` must be "tf" or "grain", got {format!r}.')

    def load(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        return text[:max_length] if max_length is not None else text
    return _build(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                  validation_split, subset, follow_links, verbose, (".txt",), load, "text files")
