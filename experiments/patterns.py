"""What real systems show: the patterns a calibrated govsim should reproduce.

Each pattern has a target range (its tolerance included), its source, the regime it
describes (a type-based, hotline-centred system or grid management), the runs it needs and
how it is measured from them. The figures are NOTES' (public statistics of 12345 hotlines,
NYC 311 and Beijing Dongcheng's grid management). Patterns marked ``fitted=False`` are held
out of the calibration (``experiments.calibrate``) and checked out of sample.

Measures are pure: the results of a pattern's runs in, one number out.
``python -m experiments.patterns`` measures the defaults against every pattern.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

CITY_MANAGEMENT = ("environment", "facility")  # what Dongcheng's grid figures count (城市管理)
# The type-based regime with a digital channel added (12345's app and WeChat entries).
WIDER_CHANNELS = ("policy.channels=[counter,hotline,digital]",)
# The staffing budget (front line and departments) at half, three quarters and all of the
# default: equal steps of staff.
STAFF_STEPS = (0.5, 0.75, 1.0)


def staffing(fraction: float) -> tuple[str, ...]:
    from sim.params import Scenario

    sc = Scenario()
    return (
        f"scenario.workers_per_10k={sc.workers_per_10k * fraction:g}",
        f"scenario.dept_staff_per_10k={sc.dept_staff_per_10k * fraction:g}",
    )


@dataclass(frozen=True)
class Pattern:
    name: str
    regime: str  # the preset whose runs are measured: "coarse" (type-based) or "refined" (grid)
    low: float  # the target range, tolerance included
    high: float
    source: str
    measure: Callable[[Sequence], float]  # the results of ``runs``, in order, to one number
    how: str  # how ``measure`` reads the runs, in words
    unit: str  # the measure's unit, short (a figure's axis)
    scale: float  # a misfit of this much (in the measure's units) counts 1 in the calibration's loss
    runs: tuple[tuple[str, ...], ...] = ((),)  # overrides of each run on top of the preset
    fitted: bool = True  # False: held out of the calibration, checked out of sample

    def passes(self, value: float) -> bool:
        return math.isfinite(value) and self.low <= value <= self.high

    def misfit(self, value: float) -> float:
        """How far ``value`` lies outside the target, in units of ``scale`` (0 inside)."""
        if not math.isfinite(value):
            return 10.0
        return max(self.low - value, value - self.high, 0.0) / self.scale


# --- measures: pure functions of runs ------------------------------------------------------
def cohort(result):
    """The needs that arose in the measured window (after the warm-up)."""
    issues = result.issues
    return issues[issues["created_h"] >= result.config.warmup_days * 24.0]


def known_per_resident_year(k: dict, n_residents: int) -> float:
    """Issues the state learnt of, per resident and year of the measured window."""
    known = k["issues_created"] * (1.0 - k["unreported_share"])
    return known / n_residents / (k["window_days"] / 365.0)


def volume(runs) -> float:
    r = runs[0]
    return known_per_resident_year(r.kpis, r.config.scenario.n_residents)


def report_to_resolution_skew(k: dict) -> float:
    return k["report_to_resolution_mean_h"] / k["report_to_resolution_median_h"]


def solved_gap(k: dict) -> float:
    """On-time closure (process) minus the share of resolved needs actually solved (outcome)."""
    return k["on_time_share"] - k["actually_solved_share"]


def migrant_unreported_excess(k: dict) -> float:
    """How much more of migrants' needs than of the employed's never reach the state."""
    return k["unreported_share_migrant"] - k["unreported_share_employed"]


def city_management_cases(issues):
    """Known city-management cases: the environment needs and facility faults the state learnt of."""
    return issues[issues["service_type"].isin(CITY_MANAGEMENT) & issues["reported_h"].notna()]


def closure_rate(issues) -> float:
    return float((issues["status"] == "resolved").mean()) if len(issues) else float("nan")


def mean_handling_h(issues) -> float:
    """Mean report → resolution (h) of the resolved cases."""
    done = issues[issues["status"] == "resolved"]
    return float((done["resolved_h"] - done["reported_h"]).mean()) if len(done) else float("nan")


def relative_rise(before: float, after: float) -> float:
    return after / before - 1.0 if before > 0 else float("nan")


def mean_wait_h(issues) -> float:
    """Mean time a resolved case waited in its handler's queue (dispatch → start), h."""
    done = issues[issues["status"] == "resolved"]
    return float((done["started_h"] - done["dispatched_h"]).mean()) if len(done) else float("nan")


