"""How many seeds? ``python -m sim.present.replications SWEEP_DIR`` reads a pilot sweep and says, for
each paired comparison and KPI, how many seeds give a 95 % interval of the paired difference
of a chosen half-width (:func:`sim.measure.precision.replications`), then writes the table to the
sweep's ``report/replications.csv`` and ``.md``.

    python -m sim.present.replications results/sweeps/compare_regimes/town_815d
    python -m sim.present.replications SWEEP_DIR --half-width share=0.005 --half-width hours=2

Per KPI it gives the most seeds that any comparison (an ablation has one per dial and
direction) and any setting of a swept parameter needs; the CSV holds every one of them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.measure import analysis, precision
from sim.present.kpi_table import kpi_label
from sim.study.output import atomic_write
from sim.study.sweep import SweepError, read_runs


def parse_half_widths(items: list[str]) -> dict[str, float]:
    """``family=value`` pairs (``share=0.01``) into a dict; a clear error otherwise."""
    out = {}
    for item in items:
        family, _, value = item.partition("=")
        if family not in precision.HALF_WIDTHS:
            families = ", ".join(precision.HALF_WIDTHS)
            raise ValueError(f"--half-width {item!r}: the unit family must be one of {families}")
        try:
            out[family] = float(value)
        except ValueError:
            raise ValueError(f"--half-width {item!r}: the half-width must be a number, as in share=0.01") from None
        if not out[family] > 0:
            raise ValueError(f"--half-width {item!r}: the half-width must be above 0")
    return out


def summary(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per KPI: the most seeds any comparison (an ablation has one per dial and direction)
    and any setting of the sweep needs, and which comparison and setting need them."""
    if table.empty:
        return table
    worst = table.sort_values("seeds_needed", ascending=False, na_position="last")
    worst = worst.groupby("kpi", sort=False).head(1).copy()
    worst["setting"] = worst[by].astype(str).agg(", ".join, axis=1) if by else ""
    order = {k: i for i, k in enumerate(analysis.KPIS)}
    worst = worst.sort_values("kpi", key=lambda s: s.map(order).fillna(len(order)), kind="stable")
    return worst[["kpi", "comparison", "setting", "pairs", "sd", "half_width", "target", "seeds_needed"]]


def markdown(table: pd.DataFrame, title: str) -> str:
    header = ["KPI", "needs most seeds in", "setting", "pilot pairs", "sd of paired difference"]
    header += ["half-width now", "target", "seeds needed"]
    lines = [title, "", "| " + " | ".join(header) + " |", "| --- | --- | --- |" + " ---: |" * 5]
    for r in table.itertuples():
        needed = "n/a" if pd.isna(r.seeds_needed) else f"{r.seeds_needed:.0f}"
        lines.append(
            f"| {kpi_label(r.kpi)} | {r.comparison} | {r.setting} | {r.pairs} | {r.sd:.4g} | {r.half_width:.4g} "
            f"| {r.target:g} | {needed} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.present.replications", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path, help="a pilot sweep (its folder, holding runs.parquet)")
    parser.add_argument(
        "--half-width",
        action="append",
        default=[],
        metavar="FAMILY=VALUE",
        help="target half-width of the 95%% interval by unit family: "
        + ", ".join(f"{k}={v:g}" for k, v in precision.HALF_WIDTHS.items())
        + " (default)",
    )
    parser.add_argument("--confidence", type=float, default=0.95, help="confidence level (default 0.95)")
    parser.add_argument(
        "--groups", action="store_true", help="also the groups' rows of the headline figure (resolved within 7 days)"
    )
    args = parser.parse_args(argv)
    try:
        half_widths = parse_half_widths(args.half_width)
        if not 0 < args.confidence < 1:
            raise ValueError(f"--confidence {args.confidence}: allowed strictly between 0 and 1")
        runs = read_runs(args.sweep_dir)
    except (ValueError, SweepError) as err:
        print(f"govsim replications: {err} (nothing written)", file=sys.stderr)
        return 2
    by = analysis.varying_parameters(runs)
    kpis = list(analysis.KPIS)
    if args.groups:
        kpis += [k for k in analysis.group_kpis(runs) if k.startswith("resolved_within_7d_")]
    detail = precision.replications(runs, by, kpis, half_widths=half_widths, confidence=args.confidence)
    table = summary(detail, by)
    if table.empty:
        print(f"govsim replications: {args.sweep_dir} holds no paired runs (nothing written)", file=sys.stderr)
        return 2
    title = f"Seeds for a {args.confidence:.0%} interval of the given half-width: {args.sweep_dir}"
    text = markdown(table, title)
    print(text)
    out = Path(args.sweep_dir) / "report"
    atomic_write(out / "replications.csv", lambda p: detail.to_csv(p, index=False))  # every comparison
    atomic_write(out / "replications.md", lambda p: Path(p).write_text(text, encoding="utf-8"))
    print(f"wrote {out / 'replications.csv'} and {out / 'replications.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
