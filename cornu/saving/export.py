"""`model.export`: a file for serving without cornu, written by PyTorch's own exporters.

- `format="onnx"`: ONNX through `torch.onnx.export` (its dynamo path, which needs the `onnx` and
  `onnxscript` packages: `pip install cornu[export]`), to run with onnxruntime.
- `format="torch"`: a `.pt2` ExportedProgram through `torch.export`, loadable with
  `torch.export.load` in a process that never imports cornu.

Both trace the model once with `torch.export` (non-strict), in inference mode (dropout off,
BatchNormalization on its moving statistics), on the inputs Keras feeds it: channels-last
images, the dtypes of the model's `Input`s. The batch axis stays dynamic; other unknown axes
(`None` in an `Input` shape) stay dynamic where the graph allows, and an error says which one
does not. The ONNX file is converted from that same traced program.

What cannot be traced (a Lambda that branches on tensor values, a stateful RNN, a layer that
calls `.numpy()` in `call`) raises `ExportError` naming the layer and the reason.
"""
import contextlib
import os
import re
import warnings

import numpy as np
import torch

from cornu.backend.config import get_device, torch_dtype
from cornu.utils.files import atomic_path

FORMATS = ("onnx", "torch")
_OTHERS = {"tf_saved_model": "a TensorFlow SavedModel, which needs TensorFlow",
           "openvino": "an OpenVINO model, which needs OpenVINO's converter",
           "litert": "a LiteRT (TFLite) model, which needs TensorFlow Lite's converter"}


class ExportError(RuntimeError):
    """A model that torch cannot trace into a graph; says which layer and why.

    `torch_error` holds the exception torch raised, for debugging."""

    def __init__(self, message, layer=None, torch_error=None):
        super().__init__(message)
        self.layer = layer
        self.torch_error = torch_error


def export_model(model, filepath, format="tf_saved_model", verbose=None, input_signature=None,
                 **kwargs):  # noqa: A002  (Keras's name)
    """`Model.export`: writes `filepath` in `format` (`"onnx"` or `"torch"`)."""
    if format == "onnx":
        return export_onnx(model, filepath, verbose=verbose, input_signature=input_signature,
                           **kwargs)
    if format == "torch":
        return export_torch(model, filepath, verbose=verbose, input_signature=input_signature,
                            **kwargs)
    if format in _OTHERS:
        raise ValueError(f"Model.export(format={format!r}) writes {_OTHERS[format]}; cornu runs "
                         "on PyTorch and writes format='onnx' (run it with onnxruntime) or "
                         "format='torch' (a .pt2 file for torch.export.load); "
                         "model.save('model.keras') keeps a file Keras 3 loads.")
    raise ValueError(f"Model.export: unknown format {format!r}. cornu writes 'onnx' and "
                     "'torch' (Keras's 'tf_saved_model', 'openvino' and 'litert' need "
                     "TensorFlow or other converters).")


def export_onnx(model, filepath, verbose=None, input_signature=None, opset_version=None,
                **kwargs):
    """Writes `model` as an ONNX file for onnxruntime (or any ONNX runtime).

    Args:
        model: a built cornu model (or layer).
        filepath: where to write the `.onnx` file.
        verbose: print where the file went (default True, as Keras).
        input_signature: the inputs' shapes and dtypes when the model's own `Input`s do not
            say (a subclassed model never called) or to fix an axis: a list of objects with
            `.shape` and `.dtype` (`keras.InputSpec`, `KerasTensor`, tensors, arrays), one per
            model input. `None` axes are dynamic.
        opset_version: the ONNX opset (default: torch's).
        **kwargs: passed to `torch.onnx.export` (`external_data`, `optimize`, `report`, ...).

    The file's inputs are named as the model's `Input`s and take what `model.predict` takes
    (channels-last images); its outputs are the model's, with a dynamic batch axis:

        cornu.utils.export_onnx(model, "model.onnx")
        onnxruntime.InferenceSession("model.onnx").run(None, {"input_layer": x})
    """
    try:
        import onnxscript  # noqa: F401  (torch's exporter imports it; say so before tracing)
    except ImportError:
        raise ImportError("Exporting to ONNX needs the `onnx` and `onnxscript` packages: "
                          "pip install 'cornu[export]' (or pip install onnx onnxscript "
                          "onnxruntime).") from None
    filepath = os.fspath(filepath)
    program, specs = _trace(model, input_signature, {})
    input_names = [name for name, _ in specs]
    output_names = _output_names(model, len(program.graph_signature.user_outputs))
    options = {"input_names": input_names, "opset_version": opset_version, "verbose": False,
               "dynamo": True, **kwargs}
    options.setdefault("output_names", output_names)
    with _quiet():
        try:
            onnx_program = torch.onnx.export(program, **options)
        except Exception as error:  # noqa: BLE001  (every torch failure becomes one clear error)
            raise _explain(error, model, program, "ONNX") from None
        with atomic_path(filepath) as tmp:
            onnx_program.save(tmp)
    if verbose is None or verbose:
        print(f"Saved artifact at '{filepath}'.")
    return filepath


