"""Records Keras 3's public API (module -> names) into cornu/compat/keras3_api.json.

`cornu check`/`cornu migrate` read it to know the modern spelling without Keras installed.
Run with the Keras version cornu follows (3.15.1):  KERAS_BACKEND=torch python tools/keras3_api.py
"""
import importlib
import json
import os
import types


def public_api():
    modules = {}

    def walk(name):
        module = importlib.import_module(name)
        names = sorted(n for n in dir(module) if not n.startswith("_"))
        modules[name] = [n for n in names if not isinstance(getattr(module, n), types.ModuleType)]
        for n in names:
            value = getattr(module, n)
            sub = f"{name}.{n}"
            if (isinstance(value, types.ModuleType) and value.__name__.startswith("keras")
                    and "src" not in value.__name__.split(".") and n != "api" and sub not in modules):
                walk(sub)
    walk("keras")
    return {k: v for k, v in modules.items() if ".src" not in k and ".api" not in k}


if __name__ == "__main__":
    target = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "cornu", "compat", "keras3_api.json")
    with open(target, "w") as f:
        json.dump(public_api(), f, sort_keys=True, separators=(",", ":"))
