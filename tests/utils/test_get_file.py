"""get_file against a local HTTP server: Keras 3.15's signature, names and return values (checked
against real Keras 3's get_file on the same server), hashes, atomic downloads, safe extraction."""
import hashlib
import io
import os
import tarfile
import warnings
import zipfile

import pytest

from cornu.utils import get_file
from tests.datasets.test_mnist import local_server  # noqa: F401  (fixture)


def _tar(members, links=()):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        for name, target in links:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buf.getvalue()


def _zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)
    return buf.getvalue()


@pytest.fixture
def server(local_server, tmp_path, monkeypatch):  # noqa: F811
    root, url = local_server
    (root / "data.txt").write_bytes(b"hello")
    (root / "flowers.tar.gz").write_bytes(_tar({"flowers/a.txt": b"a", "flowers/b/c.txt": b"c"}))
    (root / "pack.zip").write_bytes(_zip({"pack/x.txt": b"x"}))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    return root, url


def test_download_cache_and_fname_from_url(server, tmp_path, capsys):
    root, url = server
    path = get_file(origin=f"{url}/data.txt")
    assert path == str(tmp_path / "kh" / "datasets" / "data.txt")
    assert open(path, "rb").read() == b"hello"
    out = capsys.readouterr().out
    assert out == f"Downloading data from {url}/data.txt\n"  # no bar: not a terminal
    (root / "data.txt").unlink()
    assert get_file("data.txt", f"{url}/data.txt") == path  # served from the cache
    assert capsys.readouterr().out == ""


def test_progress_bar_on_a_terminal(server, monkeypatch, capsys):
    monkeypatch.setenv("CORNU_PROGBAR", "dynamic")
    get_file("d.txt", f"{server[1]}/data.txt")
    assert "5/5 [==============================]" in capsys.readouterr().out


