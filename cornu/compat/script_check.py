"""`cornu check`: what a Keras script uses that is legacy, missing, or TensorFlow itself.

The script is parsed, never run. Names are resolved the way the script's imports bind them
(`from keras.layers.core import Dense`, `import keras.backend as K`, `import tensorflow as tf`),
then looked up twice: in cornu (does it run here?) and in Keras 3's public API (a list of names
recorded from Keras 3.15 in `keras3_api.json`: is this the modern spelling?). Each legacy
construct is a `Finding`; `cornu migrate` (script_migrate.py) rewrites the ones it can.
"""
import ast
import dataclasses
import functools
import importlib
import inspect
import json
import os
import warnings

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from cornu.compat import arguments as legacy
from cornu.compat.keras_alias import resolve

# Model methods Keras 3 removed, and what replaces each.
REMOVED_METHODS = {"fit_generator": "fit", "evaluate_generator": "evaluate",
                   "predict_generator": "predict", "predict_proba": "predict",
                   "predict_classes": "predict_classes(model, x)"}
FIT_METHODS = {"fit", "fit_generator", "evaluate", "evaluate_generator"}


@dataclasses.dataclass
class Finding:
    line: int
    kind: str          # module path, name, argument, signature, method, missing, tensorflow, backend
    construct: str     # what the script says
    modern: str        # the Keras 3 spelling ("" where there is none)
    supported: bool    # cornu runs it
    rewritable: bool   # `cornu migrate` rewrites it
    cell: int = None   # notebook cell, for .ipynb files

    def where(self):
        return f"cell {self.cell}, line {self.line}" if self.cell is not None else f"line {self.line}"


@functools.lru_cache(maxsize=None)
def keras3_api():
    """Keras 3.15's public modules and their names (recorded by tools/keras3_api.py)."""
    with open(os.path.join(os.path.dirname(__file__), "keras3_api.json")) as f:
        return {module: frozenset(names) for module, names in json.load(f).items()}


def normalize(path):
    """`tensorflow.keras.X` is `keras.X`; other paths are returned as they are."""
    if path == "tensorflow.keras" or path.startswith("tensorflow.keras."):
        return path[len("tensorflow."):]
    return path


def in_keras3(path):
    module, _, name = path.rpartition(".")
    return path in keras3_api() or name in keras3_api().get(module, ())


def lookup(path):
    """The cornu object for a `keras...` dotted path, or None where cornu lacks it."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        target = resolve(".".join(parts[:cut]))
        if target is None:
            continue
        try:
            obj = importlib.import_module(target)
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
            return obj
        except (ImportError, AttributeError):
            return None
    return None


# compat modules that serve an old path with its legacy extras, and the Keras 3 module that
# holds the rest of their names.
COMPAT_HOMES = {"cornu.compat.np_utils": "keras.utils", "cornu.compat.generic_utils": "keras.utils"}


def _graph_only():
    from cornu import backend
    return getattr(backend, "_GRAPH_ONLY", ())


def modern_module_for(path):
    """The Keras 3 module that a legacy module path (`keras.utils.np_utils`) became."""
    target = resolve(path)
    if target in COMPAT_HOMES:
        return COMPAT_HOMES[target]
    homes = sorted((m for m in keras3_api() if resolve(m) == target
                    and not m.startswith("keras.legacy")), key=len)
    return homes[0] if homes else None


def modern_module(module, name):
    """The Keras 3 module to import `name` from, in place of the legacy `module`."""
    api = keras3_api()
    target = resolve(module)
    preferred = [m for m in api if resolve(m) == target and not m.startswith("keras.legacy")]
    preferred.sort(key=len)
    for candidate in preferred + ["keras.layers", "keras.models", "keras.utils", "keras"]:
        if name in api.get(candidate, ()):
            return candidate
    return None


def is_module_path(path):
    """A module of the keras table (`keras.utils.np_utils`), not a name in one."""
    from cornu.compat.modules import MODULES
    return path in MODULES


def modern_name(path, obj):
    """Keras 3's spelling of a legacy alias (`Convolution2D` -> `Conv2D`), or None."""
    module, _, name = path.rpartition(".")
    canonical = getattr(obj, "__name__", name)
    if inspect.isclass(obj) and canonical != name:
        home = modern_module(module, canonical) or module
        if canonical in keras3_api().get(home, ()):
            return canonical
    return None


