"""`get_file`: Keras's cached download (`$KERAS_HOME/datasets`, SHA-256 check, atomic write)."""
import hashlib
import os
import shutil
import tempfile
import urllib.request


def cache_dir():
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def file_hash(path, algorithm="sha256", chunk_size=65535):
    hasher = hashlib.sha256() if algorithm == "sha256" else hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _hash_of(path, expected):
    """Keras's rule: a 64-character hash is SHA-256, otherwise MD5."""
    return file_hash(path, "sha256" if len(expected) == 64 else "md5")


def _extract(archive, folder):
    """Extracts a tar or zip archive into `folder`, refusing paths that leave it."""
    import tarfile
    import zipfile
    target = os.path.realpath(folder)
    if tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                dest = os.path.realpath(os.path.join(folder, member.name))
                if not dest.startswith(target + os.sep) and dest != target:
                    raise ValueError(f"{archive}: member {member.name!r} would extract outside "
                                     f"{folder}; refusing.")
                if member.issym() or member.islnk():
                    raise ValueError(f"{archive}: member {member.name!r} is a link; refusing.")
            tar.extractall(folder)
    elif zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                dest = os.path.realpath(os.path.join(folder, name))
                if not dest.startswith(target + os.sep):
                    raise ValueError(f"{archive}: member {name!r} would extract outside {folder}.")
            zf.extractall(folder)
    else:
        raise ValueError(f"{archive} is neither a tar nor a zip archive.")


def get_file(fname, origin, file_hash=None, cache_subdir="datasets", cache_dir_=None,
             extract=False, **kwargs):
    """Returns the path of `fname` in Keras's cache, downloading it from `origin` if needed.

    With `extract=True`, the archive at `origin` is downloaded beside the cache folder, checked,
    and unpacked; the path of the unpacked folder (`fname`) is returned.
    """
    folder = cache_dir_ or os.path.join(os.path.dirname(cache_dir()), cache_subdir)
    os.makedirs(folder, exist_ok=True)
    if extract:
        target = os.path.join(folder, fname)
        if os.path.isdir(target) and os.listdir(target):
            return target
        archive = get_file(os.path.basename(origin.split("?")[0]), origin, file_hash,
                           cache_subdir, cache_dir_)
        tmp = target + ".partial"
        if os.path.exists(tmp):
            import shutil as _shutil
            _shutil.rmtree(tmp)
        os.makedirs(tmp)
        _extract(archive, tmp)
        os.replace(tmp, target)
        return target
    path = os.path.join(folder, fname)
    if os.path.exists(path):
        if file_hash is None or _hash_of(path, file_hash) == file_hash:
            return path
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{fname}.")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin, timeout=60) as response:
            shutil.copyfileobj(response, out)
        if file_hash is not None:
            got = _hash_of(tmp, file_hash)
            if got != file_hash:
                kind = "SHA-256" if len(file_hash) == 64 else "MD5"
                raise ValueError(f"The file downloaded from {origin} is corrupt or changed: its "
                                 f"{kind} is {got}, expected {file_hash}.")
        os.replace(tmp, path)
    except Exception as error:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(error, ValueError):
            raise
        raise OSError(f"Could not download {fname} from {origin} ({error}). On a machine without "
                      f"internet, put the file at {path}, or point $CORNU_DATASETS at a folder "
                      "that holds it.") from error
    return path
