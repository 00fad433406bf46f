"""Counts of the bad-input catalogue (tests/reliability/test_bad_*.py), read from its tables.

    PYTHONPATH=. python tools/reliability_counts.py [--markdown]

A catalogue table is a module-level list of rows `(id, fn, exception, *message words)` (see
tests/reliability/catalogue.py). This prints the cases per group (file and table), the errors by
kind (the exception class a case expects; a case that accepts either of two classes counts
under both names joined by "or"), and how many tests per file check that cornu *accepts* what
Keras 3 accepts (the collected tests that are not table rows). Nothing is hand-counted.
"""
import collections
import contextlib
import glob
import importlib
import io
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _kind(exc):
    if exc is None:
        return None
    if isinstance(exc, tuple):
        return " or ".join(e.__name__ for e in exc)
    return exc.__name__


def _is_row(row):
    return (isinstance(row, tuple) and len(row) >= 3 and isinstance(row[0], str)
            and callable(row[1]) and (row[2] is None or isinstance(row[2], (type, tuple))))


def tables():
    """{(module name, table name): [rows]} for every catalogue module."""
    sys.path.insert(0, ROOT)
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "reliability", "test_bad_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        module = importlib.import_module(f"tests.reliability.{name}")
        for attr, value in vars(module).items():
            if isinstance(value, list) and value and all(_is_row(r) for r in value):
                found[(name, attr)] = value
    return found


def collected():
    """{module name: number of tests pytest collects} (parametrized cases counted one by one)."""
    import pytest

    class Collector:
        def __init__(self):
            self.counts = collections.Counter()

        def pytest_collection_modifyitems(self, items):
            for item in items:
                self.counts[os.path.splitext(os.path.basename(str(item.fspath)))[0]] += 1

    plugin = Collector()
    files = sorted(glob.glob(os.path.join(ROOT, "tests", "reliability", "test_bad_*.py")))
    with contextlib.redirect_stdout(io.StringIO()):  # pytest's own listing: not the table
        pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "-m", "", *files],
                    plugins=[plugin])
    return plugin.counts


def main(markdown=False):
    found = tables()
    rows_per_module = collections.Counter()
    kinds = collections.Counter()
    lines = []
    for (module, table), rows in found.items():
        errors = [r for r in rows if r[2] is not None]
        rows_per_module[module] += len(errors)
        lines.append((f"{module}.py {table}", len(errors)))
        for row in errors:
            kinds[_kind(row[2])] += 1
    counts = collected()
    accepted = {m: counts[m] - rows_per_module[m] for m in sorted(counts)}
    out = []
    bar = "|" if markdown else ""

    def row(*cells):
        out.append(f"| {' | '.join(str(c) for c in cells)} |" if markdown else
                   "  ".join(f"{c!s:<58}" if i == 0 else f"{c!s:>6}" for i, c in enumerate(cells)))

    row("bad-input cases, per group (file, table)", "cases")
    if bar:
        out.append("|---|---:|")
    for name, n in lines:
        row(name, n)
    row("**all bad-input cases**" if markdown else "ALL bad-input cases", sum(kinds.values()))
    out.append("")
    row("errors by kind (expected exception)", "cases")
    if bar:
        out.append("|---|---:|")
    for kind, n in kinds.most_common():
        row(kind, n)
    out.append("")
    row("tests that cornu accepts what Keras 3 accepts, per file", "tests")
    if bar:
        out.append("|---|---:|")
    for module, n in accepted.items():
        row(f"{module}.py", n)
    row("**all accepted-as-in-Keras tests**" if markdown else "ALL accepted-as-in-Keras tests",
        sum(accepted.values()))
    print("\n".join(out))


if __name__ == "__main__":
    main(markdown="--markdown" in sys.argv)