def class_names(obj, spelled):
    if not inspect.isclass(obj):
        return [spelled]
    return [spelled] + [c.__name__ for c in obj.__mro__]


def table_for(obj):
    """Which legacy argument table applies to calls of `obj`."""
    if not inspect.isclass(obj):
        return None
    bases = {c.__name__ for c in obj.__mro__}
    if "Optimizer" in bases:
        return "optimizer"
    if "Layer" in bases or "Model" in bases:
        return "layer"
    return None


def positional_count(obj):
    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return 0
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


def literal(node):
    """The Python value of a literal expression node, or raises ValueError."""
    code = cst.Module(body=[]).code_for_node(node)
    return ast.literal_eval(code)


class Bindings(cst.CSTVisitor):
    """Local names bound by imports, as dotted paths (`K` -> `keras.backend`)."""

    def __init__(self):
        self.names = {}

    def visit_Import(self, node):
        for alias in node.names:
            full = dotted(alias.name)
            if alias.asname is not None:
                self.names[alias.asname.name.value] = normalize(full)
            else:
                root = full.split(".")[0]
                self.names[root] = root

    def visit_ImportFrom(self, node):
        if node.module is None or node.relative or isinstance(node.names, cst.ImportStar):
            return
        module = dotted(node.module)
        for alias in node.names:
            local = alias.asname.name.value if alias.asname else alias.name.value
            self.names[local] = normalize(f"{module}.{dotted(alias.name)}")


def dotted(node):
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def resolved(node, names):
    """The dotted path an expression names through the script's imports, or None."""
    path = dotted(node)
    if path is None:
        return None
    root, _, rest = path.partition(".")
    if root not in names:
        return None
    full = names[root] + ("." + rest if rest else "")
    return normalize(full)


def is_keras(path):
    return path is not None and (path == "keras" or path.startswith("keras."))


def argument_findings(path, obj, call, line):
    """Legacy keywords and positional signatures in a call of a Keras class."""
    kind = table_for(obj)
    out = []
    if kind is None and not (inspect.isclass(obj) and obj.__name__ == "Model"):
        return out
    names = class_names(obj, path.rpartition(".")[2])
    tables = [legacy.CLASS_ARGS.get(n, {}) for n in names] + [legacy.TABLES[kind or "layer"]]
    for arg in call.args:
        if arg.keyword is None:
            continue
        key = arg.keyword.value
        rule = next((t[key] for t in tables if key in t), "absent")
        if rule == "absent" or rule is None:
            continue
        modern = f"{rule}=" if isinstance(rule, str) else rule_text(key, arg, call, names, tables)
        out.append(Finding(line, "argument", f"{key}=", modern or "", True, modern is not None))
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    spec = next((legacy.POSITIONAL[n] for n in names if n in legacy.POSITIONAL), None)
    if spec and len(positional) > 1:
        rewritten = positional_rewrite(obj, names, call)
        if rewritten is not None:
            out.append(Finding(line, "signature", f"{names[0]}({len(positional)} positionals)",
                               ", ".join(f"{k}={v!r}" for k, v in rewritten[1].items()), True, True))
    return out


def keyword_literals(call):
    values = {}
    for arg in call.args:
        if arg.keyword is not None:
            try:
                values[arg.keyword.value] = literal(arg.value)
            except (ValueError, SyntaxError):
                values[arg.keyword.value] = NotLiteral
    return values


class NotLiteral:
    """A keyword whose value is not a literal: rules that must read it cannot run."""


def apply_rule(key, call, names, tables):
    """Runs a legacy rule on literal values; the modern keywords, or None when it cannot."""
    rule = next((t[key] for t in tables if key in t), None)
    values = keyword_literals(call)
    if values.get(key) is NotLiteral and key != "decay":
        return None
    others = {k: v for k, v in values.items() if k != key}
    if key == "decay":
        return {} if values[key] in (0, 0.0) else "decay"  # a schedule, built by the rewriter
    if key == "epsilon" and values[key] is not None:
        return {}
    if any(v is NotLiteral for v in others.values()) and key in ("input_dim", "input_length"):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return rule(values[key], dict(others))
        except Exception:  # a value the rule refuses: cornu raises the same at run time
            return None


