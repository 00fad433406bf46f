"""`keras.ops` math functions: `top_k`, `in_top_k`, segment reductions, `erf`, `erfinv`,
`rsqrt` (and `logsumexp`, which lives with the reductions)."""
import torch

from cornu.ops._base import floating, op, tensor

__all__ = []
_op = op(__all__)


@_op
def top_k(x, k, sorted=True):  # noqa: A002
    """`(values, indices)` of the `k` largest entries along the last axis (int64 indices, as
    Keras's torch backend gives)."""
    return tuple(torch.topk(tensor(x), k, dim=-1, sorted=sorted))


@_op
def in_top_k(targets, predictions, k):
    """Whether each int `targets[i]` is among the `k` largest `predictions[i]` (ties count in,
    as in Keras)."""
    predictions = floating(predictions)
    targets = tensor(targets).to(torch.int64)
    target_score = predictions.gather(1, targets[:, None])
    return (predictions > target_score).sum(dim=1) < k


def _segment(name, reduce):
    def f(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
        data, ids = tensor(data), tensor(segment_ids).to(torch.int64)
        n = int(ids.max()) + 1 if num_segments is None else int(num_segments)
        fill = {"sum": 0, "amax": float("-inf")}[reduce]
        if not data.is_floating_point() and reduce == "amax":
            fill = torch.iinfo(data.dtype).min
        out = torch.full((n, *data.shape[1:]), fill, dtype=data.dtype, device=data.device)
        index = ids.reshape(-1, *([1] * (data.ndim - 1))).expand_as(data)
        keep = ids < n
        return out.scatter_reduce(0, index[keep], data[keep], reduce=reduce, include_self=True)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"The {name[8:]} of `data`'s rows per id in `segment_ids` (`num_segments` "
                 "rows; empty segments give 0 for sums and the dtype's lowest value for max).")
    globals()[name] = _op(f)


_segment("segment_sum", "sum")
_segment("segment_max", "amax")


@_op
def erf(x):
    """The Gauss error function of `x`."""
    return torch.erf(floating(x))


@_op
def erfinv(x):
    """The inverse of the error function."""
    return torch.erfinv(floating(x))


@_op
def rsqrt(x):
    """`1 / sqrt(x)`."""
    return torch.rsqrt(floating(x))
