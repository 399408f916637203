"""What real systems show: the patterns a calibrated govsim should reproduce.

Each pattern has a target with a tolerance, its source, the regime it describes (a
type-based, hotline-centred system or grid management) and how it is measured from a run's
KPIs. The figures are NOTES' (public statistics of 12345 hotlines, NYC 311 and Beijing
Dongcheng's grid management). The table and its measures are pure (KPIs in, numbers out);
``python -m experiments.patterns`` runs the town defaults and writes how far they are from
each pattern (no fitting yet).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    name: str
    regime: str  # the preset whose runs are measured: "coarse" (type-based) or "refined" (grid)
    low: float  # the target range, tolerance included
    high: float
    source: str
    measure: Callable[[dict], float]
    how: str  # how ``measure`` reads the KPIs, in words

    def passes(self, value: float) -> bool:
        return math.isfinite(value) and self.low <= value <= self.high


def known_per_resident_year(k: dict) -> float:
    """Issues the state learnt of, per resident and year of the measured window."""
    known = k["issues_created"] * (1.0 - k["unreported_share"])
    return known / k["n_residents"] / (k["window_days"] / 365.0)


def report_to_resolution_skew(k: dict) -> float:
    return k["report_to_resolution_mean_h"] / k["report_to_resolution_median_h"]


def solved_gap(k: dict) -> float:
    """On-time closure (process) minus the share of resolved needs actually solved (outcome)."""
    return k["on_time_share"] - k["actually_solved_share"]


def migrant_unreported_excess(k: dict) -> float:
    """How much more of migrants' needs than of the employed's never reach the state."""
    return k["unreported_share_migrant"] - k["unreported_share_employed"]


PATTERNS = (
    Pattern(
        "volume, type-based",
        "coarse",
        0.05,
        0.6,
        "NOTES: Shanghai 12345 2016 ≈ 0.11, Beijing 12345 2020 ≈ 0.5 calls per resident-year",
        known_per_resident_year,
        "known issues (created × (1 − never known)) per resident-year of the window",
    ),
    Pattern(
        "volume, grid management",
        "refined",
        0.25,
        1.0,
        "NOTES: Dongcheng grid cases ≈ 40,000 a month / ~0.9 M residents ≈ 0.5 per resident-year",
        known_per_resident_year,
        "known issues per resident-year of the window",
    ),
    Pattern(
        "skew of report → closure, type-based",
        "coarse",
        2.0,
        4.0,
        "NOTES: NYC 311 days to close, median 2.9, mean 9.0 (mean / median ≈ 3)",
        report_to_resolution_skew,
        "mean / median of report → resolution of resolved needs",
    ),
    Pattern(
        "grid speed",
        "refined",
        0.0,
        7.0,
        "NOTES: Dongcheng grid management, average handling under 7 h, closure above 95 %",
        lambda k: k["report_to_resolution_mean_h"],
        "mean report → resolution of resolved needs (h)",
    ),
    Pattern(
        "grid closure",
        "refined",
        0.95,
        1.0,
        "NOTES: Dongcheng grid management, closure rate above 95 %",
        lambda k: k["known_resolution_rate"],
        "share of known needs resolved",
    ),
    Pattern(
        "process against outcome, type-based",
        "coarse",
        0.10,
        0.25,
        "NOTES: Shanghai 12345 2016, on-time closure 99.5 % against 'actually solved' 82 % (gap 0.175)",
        solved_gap,
        "on-time closure minus the share of resolved needs actually solved",
    ),
    Pattern(
        "under-served groups, type-based",
        "coarse",
        0.05,
        1.0,
        "brief: complaint-driven management under-serves groups that report less (migrants)",
        migrant_unreported_excess,
        "migrants' share of needs never known minus the employed's",
    ),
)


def evaluate(kpis: dict, regime: str) -> list[dict]:
    """The patterns of ``regime`` measured on one run's KPIs (with ``n_residents`` added)."""
    rows = []
    for p in PATTERNS:
        if p.regime != regime:
            continue
        value = float(p.measure(kpis))
        rows.append({"pattern": p.name, "regime": regime, "value": value, "low": p.low, "high": p.high})
    return rows


def measure_defaults(seeds: int, days: int, warmup: int) -> list[dict]:
    """Both presets at the town defaults, ``seeds`` seeds: every pattern of each preset."""
    from sim.config import load_config
    from sim.run import simulate

    rows = []
    for regime in ("coarse", "refined"):
        for seed in range(seeds):
            cfg = load_config(f"policy={regime}", f"seed={seed}", f"days={days}", f"warmup_days={warmup}")
            kpis = simulate(cfg).kpis | {"n_residents": cfg.scenario.n_residents}
            rows += [r | {"seed": seed} for r in evaluate(kpis, regime)]
    return rows


def table(rows: list[dict]) -> str:
    """The pattern table in Markdown: target, source, the model's mean over seeds with a 95%
    interval, and whether the mean lies in the target range."""
    import pandas as pd
    from scipy import stats

    df = pd.DataFrame(rows)
    lines = [
        "| pattern | regime | target | model (mean, 95% CI over seeds) | in range | source | measured as |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in PATTERNS:
        v = df[(df["pattern"] == p.name) & (df["regime"] == p.regime)]["value"].to_numpy(float)
        mean = v.mean()
        half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / len(v) ** 0.5 if len(v) > 1 else float("nan")
        verdict = "yes" if p.passes(mean) else "**no**"
        lines.append(
            f"| {p.name} | {p.regime} | {p.low:g} – {p.high:g} | {mean:.3g} [{mean - half:.3g}, {mean + half:.3g}] "
            f"| {verdict} | {p.source} | {p.how} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="python -m experiments.patterns",
        description="Measure the town defaults against the patterns of real systems (no fitting).",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds per preset (default 3)")
    parser.add_argument("--days", type=int, default=815, help="horizon (default 815, as the experiments)")
    parser.add_argument("--warmup", type=int, default=450, help="warm-up days (default 450)")
    parser.add_argument("--out", default="results/figures/patterns.md", help="where to write the table")
    args = parser.parse_args(argv)
    if args.seeds < 2 or args.warmup >= args.days:
        parser.error("--seeds must be at least 2 and --warmup less than --days")
    text = (
        f"Patterns of real systems against the town defaults ({args.seeds} seeds per preset, {args.days} days, "
        f"the first {args.warmup} a warm-up; `python -m experiments.patterns`). Not calibrated yet.\n\n"
        + table(measure_defaults(args.seeds, args.days, args.warmup))
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
