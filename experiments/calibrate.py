"""Pattern-oriented calibration: search the uncertain parameters to meet the patterns.

    python -m experiments.calibrate                     # 200 trials, 2 processes (see README for wall time)
    python -m experiments.calibrate --trials 300        # go on: the study resumes where it stopped
    python -m experiments.calibrate --trials 4 --days 60 --warmup 20 --check-seeds 2 --out /tmp/cal   # a try

The search is Optuna's (TPE sampler). Its trials are kept in a journal file
(``<out>/journal.log``), so a killed calibration resumes, and ``--jobs`` processes share it.
Each trial sets the knobs below, runs the runs the fitted patterns of ``experiments.patterns``
need (each pattern on the regime it describes; a contrast on its own runs) at the town defaults
otherwise, on ``--seeds`` seeds (common random numbers: every trial meets the same needs), and
scores the patterns' means over the seeds. Held-out patterns are fixed in
``experiments.patterns`` before any fit, are not seen by the search and are refused by
:func:`loss`. Knobs are shared by both presets: need rates, residents' behaviour and the duties
handed down are the same under both regimes, as a fair comparison requires. A knob that acts in
one regime only (mobilisation and visits act only where the refined dials switch them on) is
fitted only by that regime's patterns, since it cannot move the other's.

After the search, the best set is checked at ``--check-seeds`` seeds against every pattern,
held-out ones included. Written to ``--out`` (default ``results/calibration``):

* ``best.yaml``: the best knob values, its loss and the settings of the search;
* ``trials.csv``: every trial, its knob values, loss and fitted pattern values;
* ``check.csv`` and ``patterns.md``: every pattern at the best set under both presets, by seed;
  the table with a 95% interval over seeds, in range or not, fitted or held out (and why);
* ``knobs.md``: the loss at the defaults; the best value of each knob beside its default and the
  span of the trials that meet every fitted pattern (how far the patterns pin it), its range,
  whether it presses against a bound, and how each knob moved each pattern over the trials;
* ``answer.md`` (and ``.csv``): refined − coarse on the headline's measures under the best set and
  under the defaults, paired on the check's seeds: whether sets that fit alike answer alike;
* ``figures/<pattern>.png`` (one per pattern) and ``figures/history.png`` (loss by trial).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import patterns as pat

STUDY = "govsim-calibration"


@dataclass(frozen=True)
class Knob:
    """An uncertain parameter the calibration may move, over its declared range."""

    name: str
    low: float
    high: float
    log: bool
    apply: Callable  # (RunConfig, value) -> None, in place
    acts_in: str  # "both", or the one preset whose dials let it act
    what: str
    read: Callable = lambda cfg: 1.0  # (RunConfig) -> the value at the defaults (a scale: 1)


def _scale_needs(cfg, s):
    sc = cfg.scenario
    for c in sc.categories.values():
        c.need_rates = {k: v * s for k, v in c.need_rates.items()}
    sc.facility_faults_per_1k *= s


def _scale_propensity(cfg, s):
    for c in cfg.scenario.categories.values():
        c.propensity = min(1.0, c.propensity * s)


def _scale_service(field: str):
    def apply(cfg, s):
        for t in cfg.scenario.service_types.values():
            setattr(t, field, getattr(t, field) * s)

    return apply


def _set(key: str):
    def apply(cfg, value):
        setattr(cfg.scenario, key, value)

    return apply


def _get(key: str):
    return lambda cfg: float(getattr(cfg.scenario, key))


def _field(key: str, low: float, high: float, log: bool, acts_in: str, what: str) -> Knob:
    """A knob that sets one field of the scenario to its value (not a scale of the defaults)."""
    return Knob(key, low, high, log, _set(key), acts_in, what, _get(key))


def _ease(channel: str):
    return lambda cfg: float(cfg.scenario.channel_ease[channel])


def _set_ease(channel: str):
    def apply(cfg, value):
        cfg.scenario.channel_ease = cfg.scenario.channel_ease | {channel: value}

    return apply


KNOBS = (
    Knob("need_scale", 0.2, 1.2, False, _scale_needs, "both", "every need rate and the fault rate, × default"),
    Knob("propensity_scale", 0.4, 1.4, False, _scale_propensity, "both", "every category's propensity, × default"),
    _field("repeat_report_per_day", 0.0, 0.2, False, "both", "repeat reporting"),
    _field("report_delay_h", 2.0, 72.0, True, "both", "mean delay before reporting"),
    Knob("hotline_ease", 0.3, 1.0, False, _set_ease("hotline"), "both", "channel_ease.hotline", _ease("hotline")),
    Knob("patience_scale", 0.3, 3.0, True, _scale_service("patience_days"), "both", "every line's patience, × default"),
    Knob("service_scale", 0.5, 3.0, True, _scale_service("service_h"), "both", "every line's handling time, × default"),
    _field("service_time_shape", 0.3, 1.0, False, "both", "tail of handling times"),
    _field("fit_tolerance", 0.3, 3.0, True, "both", "how well a remedy must fit"),
    _field("hop_delay_h", 1.0, 24.0, True, "both", "delay per hierarchical hop"),
    _field("visit_detection_prob", 0.3, 1.0, False, "refined", "visits surface needs"),
    _field("mobilisation_delay_h", 2.0, 48.0, True, "refined", "volunteers' start"),
)


def adjuster(values: dict[str, float]):
    """A function that sets the knobs ``values`` on a composed configuration."""

    def adjust(cfg):
        for knob in KNOBS:
            if knob.name in values:
                knob.apply(cfg, values[knob.name])

    return adjust


def loss(values: dict[str, float], patterns=None) -> float:
    """Sum of squared misfits of the fitted patterns (0 when every one is in range), from each
    pattern's value on the regime it describes (by name). A held-out pattern is refused: it is
    checked out of sample, never fitted."""
    patterns = patterns if patterns is not None else fitted()
    held_out = [p.name for p in patterns if not p.fitted]
    if held_out:
        raise ValueError(f"held-out patterns cannot be fitted: {', '.join(held_out)} (experiments.patterns)")
    return float(sum(p.misfit(values[p.name]) ** 2 for p in patterns))


def fitted():
    return tuple(p for p in pat.PATTERNS if p.fitted)


def measure(knobs: dict[str, float], seed: int, common: tuple[str, ...], names: tuple[str, ...], presets=None):
    """The patterns ``names`` at one seed with the knobs set, by (pattern, preset): on the
    regime each describes, or under every preset of ``presets`` (patterns go by name to a
    worker process: their measures do not pickle)."""
    patterns = tuple(p for p in pat.PATTERNS if p.name in names)
    return pat.simulate_plan(common, seed, patterns, adjust=adjuster(knobs), presets=presets)


def names(patterns) -> tuple[str, ...]:
    return tuple(p.name for p in patterns)


# --- the search ------------------------------------------------------------------------------
def storage(out: Path):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    return JournalStorage(JournalFileBackend(str(out / "journal.log")))


def settings(args) -> dict:
    """What makes two searches comparable: a study resumes only with the same settings."""
    return {
        "scenario": args.scenario,
        "days": args.days,
        "warmup": args.warmup,
        "seeds": args.seeds,
        "knobs": ",".join(f"{k.name}[{k.low:g},{k.high:g}]" for k in KNOBS),
        "fitted": ",".join(p.name for p in fitted()),
    }


def open_study(args, worker: int = 0):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # Each worker process samples with its own seed; constant_liar keeps parallel workers apart.
    sampler = optuna.samplers.TPESampler(seed=args.sampler_seed + worker, multivariate=True, constant_liar=True)
    where = storage(Path(args.out))
    try:  # loading writes nothing: a refused resume leaves the journal as it was
        return optuna.load_study(study_name=STUDY, storage=where, sampler=sampler)
    except KeyError:
        return optuna.create_study(study_name=STUDY, storage=where, direction="minimize", sampler=sampler)


def run_overrides(args) -> tuple[str, ...]:
    """The overrides every run of the calibration shares."""
    return (f"scenario={args.scenario}", f"days={args.days}", f"warmup_days={args.warmup}")


def fitted_means(per_seed: list[dict]) -> dict[str, float]:
    """Each fitted pattern's mean over the seeds, on the regime it describes."""
    return {p.name: float(np.mean([pat.fitted_value(s, p) for s in per_seed])) for p in fitted()}


