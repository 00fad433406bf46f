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
    hasher = hashlib.sha256() if algorithm in ("sha256", "auto") else hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def get_file(fname, origin, file_hash=None, cache_subdir="datasets", cache_dir_=None, **kwargs):
    """Returns the path of `fname` in Keras's cache, downloading it from `origin` if needed."""
    folder = cache_dir_ or (cache_dir() if cache_subdir == "datasets" else
                            os.path.join(os.path.dirname(cache_dir()), cache_subdir))
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, fname)
    if os.path.exists(path):
        if file_hash is None or globals()["file_hash"](path) == file_hash:
            return path
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{fname}.")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin, timeout=60) as response:
            shutil.copyfileobj(response, out)
        if file_hash is not None:
            got = globals()["file_hash"](tmp)
            if got != file_hash:
                raise ValueError(f"The file downloaded from {origin} is corrupt or changed: its "
                                 f"SHA-256 is {got}, expected {file_hash}.")
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
