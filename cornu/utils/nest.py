"""Minimal nested-structure helpers (lists, tuples, dicts of leaves)."""
import numpy as np


def flatten(structure):
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    return [structure]


def map_structure(fn, structure):
    if isinstance(structure, list):
        return [map_structure(fn, s) for s in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)


def pack_sequence_as(structure, leaves):
    """Inverse of `flatten`: fills `structure`'s shape with `leaves` in order."""
    it = iter(leaves)

    def fill(s):
        if isinstance(s, list):
            return [fill(x) for x in s]
        if isinstance(s, tuple):
            return tuple(fill(x) for x in s)
        if isinstance(s, dict):
            return _fill_dict(s)
        return next(it)

    def _fill_dict(s):
        filled = {k: fill(s[k]) for k in sorted(s)}
        return {k: filled[k] for k in s}

    return fill(structure)


def python_scalars(structure):
    """`structure` with NumPy scalars made Python ones (`np.int64(6)` → `6`, `np.float32` →
    `float`, `np.bool_` → `bool`), in lists, tuples and dicts; anything else unchanged.

    tf.keras 2 read integer arguments with `int(units)`, so `Dense(np.prod(shape[1:]))` worked;
    constructors apply this to their arguments so every integer/float check accepts them
    (docs/ERAS.md, "Argument types"). Only exact list/tuple/dict containers are rebuilt.
    """
    kind = type(structure)
    if kind in (list, tuple):
        items = [python_scalars(s) for s in structure]
        return items if kind is list else tuple(items)
    if kind is dict:
        return {k: python_scalars(v) for k, v in structure.items()}
    if isinstance(structure, (np.integer, np.floating, np.bool_)):
        return structure.item()
    return structure
