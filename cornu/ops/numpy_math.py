"""`keras.ops` element-wise math and reductions (the NumPy-named half of Keras 3's ops).

Keras's dtype rules: transcendental functions, `divide`, `mean`, `var`, `std` of ints or bools
give floatx; `sum`/`prod`/`cumsum` of bool and small ints give int32, of other dtypes keep it;
`argmax`/`argmin`/`argsort` give int32.
"""
import torch

from cornu.ops._base import all_axes, axes, floating, op, pair, tensor

__all__ = []
_op = op(__all__)


def _unary(name, fn, to_float=True, doc=None):
    def f(x):
        return fn(floating(x) if to_float else tensor(x))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc or f"Element-wise `{name}` of `x` (ints and bools become floatx first)." \
        if to_float else f"Element-wise `{name}` of `x`."
    globals()[name] = _op(f)


for _name, _fn in [("exp", torch.exp), ("log", torch.log), ("log10", torch.log10),
                   ("log2", torch.log2), ("log1p", torch.log1p), ("expm1", torch.expm1),
                   ("sqrt", torch.sqrt), ("sin", torch.sin), ("cos", torch.cos),
                   ("tan", torch.tan), ("sinh", torch.sinh), ("cosh", torch.cosh),
                   ("tanh", torch.tanh), ("arcsin", torch.asin), ("arccos", torch.acos),
                   ("arctan", torch.atan), ("arcsinh", torch.asinh), ("arccosh", torch.acosh),
                   ("arctanh", torch.atanh), ("ceil", torch.ceil), ("floor", torch.floor),
                   ("reciprocal", torch.reciprocal), ("trunc", torch.trunc)]:
    _unary(_name, _fn)


def _abs(x):
    return x if x.dtype == torch.bool else torch.abs(x)


def _sign(x):
    return x if x.dtype == torch.bool else torch.sign(x)


def _negative(x):
    return torch.logical_not(x) if x.dtype == torch.bool else torch.neg(x)


for _name, _fn in [("abs", _abs), ("absolute", _abs), ("sign", _sign),
                   ("negative", _negative), ("square", lambda x: x * x),
                   ("conj", torch.conj), ("conjugate", torch.conj),
                   ("isfinite", torch.isfinite), ("isinf", torch.isinf), ("isnan", torch.isnan),
                   ("logical_not", torch.logical_not), ("copy", torch.clone)]:
    _unary(_name, _fn, to_float=False)


@_op
def round(x, decimals=0):  # noqa: A001  (Keras's name)
    """Rounds half to even to `decimals` places; ints stay ints (as in Keras)."""
    x = tensor(x)
    if not x.is_floating_point():
        return x
    return torch.round(x, decimals=int(decimals))


def _binary(name, fn, to_float=False, doc=None):
    def f(x1, x2):
        a, b = pair(x1, x2)
        if to_float:
            a, b = floating(a), floating(b)
        return fn(a, b)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc or f"Element-wise `{name}` of `x1` and `x2`, broadcast as NumPy does."
    globals()[name] = _op(f)


for _name, _fn in [("add", torch.add), ("subtract", torch.subtract),
                   ("multiply", torch.multiply), ("maximum", torch.maximum),
                   ("minimum", torch.minimum), ("floor_divide", torch.floor_divide),
                   ("mod", torch.remainder), ("equal", torch.eq), ("not_equal", torch.ne),
                   ("greater", torch.gt), ("greater_equal", torch.ge), ("less", torch.lt),
                   ("less_equal", torch.le), ("logical_and", torch.logical_and),
                   ("logical_or", torch.logical_or), ("logical_xor", torch.logical_xor),
                   ("power", torch.pow), ("arctan2", torch.atan2), ("hypot", torch.hypot)]:
    _binary(_name, _fn, to_float=_name in ("arctan2", "hypot"))

for _name in ("divide", "true_divide"):
    _binary(_name, torch.true_divide, to_float=True,
            doc="`x1 / x2`: true division, ints become floatx (as in Keras).")


@_op
def clip(x, x_min, x_max):
    """Limits `x` to `[x_min, x_max]`; bools become int32 (as in Keras)."""
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    return torch.clamp(x, x_min, x_max)


