"""`keras.distribution` on `torch.distributed`: one process per device, data parallel.

Keras 3 describes a distribution as a device mesh and tensor layouts (JAX shards arrays over
it). cornu runs what PyTorch runs: one process per device, launched by `torchrun` (or
`cornu run --nproc N`), the model replicated in each and wrapped in `DistributedDataParallel`
by `fit`/`evaluate`, the data sharded by rank. So `DataParallel` is the one distribution that
trains; `DeviceMesh`, `TensorLayout` and `LayoutMap` hold what a script gives them, and
`ModelParallel` (sharded weights) says it is not supported.

The process group comes from torchrun's environment (`RANK`, `WORLD_SIZE`, `LOCAL_RANK`,
`MASTER_ADDR`, `MASTER_PORT`), or from `initialize(...)`: gloo on the CPU, NCCL on CUDA.
"""
import collections.abc
import contextlib
import os
import warnings
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist

from cornu.backend import config as backend_config

_DISTRIBUTION = None
AVAILABLE = dist.is_available()  # (whether this torch build has torch.distributed: fixed)
TIMEOUT = timedelta(seconds=float(os.environ.get("CORNU_DIST_TIMEOUT", 600)))


# ------------------------------------------------------------------ processes
def launched_by_torchrun():
    """Whether torchrun's environment names this process a rank of several."""
    return "RANK" in os.environ and int(os.environ.get("WORLD_SIZE", "1")) > 1


def process_group_backend():
    """NCCL where this process's device is CUDA, gloo otherwise."""
    return "nccl" if backend_config.get_device().type == "cuda" else "gloo"


def ensure_process_group():
    """Joins the process group torchrun describes (once); True when there are several ranks.
    Every fit/evaluate/predict asks: no process group costs `is_initialized()` and one read of
    the environment (which a script may change between calls, so it is read each time)."""
    if not AVAILABLE:
        return False
    if dist.is_initialized():
        return dist.get_world_size() > 1
    if not launched_by_torchrun():
        return False
    device = backend_config.get_device()
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group(process_group_backend(), timeout=TIMEOUT)
    return dist.get_world_size() > 1


def rank():
    """This process's rank (0 without a process group)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return int(os.environ.get("RANK", "0"))


def world_size():
    """The number of processes training together (1 without a process group)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return int(os.environ.get("WORLD_SIZE", "1"))


def initialize(job_addresses=None, num_processes=None, process_id=None):
    """Joins the processes of a multi-process run (Keras 3's `keras.distribution.initialize`).

    Under `torchrun` (or `cornu run --nproc N`) nothing needs passing: the environment says it
    all. Otherwise give `job_addresses` (`"host:port"`, or a comma-separated list whose first
    entry is the coordinator), `num_processes` and this process's `process_id`.
    """
    if dist.is_initialized():
        return
    if job_addresses:
        first = str(job_addresses).split(",")[0].strip()
        host, _, port = first.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"initialize: `job_addresses` must be 'host:port' (the coordinator "
                             f"first); received {job_addresses!r}.")
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = host, port
    if num_processes is not None:
        os.environ["WORLD_SIZE"] = str(int(num_processes))
    if process_id is not None:
        os.environ["RANK"] = str(int(process_id))
    missing = [k for k in ("MASTER_ADDR", "MASTER_PORT", "RANK", "WORLD_SIZE") if k not in os.environ]
    if missing:
        raise ValueError("initialize: no process group to join; launch with `cornu run --nproc N "
                         "script.py` (or torchrun), or pass job_addresses, num_processes and "
                         f"process_id (missing: {missing}).")
    if int(os.environ["WORLD_SIZE"]) > 1:
        ensure_process_group()


# -------------------------------------------------------------------- devices
def _default_type():
    if torch.cuda.is_available():
        return "gpu"
    return "cpu"


def list_devices(device_type=None):
    """The devices training can use, as `"gpu:0"`, `"cpu:0"`, ... (Keras's spelling; torch's
    `cuda` is Keras's `gpu`). In a multi-process run, the devices of all processes: one per
    rank."""
    device_type = (device_type or _default_type()).lower()
    if device_type not in ("cpu", "gpu", "cuda", "mps", "xpu", "tpu"):
        raise ValueError(f"list_devices: unknown device_type {device_type!r}; expected 'cpu', "
                         "'gpu' or 'tpu'.")
    device_type = "gpu" if device_type == "cuda" else device_type
    if world_size() > 1:
        return [f"{device_type}:{i}" for i in range(world_size())]
    counts = {"cpu": 1, "gpu": torch.cuda.device_count(),
              "mps": int(torch.backends.mps.is_available()),
              "xpu": torch.xpu.device_count() if hasattr(torch, "xpu") else 0, "tpu": 0}
    return [f"{device_type}:{i}" for i in range(counts[device_type])]


def get_device_count(device_type=None):
    """The number of devices `list_devices(device_type)` returns."""
    return len(list_devices(device_type))


def torch_device(name):
    """A Keras device name (`"gpu:1"`) as a torch device (`cuda:1`)."""
    name = str(name).lower()
    return torch.device("cuda" + name[3:] if name.startswith("gpu") else name)


