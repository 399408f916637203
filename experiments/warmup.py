"""When has a run settled? The check behind the default ``warmup_days``.

    python -m experiments.warmup                 # town, both presets, 2 seeds, 10 years (75 s)
    python -m experiments.warmup --days 1095 --seeds 3

Runs long horizons, reads the daily backlog, satisfaction and trust of every run and finds,
for each series, the first day after which its 30-day moving average stays within a band
around the mean of the last year (``--band``, default 5 % of that mean, at least 0.005 for
the 0-1 scales). Writes ``results/figures/warmup.png`` (the series, with the settling days
marked) and ``results/figures/warmup.md`` (the settling day of every series and run).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SERIES = {"backlog": "open needs (backlog)", "satisfaction_mean": "satisfaction, mean", "trust_mean": "trust, mean"}
OUT = Path("results/figures")


def simulate_series(policy: str, seed: int, days: int) -> pd.DataFrame:
    from sim.config import load_config
    from sim.run import simulate

    ts = simulate(load_config("scenario=town", f"policy={policy}", f"seed={seed}", f"days={days}")).timeseries
    return ts.assign(policy=policy, seed=seed)


def settling_day(values: np.ndarray, band: float, floor: float, window: int = 30, tail: int = 365) -> int:
    """First day from which the ``window``-day moving average stays within ``band`` (relative,
    at least ``floor`` absolute) of the mean of the last ``tail`` days."""
    moving = pd.Series(values).rolling(window, min_periods=window).mean().to_numpy()
    target = values[-tail:].mean()
    width = max(band * abs(target), floor)
    outside = np.flatnonzero(~(np.abs(moving - target) <= width))
    return int(outside[-1] + 1) if len(outside) else 0


def settling_table(series: pd.DataFrame, band: float) -> pd.DataFrame:
    rows = []
    for (policy, seed), g in series.groupby(["policy", "seed"]):
        row = {"policy": policy, "seed": seed}
        for key in SERIES:
            floor = 0.0 if key == "backlog" else 0.005
            row[key] = settling_day(g[key].to_numpy(float), band, floor)
        rows.append(row)
    return pd.DataFrame(rows)


def plot(series: pd.DataFrame, table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.plots import COLOURS

    fig, axes = plt.subplots(1, len(SERIES), figsize=(5 * len(SERIES), 3.6), constrained_layout=True)
    for ax, (key, label) in zip(axes, SERIES.items()):
        for (policy, seed), g in series.groupby(["policy", "seed"]):
            ax.plot(g["day"], g[key], color=COLOURS[policy], lw=0.8, alpha=0.7, label=policy if seed == 0 else None)
        for policy, g in table.groupby("policy"):
            ax.axvline(g[key].max(), color=COLOURS[policy], ls="--", lw=1)
        ax.set_title(label)
        ax.set_xlabel("day")
    axes[0].legend(fontsize=8)
    days = int(series["day"].max()) + 1
    fig.suptitle(f"Town scale, {days} days, {series['seed'].nunique()} seeds per preset: dashed, the day each settles")
    fig.savefig(path, dpi=130)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.warmup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=3650, help="horizon of each run (default 3650)")
    parser.add_argument("--seeds", type=int, default=2, help="seeds per preset (default 2)")
    parser.add_argument("--band", type=float, default=0.05, help="relative band around the last year's mean")
    args = parser.parse_args(argv)
    if args.days < 400 or args.seeds < 1:
        parser.error("--days must be at least 400 (the last 365 days are the reference) and --seeds at least 1")
    series = pd.concat(
        [simulate_series(p, s, args.days) for p in ("coarse", "refined") for s in range(args.seeds)], ignore_index=True
    )
    table = settling_table(series, args.band)
    OUT.mkdir(parents=True, exist_ok=True)
    plot(series, table, OUT / "warmup.png")
    lines = [
        f"Settling day of each daily series (30-day moving average within {args.band:.0%} of the last year's mean, "
        f"at least 0.005 on 0-1 scales), town, {args.days} days; `python -m experiments.warmup`.",
        "",
        "| policy | seed | " + " | ".join(SERIES.values()) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in SERIES) + " |",
    ]
    lines += [
        f"| {r.policy} | {r.seed} | " + " | ".join(str(getattr(r, k)) for k in SERIES) + " |"
        for r in table.itertuples()
    ]
    lines += ["", f"Latest settling day over all series and runs: **{int(table[list(SERIES)].to_numpy().max())}**."]
    (OUT / "warmup.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