@_op
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Element-wise `|x1 - x2| <= atol + rtol * |x2|`, as a bool tensor."""
    a, b = pair(x1, x2)
    dtype = torch.promote_types(a.dtype, b.dtype)
    return torch.isclose(a.to(dtype), b.to(dtype), rtol=rtol, atol=atol, equal_nan=equal_nan)


# ------------------------------------------------------------------------ reductions
def _small_int(x):
    return x.dtype in (torch.bool, torch.int8, torch.int16, torch.uint8)


def _accumulating(name, fn):
    def f(x, axis=None, keepdims=False, dtype=None):
        x = tensor(x)
        out_dtype = torch.int32 if _small_int(x) else x.dtype
        if dtype is not None:
            out_dtype = tensor(0, dtype).dtype
        if x.ndim == 0:
            return x.to(out_dtype)
        if fn == "sum":
            out = torch.sum(x, dim=all_axes(x, axis), keepdim=keepdims)
        else:
            dims = all_axes(x, axis)
            dims = dims if isinstance(dims, tuple) else (dims,)
            out = x
            for d in sorted((d % x.ndim for d in dims), reverse=True):
                out = torch.prod(out, dim=d, keepdim=keepdims)
        return out.to(out_dtype)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"The {name} of `x` over `axis` (all axes when None); bools and small ints give "
                 "int32, other dtypes are kept (as in Keras).")
    globals()[name] = _op(f)


_accumulating("sum", "sum")
_accumulating("prod", "prod")


def _extreme(name, fn):
    def f(x, axis=None, keepdims=False, initial=None):
        x = tensor(x)
        out = x if x.ndim == 0 else fn(x, dim=all_axes(x, axis), keepdim=keepdims)
        if initial is not None:
            pick = torch.maximum if name == "max" else torch.minimum
            out = pick(out, torch.tensor(initial, dtype=out.dtype, device=out.device))
        return out
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"The {name}imum of `x` over `axis` (all axes when None), in `x`'s dtype."
    globals()[name] = _op(f)


_extreme("max", torch.amax)
_extreme("min", torch.amin)
amax, amin = globals()["max"], globals()["min"]
__all__ += ["amax", "amin"]


@_op
def mean(x, axis=None, keepdims=False):
    """The mean of `x` over `axis`; ints and bools give floatx (as in Keras)."""
    x = floating(x)
    return x if x.ndim == 0 else torch.mean(x, dim=all_axes(x, axis), keepdim=keepdims)


@_op
def var(x, axis=None, keepdims=False):
    """The (population, ddof 0) variance of `x` over `axis`; ints give floatx."""
    x = floating(x)
    return torch.var(x, dim=all_axes(x, axis), keepdim=keepdims, correction=0)


@_op
def std(x, axis=None, keepdims=False):
    """The (population, ddof 0) standard deviation of `x` over `axis`; ints give floatx."""
    x = floating(x)
    return torch.std(x, dim=all_axes(x, axis), keepdim=keepdims, correction=0)


@_op
def average(x, axis=None, weights=None):
    """The mean of `x` over `axis` weighted by `weights` (1-D along `axis`, or `x`'s shape)."""
    x = floating(x)
    if weights is None:
        return mean(x, axis=axis)
    w = floating(weights).to(x.dtype)
    if axis is not None and w.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[int(axis)] = -1
        w = w.reshape(shape)
    return torch.sum(x * w, dim=axis) / torch.sum(w.expand_as(x), dim=axis)


def _logical(name, fn):
    def f(x, axis=None, keepdims=False):
        x = tensor(x).to(torch.bool)
        if x.ndim == 0:
            return x
        dims = all_axes(x, axis)
        dims = dims if isinstance(dims, tuple) else (dims,)
        for d in sorted((d % x.ndim for d in dims), reverse=True):
            x = fn(x, dim=d, keepdim=keepdims)
        return x
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Whether {name} element of `x` is true over `axis` (all axes when None)."
    globals()[name] = _op(f)


_logical("any", torch.any)
_logical("all", torch.all)


@_op
def count_nonzero(x, axis=None):
    """How many elements of `x` are non-zero over `axis`, as int32."""
    x = tensor(x)
    return torch.count_nonzero(x, dim=axes(axis)).to(torch.int32)


def _arg(name, fn):
    def f(x, axis=None, keepdims=False):
        x = tensor(x)
        if axis is None:
            out = fn(x.reshape(-1))
            if keepdims:
                out = out.reshape([1] * x.ndim)
        else:
            out = fn(x, dim=int(axis), keepdim=keepdims)
        return out.to(torch.int32)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Index of the {name[3:]}imum of `x` along `axis` (flattened when None), int32."
    globals()[name] = _op(f)


_arg("argmax", torch.argmax)
_arg("argmin", torch.argmin)


def _cumulative(name, fn):
    def f(x, axis=None, dtype=None):
        x = tensor(x)
        out_dtype = torch.int32 if _small_int(x) else x.dtype
        if dtype is not None:
            out_dtype = tensor(0, dtype).dtype
        if axis is None:
            x, axis = x.reshape(-1), 0
        return fn(x, dim=int(axis)).to(out_dtype)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"The cumulative {name[3:]} of `x` along `axis` (flattened when None)."
    globals()[name] = _op(f)


_cumulative("cumsum", torch.cumsum)
_cumulative("cumprod", torch.cumprod)


@_op
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th quantiles (in [0, 1]) of `x` along `axis`; `method` as NumPy's ('linear',
    'lower', 'higher', 'midpoint', 'nearest'). Ints give floatx."""
    x = floating(x)
    qt = tensor(q).to(x.dtype)
    dims = all_axes(x, axis)
    dims = dims if isinstance(dims, tuple) else (dims,)
    dims = tuple(d % x.ndim for d in dims)
    rest = [d for d in range(x.ndim) if d not in dims]
    flat = x.permute(*rest, *dims).reshape(*[x.shape[d] for d in rest], -1)
    out = torch.quantile(flat, qt, dim=-1, interpolation=method)
    if keepdims:
        shape = list(out.shape)
        lead = shape[:1] if qt.ndim else []
        body = shape[1:] if qt.ndim else shape
        it = iter(body)
        out = out.reshape(lead + [1 if d in dims else next(it) for d in range(x.ndim)])
    return out


@_op
def median(x, axis=None, keepdims=False):
    """The median of `x` along `axis` (the mean of the middle two for even counts)."""
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


@_op
def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` over `axis`, computed stably."""
    x = floating(x)
    return torch.logsumexp(x, dim=all_axes(x, axis), keepdim=keepdims)

