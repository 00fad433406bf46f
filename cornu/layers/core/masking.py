"""Masking: marks timesteps whose features all equal `mask_value` as padding."""
import torch

from cornu.backend.config import to_tensor
from cornu.layers.layer import Layer, registry


@registry.register()
class Masking(Layer):
    """Masks a sequence: a timestep whose features all equal `mask_value` is skipped by
    downstream layers that support masking (RNNs carry their state over it).

    Masked timesteps are also set to 0 in the output.

    Input shape `(batch, timesteps, features)`; output shape: the same.

    >>> x = np.ones((2, 3, 4)); x[:, 1] = 0
    >>> LSTM(8)(Masking(0.0)(x)).shape   # timestep 1 is skipped
    torch.Size([2, 8])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def call(self, inputs):
        keep = (inputs != self.mask_value).any(dim=-1, keepdim=True)
        return torch.where(keep, inputs, torch.zeros((), dtype=inputs.dtype, device=inputs.device))

    def compute_mask(self, inputs, previous_mask=None):
        return (to_tensor(inputs) != self.mask_value).any(dim=-1)  # NumPy input too, as Keras

    def compute_output_shape(self, input_shape):
        return input_shape
