"""The command line as users meet it: one run, its files, and clear errors for bad input."""

import json
import shutil
import sys
from unittest import mock

import pandas as pd
import pytest

from sim.study.output import atomic_write
from tests.conftest import cli, make_config, run, unavailable

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
        ("policy.patrol_floor=0.2", "patrol_floor=0.2 is more than policy.patrol_share"),  # coarse: share 0
        ("scenario.duty_share=0.95", "duty_share"),
        ("scenario.appraisal_overhead_h=700", "at least 0.01 must remain"),  # with the duties, no time for cases
        ("scenario.doc_h_per_case=-1", "doc_h_per_case"),
        ("scenario.info_noise=abc", "info_noise"),
        ("scenario.visit_fatigue_cost=2", "visit_fatigue_cost"),
        ("scenario.generalist_time_factor=0.5", "generalist_time_factor"),
        ("scenario.inspection_km2_per_h=0", "inspection_km2_per_h"),
        ("scenario.demand_scale=-2", "demand_scale"),
        ("policy.inspection_share=1", "inspection_share"),
        ("access=modrn", "did you mean modern"),
        ("scenario.categories.employed.share=0.9", "sum to 1"),
        ("scenario.categories.employed.away=[Mon-Fri 8]", "away"),
        ("days=0", "days"),
        ("seed=range(0,x)", "cannot read seed=range(0,x)"),  # Hydra's grammar, in govsim's words
        ("hydra.run.dirr=x", "did you mean hydra.run.dir?"),
    ],
)
def test_bad_input_names_the_key_and_what_is_allowed(override, expected, out_dir):
    done = cli("scenario=teaching", "days=2", override, f"hydra.run.dir={out_dir}")
    assert done.returncode != 0, f"{override} was accepted"
    assert expected in done.stderr, f"the message for {override} does not mention {expected!r}: {done.stderr}"
    assert "Traceback" not in done.stderr, f"bare traceback for {override}"
    assert done.stderr.startswith("govsim: configuration error"), done.stderr
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
    from sim.model.model import GovernanceModel

    for scenario in ("teaching", "town", "district"):
        weekly = {}
        for policy in ("coarse", "refined"):
            cfg = make_config(f"scenario={scenario}", f"policy={policy}", "scenario.n_residents=20000")
            m = GovernanceModel(cfg.scenario, cfg.policy, seed=0)
            front = sum(p.n_servers for p in m.front_pools)
            dept = sum(p.n_servers for p in m.dept_pools if p is not None)
            volunteer_posts = m.volunteer_posts
            weekly[policy] = ((front + dept + volunteer_posts) * m.service_calendar.hours_per_week, volunteer_posts)
        # Paid posts plus the posts volunteers' hours stand in for are equal, so the weekly
        # hours are; how they are split (front line or departments, town pool or grid units,
        # paid or volunteer) is what the regimes differ in.
        assert weekly["coarse"][0] == weekly["refined"][0], f"{scenario}: capacity differs between presets: {weekly}"
        assert weekly["coarse"][1] == 0 and weekly["refined"][1] > 0, weekly  # only refined mobilises volunteers


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


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("policy.patrol_shar=0.3", "did you mean policy.patrol_share"),
        ("scenario.workers_per_10K=5", "did you mean scenario.workers_per_10k"),
        ("scenario.categories.employed.shar=0.2", "did you mean scenario.categories.employed.share?"),
        ("scenario.categories.robots.share=0.2", "employed"),
        ("scenario.service_types.housin.service_h=2", "did you mean scenario.service_types.housing?"),
        ("polcy=refined", "did you mean policy?"),
        ("seed=abc", "whole number"),
        ("days=1.5", "whole number"),
        ("days=30.0", "whole number, written without a point or exponent (write days=30)"),
        ("days=1e3", "(write days=1000)"),
        ("policy.channels=digital", "write policy.channels=[digital]"),  # a bare word for a list
        ("policy.competence=housing", "write policy.competence=[housing]"),
        ("policy.channels=[digital,digital]", "names digital more than once"),
        ("seed=range(0,3)", "is a sweep, which runs one job per value: add -m"),  # no -m
        ("--days=30", "write days=30"),
        ("scenario=nowhere", "choose one of district, dongcheng, mmc, teaching, town"),
        ("policy=schema", "choose one of coarse, refined"),
        ("scenario=schema", "choose one of district, dongcheng, mmc, teaching, town"),
    ],
)
def test_bad_input_gets_govsims_message_and_exit_2(override, expected, tmp_path):
    done = cli("scenario=teaching", "days=2", override, cwd=tmp_path)
    assert done.returncode == 2, f"{override}: exit {done.returncode}: {done.stderr}"
    assert expected in done.stderr, done.stderr
    assert "To append to your config" not in done.stderr, "Hydra's advice to append with + is wrong here"
    assert not list(tmp_path.iterdir()), f"{override} left {list(tmp_path.rglob('*'))[:5]}"


