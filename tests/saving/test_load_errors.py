"""Files that are not what their name says fail to load with an error that names the file and
what is wrong (never h5py's "file signature not found" or a bare KeyError), and leave the model
in memory as it was."""
import zipfile

import numpy as np
import pytest

import cornu


def _saved(tmp_path, name):
    model = cornu.Sequential([cornu.layers.Input((3,)), cornu.layers.Dense(2)])
    path = str(tmp_path / name)
    if name.endswith(".weights.h5"):
        model.save_weights(path)
    else:
        model.save(path)
    return model, path


def _truncate(path, keep):
    data = open(path, "rb").read()
    open(path, "wb").write(data[:int(len(data) * keep)])


@pytest.mark.parametrize("name", ["model.keras", "model.h5", "model.weights.h5"])
def test_an_empty_file_says_it_is_empty(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"model\..*is empty \(0 bytes\)"):
        cornu.models.load_model(str(path))


@pytest.mark.parametrize("name,keep", [("model.keras", 0.5), ("model.keras", 0.95),
                                       ("model.h5", 0.5), ("model.h5", 0.02)])
def test_a_truncated_file_says_so_and_names_it(tmp_path, name, keep):
    _, path = _saved(tmp_path, name)
    _truncate(path, keep)
    with pytest.raises(ValueError) as info:
        cornu.models.load_model(path)
    message = str(info.value)
    assert path in message and ("truncated" in message or "damaged" in message), message
    assert "signature" not in message


def test_text_with_a_model_name_says_what_it_is_not(tmp_path):
    path = tmp_path / "model.keras"
    path.write_text("<html>404 Not Found</html>")
    with pytest.raises(ValueError, match=r"model\.keras is not a `\.keras` zip: its first bytes "
                                         r"are b'<html>40'"):
        cornu.models.load_model(str(path))


@pytest.mark.parametrize("missing", ["config.json", "model.weights.h5"])
def test_a_keras_zip_missing_a_member_names_the_member(tmp_path, missing):
    _, path = _saved(tmp_path, "model.keras")
    with zipfile.ZipFile(path) as source:
        members = {n: source.read(n) for n in source.namelist() if n != missing}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match=rf"not a complete `\.keras` file: it has no '{missing}'"):
        cornu.models.load_model(path)


def test_a_zip_of_something_else_is_not_a_keras_file(tmp_path):
    path = str(tmp_path / "model.keras")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    with pytest.raises(ValueError, match=r"has no 'config.json' \(members: \['photo.jpg'\]\)"):
        cornu.models.load_model(path)


def test_config_that_is_not_json_says_which_member(tmp_path):
    _, path = _saved(tmp_path, "model.keras")
    with zipfile.ZipFile(path) as source:
        members = {n: source.read(n) for n in source.namelist()}
    members["config.json"] = b"{not json"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match=r"member 'config.json' is not valid JSON"):
        cornu.models.load_model(path)


@pytest.mark.parametrize("name", ["model.keras", "model.h5", "model.weights.h5"])
def test_load_weights_from_a_bad_file_leaves_the_model_as_it_was(tmp_path, name):
    model, path = _saved(tmp_path, name)
    _truncate(path, 0.5)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="truncated|damaged"):
        model.load_weights(path)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
