"""The datasets' download helpers: `get_file` (Keras 3's, in `cornu.utils.file_utils`) and
where the datasets look first."""
import os

from cornu.utils.file_utils import get_file, hash_file, keras_home, validate_file

__all__ = ["get_file", "cache_dir", "file_hash", "local_path", "checked"]


def cache_dir():
    """Keras's dataset cache: `$KERAS_HOME/datasets`, default `~/.keras/datasets`."""
    return os.path.join(keras_home(), "datasets")


def file_hash(path, algorithm="sha256", chunk_size=65535):
    return hash_file(path, algorithm, chunk_size)


def local_path(name):
    """`$CORNU_DATASETS/<name>` if it exists (how an offline machine points cornu at data)."""
    local = os.environ.get("CORNU_DATASETS")
    candidate = os.path.join(local, name) if local else None
    return candidate if candidate and os.path.exists(candidate) else None


def checked(path, expected):
    """`path`, after checking its hash against Keras's published one: for files that are
    unpickled, whatever folder they came from."""
    if not validate_file(path, expected):
        kind = "SHA-256" if len(expected) == 64 else "MD5"
        raise ValueError(f"{path} does not match Keras's published {kind} ({expected}); it is "
                         "corrupt, a different version, or tampered with, and is not loaded "
                         "(it would be unpickled). Delete it to download it again.")
    return path


def fetch(name, origin, expected, **kwargs):
    """`$CORNU_DATASETS/<name>`, else Keras's cache (downloading if needed, hash-checked)."""
    return local_path(name) or get_file(name, origin=origin, file_hash=expected, **kwargs)
