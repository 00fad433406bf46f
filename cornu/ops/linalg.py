"""`keras.ops` products and linear algebra: `matmul`, `dot`, `einsum`, ... and `ops.linalg`'s
`norm`, `qr`, `inv`, `det`, `solve`, `cholesky`, `svd`, `eigh`."""
import torch

from cornu.ops._base import floating, op, tensor
from cornu.ops.numpy_arrays import _tensors

__all__ = []
_op = op(__all__)


@_op
def matmul(x1, x2):
    """The matrix product of `x1` and `x2` (batched over leading axes, as NumPy's)."""
    a, b = _tensors([x1, x2])
    return torch.matmul(a, b)


@_op
def dot(x1, x2):
    """NumPy's `dot`: products for scalars, matmul for 1-D/2-D, sum over `x1`'s last and
    `x2`'s second-to-last axis otherwise."""
    a, b = _tensors([x1, x2])
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim <= 2:
        return torch.matmul(a, b)
    return torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 2]))


@_op
def tensordot(x1, x2, axes=2):  # noqa: F811
    """Sum of products over `axes` (an int: `x1`'s last and `x2`'s first `axes` axes; or a
    pair of axis lists)."""
    a, b = _tensors([x1, x2])
    return torch.tensordot(a, b, dims=axes)


@_op
def outer(x1, x2):
    """The outer product of `x1` and `x2` (both flattened)."""
    a, b = _tensors([x1, x2])
    return torch.outer(a.reshape(-1), b.reshape(-1))


@_op
def einsum(subscripts, *operands):
    """Einstein summation of `operands` by `subscripts`, as `np.einsum`."""
    return torch.einsum(subscripts, *_tensors(operands))


@_op
def trace(x, offset=0, axis1=0, axis2=1):
    """The sum along the `offset` diagonal of `x`'s `axis1`/`axis2` plane."""
    x = tensor(x)
    out = torch.diagonal(x, offset=offset, dim1=axis1, dim2=axis2).sum(-1)
    return out.to(torch.int32) if x.dtype in (torch.bool, torch.int8, torch.int16) else \
        out.to(x.dtype)


@_op
def diag(x, k=0):
    """The `k`-th diagonal of a 2-D `x`, or a 2-D tensor with 1-D `x` on that diagonal."""
    return torch.diag(tensor(x), k)


@_op
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The `offset` diagonal of `x`'s `axis1`/`axis2` plane, as the last axis."""
    return torch.diagonal(tensor(x), offset=offset, dim1=axis1, dim2=axis2)


@_op
def tril(x, k=0):
    """`x` with elements above the `k`-th diagonal zeroed."""
    return torch.tril(tensor(x), k)


@_op
def triu(x, k=0):
    """`x` with elements below the `k`-th diagonal zeroed."""
    return torch.triu(tensor(x), k)


@_op
def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D tensors (`indexing` 'xy' or 'ij', as NumPy)."""
    return list(torch.meshgrid(*_tensors(x), indexing=indexing))


@_op
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    """The vector or matrix norm of `x` (NumPy's `linalg.norm`): Frobenius/2-norm by default
    over all axes; `axis` an int gives vector norms, a pair matrix norms. Ints give floatx."""
    x = floating(x)
    if axis is None:
        if ord is None:
            return torch.linalg.vector_norm(x, dim=None, keepdim=keepdims)
        axis = tuple(range(x.ndim))
    if isinstance(axis, (list, tuple)) and len(axis) == 2:
        return torch.linalg.matrix_norm(x, ord="fro" if ord is None else ord, dim=tuple(axis),
                                        keepdim=keepdims)
    return torch.linalg.vector_norm(x, ord=2 if ord is None else ord, dim=axis, keepdim=keepdims)


@_op
def qr(x, mode="reduced"):
    """The QR decomposition `(q, r)` of `x` (`mode` 'reduced' or 'complete')."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: `mode` must be 'reduced' or 'complete', got {mode!r}.")
    return tuple(torch.linalg.qr(floating(x), mode=mode))


@_op
def inv(x):
    """The inverse of the square matrices `x`."""
    return torch.linalg.inv(floating(x))


@_op
def det(x):
    """The determinant of the square matrices `x`."""
    return torch.linalg.det(floating(x))


@_op
def solve(a, b):
    """`x` with `a @ x = b`."""
    return torch.linalg.solve(floating(a), floating(b))


@_op
def cholesky(x, upper=False):
    """The Cholesky factor of the positive-definite matrices `x` (lower unless `upper`)."""
    return torch.linalg.cholesky(floating(x), upper=upper)


@_op
def svd(x, full_matrices=True, compute_uv=True):
    """The singular value decomposition `(u, s, vh)` of `x` (only `s` without `compute_uv`)."""
    x = floating(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


@_op
def eigh(x):
    """Eigenvalues and eigenvectors of the symmetric matrices `x`."""
    return tuple(torch.linalg.eigh(floating(x)))
