"""The architecture checks import-linter cannot make (run by .ci/run and tests/test_architecture.py).

    python tools/check_architecture.py

1. No import inside a function goes up the layers of the `[tool.importlinter]` contract
   (import-linter reads only module-level imports), except those in the allowlist.
2. No source file under cornu/ passes 600 lines.
3. No modern module (outside cornu/compat/) spells a Keras 1/2 name in code: the old argument
   names of compat's tables and the old class names of compat/aliases.py, as identifiers or
   string literals (comments and docstrings may name them). The allowlist says why each
   exception stays.

The allowlist is tools/architecture_allowlist.toml; an entry that no longer matches anything
is reported too, so the list only shrinks.
"""
import ast
import io
import os
import re
import sys
import tokenize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_graph  # noqa: E402  (the sibling script)

ROOT = import_graph.ROOT
MAX_LINES = 600
ALLOWLIST = os.path.join(ROOT, "tools", "architecture_allowlist.toml")
# compat's tables also hold class-specific old arguments that are ordinary words elsewhere
# (Keras 1's `Dropout(p=)`, `mode=`, `alpha=`); the check looks for the spellings that mean
# an older Keras wherever they appear: these patterns, plus every old class name.
ERA_PATTERN = re.compile(r"^(nb_\w+|\w*_init|init|inner_\w+|[WbU]_\w+|\w+_dim[12]?|"
                         r"border_mode|dim_ordering|subsample\w*|samples_per_epoch|"
                         r"show_accuracy|consume_less|dropout_[WU]|pickle_safe|schedule_decay|"
                         r"atrous_rate|filter_length|pool_length|class_mode)$")
MODERN = {"input_dim", "output_dim", "init", "class_mode"}  # also Keras 3 arguments (Embedding, flow_from_directory)


def read_allowlist(path=ALLOWLIST):
    import tomllib
    with open(path, "rb") as f:
        return tomllib.load(f)


def upward_function_imports(root=ROOT, allowed=()):
    """['importer -> imported (line N)'] for function-local upward imports not allowed."""
    modules = import_graph.module_files(root)
    layers = import_graph.read_layers(root)
    found, used = [], set()
    for importer, imported, line, local in import_graph.upward(import_graph.imports(modules),
                                                               layers):
        if not local:
            continue  # import-linter checks these
        key = f"{importer} -> {imported}"
        if key in allowed:
            used.add(key)
            continue
        found.append(f"{key} (line {line})")
    return found, used


def long_files(root=ROOT, limit=MAX_LINES):
    """['path: N lines'] for each file of cornu/ over `limit` lines."""
    found = []
    for path in sorted(import_graph.module_files(root).values()):
        with open(path, encoding="utf-8") as f:
            count = sum(1 for _ in f)
        if count > limit:
            found.append(f"{os.path.relpath(path, root)}: {count} lines (limit {limit})")
    return found


def era_spellings(root=ROOT):
    """The Keras 1/2 names compat translates (argument names and class names)."""
    sys.path.insert(0, root)
    from cornu.compat import aliases, arguments
    names = set()
    for table in list(arguments.TABLES.values()) + list(arguments.CLASS_ARGS.values()):
        names |= {name for name in table if ERA_PATTERN.match(name)}
    return (names - MODERN) | set(aliases.LAYERS)


def _docstring_lines(tree):
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def era_spellings_in_code(root=ROOT, allowed=()):
    """['path:line: name'] where modern code spells an era name; `allowed` holds paths."""
    spellings = era_spellings(root)
    found, used = [], set()
    for path in sorted(import_graph.module_files(root).values()):
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        if rel.startswith("cornu/compat/"):
            continue
        with open(path, encoding="utf-8") as f:
            source = f.read()
        docstrings = _docstring_lines(ast.parse(source))
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NAME:
                word = token.string
            elif token.type == tokenize.STRING and token.start[0] not in docstrings:
                try:
                    word = ast.literal_eval(token.string)
                except (ValueError, SyntaxError):
                    continue
            else:
                continue
            if isinstance(word, str) and word in spellings:
                if rel in allowed:
                    used.add(rel)
                else:
                    found.append(f"{rel}:{token.start[0]}: {word}")
    return found, used


def main():
    allow = read_allowlist()
    allowed_imports = allow.get("upward_imports", {})
    allowed_spellings = allow.get("era_spellings", {})
    problems = []
    upward, used_imports = upward_function_imports(allowed=allowed_imports)
    problems += [f"upward import inside a function: {u}" for u in upward]
    problems += [f"file too long: {f}" for f in long_files()]
    spelled, used_paths = era_spellings_in_code(allowed=allowed_spellings)
    problems += [f"Keras 1/2 spelling outside cornu/compat: {s}" for s in spelled]
    problems += [f"allowlist entry matches nothing (remove it): {k}"
                 for k in set(allowed_imports) - used_imports]
    problems += [f"allowlist entry matches nothing (remove it): {k}"
                 for k in set(allowed_spellings) - used_paths]
    for problem in problems:
        print(problem)
    print(f"architecture check: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
