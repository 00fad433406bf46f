"""TorchModuleWrapper: any `torch.nn.Module` as a Keras layer.

A Keras layer or model that holds a plain torch module as an attribute (`self.fc =
torch.nn.Linear(4, 2)`) gets it wrapped in this layer, as Keras 3 on torch does, so the module's
parameters are the layer's weights: listed in `weights`/`trainable_weights`, counted by
`count_params()`, trained by `fit` and kept by `save_weights`/`load_weights`.
"""
import base64
import io

import torch

from cornu.backend.config import get_device
from cornu.backend.variables import Variable
from cornu.layers import tracking
from cornu.layers.layer import Layer, registry
from cornu.utils.registry import in_safe_mode


@registry.register()
class TorchModuleWrapper(Layer):
    """Wraps a `torch.nn.Module` as a layer.

    The module's parameters become `Variable`s in place (same storage, named by their
    `state_dict` keys, path `<layer name>/<key>`), so Keras sees weights with `assign`/`numpy()`
    and the module's own `forward` keeps using them. Calling the layer calls the module with the
    same arguments; `training=False` puts the module in `eval()` mode, otherwise `train()`.
    Weight files store the module's `state_dict` (buffers such as BatchNorm's running statistics
    included), under its keys, as Keras 3 does.

    Args:
        module: the `torch.nn.Module` (a lazy module must be initialized first).
        name: the layer's name.
        output_shape: the output shape (with the batch axis), used when the functional API
            cannot find it by running the module on `meta` tensors.

    Example:

        layer = keras.layers.TorchModuleWrapper(torch.nn.Conv2d(3, 8, 3))
        y = layer(torch.randn(2, 3, 16, 16))   # (2, 8, 14, 14)
    """

    _wraps_torch_modules = False  # its own `module` attribute stays a torch module

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"TorchModuleWrapper {self.name!r}: `module` must be a "
                            f"torch.nn.Module, got {type(module).__name__}.")
        if isinstance(module, torch.nn.modules.lazy.LazyModuleMixin) and \
                module.has_uninitialized_params():
            raise ValueError(f"TorchModuleWrapper {self.name!r}: lazy modules must be "
                             "initialized (called once on data) before they are wrapped. "
                             f"Received an uninitialized {type(module).__name__}.")
        self.module = module.to(get_device())
        self._wrapper_output_shape = output_shape
        self._as_variables()
        self.built = True

    def _as_variables(self):
        """Replaces each parameter of the module by a Variable over the same storage."""
        made = {}
        for prefix, mod in self.module.named_modules(remove_duplicate=False):
            for key, param in list(mod._parameters.items()):
                if param is None or isinstance(param, Variable):
                    continue
                if id(param) not in made:
                    name = f"{prefix}.{key}" if prefix else key
                    made[id(param)] = Variable(param, trainable=param.requires_grad, name=name,
                                               path=f"{self.name}/{name}")
                mod._parameters[key] = made[id(param)]
        tracking.METRICS_VERSION[0] += 1  # (parameters replaced: a model's cached list is stale)

    def _own_variables(self):
        own = list(self.module.parameters())
        return [v for v in own if v.trainable] + [v for v in own if not v.trainable]

    _sets_own_mode = True  # the module keeps the mode of its latest call, as in Keras 3

    def call(self, *args, training=None, **kwargs):
        mode = training is not False
        if self.module.training != mode:
            self.module.train(mode)
        return self.module(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._wrapper_output_shape is None:
            return Layer.compute_output_shape(self, input_shape)
        return tuple(self._wrapper_output_shape)

    def compute_output_spec(self, *args, **kwargs):
        if self._wrapper_output_shape is None:
            return self._meta_run(args, kwargs)
        return super().compute_output_spec(*args, **kwargs)

    # ---------------------------------------------------------------- saving
    def _keras3_vars(self):
        """What a Keras 3 weights file stores for this layer: the module's state_dict."""
        return {key: value.detach().cpu().numpy()
                for key, value in self.module.state_dict().items()}

    def _load_keras3_vars(self, store):
        state = {(k.decode() if isinstance(k, bytes) else k): torch.as_tensor(v)
                 for k, v in store.items()}
        try:
            self.module.load_state_dict(state)
        except RuntimeError as error:
            raise ValueError(f"TorchModuleWrapper {self.name!r}: the stored state does not fit "
                             f"the module: {error}") from None

    def get_config(self):
        # The module is written as torch.save bytes (read back only with safe_mode=False).
        buffer = io.BytesIO()
        torch.save(self.module, buffer)
        return {**super().get_config(),
                "module": base64.b64encode(buffer.getvalue()).decode("ascii"),
                "output_shape": self._wrapper_output_shape}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("module"), str):
            if in_safe_mode():
                raise ValueError("TorchModuleWrapper: loading the wrapped torch module runs "
                                 "`torch.load` on pickled code, which safe mode forbids. Pass "
                                 "`safe_mode=False` to the loading function, or call "
                                 "`keras.config.enable_unsafe_deserialization()`, if you trust "
                                 "the file.")
            buffer = io.BytesIO(base64.b64decode(config["module"].encode("ascii")))
            config["module"] = torch.load(buffer, weights_only=False)
        return cls(**config)
