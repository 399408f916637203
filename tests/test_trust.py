"""Sweep results a reader can trust: runs of other code are redone, pairs are checked by
the needs they faced, the ablation keeps every swept parameter apart with one sign
convention, levels and differences come from the same seeds, and figures name their slice."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.measure import ablation, analysis
from sim.present.report import build_report
from tests.conftest import cli, skipped

SMALL = ("scenario=teaching", "days=5")


def ablation_runs(missing=()) -> pd.DataFrame:
    """Ablation runs at two staffing levels, where patrol helps three times as much at 40."""
    rows = []
    for staff, gain in ((5, 0.02), (40, 0.06)):
        for seed in range(4):
            for variant, value in (("coarse", 0.4), ("coarse+patrol", 0.4 + gain), ("coarse+digital", 0.45)):
                if (staff, seed, variant) in missing:
                    continue
                rows.append(
                    {
                        "status": "ok",
                        "variant": variant,
                        "seed": seed,
                        "scenario.workers_per_10k": staff,
                        "needs_fingerprint": f"{staff}-{seed}",
                        "needs_met_share": value + 0.001 * seed * (variant != "coarse"),
                    }
                )
    return pd.DataFrame(rows)


def test_ablation_keeps_swept_parameters_apart():
    runs = ablation_runs()
    by = analysis.varying_parameters(runs)
    assert by == ["scenario.workers_per_10k"]
    e = ablation.ablation_effects(runs, ["needs_met_share"], by)
    e = e[e["dial"] == "patrol"].set_index("scenario.workers_per_10k")
    # Pooled, the effect would be 0.04 from 8 pairs; per level it is 0.02 and 0.06 from 4.
    assert e.loc[5, "difference"] == pytest.approx(0.02 + 0.0015) and e.loc[5, "pairs"] == 4
    assert e.loc[40, "difference"] == pytest.approx(0.06 + 0.0015) and e.loc[40, "pairs"] == 4


def test_ablation_with_a_missing_run_pairs_what_it_can():
    runs = ablation_runs(missing={(40, 2, "coarse+patrol")})
    e = ablation.ablation_effects(runs, ["needs_met_share"], ["scenario.workers_per_10k"])
    assert sorted(e["pairs"]) == [3, 4, 4, 4], "the cell with a missing run has one pair fewer, and nothing crashes"


def test_familywise_intervals_are_wider_and_verdicts_follow_them():
    e = ablation.ablation_effects(ablation_runs(), ["needs_met_share"], ["scenario.workers_per_10k"])
    assert (e["family"] == 2).all(), "two dials: a family of two comparisons per KPI and staffing level"
    assert (e["fw_high"] - e["fw_low"] > e["ci_high"] - e["ci_low"]).all()
    assert set(e["verdict"]) == {"better"}, e[["difference", "fw_low", "fw_high", "verdict"]]
    flat = pd.DataFrame(
        {
            "kpi": ["needs_met_share"] * 3,
            "difference": [0.0, 0.002, 0.05],
            "ci_low": [0.0, 0.001, -0.2],
            "ci_high": [0.0, 0.003, 0.3],
            "pairs": [5, 5, 5],
        }
    )
    verdicts = ablation.familywise(flat, [])["verdict"].tolist()
    # exactly 0 with no spread: the dial cannot act; a tiny, tight effect: below the relevant
    # size (0.01 of all needs); a wide interval: too few seeds to tell.
    assert verdicts == ["structural zero", "negligible", "unclear"]


def test_levels_and_differences_use_the_same_seeds():
    runs = pd.DataFrame(
        [
            {"status": "ok", "policy": p, "seed": s, "needs_fingerprint": str(s), "needs_met_share": v}
            for s in range(5)
            for p, v in (("coarse", 0.1 * s), ("refined", 0.1 * s + 0.2))
            if not (p == "refined" and s == 4)  # refined seed 4 missing: coarse seed 4 is unpaired
        ]
    )
    levels = analysis.paired_levels(runs, [], kpis=["needs_met_share"]).set_index("policy")
    diffs = analysis.paired_differences(runs, [], kpis=["needs_met_share"]).iloc[0]
    assert levels.loc["coarse", "n"] == 4 == diffs["pairs"]
    gap = levels.loc["refined", "mean"] - levels.loc["coarse", "mean"]
    assert gap == pytest.approx(diffs["difference"]), "the gap between levels is the mean paired difference"


def test_pairs_that_faced_other_needs_are_left_out():
    runs = pd.DataFrame(
        [
            {"status": "ok", "policy": p, "seed": s, "needs_fingerprint": f"{s}{'x' * (p == 'refined' and s == 2)}"}
            | {"issues_created": 100, "satisfaction_mean": 0.5 + 0.1 * (p == "refined")}
            for s in range(5)
            for p in ("coarse", "refined")
        ]
    )
    d = analysis.paired_differences(runs, [], kpis=["satisfaction_mean"]).iloc[0]
    assert (d["pairs"], d["excluded"], bool(d["paired_ok"])) == (4, 1, False)


def test_rerun_redoes_runs_made_by_other_code_and_the_report_says_so(tmp_path):
    first = cli("-m", *SMALL, "seed=0,1", f"hydra.sweep.dir={tmp_path}")
    assert first.returncode == 0, first.stderr
    summaries = sorted(tmp_path.glob("*/summary.json"))
    stale = json.loads(summaries[0].read_text()) | {"code": "0000000000000000"}
    summaries[0].write_text(json.dumps(stale))  # as if made before a change to the model
    again = cli("-m", *SMALL, "seed=0,1", f"hydra.sweep.dir={tmp_path}")
    assert again.returncode == 0, again.stderr
    assert skipped(again) == 1 and again.stdout.count("[done]") == 1, again.stdout
    assert json.loads(summaries[0].read_text())["code"] != "0000000000000000", "the stale run was redone"
    summaries[1].write_text(json.dumps(json.loads(summaries[1].read_text()) | {"code": "0000000000000000"}))
    import subprocess
    import sys

    from tests.conftest import ROOT

    report = subprocess.run(
        [sys.executable, "-m", "sim.present.report", str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert report.returncode == 0 and "other code than the installed one" in report.stderr, report.stderr


def test_both_regimes_of_a_seed_record_the_same_needs_fingerprint(paired_sweep):
    # The shared sweep of tests/conftest.py: the same command as this test made (both policies,
    # seeds 0 and 1, teaching), but 20 days instead of 5. A longer run faces more needs, so the
    # fingerprints have more to agree on between regimes and to tell apart between seeds.
    runs = pd.read_parquet(paired_sweep / "runs.parquet")
    prints = runs.pivot_table(index="seed", columns="policy", values="needs_fingerprint", aggfunc="first")
    assert (prints["coarse"] == prints["refined"]).all() and prints["coarse"].nunique() == 2


def test_one_configuration_one_folder_and_experiments_apart(tmp_path):
    done = cli("-m", *SMALL, "scenario.workers_per_10k=20,20.0", f"hydra.sweep.dir={tmp_path}")
    assert done.returncode == 0, done.stderr
    jobs = [p.name for p in tmp_path.iterdir() if (p / ".hydra").is_dir()]
    assert len(jobs) == 1 and "scenario.workers_per_10k=20," in jobs[0], jobs
    other = cli("experiment=compare_regimes", *SMALL, "warmup_days=0", "seed=0", f"hydra.sweep.dir={tmp_path}")
    assert other.returncode == 0, other.stderr
    names = [p.name for p in tmp_path.iterdir() if (p / ".hydra").is_dir()]
    assert sum("experiment=compare_regimes" in n for n in names) == 2, names
    # The first command's run joins the second's report: the sweep says so as it starts.
    assert "holds 1 runs that this command does not ask for" in other.stderr, other.stderr


def _job(sweep: Path, name: str, overrides: list[str], policy: str, seed: int, kpis: dict) -> None:
    (sweep / name / ".hydra").mkdir(parents=True)
    (sweep / name / ".hydra" / "overrides.yaml").write_text(
        json.dumps([*overrides, f"policy={policy}", f"seed={seed}"])
    )
    summary = {"seed": seed, "policy": policy, "scenario": "teaching", "days": 2, "version": "t", "kpis": kpis}
    (sweep / name / "summary.json").write_text(json.dumps(summary | {"needs_fingerprint": str(seed)}))


def test_with_three_varying_parameters_each_slice_gets_its_own_figure(tmp_path):
    i = 0
    for staff in (10, 20):
        for hours in ("office", "staggered"):
            for sigma in (0, 1):
                for policy in ("coarse", "refined"):
                    for seed in (0, 1):
                        value = 0.3 + 0.01 * staff + 0.1 * sigma + 0.05 * (policy == "refined") + 0.001 * seed
                        over = [
                            f"scenario.workers_per_10k={staff}",
                            f"policy.service_hours={hours}",
                            f"scenario.need_heterogeneity={sigma}",
                        ]
                        _job(tmp_path, f"j{i}", over, policy, seed, {"needs_met_share": value, "issues_created": 9})
                        i += 1
    written = build_report(tmp_path, kpis=["needs_met_share"])
    figures = sorted(p.name for p in written if p.suffix == ".png")
    # x = staffing, facets = hours, one figure per heterogeneity value: both from one slice; and
    # the gap's phase diagram over the two numeric axes, one per value of the third (hours).
    expected = ["figure_scenario.need_heterogeneity=0.png", "figure_scenario.need_heterogeneity=1.png"]
    expected += ["phase_policy.service_hours=office.png", "phase_policy.service_hours=staggered.png"]
    assert figures == expected, figures
    effects = pd.read_csv(tmp_path / "report" / "differences.csv")
    assert np.allclose(effects["difference"], 0.05)


def test_code_hash_covers_every_module_a_run_imports():
    """Modules left out of the code hash must never take part in making a run's results."""
    import subprocess
    import sys

    from sim.study.output import is_reader

    # The files of the modules a run loads, by their path in sim/ (present/report.py).
    code = (
        "import sys, pathlib, sim, sim.study.run, sim.study.output\n"
        "root = pathlib.Path(sim.__file__).parent\n"
        "files = [getattr(m, '__file__', None) for n, m in list(sys.modules.items()) if n.startswith('sim.')]\n"
        "print(' '.join(pathlib.Path(f).relative_to(root).as_posix() for f in files if f))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "study/run.py" in loaded  # the paths are as is_reader takes them
    readers = {path for path in loaded if is_reader(path)}
    assert not readers, f"a run imports modules left out of the code hash: {readers}"


def test_group_contrast_is_a_paired_difference_of_gains():
    rows = []
    for seed in range(4):
        for policy, old, young in (("coarse", 0.30, 0.30), ("refined", 0.35, 0.50)):
            noise = 0.05 * seed  # shared by both groups within a run: the contrast removes it
            rows.append(
                {"status": "ok", "policy": policy, "seed": seed, "needs_fingerprint": str(seed)}
                | {"needs_met_share_young": young + noise, "needs_met_share_old": old + noise}
            )
    c = analysis.group_contrasts(pd.DataFrame(rows), [], [("young", "old")], ["needs_met_share"]).iloc[0]
    assert c["contrast"] == "young − old" and c["pairs"] == 4
    assert c["difference"] == pytest.approx(0.20 - 0.05) and c["ci_high"] - c["ci_low"] == pytest.approx(0, abs=1e-12)
