"""The package's shape, read from its source with `ast` (docs/architecture.md):

- no import cycle between modules, nor between rooms (a subpackage such as `commands/`, or a
  top-level module such as `server.py`); every import counts, late and `TYPE_CHECKING` ones
  too, since a late import only hides a cycle;
- `core/` imports nothing with I/O or a clock: only the listed standard modules, the other
  core modules and the config's domain types, and it calls no `now()`/`today()`;
- no product module imports test support (the tests' helpers, test/bench-only code such as
  `tests/launchday.py`, or the test libraries);
- the scenario library (`sim/`) and the real-server harness (`harness/`) are imported only
  by `commands/` and each other, and every module of theirs is reached from the CLI (code
  only tests use belongs in `tests/`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "daemon" / "launchguard"
TESTS = Path(__file__).resolve().parent

# The standard modules the core may use: pure computation, no I/O, no clock. `datetime` and
# `zoneinfo` are there for calendar arithmetic on times the caller passes in (no `now()`:
# checked below); the tz database they read is data, like the config.
CORE_STDLIB = frozenset(
    {
        "__future__",
        "bisect",
        "collections",
        "collections.abc",
        "dataclasses",
        "datetime",
        "enum",
        "functools",
        "hashlib",
        "itertools",
        "math",
        "operator",
        "re",
        "statistics",
        "typing",
        "zoneinfo",
    }
)
# The config modules that define the frozen domain the core is handed (values, no loading).
CORE_CONFIG = frozenset(
    {
        "launchguard.config.checklist",
        "launchguard.config.domain",
        "launchguard.config.durations",
        "launchguard.config.launchplan",
        "launchguard.config.models",
        "launchguard.config.support",
        "launchguard.config.valuedomains",
        "launchguard.names",
    }
)
CLOCK_CALLS = frozenset({"now", "today", "utcnow", "time", "monotonic", "perf_counter"})

TEST_LIBRARIES = frozenset({"pytest", "respx", "hypothesis", "freezegun", "playwright", "tests"})
# (importer, imported) pairs of product modules that import test support, each with why it
# is tolerated. None: test-only code lives in tests/ (launchday, kpis, victoria, expected).
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}
# The scenario library and the real-server harness are there for the `demo` and `sim`
# commands: only commands/ (and each other) import them.
SIM_ROOMS = ("launchguard.sim", "launchguard.harness")
# Modules of those rooms that no command reaches, each with why they ship.
UNREACHED: dict[str, str] = {
    "launchguard.harness.faultserver": "the broken-Prometheus server the tests and the "
    "benchmarks share with the rest of the harness",
}
# Room imports (importer room, imported room) left out of the room-loop check, each with why.
KNOWN_ROOM_LOOPS: dict[tuple[str, str], str] = {
    ("launchguard.scrub", "launchguard.config"): "scrub.py names LaunchConfig and "
    "PrometheusSettings for annotations only (TYPE_CHECKING), while config/domain.py builds "
    "the scrubber: no import at run time",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path) -> Iterator[tuple[str, ast.AST]]:
    """Every module `name` imports, anywhere in the file (absolute names), with its node.
    `from launchguard.x import y` names the module `launchguard.x.y` when there is one."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if sub in MODULES else base), node


def graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports."""
    return {
        name: {m for m, _ in imported(name, path) if m in MODULES and m != name}
        for name, path in MODULES.items()
    }


def room(module: str) -> str:
    """The room a module is in: its subpackage of launchguard, or itself at the top."""
    parts = module.split(".")
    return ".".join(parts[:2])


def rooms(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a, targets in edges.items():
        out.setdefault(room(a), set()).update(room(b) for b in targets if room(b) != room(a))
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path a → … → a) per strongly connected group of nodes (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group: set[str] = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(path_in(group, edges))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def path_in(group: set[str], edges: dict[str, set[str]]) -> list[str]:
    """A shortest cycle through the group's first node, by breadth-first search."""
    start = min(group)
    before: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(edges.get(v, set()) & group):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(before[path[-1]])
                    return [start, *reversed(path[:-1]), start] if v != start else [start, start]
                if w not in before:
                    before[w] = v
                    nxt.append(w)
        frontier = nxt
    return sorted(group)


