"""The teaching notebooks (notebooks/*.ipynb): each runs top to bottom, writes nothing into the
repository, and is stored without outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 120
CI_SIZE = {
    # Set after each lesson's own size cell (tagged "parameters", as papermill does): the same
    # lesson, top to bottom, on fewer seeds and days, so that all four fit in CI's time. At
    # their class size they take 25-75 s each on 2 cores.
    "02_coarse_against_refined.ipynb": "SEEDS = range(3)\nWARMUP = 60\nDAYS = WARMUP + 180",
    "03_which_mechanism_matters.ipynb": "SEEDS = range(2)\nWARMUP = 40\nDAYS = 120",
    "04_what_individualisation_costs.ipynb": "SEEDS = range(2)\nWARMUP = 40\nDAYS = 100",
}
_SKIP = {".git", ".venv", ".venv-ray", "__pycache__", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints"}
_SKIP.add(".hypothesis")  # the property tests' example database: Hypothesis writes it while a notebook runs beside


def _files(root: Path) -> dict[str, int]:
    """Every file of the repository (outside git's and tools' own folders, which are not
    entered: .venv alone holds tens of thousands of files), with its mtime."""
    found = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if d not in _SKIP and not d.endswith(".egg-info")]
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path.stat().st_mtime_ns
    return found


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    if path.name in CI_SIZE:
        size = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        size.source += "\n# CI size (tests/test_notebooks.py)\n" + CI_SIZE[path.name]
    before = _files(ROOT)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=CELL_TIMEOUT_S, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    after = _files(ROOT)
    written = sorted(f for f in after if before.get(f) != after[f])
    assert not written, f"{path.name} wrote into the repository: {written[:10]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "kernel must be python3"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert not cell.get("outputs"), f"{path.name}, cell {i}: stored with outputs (clear them before committing)"
        assert cell.get("execution_count") is None, f"{path.name}, cell {i}: stored with an execution count"
    sizes = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(sizes) == 1 and sizes[0].cell_type == "code", (
        f"{path.name}: one code cell tagged 'parameters' (its size)"
    )
