"""The calibration command at a small size: it searches, resumes, refuses a stale study and
writes the best set, the pattern table and a figure per pattern."""

import subprocess
import sys

import pandas as pd
import pytest
import yaml

from experiments import calibrate, patterns
from sim.study.config import load_config

SMALL = ["--scenario", "teaching", "--days", "40", "--warmup", "10", "--check-seeds", "2", "--jobs", "1"]


def test_loss_is_zero_inside_every_target_and_grows_outside():
    inside = {p.name: p.low for p in calibrate.fitted()}
    assert calibrate.loss(inside) == 0
    volume = "volume, type-based"
    p = next(p for p in patterns.PATTERNS if p.name == volume)
    assert calibrate.loss(inside | {volume: p.high + 2 * p.scale}) == pytest.approx(4.0)


def test_a_held_out_pattern_is_refused_by_the_fit():
    held_out = [p for p in patterns.PATTERNS if not p.fitted]
    assert held_out and not set(held_out) & set(calibrate.fitted())
    values = {p.name: p.low for p in patterns.PATTERNS}
    with pytest.raises(ValueError, match="held-out patterns cannot be fitted"):
        calibrate.loss(values, (*calibrate.fitted(), held_out[0]))
    # The search's settings name the fitted patterns: a study fitted to others is not resumed.
    args = calibrate.parse(["--out", "x"])
    assert all(p.name not in calibrate.settings(args)["fitted"].split(",") for p in held_out)


def test_knobs_set_what_they_say_within_the_parameters_ranges():
    cfg = load_config()
    base = load_config()
    low = {k.name: k.low for k in calibrate.KNOBS}
    calibrate.adjuster(low)(cfg)
    sc, b = cfg.scenario, base.scenario
    assert sc.categories["elderly"].need_rates["welfare"] == pytest.approx(
        0.2 * b.categories["elderly"].need_rates["welfare"]
    )
    assert sc.facility_faults_per_1k == pytest.approx(0.2 * b.facility_faults_per_1k)
    assert sc.service_types["housing"].patience_days == pytest.approx(0.3 * b.service_types["housing"].patience_days)
    assert sc.channel_ease["hotline"] == 0.3 and sc.channel_ease["digital"] == b.channel_ease["digital"]
    assert sc.hop_delay_h == 1.0 and sc.service_time_shape == 0.3
    high = load_config()
    calibrate.adjuster({"propensity_scale": 1.4})(high)
    assert max(c.propensity for c in high.scenario.categories.values()) <= 1.0  # a probability stays one


def test_the_defaults_read_back_are_the_configuration_unchanged():
    # Each knob reads the value the defaults give it, so setting what it read changes nothing;
    # a wrong reading (a scale not 1, another field) would move a need rate or a delay.
    args = calibrate.parse(["--out", "x", "--scenario", "town"])
    defaults = calibrate.default_knobs(args)
    assert defaults["need_scale"] == 1.0 and defaults["hop_delay_h"] == load_config().scenario.hop_delay_h
    cfg = load_config("scenario=town")
    calibrate.adjuster(defaults)(cfg)
    assert cfg == load_config("scenario=town")


def test_knobs_table_gives_the_span_of_the_trials_that_meet_every_pattern():
    names = [k.name for k in calibrate.KNOBS]
    trials = pd.DataFrame(
        [{"state": "COMPLETE", "value": v, **{n: x for n in names}} for v, x in ((0.0, 1.0), (0.0, 2.0), (3.0, 9.0))]
    )
    trials[calibrate.fitted()[0].name] = [0.1, 0.2, 0.3]
    best = dict.fromkeys(names, 1.0)
    text = calibrate.knobs_table(trials, best, dict.fromkeys(names, 1.5), 0.002)
    assert "At the defaults the loss is 0.002" in text and "2 of 3 completed trials" in text
    assert "| need_scale | 1 | 1.5 | 1 – 2 |" in text  # the trial of loss 3 is not in the span


def run(*args):
    return subprocess.run([sys.executable, "-m", "experiments.calibrate", *args], capture_output=True, text=True)


def test_search_resumes_and_writes_its_outputs(tmp_path):
    out = tmp_path / "cal"
    assert calibrate.main(["--trials", "2", "--out", str(out), *SMALL]) == 0
    assert calibrate.main(["--trials", "3", "--out", str(out), *SMALL]) == 0  # goes on from 2
    trials = pd.read_csv(out / "trials.csv")
    assert (trials["state"] == "COMPLETE").sum() == 3
    best = yaml.safe_load((out / "best.yaml").read_text())
    assert best["loss"] == pytest.approx(trials["value"].min())
    for knob in calibrate.KNOBS:
        assert knob.low <= best["knobs"][knob.name] <= knob.high
    check = pd.read_csv(out / "check.csv")
    assert set(check["pattern"]) == {p.name for p in patterns.PATTERNS} and set(check["seed"]) == {0, 1}
    assert set(check["preset"]) == {"coarse", "refined", "contrast"}  # every pattern under both presets
    assert "held out" in (out / "patterns.md").read_text()
    assert all(k.name in (out / "knobs.md").read_text() for k in calibrate.KNOBS)
    assert "At the defaults the loss is" in (out / "knobs.md").read_text()
    answered = pd.read_csv(out / "answer.csv")  # the answer under the best set and the defaults
    assert set(answered["set"]) == {"the best set", "the defaults"}
    row = answered.set_index(["set", "kpi"]).loc[("the defaults", "resolved_within_7d")]
    assert row["pairs"] == 2  # both check seeds, paired
    assert row["difference"] == pytest.approx(row["refined"] - row["coarse"])
    figures = {f.name for f in (out / "figures").iterdir()}
    assert len(figures) == len(patterns.PATTERNS) + 1 and "history.png" in figures

    # A study made with other settings is not resumed: exit 2, nothing written.
    before = (out / "journal.log").stat().st_size
    refused = run("--trials", "4", "--out", str(out), *SMALL[:-4], "--days", "50")
    assert refused.returncode == 2 and "other settings" in refused.stderr and "days: 40 → 50" in refused.stderr
    assert (out / "journal.log").stat().st_size == before


def test_a_trial_left_running_by_a_killed_search_is_failed_on_resume(tmp_path):
    from optuna.trial import TrialState

    args = calibrate.parse(["--trials", "1", "--out", str(tmp_path), *SMALL])
    study = calibrate.open_study(args)
    study.ask()  # as a worker killed mid-trial leaves it
    calibrate.prepare(args)
    assert [t.state for t in calibrate.open_study(args).trials] == [TrialState.FAIL]


@pytest.mark.parametrize(
    "bad, says",
    [(["--trials", "0"], "--trials must be at least 1"), (["--warmup", "50", "--days", "40"], "--warmup must be")],
)
def test_bad_arguments_exit_2_naming_them(tmp_path, bad, says):
    done = run("--out", str(tmp_path / "x"), *bad)
    assert done.returncode == 2 and says in done.stderr
    assert not (tmp_path / "x").exists()