def diminishing_returns(waits: Sequence[float]) -> float:
    """For waits at two equal steps of staff: the share of the wait saved over both steps that
    the first step saves. 0.5 is a straight line; above it, each step saves less than the one
    before. NaN if the two steps save nothing."""
    saved = waits[0] - waits[2]
    return (waits[0] - waits[1]) / saved if saved > 0 else float("nan")


PATTERNS = (
    Pattern(
        "volume, type-based",
        "coarse",
        0.05,
        0.6,
        "NOTES: Shanghai 12345 2016 ≈ 0.11, Beijing 12345 2020 ≈ 0.5 calls per resident-year",
        volume,
        "known issues (created × (1 − never known)) per resident-year of the window",
        "known issues per resident-year",
        scale=0.1,
    ),
    Pattern(
        "volume, grid management",
        "refined",
        0.25,
        1.0,
        "NOTES: Dongcheng grid cases ≈ 40,000 a month / ~0.9 M residents ≈ 0.5 per resident-year",
        volume,
        "known issues per resident-year of the window",
        "known issues per resident-year",
        scale=0.1,
    ),
    Pattern(
        "skew of report → closure, type-based",
        "coarse",
        2.0,
        4.0,
        "NOTES: NYC 311 days to close, median 2.9, mean 9.0 (mean / median ≈ 3)",
        lambda runs: report_to_resolution_skew(runs[0].kpis),
        "mean / median of report → resolution of resolved needs",
        "mean / median",
        scale=0.5,
    ),
    Pattern(
        "grid speed",
        "refined",
        0.0,
        7.0,
        "NOTES: Dongcheng grid management, average handling time under 7 hours",
        lambda runs: mean_handling_h(city_management_cases(cohort(runs[0]))),
        "mean report → resolution (h) of resolved city-management cases (environment needs, facility faults)",
        "hours",
        scale=7.0,
    ),
    Pattern(
        "grid closure",
        "refined",
        0.95,
        1.0,
        "NOTES: Dongcheng grid management, closure rate above 95 %",
        lambda runs: closure_rate(city_management_cases(cohort(runs[0]))),
        "share of known city-management cases resolved",
        "share of known cases",
        scale=0.02,
    ),
    Pattern(
        "process against outcome, type-based",
        "coarse",
        0.10,
        0.25,
        "NOTES: Shanghai 12345 2016, on-time closure 99.5 % against 'actually solved' 82 % (gap 0.175)",
        lambda runs: solved_gap(runs[0].kpis),
        "on-time closure minus the share of resolved needs actually solved",
        "on-time − actually solved",
        scale=0.03,
    ),
    # --- held out of the calibration: checked out of sample ----------------------------
    Pattern(
        "under-served groups, type-based",
        "coarse",
        0.05,
        1.0,
        "brief: complaint-driven management under-serves groups that report less (migrants)",
        lambda runs: migrant_unreported_excess(runs[0].kpis),
        "migrants' share of needs never known minus the employed's",
        "difference of shares",
        scale=0.05,
        fitted=False,
    ),
    Pattern(
        "induced demand, type-based",
        "coarse",
        0.2,
        0.6,
        "NOTES: Shanghai 12345 calls +37 % in 2016, Beijing 12345 +55 % in 2020, as channels widened",
        lambda runs: relative_rise(volume(runs[:1]), volume(runs[1:])),
        "relative rise of the known volume when a digital channel is added to counter and hotline",
        "relative rise of known volume",
        scale=0.1,
        runs=((), WIDER_CHANNELS),
        fitted=False,
    ),
    Pattern(
        "queueing shape, type-based",
        "coarse",
        0.6,
        math.inf,
        "NOTES: waits grow sharply as utilisation nears 1 (Kingman), diminishing returns to staff "
        "(Borst, Mandelbaum & Reiman 2004)",
        lambda runs: diminishing_returns([mean_wait_h(cohort(r)) for r in runs]),
        "share of the queue wait saved by staffing from 50 % to 100 % of the budget that the first half of "
        "the increase (50 % to 75 %) saves",
        "share of the saving",
        scale=0.1,
        runs=tuple(staffing(f) if f != 1.0 else () for f in STAFF_STEPS),
        fitted=False,
    ),
)


