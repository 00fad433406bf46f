"""What Keras 3's dataset utilities share: indexing a folder of class subfolders, the
training/validation split, `split_dataset` and `timeseries_dataset_from_array`.

File order, the seeded shuffle and the split are Keras's (NumPy `RandomState(seed)` over the
sorted file list, validation = the last `validation_split` fraction), so `file_paths` and
`class_names` are the ones Keras 3 gives for the same folder and seed.
"""
import os

import numpy as np
import torch

from cornu.utils.dataset import Dataset, _Samples

__all__ = ["split_dataset", "timeseries_dataset_from_array"]


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, got {validation_split}.")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("`subset` and `validation_split` go together: set both or neither "
                         f"(got validation_split={validation_split}, subset={subset!r}).")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be "training", "validation" or "both", got {subset!r}.')
    if validation_split and shuffle and seed is None:
        raise ValueError("With `validation_split` and `shuffle=True`, pass a `seed`, so that the "
                         "training and validation subsets do not overlap.")


def _files(folder, follow_links, formats):
    # Subfolders are walked in both cases (as Keras does); `follow_links` follows symlinks.
    walk = os.walk(folder, followlinks=follow_links)
    for root, _, files in sorted(walk, key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield os.path.join(root, name)


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """`(file_paths, labels, class_names)` for `directory`: with `labels="inferred"` each
    subfolder is a class (sorted, or in `class_names`' order) and its files, sorted, are that
    class's; otherwise the files directly in `directory` (and below, with `follow_links`)."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` {directory!r} is not a folder.")
    if labels == "inferred":
        subdirs = sorted(d for d in os.listdir(directory)
                         if os.path.isdir(os.path.join(directory, d)))
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(f"`class_names` {list(class_names)} are not all subfolders of "
                                 f"{directory} (found {subdirs}).")
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ValueError("`class_names` goes with labels='inferred' only (with given labels "
                             "the class names are the sorted labels).")
        subdirs = [""]
    paths, found = [], []
    for index, subdir in enumerate(subdirs):
        folder = os.path.join(directory, subdir)
        these = list(_files(folder, follow_links, formats))
        paths += these
        found += [index] * len(these)
    if labels == "inferred":
        labels, names = np.array(found, dtype="int32"), list(subdirs)
    elif labels is None:
        names = None
    else:
        if len(labels) != len(paths):
            raise ValueError(f"{len(labels)} labels were given for the {len(paths)} files found "
                             f"in {directory}.")
        names = [str(label) for label in sorted(set(labels))]
    if verbose:
        print(f"Found {len(paths)} files." if labels is None else
              f"Found {len(paths)} files belonging to {len(names)} classes.")
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, names


def training_or_validation(samples, labels, validation_split, subset, verbose=True):
    """Keras's split: validation is the last `int(validation_split * n)` samples."""
    if not validation_split:
        return samples, labels
    n_val = int(validation_split * len(samples))
    if subset == "training":
        if verbose:
            print(f"Using {len(samples) - n_val} files for training.")
        return samples[:len(samples) - n_val], None if labels is None else labels[:len(samples) - n_val]
    if verbose:
        print(f"Using {n_val} files for validation.")
    return samples[len(samples) - n_val:], None if labels is None else labels[len(labels) - n_val:]


def encode_labels(labels, label_mode, num_classes):
    """int → int32 scalars; binary → float32 `(1,)`; categorical → float32 one-hot."""
    labels = torch.as_tensor(np.asarray(labels))
    if label_mode == "binary":
        return labels.to(torch.float32).unsqueeze(-1)
    if label_mode == "categorical":
        return torch.nn.functional.one_hot(labels.long(), num_classes).to(torch.float32)
    return labels.to(torch.int32)


def samples_dataset(paths, labels, load, label_mode, num_classes, batch_size, shuffle, seed):
    """The Dataset the directory utilities return: samples `load(path)` (with their labels),
    shuffled per pass when asked (as Keras shuffles the files again each epoch), batched."""
    encoded = None if label_mode is None else encode_labels(labels, label_mode, num_classes)
    count = len(paths)
    if encoded is None:
        source = _Samples(count, lambda i: load(paths[i]))
    else:
        source = _Samples(count, lambda i: (load(paths[i]), encoded[i]))
    dataset = Dataset.from_torch(source)
    if shuffle:
        buffer = batch_size * 8 if batch_size is not None else 1024
        dataset = dataset.shuffle(buffer, seed=seed)
        dataset.source = source
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    dataset.source = source
    return dataset


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Splits arrays (or a tuple of them), a cornu Dataset or a torch Dataset into two Datasets.

    Sizes are fractions (of the whole) or sample counts; one may be None (the rest). With
    `shuffle` the samples are permuted as Keras 3's torch backend does
    (`torch.randperm` from a generator seeded with `seed`); without it the order is kept.
    """
    if isinstance(dataset, Dataset) or (isinstance(dataset, torch.utils.data.Dataset)
                                        and not isinstance(dataset, torch.utils.data.IterableDataset)):
        samples = list(dataset.unbatch() if isinstance(dataset, Dataset) and _is_batched(dataset)
                       else (Dataset.from_torch(dataset) if not isinstance(dataset, Dataset)
                             else dataset))
    elif isinstance(dataset, (np.ndarray, torch.Tensor, list, tuple)):
        arrays = dataset if isinstance(dataset, tuple) else (dataset,)
        n = len(arrays[0])
        if any(len(a) != n for a in arrays):
            raise ValueError(f"split_dataset: the arrays differ in length "
                             f"({[len(a) for a in arrays]}).")
        samples = [tuple(a[i] for a in arrays) if isinstance(dataset, tuple) else arrays[0][i]
                   for i in range(n)]
    else:
        raise TypeError("split_dataset takes NumPy arrays, tensors, a tuple of them, a cornu "
                        f"Dataset or a map-style torch Dataset; got {type(dataset).__name__}.")
    total = len(samples)
    left, right = _split_sizes(left_size, right_size, total)
    if shuffle:
        generator = torch.Generator()
        generator.manual_seed(seed) if seed is not None else generator.seed()
        samples = [samples[i] for i in torch.randperm(total, generator=generator).tolist()]

    def of(part):
        return Dataset.from_torch(_Samples(len(part), lambda i: _as_tensors(part[i])))
    return of(samples[:left]), of(samples[left:left + right])


def _is_batched(dataset):
    return getattr(dataset, "_batched", False)


def _as_tensors(sample):
    if isinstance(sample, tuple):
        return tuple(_as_tensors(s) for s in sample)
    if isinstance(sample, (torch.Tensor, str, bytes)):
        return sample
    array = np.asarray(sample)
    return array if array.dtype.kind in "OUS" else torch.as_tensor(array)


def _split_sizes(left_size, right_size, total):
    """Keras's rules: floats are fractions in (0, 1), ints counts in (0, total); a float's
    count is `round(size * total)`; the missing side is the rest."""
    def check(size, name):
        if size is None:
            return
        if isinstance(size, float) and not 0 < size < 1:
            raise ValueError(f"`{name}` as a fraction must be in (0, 1), got {size}.")
        if isinstance(size, int) and not 0 < size < total:
            raise ValueError(f"`{name}` ({size}) must be between 1 and the number of samples "
                             f"({total}), exclusive.")
        if not isinstance(size, (int, float)):
            raise TypeError(f"`{name}` must be an int, a float or None, got {size!r}.")
    check(left_size, "left_size")
    check(right_size, "right_size")
    if left_size is None and right_size is None:
        raise ValueError("split_dataset needs `left_size` or `right_size` (or both).")
    count = lambda size: int(round(size * total)) if isinstance(size, float) else int(size)
    if right_size is None:
        left = count(left_size)
        right = total - left
    elif left_size is None:
        right = count(right_size)
        left = total - right
    else:
        left, right = count(left_size), count(right_size)
        if left + right > total:
            raise ValueError(f"left_size + right_size ({left} + {right}) exceeds the "
                             f"{total} samples.")
    if left == 0 or right == 0:
        raise ValueError(f"Splitting {total} samples as ({left}, {right}) leaves a side empty.")
    return left, right


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None, format="tf"):
    """Windows over `data` as a Dataset of `(windows, targets)` batches (Keras 3's rules).

    Window `i` starts at `start_index + p_i` with `p_i = i * sequence_stride` and takes
    `sequence_length` rows `sampling_rate` apart; its target is `targets[start_index + p_i]`.
    `shuffle` shuffles the window starts (`RandomState(seed)`) and, batched, the windows again
    in a buffer of `8 * batch_size` each pass.
    """
    n = len(data)
    if start_index and not 0 <= start_index < n:
        raise ValueError(f"`start_index` must be in [0, {n}), got {start_index}.")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` ({end_index}) must be above `start_index` "
                             f"({start_index}).")
        if not 0 < end_index < n:
            raise ValueError(f"`end_index` must be in (0, {n}), got {end_index}.")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if not 0 < value < n:
            raise ValueError(f"`{name}` must be in (0, {n}) for data of length {n}, got {value}.")
    start_index, end_index = start_index or 0, end_index or n
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    starts = np.arange(0, max(num_seqs, 0), sequence_stride, dtype="int64")
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(starts)
    values = torch.as_tensor(np.asarray(data)[start_index:end_index])
    offsets = torch.arange(0, sequence_length * sampling_rate, sampling_rate)
    window = lambda i: values[int(starts[i]) + offsets]
    if targets is not None:
        goals = torch.as_tensor(np.asarray(targets)[start_index:end_index])
        source = _Samples(len(starts), lambda i: (window(i), goals[int(starts[i])]))
    else:
        source = _Samples(len(starts), window)
    dataset = Dataset.from_torch(source)
    if shuffle:
        dataset = dataset.shuffle(batch_size * 8 if batch_size is not None else 1024, seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    dataset.source = source
    return dataset
