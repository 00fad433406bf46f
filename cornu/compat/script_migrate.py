"""`cornu migrate`: rewrites a Keras 1/2/tf.keras script into Keras 3 spelling.

A libcst transformer, so comments and formatting survive. It rewrites what `cornu check` marks
as rewritable, from the same tables cornu reads at run time (compat/arguments.py, the module
table, the class aliases): module paths, class aliases, legacy keywords and positional
signatures, removed model methods, and `tf.keras` spelled through TensorFlow. What depends on
facts only known at run time gets a small helper (`predict_classes`), never a guess; what has no
Keras 3 form (Keras 0.x `Graph`, `Merge`, graph-mode `K.*`) is left and reported.
"""
import difflib
import inspect
import json

import libcst as cst

from cornu.compat import script_check as sc

PREDICT_CLASSES_HELPER = '''


def predict_classes(model, x, **kwargs):
    """Keras 1/2's Sequential.predict_classes (removed in Keras 2.6): added by cornu migrate."""
    probs = model.predict(x, **kwargs)
    return probs.argmax(axis=-1) if probs.shape[-1] > 1 else (probs > 0.5).astype("int32")
'''


def _expr(code):
    return cst.parse_expression(code)


def _dotted_node(path):
    return _expr(path)


class Migrator(cst.CSTTransformer):
    def __init__(self, names):
        self.names = names
        self.renames = {}          # local name -> Keras 3 name (`Convolution2D` -> `Conv2D`)
        self.module_aliases = {}   # local name of a dropped legacy module -> its Keras 3 module
        self.uses_predict_classes = False
        self.needs_keras = False   # a rewrite spelled something as `keras.X`
        self.tf_only_keras = True  # every `tf.X` the script uses is tf.keras or set_seed
        self.changed = False

    # ------------------------------------------------------------------ imports
    def leave_ImportFrom(self, original, updated):
        if original.module is None or original.relative or isinstance(original.names,
                                                                     cst.ImportStar):
            return updated
        spelled = sc.dotted(original.module)
        module = sc.normalize(spelled)
        if module == "tensorflow" and all(a.name.value == "keras" for a in original.names):
            self.changed = True  # `from tensorflow import keras` -> `import keras`
            return cst.Import(names=[cst.ImportAlias(cst.Name("keras"), asname=a.asname)
                                     for a in original.names])
        if not sc.is_keras(module):
            return updated
        groups = {}
        for alias in original.names:
            name = alias.name.value
            path = f"{module}.{name}"
            if sc.is_module_path(path) and not sc.in_keras3(path) and sc.modern_module_for(path):
                # `from keras.utils import np_utils`: dropped; `np_utils.X` becomes `keras.utils.X`
                local = alias.asname.name.value if alias.asname else name
                self.module_aliases[local] = sc.modern_module_for(path)
                self.needs_keras = True
                continue
            obj = sc.lookup(f"{module}.{name}")
            new = sc.modern_name(f"{module}.{name}", obj) if obj is not None else None
            home = module if module in sc.keras3_api() else sc.modern_module(module, new or name)
            if home is None:
                home = module  # no Keras 3 home: left, and reported
            if new is not None and alias.asname is None:
                self.renames[name] = new
            elif new is not None:
                alias = alias.with_changes(name=cst.Name(new))
            groups.setdefault(home, []).append(
                alias.with_changes(name=cst.Name(new)) if new is not None else alias)
        if not groups:
            self.changed = True
            return cst.RemovalSentinel.REMOVE
        if list(groups) == [spelled] and len(groups[spelled]) == len(original.names) and \
                not self.renames.keys() & {
                a.name.value for a in original.names}:
            return updated
        self.changed = True
        statements = []
        for home, aliases in groups.items():
            seen, unique = set(), []
            for alias in aliases:  # `Convolution2D, Conv2D` both become `Conv2D`
                key = (alias.name.value, alias.asname.name.value if alias.asname else None)
                if key not in seen:
                    seen.add(key)
                    unique.append(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
            statements.append(updated.with_changes(module=_dotted_node(home),
                                                   names=unique, lpar=None, rpar=None))
        return cst.FlattenSentinel(statements) if len(statements) > 1 else statements[0]

    def leave_Import(self, original, updated):
        aliases = []
        for alias in updated.names:
            full = sc.dotted(alias.name)
            if full == "tensorflow" and alias.asname is not None and self.tf_only_keras:
                self.changed = True  # `import tensorflow as tf` used only for tf.keras
                aliases.append(alias.with_changes(name=cst.Name("keras"), asname=None))
            else:
                aliases.append(alias)
        return updated.with_changes(names=aliases)

    # ------------------------------------------------------------- expressions
    def leave_Name(self, original, updated):
        if original.value in self.renames:
            self.changed = True
            return updated.with_changes(value=self.renames[original.value])
        return updated

    def leave_Attribute(self, original, updated):
        updated = updated.with_changes(attr=original.attr)  # attribute names are not bindings
        path = sc.resolved(original, self.names)
        if path is None:
            return updated
        spelled = sc.dotted(original)
        if path.startswith("tensorflow."):
            return updated
        root, _, rest = spelled.partition(".")
        if root in self.module_aliases and rest:
            self.changed = True
            return _dotted_node(f"{self.module_aliases[root]}.{rest}")
        if spelled.split(".")[0] != "keras" and not sc.dotted(original).startswith(
                tuple(n for n, p in self.names.items() if p == "tensorflow")):
            return updated
        module, _, name = path.rpartition(".")
        if not sc.is_keras(module) or module in sc.keras3_api() and sc.in_keras3(path):
            if spelled != path and spelled.split(".")[0] in self._tf_names():
                self.changed = self.needs_keras = True
                return _dotted_node(path)  # tf.keras.layers.Dense -> keras.layers.Dense
            return updated
        obj = sc.lookup(path)
        new = sc.modern_name(path, obj) if obj is not None else None
        home = module if module in sc.keras3_api() else sc.modern_module(module, new or name)
        if home is None:
            return updated
        self.changed = True
        return _dotted_node(f"{home}.{new or name}")

    def _tf_names(self):
        return {n for n, p in self.names.items() if p == "tensorflow"}

    def leave_Arg(self, original, updated):
        return updated.with_changes(keyword=original.keyword)

    # ------------------------------------------------------------------- calls
    def leave_Call(self, original, updated):
        path = sc.resolved(original.func, self.names)
        if path == "tensorflow.random.set_seed":
            self.changed = True
            return updated.with_changes(func=_expr("keras.utils.set_random_seed"))
        if sc.is_keras(path):
            obj = sc.lookup(path)
            if obj is not None:
                return self._keras_call(path, obj, original, updated)
            return updated
        if isinstance(original.func, cst.Attribute):
            return self._method_call(original.func.attr.value, original, updated)
        return updated

    def _keras_call(self, path, obj, original, updated):
        kind = sc.table_for(obj)
        if kind is None and not (isinstance(obj, type) and obj.__name__ == "Model"):
            return updated
        names = sc.class_names(obj, path.rpartition(".")[2])
        tables = [sc.legacy.CLASS_ARGS.get(n, {}) for n in names] + [sc.legacy.TABLES[kind or "layer"]]
        args = list(updated.args)
        positional = sc.positional_rewrite(obj, names, original)
        if positional is not None:
            args = self._positional(obj, positional, args)
        out = []
        for arg in args:
            key = arg.keyword.value if arg.keyword is not None else None
            rule = next((t[key] for t in tables if key in t), "absent") if key else "absent"
            if rule == "absent" or rule is None:
                out.append(arg)
                continue
            self.changed = True
            if isinstance(rule, str):
                out.append(arg.with_changes(keyword=cst.Name(rule)))
                continue
            new = sc.apply_rule(key, original, names, tables)
            if new == "decay":
                out.append(arg)  # rebuilt below, with the learning rate
                continue
            if new is None:
                out.append(arg)  # left: reported by check
                continue
            out += [cst.Arg(_expr(repr(v)), keyword=cst.Name(k)) for k, v in new.items()]
        out = self._decay(out)
        return updated.with_changes(args=self._commas(out))

    def _positional(self, obj, positional, args):
        """`Convolution2D(32, 3, 3)` -> `Conv2D(32, (3, 3))`: keywords that are the modern
        signature's leading positionals stay positional."""
        self.changed = True
        rest, kwargs = positional
        kept = [a for a in args if not (a.keyword is None and a.star == "")]
        order = list(inspect.signature(obj).parameters)
        lead = [k for k in order[:len(kwargs)]]
        if lead == list(kwargs) and not rest:
            return [cst.Arg(_expr(repr(v))) for v in kwargs.values()] + kept
        return [cst.Arg(_expr(repr(v))) for v in rest] + [
            cst.Arg(_expr(repr(v)), keyword=cst.Name(k)) for k, v in kwargs.items()] + kept

    def _decay(self, args):
        keys = {a.keyword.value: a for a in args if a.keyword is not None}
        if "decay" not in keys:
            return args
        lr = keys.get("learning_rate") or keys.get("lr")
        decay = keys["decay"]
        try:
            if sc.literal(decay.value) in (0, 0.0):
                return [a for a in args if a is not decay]
        except (ValueError, SyntaxError):
            pass
        if lr is None:
            return args  # Keras 2's default rate is per optimizer: left, and reported
        self.needs_keras = True
        code = (f"keras.optimizers.schedules.InverseTimeDecay("
                f"{cst.Module([]).code_for_node(lr.value)}, decay_steps=1, "
                f"decay_rate={cst.Module([]).code_for_node(decay.value)})")
        out = []
        for a in args:
            if a is decay:
                continue
            out.append(a.with_changes(value=_expr(code)) if a is lr else a)
        return out

    @staticmethod
    def _commas(args):
        out = []
        for i, arg in enumerate(args):
            last = i == len(args) - 1
            if arg.keyword is not None and not isinstance(arg.equal, cst.AssignEqual):
                arg = arg.with_changes(equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace("")))
            if last:
                arg = arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)
            elif not isinstance(arg.comma, cst.Comma):
                arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            out.append(arg)
        return out

    def _method_call(self, method, original, updated):
        if method == "predict_classes":
            self.changed = self.uses_predict_classes = True
            return cst.Call(func=cst.Name("predict_classes"),
                            args=self._commas([cst.Arg(original.func.value)] + list(updated.args)))
        if method in sc.REMOVED_METHODS:
            positional = sum(a.keyword is None for a in original.args)
            keywords = {a.keyword.value for a in original.args if a.keyword is not None}
            if method == "fit_generator" and positional > 1 and "steps_per_epoch" not in keywords:
                return updated  # Keras 1's (generator, samples_per_epoch, nb_epoch): reported
            self.changed = True
            updated = updated.with_changes(func=updated.func.with_changes(
                attr=cst.Name(sc.REMOVED_METHODS[method])))
        table = (sc.legacy.COMPILE_ARGS if method == "compile" else
                 sc.legacy.FIT_ARGS if method in sc.FIT_METHODS else {})
        if not any(a.keyword is not None and a.keyword.value in table for a in updated.args):
            return updated
        self.changed = True
        out = []
        literals = sc.keyword_literals(original)
        for arg in updated.args:
            key = arg.keyword.value if arg.keyword is not None else None
            rule = table.get(key)
            if rule is None:
                out.append(arg)
            elif isinstance(rule, str):
                out.append(arg.with_changes(keyword=cst.Name(rule)))
            elif rule is sc.legacy._drop:
                continue
            elif key == "samples_per_epoch" and method == "fit":
                out.append(cst.Arg(self._steps(arg, literals), keyword=cst.Name("steps_per_epoch")))
            else:
                out.append(arg)
        return updated.with_changes(args=self._commas(out))

    @staticmethod
    def _steps(arg, literals):
        batch = literals.get("batch_size", 32)
        samples = cst.Module([]).code_for_node(arg.value)
        batch = 32 if batch is sc.NotLiteral else batch
        return _expr(f"-(-({samples}) // {batch})")  # ceil(samples / batch_size)