def default_knobs(args) -> dict[str, float]:
    """Each knob's value at the defaults of the scenario searched (a scale: 1)."""
    from sim.study.config import load_config

    cfg = load_config(*run_overrides(args))
    return {k.name: k.read(cfg) for k in KNOBS}


def objective_for(args):
    common = run_overrides(args)

    def objective(trial) -> float:
        knobs = {k.name: trial.suggest_float(k.name, k.low, k.high, log=k.log) for k in KNOBS}
        per_seed = [measure(knobs, seed, common, names(fitted())) for seed in range(args.seeds)]
        values = fitted_means(per_seed)
        for name, v in values.items():
            trial.set_user_attr(name, v)
        return loss(values)

    return objective


def search_worker(args, worker: int) -> None:
    from optuna.study import MaxTrialsCallback
    from optuna.trial import TrialState

    study = open_study(args, worker)
    done = MaxTrialsCallback(args.trials, states=(TrialState.COMPLETE,))

    def report(study, trial):
        best = study.best_value if study.best_trials else math.nan
        print(f"trial {trial.number}: loss {trial.value:.3g} (best so far {best:.3g})", flush=True)

    if len(study.get_trials(states=(TrialState.COMPLETE,))) < args.trials:
        study.optimize(objective_for(args), callbacks=[done, report], gc_after_trial=True)


