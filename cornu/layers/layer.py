"""`Layer`: the base of every layer and model, a `torch.nn.Module` with Keras's contract.

Life of a layer, as in Keras: `__init__` stores arguments; `build(input_shape)` creates weights
(`add_weight`) on the first call, or at once when the layer is given an input shape; `call()`
holds the math; `compute_output_shape()` and `get_config()` mirror the constructor.

Calling a layer on symbolic tensors (`Input()`) records a `Node` and returns symbolic outputs
whose shapes come from `compute_output_shape`, or by running the layer on the `meta` device
with meta copies of its weights (so shape inference never touches real weights or statistics).
Calling it on tensors or arrays runs it. Layers start in inference mode (`training=False`, as a
direct Keras call does); `fit` switches the model to training mode and back.
"""
import functools
import inspect
import warnings

import numpy as np
import torch

from cornu import constraints, initializers, regularizers
from cornu.backend import layout as layouts
from cornu.backend.config import dtype_name, floatx, get_device, torch_dtype
from cornu.backend.naming import to_snake_case, uniquify
from cornu.backend.variables import Variable
from cornu.graph.keras_tensor import KerasTensor, any_symbolic
from cornu.graph.node import Node, remember_eager_call
from cornu.layers import config as layer_config
from cornu.layers.call_utils import (_attach_masks, _dedup, _has_spatial, _is_shape,  # noqa: F401
                                    _is_structured,
                                    _mask_of, _shape_structure, _shapes_of, _shapes_to_tensors,
                                    _to_tensor, record_eager_call)
from cornu.layers.node_history import NodeHistory
from cornu.layers import tracking
from cornu.utils import legacy, nest
from cornu.utils.registry import Registry
from cornu.utils.validation import check_int, standardize_shape

registry = Registry("layer")

_BASE_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "input_dim", "dtype", "name",
                "trainable", "weights", "activity_regularizer", "autocast", "input_dtype",
                "batch_shape", "sparse", "ragged"}


def _wrap_init(cls, init):
    """Wraps a subclass `__init__`: legacy translation on entry, deferred build on exit."""
    params = list(inspect.signature(init).parameters.values())[1:]
    n_modern = sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    # A user's layer that names a legacy keyword (`output_dim`) means its own argument by it.
    own = frozenset(p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                    and cls.__module__.split(".")[0] != "cornu")

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        depth = self.__dict__.get("_init_depth", 0)
        object.__setattr__(self, "_init_depth", depth + 1)
        try:
            if depth == 0:
                names = [c.__name__ for c in type(self).__mro__]
                owner = type(self).__name__
                args, kwargs = nest.python_scalars(args), nest.python_scalars(kwargs)
                args, extra = legacy.translate_positional(names, args, n_modern, owner, kwargs)
                kwargs = legacy.translate("layer", {**kwargs, **extra}, owner, names, own)
            init(self, *args, **kwargs)
        finally:
            object.__setattr__(self, "_init_depth", depth)
        if depth == 0:
            self._post_init()

    return __init__


# `add_weight`'s positional order, Keras 3's (Keras 2's, a name first, is compat's).
_WEIGHT_ORDER = ("shape", "initializer", "dtype", "trainable", "autocast", "regularizer",
                 "constraint", "aggregation", "overwrite_with_gradient", "name")