def run_plan(patterns=PATTERNS) -> list[tuple[str, tuple[str, ...]]]:
    """The distinct runs (preset, overrides) the patterns need, in a stable order."""
    plan = []
    for p in patterns:
        for overrides in p.runs:
            if (p.regime, overrides) not in plan:
                plan.append((p.regime, overrides))
    return plan


def measure_all(results: dict, patterns=PATTERNS) -> dict[str, float]:
    """Each pattern's value from ``results``: (preset, overrides) → the result of that run."""
    return {p.name: float(p.measure([results[(p.regime, o)] for o in p.runs])) for p in patterns}


def simulate_plan(common: Sequence[str], seed: int, patterns=PATTERNS, adjust=None) -> dict[str, float]:
    """Run every run the patterns need at one seed (with ``common`` overrides, and ``adjust``
    applied to each composed configuration) and measure the patterns."""
    from sim.config import load_config
    from sim.params import validate
    from sim.run import simulate

    results = {}
    for regime, overrides in run_plan(patterns):
        cfg = load_config(f"policy={regime}", f"seed={seed}", "progress=false", *common, *overrides)
        if adjust is not None:
            adjust(cfg)
            validate(cfg)
        results[(regime, overrides)] = simulate(cfg)
    return measure_all(results, patterns)


def table(values: dict[str, list[float]], patterns=PATTERNS) -> str:
    """The pattern table in Markdown: target, the model's mean over seeds with a 95% interval,
    whether the mean lies in the target range, fitted or held out, and the source."""
    from scipy import stats

    lines = [
        "| pattern | regime | target | model (mean, 95% CI over seeds) | in range | use | source | measured as |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in patterns:
        v = np.asarray(values[p.name], dtype=float)
        mean = float(np.mean(v))
        half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / len(v) ** 0.5 if len(v) > 1 else float("nan")
        verdict = "yes" if p.passes(mean) else "**no**"
        use = "fitted" if p.fitted else "held out"
        lines.append(
            f"| {p.name} | {p.regime} | {p.low:g} – {p.high:g} | {mean:.3g} [{mean - half:.3g}, {mean + half:.3g}] "
            f"| {verdict} | {use} | {p.source} | {p.how} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="python -m experiments.patterns",
        description="Measure the town defaults against the patterns of real systems.",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds (default 3)")
    parser.add_argument("--days", type=int, default=815, help="horizon (default 815, as the experiments)")
    parser.add_argument("--warmup", type=int, default=450, help="warm-up days (default 450)")
    parser.add_argument("--out", default="results/figures/patterns.md", help="where to write the table")
    args = parser.parse_args(argv)
    if args.seeds < 2 or args.warmup >= args.days:
        parser.error("--seeds must be at least 2 and --warmup less than --days")
    common = (f"days={args.days}", f"warmup_days={args.warmup}")
    per_seed = [simulate_plan(common, seed) for seed in range(args.seeds)]
    values = {p.name: [s[p.name] for s in per_seed] for p in PATTERNS}
    text = (
        f"Patterns of real systems against the town defaults ({args.seeds} seeds, {args.days} days, "
        f"the first {args.warmup} a warm-up; `python -m experiments.patterns`).\n\n" + table(values)
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
