"""IMDB and Reuters: small files in Keras's layout, read by cornu and by real Keras 3's loaders
(pointed at the same file), with every option; hash check before unpickling; tampered pickles."""
import hashlib
import json
import os
import pickle

import numpy as np
import pytest

from cornu.datasets import imdb, reuters


def _ragged(rng, n, vocab=40):
    out = np.empty(n, dtype=object)
    out[:] = [[int(w) for w in rng.randint(1, vocab, rng.randint(1, 12))] for _ in range(n)]
    return out


def _write(path, **arrays):
    np.savez(path, **arrays)
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture
def imdb_file(tmp_path, monkeypatch):
    rng = np.random.RandomState(1)
    folder = tmp_path / "kh" / "datasets"
    folder.mkdir(parents=True)
    digest = _write(folder / "imdb.npz", x_train=_ragged(rng, 30), y_train=rng.randint(0, 2, 30),
                    x_test=_ragged(rng, 20), y_test=rng.randint(0, 2, 20))
    monkeypatch.delenv("CORNU_DATASETS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    monkeypatch.setattr(imdb, "FILE_HASH", digest)
    return folder / "imdb.npz"


@pytest.fixture
def reuters_file(tmp_path, monkeypatch):
    rng = np.random.RandomState(2)
    folder = tmp_path / "kh" / "datasets"
    folder.mkdir(parents=True)
    digest = _write(folder / "reuters.npz", x=_ragged(rng, 41), y=rng.randint(0, 46, 41))
    monkeypatch.delenv("CORNU_DATASETS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    monkeypatch.setattr(reuters, "FILE_HASH", digest)
    return folder / "reuters.npz"


def _keras_loader(name, path, monkeypatch):
    """Keras 3's own loader, its download replaced by the small file (its hash is Keras's real
    one, so Keras would otherwise download the real dataset)."""
    import importlib
    module = importlib.import_module(f"keras.src.datasets.{name}")
    monkeypatch.setattr(module, "get_file", lambda *a, **k: str(path))
    return module.load_data


def _same(ours, ref):
    for part, ref_part in zip(ours, ref):
        for a, b in zip(part, ref_part):
            assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
            assert [list(map(int, s)) for s in a] == [list(map(int, s)) for s in b] \
                if a.dtype == object else np.array_equal(a, b)


OPTIONS = [{}, {"num_words": 20}, {"num_words": 20, "skip_top": 5, "oov_char": None},
           {"maxlen": 8, "start_char": None, "index_from": 0}, {"seed": 7, "oov_char": 9},
           {"start_char": None, "index_from": 2, "maxlen": 6, "num_words": 15}]


@pytest.mark.parametrize("options", OPTIONS)
def test_imdb_matches_keras(imdb_file, monkeypatch, options):
    ours = imdb.load_data(**options)
    _same(ours, _keras_loader("imdb", imdb_file, monkeypatch)(**options))
    (x_train, y_train), (x_test, y_test) = ours
    assert x_train.ndim == 1 and x_train.dtype == object and isinstance(x_train[0], list)


@pytest.mark.parametrize("options", OPTIONS + [{"test_split": 0.5}, {"test_split": 0.0}])
def test_reuters_matches_keras(reuters_file, monkeypatch, options):
    _same(reuters.load_data(**options), _keras_loader("reuters", reuters_file, monkeypatch)(**options))


def test_cornu_datasets_folder_is_read_first(imdb_file, tmp_path, monkeypatch):
    local = tmp_path / "local"
    local.mkdir()
    os.replace(imdb_file, local / "imdb.npz")
    monkeypatch.setenv("CORNU_DATASETS", str(local))
    assert len(imdb.load_data()[0][0]) == 30


def test_file_not_matching_keras_hash_is_never_unpickled(imdb_file, monkeypatch):
    from cornu.datasets import sequences
    monkeypatch.setenv("CORNU_DATASETS", str(imdb_file.parent))
    monkeypatch.setattr(imdb, "FILE_HASH", "0" * 64)
    called = []
    monkeypatch.setattr(sequences, "_ArrayUnpickler", lambda *a: called.append(1))
    with pytest.raises(ValueError, match="SHA-256"):
        imdb.load_data()
    assert not called


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_tampered_pickle_is_refused_even_with_matching_hash(tmp_path, monkeypatch):
    arr = np.empty(2, dtype=object)
    arr[:] = [[1, 2], _Evil()]
    digest = _write(tmp_path / "reuters.npz", x=arr, y=np.array([0, 1]))
    monkeypatch.setenv("CORNU_DATASETS", str(tmp_path))
    monkeypatch.setattr(reuters, "FILE_HASH", digest)
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        reuters.load_data()


def test_keras1_nb_words_and_unknown_keywords(imdb_file):
    from cornu.compat.arguments import LegacyWarning
    with pytest.warns(LegacyWarning, match="nb_words"):
        legacy = imdb.load_data(nb_words=20)
    np.testing.assert_array_equal(legacy[0][1], imdb.load_data(num_words=20)[0][1])
    assert list(map(list, legacy[0][0])) == list(map(list, imdb.load_data(num_words=20)[0][0]))
    with pytest.raises(TypeError, match="num_wrods"):
        imdb.load_data(num_wrods=20)


def test_maxlen_that_keeps_nothing_says_so(imdb_file):
    with pytest.raises(ValueError, match="maxlen=1"):
        imdb.load_data(maxlen=1)


def test_word_index_and_label_names(tmp_path, monkeypatch):
    import keras
    (tmp_path / "reuters_word_index.json").write_text(json.dumps({"the": 1, "of": 2}))
    (tmp_path / "imdb_word_index.json").write_text(json.dumps({"film": 3}))
    monkeypatch.setenv("CORNU_DATASETS", str(tmp_path))
    assert reuters.get_word_index() == {"the": 1, "of": 2}
    assert imdb.get_word_index() == {"film": 3}
    assert reuters.get_label_names() == tuple(keras.datasets.reuters.get_label_names())
    assert len(reuters.get_label_names()) == 46
