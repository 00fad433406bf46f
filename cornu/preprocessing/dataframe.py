"""`ImageDataGenerator.flow_from_dataframe`: images named in a pandas DataFrame (Keras 2.x).

The iterator has `flow_from_directory`'s attributes (`samples`, `classes`, `class_indices`,
`filenames`, `filepaths`) and Keras 2's rules: file names are checked (existing files with an
image extension) unless `validate_filenames=False`; for `"binary"`, `"sparse"` and
`"categorical"` the classes are the sorted labels (or `classes`, rows with other labels
dropped), a `"categorical"` label may be a list of labels (multi-label rows); `subset` takes
the first `validation_split` of the rows for `"validation"` and the rest for `"training"`;
`"raw"` yields `y_col`'s values, `"multi_output"` one array per column of `y_col`.
pandas is not imported here: the caller's DataFrame brings it.
"""
import collections
import os
import warnings

import numpy as np

from cornu.preprocessing.image import _BatchIterator, img_to_array, load_img

_IMAGE_FORMATS = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff")
_MODES = ("binary", "categorical", "input", "multi_output", "raw", "sparse", None)
_NO_CLASSES = ("input", "multi_output", "raw", None)


class DataFrameIterator(_BatchIterator):
    """Batches of the images whose paths are in `dataframe[x_col]`, labelled by `y_col`."""

    def __init__(self, dataframe, generator, directory=None, x_col="filename", y_col="class",
                 weight_col=None, target_size=(256, 256), color_mode="rgb", classes=None,
                 class_mode="categorical", batch_size=32, shuffle=True, seed=None, subset=None,
                 interpolation="nearest", validate_filenames=True, keep_aspect_ratio=False):
        df = dataframe.copy()
        self.generator, self.directory = generator, directory or ""
        self.x_col, self.y_col, self.weight_col = x_col, y_col, weight_col
        self.target_size, self.color_mode = tuple(target_size), color_mode
        self.class_mode, self.interpolation = class_mode, interpolation
        self.keep_aspect_ratio = keep_aspect_ratio
        self._check(df, classes)
        if validate_filenames:
            df = self._valid_rows(df)
        self.class_indices = {}
        if class_mode not in _NO_CLASSES:
            df, classes = _filter_classes(df, y_col, classes)
            self.class_indices = {name: i for i, name in enumerate(classes)}
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"flow_from_dataframe: `subset` must be 'training' or "
                                 f"'validation', got {subset!r}.")
            split = generator.validation_split
            cut = int(split * len(df))  # Keras 2: the first rows are the validation subset
            df = df.iloc[:cut] if subset == "validation" else df.iloc[cut:]
        self.filenames = list(df[x_col])
        self.samples = len(self.filenames)
        self.num_classes = len(self.class_indices)
        self.classes = None
        if class_mode not in _NO_CLASSES:
            labels = [[self.class_indices[v] for v in label] if isinstance(label, (list, tuple))
                      else self.class_indices[label] for label in df[y_col]]
            multi = any(isinstance(label, list) for label in labels)
            self.classes = labels if multi else np.asarray(labels, dtype="int32")
        self._targets = None
        if class_mode == "multi_output":
            self._targets = [np.array(list(df[col])) for col in y_col]
        elif class_mode == "raw":
            self._targets = df[y_col].values
        self._sample_weight = df[weight_col].values if weight_col else None
        kind = "validated" if validate_filenames else "non-validated"
        tail = "." if class_mode in _NO_CLASSES else \
            f" belonging to {self.num_classes} classes."
        print(f"Found {self.samples} {kind} image filenames{tail}")
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _check(self, df, classes):
        mode, y_col = self.class_mode, self.y_col
        if mode not in _MODES:
            raise ValueError(f"flow_from_dataframe: `class_mode` must be one of {_MODES}, got "
                             f"{mode!r}.")
        if mode == "multi_output" and not isinstance(y_col, list):
            raise TypeError(f"flow_from_dataframe: class_mode='multi_output' needs a list of "
                            f"columns as `y_col`, got y_col={y_col!r}.")
        if self.x_col not in df.columns:
            raise KeyError(f"flow_from_dataframe: x_col={self.x_col!r} is not a column of the "
                           f"DataFrame (columns: {list(df.columns)}).")
        if mode in ("binary", "sparse", "categorical"):
            if y_col not in df.columns:
                raise KeyError(f"flow_from_dataframe: y_col={y_col!r} is not a column of the "
                               f"DataFrame (columns: {list(df.columns)}).")
            kinds = (str, list, tuple) if mode == "categorical" else (str,)
            if not all(isinstance(v, kinds) for v in df[y_col]):
                what = "strings or lists/tuples of strings" if mode == "categorical" else \
                    "strings"
                raise TypeError(f"flow_from_dataframe: with class_mode={mode!r}, the values of "
                                f"y_col={y_col!r} must be {what}.")
        if mode == "binary":
            count = len(set(classes)) if classes else df[y_col].nunique()
            if count != 2:
                raise ValueError(f"flow_from_dataframe: class_mode='binary' needs 2 classes, "
                                 f"found {count}.")
        if classes and mode in _NO_CLASSES:
            warnings.warn(f"flow_from_dataframe: `classes` is ignored with class_mode={mode!r}.",
                          stacklevel=3)
        if self.weight_col is not None and not np.issubdtype(df[self.weight_col].dtype,
                                                             np.number):
            raise TypeError(f"flow_from_dataframe: weight_col={self.weight_col!r} must hold "
                            "numbers.")

    def _valid_rows(self, df):
        ok = np.array([os.path.isfile(os.path.join(self.directory, str(name))) and
                       str(name).lower().endswith(_IMAGE_FORMATS) for name in df[self.x_col]],
                      dtype=bool)
        if not ok.all():
            warnings.warn(f"Found {int((~ok).sum())} invalid image filename(s) in "
                          f"x_col={self.x_col!r}. These filename(s) will be ignored.",
                          stacklevel=3)
        return df[ok]

    @property
    def filepaths(self):
        return [os.path.join(self.directory, f) for f in self.filenames]

    @property
    def labels(self):
        return self._targets if self.class_mode in ("multi_output", "raw") else self.classes

    @property
    def sample_weight(self):
        return self._sample_weight

    def _batch(self, index):
        images = [self._transform(img_to_array(load_img(
            os.path.join(self.directory, self.filenames[i]), color_mode=self.color_mode,
            target_size=self.target_size, interpolation=self.interpolation,
            keep_aspect_ratio=self.keep_aspect_ratio), self.generator.data_format))
            for i in index]
        x = np.stack(images)
        dtype, mode = self.generator.dtype, self.class_mode
        if mode is None:
            return x
        if mode == "input":
            y = x.copy()
        elif mode in ("binary", "sparse"):
            y = np.asarray(self.classes)[index].astype(dtype)
        elif mode == "categorical":
            y = np.zeros((len(index), self.num_classes), dtype=dtype)
            for row, i in enumerate(index):
                y[row, self.classes[i]] = 1.0
        elif mode == "multi_output":
            y = [target[index] for target in self._targets]
        else:
            y = self._targets[index]
        if self._sample_weight is None:
            return x, y
        return x, y, self._sample_weight[index]


def _filter_classes(df, y_col, classes):
    """Rows whose labels are among `classes` (labels not listed are dropped from multi-label
    rows), and the classes: the given ones in order without repeats, else all labels sorted."""
    if classes:
        classes = list(collections.OrderedDict.fromkeys(classes))
        wanted = set(classes)

        def keep(label):
            if isinstance(label, (list, tuple)):
                return [c for c in label if c in wanted] or None
            return label if label in wanted else None
        df = df.copy()
        df[y_col] = df[y_col].apply(keep)
        return df.dropna(subset=[y_col]), classes
    found = set()
    for label in df[y_col]:
        found.update(label if isinstance(label, (list, tuple)) else [label])
    return df, sorted(found)
