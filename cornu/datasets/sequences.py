"""What IMDB and Reuters share: their `.npz` files of ragged word-index lists, read without
`allow_pickle=True`, and Keras's index shift, length filter and vocabulary cut."""
import io
import pickle
import zipfile

import numpy as np

from cornu.utils import legacy

# An object array of lists pickles with these globals and no others; anything else in a file
# (os.system, eval, ...) is a tampered file and is refused before it runs.
_ALLOWED = frozenset({("numpy", "ndarray"), ("numpy", "dtype"),
                      ("numpy.core.multiarray", "_reconstruct"),
                      ("numpy._core.multiarray", "_reconstruct")})


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"Refusing to load {module}.{name} from a dataset file "
                                         "(only NumPy arrays are allowed).")
        return super().find_class(module, name)


def _read_member(raw):
    stream = io.BytesIO(raw)
    try:
        return np.lib.format.read_array(stream, allow_pickle=False)
    except ValueError:  # an object array: its payload is a pickle after the header
        stream.seek(0)
        major, _ = np.lib.format.read_magic(stream)
        if major == 1:
            np.lib.format.read_array_header_1_0(stream)
        elif major in (2, 3):  # 3.0 differs from 2.0 only in the header's text encoding
            np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"Unsupported .npy format version {major}.") from None
        return _ArrayUnpickler(stream).load()


def load_npz(path):
    """The arrays of an `.npz` file as a dict, object arrays unpickled by the restricted
    unpickler (a drop-in for `np.load(path, allow_pickle=True)` that cannot run code)."""
    with zipfile.ZipFile(path) as archive:
        return {name[:-4]: _read_member(archive.read(name))
                for name in archive.namelist() if name.endswith(".npy")}


def check_kwargs(num_words, kwargs, owner):
    """Keras 1/2's `nb_words` becomes `num_words` (compat table); any other keyword is a typo
    (Keras 3 ignores it silently)."""
    kwargs = legacy.translate("dataset", kwargs, owner)
    unknown = sorted(set(kwargs) - {"num_words"})
    if unknown:
        raise TypeError(f"{owner}() got unexpected keyword arguments {unknown}.")
    if "num_words" in kwargs and num_words is not None:
        raise TypeError(f"{owner}(): both `nb_words` (legacy) and `num_words` were given.")
    return kwargs.get("num_words", num_words)


def shuffled(rng, *arrays):
    order = np.arange(len(arrays[0]))
    rng.shuffle(order)
    return [a[order] for a in arrays]


def shift(sequences, start_char, index_from):
    """Each sequence as a list, indices moved up by `index_from`, `start_char` in front."""
    head = [] if start_char is None else [start_char]
    return [head + [int(w) + index_from for w in seq] for seq in sequences]


def drop_long(maxlen, sequences, labels):
    """Keras's rule: only sequences strictly shorter than `maxlen` are kept."""
    kept = [i for i, seq in enumerate(sequences) if len(seq) < maxlen]
    return [sequences[i] for i in kept], [labels[i] for i in kept]


def cut_vocabulary(sequences, num_words, skip_top, oov_char):
    """Indices outside `[skip_top, num_words)` become `oov_char`, or are dropped without one.
    Without `num_words` the bound is the largest index seen (so that index itself is cut, as
    in Keras)."""
    if not num_words:
        num_words = max(max(seq) for seq in sequences if seq)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in seq] for seq in sequences]
    return [[w for w in seq if skip_top <= w < num_words] for seq in sequences]


def object_array(sequences):
    """A 1-D object array of lists (NumPy would make a 2-D array of equal-length lists)."""
    out = np.empty(len(sequences), dtype=object)
    out[:] = sequences
    return out
