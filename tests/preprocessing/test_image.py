"""keras.preprocessing.image: loading/converting images as Keras does, and augmentation."""
import numpy as np
import pytest
from PIL import Image

import cornu
from cornu.preprocessing import image
from tests.helpers import keras_module


@pytest.fixture
def picture(tmp_path):
    rng = np.random.RandomState(0)
    path = tmp_path / "dog.png"
    Image.fromarray(rng.randint(0, 256, (40, 60, 3)).astype("uint8")).save(path)
    return path


def test_load_img_and_img_to_array_match_keras(picture):
    keras = keras_module()
    for kwargs in ({}, {"target_size": (20, 30)}, {"color_mode": "grayscale", "target_size": (10, 10)},
                   {"target_size": (16, 16), "interpolation": "bilinear"}):
        ours = image.img_to_array(image.load_img(picture, **kwargs))
        theirs = keras.utils.img_to_array(keras.utils.load_img(picture, **kwargs))
        np.testing.assert_array_equal(ours, theirs)
    assert image.img_to_array(image.load_img(picture), data_format="channels_first").shape == (3, 40, 60)
    assert image.load_img(picture, grayscale=True).mode == "L"  # Keras 2 spelling


def test_array_to_img_and_save_img_round_trip(tmp_path):
    keras = keras_module()
    x = np.random.RandomState(1).rand(8, 9, 3).astype("float32")
    np.testing.assert_array_equal(np.asarray(image.array_to_img(x)),
                                  np.asarray(keras.utils.array_to_img(x)))
    image.save_img(tmp_path / "out.png", x * 255, scale=False)
    np.testing.assert_array_equal(image.img_to_array(image.load_img(tmp_path / "out.png")),
                                  (x * 255).astype("uint8").astype("float32"))


def test_flow_yields_rescaled_augmented_batches_and_trains():
    x = np.random.RandomState(0).randint(0, 256, (20, 8, 8, 1)).astype("float32")
    y = cornu.utils.to_categorical(np.arange(20) % 2)
    plain = image.ImageDataGenerator(rescale=1 / 255.0).flow(x, y, batch_size=8, shuffle=False)
    assert len(plain) == 3
    bx, by = plain[0]
    np.testing.assert_allclose(bx, x[:8] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(by, y[:8])
    flipped = image.ImageDataGenerator(horizontal_flip=True, rotation_range=20, width_shift_range=0.1,
                                       zoom_range=0.1).flow(x, y, batch_size=8, seed=1)
    bx, _ = flipped[0]
    assert bx.shape == (8, 8, 8, 1) and bx.min() >= x.min() and bx.max() <= x.max()
    model = cornu.Sequential([cornu.layers.Flatten(input_shape=(8, 8, 1)),
                              cornu.layers.Dense(2, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(plain, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_featurewise_statistics():
    x = np.random.RandomState(0).rand(30, 4, 4, 3).astype("float32") * 10
    gen = image.ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    gen.fit(x)
    batch = gen.flow(x, batch_size=30, shuffle=False)[0]
    np.testing.assert_allclose(batch.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(batch.std(axis=(0, 1, 2)), 1, atol=1e-3)


def test_flow_from_directory(tmp_path, capsys):
    rng = np.random.RandomState(0)
    for cls in ("cats", "dogs"):
        (tmp_path / cls).mkdir()
        for i in range(5):
            Image.fromarray(rng.randint(0, 256, (12, 14, 3)).astype("uint8")).save(
                tmp_path / cls / f"{i}.png")
    gen = image.ImageDataGenerator(rescale=1 / 255.0, validation_split=0.4)
    train = gen.flow_from_directory(str(tmp_path), target_size=(6, 7), batch_size=4,
                                    subset="training", shuffle=False)
    val = gen.flow_from_directory(str(tmp_path), target_size=(6, 7), batch_size=4,
                                  subset="validation", class_mode="binary")
    assert "Found 6 images belonging to 2 classes." in capsys.readouterr().out
    assert train.class_indices == {"cats": 0, "dogs": 1} and len(val.filenames) == 4
    bx, by = train[0]
    assert bx.shape == (4, 6, 7, 3) and by.shape == (4, 2) and bx.max() <= 1.0
    assert val[0][1].shape == (4,)
