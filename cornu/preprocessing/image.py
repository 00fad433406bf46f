"""`keras.preprocessing.image`: load, convert and augment images (Keras 2's API).

`load_img` / `img_to_array` / `array_to_img` / `save_img` use Pillow. `ImageDataGenerator`
yields augmented batches from arrays (`flow`) or from a folder per class
(`flow_from_directory`); its iterators are `Sequence`s, so `fit` reads them through the same
adapter as any other data.
"""
import os

import numpy as np

from cornu.backend.config import floatx, image_data_format
from cornu.utils.sequence import Sequence

_INTERPOLATION = {"nearest": 0, "bilinear": 2, "bicubic": 3, "lanczos": 1, "box": 4, "hamming": 5}
WHITELIST_FORMATS = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff", ".gif")
DIRECTORY_FORMATS = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff")  # Keras's list


def _pil():
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("Loading images needs Pillow (pip install pillow).") from error
    return Image


def load_img(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image file as a PIL image (`target_size=(height, width)` resizes it)."""
    Image = _pil()
    if grayscale:
        color_mode = "grayscale"
    with open(os.fspath(path), "rb") as f:
        img = Image.open(f)
        img.load()
    modes = {"grayscale": "L", "rgba": "RGBA", "rgb": "RGB"}
    if color_mode not in modes:
        raise ValueError(f"color_mode must be 'grayscale', 'rgb' or 'rgba', got {color_mode!r}.")
    if img.mode != modes[color_mode]:
        img = img.convert(modes[color_mode])
    if target_size is not None:
        size = (target_size[1], target_size[0])
        if img.size != size:
            if interpolation not in _INTERPOLATION:
                raise ValueError(f"Invalid interpolation {interpolation!r}; supported: "
                                 f"{', '.join(_INTERPOLATION)}.")
            if keep_aspect_ratio:
                width, height = img.size
                crop_h = min(height, width * target_size[0] // target_size[1])
                crop_w = min(width, height * target_size[1] // target_size[0])
                left, top = (width - crop_w) // 2, (height - crop_h) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize(size, _INTERPOLATION[interpolation])
    return img


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image → an array `(height, width, channels)` (channels first if asked)."""
    data_format = data_format or image_data_format()
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 2:
        x = x[:, :, None]
    elif x.ndim != 3:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x.transpose(2, 0, 1) if data_format == "channels_first" else x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """An array `(height, width, channels)` → a PIL image (rescaled to 0-255 if `scale`)."""
    Image = _pil()
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected an image array of rank 3, got shape {x.shape}.")
    if (data_format or image_data_format()) == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    x = x.astype("uint8")
    if channels == 4:
        return Image.fromarray(x, "RGBA")
    if channels == 3:
        return Image.fromarray(x, "RGB")
    if channels == 1:
        return Image.fromarray(x[:, :, 0], "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    array_to_img(x, data_format=data_format, scale=scale).save(path, format=file_format, **kwargs)


class ImageDataGenerator:
    """Batches of images with real-time augmentation (Keras 2's `ImageDataGenerator`)."""

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0, width_shift_range=0.0,
                 height_shift_range=0.0, brightness_range=None, shear_range=0.0, zoom_range=0.0,
                 channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, dtype=None, interpolation_order=1):
        if zca_whitening:  # Keras: ZCA works on centred data and replaces the std scaling
            featurewise_center, featurewise_std_normalization = True, False
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.zca_whitening_matrix = None
        self.featurewise_center, self.samplewise_center = featurewise_center, samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.rotation_range, self.shear_range = rotation_range, shear_range
        self.width_shift_range, self.height_shift_range = width_shift_range, height_shift_range
        self.brightness_range, self.channel_shift_range = brightness_range, channel_shift_range
        self.zoom_range = (1 - zoom_range, 1 + zoom_range) if np.isscalar(zoom_range) else \
            tuple(zoom_range)
        self.fill_mode, self.cval = fill_mode, cval
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale, self.preprocessing_function = rescale, preprocessing_function
        self.data_format = data_format or image_data_format()
        self.validation_split = validation_split
        self.dtype = dtype or floatx()
        self.mean = self.std = None

    # ----------------------------------------------------------------- statistics
    def _axes(self):
        return (0, 2, 3) if self.data_format == "channels_first" else (0, 1, 2)

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Featurewise statistics (mean, std, ZCA matrix) of `x`, as Keras computes them: on the
        rescaled images, the std after centring, the ZCA matrix from the SVD of the centred
        images (`u diag(sqrt(n) / (s + zca_epsilon)) u^T`)."""
        x = np.array(x, dtype=self.dtype)
        if self.rescale:
            x *= self.rescale
        if augment:
            x = np.concatenate([np.stack([self.random_transform(img, seed) for img in x])
                                for _ in range(rounds)])
        shape = [1, 1, 1]
        shape[0 if self.data_format == "channels_first" else 2] = x.shape[
            1 if self.data_format == "channels_first" else 3]
        if self.featurewise_center:
            self.mean = np.mean(x, axis=self._axes()).reshape(shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=self._axes()).reshape(shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            n = len(x)
            u, s, _ = np.linalg.svd(x.reshape(n, -1).T, full_matrices=False)
            self.zca_whitening_matrix = (u * (np.sqrt(n) / (s + self.zca_epsilon))).dot(u.T)

    def standardize(self, x):
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x = x * self.rescale
        if self.samplewise_center:
            x = x - np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x = x / (np.std(x, keepdims=True) + 1e-6)
        if self.featurewise_center and self.mean is not None:
            x = x - self.mean
        if self.featurewise_std_normalization and self.std is not None:
            x = x / (self.std + 1e-6)
        if self.zca_whitening and self.zca_whitening_matrix is not None:
            x = (x.reshape(-1, int(np.prod(x.shape[-3:]))) @ self.zca_whitening_matrix).reshape(x.shape)
        return x

    # ------------------------------------------------------------------ augmentation
    def random_transform(self, x, seed=None):
        """One random augmentation of a single image `x` (height, width, channels)."""
        rng = np.random.RandomState(seed) if seed is not None else np.random
        channels_first = self.data_format == "channels_first"
        img = x.transpose(1, 2, 0) if channels_first else x
        h, w = img.shape[:2]
        theta = np.deg2rad(rng.uniform(-self.rotation_range, self.rotation_range)) \
            if self.rotation_range else 0.0
        tx = self._shift(self.height_shift_range, h, rng)
        ty = self._shift(self.width_shift_range, w, rng)
        shear = np.deg2rad(rng.uniform(-self.shear_range, self.shear_range)) if self.shear_range else 0.0
        zx, zy = (1.0, 1.0) if self.zoom_range == (1, 1) else rng.uniform(*self.zoom_range, 2)
        if theta or tx or ty or shear or zx != 1 or zy != 1:
            img = _affine(img, theta, tx, ty, shear, zx, zy, self.fill_mode, self.cval)
        if self.channel_shift_range:
            img = np.clip(img + rng.uniform(-self.channel_shift_range, self.channel_shift_range),
                          img.min(), img.max())
        if self.horizontal_flip and rng.rand() < 0.5:
            img = img[:, ::-1]
        if self.vertical_flip and rng.rand() < 0.5:
            img = img[::-1]
        if self.brightness_range is not None:
            img = img * rng.uniform(*self.brightness_range)
        img = np.ascontiguousarray(img)
        return img.transpose(2, 0, 1) if channels_first else img

    @staticmethod
    def _shift(spec, size, rng):
        if not spec:
            return 0.0
        if isinstance(spec, (list, tuple, np.ndarray)):
            return float(rng.choice(spec))
        value = rng.uniform(-spec, spec)
        return value * size if abs(spec) < 1 else value

    def _augments(self):
        return bool(self.rotation_range or self.width_shift_range or self.height_shift_range or
                    self.shear_range or self.zoom_range != (1, 1) or self.channel_shift_range or
                    self.horizontal_flip or self.vertical_flip or self.brightness_range)

    # --------------------------------------------------------------------- iterators
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, subset=None, **kwargs):
        x = np.asarray(x)
        y = None if y is None else np.asarray(y)
        if subset is not None and subset not in ("training", "validation"):
            raise ValueError(f'`subset` must be "training" or "validation", got {subset!r}.')
        if self.validation_split and subset:
            # Keras: validation is the first `validation_split` fraction, training the rest
            cut = int(len(x) * self.validation_split)
            part = slice(cut, None) if subset == "training" else slice(0, cut)
            if y is not None and not kwargs.get("ignore_class_split") and \
                    not np.array_equal(np.unique(y[:cut]), np.unique(y[cut:])):
                raise ValueError("Training and validation subsets have different classes after "
                                 "the split; if the arrays are sorted by label, shuffle them "
                                 "(or pass ignore_class_split=True).")
            x = x[part]
            y = None if y is None else y[part]
            sample_weight = None if sample_weight is None else np.asarray(sample_weight)[part]
        return NumpyArrayIterator(self, x, y, batch_size, shuffle, seed, sample_weight)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, subset=None, interpolation="nearest",
                            follow_links=False, keep_aspect_ratio=False, **kwargs):
        return DirectoryIterator(self, directory, tuple(target_size), color_mode, classes,
                                 class_mode, batch_size, shuffle, seed, subset, interpolation,
                                 keep_aspect_ratio, follow_links)

    def flow_from_dataframe(self, dataframe, directory=None, x_col="filename", y_col="class",
                            weight_col=None, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, subset=None, interpolation="nearest",
                            validate_filenames=True, keep_aspect_ratio=False, **kwargs):
        """Batches of the images named in `dataframe[x_col]` (paths relative to `directory`)
        labelled by `y_col`: Keras 2.x's iterator (see cornu/preprocessing/dataframe.py)."""
        from cornu.preprocessing.dataframe import DataFrameIterator
        return DataFrameIterator(dataframe, self, directory, x_col, y_col, weight_col,
                                 target_size, color_mode, classes, class_mode, batch_size,
                                 shuffle, seed, subset, interpolation, validate_filenames,
                                 keep_aspect_ratio)


def _affine(img, theta, tx, ty, shear, zx, zy, fill_mode, cval):
    """Applies rotation/shift/shear/zoom about the image centre (nearest-neighbour sampling)."""
    h, w = img.shape[:2]
    rotation = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0],
                         [0, 0, 1]])
    shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    shearing = np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
    zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    matrix = rotation @ shift @ shearing @ zoom
    offset = np.array([[1, 0, h / 2 - 0.5], [0, 1, w / 2 - 0.5], [0, 0, 1]])
    reset = np.array([[1, 0, -h / 2 + 0.5], [0, 1, -w / 2 + 0.5], [0, 0, 1]])
    matrix = offset @ matrix @ reset
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    coords = np.stack([rows.ravel(), cols.ravel(), np.ones(h * w)])
    src = matrix @ coords
    r, c = np.rint(src[0]).astype(int), np.rint(src[1]).astype(int)
    if fill_mode == "nearest":
        r, c = np.clip(r, 0, h - 1), np.clip(c, 0, w - 1)
        return img[r, c].reshape(img.shape)
    if fill_mode == "reflect":
        r, c = _reflect(r, h), _reflect(c, w)
        return img[r, c].reshape(img.shape)
    if fill_mode == "wrap":
        return img[r % h, c % w].reshape(img.shape)
    inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)
    out = np.full((h * w,) + img.shape[2:], cval, dtype=img.dtype)
    out[inside] = img[r[inside], c[inside]]
    return out.reshape(img.shape)