def show(found: list[list[str]]) -> str:
    return "\n".join(" -> ".join(c) for c in found)


@pytest.mark.parametrize(
    "level",
    [
        pytest.param("modules", id="no two modules of the package import each other in a loop"),
        pytest.param("rooms", id="no two rooms (subpackages, top modules) import in a loop"),
    ],
)
def test_the_package_has_no_import_cycle(level: str) -> None:
    edges = graph()
    if level == "rooms":
        edges = rooms(edges)
        for a, b in KNOWN_ROOM_LOOPS:
            assert b in edges.get(a, set()), f"{a} -> {b} is gone: drop it from KNOWN_ROOM_LOOPS"
            edges[a] = edges[a] - {b}
    found = cycles(edges)
    assert not found, f"import cycles:\n{show(found)}"


def test_the_cycle_finder_names_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_core_imports_nothing_with_io_or_a_clock() -> None:
    wrong = []
    for name, path in MODULES.items():
        if not name.startswith("launchguard.core"):
            continue
        for module, node in imported(name, path):
            allowed = (
                module in CORE_STDLIB
                or module in CORE_CONFIG
                or module == "launchguard.core"
                or module.startswith("launchguard.core.")
            )
            if not allowed:
                wrong.append(f"{path.name}:{getattr(node, 'lineno', 0)} imports {module}")
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS
            ):
                wrong.append(f"{path.name}:{node.lineno} reads a clock ({node.func.attr}())")
    assert not wrong, "\n".join(wrong)


def test_no_product_module_imports_test_support() -> None:
    helpers = {p.stem for p in TESTS.glob("*.py")} | {"conftest"}
    wrong = []
    for name, path in MODULES.items():
        for module, node in imported(name, path):
            top = module.split(".")[0]
            if (top in helpers or top in TEST_LIBRARIES) and (
                name,
                module,
            ) not in KNOWN_EXCEPTIONS:
                wrong.append(f"{name}:{getattr(node, 'lineno', 0)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_only_commands_import_the_scenario_library_and_the_harness() -> None:
    wrong = []
    for name, targets in graph().items():
        if room(name) in (*SIM_ROOMS, "launchguard.commands"):
            continue
        wrong += [f"{name} imports {t}" for t in sorted(targets) if room(t) in SIM_ROOMS]
    assert not wrong, "\n".join(wrong)


def test_every_scenario_library_and_harness_module_is_reached_from_the_cli() -> None:
    edges = graph()
    reached, todo = set(), ["launchguard.cli"]
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo += edges[module]
    modules = {m for m, p in MODULES.items() if room(m) in SIM_ROOMS and p.stem != "__init__"}
    unreached = modules - reached
    test_only = sorted(unreached - set(UNREACHED))
    assert not test_only, f"no command uses these: move them to tests/: {test_only}"
    assert not set(UNREACHED) - unreached, "a command uses these now: drop them from UNREACHED"


def test_the_rules_read_every_module() -> None:
    """The walk sees the package (a moved tree would make every rule above pass vacuously)."""
    edges = graph()
    assert {"launchguard.cli", "launchguard.core.engine", "launchguard.server"} <= set(edges)
    assert "launchguard.evaluate" in edges["launchguard.daemon.loop"]


# Modules besides the driver (evaluate.py) that run the core themselves, each with why.
OTHER_CORE_RUNNERS = {
    "launchguard.reports.launch_report": "gather fetches the report's extra signals and runs "
    "the core on them; to go through evaluate.py once reports/fetch leaves reports/",
}


def test_only_the_driver_runs_the_core() -> None:
    """The daemon and the commands evaluate through `evaluate.py`, the one driver."""
    runners = set()
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "launchguard.core.engine"
                and any(alias.name == "evaluate_span" for alias in node.names)
            ):
                runners.add(name)
    assert runners == {"launchguard.evaluate", *OTHER_CORE_RUNNERS}
