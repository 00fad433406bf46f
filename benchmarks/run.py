"""cornu against hand-written PyTorch and real Keras 3, on the course notes' workloads.

    python -m benchmarks.run                 # the suite (a few minutes; Keras runs included)
    python -m benchmarks.run --quick         # a smoke run of everything (under a minute)
    python -m benchmarks.run --only mnist_mlp,evaluate --no-keras
    python -m benchmarks.run --under-load    # the same with one core taken by a busy loop

cornu and the hand-written PyTorch loop run in this process, alternating (so drifts in the
machine's speed hit both); each number is the median over repeats, and a ratio is a ratio of
medians from the same run. Keras 3 (torch backend) runs in a subprocess, when it is installed.
Peak memory of fit on MNIST is measured per side in processes of their own (benchmarks/memory.py).
`jit` is cornu with `compile(..., jit_compile=True)`: its compile time is reported apart from its
step time, with the number of steps after which compiling pays off.

Prints a table and writes JSON to benchmarks/results/ (latest.json and a time-stamped copy).
"""
import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import torch

from benchmarks import load, workloads
from benchmarks.workloads import BY_NAME, WORKLOADS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")
REPEATS = {"mnist_mlp": 3, "mnist_cnn": 3, "nin_cnn": 3, "cifar10_cnn": 3,
           "cifar10_notes_cnn": 3, "imdb_lstm": 3}
JIT_REPEATS = 3


def _median(values):
    return statistics.median(values) if values else None


def _run(fn):
    gc.collect()
    return fn()


def measure(workload, size, repeats, jit=True, jit_all=False, log=print):
    """cornu and PyTorch (and cornu with jit_compile=True) on one workload, in this process."""
    import cornu
    started = time.time()
    entry = {"title": workload.title, "unit": workload.unit, "target": workload.target}
    missing = workload.missing_layers(cornu)
    if missing:
        entry["cornu_na"] = f"n/a (layer not available: {', '.join(missing)})"
    # Warm-up at the smallest size: first-call costs (kernels, allocator) hit neither side's timing.
    if not missing:
        _run(lambda: workload.run_api(cornu, "smoke"))
    _run(lambda: workload.run_torch("smoke"))
    cornu_runs, torch_runs, reference_runs = [], [], []
    reference = getattr(workload, "run_reference", None)  # a cornu run to compare cornu with
    for i in range(repeats):
        sides = [("torch", torch_runs)] + ([] if missing else [("cornu", cornu_runs)])
        if reference is not None and not missing:
            sides.append(("reference", reference_runs))
        for side, runs in (sides if i % 2 else sides[::-1]):
            fn = {"torch": lambda: workload.run_torch(size),
                  "cornu": lambda: workload.run_api(cornu, size),
                  "reference": lambda: reference(cornu, size)}[side]
            runs.append(_run(fn))
    if reference_runs:
        entry["reference"] = workload.reference
        entry["reference_target"] = workload.reference_target
        entry["reference_s"] = [r.seconds for r in reference_runs]
    steps = torch_runs[0].steps
    entry["steps"] = steps
    entry["torch_s"] = [r.seconds for r in torch_runs]
    if cornu_runs:
        entry["cornu_s"] = [r.seconds for r in cornu_runs]
    if jit and (workload.jit or jit_all and workload.fits) and not missing:
        jit_runs = [_run(lambda: workload.run_api(cornu, size, jit_compile=True))
                    for _ in range(JIT_REPEATS)]
        info = [r.extra for r in jit_runs]
        if any(i.get("fallback") for i in info):
            entry["jit_na"] = f"fell back to eager: {info[0].get('fallback')}"
        else:  # compile time: wall seconds the trainer spent compiling; steps: a second fit
            entry["jit_compile_s"] = [i.get("compile_seconds", 0.0) for i in info]
            entry["jit_compiles"] = [i.get("compiles", 0) for i in info]
            entry["jit_step_s"] = [r.seconds for r in jit_runs]
    details = getattr(workload, "details", None)  # what explains the ratios (data_workloads)
    if details is not None and not missing:
        entry["details"] = _run(lambda: details(cornu, size, entry))
    entry["elapsed_s"] = time.time() - started
    log(f"  {workload.name}: {entry['elapsed_s']:.0f}s")
    return entry


