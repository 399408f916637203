"""The documents say what the code and the measurements say: the parameter table of ODD.md is
the one `python -m sim.model.params` prints; the README and the pages in docs/ quote the warm-up,
the benchmark and the patterns as measured; the findings' tables are the committed results
files, included when the site is built, and the numbers in their prose are in those files; and
every link of the README, and every link of a page to a file of the repository, leads somewhere."""

import re
from pathlib import Path

from sim.model.params import parameter_rows
from tests.conftest import ROOT

DOCS = ROOT / "docs"
INCLUDE = re.compile(r'^\s*--8<-- "([^"]+)"\s*$', re.M)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
# Pages whose prose may quote a result only as it stands in the results files the page cites.
CHECKED = ("README.md", "docs/findings.md", "docs/findings.zh.md")


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def prose(text: str) -> str:
    """The text a reader reads as prose: no code blocks, code spans, HTML comments, link targets
    or include lines."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = INCLUDE.sub("", text)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.sub(r"\]\([^)]*\)", "]", text)


def cited(path: Path) -> list[Path]:
    """The results files a page includes or links to (and ODD.md, if it links there)."""
    text = path.read_text(encoding="utf-8")
    found = [ROOT / name for name in INCLUDE.findall(text)]
    for target in LINK.findall(text):
        file = (path.parent / target.split("#")[0]).resolve()
        if file.suffix == ".md" and file.is_file() and (file.is_relative_to(ROOT / "results") or file.name == "ODD.md"):
            found.append(file)
    return found


def as_number(text: str) -> str:
    return text.replace(",", "")


def quoted_numbers(text: str) -> list[tuple[str, str]]:
    """(kind, number) for each result-like number of the prose: decimals, percentages and the
    counts of 'N of M'. Whole numbers otherwise (sizes, days, seeds) are settings, not checked;
    a version (Python 3.12, Mesa 3.4) is not a result."""
    text = re.sub(r"\b(?:Python|Mesa|selects) \d+\.\d+", "", prose(text))
    out = [("decimal", m) for m in re.findall(r"(?<![\w.])\d+\.\d+(?![\d])", text)]
    out += [("percent", m) for m in re.findall(r"(?<![\w.])(\d+(?:\.\d+)?) ?%", text)]
    for m in re.finditer(r"(?<![\w.,])(\d[\d,]*) of (?:the )?(?:\w+'s )?(\d[\d,]*)(?![\d,]*\.\d)", text):
        out += [("count", as_number(m[1])), ("count", as_number(m[2]))]
    return out


def holds(kind: str, number: str, source: str) -> bool:
    flat = as_number(source).replace(" %", "%")
    if kind == "percent":
        return f"{number}%" in flat
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", flat) is not None


def test_odd_holds_the_parameter_table_as_declared():
    text = (ROOT / "ODD.md").read_text().split("## 10 Parameters", 1)[1]
    rows = [line for line in text.splitlines() if line.startswith("| ") and line.count(" | ") >= 6]
    keys = [line.split(" | ")[0].removeprefix("| ") for line in rows]
    declared = [r["key"] for r in parameter_rows()]
    assert [k for k in keys if k in declared] == declared, "ODD.md's table: run python -m sim.model.params and paste it"
    for r in parameter_rows():
        line = next(line for line in rows if line.startswith(f"| {r['key']} | "))
        assert r["source"].replace("|", "/") in line, f"{r['key']}: ODD.md's source is not the declared one"


def test_odd_holds_the_ledger_as_declared():
    import subprocess
    import sys

    printed = subprocess.run(
        [sys.executable, "-m", "sim.model.params", "--ledger"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    section = (ROOT / "ODD.md").read_text().split("### 7.19 ", 1)[1].split("\n## ", 1)[0]
    assert printed in section, "ODD.md 7.19: run python -m sim.model.params --ledger and paste it"


def test_the_findings_quote_the_warm_up_as_measured():
    story = (ROOT / "results" / "figures" / "warmup.md").read_text().splitlines()[0]
    sentence = re.fullmatch(r"\*\*In short\.\*\* (.+)", story).group(1)
    for page in ("findings.md", "findings.zh.md"):
        assert f'"{sentence}"' in (DOCS / page).read_text(), f"docs/{page}'s warm-up: quote warmup.md's first line"


def test_the_readme_states_the_main_studys_time_as_the_benchmark_measured_it():
    import json
    import math

    bench = json.loads((ROOT / "results" / "benchmark" / "benchmark.json").read_text())
    walls = [r["wall_s"] for r in bench["compare_regimes"]["runs"]]
    stated = re.search(
        r"the sweep and its report took (\d+) to (\d+) s on a quiet two-core", (ROOT / "README.md").read_text()
    )
    assert stated, "the README states the main study's time as a measured range"
    assert (int(stated[1]), int(stated[2])) == (math.floor(min(walls)), math.ceil(max(walls))), (
        f"the benchmark measured {min(walls):.1f} to {max(walls):.1f} s: update the README"
    )


def test_the_calibration_page_quotes_the_patterns_as_measured():
    """Every row of the pattern table of docs/user-guide/calibration.md carries the value of
    results/figures/patterns.md (python -m experiments.patterns) for the regime the pattern
    describes."""
    from experiments import patterns

    measured = {}
    for line in (ROOT / "results" / "figures" / "patterns.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) > 5 and cells[0] in {p.name for p in patterns.PATTERNS}:
            cell = cells[4] if cells[1] == "refined" and not cells[3].startswith("(") else cells[3]
            measured[cells[0]] = cell.split(") ", 1)[-1].replace(" ✗", "")
    page = (DOCS / "user-guide" / "calibration.md").read_text()
    quoted = {
        cells[0]: cells[3]
        for cells in ([c.strip() for c in line.split("|")[1:-1]] for line in page.splitlines())
        if len(cells) == 6 and cells[0] in measured
    }
    assert quoted, "docs/user-guide/calibration.md has no pattern table"
    wrong = {name: (value, measured[name]) for name, value in quoted.items() if value != measured[name]}
    assert not wrong, f"the calibration page quotes patterns other than results/figures/patterns.md: {wrong}"
    assert set(measured) == set(quoted), f"patterns missing from the calibration page: {set(measured) - set(quoted)}"


def test_every_include_names_a_committed_file():
    """The findings' tables are results files included at build time (pymdownx.snippets), not
    copies: each include of a page names a file that exists (``file:section`` names a section of
    it); the findings include only results files, the findings' table among them."""
    includes = {page: INCLUDE.findall(page.read_text(encoding="utf-8")) for page in pages()}
    for page, names in includes.items():
        for name in names:
            assert (ROOT / name.split(":")[0]).is_file(), f"{page.relative_to(ROOT)}: no such file {name}"
    for page in ("findings.md", "findings.zh.md"):
        names = includes[DOCS / page]
        assert "results/figures/findings.md" in names, f"docs/{page} includes the findings' table"
        assert all(n.startswith("results/") for n in names), f"docs/{page} includes files outside results/"