def rule_text(key, arg, call, names, tables):
    new = apply_rule(key, call, names, tables)
    if new is None:
        return None
    if new == "decay":
        return "learning_rate=keras.optimizers.schedules.InverseTimeDecay(...)"
    return ", ".join(f"{k}={v!r}" for k, v in new.items()) or "(removed: no effect in Keras 3)"


def positional_rewrite(obj, names, call):
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    try:
        values = [literal(a.value) for a in positional]
    except (ValueError, SyntaxError):
        return None
    keywords = {a.keyword.value: None for a in call.args if a.keyword is not None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rest, kwargs = legacy.translate_positional(names, tuple(values), positional_count(obj),
                                                   names[0], keywords)
    return (rest, kwargs) if kwargs else None


class Checker(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, names):
        self.names = names
        self.tf_names = {n for n, p in names.items() if p == "tensorflow"}
        self.findings = []

    def line(self, node):
        return self.get_metadata(PositionProvider, node).start.line

    def add(self, node, *args):
        self.findings.append(Finding(self.line(node), *args))

    def visit_ImportFrom(self, node):
        if node.module is None or node.relative:
            return
        module = normalize(dotted(node.module))
        if module.split(".")[0] == "tensorflow":
            return self._tensorflow(node, module)
        if not is_keras(module):
            return
        if isinstance(node.names, cst.ImportStar):
            return
        spelled = dotted(node.module)
        if spelled != module:
            self.add(node, "tensorflow", spelled, module, True, True)
        legacy_module = module not in keras3_api()
        homes = set()
        for alias in node.names:
            name = alias.name.value
            homes.add(self._name(node, f"{module}.{name}", legacy_module))
        if legacy_module:
            home = ", ".join(sorted(h for h in homes if h)) if all(homes) else ""
            self.add(node, "module path", module, home, True, bool(home))

    def visit_Import(self, node):
        for alias in node.names:
            module = normalize(dotted(alias.name))
            if module.split(".")[0] == "tensorflow":
                continue  # a bare `import tensorflow` is judged by what the script uses of it
            if is_keras(module) and module not in keras3_api() and resolve(module) is not None:
                self.add(node, "module path", f"import {module}", "", True, False)
            elif is_keras(module) and resolve(module) is None:
                self.add(node, "missing", f"import {module}", "", False, False)

    def _name(self, node, path, legacy_module):
        module, _, name = path.rpartition(".")
        obj = lookup(path)
        if obj is None and resolve(path) is None:
            self.add(node, "missing", f"{module}.{name}", "", False, False)
            return
        new = modern_name(path, obj) if obj is not None else None
        if is_module_path(path) and not in_keras3(path):
            # `from keras.utils import np_utils`: its uses become `keras.utils.X`
            home = modern_module_for(path)
            self.add(node, "module path", path, home or "", True, home is not None)
            return home or module
        home = module
        if legacy_module:
            home = modern_module(module, new or name)
        if (home is None or not legacy_module) and new is None and not in_keras3(path):
            self.add(node, "name", name, "(no Keras 3 equivalent)", True, False)
        if new is not None:
            self.add(node, "name", name, new, True, True)
        return home

    def _tensorflow(self, node, module):
        if module == "tensorflow" and not isinstance(node.names, cst.ImportStar) and all(
                a.name.value == "keras" for a in node.names):
            self.add(node, "tensorflow", "from tensorflow import keras", "import keras", True, True)
        elif not is_keras(normalize(module)):
            self.add(node, "tensorflow", f"from {module} import ...", "", False, False)

    def visit_Attribute(self, node):
        spelled, path = dotted(node), resolved(node, self.names)
        if path and spelled and spelled.split(".")[0] in self.tf_names and path.count(".") == 1 \
                and is_keras(path) and spelled.count(".") == 2:
            # `tf.keras.layers`: one finding per use of tf.keras
            self.add(node, "tensorflow", spelled, path, True, True)

    def visit_Call(self, node):
        path = resolved(node.func, self.names)
        if path == "tensorflow.random.set_seed":
            self.add(node, "tensorflow", "tf.random.set_seed", "keras.utils.set_random_seed",
                     True, True)
            return
        if path is not None and path.split(".")[0] == "tensorflow":
            self.add(node, "tensorflow", path.replace("tensorflow", "tf", 1), "", False, False)
            return
        if is_keras(path):
            obj = lookup(path)
            module, _, name = path.rpartition(".")
            backend = resolve(module) == "cornu.backend" and name not in keras3_api()["keras.backend"]
            if obj is None and not (backend and name in _graph_only()):
                self.add(node, "missing", path, "", False, False)
                return
            if backend:
                self._backend(node, name)
            if obj is None:
                return
            for finding in argument_findings(path, obj, node, self.line(node)):
                self.findings.append(finding)
            return
        if isinstance(node.func, cst.Attribute):
            self._method(node, node.func.attr.value)

    def _backend(self, node, name):
        graph_only = name in _graph_only()
        ops = f"keras.ops.{name}" if name in keras3_api()["keras.ops"] else ""
        self.add(node, "backend", f"K.{name}", ops and f"{ops} (check: K.* semantics differ)",
                 not graph_only, False)

    def _method(self, node, method):
        if method in REMOVED_METHODS:
            positional = sum(a.keyword is None for a in node.args)
            ok = method != "fit_generator" or positional <= 1 or "steps_per_epoch" in {
                a.keyword.value for a in node.args if a.keyword is not None}
            self.add(node, "method", f".{method}()", REMOVED_METHODS[method], True, ok)
        if method in FIT_METHODS or method == "compile":
            table = legacy.COMPILE_ARGS if method == "compile" else legacy.FIT_ARGS
            for arg in node.args:
                key = arg.keyword.value if arg.keyword is not None else None
                if key in table:
                    rule = table[key]
                    rewritable = isinstance(rule, str) or rule is legacy._drop or (
                        key == "samples_per_epoch" and method == "fit")
                    modern = f"{rule}=" if isinstance(rule, str) else (
                        "(removed)" if rule is legacy._drop else "steps_per_epoch=")
                    self.add(node, "argument", f"{key}=", modern, True, rewritable)


def parse_source(source):
    """Code cells of a notebook (IPython magics blanked), or the script itself as one cell."""
    if source.lstrip().startswith("{") and '"cells"' in source:
        cells = [c for c in json.loads(source)["cells"] if c.get("cell_type") == "code"]
        return [("".join(c["source"]) if isinstance(c["source"], list) else c["source"])
                for c in cells], True
    return [source], False


def blank_magics(code):
    lines = code.splitlines(keepends=True)
    return "".join(("#" + line[1:]) if line.lstrip().startswith(("%", "!")) else line
                   for line in lines)


def check_source(source):
    """Every legacy, missing or TensorFlow construct in a script or notebook's source."""
    cells, notebook = parse_source(source)
    modules = [cst.parse_module(blank_magics(code)) for code in cells]
    names = {}
    for module in modules:  # a notebook's imports bind names for every later cell
        binder = Bindings()
        module.visit(binder)
        names.update(binder.names)
    findings = []
    for index, module in enumerate(modules):
        checker = Checker(names)
        MetadataWrapper(module).visit(checker)
        for finding in checker.findings:
            finding.cell = index + 1 if notebook else None
            findings.append(finding)
    return findings


def check_file(path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    try:
        return check_source(source)
    except cst.ParserSyntaxError as error:
        raise SyntaxError(f"{path}: not valid Python ({error.message}, line {error.raw_line})") \
            from None


def report(findings, path):
    if not findings:
        return f"{path}: no legacy constructs; cornu and Keras 3 run it as written."
    rows = [f"{path}:"]
    for f in findings:
        modern = f" -> {f.modern}" if f.modern else ""
        status = "runs on cornu" if f.supported else "NOT supported by cornu"
        rewrite = "migrate rewrites it" if f.rewritable else "migrate leaves it"
        rows.append(f"  {f.where()}: {f.kind}: {f.construct}{modern} ({status}; {rewrite})")
    unsupported = sum(not f.supported for f in findings)
    rows.append(f"{len(findings)} finding(s); " + (
        f"{unsupported} not supported: cornu would stop there." if unsupported
        else "cornu runs it as written."))
    return "\n".join(rows)
