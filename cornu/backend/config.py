"""Global settings of the Keras backend: float type, fuzz factor, image layout, device."""
import os

import torch

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_DEVICE = None


def floatx():
    """Returns the default float type, as a string (e.g. `'float32'`)."""
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"Unknown `floatx` value: {value!r}. Expected one of "
                         "'float16', 'bfloat16', 'float32', 'float64'.")
    _FLOATX = str(value)


def epsilon():
    """Returns the fuzz factor used in numeric expressions (default 1e-7)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("`data_format` must be 'channels_last' or 'channels_first', "
                         f"received: {data_format!r}")
    _IMAGE_DATA_FORMAT = str(data_format)


def standardize_data_format(data_format):
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("`data_format` must be 'channels_last' or 'channels_first', "
                         f"received: {data_format!r}")
    return data_format


def get_device():
    """The device new weights and data live on, chosen as Keras 3 does on torch:
    `$KERAS_TORCH_DEVICE` (or `$CORNU_DEVICE`) first, then MPS, CUDA, XPU, CPU. Under `torchrun`
    a process takes the accelerator of its `$LOCAL_RANK` (`cuda:1` for local rank 1)."""
    global _DEVICE
    if _DEVICE is None:
        _DEVICE = torch.device(default_device_name())
    return _DEVICE


def module_device(module):
    """The device of a module's first parameter (in `parameters()` order), else `get_device()`.
    (A direct walk: `parameters()` costs twice the bytecodes, in every fit/evaluate/predict.)"""
    p = _first_parameter(module)
    return get_device() if p is None else p.device


def _first_parameter(module):
    for p in module._parameters.values():
        if p is not None:
            return p
    for child in module._modules.values():
        if child is not None:
            p = _first_parameter(child)
            if p is not None:
                return p
    return None


def default_device_name():
    """The name of the device `get_device()` picks when nothing set one (see there)."""
    name = os.environ.get("KERAS_TORCH_DEVICE") or os.environ.get("CORNU_DEVICE")
    if name:
        return name
    local_rank = os.environ.get("LOCAL_RANK")
    if torch.backends.mps.is_available():
        return "mps"
    if torch.cuda.is_available():
        return "cuda" if local_rank is None else f"cuda:{int(local_rank) % torch.cuda.device_count()}"
    if hasattr(torch, "xpu") and torch.xpu.is_available():
        return "xpu" if local_rank is None else f"xpu:{int(local_rank) % torch.xpu.device_count()}"
    return "cpu"


def set_device(device):
    global _DEVICE
    _DEVICE = torch.device(device)


def torch_dtype(dtype=None):
    """Maps a Keras dtype name (or a torch dtype, or None for floatx) to a torch dtype."""
    if dtype is None:
        dtype = _FLOATX
    if isinstance(dtype, torch.dtype):
        return dtype
    if hasattr(dtype, "name") and not isinstance(dtype, str):  # numpy dtype
        dtype = dtype.name
    try:
        return _DTYPES[str(dtype)]
    except KeyError:
        raise ValueError(f"Unknown dtype: {dtype!r}") from None


def dtype_name(dtype):
    if isinstance(dtype, str):
        return dtype
    return str(dtype).replace("torch.", "")


_DTYPES = {
    "float16": torch.float16, "half": torch.float16, "bfloat16": torch.bfloat16,
    "float32": torch.float32, "float": torch.float32, "float64": torch.float64,
    "double": torch.float64, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32,
    "int64": torch.int64, "uint8": torch.uint8, "bool": torch.bool, "int": torch.int64,
}


def to_tensor(value, dtype=None, device=None):
    """`value` as a tensor of `dtype` (a torch dtype) on `device`, with no op when it already is
    one: on the per-step paths of losses and metrics, `torch.as_tensor(...).to(...)` of a tensor
    that needs nothing costs a few microseconds per call (it is a dispatched op)."""
    if not isinstance(value, torch.Tensor):
        return torch.as_tensor(value, dtype=dtype, device=device)
    if device is not None and value.device != torch.device(device):
        value = value.to(device)
    if dtype is not None and value.dtype != dtype:
        value = value.to(dtype)
    return value


def detached(value):
    """`value.detach()`, without the new tensor object when nothing records its gradient."""
    return value.detach() if value.requires_grad else value


def keras_dir():
    """Keras's settings folder: `$KERAS_HOME`, else `~/.keras`."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def load_keras_json(path=None):
    """Applies `keras.json` (default `keras_dir()/keras.json`), as every Keras did at import:
    `floatx`, `epsilon`, `image_data_format`, and Keras 1's `image_dim_ordering` (`'th'` →
    `channels_first`, `'tf'` → `channels_last`). `backend` is not read: cornu is torch. A
    missing or unparsable file changes nothing (as in Keras); a bad value raises ValueError
    naming the file."""
    import json
    path = path or os.path.join(keras_dir(), "keras.json")
    try:
        with open(path) as f:
            settings = json.load(f)
    except (OSError, ValueError):
        return
    if not isinstance(settings, dict):
        return
    data_format = settings.get("image_data_format")
    if data_format is None and "image_dim_ordering" in settings:
        data_format = {"th": "channels_first", "tf": "channels_last"}.get(
            settings["image_dim_ordering"], settings["image_dim_ordering"])
    try:
        if "floatx" in settings:
            set_floatx(settings["floatx"])
        if "epsilon" in settings:
            set_epsilon(settings["epsilon"])
        if data_format is not None:
            set_image_data_format(data_format)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path}: {error}") from None


load_keras_json()