def run_keras(names, size, repeats, timeout, clock="wall", threads=None, log=print):
    env = dict(os.environ, KERAS_BACKEND="torch")
    cmd = [sys.executable, "-m", "benchmarks.keras_worker", "--size", size, "--clock", clock,
           "--repeats", str(repeats), *names] + (["--threads", str(threads)] if threads else [])
    log(f"  Keras 3 (torch backend) in a subprocess: {', '.join(names)}")
    started = time.time()
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"_error": f"timed out after {timeout}s"}
    log(f"  Keras: {time.time() - started:.0f}s")
    if done.returncode != 0:
        return {"_error": (done.stderr or "").strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_memory(size, sides, threads=None, timeout=300):
    out = {}
    for side in sides:
        env = dict(os.environ, KERAS_BACKEND="torch")
        extra = ["--threads", str(threads)] if threads else []
        try:
            done = subprocess.run([sys.executable, "-m", "benchmarks.memory", side, "--size", size,
                                   *extra],
                                  cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=timeout)
            out[side] = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 \
                else {"error": (done.stderr or "failed").strip().splitlines()[-1]}
        except (subprocess.TimeoutExpired, IndexError, ValueError) as error:
            out[side] = {"error": str(error)}
    return out


def keras_available():
    import importlib.util
    return importlib.util.find_spec("keras") is not None


# ---------------------------------------------------------------------- report
def summarize(entry):
    """Per-unit medians (ms) and ratios for one workload entry."""
    steps = entry["steps"]
    per = lambda key: None if key not in entry else _median(entry[key]) / steps * 1e3
    entry["torch_ms"] = per("torch_s")
    entry["cornu_ms"] = per("cornu_s")
    entry["keras_ms"] = per("keras_s")
    if entry["cornu_ms"] is not None:
        entry["cornu_over_torch"] = entry["cornu_ms"] / entry["torch_ms"]
        target = entry["target"]
        entry["target_met"] = target is None or entry["cornu_over_torch"] <= target
        if entry["keras_ms"] is not None:
            entry["keras_over_cornu"] = entry["keras_ms"] / entry["cornu_ms"]
    if entry.get("keras_ms") is not None:
        entry["keras_over_torch"] = entry["keras_ms"] / entry["torch_ms"]
    if entry.get("reference_s") and entry["cornu_ms"] is not None:
        entry["reference_ms"] = per("reference_s")
        entry["cornu_over_reference"] = entry["cornu_ms"] / entry["reference_ms"]
        entry["reference_target_met"] = entry["cornu_over_reference"] <= entry["reference_target"]
    if "jit_step_s" in entry:
        jit_ms = per("jit_step_s")
        entry["jit_ms"] = jit_ms
        # The first compile in this process (later ones reuse dynamo's and inductor's caches).
        entry["jit_compile_s_first"] = entry["jit_compile_s"][0]
        entry["jit_compile_s_median"] = _median(entry["jit_compile_s"])
        entry["jit_over_torch"] = jit_ms / entry["torch_ms"]
        if entry["cornu_ms"] is not None and jit_ms < entry["cornu_ms"]:
            saved = (entry["cornu_ms"] - jit_ms) / 1e3
            entry["jit_pays_off_after_steps"] = {
                which: int(entry[f"jit_compile_s_{which}"] / saved) + 1
                for which in ("first", "median")}
    return entry


def _fmt(value, digits=3):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}f}"


def _pays_off(steps):
    if not steps:
        return "-"
    return f"{steps['first']}/{steps['median']} steps"


