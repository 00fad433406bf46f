"""Imports every public name of Keras 1.2, 2.x and 3.x through cornu's `keras` alias.

The table (tests/compat/data/keras_public_names.json) lists each era's modules and names from
their documentation. Each `from <module> import <name>` either imports, or must fail at the
import with an ImportError naming what is missing ("honest"). Anything else is a fault: another
exception, an ImportError that does not name the missing name, or a stand-in (a module handed
out for a name that is not a module).

    python tools/import_sweep.py            # counts per era, then the names that fail
    python tools/import_sweep.py --json     # the whole result, for tests
"""
import importlib
import json
import os
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "tests", "compat", "data", "keras_public_names.json")


def _import(module, name):
    """("ok" | "import_error" | "fault", detail) for `from module import name`."""
    try:
        parent = importlib.import_module(module)
    except ImportError as error:
        honest = module.rpartition(".")[2] in str(error) or module in str(error)
        return ("import_error" if honest else "fault"), str(error)
    except Exception as error:  # noqa: BLE001  (a fault is what the sweep reports)
        return "fault", f"{type(error).__name__}: {error}"
    try:
        namespace = {}
        exec(f"from {module} import {name}", namespace)  # noqa: S102  (the import under test)
        value = namespace[name]
    except ImportError as error:
        return ("import_error" if name in str(error) else "fault"), str(error)
    except Exception as error:  # noqa: BLE001
        return "fault", f"{type(error).__name__}: {error}"
    target = getattr(value, "_cornu_target", None)
    if isinstance(value, types.ModuleType) and target is getattr(parent, "_cornu_target", parent):
        return "fault", f"a stand-in: `{module}.{name}` gave the module {module} itself"
    return "ok", ""


def sweep(table=None):
    sys.path.insert(0, ROOT)
    import cornu
    cornu.install_as_keras()
    with open(table or TABLE) as f:
        data = json.load(f)
    result = {}
    for era in ("keras1", "keras2", "keras3"):
        rows = []
        for module, names in sorted(data[era].items()):
            for name in names:
                status, detail = _import(module, name)
                rows.append({"module": module, "name": name, "status": status, "detail": detail})
        result[era] = rows
    return result


def counts(result):
    out = {}
    for era, rows in result.items():
        out[era] = {s: sum(r["status"] == s for r in rows)
                    for s in ("ok", "import_error", "fault")}
        out[era]["total"] = len(rows)
    return out


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    result = sweep()
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        for era, c in counts(result).items():
            print(f"{era}: {c['total']} names, {c['ok']} import, {c['import_error']} honest "
                  f"ImportError, {c['fault']} other failures")
        for era, rows in result.items():
            for r in rows:
                if r["status"] != "ok":
                    print(f"  {era} {r['status']:12s} {r['module']}.{r['name']}: {r['detail'][:110]}")