def export_torch(model, filepath, verbose=None, input_signature=None, **kwargs):
    """Writes `model` as a `.pt2` ExportedProgram (`torch.export`), which
    `torch.export.load(filepath).module()(x)` runs without cornu.

    `input_signature` as for `export_onnx`; `**kwargs` go to `torch.export.export` (`strict`,
    `dynamic_shapes`, `prefer_deferred_runtime_asserts_over_guards`,
    `preserve_module_call_signature`), as Keras passes them.
    """
    filepath = os.fspath(filepath)
    if not filepath.endswith(".pt2"):
        raise ValueError(f"Model.export(format='torch') writes a torch.export archive, whose "
                         f"file name must end in '.pt2'; received {filepath!r}.")
    allowed = {"strict", "dynamic_shapes", "prefer_deferred_runtime_asserts_over_guards",
               "preserve_module_call_signature"}
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise ValueError(f"Model.export(format='torch'): unsupported argument(s) {unknown}; "
                         f"supported: {sorted(allowed)}.")
    program, _ = _trace(model, input_signature, kwargs)
    with atomic_path(filepath) as tmp, _quiet():
        with open(tmp, "wb") as f:
            torch.export.save(program, f)
    if verbose is None or verbose:
        print(f"Saved PyTorch ExportedProgram at '{filepath}'.")
    return filepath


# ----------------------------------------------------------------------------- tracing
class _Serving(torch.nn.Module):
    """The model as a function of positional tensors, called as `predict` calls it."""

    def __init__(self, model, n_inputs):
        super().__init__()
        self.model = model
        self.n_inputs = n_inputs

    def forward(self, *inputs):
        x = inputs[0] if self.n_inputs == 1 else list(inputs)
        return torch.nn.Module.__call__(self.model, x)


def _trace(model, input_signature, options):
    """`torch.export` of `model` in inference mode; returns `(program, specs)`."""
    _refuse_untraceable(model)
    specs = _signature(model, input_signature)
    device = _device(model)
    # 2 for an unknown axis: torch specializes axes of size 0 and 1 into constants.
    samples = tuple(torch.zeros(tuple(2 if d is None else d for d in shape), dtype=dtype,
                                device=device) for _, (shape, dtype) in specs)
    wrapper = _Serving(model, len(specs))
    options = dict(options)
    options.setdefault("strict", False)
    user_shapes = "dynamic_shapes" in options
    if not user_shapes:
        batch = torch.export.Dim("batch")
        options["dynamic_shapes"] = (tuple(
            {i: (batch if i == 0 else torch.export.Dim.AUTO)
             for i, d in enumerate(shape) if d is None}
            for _, (shape, _) in specs),)
    elif len(specs) == 1 and isinstance(options["dynamic_shapes"], dict):
        options["dynamic_shapes"] = ((options["dynamic_shapes"],),)  # one input's axes
    modes = [(module, module.training) for module in model.modules()]
    wrapper.eval()
    try:
        _run_once(model, wrapper, samples, specs)  # builds what is unbuilt, outside the trace
        with _quiet(), _layer_annotations(model):
            program = torch.export.export(wrapper, samples, **options)
    except Exception as error:  # noqa: BLE001
        raise _explain(error, model, None, "torch.export") from None
    finally:
        for module, training in modes:
            module.training = training
    if not user_shapes:
        _check_dynamic(model, program, specs)
    return program, specs


@contextlib.contextmanager
def _layer_annotations(model):
    """Tags each traced node with the name of the layer whose call made it (so a failure to
    convert a node to ONNX can name the layer), through hooks that live only while tracing."""
    from cornu.layers.layer import Layer
    annotate = getattr(torch.fx.traceback, "annotate", None)
    if annotate is None:  # torch < 2.9: errors then name the model only
        yield
        return
    entered = []

    def enter(layer, args):
        context = annotate({"cornu_layer": layer.name})
        context.__enter__()
        entered.append(context)

    def leave(layer, args, output):
        if entered:
            entered.pop().__exit__(None, None, None)

    handles = []
    for module in model.modules():
        if isinstance(module, Layer) and not hasattr(module, "layers"):
            handles += [module.register_forward_pre_hook(enter),
                        module.register_forward_hook(leave)]
    try:
        with torch.fx.traceback.preserve_node_meta():  # without it, non-strict drops the tags
            yield
    finally:
        while entered:
            entered.pop().__exit__(None, None, None)
        for handle in handles:
            handle.remove()


