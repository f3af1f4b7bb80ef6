"""The rules of ARCHITECTURE.md, checked on the source: who may import whom, and no circles.

Imports are read with ast, not by importing, so a rule holds for code no test runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# room -> top-level packages it must never import (ARCHITECTURE.md, "Rules between rooms")
FORBIDDEN = {
    "suites": {"atlink", "cassiopeia_sim", "serial"},
    "fixtures": {"cassiopeia_sim"},
    "lib/cassiopeia": {"cassiopeia_sim", "fixtures"},
    "lib/atlink": {"cassiopeia", "cassiopeia_sim", "fixtures"},
    "lib/cassiopeia_sim": {"atlink", "cassiopeia", "fixtures"},
    # reads what a run wrote: usable wherever reports are copied, with atlink's AT syntax only
    "lib/cassiopeia_compare": {"cassiopeia", "cassiopeia_sim", "fixtures", "serial"},
    # drives a simulated module as a bench would: never the fixtures or the suites
    "lib/cassiopeia_replay": {"fixtures", "suites", "serial"},
}
# Known exceptions, each to be removed by the open issue named (bench actions, #18).
ALLOWED = {
    ("fixtures/modem.py", "cassiopeia_sim"),  # the simulator's control plane as bench control
}


def _imports(path: Path, anywhere: bool, typing: bool = False) -> list[tuple[str, int]]:
    """(absolute module, level) of each import: all of them, or the module-level ones only
    (with those under `if TYPE_CHECKING:` if `typing`)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = ast.walk(tree) if anywhere else _module_level(tree.body, typing)
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def _module_level(body: list[ast.stmt], typing: bool) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            if typing:  # never executed, but a circle all the same for a reader and for mypy
                out += _module_level(node.body, typing)
            continue
        if isinstance(node, ast.Try):
            out += _module_level(node.body + [s for h in node.handlers for s in h.body], typing)
        else:
            out.append(node)
    return out


def _files(room: str) -> list[Path]:
    return sorted((ROOT / room).rglob("*.py"))


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_each_room_imports_only_what_it_may(room):
    broken = []
    for path in _files(room):
        rel = path.relative_to(ROOT).as_posix()
        for module, level in _imports(path, anywhere=True):
            top = module.split(".")[0]
            if level == 0 and top in FORBIDDEN[room] and (rel, top) not in ALLOWED:
                broken.append(f"{rel} imports {module}")
    assert not broken, "\n".join(broken)


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT / "lib" if "lib" in path.parts else ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _resolve(importer: Path, module: str, level: int) -> str:
    if not level:
        return module
    base = _module_name(importer).split(".")
    if importer.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _circles(rooms: tuple[str, ...], typing: bool) -> list[str]:
    graph: dict[str, set[str]] = {}
    for room in rooms:
        for path in _files(room):
            graph[_module_name(path)] = {
                _resolve(path, module, level)
                for module, level in _imports(path, anywhere=False, typing=typing)
            }
    for name in graph:
        graph[name] = {dep for dep in graph[name] if dep in graph and dep != name}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for dep in graph[start]:
            if dep == goal or (dep not in seen and (seen.add(dep) or reaches(dep, goal, seen))):
                return True
        return False

    return sorted(name for name in graph if reaches(name, name, set()))


def test_no_import_circles():
    rooms = ("lib/atlink", "lib/cassiopeia", "lib/cassiopeia_compare", "lib/cassiopeia_sim")
    circles = _circles((*rooms, "fixtures"), typing=False)
    assert not circles, f"modules on an import circle: {circles}"


def test_no_circles_even_for_the_type_checker():
    # issue 19: a service typed by the module it belongs to is not untangled, only hidden
    circles = _circles(("lib/atlink", "lib/cassiopeia_sim", "lib/cassiopeia_replay"), typing=True)
    assert not circles, f"modules on a circle through typing-only imports: {circles}"


def test_the_rules_see_real_imports():
    # guard against a checker that finds nothing: the channel does import the framer
    channel = ROOT / "lib/atlink/channel.py"
    assert ("framing", 1) in _imports(channel, anywhere=False)
    assert "atlink.framing" in {_resolve(channel, m, lv) for m, lv in _imports(channel, False)}


def _fixture_imports(path: Path) -> set[str]:
    """The fixtures modules `path` imports at module level (`from . import x` included)."""
    found = set()
    for node in _module_level(ast.parse(path.read_text()).body, typing=False):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [alias.name for alias in node.names]
            found |= {f"fixtures.{name.split('.')[0]}" for name in names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fixtures."):
            found.add(".".join(node.module.split(".")[:2]))
    return found


def test_a_plugin_is_registered_before_any_plugin_that_imports_it():
    # pytest rewrites a plugin's asserts only if nothing imported it first: otherwise every
    # run warns (PytestAssertRewriteWarning) and its asserts fail without their values
    tree = ast.parse((ROOT / "conftest.py").read_text())
    plugins = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and node.targets[0].id == "pytest_plugins"
    )
    direct = {f"fixtures.{p.stem}": _fixture_imports(p) for p in _files("fixtures")}

    def reached(module: str, seen: set[str]) -> set[str]:
        for dep in direct.get(module, set()) - seen:
            seen.add(dep)
            reached(dep, seen)
        return seen

    early = [
        f"{plugin} imports {dep}, registered after it"
        for i, plugin in enumerate(plugins)
        for dep in reached(plugin, set())
        if dep in plugins[i + 1 :]
    ]
    assert not early, "\n".join(early)
