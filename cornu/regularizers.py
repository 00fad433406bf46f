"""Weight regularizers: penalties added to the loss (Keras 3 formulas)."""
import torch

from cornu.utils.registry import Registry

registry = Registry("regularizer")


class Regularizer:
    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@registry.register("l1_l2")
class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        out = 0.0
        if self.l1:
            out = out + self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            out = out + self.l2 * torch.sum(torch.square(x))
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@registry.register("l1")
class L1(Regularizer):
    def __init__(self, l1=0.01):
        self.l1 = float(l1)

    def __call__(self, x):
        return self.l1 * torch.sum(torch.abs(x))

    def get_config(self):
        return {"l1": self.l1}


@registry.register("l2")
class L2(Regularizer):
    def __init__(self, l2=0.01):
        self.l2 = float(l2)

    def __call__(self, x):
        return self.l2 * torch.sum(torch.square(x))

    def get_config(self):
        return {"l2": self.l2}


@registry.register("orthogonal_regularizer")
class OrthogonalRegularizer(Regularizer):
    def __init__(self, factor=0.01, mode="rows"):
        self.factor, self.mode = float(factor), mode

    def __call__(self, x):
        if x.ndim != 2:
            raise ValueError(f"OrthogonalRegularizer needs a rank-2 weight, got shape {tuple(x.shape)}.")
        x = x if self.mode == "rows" else x.T
        x = torch.nn.functional.normalize(x, dim=1)
        product = x @ x.T
        size = x.shape[0]
        off_diag = product * (1.0 - torch.eye(size, dtype=x.dtype, device=x.device))
        return self.factor * torch.sum(torch.abs(off_diag)) / (size * (size - 1))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01):
    return L1L2(l1=l1, l2=l2)


l1 = L1  # Keras's lower-case spellings
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer


def get(identifier):
    return registry.get(identifier)


def serialize(regularizer):
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


def deserialize(config, custom_objects=None):
    return registry.get(config, custom_objects)


__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1_l2", "l1", "l2", "orthogonal_regularizer", "get",
           "serialize", "deserialize"]
