"""`get_file`: Keras 3's cached download, with an atomic write, a hash check and safe extraction.

Files land in `<cache_dir>/<cache_subdir>/` (default `$KERAS_HOME/datasets`, else
`~/.keras/datasets`). A download goes to a temporary file beside its target and is renamed into
place only once it is complete and its hash matches, so an interrupted or corrupt download never
leaves a file that a later call would trust (Keras 3 leaves a mismatching file in the cache).
"""
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

from cornu.utils.files import atomic_path

__all__ = ["get_file", "hash_file", "validate_file", "extract_archive", "keras_home"]


def keras_home():
    """`$KERAS_HOME`, else `~/.keras` (read on every call, as tests and notebooks change it)."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def _hasher(algorithm, file_hash=None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None
                                 and len(file_hash) == 64):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()
    raise ValueError(f"`hash_algorithm` must be 'auto', 'sha256' or 'md5', got {algorithm!r}.")


def _algorithm_name(algorithm, file_hash):
    return "SHA-256" if _hasher(algorithm, file_hash).name == "sha256" else "MD5"


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    """The hex digest of a file (`algorithm`: 'sha256', 'md5', or a hashlib object)."""
    hasher = _hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Whether the file's hash equals `file_hash` ('auto': 64 hex digits are SHA-256, else MD5)."""
    got = hash_file(fpath, _hasher(algorithm, file_hash), chunk_size)
    return got == str(file_hash).lower()


def _inside(root, name):
    dest = os.path.realpath(os.path.join(root, name))
    return dest == root or dest.startswith(root + os.sep)


def _check_tar(tar, root, archive):
    for member in tar.getmembers():
        if os.path.isabs(member.name) or not _inside(root, member.name):
            raise ValueError(f"Refusing to extract {archive}: member {member.name!r} would be "
                             f"written outside {root}.")
        if member.issym() or member.islnk():
            base = root if member.islnk() else os.path.dirname(os.path.join(root, member.name))
            if os.path.isabs(member.linkname) or not _inside(root, os.path.join(
                    os.path.relpath(base, root), member.linkname)):
                raise ValueError(f"Refusing to extract {archive}: link {member.name!r} points "
                                 f"outside {root} ({member.linkname!r}).")
        elif not (member.isfile() or member.isdir()):
            raise ValueError(f"Refusing to extract {archive}: member {member.name!r} is a "
                             "device or FIFO.")


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar (`.tar`, `.tar.gz`, `.tar.bz2`...) or zip archive into `path`.

    Returns True if the archive was one of `archive_format` ('auto' = ['tar', 'zip'], 'tar',
    'zip', or a list; None or [] matches nothing) and was extracted. Members that would land
    outside `path` (absolute names, `..`, links pointing out) and device files are refused with a
    ValueError before anything is written.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    file_path, root = os.fspath(file_path), os.path.realpath(os.fspath(path))
    for kind in formats:
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as tar:
                _check_tar(tar, root, file_path)
                os.makedirs(root, exist_ok=True)
                if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: a second guard
                    tar.extractall(root, filter="data")
                else:
                    tar.extractall(root)
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                for name in archive.namelist():
                    if os.path.isabs(name) or not _inside(root, name):
                        raise ValueError(f"Refusing to extract {file_path}: member {name!r} "
                                         f"would be written outside {root}.")
                os.makedirs(root, exist_ok=True)
                archive.extractall(root)
            return True
    return False


class _Progress:
    """Keras's download bar, drawn only on a terminal (logs and CI stay quiet)."""

    def __init__(self):
        from cornu.utils.progbar import Progbar, _is_interactive
        self.bar, self.make = None, (Progbar if _is_interactive() else None)

    def __call__(self, done, total):
        if self.make is None:
            return
        if self.bar is None:
            self.bar = self.make(target=total if total and total > 0 else None, unit_name="byte")
        self.bar.update(done, finalize=bool(total) and done >= total)


