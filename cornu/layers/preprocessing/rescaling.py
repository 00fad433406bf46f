"""Rescaling: `inputs * scale + offset` (e.g. pixels 0..255 → 0..1 with `scale=1/255`)."""
import torch

from cornu.backend import layout as layouts
from cornu.layers.layer import Layer, registry


@registry.register()
class Rescaling(Layer):
    """Multiplies by `scale` and adds `offset`; integer inputs become floats.

    `scale` and `offset` are numbers, or sequences broadcast against the channels (last axis).
    """
    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset
        if not isinstance(scale, (int, float)) or not isinstance(offset, (int, float)):
            self.layout = layouts.KERAS  # per-channel values broadcast over the last axis
        else:
            self.layout = layouts.ANY

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else inputs.to(torch.get_default_dtype())
        scale = torch.as_tensor(self.scale, dtype=x.dtype, device=x.device)
        offset = torch.as_tensor(self.offset, dtype=x.dtype, device=x.device)
        return x * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape
