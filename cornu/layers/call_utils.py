"""Helpers of `Layer.__call__`: converting inputs to tensors, shapes of nested structures,
masks attached to outputs, and shape-only stand-ins for shape inference."""
import numpy as np
import torch

from cornu.backend import layout as layouts
from cornu.backend.config import get_device, torch_dtype
from cornu.graph.keras_tensor import KerasTensor, any_symbolic
from cornu.utils import nest


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer))
                                                    for d in value)


def _dedup(items):
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _to_tensor(x):
    """Call inputs → tensors: an array (or a nested list of numbers) becomes one tensor; a
    dict, or a list of arrays/tensors/dicts (several inputs), keeps its structure."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, dict):
        return {k: _to_tensor(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and any(_is_structured(t) for t in x):
        return [t if t is None else _to_tensor(t) for t in x]
    array = np.asarray(x)
    if array.dtype.kind in "US":
        return array  # text (a model over string inputs): the layers that read it take NumPy
    if array.ndim and not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)  # torch takes no negative strides (`x[:, ::-1]`)
    dtype = torch_dtype() if array.dtype.kind in "fb" or array.dtype == object else None
    tensor = torch.as_tensor(array if array.dtype != object else array.astype(np.float32))
    if dtype is not None or array.dtype.kind in "iu":
        tensor = tensor.to(dtype or torch_dtype())
    return tensor.to(get_device())


def _is_structured(x):
    """Whether a list element makes the list a structure of inputs rather than one array."""
    if isinstance(x, (torch.Tensor, np.ndarray, dict)):
        return True
    return isinstance(x, (list, tuple)) and any(_is_structured(t) for t in x)


def _has_spatial(x):
    return isinstance(x, (list, tuple, dict)) and any(
        isinstance(t, torch.Tensor) and t.ndim >= 3 for t in nest.flatten(x))


def _shapes_of(tensors):
    return nest.map_structure(lambda t: tuple(t.shape), tensors)


def _mask_of(x):
    """The `_keras_mask` of a tensor (or of each tensor of a list), None when there is none."""
    if isinstance(x, (list, tuple)):
        masks = [getattr(t, "_keras_mask", None) for t in x]
        return None if all(m is None for m in masks) else masks
    return getattr(x, "_keras_mask", None)


def _attach_masks(outputs, masks):
    if masks is None:
        return
    flat = nest.flatten(outputs)
    flat_masks = nest.flatten(masks) if isinstance(masks, (list, tuple)) else [masks]
    for tensor, mask in zip(flat, flat_masks):
        if mask is not None and isinstance(tensor, (torch.Tensor, KerasTensor)):
            tensor._keras_mask = mask


def _shape_structure(shape):
    if _is_shape(shape):
        return tuple(shape)
    return [tuple(s) for s in shape]


def _shapes_to_tensors(shapes, dtype):
    if _is_shape(shapes):
        return KerasTensor(tuple(shapes), dtype)
    if isinstance(shapes, dict):
        return {k: _shapes_to_tensors(v, dtype) for k, v in shapes.items()}
    return [_shapes_to_tensors(s, dtype) for s in shapes]


def record_eager_call(layer, args, kwargs):
    """`Layer._record_call`: records a top-level eager call remembered on its outputs
    (graph/node.py) as a node of the graph being built, maybe one of constants only (an
    `Embedding` called on `ops.arange(n)`); returns the symbolic outputs."""
    if layer.layout == layouts.CHANNELS_FIRST and any(
            getattr(t, "ndim", 0) >= 3 for t in nest.flatten(list(args))):
        raise ValueError(f"Layer {layer.name!r} ({type(layer).__name__}) was called eagerly on "
                         "an image, and its output is used in a functional model: a layer that "
                         "runs channels-first cannot be recorded from an eager call. Call it on "
                         "the model's symbolic tensors instead.")
    if args and not any_symbolic(args[0]):
        args = (_to_tensor(args[0]),) + tuple(args[1:])  # as the eager call converted it
    return layer._symbolic_call(args, kwargs)
