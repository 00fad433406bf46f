"""`keras.name_scope` and `keras.device`: the context managers of Keras 3's top level."""
import contextlib

import torch

from cornu.backend import config


class name_scope:  # noqa: N801  (Keras's name)
    """Accepted for Keras 3 code: `with keras.name_scope("block"):` groups nothing in cornu
    (weight paths come from layer names), so it is a context manager that does nothing.

    Args:
        name: the scope's name (a string).
    """

    def __init__(self, name, **kwargs):
        if not isinstance(name, str) or not name:
            raise ValueError(f"name_scope: `name` must be a non-empty string, received {name!r}.")
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@contextlib.contextmanager
def device(device_name):
    """Within the block, new weights and data are made on `device_name` (`"cpu"`, `"gpu"`,
    `"gpu:1"`, `"cuda:0"`, ...; Keras's `gpu` is torch's `cuda`).

        with keras.device("cpu"):
            model = make_model()
    """
    if isinstance(device_name, torch.device):
        target = device_name
    else:
        if not isinstance(device_name, str):
            raise ValueError(f"device: expected a device name such as 'cpu' or 'gpu:0', "
                             f"received {device_name!r}.")
        name = device_name.lower()
        name = "cuda" + name[3:] if name.startswith("gpu") else name
        try:
            target = torch.device(name)
        except RuntimeError:
            raise ValueError(f"device: unknown device {device_name!r}; expected 'cpu', 'gpu', "
                             "'gpu:<index>' or a torch device name.") from None
    previous = config.get_device()
    config.set_device(target)
    try:
        yield
    finally:
        config.set_device(previous)