def _download(origin, target, file_hash, hash_algorithm, fname):
    """Through `atomic_path`, as every cornu write: the temp file names this host and process
    (a later call removes what a killed download left), the data and the folder are fsynced,
    and the file gets the mode the umask gives."""
    print(f"Downloading data from {origin}")
    progress = _Progress()
    try:
        with atomic_path(target) as tmp:
            with open(tmp, "wb") as out, \
                    urllib.request.urlopen(origin, timeout=60) as response:
                total, done = int(response.headers.get("Content-Length") or -1), 0
                for chunk in iter(lambda: response.read(1 << 16), b""):
                    out.write(chunk)
                    done += len(chunk)
                    progress(done, total)
            if file_hash is not None and not validate_file(tmp, file_hash, hash_algorithm):
                got = hash_file(tmp, _hasher(hash_algorithm, file_hash))
                raise ValueError(f"The file downloaded from {origin} is corrupt or has changed: "
                                 f"its {_algorithm_name(hash_algorithm, file_hash)} is {got}, "
                                 f"expected {file_hash}. Nothing was kept.")
    except (urllib.error.URLError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise OSError(f"URL fetch failure on {origin}: {error}. On a machine without internet, "
                      f"put {fname} at {target}, or point $CORNU_DATASETS at a folder that "
                      "holds it.") from error


def _umask():
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _link_top_level(extraction_dir, datadir):
    """tf.keras 2 extracted beside the archive: scripts then open `<datadir>/<member>`. Each
    top-level entry gets a link there, unless that name is taken."""
    for entry in os.listdir(extraction_dir):
        beside = os.path.join(datadir, entry)
        if os.path.lexists(beside):
            continue
        try:
            os.symlink(os.path.join(os.path.basename(extraction_dir), entry), beside)
        except OSError:  # no symlinks here (some Windows setups): the Keras 3 path still works
            pass


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """Downloads a file from `origin` unless it is already in the cache; returns its path.

    Args:
        fname: the file's name in the cache (default: the last part of `origin`'s path). With
            `extract`, a name with a dot (`"flowers.tgz"`) is the archive's name and the files
            go to `flowers_extracted/`; a name without one is the extraction folder.
        origin: the URL.
        untar: deprecated spelling of `extract=True, archive_format="tar"`.
        md5_hash: deprecated spelling of `file_hash=..., hash_algorithm="md5"`.
        file_hash: the expected SHA-256 or MD5 hex digest; a cached file that does not match is
            downloaded again, and a download that does not match raises (nothing is kept).
        cache_subdir: folder under `cache_dir` (an absolute path is used as is).
        hash_algorithm: 'auto' (64 hex digits: SHA-256, else MD5), 'sha256' or 'md5'.
        extract: extract the archive (tar, tar.gz, tar.bz2, zip) and return the folder.
        archive_format: 'auto' (tar then zip), 'tar', 'zip', or None.
        cache_dir: default `$KERAS_HOME`, else `~/.keras`.
        force_download: download even if the file is cached.

    Returns:
        The file's path, or with `extract`/`untar` the extraction folder (Keras 3). The
        archive's top-level members are also linked beside the archive, where tf.keras 2 put
        them.
    """
    if origin is None:
        raise ValueError('get_file() needs the URL to download from: `origin="https://..."`.')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    _hasher(hash_algorithm, file_hash)  # an unknown algorithm fails before any download
    base = os.path.expanduser(os.fspath(cache_dir) if cache_dir is not None else keras_home())
    if not os.access(base, os.W_OK) and os.path.exists(base):
        base = os.path.join(tempfile.gettempdir(), ".keras")  # read-only home, as Keras does
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    provided = fname is not None and os.fspath(fname) != ""
    fname = os.fspath(fname) if provided else \
        os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't tell the file name from origin={origin!r}; pass `fname`.")
    if os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(f"`fname` is a file name, not a path (got {fname!r}); choose the folder "
                         "with `cache_dir` / `cache_subdir`.")
    extract = extract or untar
    if untar:
        archive_format = "tar"
    extraction_dir = None
    if extract and provided and "." in fname:
        target = os.path.join(datadir, fname)
        extraction_dir = os.path.join(datadir, fname[:fname.find(".")] + "_extracted")
    elif extract:
        target = os.path.join(datadir, fname + "_archive")
        extraction_dir = os.path.join(datadir, fname)
    else:
        target = os.path.join(datadir, fname)

    download = force_download or not os.path.exists(target)
    if not download and file_hash is not None and not validate_file(target, file_hash,
                                                                    hash_algorithm):
        warnings.warn(f"{target} does not match the expected "
                      f"{_algorithm_name(hash_algorithm, file_hash)} {file_hash} (incomplete or "
                      "outdated); downloading it again.", stacklevel=2)
        download = True
    if download:
        _download(origin, target, file_hash, hash_algorithm, fname)
    if not extract:
        return target
    if download or not os.path.isdir(extraction_dir):
        # Extract into a fresh folder and swap it in, so a failed extraction leaves no half tree.
        tmp = tempfile.mkdtemp(dir=datadir, prefix=f".{os.path.basename(extraction_dir)}.")
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's 0700 → the mode `os.makedirs` would give
        try:
            ok = extract_archive(target, tmp, archive_format)
            if ok:
                if os.path.isdir(extraction_dir) and not os.path.islink(extraction_dir):
                    shutil.rmtree(extraction_dir)
                os.replace(tmp, extraction_dir)
        finally:
            if os.path.exists(tmp):
                shutil.rmtree(tmp)
        if not ok:
            warnings.warn(f"Could not extract {target}: it is not a {archive_format} archive.",
                          stacklevel=2)
            return extraction_dir
    _link_top_level(extraction_dir, datadir)
    return extraction_dir

