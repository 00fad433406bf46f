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

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        from cornu.utils.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      show_trainable=show_trainable)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}

    # ---------------------------------------------------------------- saving
    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
        """Saves the model: `.keras` → Keras 3 zip; any other name → Keras 2 HDF5."""
        from cornu.saving import save_model
        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, save_format=None, **kwargs):
        """`.weights.h5` → Keras 3 layout; any other name → Keras 2 HDF5 layout."""
        from cornu.saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, **kwargs):
        """Loads weights saved by cornu or by Keras 2 or 3 (`.h5`, `.weights.h5`, `.keras`)."""
        from cornu.saving import load_weights
        load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        """The model's architecture as JSON (`model_from_json` rebuilds it)."""
        import json
        from cornu.saving.api import _json_default, _class_name
        config = {"module": "keras", "class_name": _class_name(self), "config": self.get_config(),
                  "registered_name": None, "keras_version": "3.15.1", "backend": "torch"}
        return json.dumps(config, default=_json_default, **kwargs)

    def to_yaml(self, **kwargs):
        """The model's architecture as YAML (removed in Keras 3; kept for Keras 2 code)."""
        import json
        try:
            import yaml
        except ImportError as error:
            raise ImportError("`to_yaml` needs PyYAML (pip install pyyaml).") from error
        return yaml.safe_dump(json.loads(self.to_json()), **kwargs)
