"""The teaching notebooks (notebooks/*.ipynb): each runs top to bottom in English and in Chinese, writes
nothing into the repository, and is stored without outputs, with every text cell in both languages.

A lesson is one file in two languages: its parameters cell holds ``LANG = "en"`` (``"zh"`` for Chinese,
which the tables, figures and printed results follow), and every text cell tagged ``lang-en`` is followed
by its Chinese translation, tagged ``lang-zh``. :func:`sim.present.lessons.in_language` makes a copy in one language."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from sim.present.lessons import LANGUAGES, TAGS, in_language, main
from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 120
CI_SIZE = {
    # Set after each lesson's own size cell (tagged "parameters", as papermill does): the same
    # lesson, top to bottom, on fewer seeds and days, so that all four fit in CI's time, in both
    # languages. At their class size they take 25-75 s each on 2 cores.
    "02_coarse_against_refined.ipynb": "SEEDS = range(3)\nWARMUP = 60\nDAYS = WARMUP + 180",
    "03_which_mechanism_matters.ipynb": "SEEDS = range(2)\nWARMUP = 40\nDAYS = 120",
    "04_what_individualisation_costs.ipynb": "SEEDS = range(2)\nWARMUP = 40\nDAYS = 100",
}
_SKIP = {".git", ".venv", ".venv-ray", "__pycache__", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints"}
_SKIP.add(".hypothesis")  # the property tests' example database: Hypothesis writes it while a notebook runs beside
_SKIP.add("build")  # setuptools' folder (git ignores it): an install running beside writes it

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MISSING_GLYPH = re.compile(r"Glyph \d+ .* missing from font")


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


def _tags(cell) -> set[str]:
    return set(cell.metadata.get("tags", []))


def cjk_share(text: str) -> float:
    """The share of Chinese characters among the letters of ``text`` (0 where it has none)."""
    letters = [c for c in text if c.isalpha()]
    return sum(bool(_CJK.match(c)) for c in letters) / len(letters) if letters else 0.0


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, lang, tmp_path):
    nb = in_language(nbformat.read(path, as_version=4), lang)
    if path.name in CI_SIZE:
        size = next(c for c in nb.cells if "parameters" in _tags(c))
        size.source += "\n# CI size (tests/test_notebooks.py)\n" + CI_SIZE[path.name]
    before = _files(ROOT)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=CELL_TIMEOUT_S, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    outputs = [(i, o) for i, c in enumerate(nb.cells) if c.cell_type == "code" for o in c.outputs]
    figures = [i for i, o in outputs if "image/png" in o.get("data", {})]
    assert figures, f"{path.name} ({lang}): no figure drawn"
    stderr = "".join(o.text for _, o in outputs if o.output_type == "stream" and o.name == "stderr")
    missing = sorted(set(_MISSING_GLYPH.findall(stderr)))  # in English too: the KPIs' names hold 满意率, 解决率
    assert not missing, f"{path.name} ({lang}): characters drawn without a font that has them: {missing[:5]}"
    if lang == "zh":  # every table (and every other result but a figure) shows Chinese
        shown = [(i, o.data) for i, o in outputs if "data" in o and "image/png" not in o.data]
        assert shown, f"{path.name} in Chinese: no table shown"
        english = [i for i, data in shown if not _CJK.search(data.get("text/html", "") + data.get("text/plain", ""))]
        assert not english, f"{path.name} in Chinese: results with no Chinese, in cells {english}"
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
    sizes = [c for c in nb.cells if "parameters" in _tags(c)]
    assert len(sizes) == 1 and sizes[0].cell_type == "code", (
        f"{path.name}: one code cell tagged 'parameters' (its size)"
    )
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is sizes[0], f"{path.name}: the parameters cell is the first code cell"
    assert re.search(r'^LANG = "en"', sizes[0].source, re.MULTILINE), f'{path.name}: stored with LANG = "en"'


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_text_cell_is_in_both_languages(path):
    """Each English text cell is followed by its Chinese one, and each Chinese one follows an English
    one: the two languages cannot drift apart by a cell added, moved or dropped in one of them."""
    cells = nbformat.read(path, as_version=4).cells
    for i, cell in enumerate(cells):
        where = f"{path.name}, cell {i} ({cell.get('id')})"
        tags = _tags(cell) & set(TAGS.values())
        if cell.cell_type == "markdown":
            assert len(tags) == 1, f"{where}: a text cell is tagged either lang-en or lang-zh"
        else:
            assert not tags, f"{where}: a code cell is shared by both languages (no lang-* tag)"
        if "lang-en" in tags:
            after = cells[i + 1] if i + 1 < len(cells) else None
            assert after is not None and "lang-zh" in _tags(after) and after.cell_type == "markdown", (
                f"{where}: an English text cell is followed by its Chinese translation (a cell tagged lang-zh)"
            )
        if "lang-zh" in tags:
            assert i > 0 and "lang-en" in _tags(cells[i - 1]), (
                f"{where}: a Chinese text cell follows the English cell it translates (tagged lang-en)"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_language_is_written_in_it(path):
    """Chinese cells are Chinese (code names and commands aside) and English cells English (the case
    book's terms aside)."""
    for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
        share = cjk_share(cell.source)
        if "lang-zh" in _tags(cell):
            assert share > 0.2, f"{path.name}, cell {i}: {share:.0%} of its letters Chinese, a Chinese cell"
        if "lang-en" in _tags(cell):
            assert share < 0.1, f"{path.name}, cell {i}: {share:.0%} of its letters Chinese, an English cell"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_copy_in_one_language(path, lang):
    nb = nbformat.read(path, as_version=4)
    copy_ = in_language(nb, lang)
    nbformat.validate(copy_)
    other = TAGS["zh" if lang == "en" else "en"]
    assert not [c for c in copy_.cells if other in _tags(c)], "the other language's cells are dropped"
    assert sum(TAGS[lang] in _tags(c) for c in copy_.cells) == sum(TAGS[lang] in _tags(c) for c in nb.cells)
    assert [c.id for c in copy_.cells if c.cell_type == "code"] == [c.id for c in nb.cells if c.cell_type == "code"]
    parameters = next(c for c in copy_.cells if "parameters" in _tags(c))
    assert re.search(rf'^LANG = "{lang}"', parameters.source, re.MULTILINE)
    assert len(nb.cells) > len(copy_.cells), "the lesson itself is left as it is"
    with pytest.raises(ValueError):
        in_language(nb, "fr")


def test_the_command_writes_a_lesson_in_one_language(tmp_path, capsys):
    lesson = NOTEBOOKS[0]
    assert main(["--lang", "zh", "--out", str(tmp_path), str(lesson)]) == 0
    written = nbformat.read(tmp_path / lesson.name, as_version=4)
    nbformat.validate(written)
    assert not [c for c in written.cells if TAGS["en"] in _tags(c)] and "zh" in written.cells[0].metadata["tags"][0]
    with pytest.raises(SystemExit) as stopped:  # a path that is no lesson: exit 2, and nothing written
        main(["--lang", "zh", "--out", str(tmp_path / "none"), str(tmp_path / "missing.ipynb")])
    assert stopped.value.code == 2 and not (tmp_path / "none").exists()
    assert "missing.ipynb" in capsys.readouterr().err


def test_the_lessons_terms_name_what_the_reports_name():
    """The lessons' tables label KPIs and staff time from sim/present/terms.py in Chinese: their
    English there is the reports' (sim.present.kpi_table), so the two name one thing alike."""
    from sim.present.kpi_table import accounting_label, kpi_label
    from sim.present.terms import TERMS

    for key, (english, chinese) in TERMS.items():
        kind, _, name = key.partition(".")
        if kind == "kpi" and "{" not in english:
            assert english == kpi_label(name), f"{key}: {english!r}, the reports say {kpi_label(name)!r}"
        if kind == "acct":
            assert english == accounting_label(name), f"{key}: {english!r}, the reports say {accounting_label(name)!r}"
        if kind in ("kpi", "acct", "table"):
            assert cjk_share(chinese) > 0.5, f"{key}: {chinese!r} is not Chinese"