def _reflect(i, n):
    period = 2 * n
    i = np.mod(i, period)
    return np.where(i >= n, period - 1 - i, i)


class _BatchIterator(Sequence):
    """Keras's image iterator: indexable by batch (a `Sequence` for `fit`) and a Python
    iterator (`next(it)`, `it.next()`) that loops forever over epochs. With a `seed`, the order
    of epoch `k` is Keras's: `RandomState(seed + batches_seen_so_far).permutation(n)`."""

    def __init__(self, n, batch_size, shuffle, seed):
        super().__init__()
        self.n, self.batch_size, self.shuffle, self.seed = n, batch_size, shuffle, seed
        self.batch_index = 0
        self.total_batches_seen = 0
        self.index_array = None

    def _set_index_array(self):
        if not self.shuffle:
            self.index_array = np.arange(self.n)
        else:
            rng = np.random.RandomState(None if self.seed is None
                                        else self.seed + self.total_batches_seen)
            self.index_array = rng.permutation(self.n)

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        """Starts `next()` again from the first batch (of a fresh order when shuffling)."""
        self.batch_index = 0

    def __getitem__(self, i):
        if i >= len(self):
            raise IndexError(f"Asked for batch {i} of a sequence of {len(self)} batches.")
        if self.index_array is None:
            self._set_index_array()
        self.total_batches_seen += 1
        return self._batch(self.index_array[i * self.batch_size:(i + 1) * self.batch_size])

    def _next_index(self):
        if self.batch_index == 0:
            self._set_index_array()
        start = (self.batch_index * self.batch_size) % self.n if self.n else 0
        self.batch_index = self.batch_index + 1 if self.n > start + self.batch_size else 0
        self.total_batches_seen += 1
        return self.index_array[start:start + self.batch_size]

    def __next__(self):  # Keras 2 scripts call next(it) or it.next(); the loop never ends
        return self._batch(self._next_index())

    next = __next__

    def __iter__(self):
        return self

    def _transform(self, x):
        gen = self.generator
        x = x.astype(gen.dtype)
        if gen._augments():
            x = gen.random_transform(x)
        return gen.standardize(x)


