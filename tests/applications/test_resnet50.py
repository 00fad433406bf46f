"""ResNet50: Keras's architecture and weight files (downloaded from a local server here)."""
import hashlib
import json

import numpy as np

import cornu
from cornu.applications import imagenet_utils, resnet50
from tests.datasets.test_mnist import local_server  # noqa: F401  (fixture)
from cornu.testing import real_keras


def test_resnet50_loads_keras_weight_file_and_predicts_like_keras(tmp_path, monkeypatch,
                                                                  local_server):  # noqa: F811
    keras = real_keras()
    from keras.src.legacy.saving import legacy_h5_format
    import h5py
    ref = keras.applications.ResNet50(weights=None)
    root, url = local_server
    name = "resnet50_weights_tf_dim_ordering_tf_kernels.h5"
    with h5py.File(root / name, "w") as f:  # Keras 2's layout, as the real file
        legacy_h5_format.save_weights_to_hdf5_group(f, ref)
    digest = hashlib.md5((root / name).read_bytes()).hexdigest()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    monkeypatch.setattr(resnet50, "BASE_WEIGHTS_PATH", url + "/")
    monkeypatch.setattr(resnet50, "WEIGHTS_HASHES", {"resnet50": (digest, digest)})
    model = cornu.applications.ResNet50(weights="imagenet")
    assert model.count_params() == ref.count_params() == 25_636_712
    assert [layer.name for layer in model.layers][1:] == [layer.name for layer in ref.layers][1:]
    image = np.random.RandomState(0).rand(1, 224, 224, 3).astype("float32") * 255
    x = resnet50.preprocess_input(image.copy())
    np.testing.assert_allclose(x, np.asarray(keras.applications.resnet50.preprocess_input(image.copy())),
                               rtol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), np.asarray(ref.predict(x, verbose=0)),
                               rtol=1e-4, atol=1e-6)


def test_decode_predictions_reads_the_class_index(tmp_path, monkeypatch, local_server):  # noqa: F811
    root, url = local_server
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (root / "imagenet_class_index.json").write_text(json.dumps(index))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_PATH", url + "/imagenet_class_index.json")
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH",
                        hashlib.md5((root / "imagenet_class_index.json").read_bytes()).hexdigest())
    monkeypatch.setattr(imagenet_utils, "_CLASS_INDEX", None)
    preds = np.zeros((2, 1000), "float32")
    preds[0, 7], preds[0, 3], preds[1, 999] = 0.9, 0.1, 1.0
    decoded = resnet50.decode_predictions(preds, top=2)
    assert decoded[0][0][:2] == ("n00000007", "class_7") and decoded[0][1][1] == "class_3"
    assert decoded[1][0][1] == "class_999"


def test_headless_resnet50_with_pooling():
    model = cornu.applications.ResNet50(weights=None, include_top=False, pooling="avg",
                                        input_shape=(64, 64, 3))
    assert model.output_shape == (None, 2048)
