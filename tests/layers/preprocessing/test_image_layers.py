"""Image layers: exact against Keras 3 in inference, statistical in training."""
import numpy as np
import pytest
import torch

import cornu
from cornu.testing import run_layer_test

L = cornu.layers
IMAGES = (2, 8, 10, 3)


@pytest.mark.parametrize("cls,kwargs,shape", [
    (L.Resizing, {"height": 4, "width": 6}, IMAGES),
    (L.Resizing, {"height": 12, "width": 5, "interpolation": "nearest"}, IMAGES),
    (L.Resizing, {"height": 5, "width": 5, "interpolation": "bicubic"}, IMAGES),
    (L.Resizing, {"height": 4, "width": 4, "crop_to_aspect_ratio": True}, IMAGES),
    (L.Resizing, {"height": 4, "width": 8, "pad_to_aspect_ratio": True, "fill_value": 2.0},
     (2, 8, 8, 3)),
    (L.Resizing, {"height": 4, "width": 4, "antialias": True}, IMAGES),
    (L.Resizing, {"height": 4, "width": 6, "data_format": "channels_first"}, (2, 3, 8, 10)),
    (L.CenterCrop, {"height": 4, "width": 6}, IMAGES),
    (L.CenterCrop, {"height": 5, "width": 7}, IMAGES),
    (L.CenterCrop, {"height": 12, "width": 4}, IMAGES),
    (L.RandomFlip, {"seed": 1}, IMAGES),
    (L.RandomRotation, {"factor": 0.2, "seed": 1}, IMAGES),
    (L.RandomZoom, {"height_factor": 0.2, "seed": 1}, IMAGES),
    (L.RandomTranslation, {"height_factor": 0.2, "width_factor": 0.1, "seed": 1}, IMAGES),
    (L.RandomContrast, {"factor": 0.2, "seed": 1}, IMAGES),
    (L.RandomBrightness, {"factor": 0.2, "seed": 1}, IMAGES),
])
def test_inference_against_keras(cls, kwargs, shape):
    run_layer_test(cls, kwargs, shape, run_training_check=False)


@pytest.mark.parametrize("size", [(4, 4), (12, 12), (3, 8)])
def test_random_crop_inference_is_keras_smart_resize(size):
    # Keras 3.15 returns the uncropped input from RandomCrop(training=False), against its own
    # compute_output_shape; cornu gives tf.keras 2's inference result (docs/ERAS.md).
    from keras.src.utils.image_utils import smart_resize
    x = np.random.RandomState(0).rand(*IMAGES).astype("float32")
    layer = run_layer_test(L.RandomCrop, {"height": size[0], "width": size[1], "seed": 1}, IMAGES,
                           run_training_check=False, compare_with_keras=False,
                           expected_output_shape=(2,) + size + (3,))
    np.testing.assert_allclose(layer(x).numpy(), np.asarray(smart_resize(x, size)), rtol=1e-5,
                               atol=1e-5)


def test_single_image_and_integer_input():
    x = np.random.RandomState(0).randint(0, 255, (8, 10, 3)).astype("uint8")
    out = L.Resizing(4, 5)(torch.as_tensor(x))
    assert tuple(out.shape) == (4, 5, 3) and out.dtype == torch.float32


def _batch(n=64, seed=0):
    return torch.as_tensor(np.random.RandomState(seed).rand(n, 16, 16, 3).astype("float32"))


def test_flip_flips_about_half_of_each_direction():
    x = _batch(400)
    out = L.RandomFlip("horizontal", seed=3)(x, training=True)
    flipped = torch.isclose(out, x.flip(2)).flatten(1).all(1)
    same = torch.isclose(out, x).flatten(1).all(1)
    assert bool((flipped | same).all())
    assert 0.4 < flipped.float().mean().item() < 0.6
    out = L.RandomFlip("vertical", seed=3)(x, training=True)
    assert bool((torch.isclose(out, x.flip(1)).flatten(1).all(1) |
                 torch.isclose(out, x).flatten(1).all(1)).all())


def test_random_layers_are_seeded_and_vary_per_call():
    x = _batch(8)
    for make in (lambda: L.RandomRotation(0.3, seed=5), lambda: L.RandomZoom(0.3, seed=5),
                 lambda: L.RandomTranslation(0.2, 0.2, seed=5),
                 lambda: L.RandomContrast(0.5, value_range=(0, 1), seed=5),
                 lambda: L.RandomBrightness(0.5, value_range=(0, 1), seed=5)):
        a, b = make(), make()
        first = a(x, training=True)
        torch.testing.assert_close(first, b(x, training=True))  # same seed, same draws
        assert not torch.allclose(first, a(x, training=True))  # a new draw each call
        assert not torch.allclose(first, x)
        torch.testing.assert_close(a(x), x)  # inference: the identity


