"""The command line as users meet it: one run, its files, and clear errors for bad input."""

import json

import pandas as pd
import pytest

from sim.output import atomic_write
from tests.conftest import cli, make_config, run

ISSUE_COLUMNS = {
    "issue_id",
    "resident_id",
    "service_type",
    "created_h",
    "reported_h",
    "started_h",
    "resolved_h",
    "abandoned_h",
    "status",
    "channel",
    "fit",
}
KPI_KEYS = {
    "response_time_mean_h",
    "response_time_p90_h",
    "report_to_resolution_mean_h",
    "detection_latency_mean_h",
    "unreported_share",
    "satisfaction_mean",
    "issues_created",
    "issues_resolved",
    "issues_abandoned",
    "issues_open",
}


def test_one_run_writes_the_output_contract(out_dir):
    done = cli("scenario=teaching", "policy=refined", "days=20", "seed=4", f"hydra.run.dir={out_dir}")
    assert done.returncode == 0, done.stderr
    assert "response time, mean (h)" in done.stdout, "the KPI table is printed"
    summary = json.loads((out_dir / "summary.json").read_text())
    assert {"seed", "policy", "scenario", "params", "version", "kpis"} <= set(summary)
    assert summary["seed"] == 4 and summary["policy"] == "refined" and summary["scenario"] == "teaching"
    assert KPI_KEYS <= set(summary["kpis"]), f"missing KPIs: {KPI_KEYS - set(summary['kpis'])}"
    issues = pd.read_parquet(out_dir / "issues.parquet")
    assert ISSUE_COLUMNS <= set(issues.columns), f"missing columns: {ISSUE_COLUMNS - set(issues.columns)}"
    assert len(issues) == summary["kpis"]["issues_created"]
    ts = pd.read_parquet(out_dir / "timeseries.parquet")
    assert {"day", "created", "resolved", "backlog", "satisfaction_mean"} <= set(ts.columns)
    assert len(ts) == 20
    assert (out_dir / ".hydra" / "config.yaml").exists(), "the resolved config is saved"
    assert not list(out_dir.glob(".*.tmp")), "no temporary files left behind"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("scenario.foo=1", "foo"),
        ("+scenario.foo=1", "scenario.foo"),
        ("+policy.colour=red", "policy.colour"),
        ("+foo=1", "foo"),
        ("scenario.n_residents=abc", "n_residents"),
        ("scenario.n_residents=0", "scenario.n_residents=0"),
        ("scenario.need_heterogeneity=-1", "need_heterogeneity"),
        ("policy.routing=fast", "grid_first"),
        ("policy=medium", "refined"),
        ("policy.channels=[fax]", "fax"),
        ("policy.competence=[magic]", "magic"),
        ("policy.patrol_share=0.99", "patrol_share"),
        ("scenario.categories.employed.share=0.9", "sum to 1"),
        ("scenario.categories.employed.away=[Mon-Fri 8]", "away"),
        ("days=0", "days"),
    ],
)
def test_bad_input_names_the_key_and_what_is_allowed(override, expected, out_dir):
    done = cli("scenario=teaching", "days=2", override, f"hydra.run.dir={out_dir}")
    assert done.returncode != 0, f"{override} was accepted"
    assert expected in done.stderr, f"the message for {override} does not mention {expected!r}: {done.stderr}"
    assert "Traceback" not in done.stderr, f"bare traceback for {override}"
    assert not (out_dir / "summary.json").exists(), "no result for a rejected config"


@pytest.mark.parametrize("scenario", ["teaching", "town", "mmc", "district"])
@pytest.mark.parametrize("policy", ["coarse", "refined"])
def test_every_config_composes(scenario, policy):
    cfg = make_config(f"scenario={scenario}", f"policy={policy}")
    assert cfg.scenario.name == scenario and cfg.policy.name == policy


@pytest.mark.parametrize("scenario", ["teaching", "town", "mmc"])
@pytest.mark.parametrize("policy", ["coarse", "refined"])
def test_every_small_config_runs(scenario, policy):
    k = run(f"scenario={scenario}", f"policy={policy}", "days=3").kpis
    assert k["issues_created"] > 0, f"{scenario}/{policy} created no issues in three days"


@pytest.mark.slow
def test_district_runs_a_week():
    k = run("scenario=district", "policy=refined", "days=7").kpis
    assert k["issues_created"] > 20_000, "the district has ~4,500 needs a day"


def test_same_budget_under_both_presets():
    from sim.model import GovernanceModel

    for scenario in ("teaching", "town", "district"):
        staff = {}
        for policy in ("coarse", "refined"):
            cfg = make_config(f"scenario={scenario}", f"policy={policy}", "scenario.n_residents=20000")
            m = GovernanceModel(cfg.scenario, cfg.policy, seed=0)
            front = sum(p.n_servers for p in m.front_pools)
            dept = sum(p.n_servers for p in m.dept_pools if p is not None)
            staff[policy] = (front + dept, m.service_calendar.hours_per_week)
        # Total staff and weekly hours are equal; how they are split (front line or
        # departments, town pool or grid units) is what the regimes differ in.
        assert staff["coarse"] == staff["refined"], f"{scenario}: staffing differs between presets: {staff}"


def test_atomic_write_leaves_old_file_intact_on_failure(tmp_path):
    target = tmp_path / "x.json"
    target.write_text("old")

    def broken(tmp):
        with open(tmp, "w") as fh:
            fh.write("half")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_text() == "old", "a failed write must not touch the existing file"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"], "no temporary file left"