def table(results):
    head = ["workload", "unit", "cornu ms", "torch ms", "keras ms", "cornu/torch", "target",
            "keras/cornu", "jit ms", "jit/torch", "compile s", "pays off after"]
    rows = [head]
    for name, e in results["workloads"].items():
        ratio = e.get("cornu_over_torch")
        mark = "" if ratio is None or e["target"] is None else \
            (" ok" if e["target_met"] else " MISS")
        rows.append([
            name, e["unit"],
            e.get("cornu_na", "n/a")[:28] if e.get("cornu_ms") is None else _fmt(e["cornu_ms"]),
            _fmt(e.get("torch_ms")),
            e.get("keras_na", "-")[:16] if e.get("keras_ms") is None else _fmt(e["keras_ms"]),
            "-" if ratio is None else f"{ratio:.2f}x{mark}",
            "-" if e["target"] is None else f"<={e['target']:.2f}x",
            "-" if e.get("keras_over_cornu") is None else f"{e['keras_over_cornu']:.1f}x",
            _fmt(e.get("jit_ms")) if "jit_ms" in e else (e.get("jit_na", "-")[:20]),
            "-" if e.get("jit_over_torch") is None else f"{e['jit_over_torch']:.2f}x",
            "-" if e.get("jit_compile_s_median") is None else
            f"{e['jit_compile_s_first']:.1f}/{e['jit_compile_s_median']:.1f}",
            _pays_off(e.get("jit_pays_off_after_steps")),
        ])
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    against = [(n, e) for n, e in results["workloads"].items() if "cornu_over_reference" in e]
    if against:
        lines.append("")
        lines.append("cornu against cornu (the same model fed another way):")
        for name, e in against:
            lines.append(f"  {name}: {_fmt(e['cornu_ms'])} ms vs {e['reference']} "
                         f"{_fmt(e['reference_ms'])} ms = {e['cornu_over_reference']:.2f}x "
                         f"(target <={e['reference_target']:.2f}x: "
                         f"{'ok' if e['reference_target_met'] else 'MISS'})")
    for name, e in results["workloads"].items():
        if "details" in e:
            lines.append("")
            lines.extend(BY_NAME[name].report(e["details"]))
    mem = results.get("memory")
    if mem:
        lines.append("")
        lines.append("fit on MNIST, peak RSS (MiB): peak minus RSS after imports "
                     "[training's own increment]")
        base = mem.get("torch", {})
        for side in ("cornu", "torch", "keras"):
            m = mem.get(side)
            if not m:
                continue
            if "error" in m:
                lines.append(f"  {side:6s} error: {m['error']}")
                continue
            ratio = ""
            if side != "torch" and "peak_minus_imports" in base:
                ratio = (f"   {m['peak_minus_imports'] / base['peak_minus_imports']:.2f}x torch "
                         f"[{m['fit_increment'] / max(base['fit_increment'], 1e-9):.2f}x]")
            lines.append(f"  {side:6s} {m['peak_minus_imports']:7.1f} "
                         f"[{m['fit_increment']:6.1f}]{ratio}")
        if "cornu" in mem and "peak_minus_imports" in mem.get("cornu", {}) and \
                "peak_minus_imports" in base:
            ratio = mem["cornu"]["peak_minus_imports"] / base["peak_minus_imports"]
            lines.append(f"  cornu/torch peak: {ratio:.2f}x (target <=1.20x: "
                         f"{'ok' if ratio <= 1.2 else 'MISS'})")
    return "\n".join(lines)


def _warn_if_busy(clock):
    load = os.getloadavg()[0]
    if clock == "wall" and load > 0.5 * (os.cpu_count() or 1) + 0.5:
        print(f"  warning: the machine is busy (load average {load:.1f} on {os.cpu_count()} "
              "cores): wall-clock timings are noisy; --clock cpu --threads 1 is steadier.",
              flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--only", default="", help="comma-separated workload names: " +
                        ", ".join(BY_NAME))
    parser.add_argument("--no-keras", action="store_true", help="skip the Keras 3 runs")
    parser.add_argument("--no-jit", action="store_true", help="skip the jit_compile=True runs")
    parser.add_argument("--jit-all", action="store_true",
                        help="jit runs for every fit workload (default: the tiny ones, 1-2)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per side (default 5)")
    parser.add_argument("--keras-repeats", type=int, default=None,
                        help="Keras runs per workload (default 1: they take minutes)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: torch's, one per core)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall time (default) or process CPU time, steadier on a busy machine")
    parser.add_argument("--output", default=RESULTS, help="folder for the JSON results")
    parser.add_argument("--under-load", action="store_true",
                        help="one core taken by a busy-loop process for the whole run")
    args = parser.parse_args(argv)
    with load.busy_cores(1 if args.under_load else 0) as under_load:
        return _main(args, parser, under_load)