def test_the_findings_quote_no_number_their_results_do_not_hold():
    """A result quoted in the prose of the README or the findings stands in a results file the
    page includes or links to, as it stands there: a number retyped and left behind when the
    results are re-made fails here."""
    for name in CHECKED:
        page = ROOT / name
        sources = "\n".join(p.read_text(encoding="utf-8") for p in cited(page))
        assert sources, f"{name} cites no results file"
        quoted = quoted_numbers(page.read_text(encoding="utf-8"))
        missing = sorted({f"{n} ({k})" for k, n in quoted if not holds(k, n, sources)})
        assert not missing, f"{name} quotes numbers that none of its results files holds: {missing}"


def test_the_readme_links_lead_to_files():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    local = [t for t in LINK.findall(text) if not re.match(r"[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]
    assert any(t.startswith("docs/") for t in local), "the README points into docs/"
    broken = [t for t in local if not (ROOT / t.split("#")[0]).exists()]
    assert not broken, f"README.md links to files that do not exist: {broken}"


def test_the_pages_links_to_the_repository_lead_to_files():
    """A page links to files outside docs/ as they lie in the repository (docs/hooks.py points
    them at the site's copies); each must exist."""
    for page in pages():
        for target in LINK.findall(prose_links(page.read_text(encoding="utf-8"))):
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue
            file = (page.parent / target.split("#")[0]).resolve()
            if not file.is_relative_to(DOCS):
                assert file.exists(), f"{page.relative_to(ROOT)} links to {target}, which does not exist"


def prose_links(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.S)


def test_the_teaching_pages_name_the_views_language_option_as_it_is():
    """The teaching pages say how the browser view opens in Chinese: ``?lang=zh`` in its address
    and the command's option, which must be one the command has."""
    from sim.present.view import address_lang, command_parser

    options = {o for action in command_parser()._actions for o in action.option_strings}
    for page in ("teaching.md", "teaching.zh.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        named = re.findall(r"python -m sim\.present\.view (--[\w-]+) zh", text)
        assert named, f"docs/{page} names the view's language option"
        assert set(named) <= options, f"docs/{page} names {named}; the view has {sorted(options)}"
        assert "?lang=zh" in text and address_lang("lang=zh") == "zh", f"docs/{page}: ?lang=zh opens it in Chinese"
