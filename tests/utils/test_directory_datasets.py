"""image/text_dataset_from_directory against real Keras 3 (its `format="grain"` path runs on the
torch backend): class names, file paths and their order, the split, labels, and image values."""
import os
import warnings

import numpy as np
import pytest

import cornu
from cornu.utils import image_dataset_from_directory, text_dataset_from_directory

pytest.importorskip("PIL")
grain = pytest.importorskip("grain")  # Keras 3's TensorFlow-free dataset path needs it


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    from PIL import Image
    root = tmp_path_factory.mktemp("photos")
    rng = np.random.RandomState(0)
    for c, name in enumerate(["zebra", "cat", "dog"]):
        (root / name).mkdir()
        for i in range(4 + c):
            shape = (17 + 3 * i, 23 + 2 * c) + ((4,) if i == 1 else (3,))
            img = Image.fromarray(rng.randint(0, 256, shape).astype("uint8"))
            img.save(root / name / f"{i}.{'png' if i % 2 else 'jpg'}" if i != 1 else
                     root / name / f"{i}.png")
    (root / "cat" / "nested").mkdir()
    Image.fromarray(rng.randint(0, 256, (9, 9)).astype("uint8")).save(root / "cat" / "nested" / "g.bmp")
    (root / "cat" / "notes.txt").write_text("not an image")
    return str(root)


def _keras(fn_name, *args, **kwargs):
    import keras
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(keras.utils, fn_name)(*args, format="grain", **kwargs)


def _batches(ds):
    return [tuple(np.asarray(part) for part in (b if isinstance(b, tuple) else (b,))) for b in ds]


CASES = [
    dict(image_size=(12, 15), shuffle=False),
    dict(image_size=(12, 15), shuffle=False, label_mode="categorical", color_mode="grayscale"),
    dict(image_size=10, shuffle=False, color_mode="rgba", interpolation="nearest",
         crop_to_aspect_ratio=True),
    dict(image_size=(8, 20), shuffle=False, pad_to_aspect_ratio=True, interpolation="bicubic"),
    dict(image_size=(12, 15), shuffle=False, label_mode=None),
    dict(image_size=(12, 15), shuffle=False, class_names=["dog", "cat"], label_mode="binary"),
    dict(image_size=(6, 6), shuffle=False, labels=[1, 0] * 8),
]


@pytest.mark.parametrize("kwargs", CASES)
def test_image_dataset_matches_keras(photos, kwargs):
    ours = image_dataset_from_directory(photos, batch_size=5, verbose=False, **kwargs)
    ref = _keras("image_dataset_from_directory", photos, batch_size=5, verbose=False, **kwargs)
    assert ours.class_names == ref.class_names and ours.file_paths == ref.file_paths
    a, b = _batches(ours), _batches(ref)
    assert len(a) == len(b) == len(ours)
    for x, y in zip(a, b):
        for part, ref_part in zip(x, y):
            assert part.shape == ref_part.shape and part.dtype == ref_part.dtype
            np.testing.assert_allclose(part, ref_part, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("subset", ["training", "validation", "both"])
def test_split_and_seeded_order_match_keras(photos, subset):
    kwargs = dict(image_size=(8, 8), validation_split=0.3, subset=subset, seed=42, verbose=False)
    ours = image_dataset_from_directory(photos, **kwargs)
    ref = _keras("image_dataset_from_directory", photos, **kwargs)
    ours, ref = (ours, ref) if subset == "both" else ([ours], [ref])
    for o, r in zip(ours, ref):
        assert o.file_paths == r.file_paths and o.class_names == r.class_names
        labels = np.concatenate([np.asarray(y) for _, y in o])
        ref_labels = np.concatenate([np.asarray(y) for _, y in r])
        assert sorted(labels.tolist()) == sorted(ref_labels.tolist())  # same samples
    if subset == "both":
        assert not set(ours[0].file_paths) & set(ours[1].file_paths)
        assert len(ours[0].file_paths) + len(ours[1].file_paths) == 16


def test_shuffled_batches_hold_the_right_labels_and_change_each_epoch(photos):
    ds = image_dataset_from_directory(photos, image_size=(4, 4), batch_size=16, seed=1,
                                      verbose=False)
    truth = {p: ["cat", "dog", "zebra"].index(p.split(os.sep)[-2] if "nested" not in p else "cat")
             for p in ds.file_paths}
    first, second = [np.asarray(y).tolist() for _, y in ds], [np.asarray(y).tolist() for _, y in ds]
    assert sorted(first[0]) == sorted(truth.values())
    assert first != second  # reshuffled per pass, as Keras does


def test_text_dataset_matches_keras(tmp_path):
    for c, name in enumerate(["pos", "neg"]):
        (tmp_path / name).mkdir()
        for i in range(3):
            (tmp_path / name / f"{i}.txt").write_text(f"{name} review {i} " + "x" * (5 * i))
    kwargs = dict(batch_size=2, shuffle=False, max_length=12, verbose=False)
    ours = text_dataset_from_directory(str(tmp_path), **kwargs)
    ref = _keras("text_dataset_from_directory", str(tmp_path), **kwargs)
    assert ours.class_names == ref.class_names == ["neg", "pos"]
    for (x, y), (rx, ry) in zip(ours, ref):
        assert list(x) == list(rx)
        np.testing.assert_array_equal(np.asarray(y), np.asarray(ry))


def test_fit_trains_on_image_datasets(photos):
    train, val = image_dataset_from_directory(photos, image_size=(8, 8), batch_size=4,
                                              validation_split=0.25, subset="both", seed=3,
                                              label_mode="categorical", verbose=False)
    model = cornu.Sequential([cornu.layers.Input((8, 8, 3)), cornu.layers.Rescaling(1 / 255),
                              cornu.layers.Flatten(), cornu.layers.Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=3, verbose=0)
    assert len(history.history["val_loss"]) == 3 and history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(val, verbose=0).shape == (len(val.file_paths), 3)


@pytest.mark.parametrize("kwargs,match", [
    (dict(label_mode="binary"), "exactly 2"),
    (dict(color_mode="cmyk"), "color_mode"),
    (dict(image_size=(1, 2, 3)), "image_size"),
    (dict(interpolation="lanczos5"), "interpolation"),
    (dict(validation_split=0.2), "subset"),
    (dict(validation_split=0.2, subset="training"), "seed"),
    (dict(class_names=["lion"]), "class_names"),
    (dict(labels=[0, 1]), "2 labels"),
    (dict(crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), "Only one"),
])
def test_bad_arguments_say_which(photos, kwargs, match):
    with pytest.raises(ValueError, match=match):
        image_dataset_from_directory(photos, verbose=False, **kwargs)