def _run_once(model, wrapper, samples, specs):
    try:
        with torch.no_grad():
            wrapper(*samples)
    except Exception as error:  # noqa: BLE001
        shapes = [shape for _, (shape, _) in specs]
        raise ValueError(f"Model {model.name!r} cannot run on the inputs it is exported for "
                         f"(shapes {shapes}): {type(error).__name__}: {error}") from error


def _signature(model, input_signature):
    """`[(name, (shape, torch dtype))]`, one per model input."""
    if input_signature is None:
        specs = list(getattr(model, "inputs", None) or [])
        if not specs:
            shapes = getattr(model, "_build_shapes", None)
            if shapes is None:
                raise ValueError(
                    f"Model {model.name!r} has no known inputs to export: it was never built. "
                    "Call it on data (or `model.build(input_shape)`) first, or pass "
                    "`input_signature=[keras.InputSpec(shape=(None, ...), dtype='float32')]`.")
            specs = [(None,) + tuple(s)[1:] for s in ([shapes] if _is_shape(shapes) else shapes)]
    else:
        specs = list(input_signature) if isinstance(input_signature, (list, tuple)) \
            else [input_signature]
        if len(specs) == 1 and isinstance(specs[0], (list, tuple)) and not _is_shape(specs[0]):
            specs = list(specs[0])  # Keras's `[[spec_a, spec_b]]` for a model of two inputs
        expected = len(getattr(model, "inputs", None) or specs)
        if len(specs) != expected:
            raise ValueError(f"Model {model.name!r} has {expected} input(s), but "
                             f"input_signature describes {len(specs)}.")
    out, names = [], set()
    for i, spec in enumerate(specs):
        if _is_shape(spec):
            shape, dtype, name = tuple(spec), None, None
        elif hasattr(spec, "shape"):
            shape = tuple(None if d is None else int(d) for d in spec.shape)
            dtype, name = getattr(spec, "dtype", None), getattr(spec, "name", None)
        else:
            raise TypeError(f"input_signature[{i}] must have a `.shape` (keras.InputSpec, "
                            f"KerasTensor, tensor or array); received {spec!r}.")
        if isinstance(spec, (torch.Tensor, np.ndarray)):
            shape = (None,) + shape[1:]  # an example batch: its batch size is not the model's
        if not shape:
            raise ValueError(f"input_signature[{i}] has shape (): an input needs a batch axis.")
        name = name if isinstance(name, str) and name and name not in names else f"input_{i}"
        names.add(name)
        out.append((name, (shape, _torch_dtype(dtype))))
    return out


def _torch_dtype(dtype):
    if dtype is None:
        return torch_dtype()
    if isinstance(dtype, torch.dtype):
        return dtype
    name = getattr(dtype, "name", None) or str(dtype)
    name = name.replace("torch.", "").replace("tf.", "").replace("<dtype: '", "").strip("'>")
    return torch_dtype(name)


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in value)


def _device(model):
    for tensor in list(model.parameters()) + list(model.buffers()):
        return tensor.device
    return torch.device(get_device())


def _output_names(model, count):
    names = list(getattr(model, "output_names", None) or [])
    if len(names) == count and len(set(names)) == count:
        return names
    return [f"output_{i}" for i in range(count)]


def _refuse_untraceable(model):
    for layer in model.modules():
        if getattr(layer, "stateful", False) is True:
            raise ExportError(
                f"Cannot export model {model.name!r}: layer {layer.name!r} "
                f"({type(layer).__name__}) is stateful, so its output depends on the states "
                "the previous batch left behind, and an exported graph is a pure function of "
                "its inputs. Rebuild the model with `stateful=False`, copy the weights "
                "(`set_weights(model.get_weights())`) and export that one.", layer=layer)


