"""Minimal nested-structure helpers (lists, tuples, dicts of leaves)."""


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
