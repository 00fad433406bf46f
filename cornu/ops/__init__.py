"""`cornu.ops` (Keras 3's `keras.ops`): NumPy-style and neural-network functions on torch
tensors.

    from cornu import ops
    y = ops.matmul(x, w) + b            # x: NumPy array, list or tensor; y: a torch tensor
    ops.mean(ops.square(y), axis=-1)

Arguments may be NumPy arrays, Python scalars and lists, tensors or weights (autograd flows
through them); results are torch tensors. Names, defaults and result dtypes follow Keras 3.
Namespaces as in Keras: `ops.nn`, `ops.numpy`, `ops.linalg`, `ops.math`, `ops.core`.
"""
from cornu.ops import core, linalg, math, nn, numpy
from cornu.ops._base import standardize_dtype
from cornu.ops.core import *  # noqa: F401,F403
from cornu.ops.linalg import *  # noqa: F401,F403
from cornu.ops.math import *  # noqa: F401,F403
from cornu.ops.nn import *  # noqa: F401,F403
from cornu.ops.numpy import *  # noqa: F401,F403

__all__ = sorted({*core.__all__, *linalg.__all__, *math.__all__, *nn.__all__, *numpy.__all__,
                  "standardize_dtype", "core", "linalg", "math", "nn", "numpy"})