def _main(args, parser, under_load):
    if args.threads:
        torch.set_num_threads(args.threads)
    workloads.set_clock(args.clock)

    names = [n.strip() for n in args.only.split(",") if n.strip()] or [w.name for w in WORKLOADS]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; known: {', '.join(BY_NAME)}")
    size = "quick" if args.quick else "full"
    started = time.time()
    results = {"size": size, "machine": {
        "python": platform.python_version(), "torch": torch.__version__,
        "threads": torch.get_num_threads(), "cpu": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(), "clock": args.clock, "load_before": os.getloadavg(),
        "under_load": under_load},
        "workloads": {}}
    print(f"cornu benchmarks ({size}; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {args.clock} clock"
          f"{'; UNDER LOAD: ' + under_load if under_load else ''})", flush=True)
    _warn_if_busy(args.clock)
    for name in names:
        workload = BY_NAME[name]
        repeats = args.repeats or (1 if args.quick else REPEATS.get(name, 5))
        results["workloads"][name] = measure(workload, size, repeats, jit=not args.no_jit,
                                             jit_all=args.jit_all,
                                             log=lambda m: print(m, flush=True))
    if not args.no_keras:
        if keras_available():
            keras = run_keras(names, size, args.keras_repeats or 1,
                              timeout=420, clock=args.clock, threads=args.threads,
                              log=lambda m: print(m, flush=True))
            for name in names:
                entry, got = results["workloads"][name], keras.get(name, {})
                if "seconds" in got:
                    entry["keras_s"] = got["seconds"]
                else:
                    entry["keras_na"] = got.get("error") or str(keras.get("_error", "n/a"))
            results["keras"] = {k: v for k, v in keras.items() if k.startswith("_")}
            cnn = results["workloads"].get("mnist_cnn")
            if cnn is not None:
                import importlib.util
                cnn["keras_tensorflow"] = "n/a (tensorflow not installed)" if \
                    importlib.util.find_spec("tensorflow") is None else "not run"
        else:
            for entry in results["workloads"].values():
                entry["keras_na"] = "n/a (keras not installed)"
    if not args.no_memory and "mnist_mlp" in names:
        print("  memory: fit on MNIST, one process per side", flush=True)
        sides = ["cornu", "torch"] + (["keras"] if not args.no_keras and keras_available() else [])
        results["memory"] = run_memory(size, sides, threads=args.threads)
    for entry in results["workloads"].values():
        summarize(entry)
    results["seconds"] = time.time() - started
    results["machine"]["load_after"] = os.getloadavg()
    print()
    if under_load:
        print(f"UNDER LOAD: {under_load}")
    print(table(results))
    print("  (ms: median time per unit; jit: compile(jit_compile=True), its compile time (wall s, "
          "first in this process / median) apart from its steps)")
    _warn_if_busy(args.clock)
    print(f"\n(total {results['seconds']:.0f}s)")
    os.makedirs(args.output, exist_ok=True)
    stamp, label = time.strftime("%Y%m%d-%H%M%S"), "-under-load" if under_load else ""
    for file in (f"{stamp}-{size}{label}.json", f"latest-{size}{label}.json"):
        with open(os.path.join(args.output, file), "w") as f:
            json.dump(results, f, indent=1, default=str)
    latest = os.path.join(args.output, f"latest-{size}{label}.json")
    print(f"results: {os.path.relpath(latest, ROOT)}")
    return results


if __name__ == "__main__":
    main()