class Layer(NodeHistory, torch.nn.Module):
    """The base class of every layer: a `torch.nn.Module` with Keras's life cycle.

    Args:
        trainable: whether the layer's weights train.
        name: the layer's name (default: its class in snake case, made unique).
        dtype: the dtype of its weights and computation (default `floatx()`).
        input_shape, batch_input_shape, batch_size, input_dim: the input shape, given to the
            first layer of a model (the layer builds at once).

    A subclass stores its arguments in `__init__`, creates weights in `build(input_shape)`
    with `add_weight`, and computes in `call(inputs)`. Calling a layer on tensors runs it;
    calling it on symbolic tensors (`Input`) records a node of a functional graph. See
    docs/ARCHITECTURE.md for the whole life of a layer.
    """

    _sets_own_mode = False  # True where `call(training=)` sets its modules' modes itself

    layout = layouts.KERAS  # what `call` consumes for rank >= 3 inputs; see backend/layout.py
    supports_masking = False  # True: passes a mask on (via `compute_mask`) instead of dropping it

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _wrap_init(cls, cls.__dict__["__init__"])
        if "build" in cls.__dict__ and cls.__module__.startswith("cornu.layers."):
            cls.build = _wrap_build(cls.__dict__["build"])  # built-in layers only
        params = inspect.signature(cls.call).parameters
        cls._call_takes_training = "training" in params
        cls._call_takes_mask = "mask" in params
        if "compute_mask" in cls.__dict__ and "supports_masking" not in cls.__dict__:
            cls.supports_masking = True  # Keras 3: defining `compute_mask` means support

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        if self.__dict__.get("_init_depth", 0) == 0:  # Layer() itself: translate legacy here
            kwargs = legacy.translate("layer", nest.python_scalars(kwargs), type(self).__name__,
                                      ["Layer"])
        unknown = set(kwargs) - _BASE_KWARGS
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{', '.join(sorted(map(repr, unknown)))} (not an argument of this layer "
                            "in any Keras version).")
        super().__init__()
        self.training = False
        self.name = name or uniquify(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.built = False
        dtype = layer_config.dtype_from_config(dtype)
        self.dtype = dtype_name(dtype) if dtype else floatx()
        self._own_weights = []  # attribute names of this layer's Variables, in creation order
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._activity_losses = []
        self.activity_regularizer = regularizers.get(kwargs.get("activity_regularizer"))
        self._initial_weights = kwargs.get("weights")
        self._batch_input_shape = self._input_shape_from_kwargs(kwargs)
        self.input_dtype = kwargs.get("input_dtype")

    def _input_shape_from_kwargs(self, kwargs):
        batch_size, owner = kwargs.get("batch_size"), type(self).__name__
        for key in ("batch_input_shape", "batch_shape"):
            if kwargs.get(key) is not None:
                return standardize_shape(kwargs[key], key, owner)
        if kwargs.get("input_shape") is not None:
            return (batch_size,) + standardize_shape(kwargs["input_shape"], "input_shape",
                                                        owner)
        if kwargs.get("input_dim") is not None:
            return (batch_size, check_int(kwargs["input_dim"], "input_dim", owner))
        return None

    def _post_init(self):
        """Runs after the outermost `__init__`: builds at once when an input shape was given."""
        if self._batch_input_shape is not None and not self.built:
            self._build_once(self._batch_input_shape)

    _wraps_torch_modules = True  # a plain nn.Module attribute becomes a TorchModuleWrapper

    def __setattr__(self, name, value):
        if isinstance(value, (torch.nn.Module, Variable)):
            tracking.METRICS_VERSION[0] += 1
            value = tracking.track(self, name, value)
            if value is None:
                return
        elif getattr(type(value), "_is_metric", False):
            tracking.track_metric(self, name, value)
        elif "_tracked_metrics" in self.__dict__:
            tracking.track_metric(self, name, None)
        super().__setattr__(name, value)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            prop = getattr(type(self), name, None)
            if isinstance(prop, property):  # surface the property's own explanation
                return prop.fget(self)
            raise

    # ----------------------------------------------------------------- weights
    def add_weight(self, *args, **kwargs):
        """Creates a weight in Keras's shape, with Keras 3's signature: `add_weight(shape=None,
        initializer=None, dtype=None, trainable=True, autocast=True, regularizer=None,
        constraint=None, aggregation="none", overwrite_with_gradient=False, name=None)`.
        Keras 2's order (a name first) is read by compat.

        `storage_order` (keyword) is a permutation: the weight's storage is laid out
        contiguously in the order `weight.permute(storage_order)` (the layout the torch kernel
        consumes).
        """
        legacy_kwargs = legacy.weight_positional(args) if args else None
        if legacy_kwargs is not None:
            args = ()
        elif args and isinstance(args[0], str):
            raise ValueError(f"{type(self).__name__}.add_weight(): `name` must be passed as a "
                             f"keyword argument; received add_weight({args[0]!r}, ...). Use "
                             f"add_weight(shape=..., name={args[0]!r}).")
        if len(args) > len(_WEIGHT_ORDER):
            raise TypeError(f"{type(self).__name__}.add_weight() takes at most "
                            f"{len(_WEIGHT_ORDER)} positional arguments "
                            f"({', '.join(_WEIGHT_ORDER)}); {len(args)} were given.")
        for key, value in [*zip(_WEIGHT_ORDER, args), *(legacy_kwargs or {}).items()]:
            if key in kwargs:
                raise TypeError(f"{type(self).__name__}.add_weight() got multiple values for "
                                f"argument {key!r}.")
            kwargs[key] = value
        return self._add_weight(**kwargs)

    def _add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                    autocast=True, regularizer=None, constraint=None, aggregation="none",
                    overwrite_with_gradient=False, name=None, storage_order=None, **kwargs):
        shape = tuple(int(d) for d in (shape or ()))
        name = name or f"variable_{len(self._own_weights)}"
        if initializer is None:
            initializer = "glorot_uniform" if "float" in (dtype or self.dtype) else "zeros"
        init = initializers.get(initializer)
        value = init(shape, dtype=dtype or self.dtype)
        value = torch.as_tensor(value, dtype=torch_dtype(dtype or self.dtype)).to(get_device())
        if storage_order is not None:
            inverse = [0] * len(storage_order)
            for i, axis in enumerate(storage_order):
                inverse[axis] = i
            value = value.permute(*storage_order).contiguous().permute(*inverse)
        var = Variable(value, trainable=trainable, name=name, path=f"{self.name}/{name}")
        var.requires_grad_(bool(trainable) and self._trainable and var.is_floating_point())
        var.regularizer = regularizers.get(regularizer)
        var.constraint = constraints.get(constraint)
        attr = name.replace("/", "_").replace(".", "_").replace(":", "_")
        if self.__dict__.get(attr, 0) is None:  # `self.bias = None` placeholders
            del self.__dict__[attr]
        while attr in self._own_weights or (hasattr(self, attr) and attr not in self._parameters):
            attr += "_"
        self.register_parameter(attr, var)
        self._own_weights.append(attr)
        tracking.METRICS_VERSION[0] += 1  # (a model's cached parameter list is stale)
        return var

    def _weight(self, prefix, shape, name=None, **kwargs):
        """A built-in layer's weight, with this layer's `{prefix}_initializer`, `_regularizer`,
        `_constraint` attributes (missing: none; a keyword given here wins)."""
        for part in ("initializer", "regularizer", "constraint"):
            if part not in kwargs:
                kwargs[part] = getattr(self, f"{prefix}_{part}", None)
        return self.add_weight(name=name or prefix, shape=shape, **kwargs)

    def _own_variables(self):
        # Keras's order: trainable at creation first (a kernel frozen later keeps its place).
        own = [self._parameters[a] for a in self._own_weights]
        first = [v for v in own if getattr(v, "_created_trainable", v.trainable)]
        return first + [v for v in own if not getattr(v, "_created_trainable", v.trainable)]

    def _sublayers(self):
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    @property
    def submodules(self):
        """Every layer inside this one (not itself), each once, in tf.Module's order: the
        direct sublayers, then what each of them holds."""
        seen = {id(self)}

        def walk(layer):
            direct = [sub for sub in layer._sublayers() if id(sub) not in seen]
            seen.update(id(sub) for sub in direct)
            return direct + [deeper for sub in direct for deeper in walk(sub)]
        return walk(self)

    @property
    def weights(self):
        out, seen = [], set()
        for w in self._own_variables() + [w for layer in self._sublayers() for w in layer.weights]:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    @property
    def variables(self):  # Keras 3: the weights, then the random-seed state
        return self.weights + tracking.seed_states(self)

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        own = [v for v in self._own_variables() if v.trainable]
        return _dedup(own + [w for layer in self._sublayers() for w in layer.trainable_weights])

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        own = [v for v in self._own_variables() if not v.trainable]
        return _dedup(own + [w for layer in self._sublayers() for w in layer.non_trainable_weights])

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights + tracking.seed_states(self)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self._trainable = value
        tracking.METRICS_VERSION[0] += 1  # (a model's cached `trainable_weights` is stale)
        for layer in self._sublayers():
            layer.trainable = value
        for var in self._own_variables():
            var.requires_grad_(value and var.trainable and var.is_floating_point())

    def get_weights(self):
        """The layer's weights as NumPy arrays, in Keras's order and shapes."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError(f"Layer {self.name!r} expects {len(params)} weight arrays "
                             f"({[tuple(p.shape) for p in params]}), but received {len(weights)}.")
        for param, value in zip(params, weights):
            value = np.asarray(value)
            if tuple(param.shape) != value.shape:
                raise ValueError(f"Layer {self.name!r}: weight {param.path} has shape "
                                 f"{tuple(param.shape)}, but the value given has shape {value.shape}.")
        with torch.no_grad():
            for param, value in zip(params, weights):
                param.copy_(torch.as_tensor(np.asarray(value), dtype=param.dtype))

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer {self.name!r}, but the "
                             "layer isn't built. Call it on data or give it an `input_shape`.")
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # ------------------------------------------------------------------- build
    def build(self, input_shape):
        self.built = True

    def _build_once(self, input_shape):
        if self.built:
            return
        self.build(input_shape)
        self.built = True
        self.__dict__["_build_input_shape"] = input_shape  # a config's `build_config`
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    # -------------------------------------------------------------------- call
    def call(self, inputs, *args, **kwargs):
        return inputs

    def forward(self, *args, **kwargs):
        if kwargs:
            training = kwargs.get("training")
            if training is not None and self._modules and bool(training) != self.training \
                    and not self._sets_own_mode:
                # `training=` reaches every layer the call runs, also through a `call()` that
                # does not pass it on (Keras's call context): the subtree runs in that mode.
                mode = self.training
                self.train(bool(training))
                try:
                    return self.forward(*args, **kwargs)
                finally:
                    self.train(mode)
            if not self._call_takes_training:
                kwargs.pop("training", None)  # Keras drops it for layers whose call() lacks it
            elif training is None:
                kwargs["training"] = self.training
            if not self._call_takes_mask:
                kwargs.pop("mask", None)
        elif self._call_takes_training:  # (the graph's and the trainer's calls pass nothing)
            kwargs["training"] = self.training
        outputs = self.call(*args, **kwargs)
        if self.activity_regularizer is not None:
            self._add_activity_loss(outputs)
        return outputs

    def _add_activity_loss(self, outputs):
        for out in nest.flatten(outputs):
            loss = self.activity_regularizer(out)
            if out.ndim > 0:
                loss = loss / out.shape[0]
            self._activity_losses.append(loss)
        tracking.losses_added(self)

    def __call__(self, *args, **kwargs):
        if (len(args) != 1 or type(args[0]) is not torch.Tensor) and (  # (one tensor: eager)
                args and any_symbolic(args[0]) or any_symbolic(list(args[1:]))):
            return self._symbolic_call(args, kwargs)
        depth = tracking.CALL_DEPTH
        if tracking.PENDING_LOSSES and not depth[0]:
            tracking.clear_losses(self)  # Keras 3: `losses` are those of the latest top-level call
        # The depth counts eager calls in progress here (and in the trainer's forward), not in
        # `forward`: the graph's runs reach a layer through `nn.Module.__call__`, inside one.
        depth[0] += 1
        try:
            out = self._eager_call(args, kwargs)
        finally:
            depth[0] -= 1
        if not depth[0] and (type(out) is not torch.Tensor or out.requires_grad):
            # A graph built on the output records the call (graph/node.py; not `grad_fn`, which
            # a compiled train_step would break its graph at).
            if type(out) is torch.Tensor and len(args) == 1 and out is not args[0]:
                out._keras_eager_call = (self, args, kwargs, out._version)  # (every step)
            elif not torch.compiler.is_compiling():  # (a compiled step builds no graph)
                remember_eager_call(self, args, kwargs, out)
        return out

    _record_call = record_eager_call  # (graph/node.py: an eager call, recorded in a graph)

    def _eager_call(self, args, kwargs):
        if not args:
            return super().__call__(**kwargs)
        x = _to_tensor(args[0])
        if not self.built:
            self._build_once(nest.map_structure(lambda t: tuple(t.shape), x))
        mask = kwargs.get("mask")
        if mask is None:
            mask = _mask_of(x)  # the `_keras_mask` a masking layer attached to its outputs
            if mask is not None and self._call_takes_mask:
                kwargs["mask"] = mask
        if self.layout == layouts.CHANNELS_FIRST and (
                x.ndim >= 3 if isinstance(x, torch.Tensor) else _has_spatial(x)):
            out = super().__call__(nest.map_structure(layouts.to_channels_first, x), *args[1:],
                                   **kwargs)
            out = nest.map_structure(layouts.to_channels_last, out)
        else:
            out = super().__call__(x, *args[1:], **kwargs)
        if self.supports_masking and (mask is not None or self._defines_mask()):
            _attach_masks(out, self.compute_mask(x, mask))
        elif mask is not None:
            self._warn_mask_dropped()
        return out

    def _symbolic_call(self, args, kwargs):
        inputs = args[0]
        if not self.built:
            self._build_once(nest.map_structure(lambda t: t.shape, inputs))
        mask = kwargs.get("mask")
        mask = _mask_of(inputs) if mask is None else mask
        # The graph hands the mask to `call` at run time (functional.py); shape inference
        # passes it too, so a `call(inputs, mask=None)` sees one as it will when run.
        spec_kwargs = kwargs
        if mask is not None and self._call_takes_mask and "mask" not in kwargs:
            spec_kwargs = {**kwargs, "mask": mask}
        outputs = self.compute_output_spec(*args, **spec_kwargs)
        Node(self, args, kwargs, outputs)
        if self.supports_masking and (mask is not None or self._defines_mask()):
            if self._defines_mask():
                _attach_masks(outputs, self._mask_spec(inputs, mask))
            else:  # passed on unchanged: the graph reuses the input's mask
                _attach_masks(outputs, mask)
        elif mask is not None:
            self._warn_mask_dropped()
        return outputs

    # ----------------------------------------------------------------- masking
    def compute_mask(self, inputs, previous_mask=None):
        """The mask of the outputs: a boolean `(batch, timesteps)` tensor, or None.

        Called only when `supports_masking` is True; by default the input's mask passes
        through unchanged (Dense, Dropout, activations...). Inside a model, the graph hands
        a layer whose `call()` takes `mask` the mask of its first input.
        """
        return previous_mask

    @classmethod
    def _defines_mask(cls):
        return cls.compute_mask is not Layer.compute_mask

    def _mask_spec(self, inputs, mask):
        """Symbolic output mask(s): `compute_mask` run on stand-ins of the inputs, twice, with
        unknown dimensions as 2 and as 3: an output dimension that follows them is unknown."""
        def run(size):
            def concrete(t, device, dtype=None):
                if not isinstance(t, KerasTensor):
                    return t
                shape = tuple(size if d is None else d for d in t.shape)
                return torch.ones(shape, dtype=dtype or torch_dtype(t.dtype), device=device)
            for device in ("meta", "cpu"):
                try:
                    with torch.no_grad():
                        return self.compute_mask(
                            nest.map_structure(lambda t: concrete(t, device), inputs),
                            nest.map_structure(lambda t: concrete(t, device, torch.bool), mask))
                except NotImplementedError:
                    if device == "cpu":
                        raise
        first, second = run(2), run(3)

        def to_spec(a, b):
            if not isinstance(a, torch.Tensor):
                return a
            shape = tuple(None if d != e else d for d, e in zip(a.shape, b.shape))
            return KerasTensor(shape, "bool")
        return nest.pack_sequence_as(first, [to_spec(a, b) for a, b in
                                             zip(nest.flatten(first), nest.flatten(second))])

    def _warn_mask_dropped(self):
        if not getattr(self, "_warned_mask", False):
            self._warned_mask = True
            warnings.warn(f"Layer {self.name!r} (of type {type(self).__name__}) was passed an "
                          "input with a mask attached to it. However, this layer does not "
                          "support masking and will therefore destroy the mask information. "
                          "Downstream layers will not see the mask.", stacklevel=3)

    # ------------------------------------------------------------ shape inference
    def compute_output_shape(self, input_shape):
        """Output shape(s) for `input_shape`; by default found by a `meta`-device run."""
        spec = _shapes_to_tensors(_shape_structure(input_shape), self.input_dtype or self.dtype)
        out = self._meta_run((spec,), {})
        return nest.map_structure(lambda t: t.shape, out)

    def compute_output_spec(self, *args, **kwargs):
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            shapes = self.compute_output_shape(
                nest.map_structure(lambda t: t.shape, args[0]))
            return _shapes_to_tensors(shapes, self.dtype)
        return self._meta_run(args, kwargs)

    def _meta_run(self, args, kwargs):
        """Runs the layer on `meta` copies of its weights and inputs; returns KerasTensors."""
        symbolic = nest.flatten([list(args), kwargs])
        batch_none = any(isinstance(t, KerasTensor) and t.shape and t.shape[0] is None
                         for t in symbolic)
        try:
            out = self._run_on("meta", args, kwargs)
        except Exception:  # an op without a meta kernel, or one mixing devices: run on CPU
            out = self._run_on("cpu", args, kwargs)
        def to_spec(t):
            if not isinstance(t, torch.Tensor):
                return t
            shape = tuple(t.shape)
            if batch_none and shape:
                shape = (None,) + shape[1:]
            return KerasTensor(shape, dtype_name(t.dtype))
        return nest.map_structure(to_spec, out)

    def _run_on(self, device, args, kwargs):
        def concrete(t):
            if not isinstance(t, KerasTensor):
                return t
            shape = tuple(2 if d is None else d for d in t.shape)
            fill = torch.ones if t.dtype == "bool" else torch.zeros  # a mask keeps every step
            return fill(shape, dtype=torch_dtype(t.dtype), device=device)
        margs = nest.map_structure(concrete, list(args))
        mkwargs = nest.map_structure(concrete, kwargs)
        state = tracking.stand_ins(self, device)
        with torch.no_grad():
            return torch.func.functional_call(self, state, tuple(margs), mkwargs, strict=False)

    @property
    def losses(self):
        out = list(self._activity_losses)
        for var in self._own_variables():
            if var.regularizer is not None:
                out.append(var.regularizer(var))
        for layer in self._sublayers():
            out.extend(layer.losses)
        return out

    def add_loss(self, loss):
        """Adds a scalar loss (or a list of them), usually from inside `call()`; `fit` adds
        it to the compiled loss. A top-level call starts with no losses, as in Keras 3."""
        for each in nest.flatten(loss):
            if not isinstance(each, torch.Tensor):
                raise ValueError(f"Layer {self.name!r}: `add_loss()` takes tensors computed in "
                                 f"`call()`; received {each!r} (of type {type(each).__name__}).")
            self._activity_losses.append(each)
        tracking.losses_added(self)

    @property
    def compute_dtype(self):
        return self.dtype

    @property
    def variable_dtype(self):
        return self.dtype

    # ------------------------------------------------------------------ config
    _config_omit, _config_extra = (), {}  # Keras 3's exceptions (see layers/config.py)

    def get_config(self):
        """Each constructor argument, from the attribute of the same name (layers/config.py);
        as in Keras 3, the input shape lives in the model's InputLayer, not here."""
        return layer_config.from_constructor(self)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _wrap_build(build):
    """A direct `layer.build(shape)` call marks the layer built, as `_build_once` does."""
    @functools.wraps(build)
    def wrapped(self, *args, **kwargs):
        build(self, *args, **kwargs)
        self.built = True
    return wrapped
