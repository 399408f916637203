"""The documents say what the code and the measurements say: the parameter table of ODD.md is
the one `python -m sim.model.params` prints, and the README quotes the warm-up's story as
`python -m experiments.warmup` wrote it."""

import re

from sim.model.params import parameter_rows
from tests.conftest import ROOT


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


def test_the_readme_quotes_the_warm_up_as_measured():
    story = (ROOT / "results" / "figures" / "warmup.md").read_text().splitlines()[0]
    sentence = re.fullmatch(r"\*\*In short\.\*\* (.+)", story).group(1)
    assert f'"{sentence}"' in (ROOT / "README.md").read_text(), "the README's warm-up: quote warmup.md's first line"


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


def test_the_readme_quotes_the_patterns_as_measured():
    """Every row of the README's pattern table carries the value of results/figures/patterns.md
    (python -m experiments.patterns) for the regime the pattern describes."""
    from experiments import patterns

    measured = {}
    for line in (ROOT / "results" / "figures" / "patterns.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) > 5 and cells[0] in {p.name for p in patterns.PATTERNS}:
            cell = cells[4] if cells[1] == "refined" and not cells[3].startswith("(") else cells[3]
            measured[cells[0]] = cell.split(") ", 1)[-1].replace(" ✗", "")
    readme = (ROOT / "README.md").read_text()
    quoted = {
        cells[0]: cells[3]
        for cells in ([c.strip() for c in line.split("|")[1:-1]] for line in readme.splitlines())
        if len(cells) == 6 and cells[0] in measured
    }
    assert quoted, "the README has no pattern table"
    wrong = {name: (value, measured[name]) for name, value in quoted.items() if value != measured[name]}
    assert not wrong, f"README quotes patterns other than results/figures/patterns.md: {wrong}"
    assert set(measured) == set(quoted), f"patterns missing from the README's table: {set(measured) - set(quoted)}"