def test_an_option_that_is_a_key_says_how_to_write_it(tmp_path):
    done = cli("scenario=teaching", "--days", "30", cwd=tmp_path)
    assert done.returncode == 2 and "--days is not an option" in done.stderr and "write days=30" in done.stderr
    assert not list(tmp_path.iterdir())


def test_options_typed_after_the_overrides_still_count(tmp_path):
    """Hydra's parser takes -m only before the overrides; the command moves it there."""
    done = cli("scenario=teaching", "days=2", "-m", "seed=0,1", f"hydra.sweep.dir={tmp_path / 's'}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(list((tmp_path / "s").glob("*seed=*"))) == 2


def test_the_parameter_table_ends_quietly_when_its_reader_stops():
    import subprocess
    import sys

    done = subprocess.run(
        f"{sys.executable} -m sim.model.params | head -1", shell=True, capture_output=True, text=True, check=False
    )
    assert done.stdout.startswith("| key |") and done.stderr == "", done.stderr


@pytest.mark.parametrize("override", ["scenario.n_residents=0", "days=-5", "policy.routing=fast", "+foo=1"])
def test_rejected_configurations_leave_no_folder(override, tmp_path):
    done = cli("scenario=teaching", "days=2", override, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert not list(tmp_path.iterdir()), f"{override} left {list(tmp_path.rglob('*'))[:5]}"


def test_sweep_with_a_wrong_type_is_refused_before_any_run(tmp_path):
    done = cli(
        "-m", "scenario=teaching", "days=2", "scenario.n_residents=1000,abc", f"hydra.sweep.dir={tmp_path / 's'}"
    )
    assert done.returncode == 2 and "scenario.n_residents=abc" in done.stderr, done.stderr
    assert not (tmp_path / "s").exists()


def test_run_folder_names_show_every_override_and_hold_a_real_log(tmp_path):
    base = cli("scenario=teaching", "days=2", cwd=tmp_path)
    ablated = cli("scenario=teaching", "days=2", "policy=coarse", "policy.patrol_share=0.3", cwd=tmp_path)
    assert base.returncode == 0 and ablated.returncode == 0, ablated.stderr
    names = sorted(p.name for p in (tmp_path / "results" / "runs").iterdir())
    assert len(names) == 2, names
    (ablation,) = [n for n in names if "patrol_share=0.3" in n]
    assert "_teaching_coarse_s0_" in ablation, ablation
    long = cli(
        "scenario=teaching",
        "days=2",
        *(f"scenario.categories.{c}.propensity=0.5" for c in ("employed", "elderly", "migrant", "assisted", "family")),
        cwd=tmp_path,
    )
    assert long.returncode == 0, long.stderr
    longest = max(len(p.name) for p in (tmp_path / "results" / "runs").iterdir())
    assert longest <= 140, f"folder names stay within a sane length: {longest}"
    for run_dir in (tmp_path / "results" / "runs").iterdir():
        assert not list(run_dir.glob("*.log")) or (run_dir / "run.log").stat().st_size > 0, "no empty logs"
        assert "simulating" in (run_dir / "run.log").read_text()


@pytest.mark.parametrize("where", ["/proc/govsim_x", "FILE/sub"])
def test_an_unusable_output_directory_is_a_clear_error(where, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    target = where.replace("FILE", str(afile))
    done = cli("scenario=teaching", "days=2", f"hydra.run.dir={target}", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "output directory" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert afile.read_text() == "not a folder"


def test_help_names_govsim_and_every_choice():
    from sim.study.config import GROUPS, group_options

    done = cli("--help")
    assert done.returncode == 0
    assert "govsim" in done.stdout and "__main__ is powered by Hydra" not in done.stdout, done.stdout
    for group in ("scenario", "policy", "experiment"):
        line = next(ln for ln in done.stdout.splitlines() if ln.strip().startswith(group))
        assert all(option in line for option in group_options(group)), f"--help misses a {group}: {line}"
    assert "schema" not in done.stdout
    assert "variant" in GROUPS


def test_a_sweep_into_an_unusable_directory_is_a_clear_error(tmp_path):
    done = cli("-m", "scenario=teaching", "days=2", "seed=0,1", "hydra.sweep.dir=/proc/govsim_sweep", cwd=tmp_path)
    assert done.returncode == 2 and "output directory" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_sweep_whose_every_run_would_be_refused_stops_before_any_folder(tmp_path):
    # An experiment warms up 450 days; 30 days leave nothing to measure, whatever the seed.
    done = cli("experiment=compare_regimes", "scenario=teaching", "days=30", f"hydra.sweep.dir={tmp_path / 'sw'}")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "warmup_days=450 must be less than days=30" in done.stderr
    assert not (tmp_path / "sw").exists()
    # A swept key that can mend it leaves the decision to each run.
    mixed = cli(
        "-m", "scenario=teaching", "days=10,20", "warmup_days=15", "seed=0", f"hydra.sweep.dir={tmp_path / 'm'}"
    )
    assert mixed.returncode == 1, mixed.stderr[-2000:]  # the 10-day run fails, the 20-day run is measured
    # A value typed once on the command line is in every run, whatever preset a swept group
    # picks: no sweep over policy can mend policy.patrol_share=1.2.
    fixed = cli(
        "experiment=compare_regimes",
        "scenario=teaching",
        "days=20",
        "warmup_days=0",
        "policy.patrol_share=1.2",
        f"hydra.sweep.dir={tmp_path / 'f'}",
    )
    assert fixed.returncode == 2 and "policy.patrol_share=1.2 is out of range" in fixed.stderr, fixed.stderr[-2000:]
    assert not (tmp_path / "f").exists()


def test_an_interrupted_run_leaves_no_empty_folder(tmp_path):
    from sim import cli as command

    made = tmp_path / "results" / "runs" / "x"
    made.mkdir(parents=True)
    (made / ".hydra").mkdir()  # Hydra had written its record, the run had not begun
    command._made.append(made)
    try:
        with (
            pytest.raises(SystemExit) as stop,
            mock.patch.object(sys, "argv", ["sim"]),
            mock.patch.object(command, "main", side_effect=KeyboardInterrupt),
        ):
            command.cli()
    finally:
        command._made.remove(made)
    assert stop.value.code == 130 and not made.exists()


def test_a_full_disk_is_told_in_govsims_words_and_keeps_what_is_written(capsys, tmp_path):
    import errno

    from sim import cli as command

    folder = tmp_path / "run"
    folder.mkdir()
    command._made.append(folder)  # a single run's folder, made by this command, without results
    try:

        def write():
            raise OSError(errno.ENOSPC, "No space left on device")

        with pytest.raises(SystemExit) as stop:
            command.reporting_disk_full(lambda func: func())(write)
    finally:
        command._made.remove(folder)
    message = capsys.readouterr().err
    assert stop.value.code == 1 and message.startswith("govsim: no space left on device: could not write")
    assert "re-run the same command" in message and "Traceback" not in message
    assert not folder.exists(), "a run without results leaves no folder"

    def crash():
        raise OSError(errno.EACCES, "Permission denied")

    with pytest.raises(PermissionError):  # any other error goes on to Hydra's report
        command.reporting_disk_full(lambda func: func())(crash)


def _tmpfs(path, size: str) -> bool:
    import subprocess

    path.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)]
    return subprocess.run(mount, capture_output=True, check=False).returncode == 0


def test_a_sweep_that_fills_its_disk_stops_with_a_message_and_resumes(tmp_path):
    import subprocess

    small = tmp_path / "small"
    if not _tmpfs(small, "400k"):
        unavailable("mounting a small disk needs privileges this machine does not give")
    sweep = ("-m", "scenario=teaching", "days=10", "seed=range(0,8)", "hydra.launcher.n_jobs=1")
    try:
        full = cli(*sweep, f"hydra.sweep.dir={small / 's'}", "hydra/launcher=cores")
        assert full.returncode == 1, full.stderr[-2000:]
        assert f"no space left on device: could not write {small / 's'}" in full.stderr, full.stderr[-2000:]
        assert "Traceback" not in full.stderr
        done = len(list(small.glob("s/*/summary.json")))
        assert 0 < done < 8
        shutil.copytree(small / "s", tmp_path / "s")  # space freed: the same folder on a larger disk
    finally:
        subprocess.run(["umount", str(small)], check=False)
    resumed = cli(*sweep, f"hydra.sweep.dir={tmp_path / 's'}", "hydra/launcher=cores")
    assert resumed.returncode == 0 and f"{done} of 8 runs already finished: not launched" in resumed.stderr


def test_a_single_run_that_fills_its_disk_says_so_and_leaves_no_folder(tmp_path):
    import subprocess

    small = tmp_path / "small"
    if not _tmpfs(small, "60k"):
        unavailable("mounting a small disk needs privileges this machine does not give")
    try:
        done = cli("scenario=teaching", "days=30", f"hydra.run.dir={small / 'r'}")
        assert done.returncode == 1, done.stderr[-2000:]
        assert done.stderr.startswith(f"govsim: no space left on device: could not write {small / 'r'}"), done.stderr
        assert "Error executing job" not in done.stderr and "Traceback" not in done.stderr
        assert not (small / "r").exists(), "a run without results leaves no folder"
    finally:
        subprocess.run(["umount", str(small)], check=False)
