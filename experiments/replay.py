"""How the replay of Beijing Dongcheng's reform moves with its assumptions: each of the replay's
patterns (experiments.patterns, the rows named ``replay: ...``) as configured and with one
assumption at either end of its range, on the same seeds.

    python -m experiments.replay                 # 5 seeds, about 10 minutes on two cores
    python -m experiments.replay --seeds 2 --days 120 --warmup 60 --out /tmp/replay.md

Writes ``results/figures/replay_sensitivity.md``. The assumptions are those ODD 7.20 names as
setting a result: the before's hop delay (set to its week), how often a passer-by reports an
event, how long an event lasts unhandled, how many there are, and how many supervisors walk
(above about one per 10,000 they check the whole district each day).
"""

from __future__ import annotations

import argparse

import numpy as np

from experiments import patterns

REPLAY_PATTERNS = tuple(p for p in patterns.PATTERNS if p.regime == "replay")
SETTINGS = (
    ("as configured (configs/scenario/dongcheng.yaml)", (), None),
    ("the before's hop 36 h (not 60)", ("scenario.hop_delay_h=36",), None),
    ("the before's hop 72 h", ("scenario.hop_delay_h=72",), None),
    ("a passer-by reports an event 0.05 (not 0.1)", ("scenario.event_report_prob=0.05",), None),
    ("a passer-by reports an event 0.3", ("scenario.event_report_prob=0.3",), None),
    ("an event lasts 2 days unhandled (not 5.8)", ("scenario.event_days=2",), None),
    ("an event lasts 30 days unhandled", ("scenario.event_days=30",), None),
    ("200 events per 1,000 a year (not 500)", ("scenario.public_events_per_1k=200",), None),
    ("800 events per 1,000 a year", ("scenario.public_events_per_1k=800",), None),
    ("1 supervisor per 10,000 after (not 4.8)", (), 1.0),
    ("0.5 supervisors per 10,000 after", (), 0.5),
)
"""(label, overrides of every run, supervisors per 10,000 in the after runs or None: as configured)."""


def supervisors(per_10k: float | None):
    """The ``adjust`` of :func:`experiments.patterns.simulate_plan`: the after's supervisors."""
    if per_10k is None:
        return None

    def adjust(cfg) -> None:
        if cfg.scenario.supervisors_per_10k > 0:
            cfg.scenario.supervisors_per_10k = per_10k

    return adjust


def measure(common: tuple[str, ...], setting: tuple, seed: int) -> dict:
    _, overrides, per_10k = setting
    return patterns.simulate_plan((*common, *overrides), seed, REPLAY_PATTERNS, supervisors(per_10k))


def table(values: dict[str, list[dict]]) -> str:
    """One row per setting, one column per pattern: the mean over seeds (✗: outside the target)."""
    head = "| setting | " + " | ".join(
        f"{p.name.removeprefix('replay: ')} ({p.low:g} – {p.high:g})" for p in REPLAY_PATTERNS
    )
    lines = [head + " |", "| --- |" + " ---: |" * len(REPLAY_PATTERNS)]
    for label, per_seed in values.items():
        cells = []
        for p in REPLAY_PATTERNS:
            mean = float(np.mean([s[(p.name, None)] for s in per_seed]))
            cells.append(f"{mean:.3g}" + ("" if p.passes(mean) else " ✗"))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    from joblib import Parallel, delayed

    parser = argparse.ArgumentParser(prog="python -m experiments.replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds (default 5)")
    parser.add_argument("--days", type=int, default=815, help="horizon (default 815, as the experiments)")
    parser.add_argument("--warmup", type=int, default=450, help="warm-up days (default 450)")
    parser.add_argument("--jobs", type=int, default=-1, help="processes (default: every core)")
    parser.add_argument("--out", default="results/figures/replay_sensitivity.md", help="where to write the table")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.warmup >= args.days:
        parser.error("--seeds must be at least 1 and --warmup less than --days")
    common = (f"days={args.days}", f"warmup_days={args.warmup}")
    jobs = [(setting, seed) for setting in SETTINGS for seed in range(args.seeds)]
    done = Parallel(n_jobs=args.jobs)(delayed(measure)(common, setting, seed) for setting, seed in jobs)
    values: dict[str, list[dict]] = {}
    for (setting, _), result in zip(jobs, done):
        values.setdefault(setting[0], []).append(result)
    text = (
        f"The replay's patterns as configured and with one assumption changed ({args.seeds} seeds, {args.days} "
        f"days, the first {args.warmup} a warm-up; `python -m experiments.replay`). ✗: outside the target. "
        "Sources and reasons: ODD.md 7.20.\n\n" + table(values)
    )
    return patterns.write(args.out, text)


if __name__ == "__main__":
    raise SystemExit(main())
