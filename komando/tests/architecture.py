"""The layers of Komando and a checker that reads every production import.

Imports point down only: a module may import its own app, any app of a lower layer, and an app of
its own layer only while the apps of that layer stay free of cycles. Every import counts, at the top
of a module or inside a function, and no komando import may hide behind ``except ImportError`` (no
app is optional). The order is the one the README's architecture section declares.

The checker works on source text (``ast``), so it sees imports that never run in a test.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

# Lowest first. An app of layer N may import apps of layers 0..N (its own layer: no cycles).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("kernel", ("core", "audit")),
    ("places and agencies", ("regions", "agencies")),
    ("people", ("accounts",)),
    ("sources framework and assets", ("sources", "assets")),
    ("domain stores", ("metrics", "devices", "complaints", "services", "fieldops", "hazards", "development")),
    ("incidents", ("incidents",)),
    ("response", ("alerts", "situation")),
    ("screens", ("dashboard", "wall", "operator_map", "reports", "api", "realtime")),
    ("connectors", ("connectors", "imports")),
    ("runtime", ("runtime", "settings", "urls", "asgi", "cli")),
]

LAYER_OF: dict[str, int] = {app: index for index, (_, apps) in enumerate(LAYERS) for app in apps}


@dataclass(frozen=True, order=True)
class Violation:
    kind: str  # "upward", "cycle", "optional-import", "unknown-app"
    where: str  # "komando/x/y.py:12" or the cycle's apps
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.detail}"


@dataclass(frozen=True)
class ImportEdge:
    source_module: str
    target_module: str
    path: str
    line: int


def is_production(path: Path, package_root: Path) -> bool:
    parts = path.relative_to(package_root).parts
    if any(part in ("tests", "migrations") for part in parts[:-1]):
        return False
    name = parts[-1]
    return not (name.startswith("test_") or name == "conftest.py")


def module_name(path: Path, package_root: Path) -> str:
    relative = path.relative_to(package_root.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_of(module: str, package: str) -> str | None:
    parts = module.split(".")
    if parts[0] != package or len(parts) < 2:
        return None
    return parts[1]


def _resolve(node: ast.ImportFrom, current_package: str) -> str:
    if not node.level:
        return node.module or ""
    base = current_package.split(".")
    if node.level > 1:
        base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _guards_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return False
    names = {n.id for n in ast.walk(handler.type) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(handler.type) if isinstance(n, ast.Attribute)}
    return bool(names & {"ImportError", "ModuleNotFoundError"})


def read_imports(package_root: Path) -> tuple[list[ImportEdge], list[Violation], set[str]]:
    package = package_root.name
    edges: list[ImportEdge] = []
    optional: list[Violation] = []
    modules: set[str] = set()
    for path in sorted(package_root.rglob("*.py")):
        if not is_production(path, package_root):
            continue
        module = module_name(path, package_root)
        modules.add(module)
        current_package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        shown = str(path.relative_to(package_root.parent))
        for node in ast.walk(tree):
            targets: list[tuple[str, int]] = []
            if isinstance(node, ast.Import):
                targets = [(alias.name, node.lineno) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node, current_package)
                # `from komando.x import y` imports komando.x.y when y is a module; resolved below.
                targets = [(f"{base}.{alias.name}" if alias.name != "*" else base, node.lineno) for alias in node.names]
                targets.append((base, node.lineno))
            for target, line in targets:
                if target == package or target.startswith(package + "."):
                    edges.append(ImportEdge(module, target, shown, line))
            if isinstance(node, ast.Try) and any(_guards_import_error(h) for h in node.handlers):
                for inner in node.body:
                    for sub in ast.walk(inner):
                        if isinstance(sub, ast.Import | ast.ImportFrom):
                            name = sub.names[0].name if isinstance(sub, ast.Import) else _resolve(sub, current_package)
                            if name == package or name.startswith(package + "."):
                                optional.append(
                                    Violation("optional-import", f"{shown}:{sub.lineno}", f"{name} under except ImportError")
                                )
    return edges, optional, modules


def module_name_of_path(shown_path: str, package: str) -> str:
    parts = list(Path(shown_path).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _known_module(target: str, modules: set[str]) -> str | None:
    """The production module an import target names (the longest known prefix)."""
    parts = target.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def check(package_root: Path, layer_of: dict[str, int] | None = None) -> list[Violation]:
    layer_of = LAYER_OF if layer_of is None else layer_of
    package = package_root.name
    edges, violations, modules = read_imports(package_root)
    module_graph: dict[str, set[str]] = defaultdict(set)
    app_graph: dict[str, set[str]] = defaultdict(set)
    seen: set[tuple[str, str, str]] = set()
    upward: dict[tuple[str, int, str], set[str]] = {}
    for edge in edges:
        target = _known_module(edge.target_module, modules)
        if target is None or target == edge.source_module:
            continue
        module_graph[edge.source_module].add(target)
        source_app, target_app = app_of(edge.source_module, package), app_of(target, package)
        if source_app is None or target_app is None or source_app == target_app:
            continue
        for app in (source_app, target_app):
            if app not in layer_of and ("unknown-app", app, "") not in seen:
                seen.add(("unknown-app", app, ""))
                violations.append(Violation("unknown-app", app, "is in no layer; add it to LAYERS"))
        if source_app not in layer_of or target_app not in layer_of:
            continue
        if layer_of[target_app] > layer_of[source_app]:
            upward.setdefault((edge.path, edge.line, target_app), set()).add(target)
        elif layer_of[target_app] == layer_of[source_app]:
            app_graph[source_app].add(target_app)
    for (path, line, _target_app), targets in upward.items():
        source_app = app_of(module_name_of_path(path, package), package)
        most_specific = max(targets, key=len)
        violations.append(Violation("upward", f"{path}:{line}", f"{source_app} imports {most_specific} (a higher layer)"))
    for component in _cycles(app_graph):
        violations.append(Violation("cycle", " ↔ ".join(component), "apps of one layer import each other"))
    for component in _cycles(module_graph):
        violations.append(Violation("cycle", " ↔ ".join(component), "modules import each other"))
    return sorted(violations)
