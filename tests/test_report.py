"""``python -m sim.report``: refuses without writing anything, and writes readable Markdown."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.report import _markdown, _write_table, build_report
from sim.sweep import SweepError
from tests.conftest import ROOT

KPIS = {"issues_created": 40, "resolved_within_7d": 0.4, "response_time_mean_h": 60.0, "satisfaction_mean": 0.6}


def job(sweep: Path, name: str, seed: int = 0, policy: str = "coarse", overrides=(), failed: bool = False) -> None:
    """A job folder as a sweep leaves it: ``.hydra/overrides.yaml`` and a result record."""
    (sweep / name / ".hydra").mkdir(parents=True)
    (sweep / name / ".hydra" / "overrides.yaml").write_text(json.dumps([*overrides, f"seed={seed}"]))
    if failed:
        record = {"error": "ValueError: scenario.workers_per_10k must be positive"}
        (sweep / name / "failed.json").write_text(json.dumps(record))
        return
    summary = {"seed": seed, "policy": policy, "scenario": "teaching", "days": 2, "version": "t", "kpis": KPIS}
    (sweep / name / "summary.json").write_text(json.dumps(summary))


def report(sweep: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.report", str(sweep)], capture_output=True, text=True, cwd=ROOT)


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


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (duplicated, "2 runs share their parameters, policy and seed"),
        (unfinished, "no finished runs"),
        (duplicated_variants, "2 runs share their variant and seed"),
    ],
)
def test_a_refused_sweep_directory_is_left_as_it_was(tmp_path, make, reason):
    make(tmp_path)
    done = report(tmp_path)
    assert done.returncode == 2, done.stderr
    assert reason in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "runs.parquet").exists(), "runs.parquet written before refusing"
    assert not (tmp_path / "report").exists(), "report/ written before refusing"
    with pytest.raises(SweepError, match=reason):
        build_report(tmp_path)
    assert not (tmp_path / "runs.parquet").exists()


def test_a_refusal_still_lists_the_failed_runs(tmp_path):
    unfinished(tmp_path)
    done = report(tmp_path)
    assert "0 runs ok, 2 not" in done.stdout and "workers_per_10k must be positive" in done.stdout, done.stdout


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
    text = _markdown(diffs)
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
    written = _write_table(diffs, tmp_path / "differences")
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
    text = _markdown(summary, "**compare_regimes**: mean over seeds.")
    assert text.startswith("**compare_regimes**: mean over seeds.\n\n| policy | KPI | group | mean | 95% CI | runs |")
    met = "| coarse | needs actually met (share of all needs) | registered elsewhere | 0.348 | [0.242, 0.455] | 3 |"
    assert met in text
    assert (
        "| coarse | response time of resolved needs (mean, hours; conditional on resolution) | elderly "
        "| 62.6 | n/a | 1 |" in text
    )
