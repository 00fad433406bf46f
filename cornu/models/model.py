"""`Model`: a Layer that trains. `Model(inputs, outputs)` makes a functional model; subclassing
`Model` and writing `call()` makes a subclassed one. Training comes from `Trainer`."""
import torch

from cornu.backend import variables
from cornu.backend.naming import uniquify
from cornu.layers import tracking
from cornu.layers.layer import Layer, registry
from cornu.trainers.trainer import Trainer
from cornu.utils.compiling import eager_under_compile


class LayerList(torch.nn.ModuleList):
    """`model.layers` of a Sequential or functional model: the list of its layers (slices and
    sums are lists; `list(model.layers)` for a plain copy) and also the model's torch submodule
    `layers`, so torch's names (`state_dict`, `named_parameters`, `torch.func`) read
    `layers.0.kernel`. (No list equality: torch.compile traces modules that keep
    `nn.Module`'s identity hash.)"""

    def __getitem__(self, index):
        return list(self)[index] if isinstance(index, slice) else super().__getitem__(index)

    def __add__(self, other):
        return list(self) + list(other)

    def __radd__(self, other):
        return list(other) + list(self)

    def index(self, value):
        return list(self).index(value)

    def count(self, value):
        return list(self).count(value)

    def copy(self):
        return list(self)

    def __repr__(self):
        return repr(list(self))


