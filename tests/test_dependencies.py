"""Dependencies run one way (STYLE.md): no import cycle between portal's modules or between its features,
and the lower layers (the core, the calendar, web/) import no feature. Imports inside functions count.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[1] / "portal"
# The application's assembly imports every feature on purpose.
ASSEMBLY = {"portal", "portal.cli", "portal.models"}
CORE = {"clock", "config", "database", "errors", "extensions", "signals"}
# What each lower layer may import besides the core.
# imports and uploads clean their input with web.inputs (pure helpers) and share the zip checks.
# The audit log records for every layer above it (auth records logins and lockouts in it), so it sits below auth.
LOWER = {"audit": set(), "auth": {"audit"}, "imports": {"uploads", "web"}, "uploads": {"web"}, "calendar": set(), "web": {"auth"}}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PORTAL.rglob("*.py")}


def module_graph() -> dict[str, set[str]]:
    """portal module -> the portal modules it imports (at the top or inside functions)."""
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                wanted = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                wanted = [f"{base}.{a.name}" for a in node.names] + [base]
            else:
                continue
            for target in wanted:
                # `from portal.orders import queries` names a module; `from portal.orders.models import X` a name.
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target.startswith("portal") and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    return graph


def feature_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "portal"


def feature_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for src, targets in module_graph().items():
        if src in ASSEMBLY:
            continue
        for dst in targets:
            if feature_of(src) != feature_of(dst):
                graph[feature_of(src)].add(feature_of(dst))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
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
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_features():
    assert cycles(feature_graph()) == []


def test_no_import_cycle_between_modules():
    assert cycles(module_graph()) == []


def test_the_core_the_calendar_and_web_import_no_feature():
    graph = feature_graph()
    for layer in CORE:
        assert graph.get(layer, set()) <= CORE, layer
    for layer, allowed in LOWER.items():
        assert graph.get(layer, set()) - CORE - allowed == set(), layer


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
