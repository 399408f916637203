"""``python -m sim.present.report``: refuses without writing anything, and writes readable Markdown."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.present.kpi_table import accounting_label
from sim.present.report import build_report
from sim.present.tables import markdown, write_table
from sim.study.sweep import SweepError
from tests.conftest import ROOT

KPIS = {"issues_created": 40, "resolved_within_7d": 0.4, "response_time_mean_h": 60.0, "satisfaction_mean": 0.6}


def job(
    sweep: Path, name: str, seed: int = 0, policy: str = "coarse", overrides=(), failed: bool = False, kpis=None
) -> None:
    """A job folder as a sweep leaves it: ``.hydra/overrides.yaml`` and a result record."""
    (sweep / name / ".hydra").mkdir(parents=True)
    (sweep / name / ".hydra" / "overrides.yaml").write_text(json.dumps([*overrides, f"seed={seed}"]))
    if failed:
        record = {"error": "ValueError: scenario.workers_per_10k must be positive"}
        (sweep / name / "failed.json").write_text(json.dumps(record))
        return
    summary = {"seed": seed, "policy": policy, "scenario": "teaching", "days": 2, "version": "t", "kpis": kpis or KPIS}
    (sweep / name / "summary.json").write_text(json.dumps(summary))


def report(sweep: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.present.report", str(sweep)], capture_output=True, text=True, cwd=ROOT
    )


def duplicated(sweep: Path) -> None:
    job(sweep, "a")
    job(sweep, "b")  # the same configuration, run twice into one folder


def unfinished(sweep: Path) -> None:
    job(sweep, "a", failed=True)
    job(sweep, "b", seed=1, failed=True)


def duplicated_variants(sweep: Path) -> None:
    job(sweep, "a", overrides=["variant=coarse"])
    job(sweep, "b", overrides=["variant=coarse"])
    job(sweep, "c", policy="refined", overrides=["variant=refined"])


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    """``refused(make)``: a sweep directory made by ``make`` and what ``python -m sim.present.report``
    said about it, once per module for each ``make`` (the command costs a few seconds; the
    report of the unfinished sweep is checked by two tests). Refused: nothing is written."""
    made = {}

    def get(make):
        if make not in made:
            path = tmp_path_factory.mktemp(make.__name__)
            make(path)
            made[make] = (path, report(path))
        return made[make]

    return get


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (duplicated, "2 runs share their parameters, policy and seed"),
        (unfinished, "no finished runs"),
        (duplicated_variants, "2 runs share their variant and seed"),
    ],
)
def test_a_refused_sweep_directory_is_left_as_it_was(refused, make, reason):
    tmp_path, done = refused(make)
    assert done.returncode == 2, done.stderr
    assert reason in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "runs.parquet").exists(), "runs.parquet written before refusing"
    assert not (tmp_path / "report").exists(), "report/ written before refusing"
    with pytest.raises(SweepError, match=reason):
        build_report(tmp_path)
    assert not (tmp_path / "runs.parquet").exists()


def test_a_refusal_still_lists_the_failed_runs(refused):
    _, done = refused(unfinished)  # the same command on the same directory as above
    assert "0 runs ok, 2 failed or unfinished" in done.stdout, done.stdout
    assert "workers_per_10k must be positive" in done.stdout, done.stdout


def test_markdown_uses_labels_and_the_precision_of_each_kind_of_kpi(tmp_path):
    diffs = pd.DataFrame(
        {
            "kpi": ["resolved_within_7d", "response_time_mean_h", "issues_created"],
            "difference": [0.07117, -72.41, 3.4],
            "ci_low": [0.06043, -73.649, 1.2],
            "ci_high": [0.08190, -71.18, 5.6],
            "pairs": [20, 20, 20],
            "paired_ok": [True, True, True],
        }
    )
    text = markdown(diffs)
    assert "| KPI | refined − coarse | 95% CI | pairs |" in text
    assert (
        "| needs resolved within 7 days of arising (cumulative incidence, all needs) | +0.071 | [+0.060, +0.082] | 20 |"
        in text
    )
    assert (
        "| response time of resolved needs (mean, hours; conditional on resolution) | −72.4 | [−73.6, −71.2] | 20 |"
        in text
    )
    assert "| issues created | +3 | [+1, +6] | 20 |" in text
    assert "resolved_within_7d" not in text and "paired_ok" not in text
    written = write_table(diffs, tmp_path / "differences")
    pd.testing.assert_frame_equal(pd.read_csv(written[0]), diffs)  # the CSV keeps names and full precision


def test_markdown_levels_are_unsigned_and_groups_get_their_own_column():
    summary = pd.DataFrame(
        {
            "policy": ["coarse", "coarse"],
            "kpi": ["needs_met_share_registered_elsewhere", "response_time_mean_h_elderly"],
            "mean": [0.3485, 62.56],
            "ci_low": [0.2418, float("nan")],
            "ci_high": [0.4552, float("nan")],
            "n": [3, 1],
        }
    )
    text = markdown(summary, "**compare_regimes**: mean over seeds.")
    assert text.startswith("**compare_regimes**: mean over seeds.\n\n| policy | KPI | group | mean | 95% CI | runs |")
    met = "| coarse | needs actually met (share of all needs) | registered elsewhere | 0.348 | [0.242, 0.455] | 3 |"
    assert met in text
    assert (
        "| coarse | response time of resolved needs (mean, hours; conditional on resolution) | elderly "
        "| 62.6 | n/a | 1 |" in text
    )


def test_accounting_keys_read_as_words():
    assert accounting_label("utilisation_dept_housing") == "utilisation, housing department"
    assert accounting_label("paid_h_front_line") == "paid hours, front line"
    assert accounting_label("staff_dept_welfare") == "staff, welfare department"
    assert accounting_label("volunteer_h_available") == "volunteer hours, available"
    assert accounting_label("capacity_front_line_h") == "handling capacity, front line (h)"
    assert accounting_label("time_travel_h") == "time on travel (h)"


def test_the_capacity_table_lists_each_pool_per_policy_and_leaves_missing_keys_blank(tmp_path):
    accounting = {"staff_front_line": 40, "paid_h_front_line": 20_000.0, "utilisation_front_line": 0.5}
    for seed in (0, 1):
        extra = {"utilisation_dept_housing": 0.8 + 0.1 * seed}  # only refined runs record the departments
        job(tmp_path, f"c{seed}", seed, "coarse", kpis=KPIS | accounting)
        job(tmp_path, f"r{seed}", seed, "refined", kpis=KPIS | accounting | extra)
    written = build_report(tmp_path)
    assert tmp_path / "report" / "capacity.md" in written
    assert not (tmp_path / "report" / "headline.png").exists(), "no issues.parquet: no headline, and no error"
    table = pd.read_csv(tmp_path / "report" / "capacity.csv").set_index("key")
    assert list(table.columns) == ["coarse", "refined"]
    assert table.loc["utilisation_dept_housing", "refined"] == pytest.approx(0.85), "mean over seeds"
    assert pd.isna(table.loc["utilisation_dept_housing", "coarse"])
    text = (tmp_path / "report" / "capacity.md").read_text()
    assert text.startswith("**"), "a caption, as the other tables have"
    assert "| quantity | coarse | refined |" in text
    assert "| utilisation, housing department |  | 85.0% |" in text, text
    assert "| utilisation, front line | 50.0% | 50.0% |" in text
    assert "| paid hours, front line | 20,000 | 20,000 |" in text
    assert "| staff, front line | 40 | 40 |" in text


def test_an_ablation_report_has_a_capacity_table_per_variant(tmp_path):
    for seed in (0, 1):
        for variant, policy, staff in (("coarse", "coarse", 40), ("coarse+pooling", "coarse", 42)):
            kpis = KPIS | {"staff_front_line": staff, "needs_fingerprint": str(seed)}
            job(tmp_path, f"{variant}{seed}", seed, policy, overrides=[f"variant={variant}"], kpis=kpis)
    build_report(tmp_path)
    table = pd.read_csv(tmp_path / "report" / "capacity.csv").set_index("key")
    assert list(table.columns) == ["coarse", "coarse+pooling"]
    assert table.loc["staff_front_line"].tolist() == [40, 42]


def test_a_decomposition_with_an_extra_axis_has_a_figure_and_table_rows_per_slice(tmp_path):
    from sim.measure.ablation import ARMS
    from sim.present.tables import parameter_cell

    for fatigue in (0.02, 0.0):
        for seed in (0, 1):
            for variant, access in ARMS:
                policy = "refined" if variant == "refined" else "coarse"
                gain = 0.05 * len(ARMS[(variant, access)]) * (1 + 10 * fatigue) + 0.01 * seed
                kpis = KPIS | {"resolved_within_7d": 0.4 + gain, "needs_fingerprint": f"{fatigue}-{seed}"}
                overrides = [f"variant={variant}", f"access={access}", f"scenario.visit_fatigue_cost={fatigue}"]
                job(tmp_path, f"{variant}-{access}-{fatigue}-{seed}", seed, policy, overrides=overrides, kpis=kpis)
    build_report(tmp_path)
    out = tmp_path / "report"
    figures = sorted(p.name for p in out.glob("decomposition*.png"))
    # Every slice is named by its values, the first too.
    expected = ["decomposition_scenario.visit_fatigue_cost=0.02.png", "decomposition_scenario.visit_fatigue_cost=0.png"]
    assert figures == expected, figures
    parts = pd.read_csv(out / "decomposition.csv")
    assert sorted(parts["scenario.visit_fatigue_cost"].unique()) == [0.0, 0.02]
    assert (parts["pairs"] == 2).all()
    gap = parts[(parts["kpi"] == "resolved_within_7d") & (parts["part"] == "full gap")]
    assert gap.set_index("scenario.visit_fatigue_cost")["mean"].to_dict() == pytest.approx({0.0: 0.15, 0.02: 0.18})
    text = (out / "decomposition.md").read_text()
    header = next(line for line in text.splitlines() if line.startswith("| "))
    label = parameter_cell("scenario.visit_fatigue_cost", 0.0)[0]
    assert header.startswith(f"| {label} | KPI | part |"), header
    assert len([line for line in text.splitlines() if line.startswith("| ")]) == 2 + len(parts)


def test_the_capacity_report_shows_the_ledger_with_each_books_line_summed_over_pools(tmp_path):
    from sim.present.ledger_table import ledger

    for visit_h in (0.1, 0.4):
        for seed in (0, 1):
            for policy, dept in (("coarse", 5.0), ("refined", 1.0)):
                books = {
                    "staff_front_line": 40,
                    "time_front_line_documentation_h": 10.0 + 2 * seed + visit_h,
                    "time_dept_housing_documentation_h": dept,  # the same line in a department's books
                    "time_dept_facility_documentation_h": dept,
                    "time_front_line_patrol_h": 100.0 * visit_h if policy == "refined" else 0.0,
                }
                overrides = [f"scenario.visit_h={visit_h}"]
                job(tmp_path, f"{policy}-{visit_h}-{seed}", seed, policy, overrides=overrides, kpis=KPIS | books)
    written = build_report(tmp_path)
    out = tmp_path / "report"
    assert out / "ledger.csv" in written and out / "capacity.md" in written
    capacity = pd.read_csv(out / "capacity.csv")
    assert list(capacity.columns) == ["scenario.visit_h", "key", "coarse", "refined"], "capacity.csv as it was"
    measured = pd.read_csv(out / "ledger.csv")
    booked = ledger().query("books != ''")
    assert len(measured) == 2 * len(booked), "every mechanism with a books line, per setting"
    docs = measured[measured["key"] == "scenario.doc_h_per_case"].set_index("scenario.visit_h")
    assert docs.loc[0.1, "books"] == "documentation"
    assert docs.loc[0.1, "coarse"] == pytest.approx(11.1 + 10.0), "front line and both departments, mean over seeds"
    assert docs.loc[0.4, "refined"] == pytest.approx(11.4 + 2.0)
    patrol = measured[measured["key"] == "scenario.visit_h"].set_index("scenario.visit_h")
    assert patrol["refined"].to_dict() == pytest.approx({0.1: 10.0, 0.4: 40.0})
    assert measured.loc[measured["books"] == "passing_on", ["coarse", "refined"]].isna().all().all(), "no such line"
    text = (out / "capacity.md").read_text()
    table, ledger_part = text.split("**Ledger of costs and benefits, measured**")
    assert "| quantity | coarse | refined |" in table, "the capacity table first, as it was"
    assert "ODD.md section 7.19" in ledger_part and "(h)" in ledger_part
    assert "`documentation` (`scenario.doc_h_per_case`" in ledger_part, "the caption names the shared lines"
    header, _, *rows = [line for line in ledger_part.splitlines() if line.startswith("| ")]
    assert header.endswith("| mechanism | kind | borne by | books line | coarse (h) | refined (h) |"), header
    row = next(line for line in rows if "`scenario.doc_h_per_case`" in line)
    assert row.endswith("| `documentation` | 21 | 13 |"), "the first setting's (visit_h 0.1) hours, rounded"
    outside = next(line for line in ledger_part.splitlines() if line.startswith("Not in the books"))
    assert "a delay or an outcome" in outside and "`scenario.hop_delay_h`" in outside
    for key in ledger()["key"]:
        assert f"`{key}`" in ledger_part, f"{key}: all of the ledger shows"