@registry.register()
class Model(Trainer, Layer):
    """A model: a `Layer` that can also be trained (`Trainer`), as in Keras.

    `Model(inputs, outputs)` builds a functional model from symbolic tensors (a graph of
    layers, see `Functional`). A subclass that defines `call` is a subclassed model whose
    layers are its attributes. Either way the model is a `torch.nn.Module` with `compile`,
    `fit`, `evaluate`, `predict`, `summary`, `save` and `get_config`.

    >>> x = keras.Input(shape=(4,))
    >>> model = keras.Model(x, Dense(2)(x))
    >>> model(np.ones((3, 4))).shape
    torch.Size([3, 2])
    """

    def __new__(cls, *args, **kwargs):
        # `Model(inputs, outputs)` (Keras 1: `Model(input=, output=)`) is a functional model.
        # A subclass becomes functional in `__init__`, by what it passes on to it (a GAN's
        # `GAN(discriminator, generator, latent_dim)` passes models, not inputs and outputs).
        if cls is Model and (len(args) >= 2 or {"inputs", "input"} & set(kwargs)):
            from cornu.models.functional import Functional
            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        """A subclassed model: `super().__init__(name=...)`, layers as attributes, `call()`.

        As in Keras 3, a subclass whose `__init__` receives (or passes on to this one) inputs
        and outputs, `CustomModel(inputs, outputs)` or `super().__init__(inputs=x, outputs=y)`,
        is a functional model of that subclass: its own methods (say, `train_step`) first."""
        if _functional_arguments(args, kwargs):
            from cornu.models.functional import Functional
            if not isinstance(self, Functional):
                self.__class__ = _functional_subclass(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
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
        self._build_shapes = input_shape  # what `export` traces a subclassed model on
        def zeros(shape):
            return torch.zeros(tuple(1 if d is None else d for d in shape), dtype=torch_dtype(),
                               device=get_device())
        if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
            sample = zeros(shapes)
        else:
            sample = [zeros(s) for s in shapes]
        self.built = True
        try:
            with torch.no_grad():
                self.forward(sample)
        except BaseException:
            self.built = False  # a failed build leaves the model as it was
            raise

    def call(self, inputs, *args, **kwargs):
        # Layer's default call is the identity; a Model without one would return its inputs
        # from `predict` (Keras 3 raises, and so does cornu).
        raise NotImplementedError(
            f"Model {type(self).__name__} {self.name!r} does not implement `call()`. A subclassed "
            "Model defines `call(self, inputs, training=None)` returning its outputs; or build "
            "a functional model with `keras.Model(inputs, outputs)`.")

    @property
    def layers(self):
        return self._sublayers()

    def _track_layer(self, layer=None):
        """Registers the model's layers as the torch submodule `layers` (a `LayerList`), so a
        state_dict reads `layers.0.kernel`, `layers.1.bias`: keys by position, the same in
        every build of one architecture (layer names are numbered per session), as a torch
        `nn.Sequential` gives. Variables keep their Keras names (`dense_3/kernel`)."""
        tracking.METRICS_VERSION[0] += 1
        held = LayerList(self._layer_list())
        held.training = self.training  # the model's mode (a new torch module starts in train)
        self._modules["layers"] = held

    _untrack_layer = _track_layer

    @eager_under_compile  # (under a compiled train_step: the `.grad` of a Variable is eager)
    def zero_grad(self, set_to_none=True):
        """`nn.Module.zero_grad()`, over a list of the parameters kept until a layer gains a
        weight or a sublayer: Keras 3's torch `train_step` calls it every step, and walking
        the modules each time costs more than the rest of the step's bookkeeping."""
        if not set_to_none:
            return torch.nn.Module.zero_grad(self, set_to_none)
        cached = self.__dict__.get("_all_parameters")
        if cached is None or cached[0] != tracking.METRICS_VERSION[0]:
            cached = self.__dict__["_all_parameters"] = (tracking.METRICS_VERSION[0],
                                                         list(self.parameters()))
        for p in cached[1]:
            p.grad = None

    @property
    def trainable_weights(self):
        """`Layer.trainable_weights` (a new list), walked again only after a layer gains a
        weight or a sublayer or a `trainable` changes: a `train_step` reads it every step."""
        key = (tracking.METRICS_VERSION[0], variables.TRAINABLE_VERSION[0])
        cached = self.__dict__.get("_trainable_weights")
        if cached is None or cached[0] != key:
            cached = self.__dict__["_trainable_weights"] = (key, Layer.trainable_weights.fget(self))
        return list(cached[1])

    trainable_variables = trainable_weights

    def _sublayers(self):
        held = self._modules.get("layers")
        if not isinstance(held, torch.nn.ModuleList):
            return Layer._sublayers(self)
        return list(held) + [m for key, m in self._modules.items()
                             if key != "layers" and isinstance(m, Layer)]

    def get_layer(self, name=None, index=None):
        """The layer called `name`, or at position `index` in `model.layers`."""
        if name is not None and index is not None:
            raise ValueError("Provide only a layer name or a layer index, not both "
                             f"(received name={name!r}, index={index}).")
        if name is None and index is None:
            raise ValueError("Provide either a layer name or a layer index to `get_layer`.")
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

    # ---------------------------------------------------------------- saving
    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
        """Saves the model: `.keras` → Keras 3 zip; any other name → Keras 2 HDF5."""
        from cornu.saving import save_model
        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None,
               **kwargs):  # noqa: A002  (Keras's name)
        """Writes the model for serving without cornu: `format="onnx"` (onnxruntime) or
        `format="torch"` (a `.pt2` file for `torch.export.load`); see cornu/saving/export.py.
        Keras's default, `"tf_saved_model"`, needs TensorFlow and raises."""
        from cornu.saving.export import export_model
        return export_model(self, filepath, format=format, verbose=verbose,
                            input_signature=input_signature, **kwargs)

    def save_weights(self, filepath, overwrite=True, save_format=None, **kwargs):
        """`.weights.h5` → Keras 3 layout; any other name → Keras 2 HDF5 layout."""
        from cornu.saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, **kwargs):
        """Loads weights saved by cornu or by Keras 2 or 3 (`.h5`, `.weights.h5`, `.keras`)."""
        from cornu.saving import load_weights
        load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A functional config (`layers`, `input_layers`, ...) rebuilds the graph; any other
        config goes to the constructor (a subclassed model's own arguments)."""
        if "layers" in config and "input_layers" in config:
            from cornu.models.functional import Functional
            from cornu.models.serialization import functional_from_config
            return functional_from_config(Functional if cls is Model else cls, config,
                                          custom_objects)
        return cls(**config)

    def to_json(self, **kwargs):
        """The model's architecture as JSON (`cornu.models.model_from_json` reads it back)."""
        from cornu.models.serialization import to_json
        return to_json(self, **kwargs)

    def to_yaml(self, **kwargs):
        """Keras 1/2's YAML form of `to_json()` (needs PyYAML)."""
        from cornu.models.serialization import to_yaml
        return to_yaml(self, **kwargs)


_FUNCTIONAL_SUBCLASSES = {}


def _functional_arguments(args, kwargs):
    """Keras 3's test for functional arguments (inputs and outputs, by position or name)."""
    outputs = bool({"outputs", "output"} & set(kwargs))
    return len(args) == 2 or (len(args) == 1 and outputs) or (
        outputs and bool({"inputs", "input"} & set(kwargs)))


def _functional_subclass(cls):
    """`cls` with Functional's graph machinery mixed in after it (the user's methods first)."""
    if cls not in _FUNCTIONAL_SUBCLASSES:
        from cornu.models.functional import Functional
        _FUNCTIONAL_SUBCLASSES[cls] = type(cls.__name__, (cls, Functional),
                                           {"__module__": cls.__module__,
                                            "__qualname__": cls.__qualname__})
    return _FUNCTIONAL_SUBCLASSES[cls]
