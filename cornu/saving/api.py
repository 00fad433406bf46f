"""`model.save`, `load_model`, `save_weights`, `load_weights`: the file format follows the name.

- `.keras` → Keras 3's zip (`config.json`, `metadata.json`, `model.weights.h5`);
- `.weights.h5` (weights only) → Keras 3's weights layout;
- any other name (`.h5`, `.hdf5`, `best_model.hd5`) → Keras 2's HDF5 layout.
Loading accepts every era's layout. Every write is atomic (see files.py). Loading never runs code
from a file (Lambda bytecode) unless `safe_mode=False`.
"""
import contextlib
import datetime
import io
import json
import os
import warnings
import zipfile

import torch

from cornu import losses, metrics, optimizers
from cornu.layers import config as layer_config
from cornu.layers.serialization import deserialize_layer
from cornu.saving import h5_weights, optimizer_state
from cornu.utils.files import atomic_path, remove_stale_temp_files
from cornu.version import __version__

KERAS3_VERSION = "3.15.1"  # the file-format version written (what real Keras checks)
KERAS2_VERSION = "2.15.0"


def _is_keras3_weights_name(path):
    return str(path).endswith(".weights.h5")


def model_to_config(model):
    module, class_name, registered = layer_config.keras_module(model)
    config = {"module": module, "class_name": class_name, "config": model.get_config(),
              "registered_name": registered}
    if model.built and getattr(model, "inputs", None):
        shapes = [list(t.shape) for t in model.inputs]
        config["build_config"] = {"input_shape": shapes[0] if len(shapes) == 1 else shapes}
    compile_config = _compile_config(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    return config


def _class_name(model):
    name = type(model).__name__
    return "Functional" if name == "Model" else name


def _compile_config(model):
    if not getattr(model, "compiled", False):
        return None
    optimizer = model.optimizer
    return {"optimizer": {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
                          "config": optimizer.get_config(), "registered_name": None},
            "loss": _plain(model._loss_spec), "loss_weights": model._loss_weights,
            "metrics": _plain(model._metrics_spec), "weighted_metrics": _plain(model._weighted_spec),
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def _plain(spec):
    """Losses/metrics as names where they have one (objects → their class config)."""
    if spec is None or isinstance(spec, (str, int, float)):
        return spec
    if isinstance(spec, (list, tuple)):
        return [_plain(s) for s in spec]
    if isinstance(spec, dict):
        return {k: _plain(v) for k, v in spec.items()}
    if hasattr(spec, "get_config"):
        return {"class_name": type(spec).__name__, "config": spec.get_config()}
    return getattr(spec, "__name__", str(spec))


def _compile_from_config(model, config):
    if not config:
        return
    optimizer = config.get("optimizer") or config.get("optimizer_config")
    if isinstance(optimizer, dict):
        optimizer = optimizers.deserialize({"class_name": optimizer["class_name"],
                                                  "config": optimizer.get("config", {})})
    loss = config.get("loss")
    if loss is None:
        return
    model.compile(optimizer=optimizer or "rmsprop", loss=_unplain(loss, losses),
                  metrics=_unplain(_unprefixed(config.get("metrics"), model), metrics),
                  loss_weights=config.get("loss_weights"),
                  weighted_metrics=_unplain(config.get("weighted_metrics"), metrics))


def _unprefixed(spec, model):
    """tf.keras 2 writes a multi-output model's metrics with their output's name in front
    (`o1_mae`), which compiling adds again: the prefix is taken off."""
    names = list(getattr(model, "output_names", None) or [])
    if not (isinstance(spec, list) and len(spec) == len(names) and len(names) > 1):
        return spec
    out = []
    for name, entries in zip(names, spec):
        fixed = []
        for entry in entries if isinstance(entries, list) else [entries]:
            inner = entry.get("config") if isinstance(entry, dict) else None
            if isinstance(inner, dict) and str(inner.get("name", "")).startswith(f"{name}_"):
                entry = {**entry, "config": {**inner, "name": inner["name"][len(name) + 1:]}}
            fixed.append(entry)
        out.append(fixed if isinstance(entries, list) else fixed[0])
    return out


def _unplain(spec, module):
    from cornu.utils.registry import get_custom_objects
    if isinstance(spec, str) and spec in get_custom_objects():
        return get_custom_objects()[spec]  # a custom function: resolved now, inside the scope
    if isinstance(spec, list):
        return [_unplain(s, module) for s in spec]
    if isinstance(spec, dict) and "class_name" in spec:
        return module.deserialize({"class_name": spec["class_name"], "config": spec.get("config", {})})
    if isinstance(spec, dict):
        return {k: _unplain(v, module) for k, v in spec.items()}
    return spec


# ----------------------------------------------------------------------------------- save
def save_model(model, filepath, overwrite=True, include_optimizer=True, **kwargs):
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        return _save_keras_zip(model, filepath, overwrite, include_optimizer)
    if _is_keras3_weights_name(filepath):
        raise ValueError(f"{filepath!r} is a weights file name; use `model.save_weights()`, or "
                         "save the whole model as `.keras` or `.h5`.")
    return _save_keras2_h5(model, filepath, overwrite, include_optimizer)


def _save_keras_zip(model, filepath, overwrite, include_optimizer=True):
    config = _keras3_lambdas(model_to_config(model))
    metadata = {"keras_version": KERAS3_VERSION, "cornu_version": __version__,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    h5py = h5_weights._h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        h5_weights.save_keras3_weights(f, model)
        if include_optimizer:
            optimizer_state.save_keras3(f, model)
    with atomic_path(filepath, overwrite) as tmp:
        with zipfile.ZipFile(tmp, "w") as archive:
            archive.writestr("metadata.json", json.dumps(metadata))
            archive.writestr("config.json", json.dumps(config, default=_json_default))
            archive.writestr("model.weights.h5", buffer.getvalue())


def _save_keras2_h5(model, filepath, overwrite, include_optimizer=True):
    h5py = h5_weights._h5py()
    config = {"class_name": _class_name(model), "config": _keras2_config(model.get_config())}
    with atomic_path(filepath, overwrite) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["backend"] = "tensorflow"
            f.attrs["keras_version"] = KERAS2_VERSION
            f.attrs["model_config"] = json.dumps(config, default=_json_default)
            compile_config = _compile_config(model)
            if compile_config is not None:
                training = {k: v for k, v in compile_config.items() if k != "optimizer"}
                training["optimizer_config"] = {"class_name": compile_config["optimizer"]["class_name"],
                                                "config": compile_config["optimizer"]["config"]}
                f.attrs["training_config"] = json.dumps(training, default=_json_default)
            h5_weights.save_keras2_weights(f.create_group("model_weights"), model, KERAS2_VERSION)
            if include_optimizer and compile_config is not None:
                optimizer_state.save_keras2(f, model)


def _keras3_lambdas(config):
    """A Lambda's config in Keras 3's layout, which Keras 3 reads from a `.keras` file (cornu's
    `get_config` writes tf.keras 2's `module`/`function_type` keys, which Keras 3 rejects):
    bytecode as `{"class_name": "__lambda__", "config": {code, defaults, closure}}`, a named
    function as `{"class_name": "function", ...}`. cornu reads both layouts."""
    if isinstance(config, list):
        return [_keras3_lambdas(v) for v in config]
    if not isinstance(config, dict):
        return config
    if config.get("class_name") == "Lambda" and isinstance(config.get("config"), dict):
        inner = dict(config["config"])
        for key in ("function", "output_shape", "mask"):
            kind = inner.pop(f"{key}_type", None)
            module = inner.pop("module" if key == "function" else f"{key}_module", None)
            value = inner.get(key)
            if value is None or kind in (None, "raw"):
                continue
            if kind == "lambda":
                code, defaults, closure = (list(value) + [None, None])[:3]
                inner[key] = {"class_name": "__lambda__",
                              "config": {"code": code, "defaults": defaults, "closure": closure}}
            else:
                inner[key] = {"module": module, "class_name": "function", "config": value,
                              "registered_name": value}
        return {**config, "config": inner}
    return {k: _keras3_lambdas(v) for k, v in config.items()}


def _keras2_config(config):
    """Keras 3 spellings Keras 2 readers do not know: `batch_shape` → `batch_input_shape`,
    dtype policies → dtype names."""
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy":  # tf.keras 2 reads a dtype name
            return (config.get("config") or {}).get("name")
        return {("batch_input_shape" if k == "batch_shape" else k): _keras2_config(v)
                for k, v in config.items()}
    if isinstance(config, list):
        return [_keras2_config(v) for v in config]
    return config


def _json_default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"Cannot serialize {value!r} ({type(value).__name__}) to JSON.")


def save_weights(model, filepath, overwrite=True):
    h5py = h5_weights._h5py()
    with atomic_path(filepath, overwrite) as tmp:
        with h5py.File(tmp, "w") as f:
            if _is_keras3_weights_name(filepath):
                h5_weights.save_keras3_weights(f, model)
                optimizer_state.save_keras3(f, model)
            else:
                h5_weights.save_keras2_weights(f, model, KERAS2_VERSION)


# ----------------------------------------------------------------------------------- load
def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    # The training config names custom losses and metrics too (Keras 2's
    # `load_model(path, custom_objects={'my_loss': my_loss})`): all lookups see `custom_objects`.
    from cornu.utils.registry import CustomObjectScope
    with CustomObjectScope(custom_objects or {}):
        return _load_model(filepath, custom_objects, compile, safe_mode)


def _load_model(filepath, custom_objects, compile, safe_mode):
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No file or directory found at {filepath}.")
    if os.path.isdir(filepath):
        raise ValueError(f"{filepath} is a TensorFlow SavedModel folder, which cornu cannot read; "
                         "save the model as `.keras` or `.h5` with Keras first.")
    if _kind(filepath) == "zip":
        with _open_zip(filepath) as archive:
            config = _zip_json(archive, "config.json", filepath)
            model = deserialize_layer(config, custom_objects, safe_mode)
            if compile:  # before the weights, so that the optimizer's state loads too
                _compile_from_config(model, config.get("compile_config"))
            _load_zip_weights(archive, model, filepath)
        return model
    with _open_h5(filepath) as f:
        if "model_config" not in f.attrs:
            raise ValueError(f"{filepath} holds weights only (no model config): build the model "
                             "in code and call `model.load_weights()`.")
        config = json.loads(_text(f.attrs["model_config"]))
        model = deserialize_layer(config, custom_objects, safe_mode)
        group = f["model_weights"] if "model_weights" in f else f
        h5_weights.load_keras2_weights(group, model)
        if compile and "training_config" in f.attrs:
            _compile_from_config(model, json.loads(_text(f.attrs["training_config"])))
            optimizer_state.load_keras2(f, model)
    return model


def _load_zip_weights(archive, model, filepath, skip_mismatch=False):
    h5py = h5_weights._h5py()
    data = _zip_member(archive, "model.weights.h5", filepath)
    try:
        f = h5py.File(io.BytesIO(data), "r")
    except OSError:
        raise ValueError(f"{filepath}: its member 'model.weights.h5' is not an HDF5 file "
                         "(damaged or truncated); the file cannot be loaded.") from None
    with f:
        _raise_on(h5_weights.load_keras3_weights(f, model), filepath, skip_mismatch)
        optimizer_state.load_keras3(f, model)


# ------------------------------------------------------------- what the file is, checked first
def _kind(filepath):
    """'zip' or 'hdf5' for a file cornu can read; a clear error for anything else."""
    remove_stale_temp_files(os.path.dirname(os.path.abspath(filepath)))
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No file or directory found at {filepath}.")
    size = os.path.getsize(filepath)
    if size == 0:
        raise ValueError(f"{filepath} is empty (0 bytes), not a model or weights file; was "
                         "its save interrupted?")
    with open(filepath, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK"):
        if not zipfile.is_zipfile(filepath):
            raise ValueError(f"{filepath} is a damaged or truncated zip ({size} bytes): its "
                             "table of contents is missing, so it cannot be a `.keras` file "
                             "that loads.")
        return "zip"
    if head == b"\x89HDF\r\n\x1a\n" or h5_weights._h5py().is_hdf5(filepath):
        return "hdf5"
    if zipfile.is_zipfile(filepath):
        return "zip"
    expected = ("a `.keras` zip" if filepath.endswith(".keras") else
                "an HDF5 file (`.h5`, `.weights.h5`) or a `.keras` zip")
    raise ValueError(f"{filepath} is not {expected}: its first bytes are {head!r} ({size} "
                     "bytes in all). It may be truncated, or another kind of file.")


def _open_zip(filepath):
    try:
        archive = zipfile.ZipFile(filepath)
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"{filepath} is a damaged zip and cannot be loaded: {error}.") from None
    for name in archive.namelist():
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            archive.close()
            raise ValueError(f"{filepath} holds a member {name!r} whose path leads outside the "
                             "archive's folder. Keras never writes one: the file was made or "
                             "edited by something else, and is not loaded.")
    return archive


# Keras 3's guard against a decompression bomb (a member that declares a huge size but stores
# almost nothing): Keras stores members uncompressed, DEFLATE expands at most ~1032:1.
_ZIP_MEMBER_BOMB_FLOOR_BYTES = 1 << 32  # 4 GiB
_ZIP_MEMBER_MAX_EXPANSION = 100


def _zip_member(archive, name, filepath):
    try:
        info = archive.getinfo(name)
        if info.file_size > _ZIP_MEMBER_BOMB_FLOOR_BYTES and \
                info.file_size > _ZIP_MEMBER_MAX_EXPANSION * info.compress_size:
            raise ValueError(f"{filepath}: its member {name!r} declares {info.file_size} bytes "
                             f"but stores only {info.compress_size}; a decompression bomb is "
                             "not loaded.")
        return archive.read(name)
    except KeyError:
        members = archive.namelist()
        raise ValueError(f"{filepath} is a zip but not a complete `.keras` file: it has no "
                         f"{name!r} (members: {members[:10]}). A `.keras` file holds "
                         "config.json, metadata.json and model.weights.h5.") from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"{filepath}: its member {name!r} is damaged ({error}).") from None


def _zip_json(archive, name, filepath):
    text = _zip_member(archive, name, filepath)
    try:
        return json.loads(text)
    except ValueError as error:
        raise ValueError(f"{filepath}: its member {name!r} is not valid JSON ({error}).") from None


def _open_h5(filepath):
    try:
        return h5_weights._h5py().File(filepath, "r")
    except OSError as error:
        raise ValueError(f"{filepath} is a damaged HDF5 file and cannot be loaded "
                         f"({error}).") from None


def _raise_on(errors, filepath, skip_mismatch=False):
    """Keras 3's rule: a weight that does not fit raises, or with `skip_mismatch` warns and
    leaves that layer's weights as they were."""
    if errors and skip_mismatch:
        warnings.warn(f"Skipping the weights of {len(errors)} layer(s) that do not match "
                      f"{filepath}: " + "; ".join(errors), stacklevel=3)
    elif errors:
        raise ValueError(f"{filepath} does not match the model: " + "; ".join(errors) + ".")


def _text(value):
    return value.decode("utf8") if isinstance(value, bytes) else value


@contextlib.contextmanager
def _unchanged_on_error(model):
    """A load that fails part way (a layer whose weights do not fit, a damaged dataset after
    good ones) puts back the weights it had already set: the model is as it was before."""
    before = [(v, v.detach().clone()) for v in model.weights]
    try:
        yield
    except BaseException:
        with torch.no_grad():
            for var, value in before:
                var.copy_(value)
        raise


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Loads any era's weights file. `by_name` matches layers by name, which only Keras 2's
    layout can do (its groups are layer names); on a Keras 3 file (`.keras`, `.weights.h5`) it
    raises, as Keras 3 does. `skip_mismatch` skips (with a warning) the layers whose weights do
    not fit, in every layout."""
    filepath = os.fspath(filepath)
    kind = _kind(filepath)
    with _unchanged_on_error(model), \
            (_open_zip(filepath) if kind == "zip" else _open_h5(filepath)) as f:
        keras2 = kind == "hdf5" and ("layer_names" in f.attrs or "model_weights" in f)
        if by_name and not keras2:
            raise ValueError(f"`by_name` only works with Keras 2 HDF5 weights (`.h5`, "
                             f"`.hdf5`); {filepath} is in Keras 3's layout, whose layers are "
                             "stored by position, not by name. Load it without `by_name`.")
        if kind == "zip":
            return _load_zip_weights(f, model, filepath, skip_mismatch)
        if keras2:
            group = f if "layer_names" in f.attrs else f["model_weights"]
            return h5_weights.load_keras2_weights(group, model, by_name, skip_mismatch)
        _raise_on(h5_weights.load_keras3_weights(f, model), filepath, skip_mismatch)
        optimizer_state.load_keras3(f, model)
