"""`cornu run [--nproc N] SCRIPT [ARGS...]`: runs a Keras script on cornu (in N processes, data
parallel, with `--nproc`); `cornu info`: versions, devices;
`cornu check SCRIPT`: what a script uses that is legacy or missing; `cornu migrate SCRIPT`:
rewrites it in Keras 3 spelling."""
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


def run_distributed(nproc, path, args):
    """`cornu run --nproc N script.py`: N processes on this machine under `torchrun
    --standalone` (its own rendezvous on a free local port), each running the script through
    `cornu run`; `fit`/`evaluate` then train data parallel. Returns torchrun's exit status."""
    import subprocess
    try:
        n = int(nproc)
    except (TypeError, ValueError):
        n = None
    if n is None or n < 1 or str(nproc).strip() != str(n):
        print(f"cornu run: --nproc must be a positive integer (the number of processes to "
              f"start); received {nproc!r}.", file=sys.stderr)
        return 2
    if n == 1:
        run_script(path, args)
        return 0
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc_per_node={n}", "-m", "cornu", "run", path, *args]
    return subprocess.call(command)


def _run_options(argv):
    """`cornu run`'s own options (those before the script) and the rest: script, its args."""
    options, i = {}, 0
    while i < len(argv) and argv[i].startswith("-"):
        flag = argv[i]
        if flag == "--nproc" or flag.startswith("--nproc="):
            if "=" in flag:
                options["nproc"], i = flag.split("=", 1)[1], i + 1
            else:
                options["nproc"], i = (argv[i + 1] if i + 1 < len(argv) else None), i + 2
        else:
            i += 1
    return options, argv[i:]


def info():
    import torch
    import torch.distributed as dist

    from cornu.backend import get_device
    from cornu.distribution import distribution_lib
    from cornu.version import __version__
    print(f"cornu {__version__}")
    print(f"torch {torch.__version__} ({'CUDA ' + torch.version.cuda if torch.version.cuda else 'CPU build'})")
    print(f"device: {get_device()}")
    found = [f"cuda x{torch.cuda.device_count()}" if torch.cuda.is_available() else None,
             "mps" if torch.backends.mps.is_available() else None,
             "xpu" if hasattr(torch, "xpu") and torch.xpu.is_available() else None, "cpu"]
    print(f"devices found: {', '.join(f for f in found if f)}")
    backends = [b for b, ok in (("gloo", dist.is_available() and dist.is_gloo_available()),
                                ("nccl", dist.is_available() and dist.is_nccl_available())) if ok]
    print(f"distributed: {', '.join(backends) or 'not available'}; "
          f"this process: rank {distribution_lib.rank()} of {distribution_lib.world_size()}")


def check(paths, as_json=False):
    """Exit status 0 when cornu runs every script as written, 1 otherwise."""
    import dataclasses
    import json

    from cornu.compat.script_check import check_file, report
    status, results = 0, {}
    for path in paths:
        findings = check_file(path)
        status |= any(not f.supported for f in findings)
        results[path] = [dataclasses.asdict(f) for f in findings]
        if not as_json:
            print(report(findings, path))
    if as_json:
        print(json.dumps(results, indent=1))
    return int(status)


def migrate(path, write=False, show_diff=False):
    from cornu.compat.script_migrate import diff, migrate_source
    from cornu.utils.files import atomic_path
    with open(path, encoding="utf-8") as f:
        source = f.read()
    new, found, left = migrate_source(source)
    if write:
        if new != source:
            with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
                f.write(new)
    if show_diff or not write:
        sys.stdout.write(diff(source, new, path))
    rewritten = len(found) - len(left)
    if left:
        print(f"# cornu migrate: {rewritten} of {len(found)} legacy construct(s) rewritten; left "
              "(the script still runs on cornu where marked so):", file=sys.stderr)
        for f in left:
            status = "runs on cornu" if f.supported else "NOT supported by cornu"
            print(f"#   {f.where()}: {f.kind}: {f.construct} ({status})", file=sys.stderr)
    else:
        print(f"# cornu migrate: fully rewritten ({len(found)} legacy construct(s)).",
              file=sys.stderr)
    return 0 if not left else 1


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="cornu", description="The Keras API on PyTorch.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a script that imports keras, on cornu")
    run.add_argument("--nproc", help="start this many processes (torchrun), data parallel")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER)
    sub.add_parser("info", help="print versions and the device cornu uses")
    chk = sub.add_parser("check", help="list a script's legacy and missing Keras constructs")
    chk.add_argument("scripts", nargs="+")
    chk.add_argument("--json", action="store_true")
    mig = sub.add_parser("migrate", help="rewrite a script in Keras 3 spelling")
    mig.add_argument("script")
    mig.add_argument("-w", "--write", action="store_true", help="rewrite the file in place")
    mig.add_argument("--diff", action="store_true", help="print the diff (the default without -w)")
    if argv and argv[0] == "run" and len(argv) >= 2:
        # Everything after the script belongs to the script, flags included.
        options, rest = _run_options(argv[1:])
        if "nproc" in options and rest:
            return run_distributed(options["nproc"], rest[0], rest[1:])
        if rest:
            run_script(rest[0], rest[1:])
            return 0
    options = parser.parse_args(argv)
    if options.command == "info":
        info()
    elif options.command == "check":
        return check(options.scripts, options.json)
    elif options.command == "migrate":
        return migrate(options.script, options.write, options.diff)
    elif options.nproc is not None:
        return run_distributed(options.nproc, options.script, options.args)
    else:
        run_script(options.script, options.args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
