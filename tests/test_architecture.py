"""The package's layering: imports point down only, and no module imports itself in a cycle.

    foundation (scaledyn, _checks, _numba_cache)
    theory (flows, phi4, hamilton_jacobi, vft, materials, viscosity, plotting, snapshot: no Numba)
    md (the engine)  ->  analysis  ->  campaign  ->  chapters
    explore (teaching widgets over theory and analysis)

Every import counts, including those inside functions (a function-level import hides a cycle from
Python but not from a reader).
"""

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib"
PKG = LIB / "scaledyn"

FOUNDATION = {"scaledyn", "scaledyn._checks", "scaledyn._numba_cache"}
THEORY = {f"scaledyn.{m}" for m in ("flows", "phi4", "hamilton_jacobi", "vft", "materials", "viscosity", "plotting",
                                 "snapshot")}
#: which layers a layer may import (besides itself)
ALLOWED = {
    "foundation": {"foundation"},
    "theory": {"foundation", "theory"},
    "md": {"foundation", "md"},
    "analysis": {"foundation", "theory", "md", "analysis"},
    "campaign": {"foundation", "theory", "md", "analysis", "campaign"},
    "explore": {"foundation", "theory", "analysis", "explore"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(LIB).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(mod: str) -> str:
    if mod in FOUNDATION:
        return "foundation"
    if mod in THEORY:
        return "theory"
    top = mod.split(".")[1]
    if top in ("md", "analysis", "campaign", "explore"):
        return top
    raise AssertionError(f"{mod} belongs to no layer: add it to tests/test_architecture.py")


def exists(mod: str) -> bool:
    rel = Path(*mod.split("."))
    return (LIB / rel).with_suffix(".py").exists() or (LIB / rel / "__init__.py").exists()


def imports_of(path: Path) -> set:
    """The scaledyn modules ``path`` imports (relative imports resolved; ``from pkg import sub``
    counts as an import of the submodule)."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "scaledyn"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "scaledyn":
                continue
            subs = {f"{mod}.{a.name}" for a in node.names if exists(f"{mod}.{a.name}")}
            out |= subs if len(subs) == len(node.names) else subs | {mod}
    out.discard(me)
    return out


def graph() -> dict:
    return {module_name(p): imports_of(p) for p in PKG.rglob("*.py")}


def test_every_module_has_a_layer_and_imports_only_down():
    bad = []
    for mod, targets in graph().items():
        for t in targets:
            if layer(t) not in ALLOWED[layer(mod)]:
                bad.append(f"{mod} ({layer(mod)}) imports {t} ({layer(t)})")
    assert not bad, "upward imports:\n" + "\n".join(sorted(bad))


def find_cycle(g: dict):
    """One import cycle of ``g`` as a list of modules, or None (iterative three-colour DFS)."""
    colour = dict.fromkeys(g, 0)
    for start in g:
        if colour[start]:
            continue
        stack = [(start, iter(sorted(g[start])))]
        path = [start]
        colour[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                path.pop()
            elif nxt in g and colour[nxt] == 1:
                return path[path.index(nxt):] + [nxt]
            elif nxt in g and colour[nxt] == 0:
                colour[nxt] = 1
                stack.append((nxt, iter(sorted(g[nxt]))))
                path.append(nxt)
    return None


def test_no_import_cycle():
    # a package's __init__ re-exporting its submodules is not a cycle of ideas: drop package -> own
    # submodule edges (the submodules importing each other still count)
    g = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in graph().items()}
    cycle = find_cycle(g)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("g, has_cycle", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, False),
    ({"a": {"b", "c"}, "b": {"c"}, "c": set()}, False),
])
def test_the_cycle_finder_finds_cycles(g, has_cycle):
    assert (find_cycle(g) is not None) == has_cycle


def test_the_layer_check_sees_function_level_and_relative_imports(tmp_path):
    src = "def f():\n    from ..analysis import species\n    from . import state\n"
    path = PKG / "md" / "_probe_for_test.py"
    path.write_text(src)
    try:
        assert imports_of(path) == {"scaledyn.analysis.species", "scaledyn.md.state"}
    finally:
        path.unlink()
