"""ImageDataGenerator.flow_from_dataframe against Keras's own (Keras 3 keeps Keras 2's
iterator in keras.src.legacy.preprocessing.image), on small PNGs."""
import numpy as np
import pytest
from PIL import Image

from cornu.preprocessing.image import ImageDataGenerator

pd = pytest.importorskip("pandas")


def _keras_generator(**kwargs):
    from keras.src.legacy.preprocessing.image import ImageDataGenerator as KerasGenerator
    return KerasGenerator(**kwargs)


@pytest.fixture
def frame(tmp_path):
    rng = np.random.RandomState(0)
    names = []
    for i in range(9):
        name = f"img_{i}.png" if i != 4 else f"sub/img_{i}.jpg"
        (tmp_path / name).parent.mkdir(exist_ok=True)
        Image.fromarray(rng.randint(0, 256, (10 + i, 12, 3)).astype("uint8")).save(
            tmp_path / name)
        names.append(name)
    names += ["missing.png", "notes.txt"]  # dropped when validate_filenames=True
    (tmp_path / "notes.txt").write_text("not an image")
    labels = ["dog", "cat", "dog", "bird", "cat", "dog", "cat", "bird", "dog", "cat", "dog"]
    df = pd.DataFrame({
        "filename": names, "class": labels, "binary": ["yes", "no"] * 5 + ["yes"],
        "multi": [["dog", "cat"], ["cat"], ["bird"], ["dog"], ["cat", "bird"], ["dog"], ["cat"],
                  ["bird", "dog"], ["dog"], ["cat"], ["dog"]],
        "value": np.arange(11, dtype="float32") / 2, "other": np.arange(11) % 3,
        "weight": np.linspace(0.5, 1.5, 11)})
    return df, str(tmp_path)


CASES = [
    {},
    {"class_mode": "sparse", "subset": "training"},
    {"class_mode": "binary", "y_col": "binary", "subset": "validation"},
    {"class_mode": "categorical", "classes": ["dog", "cat"]},
    {"class_mode": "categorical", "y_col": "multi"},
    {"class_mode": "raw", "y_col": "value", "weight_col": "weight"},
    {"class_mode": "raw", "y_col": ["value", "other"]},
    {"class_mode": "multi_output", "y_col": ["value", "other"]},
    {"class_mode": "input", "color_mode": "grayscale"},
    {"class_mode": None, "interpolation": "bilinear"},
    {"validate_filenames": False, "class_mode": None, "subset": "training"},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_attributes_and_batches_match_keras(frame, kwargs, capsys):
    df, directory = frame
    common = dict(directory=directory, target_size=(7, 6), batch_size=3, shuffle=True, seed=3)
    gen_kwargs = dict(rescale=1 / 255, validation_split=0.25)
    ours = ImageDataGenerator(**gen_kwargs).flow_from_dataframe(df, **common, **kwargs)
    ours_out = capsys.readouterr().out
    ref = _keras_generator(**gen_kwargs).flow_from_dataframe(df, **common, **kwargs)
    assert ours_out == capsys.readouterr().out  # "Found 8 validated image filenames ..."
    assert ours.filenames == ref.filenames and ours.samples == ref.samples
    assert ours.filepaths == ref.filepaths
    # (Keras leaves `class_indices` and `classes` unset where labels are not classes)
    assert ours.class_indices == getattr(ref, "class_indices", {})
    want = getattr(ref, "classes", None)
    if want is None or isinstance(want[0], list):
        assert ours.classes == want
    else:
        assert list(ours.classes) == list(want)
    if kwargs.get("validate_filenames") is False:
        return  # the listed but missing files only fail when read, in both
    assert len(ours) == len(ref)
    for _ in range(len(ours) + 1):  # across the epoch boundary: Keras's seeded order
        got, want = ours.next(), next(ref)
        got = got if isinstance(got, tuple) else (got,)
        want = want if isinstance(want, tuple) else (want,)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            for gi, wi in zip(*((g, w) if isinstance(w, list) else ([g], [w]))):
                np.testing.assert_allclose(np.asarray(gi, "float64"),
                                           np.asarray(wi, "float64"), rtol=1e-6)


def test_errors_name_the_argument(frame):
    df, directory = frame
    gen = ImageDataGenerator()
    with pytest.raises(ValueError, match="class_mode"):
        gen.flow_from_dataframe(df, directory, class_mode="labels")
    with pytest.raises(ValueError, match="2 classes"):
        gen.flow_from_dataframe(df, directory, class_mode="binary")
    with pytest.raises(TypeError, match="must be strings"):
        gen.flow_from_dataframe(df, directory, y_col="value", class_mode="sparse")
    with pytest.raises(TypeError, match="multi_output"):
        gen.flow_from_dataframe(df, directory, y_col="value", class_mode="multi_output")
    with pytest.raises(KeyError, match="x_col='path'"):
        gen.flow_from_dataframe(df, directory, x_col="path")
    with pytest.warns(UserWarning, match="2 invalid image filename"):
        gen.flow_from_dataframe(df, directory)


def test_trains_a_model(frame):
    import cornu
    df, directory = frame
    it = ImageDataGenerator(rescale=1 / 255).flow_from_dataframe(
        df, directory, target_size=(8, 8), batch_size=4, class_mode="sparse")
    model = cornu.Sequential([cornu.Input((8, 8, 3)), cornu.layers.Flatten(),
                              cornu.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(it, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
