"""The package's imports point down: every tfgans module sits in a layer, imports only modules of its own layer or
below, forms no import cycle, and takes no private name (``_x``) from another module.

Parses the sources with ``ast`` (imports at module level and inside functions alike, relative imports
resolved); imports nothing from tfgans, so no TensorFlow.
"""

from __future__ import annotations

import ast
import pathlib
import re
from collections import defaultdict
from typing import Dict, List, NamedTuple, Optional, Set

PACKAGE = "tfgans"
ROOT = pathlib.Path(__file__).resolve().parents[1] / PACKAGE

#: Bottom to top; a module of layer k may import any module of a layer <= k (within a layer, without a cycle).
#: A package's name stands for the package and every module in it; "tfgans" is tfgans/__init__.py, whose lazy
#: attributes reach every module. The same table is in tfgans/__init__.py's docstring.
LAYERS = (
    ("foundations", ("files", "runs", "images", "distribute", "clusters", "data")),
    # minibatch, normalization, features: Salimans et al.'s layers (tfgans.improved re-exports them)
    ("nets and layers", ("layers", "minibatch", "normalization", "features", "nets")),
    # averaging: parameter averages (HistoricalAverage's penalty is penalties'); schedules: learning rates;
    # augment: DiffAugment of the discriminator's inputs
    ("maths", ("losses", "penalties", "metrics", "averaging", "schedules", "augment", "improved")),
    ("flavors", ("models",)),
    ("model services", ("extractors", "classifier", "evaluation", "sampling", "export", "checkpoint", "record",
                        "callbacks", "presets")),
    ("training", ("training",)),
    ("experiments", ("reports", "figures", "experiment", "semisup", "zoo")),
    ("the command line", ("cli", PACKAGE)),
)

LAYER_OF = {name: level for level, (_, names) in enumerate(LAYERS) for name in names}


class Import(NamedTuple):
    source: str  # the importing module, dotted
    line: int
    target: str  # the imported module, dotted
    name: Optional[str]  # the name taken from it by ``from target import name``, or None


def _modules() -> Dict[str, pathlib.Path]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if _is_package(module) else module.rpartition(".")[0]
    base = package.split(".")
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _dynamic_target(node: ast.Call) -> Optional[str]:
    """The module ``importlib.import_module("tfgans.x")`` imports; for ``f"tfgans.nets.{name}"`` the package the
    literal part names. None when the name is not spelled out."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name != "import_module" or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        prefix = str(arg.values[0].value)
        return prefix.rpartition(".")[0] if "." in prefix else None
    return None


def _imports(module: str) -> List[Import]:
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            target = _dynamic_target(node)
            if target and (target == PACKAGE or target.startswith(PACKAGE + ".")):
                found.append(Import(module, node.lineno, _known(target), None))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    found.append(Import(module, node.lineno, _known(alias.name), None))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            if base != PACKAGE and not base.startswith(PACKAGE + "."):
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in MODULES:  # ``from tfgans import losses``: the module tfgans.losses
                    found.append(Import(module, node.lineno, submodule, None))
                else:
                    found.append(Import(module, node.lineno, _known(base), alias.name))
    return sorted(set(found), key=lambda i: (i.line, i.target, i.name or ""))


def _known(target: str) -> str:
    # ``import tfgans.nets.sun.x`` would name an attribute past the module; keep the longest module prefix.
    while target not in MODULES and "." in target:
        target = target.rpartition(".")[0]
    return target


IMPORTS = {module: _imports(module) for module in MODULES}


def layer(module: str) -> Optional[int]:
    """The layer of a dotted module name: its own entry in LAYERS, else its package's."""
    name = module[len(PACKAGE) + 1:] if module != PACKAGE else PACKAGE
    while True:
        if name in LAYER_OF:
            return LAYER_OF[name]
        if "." not in name:
            return None
        name = name.rpartition(".")[0]


def _where(imp: Import) -> str:
    return f"{MODULES[imp.source].relative_to(ROOT.parent)}:{imp.line}"


def _describe(module: str) -> str:
    return f"layer {layer(module)} ({LAYERS[layer(module)][0]})"