def prepare(args) -> None:
    """Open (or resume) the study: refuse one made with other settings; fail the trials a
    killed run left running (no worker is alive when this runs)."""
    from optuna.trial import TrialState

    study = open_study(args)
    wanted, kept = settings(args), study.user_attrs.get("settings")
    if kept is None:
        study.set_user_attr("settings", wanted)
    elif kept != wanted:
        changed = ", ".join(f"{k}: {kept.get(k)} → {v}" for k, v in wanted.items() if kept.get(k) != v)
        print(
            f"error: {args.out} holds a calibration made with other settings ({changed}); "
            "resume it with its settings, or give another --out",
            file=sys.stderr,
        )
        raise SystemExit(2)
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(t.number, state=TrialState.FAIL)


def workers(n: int) -> ProcessPoolExecutor:
    """``n`` worker processes started afresh (spawn): forking a process that already runs
    threads (Optuna's, a progress bar's, a test runner's) can leave a child deadlocked."""
    return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"))


def search(args) -> None:
    prepare(args)
    if args.jobs == 1:
        search_worker(args, 0)
        return
    with workers(args.jobs) as pool:
        for f in [pool.submit(search_worker, args, w) for w in range(args.jobs)]:
            f.result()


# --- the check of the best set, and what is written ------------------------------------------
def measure_seeds(args, knobs: dict[str, float], seeds: range, which: tuple[str, ...], presets=None) -> list[dict]:
    """:func:`measure` at each of ``seeds``, over ``--jobs`` processes."""
    n = len(seeds)
    with workers(args.jobs) as pool:
        return list(pool.map(measure, [knobs] * n, seeds, [run_overrides(args)] * n, [which] * n, [presets] * n))


def check(args, best: dict[str, float]) -> pd.DataFrame:
    """Every pattern (held-out ones included) at the best set under both presets (a contrast
    once), one row per pattern, preset and seed."""
    seeds = range(args.check_seeds)
    per_seed = measure_seeds(args, best, seeds, names(pat.PATTERNS), pat.PRESETS)
    return pd.DataFrame(
        [
            {"pattern": name, "preset": preset or "contrast", "seed": s, "value": v}
            for s, vals in zip(seeds, per_seed)
            for (name, preset), v in vals.items()
        ]
    )


ANSWER_KPIS = (
    "resolved_within_7d",
    "needs_met_share",
    "callback_satisfaction_rate",
    "resolution_time_restricted_30d_h",
)
"""The headline's measures, for :func:`answer`: does the set chosen change the answer?"""


def run_kpis(knobs: dict[str, float], policy: str, seed: int, common: tuple[str, ...]) -> dict[str, float]:
    """The headline's measures of one run of ``policy`` with the knobs set."""
    from sim.model.params import validate
    from sim.study.config import load_config
    from sim.study.run import simulate

    cfg = load_config(f"policy={policy}", f"seed={seed}", "progress=false", *common)
    adjuster(knobs)(cfg)
    validate(cfg)
    kpis = simulate(cfg).kpis
    return {k: float(kpis[k]) for k in ANSWER_KPIS}


def answer(args, sets: dict[str, dict[str, float]]) -> pd.DataFrame:
    """refined − coarse on the headline's measures under each set of knob values (by name), paired
    on the check's seeds: whether sets that fit the patterns alike give the same answer."""
    from sim.measure.analysis import ci95

    seeds = range(args.check_seeds)
    jobs = [(name, policy, seed) for name in sets for seed in seeds for policy in ("coarse", "refined")]
    with workers(args.jobs) as pool:
        done = pool.map(run_kpis, *zip(*[(sets[n], p, s, run_overrides(args)) for n, p, s in jobs]))
        got = dict(zip(jobs, done))
    rows = []
    for name in sets:
        for k in ANSWER_KPIS:
            coarse = np.array([got[(name, "coarse", s)][k] for s in seeds])
            refined = np.array([got[(name, "refined", s)][k] for s in seeds])
            mean, low, high, n = ci95(refined - coarse)
            rows.append(
                {"set": name, "kpi": k, "coarse": coarse.mean(), "refined": refined.mean(), "difference": mean}
                | {"ci_low": low, "ci_high": high, "pairs": n}
            )
    return pd.DataFrame(rows)


