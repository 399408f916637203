"""When has a run settled? The check behind the default ``warmup_days``.

    python -m experiments.warmup                 # town, both presets, 2 seeds, 5 years (~1 min)
    python -m experiments.warmup --days 1095 --seeds 3

Runs long horizons, reads the daily backlog, satisfaction and trust of every run and finds,
for each series, its settling day: the first day after which its 90-day moving average stays
within a band around its final level (the mean of the last year). The band is ``--band``
(default 5 %) of the series' whole movement, from its first 30 days to that final level, as
in a control engineer's settling time, but never narrower than the noise allows: 5 % of the
final backlog, 0.002 on the 0-1 scales (a series that hardly moves has settled), and twice the
spread of the moving average over the last year (a backlog of a few hundred needs wanders by
more than 5 % once settled).
Writes ``results/figures/warmup.png`` (the series, with the settling days
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


WINDOW_STARTS = (365, 450, 550, 800, 1100)  # first days of the one-year windows compared
WINDOW_KPIS = ("resolved_within_7d", "needs_met_share", "callback_satisfaction_rate", "unreported_share")
EXPERIMENT_WARMUP = 450  # the named experiments' warmup_days (configs/experiment/*.yaml)


def simulate_series(policy: str, seed: int, days: int) -> tuple[pd.DataFrame, list[dict]]:
    """A run's daily series, and its KPIs over one-year windows starting at ``WINDOW_STARTS``."""
    from sim.study.config import load_config
    from sim.study.run import simulate

    result = simulate(load_config("scenario=town", f"policy={policy}", f"seed={seed}", f"days={days}"))
    ts = result.timeseries.assign(policy=policy, seed=seed)
    return ts, [w | {"policy": policy, "seed": seed} for w in window_kpis(result.issues, ts, days)]


def window_kpis(issues: pd.DataFrame, ts: pd.DataFrame, days: int) -> list[dict]:
    """KPIs of the needs that arose in each one-year window (followed to the horizon) and the
    window's mean satisfaction: if a warm-up is long enough, later windows agree with it."""
    from sim.measure.metrics import issue_kpis

    rows = []
    for start in (s for s in WINDOW_STARTS if s + 365 <= days):
        arose = issues[(issues["created_h"] >= start * 24.0) & (issues["created_h"] < (start + 365) * 24.0)]
        k = issue_kpis(arose, days * 24.0)
        inside = ts[(ts["day"] >= start) & (ts["day"] < start + 365)]
        rows.append(
            {"start": start, **{n: k[n] for n in WINDOW_KPIS}, "satisfaction": inside["satisfaction_mean"].mean()}
        )
    return rows


def story(table: pd.DataFrame, windows: pd.DataFrame) -> str:
    """The warm-up in one sentence, from the numbers below it: the README quotes it as it is
    (tests/test_docs.py), so that one measurement tells one story."""
    settles = table.groupby("policy")["satisfaction_mean"].max()
    after = windows[windows["start"] >= EXPERIMENT_WARMUP]
    mean = after.groupby(["policy", "start"])[["resolved_within_7d", "callback_satisfaction_rate"]].mean()
    spread = mean.groupby("policy").agg(lambda v: v.max() - v.min()).max()
    starts = sorted(after["start"].unique())
    days = ", ".join(map(str, starts))
    within_7d, callback = spread["resolved_within_7d"], spread["callback_satisfaction_rate"]
    return (
        f"The residents' mean attitude settles by day {settles['coarse']} under coarse and {settles['refined']} under "
        f"refined (the latest over seeds), trust by day {int(table['trust_mean'].max())}; one-year windows starting "
        f"on days {days} agree within {within_7d:.3f} on needs resolved within 7 days and within {callback:.3f} on "
        f"satisfaction at the callback, so the experiments measure a year after a {EXPERIMENT_WARMUP}-day warm-up."
    )