def _tf_only_keras(module, names):
    """Whether every `tf.X` in the script is `tf.keras...` or `tf.random.set_seed`."""
    tf_names = {n for n, p in names.items() if p == "tensorflow"}
    ok = True

    class Uses(cst.CSTVisitor):
        def visit_Attribute(self, node):
            nonlocal ok
            path = sc.dotted(node)
            if path and path.split(".")[0] in tf_names and path.count(".") == 1:
                ok = ok and path.split(".")[1] in ("keras", "random")

        def visit_Call(self, node):
            nonlocal ok
            path = sc.dotted(node.func)
            if path and path.split(".")[0] in tf_names and path.split(".")[1] == "random":
                ok = ok and path.split(".", 1)[1] == "random.set_seed"
    module.visit(Uses())
    return ok and bool(tf_names)


def migrate_code(code, names):
    module = cst.parse_module(sc.blank_magics(code))
    migrator = Migrator(names)
    migrator.tf_only_keras = _tf_only_keras(module, names)
    migrator._tf_alias = None
    new = module.visit(migrator)
    text = new.code
    if migrator.needs_keras and not _binds_keras(new):
        text = _insert_after_imports(text, "import keras\n")
    if migrator.uses_predict_classes:
        text = _insert_after_imports(text, PREDICT_CLASSES_HELPER + "\n")
    return _restore_magics(code, text)