# ------------------------------------------------------------- mesh, layouts
class DeviceMesh:
    """A named grid of devices (Keras 3's `DeviceMesh`): `shape`, `axis_names`, `devices`.

    Args:
        shape: the mesh's shape, e.g. `(8,)`.
        axis_names: one name per axis, e.g. `["batch"]`.
        devices: the devices, as names (`"gpu:0"`); `list_devices()` when omitted.
    """

    def __init__(self, shape, axis_names, devices=None):
        shape, axis_names = tuple(shape), list(axis_names)
        if len(shape) != len(axis_names):
            raise ValueError(f"DeviceMesh: shape {shape} and axis_names {axis_names} must have "
                             "the same length.")
        devices = np.array(list_devices() if devices is None else devices)
        if int(np.prod(shape)) != devices.size:
            raise ValueError(f"DeviceMesh: shape {shape} needs {int(np.prod(shape))} devices; "
                             f"{devices.size} given.")
        self.shape, self.axis_names, self.devices = shape, axis_names, devices.reshape(shape)

    def __repr__(self):
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


class TensorLayout:
    """How a tensor's axes map onto a mesh's axes (kept for Keras 3 scripts; cornu replicates
    weights in every process)."""

    def __init__(self, axes, device_mesh=None):
        self.axes, self.device_mesh = tuple(axes), device_mesh


class LayoutMap(collections.abc.MutableMapping):
    """Weight-path patterns → `TensorLayout`s (kept for Keras 3 scripts)."""

    def __init__(self, device_mesh):
        self.device_mesh, self._layouts = device_mesh, {}

    def __getitem__(self, key):
        return self._layouts[key]

    def __setitem__(self, key, value):
        if not isinstance(value, TensorLayout):
            value = TensorLayout(value, self.device_mesh)
        self._layouts[key] = value

    def __delitem__(self, key):
        del self._layouts[key]

    def __iter__(self):
        return iter(self._layouts)

    def __len__(self):
        return len(self._layouts)


# -------------------------------------------------------------- distributions
class DataParallel:
    """Data parallelism: a replica of the model in each process, each batch split across them.

    The replicas are the processes `torchrun` (or `cornu run --nproc N`) starts, one per
    device; `fit`/`evaluate` find the process group whether or not this is set. With
    `devices=`, the process of rank `r` runs on `devices[r]`.

    Args:
        device_mesh: a 1-D `DeviceMesh` (its first axis is the batch axis).
        devices: the devices, one per process (`["gpu:0", "gpu:1"]`).
        auto_shard_dataset: whether `fit`/`evaluate` split the data by rank (`True`); set it to
            `False` when each process already reads its own share.
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is not None and devices is not None:
            raise ValueError("DataParallel: pass `device_mesh` or `devices`, not both.")
        if device_mesh is not None:
            if not isinstance(device_mesh, DeviceMesh):
                raise ValueError(f"DataParallel: `device_mesh` must be a DeviceMesh; received "
                                 f"{type(device_mesh).__name__}.")
            if len(device_mesh.shape) != 1:
                warnings.warn("DataParallel: the mesh is not 1-D; its first axis is the batch "
                              "axis.", stacklevel=2)
        else:
            devices = list_devices() if devices is None else list(devices)
            if not devices:
                raise ValueError("DataParallel: `devices` is empty.")
            device_mesh = DeviceMesh((len(devices),), ["batch"], devices)
        self.device_mesh = device_mesh
        self.batch_dim_name = device_mesh.axis_names[0]
        self.auto_shard_dataset = bool(auto_shard_dataset)

    @property
    def num_model_replicas(self):
        return int(self.device_mesh.devices.shape[0])

    def _place(self):
        """Puts this process on its device of the mesh; warns where a single process was given
        several (cornu runs one process per device)."""
        devices = list(self.device_mesh.devices.reshape(-1))
        if world_size() > 1:
            if len(devices) == world_size():
                backend_config.set_device(torch_device(devices[rank()]))
        elif len(devices) > 1:
            warnings.warn(f"DataParallel over {len(devices)} devices needs one process per "
                          f"device: launch the script with `cornu run --nproc {len(devices)} "
                          "script.py` (or torchrun). This single process trains on "
                          f"{backend_config.get_device()}.", stacklevel=3)

    @contextlib.contextmanager
    def scope(self):
        """Within the block, this is the distribution in effect."""
        previous = distribution()
        set_distribution(self)
        try:
            yield
        finally:
            set_distribution(previous)

    def distribute_dataset(self, dataset):
        return dataset  # fit/evaluate shard by rank (see docs/distributed.md)

    def get_data_layout(self, data_shape):
        return TensorLayout((self.batch_dim_name,) + (None,) * (len(data_shape) - 1),
                            self.device_mesh)

    def get_variable_layout(self, variable):
        return TensorLayout((None,) * len(getattr(variable, "shape", ())), self.device_mesh)


class ModelParallel:
    """Sharded weights across devices: not supported by cornu (it replicates the model in each
    process, as PyTorch's DDP does); constructing one says so."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("ModelParallel (weights sharded over a device mesh) is not "
                                  "supported by cornu; use DataParallel (one replica per "
                                  "process under `cornu run --nproc N`).")


def distribute_tensor(tensor, layout):
    """`tensor` as this process holds it: every process holds whole tensors (replicas)."""
    return tensor


def distribution():
    """The distribution `set_distribution` set, or None."""
    return _DISTRIBUTION


def set_distribution(value):
    """Sets the distribution `fit`/`evaluate` follow (None to clear it)."""
    global _DISTRIBUTION
    if value is not None and not isinstance(value, DataParallel):
        raise ValueError(f"set_distribution: expected a DataParallel (or None); received "
                         f"{type(value).__name__}.")
    _DISTRIBUTION = value
    if value is not None:
        value._place()


def auto_shard():
    """Whether fit/evaluate shard data by rank (`DataParallel(auto_shard_dataset=False)` says no)."""
    return _DISTRIBUTION is None or _DISTRIBUTION.auto_shard_dataset