class NumpyArrayIterator(_BatchIterator):
    """The batches of `ImageDataGenerator.flow(x, y)`: augmented images, with their labels."""

    def __init__(self, generator, x, y, batch_size, shuffle, seed, sample_weight=None):
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.flow expects images of rank 4 (batch, height, "
                             f"width, channels), got shape {x.shape}.")
        if y is not None and len(y) != len(x):
            raise ValueError(f"x ({len(x)} samples) and y ({len(y)} samples) differ in length.")
        self.generator, self.x, self.y, self.sample_weight = generator, x, y, sample_weight
        super().__init__(len(x), batch_size, shuffle, seed)

    def _batch(self, index):
        batch = np.stack([self._transform(self.x[i]) for i in index])
        if self.y is None:
            return batch
        if self.sample_weight is not None:
            return batch, self.y[index], np.asarray(self.sample_weight)[index]
        return batch, self.y[index]


def _valid_files(folder, follow_links):
    """A class folder's images, relative to it: subfolders walked, sorted, as Keras lists them."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda e: e[0]):
        for name in sorted(files):
            if name.lower().endswith(DIRECTORY_FORMATS):
                found.append(os.path.relpath(os.path.join(root, name), folder))
    return found


class DirectoryIterator(_BatchIterator):
    """Images in `directory/<class>/*.png`; labels by `class_mode` (categorical, binary,
    sparse, input, or None)."""

    def __init__(self, generator, directory, target_size, color_mode, classes, class_mode,
                 batch_size, shuffle, seed, subset, interpolation, keep_aspect_ratio,
                 follow_links=False):
        if class_mode not in ("categorical", "binary", "sparse", "input", None):
            raise ValueError(f"Invalid class_mode {class_mode!r}.")
        self.generator, self.directory = generator, directory
        self.target_size, self.color_mode = target_size, color_mode
        self.class_mode, self.interpolation = class_mode, interpolation
        self.keep_aspect_ratio = keep_aspect_ratio
        if classes is None:
            classes = sorted(d for d in os.listdir(directory)
                             if os.path.isdir(os.path.join(directory, d)))
        self.class_indices = {name: i for i, name in enumerate(classes)}
        self.filenames, labels = [], []
        split = generator.validation_split
        for name in classes:
            files = _valid_files(os.path.join(directory, name), follow_links)
            if split and subset in ("training", "validation"):
                cut = int(len(files) * split)
                files = files[cut:] if subset == "training" else files[:cut]
            self.filenames += [os.path.join(name, f) for f in files]
            labels += [self.class_indices[name]] * len(files)
        self.classes = np.asarray(labels, dtype="int32")
        self.num_classes = len(classes)
        self.samples = len(self.filenames)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(len(self.filenames), batch_size, shuffle, seed)

    @property
    def filepaths(self):
        return [os.path.join(self.directory, f) for f in self.filenames]

    def _batch(self, index):
        images = []
        for i in index:
            img = load_img(os.path.join(self.directory, self.filenames[i]),
                           color_mode=self.color_mode, target_size=self.target_size,
                           interpolation=self.interpolation,
                           keep_aspect_ratio=self.keep_aspect_ratio)
            images.append(self._transform(img_to_array(img, self.generator.data_format)))
        x = np.stack(images)
        labels = self.classes[index]
        if self.class_mode == "input":
            return x, x.copy()
        if self.class_mode == "sparse":
            return x, labels.astype(self.generator.dtype)
        if self.class_mode == "binary":
            return x, labels.astype(self.generator.dtype)
        if self.class_mode == "categorical":
            return x, np.eye(self.num_classes, dtype=self.generator.dtype)[labels]
        return x
