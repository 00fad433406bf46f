"""cornu's import graph, read from the source with `ast` (function-local imports included).

    python tools/import_graph.py            # summary: modules, edges, largest cycle, upward imports
    python tools/import_graph.py --cycle    # also list the modules of the largest cycle
    python tools/import_graph.py --upward   # also list every import that goes up the layers

import-linter sees only the imports Python runs at module load; the imports placed inside
functions (to break a load-time cycle, or to load something heavy late) are edges too, and a
cycle made of them is still a cycle in the design. This script follows both. The layers are the
ones `docs/ARCHITECTURE.md` describes, read from the `[tool.importlinter]` contract in
pyproject.toml so that the two never disagree.
"""
import argparse
import ast
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "cornu"


def module_files(root=ROOT, package=PACKAGE):
    """{module name: file path} for every module of the package."""
    found = {}
    for folder, _, files in os.walk(os.path.join(root, package)):
        for file in files:
            if not file.endswith(".py"):
                continue
            path = os.path.join(folder, file)
            parts = os.path.relpath(path, root)[:-3].split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _resolve(module, node, is_package):
    """The absolute module an ImportFrom names (relative imports resolved)."""
    if not node.level:
        return node.module
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(modules):
    """[(importer, imported, line, local)] for every import of a package module; `local` is
    True for imports inside a function body."""
    edges = []
    for module, path in modules.items():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        is_package = path.endswith("__init__.py")
        for node, local in _walk(tree, False):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, node, is_package)
                # `from cornu import layers` imports the module cornu.layers.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            for target in dict.fromkeys(_known(t, modules) for t in targets):
                if target and target != module:
                    edges.append((module, target, node.lineno, local))
    return edges


def _walk(node, local):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, local
        inner = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        yield from _walk(child, inner)


def _known(name, modules):
    """The longest prefix of `name` that is a package module (None outside the package)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def largest_cycle(nodes, edges):
    """The largest strongly connected component (Tarjan, iterative)."""
    graph = {n: set() for n in nodes}
    for a, b in edges:
        graph[a].add(b)
    index, low, on_stack, stack, best = {}, {}, set(), [], []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > len(best):
                    best = component
    return sorted(best)


def read_layers(root=ROOT):
    """The layers of the import-linter contract, bottom first: [[module, ...], ...]."""
    import tomllib
    with open(os.path.join(root, "pyproject.toml"), "rb") as f:
        config = tomllib.load(f)
    for contract in config.get("tool", {}).get("importlinter", {}).get("contracts", []):
        if contract.get("type") == "layers":
            layers = []
            for line in reversed(contract["layers"]):  # import-linter lists the top first
                layers.append([f"{contract.get('containers', [PACKAGE])[0]}.{name.strip()}"
                               for name in line.replace("|", ":").split(":")])
            return layers
    return []


def layer_of(module, layers):
    """The position of `module`'s layer (None for modules outside every layer)."""
    for level, names in enumerate(layers):
        for name in names:
            if module == name or module.startswith(name + "."):
                return level
    return None


def upward(edges, layers):
    """The imports from a lower layer to a higher one."""
    found = []
    for importer, imported, line, local in edges:
        a, b = layer_of(importer, layers), layer_of(imported, layers)
        if a is not None and b is not None and b > a:
            found.append((importer, imported, line, local))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycle", action="store_true", help="list the largest cycle's modules")
    parser.add_argument("--upward", action="store_true", help="list the upward imports")
    parser.add_argument("--root", default=ROOT)
    args = parser.parse_args(argv)
    modules = module_files(args.root)
    edges = imports(modules)
    cycle_all = largest_cycle(modules, [(a, b) for a, b, _, _ in edges])
    cycle_top = largest_cycle(modules, [(a, b) for a, b, _, local in edges if not local])
    layers = read_layers(args.root)
    up = upward(edges, layers)
    print(f"modules: {len(modules)}, imports: {len(edges)} "
          f"({sum(local for *_, local in edges)} inside functions)")
    print(f"largest cycle: {len(cycle_all)} modules (module-level imports only: {len(cycle_top)})")
    packages = sorted({".".join(m.split(".")[:2]) for m in cycle_all})
    print(f"  spanning packages: {', '.join(packages) or '-'}")
    print(f"upward imports: {len(up)} ({sum(local for *_, local in up)} inside functions)")
    if args.cycle:
        print("\n".join("  " + m for m in cycle_all))
    if args.upward:
        for importer, imported, line, local in up:
            where = "function" if local else "module"
            print(f"  {importer}:{line} -> {imported} ({where})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