def _edges() -> Dict[str, Dict[str, List[Import]]]:
    graph: Dict[str, Dict[str, List[Import]]] = defaultdict(lambda: defaultdict(list))
    for module, imports in IMPORTS.items():
        for imp in imports:
            if imp.target != module:
                graph[module][imp.target].append(imp)
    return graph


def _cycles(graph) -> List[List[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    components = []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(MODULES):
        if v not in index:
            visit(v)
    return sorted(components)


def _report(title: str, lines: List[str]) -> str:
    return f"{title}:\n  " + "\n  ".join(lines)


def test_every_module_has_a_layer_and_every_entry_a_module():
    missing = sorted(str(MODULES[m].relative_to(ROOT.parent)) for m in MODULES if layer(m) is None)
    assert not missing, _report("Modules without a layer: add each to LAYERS in tests/test_layering.py (and to the "
                                "table in tfgans/__init__.py)", missing)
    stale = sorted(name for name in LAYER_OF if name != PACKAGE and f"{PACKAGE}.{name}" not in MODULES)
    assert not stale, _report("LAYERS names modules that do not exist", stale)


def test_imports_point_down():
    upward = []
    for module, imports in IMPORTS.items():
        for imp in sorted({i._replace(name=None) for i in imports}):
            if layer(imp.target) is not None and layer(module) is not None and layer(imp.target) > layer(module):
                upward.append(f"{_where(imp)}: {module} [{_describe(module)}] imports {imp.target} "
                              f"[{_describe(imp.target)}]")
    assert not upward, _report("Imports of a higher layer (move the shared piece down, or the importer up)",
                               upward)


def test_no_import_cycles():
    graph = _edges()
    found = []
    for component in _cycles(graph):
        members = set(component)
        edges = [f"{_where(imp)}: {source} [{_describe(source)}] imports {target} [{_describe(target)}]"
                 for source in component for target in sorted(graph[source]) if target in members
                 for imp in sorted({i._replace(name=None) for i in graph[source][target]})]
        found.append(f"cycle among {', '.join(component)}:\n    " + "\n    ".join(edges))
    assert not found, _report("Import cycles (one module of each must stop importing the other)", found)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_private_names_from_other_modules():
    found = []
    for module, imports in IMPORTS.items():
        found += [f"{_where(imp)}: {module} imports {imp.name} from {imp.target}"
                  for imp in imports if imp.name and _private(imp.name) and imp.target != module]
        # ``from tfgans import evaluation`` then ``evaluation._check_metrics``: a private name all the same.
        tree = ast.parse(MODULES[module].read_text())
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                base = _resolve(module, node) if isinstance(node, ast.ImportFrom) else None
                for alias in node.names:
                    target = f"{base}.{alias.name}" if base is not None else alias.name
                    if target in MODULES and target != module and (alias.asname or base is not None):
                        aliases[alias.asname or alias.name] = target
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and _private(node.attr)):
                found.append(f"{MODULES[module].relative_to(ROOT.parent)}:{node.lineno}: {module} uses "
                             f"{aliases[node.value.id]}.{node.attr}")
    assert not found, _report("Private names taken from another module (make the name public, or move the code "
                              "that needs it into that module)", sorted(set(found)))


def test_the_package_docstring_shows_the_same_table():
    """tfgans/__init__.py's docstring has one line per layer, ``    k title: name, name (remark), ...``."""
    docstring = ast.get_docstring(ast.parse((ROOT / "__init__.py").read_text())) or ""
    shown = []
    for line in docstring.splitlines():
        match = re.fullmatch(r"\s+(\d) ([^:]+): (.+)", line)
        if match:
            names = tuple(re.sub(r"\(.*?\)", "", name).strip() for name in match.group(3).split(","))
            shown.append((int(match.group(1)), match.group(2), names))
    expected = [(level, title, names) for level, (title, names) in enumerate(LAYERS)]
    assert shown == expected, ("tfgans/__init__.py's layer table differs from tests/test_layering.py's LAYERS; "
                               f"make them the same:\n  docstring: {shown}\n  test:      {expected}")
