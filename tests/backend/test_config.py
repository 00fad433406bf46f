"""The device cornu picks, against Keras 3's torch backend (and its documented order where this
machine has only a CPU: KERAS_TORCH_DEVICE, then MPS, CUDA, XPU, CPU)."""
import os
import subprocess
import sys

import pytest
import torch

from cornu.backend import config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _device_in_subprocess(env):
    code = ("import keras.src.backend.torch.core as k, cornu; "
            "print(k.DEFAULT_DEVICE, cornu.backend.get_device())")
    env = {**{k: v for k, v in os.environ.items()
              if k not in ("KERAS_TORCH_DEVICE", "CORNU_DEVICE")}, **env,
           "KERAS_BACKEND": "torch", "PYTHONPATH": ROOT}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()[-2:]


@pytest.mark.parametrize("env", [{}, {"KERAS_TORCH_DEVICE": "meta"}])
def test_device_as_keras_chooses(env):
    keras_device, ours = _device_in_subprocess(env)
    assert torch.device(ours) == torch.device(keras_device)


def test_order(monkeypatch):
    for key in ("KERAS_TORCH_DEVICE", "CORNU_DEVICE", "LOCAL_RANK"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert config.default_device_name() in ("cpu", "xpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert config.default_device_name() == "cuda"
    monkeypatch.setenv("LOCAL_RANK", "1")  # a torchrun process takes its own GPU
    assert config.default_device_name() == "cuda:1"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert config.default_device_name() == "mps"
    monkeypatch.setenv("CORNU_DEVICE", "cpu")
    assert config.default_device_name() == "cpu"
    monkeypatch.setenv("KERAS_TORCH_DEVICE", "meta")
    assert config.default_device_name() == "meta"