def test_rotation_by_a_half_turn_is_exact():
    x = _batch(4)
    out = L.RandomRotation((0.5, 0.5), seed=0)(x, training=True)
    torch.testing.assert_close(out, x.flip(1).flip(2), atol=1e-5, rtol=1e-5)


def test_translation_shifts_and_fills():
    x = torch.arange(16.0).reshape(1, 4, 4, 1)
    out = L.RandomTranslation((0.25, 0.25), (0, 0), fill_mode="constant", fill_value=-1.0,
                              seed=0)(x, training=True)
    torch.testing.assert_close(out[0, 1:, :, 0], x[0, :3, :, 0])
    assert bool((out[0, 0] == -1).all())
    wrap = L.RandomTranslation((0.25, 0.25), (0, 0), fill_mode="wrap", seed=0)(x, training=True)
    torch.testing.assert_close(wrap[0, :, :, 0], torch.roll(x[0, :, :, 0], 1, 0))
    reflect = L.RandomTranslation((0.25, 0.25), (0, 0), seed=0)(x, training=True)
    torch.testing.assert_close(reflect[0, 0, :, 0], x[0, 0, :, 0])  # d c b a | a b c d


def test_zoom_statistics():
    x = _batch(200)
    out = L.RandomZoom((-0.5, -0.5), fill_mode="constant", seed=0)(x, training=True)  # zoom in
    centre = x[:, 4:12, 4:12]
    # zooming in by 2 keeps the image's centre and fills the frame with it
    assert abs(out.mean().item() - centre.mean().item()) < 0.01
    out = L.RandomZoom((1.0, 1.0), fill_mode="constant", seed=0)(x, training=True)  # zoom out
    assert abs(out.mean().item() - x.mean().item() / 4) < 0.01  # a quarter of the area is image


def test_contrast_and_brightness_formulas():
    x = _batch(50)
    out = L.RandomContrast(0.5, value_range=(-10, 10), seed=2)(x, training=True)
    mean = x.mean(dim=(1, 2), keepdim=True)
    factor = ((out - mean) * (x - mean)).sum(dim=(1, 2, 3)) / ((x - mean) ** 2).sum(dim=(1, 2, 3))
    torch.testing.assert_close(out, mean + (x - mean) * factor.view(-1, 1, 1, 1))  # one per image
    assert bool(((factor >= 1 - 1e-4) & (factor <= 1.5 + 1e-4)).all())  # Keras 3: [1, 1 + f]
    assert factor.std() > 0.05
    out = L.RandomBrightness(0.1, value_range=(0, 1), seed=2)(x, training=True)
    assert float(out.min()) >= 0 and float(out.max()) <= 1


def test_random_crop_training_offsets():
    x = _batch(2)
    layer = L.RandomCrop(8, 8, seed=4)
    crops = [layer(x, training=True) for _ in range(20)]
    assert all(tuple(c.shape) == (2, 8, 8, 3) for c in crops)
    windows = {tuple(int(v) for v in (torch.nonzero(
        (x[0].unfold(0, 8, 1).unfold(1, 8, 1).permute(0, 1, 3, 4, 2) == c[0]).flatten(2).all(2)
    )[0])) for c in crops}
    assert len(windows) > 3  # several offsets


def test_augmentation_in_a_model_trains():
    model = cornu.Sequential([cornu.Input((16, 16, 3)), L.RandomFlip(seed=1),
                              L.RandomRotation(0.1, seed=1), L.RandomZoom(0.1, seed=1),
                              L.Conv2D(4, 3), L.GlobalAveragePooling2D(), L.Dense(1)])
    model.compile("adam", "mse")
    x = _batch(32).numpy()
    history = model.fit(x, np.ones((32, 1)), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="factor"):
        L.RandomRotation(2.0)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        L.RandomZoom(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="rank"):
        L.RandomFlip()(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="mode"):
        L.RandomFlip("diagonal")


def test_old_experimental_paths():
    import subprocess
    import sys
    code = ("import cornu; cornu.install_as_keras(); import keras\n"
            "from keras.layers.experimental.preprocessing import RandomFlip, Resizing\n"
            "from keras.layers.experimental import preprocessing\n"
            "assert preprocessing.RandomRotation is keras.layers.RandomRotation\n"
            "assert keras.layers.experimental.preprocessing.RandomZoom is keras.layers.RandomZoom\n"
            "assert RandomFlip is keras.layers.RandomFlip\n"
            "assert preprocessing.Hashing is keras.layers.Hashing\n"
            "try:\n    preprocessing.HashedCrossing\nexcept AttributeError as e:\n"
            "    assert 'HashedCrossing' in str(e)\nelse:\n    raise SystemExit('no error')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