def answer_table(frame: pd.DataFrame) -> str:
    from sim.measure.analysis import KPIS

    lines = [
        "| knob values | measure | coarse | refined | refined − coarse | 95% CI |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in frame.itertuples():
        digits = 1 if r.kpi.endswith("_h") else 3  # hours to a tenth, shares to a thousandth

        def f(x, sign="", digits=digits):
            return f"{x:{sign}.{digits}f}".replace("-", "−")

        lines.append(
            f"| {r.set} | {KPIS[r.kpi][0]} | {f(r.coarse)} | {f(r.refined)} | {f(r.difference, '+')} | "
            f"[{f(r.ci_low, '+')}, {f(r.ci_high, '+')}] |"
        )
    return "\n".join(lines) + "\n"


def checked_values(checked: pd.DataFrame) -> dict:
    """{(pattern, preset or None): [value per seed]} from :func:`check`'s table."""
    out = {}
    for (name, preset), g in checked.groupby(["pattern", "preset"], sort=False):
        out[(name, None if preset == "contrast" else preset)] = g.sort_values("seed")["value"].to_list()
    return out


def trials_frame(study) -> pd.DataFrame:
    df = study.trials_dataframe(attrs=("number", "value", "state", "params", "user_attrs", "duration"))
    return df.rename(columns=lambda c: c.removeprefix("params_").removeprefix("user_attrs_"))


def write_best(path: Path, study, args) -> dict[str, float]:
    import yaml

    best = study.best_trial
    doc = {
        "loss": float(best.value),
        "trial": best.number,
        "knobs": {k.name: float(best.params[k.name]) for k in KNOBS},
        "settings": settings(args),
        "trials_complete": len([t for t in study.trials if t.value is not None]),
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return doc["knobs"]


def plot_pattern(values: np.ndarray, p, path: Path) -> None:
    """The target band, each seed's value and their mean (blue in range, red out of it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seen = values[np.isfinite(values)]
    fig, ax = plt.subplots(figsize=(4.2, 3.2), layout="constrained")
    top = p.high if math.isfinite(p.high) else max([p.low, *seen]) * 1.5 + 1e-9
    ax.axhspan(p.low, top, color="tab:green", alpha=0.15, label="target")
    ax.plot(np.linspace(-0.08, 0.08, len(seen)), seen, "o", color="tab:gray", alpha=0.7, label="seeds")
    if len(seen):
        mean = float(np.mean(seen))
        ax.plot([0], [mean], "D", color="tab:blue" if p.passes(mean) else "tab:red", label="mean")
    else:
        ax.text(0, (p.low + top) / 2, "no value (no case to measure)", ha="center", fontsize=8)
    lo, hi = min([p.low, *seen]), max([top, *seen])
    ax.set_ylim(lo - 0.1 * (hi - lo) - 1e-9, hi + 0.1 * (hi - lo) + 1e-9)
    ax.set_xlim(-0.5, 0.5)
    ax.set_xticks([])
    ax.set_title(f"{p.name}\n({'fitted' if p.fitted else 'held out'}, {p.regime})", fontsize=9)
    ax.set_ylabel(p.unit, fontsize=8)
    ax.legend(fontsize=7, loc="best")
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_history(trials: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = trials[trials["state"] == "COMPLETE"].sort_values("number")
    fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
    ax.plot(done["number"], done["value"], ".", color="tab:gray", label="trial")
    ax.plot(done["number"], done["value"].cummin(), color="tab:blue", label="best so far")
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_xlabel("trial")
    ax.set_ylabel("loss (sum of squared misfits)")
    ax.set_title("Calibration: loss of the fitted patterns", fontsize=9)
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def meeting_all(trials: pd.DataFrame) -> pd.DataFrame:
    """The completed trials that meet every fitted pattern (loss 0)."""
    return trials[(trials["state"] == "COMPLETE") & (trials["value"] == 0)]


def knobs_table(trials: pd.DataFrame, best: dict[str, float], defaults: dict[str, float], default_loss: float) -> str:
    """The best value of each knob beside its value at the defaults, the span of the trials that
    meet every fitted pattern (how far the patterns pin it), its range and whether the best
    presses against a bound; then how each knob moved each fitted pattern over the trials
    (Spearman's rank correlation: a guide to what pins a knob, confounded by where the sampler
    looked)."""
    met = meeting_all(trials)
    lines = [
        f"At the defaults the loss is {default_loss:.3g} (the trials' seeds); {len(met)} of "
        f"{(trials['state'] == 'COMPLETE').sum()} completed trials meet every fitted pattern (loss 0).",
        "",
        "| knob | best | at the defaults | trials meeting every pattern | range | at a bound | acts in | what |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for k in KNOBS:
        v = best[k.name]
        near = abs(v - k.low) < 0.05 * (k.high - k.low) or abs(v - k.high) < 0.05 * (k.high - k.low)
        span = f"{met[k.name].min():.3g} – {met[k.name].max():.3g}" if len(met) else "none"
        lines.append(
            f"| {k.name} | {v:.3g} | {defaults[k.name]:.3g} | {span} | {k.low:g} – {k.high:g} | "
            f"{'yes' if near else ''} | {k.acts_in} | {k.what} |"
        )
    done = trials[trials["state"] == "COMPLETE"]
    names_ = [p.name for p in fitted() if p.name in done]
    corr = done[[k.name for k in KNOBS] + names_].corr(method="spearman").loc[[k.name for k in KNOBS], names_]
    lines += ["", "Rank correlation of knob and pattern value over the completed trials:", ""]
    lines += ["| knob | " + " | ".join(names_) + " |", "| --- " * (len(names_) + 1) + "|"]
    lines += [f"| {k} | " + " | ".join(f"{x:+.2f}" for x in row) + " |" for k, row in corr.iterrows()]
    return "\n".join(lines) + "\n"


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.replace("→", "to")).strip("_").lower()


def write_outputs(args, study) -> None:
    out = Path(args.out)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    trials = trials_frame(study)
    trials.to_csv(out / "trials.csv", index=False)
    best = write_best(out / "best.yaml", study, args)
    checked = check(args, best)
    checked.to_csv(out / "check.csv", index=False)
    values = checked_values(checked)
    header = (
        f"Patterns at the best set of {len(trials)} trials (loss {study.best_value:.3g}), checked at "
        f"{args.check_seeds} seeds; {args.scenario}, {args.days} days, the first {args.warmup} a warm-up "
        "(`python -m experiments.calibrate`).\n\n"
    )
    (out / "patterns.md").write_text(header + pat.table(values))
    defaults = default_knobs(args)
    default_loss = loss(fitted_means(measure_seeds(args, defaults, range(args.seeds), names(fitted()))))
    (out / "knobs.md").write_text(knobs_table(trials, best, defaults, default_loss))
    answered = answer(args, {"the best set": best, "the defaults": defaults})
    answered.to_csv(out / "answer.csv", index=False)
    (out / "answer.md").write_text(
        f"The answer under the best set and under the defaults: refined − coarse, paired on {args.check_seeds} "
        f"seeds; {args.scenario}, {args.days} days, the first {args.warmup} a warm-up "
        "(`python -m experiments.calibrate`).\n\n" + answer_table(answered)
    )
    for p in pat.PATTERNS:
        plot_pattern(np.asarray(pat.fitted_value(values, p), dtype=float), p, figures / f"{slug(p.name)}.png")
    plot_history(trials, figures / "history.png")
    print(header + pat.table(values))


def parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m experiments.calibrate",
        description="Calibrate the uncertain parameters to the patterns of real systems (Optuna; resumable).",
    )
    parser.add_argument("--trials", type=int, default=200, help="completed trials to reach (default 200)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes (default 2)")
    parser.add_argument("--seeds", type=int, default=2, help="seeds per trial (default 2; common random numbers)")
    parser.add_argument("--check-seeds", type=int, default=5, help="seeds of the check of the best set (default 5)")
    parser.add_argument("--scenario", default="town", help="scenario of the runs (default town)")
    parser.add_argument("--days", type=int, default=815, help="horizon (default 815, as the experiments)")
    parser.add_argument("--warmup", type=int, default=450, help="warm-up days (default 450)")
    parser.add_argument("--sampler-seed", type=int, default=0, help="seed of the sampler (default 0)")
    parser.add_argument("--out", default="results/calibration", help="folder of the study and its outputs")
    args = parser.parse_args(argv)
    problems = [
        f"--{name} must be at least {least} (got {getattr(args, name.replace('-', '_'))})"
        for name, least in (("trials", 1), ("jobs", 1), ("seeds", 1), ("check-seeds", 2))
        if getattr(args, name.replace("-", "_")) < least
    ]
    if args.warmup >= args.days or args.warmup < 0:
        problems.append(f"--warmup must be at least 0 and less than --days (got {args.warmup} and {args.days})")
    if problems:
        parser.error("; ".join(problems))
    return args


def main(argv=None) -> int:
    args = parse(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    search(args)
    write_outputs(args, open_study(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
