"""`Model`: a Layer that trains. `Model(inputs, outputs)` makes a functional model; subclassing
`Model` and writing `call()` makes a subclassed one. Training comes from `Trainer`."""
import torch

from cornu.backend.naming import uniquify
from cornu.layers.layer import Layer, registry
from cornu.trainers.trainer import Trainer


@registry.register()
class Model(Trainer, Layer):
    def __new__(cls, *args, **kwargs):
        # `Model(inputs, outputs)` (Keras 1: `Model(input=, output=)`) is a functional model.
        if cls is Model and (len(args) >= 2 or {"inputs", "input"} & set(kwargs)):
            from cornu.models.functional import Functional
            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        """A subclassed model: `super().__init__(name=...)`, layers as attributes, `call()`."""
        if args:
            raise TypeError(f"{type(self).__name__}: a subclassed Model takes no positional "
                            "arguments; `Model(inputs, outputs)` builds a functional model.")
        name = kwargs.pop("name", None) or uniquify(self._default_name())
        Layer.__init__(self, name=name, **kwargs)
        Trainer.__init__(self)

    @classmethod
    def _default_name(cls):
        from cornu.backend.naming import to_snake_case
        if cls.__name__ in ("Model", "Functional"):
            return "model"
        return to_snake_case(cls.__name__)

    def build(self, input_shape):
        """Builds a subclassed model by running it once on zeros (inference mode: no updates)."""
        if self.built:
            return
        from cornu.backend.config import get_device, torch_dtype
        shapes = input_shape
        def zeros(shape):
            return torch.zeros(tuple(1 if d is None else d for d in shape), dtype=torch_dtype(),
                               device=get_device())
        if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
            sample = zeros(shapes)
        else:
            sample = [zeros(s) for s in shapes]
        self.built = True
        with torch.no_grad():
            self.forward(sample)

    @property
    def layers(self):
        return self._sublayers()

    def get_layer(self, name=None, index=None):
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"{self.name!r} only has {len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}.")

    def reset_states(self):
        """Keras 2: sets the states of every stateful layer (stateful RNNs) back to zeros."""
        for module in self.modules():
            if module is not self and getattr(module, "stateful", False) \
                    and callable(getattr(module, "reset_states", None)):
                module.reset_states()

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        from cornu.utils.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      show_trainable=show_trainable)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}
