"""`keras.distribution` in one process, as Keras 3 documents it (Keras's torch backend has no
distribution to run side by side: `keras.distribution.list_devices()` raises there)."""
import subprocess
import sys

import pytest
import torch

import cornu
from cornu.distribution import distribution_lib


def test_public_names_are_keras_3s():
    import json
    import os
    api = os.path.join(os.path.dirname(cornu.__file__), "compat", "keras3_api.json")
    with open(api) as f:
        names = json.load(f)["keras.distribution"]
    assert sorted(cornu.distribution.__all__) == sorted(names)


def test_list_devices_in_one_process():
    # Keras's format: "type:index"; the CPU is one device; no GPU on this machine means none.
    assert cornu.distribution.list_devices("cpu") == ["cpu:0"]
    assert cornu.distribution.list_devices("gpu") == \
        [f"gpu:{i}" for i in range(torch.cuda.device_count())]
    assert cornu.distribution.get_device_count("cpu") == 1
    with pytest.raises(ValueError, match="device_type"):
        cornu.distribution.list_devices("abacus")


def test_data_parallel_mesh():
    dp = cornu.distribution.DataParallel(devices=["cpu:0"])
    assert dp.num_model_replicas == 1
    assert dp.batch_dim_name == "batch"
    assert dp.device_mesh.shape == (1,) and dp.device_mesh.axis_names == ["batch"]
    mesh = cornu.distribution.DeviceMesh((1,), ["data"], ["cpu:0"])
    assert cornu.distribution.DataParallel(device_mesh=mesh).batch_dim_name == "data"
    with pytest.raises(ValueError, match="not both"):
        cornu.distribution.DataParallel(device_mesh=mesh, devices=["cpu:0"])
    with pytest.raises(ValueError, match="needs 2 devices"):
        cornu.distribution.DeviceMesh((2,), ["batch"], ["cpu:0"])


def test_set_distribution_and_scope():
    assert cornu.distribution.distribution() is None
    dp = cornu.distribution.DataParallel(devices=["cpu:0"], auto_shard_dataset=False)
    with dp.scope():
        assert cornu.distribution.distribution() is dp
        assert not distribution_lib.auto_shard()
    assert cornu.distribution.distribution() is None
    with pytest.raises(ValueError, match="DataParallel"):
        cornu.distribution.set_distribution("everything")


def test_several_devices_in_one_process_warns():
    with pytest.warns(UserWarning, match="cornu run --nproc 2"):
        with cornu.distribution.DataParallel(devices=["cpu:0", "cpu:1"]).scope():
            pass


def test_model_parallel_says_it_is_not_supported():
    with pytest.raises(NotImplementedError, match="DataParallel"):
        cornu.distribution.ModelParallel(layout_map=None)


def test_initialize_without_a_group_is_a_clear_error(monkeypatch):
    for key in ("MASTER_ADDR", "MASTER_PORT", "RANK", "WORLD_SIZE"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(ValueError, match="cornu run --nproc"):
        cornu.distribution.initialize()
    with pytest.raises(ValueError, match="host:port"):
        cornu.distribution.initialize(job_addresses="nowhere")


def test_keras_distribution_import_serves_cornu():
    code = ("import cornu; cornu.install_as_keras(); import keras; "
            "from keras.distribution import DataParallel; print(DataParallel.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "cornu.distribution.distribution_lib", out.stderr[-2000:]