def _check_dynamic(model, program, specs):
    """Raises where torch fixed an unknown (None) axis other than the batch to its sample size."""
    placeholders = {node.name: node for node in program.graph.nodes if node.op == "placeholder"}
    for user_input, (name, (shape, _)) in zip(program.graph_signature.user_inputs, specs):
        node = placeholders.get(user_input)
        value = node.meta.get("val") if node is not None else None
        if value is None:
            continue
        for axis, d in enumerate(shape):
            if axis and d is None and _fixed(value.shape[axis]):
                raise ExportError(
                    f"Cannot export model {model.name!r} with axis {axis} of input {name!r} "
                    f"(shape {shape}) dynamic: its computation fixes that axis's size (a "
                    "recurrent layer, say, unrolls its loop once per timestep). Pass `input_signature` with the size you will serve, e.g. "
                    f"input_signature=[keras.InputSpec(shape={_example(shape, axis)})].")


def _fixed(size):
    """True when a traced axis size is a constant (torch may keep a constant as a SymInt)."""
    if not isinstance(size, torch.SymInt):
        return True
    return not size.node.expr.free_symbols


def _example(shape, axis):
    return tuple(None if i == 0 else (20 if i == axis else d) for i, d in enumerate(shape))


# ----------------------------------------------------------------------- explaining failures
def _explain(error, model, program, stage):
    """One `ExportError` naming the layer that failed and why, from what torch raised."""
    layer = _layer_in_traceback(error) or _layer_of_node(error, model, program)
    text = str(error)
    op = re.search(r"No ONNX function found for <OpOverload\(op='([\w.]+)'", text)
    if op:
        reason = (f"it uses the operation {op.group(1)}, which torch's ONNX exporter cannot "
                  "translate; export with format='torch' instead, or replace that operation")
    elif re.search(r"data.dependent|GuardOnDataDependent|Could not guard on|"
                   r"Could not extract specialized integer", text, re.I):
        reason = ("its computation depends on the values in a tensor (Python `if`/`for`/"
                  "`int()`/`.item()` on data), which a traced graph cannot keep; use tensor "
                  "operations such as `keras.ops.where` instead of Python control flow")
    elif re.search(r"Constraints violated|specialized|ConstraintViolation", text) and \
            "batch" in text:
        reason = ("its computation fixes the batch size (a reshape or an operation written "
                  "for one batch size); use -1 or the input's shape for the batch axis")
    elif re.search(r"\.numpy\(\)|data pointer|doesn't have storage|FakeTensor", text, re.I):
        reason = ("it leaves torch (`.numpy()`, NumPy or Python math on tensor values) "
                  "inside `call`; write `call` with keras.ops or torch operations")
    else:
        reason = f"torch could not trace it: {_first_line(text)}"
    where = (f"layer {layer.name!r} ({type(layer).__name__})" if layer is not None
             else f"model {model.name!r}")
    return ExportError(f"Cannot export model {model.name!r} ({stage}): {where} cannot be "
                       f"exported: {reason}.", layer=layer, torch_error=error)


def _layer_in_traceback(error):
    """The innermost cornu layer (not a model) whose code was running when `error` was raised."""
    from cornu.layers.layer import Layer
    from cornu.trainers.trainer import Trainer  # a Model is a Trainer (models sit above saving)
    found = None
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        tb = error.__traceback__
        while tb is not None:
            owner = tb.tb_frame.f_locals.get("self")
            if isinstance(owner, Layer) and not isinstance(owner, Trainer):
                found = owner
            tb = tb.tb_next
        if found is not None:
            return found
        error = error.__cause__ or error.__context__
    return None


def _layer_of_node(error, model, program):
    """For a failure converting the traced graph: the layer whose call made the failing node."""
    match = re.search(r"translating node %(\w+)", str(error))
    if program is None or match is None:
        return None
    for node in program.graph.nodes:
        if node.name == match.group(1):
            name = (node.meta.get("custom") or {}).get("cornu_layer")
            for module in model.modules():
                if getattr(module, "name", None) == name and module is not model:
                    return module
    return None


def _first_line(text):
    for line in text.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if line:
            return line[:300]
    return type(text).__name__


@contextlib.contextmanager
def _quiet():
    """Silences torch's export chatter that is no concern of the user's."""
    import logging
    loggers = [logging.getLogger(name) for name in ("torch.onnx", "torch.export",
                                                    "torch._export", "torch.fx.experimental")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        for message in (r".*not properly registered as a submodule.*",
                        r".*No complete tensor found in the group.*",
                        r".*isinstance\(treespec, LeafSpec\).*",
                        r".*axis name: .* will not be used.*",
                        r".*torchvision is not installed.*"):
            warnings.filterwarnings("ignore", message=message)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)


__all__ = ["export_model", "export_onnx", "export_torch", "ExportError"]