def windows_table(windows: pd.DataFrame) -> list[str]:
    cols = [*WINDOW_KPIS, "satisfaction"]
    mean = windows.groupby(["policy", "start"])[cols].mean().reset_index()
    lines = [
        "KPIs of one-year windows starting on different days (needs that arose in the window, mean over seeds): "
        "a warm-up is long enough if the windows after it agree within the year-to-year noise.",
        "",
        "| policy | window starts on day | " + " | ".join(cols) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in cols) + " |",
    ]
    lines += [
        f"| {r['policy']} | {r['start']} | " + " | ".join(f"{r[c]:.4f}" for c in cols) + " |"
        for _, r in mean.iterrows()
    ]
    return lines


FLOOR = {"backlog": ("relative", 0.05), "satisfaction_mean": ("absolute", 0.002), "trust_mean": ("absolute", 0.002)}


def settling_day(values: np.ndarray, band: float, floor: tuple, window: int = 90, tail: int = 365) -> int:
    """First day from which the ``window``-day moving average stays within ``band`` x (the
    series' movement from its first 30 days to the mean of the last ``tail`` days) of that mean,
    or within ``floor`` (("relative", share of that mean) or ("absolute", value)), or within
    twice the spread of the moving average over the last ``tail`` days (its noise once
    settled), whichever is widest."""
    moving = pd.Series(values).rolling(window, min_periods=window).mean().to_numpy()
    target = values[-tail:].mean()
    kind, size = floor
    noise = 2.0 * np.nanstd(moving[-tail:])  # how far the moving average wanders once settled
    width = max(band * abs(target - values[:30].mean()), size * abs(target) if kind == "relative" else size, noise)
    outside = np.flatnonzero(~(np.abs(moving - target) <= width))
    return int(outside[-1] + 1) if len(outside) else 0


def settling_table(series: pd.DataFrame, band: float) -> pd.DataFrame:
    rows = []
    for (policy, seed), g in series.groupby(["policy", "seed"]):
        row = {"policy": policy, "seed": seed}
        for key in SERIES:
            row[key] = settling_day(g[key].to_numpy(float), band, FLOOR[key])
        rows.append(row)
    return pd.DataFrame(rows)


def plot(series: pd.DataFrame, table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.present.plot_style import COLOURS

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
    parser.add_argument("--days", type=int, default=1825, help="horizon of each run (default 1825)")
    parser.add_argument("--seeds", type=int, default=2, help="seeds per preset (default 2)")
    parser.add_argument("--band", type=float, default=0.05, help="relative band around the last year's mean")
    args = parser.parse_args(argv)
    if args.days < 400 or args.seeds < 1:
        parser.error("--days must be at least 400 (the last 365 days are the reference) and --seeds at least 1")
    runs = [simulate_series(p, s, args.days) for p in ("coarse", "refined") for s in range(args.seeds)]
    series = pd.concat([ts for ts, _ in runs], ignore_index=True)
    windows = pd.DataFrame([w for _, ws in runs for w in ws])
    table = settling_table(series, args.band)
    OUT.mkdir(parents=True, exist_ok=True)
    series.to_parquet(OUT / "warmup_series.parquet")
    plot(series, table, OUT / "warmup.png")
    lines = [
        f"**In short.** {story(table, windows)}",
        "",
        f"Settling day of each daily series: its 90-day moving average stays within {args.band:.0%} of its whole "
        f"movement (first 30 days to the last year's mean), or 5% of the final backlog and 0.002 on 0-1 scales, "
        f"or twice the spread of the moving average over the last year, whichever is widest, from then on. "
        f"Town, {args.days} days; "
        "`python -m experiments.warmup`.",
        "",
        "| policy | seed | " + " | ".join(SERIES.values()) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in SERIES) + " |",
    ]
    lines += [
        f"| {r.policy} | {r.seed} | " + " | ".join(str(getattr(r, k)) for k in SERIES) + " |"
        for r in table.itertuples()
    ]
    lines += ["", f"Latest settling day over all series and runs: **{int(table[list(SERIES)].to_numpy().max())}**."]
    lines += ["", *windows_table(windows)]
    (OUT / "warmup.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
