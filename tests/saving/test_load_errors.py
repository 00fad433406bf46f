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


@pytest.mark.parametrize("name", ["model.keras", "model.h5", "model.weights.h5"])
def test_a_file_that_fits_only_the_first_layers_changes_no_weight(tmp_path, name):
    """The first Dense fits the file, the second does not: the error comes after the first was
    set, and the load puts it back (the model in memory is as it was)."""
    L = cornu.layers
    saved = cornu.Sequential([cornu.Input((3,)), L.Dense(4), L.Dense(2)])
    path = str(tmp_path / name)
    saved.save_weights(path) if name.endswith(".weights.h5") else saved.save(path)
    model = cornu.Sequential([cornu.Input((3,)), L.Dense(4), L.Dense(5)])
    before = [w.copy() for w in model.get_weights()]
    assert not np.array_equal(before[0], saved.get_weights()[0])
    with pytest.raises(ValueError, match="shape"):
        model.load_weights(path)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_a_weights_file_that_does_not_fit_names_the_layer_the_weight_and_why(tmp_path):
    L = cornu.layers
    small = cornu.Sequential([cornu.Input((5, 3)), L.LSTM(4)])
    path = str(tmp_path / "w.weights.h5")
    small.save_weights(path)
    other = cornu.Sequential([cornu.Input((5, 3)), L.LSTM(6)])
    with pytest.raises(ValueError, match=r"layer 'lstm_cell'.*weight lstm_1/lstm_cell/kernel has "
                                         r"shape \(3, 24\), the file has shape \(3, 16\) at "
                                         r"layers/lstm/cell/vars/0"):
        other.load_weights(path)
    with pytest.warns(UserWarning, match="Skipping the weights of 1 layer"):
        other.load_weights(path, skip_mismatch=True)


def test_by_name_on_a_keras3_weights_file_raises_as_in_keras3(tmp_path):
    keras = pytest.importorskip("keras")
    for lib in (cornu, keras):
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(2)])
        path = str(tmp_path / f"{lib.__name__}.weights.h5")
        model.save_weights(path)
        with pytest.raises(ValueError, match="by_name"):
            model.load_weights(path, by_name=True)


def test_state_dict_keys_follow_the_architecture_not_the_layer_names(tmp_path):
    import torch

    def build():
        inputs = cornu.Input((4,))
        shared = cornu.layers.Dense(3)
        x = cornu.layers.Concatenate()([shared(inputs), shared(cornu.layers.Dense(4)(inputs))])
        inner = cornu.Sequential([cornu.Input((6,)), cornu.layers.BatchNormalization()])
        return cornu.Model(inputs, [inner(x), cornu.layers.Dense(1)(x)])
    first, second = build(), build()
    assert [w.path for w in first.weights] != [w.path for w in second.weights]  # names differ
    assert list(first.state_dict()) == list(second.state_dict())
    assert "layers.4.layers.0.moving_mean" in first.state_dict()
    second.load_state_dict(first.state_dict())
    x = np.random.RandomState(0).rand(3, 4).astype("float32")
    for a, b in zip(first.predict(x, verbose=0), second.predict(x, verbose=0)):
        np.testing.assert_array_equal(a, b)
    torch.save(first, str(tmp_path / "m.pt"))
    again = torch.load(str(tmp_path / "m.pt"), weights_only=False)
    for a, b in zip(first.predict(x, verbose=0), again.predict(x, verbose=0)):
        np.testing.assert_array_equal(a, b)
    assert [w.path for w in again.weights] == [w.path for w in first.weights]


def test_a_decompression_bomb_member_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """Keras 3's rule (saving_lib._reject_zip_bomb): a member over the floor (4 GiB; lowered
    here) that expands more than 100 times its stored size is not read into memory."""
    from cornu.saving import api
    _, path = _saved(tmp_path, "good.keras")
    bomb = str(tmp_path / "bomb.keras")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for item in zin.infolist():
            if item.filename != "config.json":
                zout.writestr(item, zin.read(item.filename))
        padded = zin.read("config.json") + b" " * (4 << 20)  # valid JSON, 4 MiB of spaces
        zout.writestr("config.json", padded, compress_type=zipfile.ZIP_DEFLATED)
    cornu.models.load_model(bomb)  # under the real floor: loads
    monkeypatch.setattr(api, "_ZIP_MEMBER_BOMB_FLOOR_BYTES", 1 << 20)
    read = []
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, name: read.append(name))
    with pytest.raises(ValueError, match=r"bomb.keras: its member 'config.json' declares "
                                         r"\d+ bytes but stores only \d+; a decompression bomb"):
        cornu.models.load_model(bomb)
    assert read == []