def _binds_keras(module):
    binder = sc.Bindings()
    module.visit(binder)
    return binder.names.get("keras") == "keras"


def _insert_after_imports(text, block):
    module = cst.parse_module(text)
    last = 0
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
            last = i + 1
    head = module.code_for_node(module.with_changes(body=module.body[:last], footer=""))
    tail = module.code_for_node(module.with_changes(body=module.body[last:], header=""))
    sep = "" if head.endswith("\n") or not head else "\n"
    return head + sep + block + ("\n" if tail and not tail.startswith("\n") else "") + tail


def _restore_magics(original, text):
    magics = [line for line in original.splitlines() if line.lstrip().startswith(("%", "!"))]
    for line in magics:
        text = text.replace("#" + line.lstrip()[1:], line.lstrip(), 1) if line else text
    return text


def migrate_source(source):
    """(new source, findings of the original, findings left after the rewrite)."""
    findings = sc.check_source(source)
    cells, notebook = sc.parse_source(source)
    names = {}
    for code in cells:
        binder = sc.Bindings()
        cst.parse_module(sc.blank_magics(code)).visit(binder)
        names.update(binder.names)
    new_cells = [migrate_code(code, names) for code in cells]
    if notebook:
        book = json.loads(source)
        code_cells = [c for c in book["cells"] if c.get("cell_type") == "code"]
        for cell, code in zip(code_cells, new_cells):
            cell["source"] = code.splitlines(keepends=True)
        new = json.dumps(book, indent=1, ensure_ascii=False) + "\n"
    else:
        new = new_cells[0]
    left = [f for f in sc.check_source(new)]
    return new, findings, left


def diff(old, new, path):
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=path, tofile=path + " (Keras 3)"))
