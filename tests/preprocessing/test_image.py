"""keras.preprocessing.image: loading/converting images as Keras does, and augmentation."""
import numpy as np
import pytest
from PIL import Image

import cornu
from cornu.preprocessing import image
from cornu.testing import real_keras


@pytest.fixture
def picture(tmp_path):
    rng = np.random.RandomState(0)
    path = tmp_path / "dog.png"
    Image.fromarray(rng.randint(0, 256, (40, 60, 3)).astype("uint8")).save(path)
    return path


def test_load_img_and_img_to_array_match_keras(picture):
    keras = real_keras()
    for kwargs in ({}, {"target_size": (20, 30)}, {"color_mode": "grayscale", "target_size": (10, 10)},
                   {"target_size": (16, 16), "interpolation": "bilinear"}):
        ours = image.img_to_array(image.load_img(picture, **kwargs))
        theirs = keras.utils.img_to_array(keras.utils.load_img(picture, **kwargs))
        np.testing.assert_array_equal(ours, theirs)
    assert image.img_to_array(image.load_img(picture), data_format="channels_first").shape == (3, 40, 60)
    assert image.load_img(picture, grayscale=True).mode == "L"  # Keras 2 spelling


def test_array_to_img_and_save_img_round_trip(tmp_path):
    keras = real_keras()
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
    start = model.get_weights()
    history = model.fit(plain, epochs=2, shuffle=False, verbose=0)  # (True shuffles batches)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    assert int(model.optimizer.iterations) == 2 * len(plain)  # every batch of every epoch
    # the reference: the same batches, in the same order, as arrays
    reference = cornu.Sequential([cornu.layers.Flatten(input_shape=(8, 8, 1)),
                                  cornu.layers.Dense(2, activation="softmax")])
    reference.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    reference.set_weights(start)
    expected = reference.fit(x / 255.0, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=1e-5)


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


# -- iterators against Keras 3's own ImageDataGenerator (keras.preprocessing.image, NumPy-only) --

def _keras_generator(**kwargs):
    from keras.src.legacy.preprocessing.image import ImageDataGenerator  # Keras 3 keeps it here
    return ImageDataGenerator(**kwargs)


@pytest.fixture
def class_folders(tmp_path):
    from PIL import Image
    rng = np.random.RandomState(0)
    for c, name in enumerate(["b_class", "a_class"]):
        (tmp_path / name / "deeper").mkdir(parents=True)
        for i in range(3 + c):
            Image.fromarray(rng.randint(0, 256, (12, 10, 3)).astype("uint8")).save(
                tmp_path / name / f"{i}.png")
        Image.fromarray(rng.randint(0, 256, (9, 9, 3)).astype("uint8")).save(
            tmp_path / name / "deeper" / "z.jpg")
        (tmp_path / name / "skip.gif").write_bytes(b"GIF89a")
    return str(tmp_path)


@pytest.mark.parametrize("subset", [None, "training", "validation"])
def test_directory_iterator_attributes_and_batches_match_keras(class_folders, subset, capsys):
    from cornu.preprocessing.image import ImageDataGenerator
    kwargs = dict(target_size=(6, 5), batch_size=3, shuffle=True, seed=4, subset=subset)
    ours = ImageDataGenerator(rescale=1 / 255, validation_split=0.3).flow_from_directory(
        class_folders, **kwargs)
    ref = _keras_generator(rescale=1 / 255, validation_split=0.3).flow_from_directory(
        class_folders, **kwargs)
    assert ours.filenames == ref.filenames and ours.samples == ref.samples == len(ref.filenames)
    assert ours.class_indices == ref.class_indices and list(ours.classes) == list(ref.classes)
    assert ours.filepaths == ref.filepaths and ours.n == ref.n
    for step in range(5):  # next() runs across the epoch boundary, order seeded as Keras's
        (x, y), (rx, ry) = ours.next(), next(ref)
        np.testing.assert_allclose(x, rx, rtol=1e-6)
        np.testing.assert_array_equal(y, ry)
    ours.reset(), ref.reset()
    assert ours.batch_index == ref.batch_index == 0
    np.testing.assert_array_equal(next(ours)[1], next(ref)[1])
    assert len(ours) == len(ref)
    np.testing.assert_allclose(ours[len(ours) - 1][0], ref[len(ref) - 1][0], rtol=1e-6)


@pytest.mark.parametrize("subset", ["training", "validation"])
def test_flow_subset_takes_keras_rows(subset):
    from cornu.preprocessing.image import ImageDataGenerator
    x = np.arange(10 * 2 * 2 * 1, dtype="float32").reshape(10, 2, 2, 1)
    y = np.array([0, 1] * 5)
    ours = ImageDataGenerator(validation_split=0.3).flow(x, y, batch_size=10, shuffle=False,
                                                        subset=subset)
    ref = _keras_generator(validation_split=0.3).flow(x, y, batch_size=10, shuffle=False,
                                                     subset=subset)
    np.testing.assert_array_equal(ours[0][0], ref[0][0])
    np.testing.assert_array_equal(ours[0][1], ref[0][1])
    with pytest.raises(ValueError, match="different classes"):
        ImageDataGenerator(validation_split=0.3).flow(x, np.array([0] * 3 + [1] * 7),
                                                      subset="training")


def test_image_functions_at_keras3_paths(picture, tmp_path):
    import cornu
    assert cornu.utils.load_img is cornu.preprocessing.image.load_img
    arr = cornu.utils.img_to_array(cornu.utils.load_img(picture))
    cornu.utils.save_img(str(tmp_path / "copy.png"), arr)
    np.testing.assert_array_equal(cornu.utils.img_to_array(cornu.utils.load_img(
        str(tmp_path / "copy.png"))), arr)
    assert cornu.utils.array_to_img(arr).size == (arr.shape[1], arr.shape[0])


@pytest.mark.parametrize("kwargs", [dict(zca_whitening=True), dict(zca_whitening=True, rescale=0.5),
                                    dict(featurewise_center=True, featurewise_std_normalization=True,
                                         rescale=1 / 255)])
def test_featurewise_fit_and_zca_match_keras(kwargs):
    from cornu.preprocessing.image import ImageDataGenerator
    import warnings
    x = np.random.RandomState(0).rand(12, 4, 3, 2).astype("float32") * 255
    ours = ImageDataGenerator(**kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = _keras_generator(**kwargs)
    ours.fit(x)
    ref.fit(x)
    if kwargs.get("zca_whitening"):
        np.testing.assert_allclose(ours.zca_whitening_matrix, ref.zca_whitening_matrix, rtol=1e-4,
                                   atol=1e-5)
    a = ours.flow(x, batch_size=12, shuffle=False)[0]
    b = ref.flow(x, batch_size=12, shuffle=False)[0]
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
