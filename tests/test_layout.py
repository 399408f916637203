"""The package's layout (docs/design.md): layers that import downwards only, no import circles,
modules of one job, a model free of Hydra, files and plots, and old names that still work."""

from __future__ import annotations

import ast
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"
LAYERS = ("model", "measure", "study", "present")
"""Lowest first; the modules at the top of sim/ (the commands) may import any of them."""
MOST_LINES = 600  # "one job per module": none longer than about this (issue 27)


def _modules() -> dict[str, Path]:
    out = {}
    for path in SIM.rglob("*.py"):
        parts = path.relative_to(SIM.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every sim module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sim" and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "sim"}
    return found - {"sim"}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else len(LAYERS)


def test_every_module_imports_from_its_own_layer_or_below():
    upward = [
        f"{m} imports {i}"
        for m, path in MODULES.items()
        for i in _imports(path)
        if i in MODULES and _layer(i) > _layer(m)
    ]
    assert not upward, "a module reaches up into a layer above its own:\n" + "\n".join(sorted(upward))


def test_no_import_circles():
    graph = {m: {i for i in _imports(p) if i in MODULES and i != m} for m, p in MODULES.items()}
    # A package's __init__ and its own modules are one unit for the import system: leave out
    # the edges from a package to its members.
    graph = {m: {i for i in deps if not i.startswith(m + ".")} for m, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> list[str] | None:
        state[m] = 1
        for i in sorted(graph[m]):
            if state.get(i) == 1:
                return [*trail, m, i]
            if i not in state and (circle := visit(i, [*trail, m])):
                return circle
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (circle := visit(m, [])):
            pytest.fail("import circle: " + " -> ".join(circle))


def test_no_module_holds_more_than_one_job():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MOST_LINES}
    assert not long, f"modules over {MOST_LINES} lines (split them by job): {long}"


def test_the_model_knows_nothing_of_hydra_files_or_plots():
    forbidden = ("hydra", "omegaconf", "matplotlib", "solara", "pyarrow.parquet", "pathlib", "tqdm")
    found = []
    for m, path in MODULES.items():
        if _layer(m) != 0:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{m} imports {n}" for n in names if n.split(".")[0] in forbidden or n in forbidden]
    assert not found, found


def test_the_model_package_is_named_after_the_odd_processes():
    processes = ("needs", "detection", "routing", "duties", "handling", "patrol", "remedy", "satisfaction", "party")
    missing = [p for p in processes if f"sim.model.{p}" not in MODULES]
    assert not missing, f"process modules missing from sim/model: {missing}"


@pytest.mark.parametrize(
    ("old", "new", "name"),
    [
        ("sim.run", "sim.study.run", "simulate"),
        ("sim.analysis", "sim.measure.analysis", "paired_differences"),
        ("sim.params", "sim.model.params", "Scenario"),
        ("sim.rules", "sim.model.detection", "willingness"),
        ("sim.rules", "sim.model.routing", "hops"),
    ],
)
def test_an_old_import_path_still_gives_the_same_object_and_names_the_new_place(old, new, name):
    import importlib

    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        was = getattr(importlib.import_module(old), name)
    assert was is getattr(importlib.import_module(new), name), f"{old}.{name} is not {new}.{name}"
    assert any(new in str(w.message) for w in caught), f"no warning names {new}: {[str(w.message) for w in caught]}"


def test_old_plotting_and_report_names_still_import():
    import importlib

    for old, name in (("sim.plots", "plot_headline"), ("sim.report", "build_report"), ("sim.report", "kpi_table")):
        sys.modules.pop(old, None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            assert callable(getattr(importlib.import_module(old), name)), f"{old}.{name}"


def test_an_old_command_still_runs_and_says_where_it_went():
    done = subprocess.run([sys.executable, "-m", "sim.params"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "scenario.duty_share" in done.stdout, "the parameter table"
    assert "python -m sim.model.params" in done.stderr, done.stderr
