"""`cornu run SCRIPT [ARGS...]`: runs a Keras script on cornu; `cornu info`: versions, device."""
import argparse
import os
import runpy
import sys


def run_script(path, args):
    """Runs `path` as `__main__` with `sys.argv = [path, *args]`, `import keras` served by cornu,
    and the script's folder first on `sys.path` (as `python path` does: modules beside it import)."""
    from cornu.compat.keras_alias import install_as_keras
    install_as_keras()
    sys.argv = [path] + list(args)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    runpy.run_path(path, run_name="__main__")


def info():
    import torch

    from cornu.backend import get_device
    from cornu.version import __version__
    print(f"cornu {__version__}")
    print(f"torch {torch.__version__} ({'CUDA ' + torch.version.cuda if torch.version.cuda else 'CPU build'})")
    print(f"device: {get_device()}")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="cornu", description="The Keras API on PyTorch.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a script that imports keras, on cornu")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER)
    sub.add_parser("info", help="print versions and the device cornu uses")
    if argv and argv[0] == "run" and len(argv) >= 2:
        # Everything after the script belongs to the script, flags included.
        script_index = next((i for i, a in enumerate(argv[1:], 1) if not a.startswith("-")), None)
        if script_index is not None:
            run_script(argv[script_index], argv[script_index + 1:])
            return 0
    options = parser.parse_args(argv)
    if options.command == "info":
        info()
    else:
        run_script(options.script, options.args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