@pytest.mark.parametrize("kwargs", [
    {"fname": "flowers.tar.gz", "extract": True},
    {"fname": "flowers", "extract": True},
    {"fname": None, "extract": True},
    {"fname": "flowers_t", "untar": True},
    {"fname": "plain.bin"},
])
def test_names_and_return_values_match_keras(server, tmp_path, kwargs):
    import keras
    url = f"{server[1]}/flowers.tar.gz"
    (tmp_path / "ours").mkdir()
    (tmp_path / "ref").mkdir()  # Keras falls back to /tmp/.keras for a cache_dir not yet made
    ours = get_file(origin=url, cache_dir=str(tmp_path / "ours"), **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = keras.utils.get_file(origin=url, cache_dir=str(tmp_path / "ref"), **kwargs)
    assert os.path.relpath(ours, tmp_path / "ours") == os.path.relpath(ref, tmp_path / "ref")
    if kwargs.get("extract") or kwargs.get("untar"):
        assert open(os.path.join(ours, "flowers", "b", "c.txt")).read() == "c"
        # tf.keras 2 scripts look beside the archive: a link there reaches the same files
        # (unless the extraction folder itself has the member's name)
        assert os.path.basename(ours) == "flowers" or open(os.path.join(os.path.dirname(ours), "flowers", "a.txt")).read() == "a"


def test_zip_extraction_and_archive_format(server, tmp_path):
    url = f"{server[1]}/pack.zip"
    folder = get_file("pack.zip", url, extract=True)
    assert folder.endswith("pack_extracted") and open(os.path.join(folder, "pack", "x.txt")).read() == "x"
    with pytest.warns(UserWarning, match="Could not extract"):
        get_file("other.zip", url, extract=True, archive_format="tar")


def test_hashes_md5_hash_and_hash_algorithm(server, tmp_path):
    url = f"{server[1]}/data.txt"
    sha, md5 = hashlib.sha256(b"hello").hexdigest(), hashlib.md5(b"hello").hexdigest()
    assert get_file("a.txt", url, file_hash=sha).endswith("a.txt")
    assert get_file("b.txt", url, md5_hash=md5).endswith("b.txt")
    assert get_file("c.txt", url, file_hash=md5, hash_algorithm="md5").endswith("c.txt")
    with pytest.raises(ValueError, match="MD5"):
        get_file("d.txt", url, md5_hash="0" * 32)
    with pytest.raises(ValueError, match="hash_algorithm"):
        get_file("e.txt", url, file_hash=sha, hash_algorithm="sha1")


def test_corrupt_download_raises_and_leaves_nothing(server, tmp_path):
    root, url = server
    with pytest.raises(ValueError, match=r"SHA-256 is [0-9a-f]{64}, expected 0{64}"):
        get_file("data.txt", f"{url}/data.txt", file_hash="0" * 64)
    assert os.listdir(tmp_path / "kh" / "datasets") == []
    with pytest.raises(ValueError):
        get_file("flowers.tar.gz", f"{url}/flowers.tar.gz", file_hash="0" * 64, extract=True)
    assert os.listdir(tmp_path / "kh" / "datasets") == []


def test_a_download_is_written_as_every_cornu_file(server, tmp_path, monkeypatch):
    """Through cornu.utils.files.atomic_path: the mode the umask gives (not mkstemp's 0600), an
    extraction folder as `os.makedirs` makes it (not mkdtemp's 0700), the data fsynced, and a
    temp file a killed download of this host left behind removed."""
    import stat
    import subprocess
    import sys
    from cornu.utils import files
    url = server[1]
    datasets = tmp_path / "kh" / "datasets"
    datasets.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = datasets / f".data.txt.{files._HOST}.{dead.pid}.x1.tmp"
    left.write_bytes(b"half")
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    old = os.umask(0o027)
    try:
        path = get_file("data.txt", f"{url}/data.txt")
        folder = get_file("flowers.tar.gz", f"{url}/flowers.tar.gz", extract=True)
        (tmp_path / "ref").write_bytes(b"")
        (tmp_path / "refdir").mkdir()
    finally:
        os.umask(old)
    mode = stat.S_IMODE
    assert mode(os.stat(path).st_mode) == mode(os.stat(tmp_path / "ref").st_mode) == 0o640
    assert mode(os.stat(folder).st_mode) == mode(os.stat(tmp_path / "refdir").st_mode)
    assert not left.exists() and len(synced) >= 4  # two files, each: the data and the folder
    assert not [n for n in os.listdir(datasets) if n.endswith((".tmp", ".part"))]


def test_stale_cached_file_is_downloaded_again(server, tmp_path):
    url = f"{server[1]}/data.txt"
    cached = tmp_path / "kh" / "datasets" / "data.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"half")
    with pytest.warns(UserWarning, match="downloading it again"):
        get_file("data.txt", url, file_hash=hashlib.sha256(b"hello").hexdigest())
    assert cached.read_bytes() == b"hello"
    cached.write_bytes(b"edited")
    get_file("data.txt", url, force_download=True)
    assert cached.read_bytes() == b"hello"


def test_cache_dir_and_absolute_cache_subdir(server, tmp_path):
    url = f"{server[1]}/data.txt"
    assert get_file("x", url, cache_dir=str(tmp_path / "c"), cache_subdir="models") == \
        str(tmp_path / "c" / "models" / "x")
    assert get_file("y", url, cache_subdir=str(tmp_path / "abs")) == str(tmp_path / "abs" / "y")


@pytest.mark.parametrize("members,links", [
    ({"../evil.txt": b"x"}, ()),
    ({"/tmp/cornu_abs_evil.txt": b"x"}, ()),
    ({"ok.txt": b"x"}, (("link", "../../outside"),)),
])
def test_archive_members_outside_the_folder_are_refused(server, tmp_path, members, links):
    root, url = server
    (root / "bad.tar.gz").write_bytes(_tar(members, links))
    with pytest.raises(ValueError, match="Refusing to extract"):
        get_file("bad.tar.gz", f"{url}/bad.tar.gz", extract=True)
    datadir = tmp_path / "kh" / "datasets"
    assert sorted(os.listdir(datadir)) == ["bad.tar.gz"]  # the archive; no files extracted
    assert not (tmp_path / "kh" / "evil.txt").exists()
    assert not os.path.exists("/tmp/cornu_abs_evil.txt")


def test_zip_slip_is_refused(server, tmp_path):
    root, url = server
    (root / "bad.zip").write_bytes(_zip({"../../evil.txt": b"x"}))
    with pytest.raises(ValueError, match="outside"):
        get_file("bad.zip", f"{url}/bad.zip", extract=True)
    assert not (tmp_path / "evil.txt").exists()


def test_bad_arguments_and_unreachable_origin(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
    with pytest.raises(ValueError, match="not a path"):
        get_file("a/b.txt", "http://127.0.0.1:9/b.txt")
    with pytest.raises(OSError, match="URL fetch failure.*CORNU_DATASETS"):
        get_file("b.txt", "http://127.0.0.1:9/b.txt")
    assert os.listdir(tmp_path / "datasets") == []
