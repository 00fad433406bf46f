"""`keras.ops.numpy`: the NumPy-named ops, gathered from the modules that implement them."""
from cornu.ops import linalg as _linalg, numpy_arrays as _arrays, numpy_math as _math
from cornu.ops.linalg import *  # noqa: F401,F403
from cornu.ops.numpy_arrays import *  # noqa: F401,F403
from cornu.ops.numpy_math import *  # noqa: F401,F403

__all__ = [*_math.__all__, *_arrays.__all__, *_linalg.__all__]
