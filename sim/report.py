"""Reports: the KPI table of one run, and ``python -m sim.report SWEEP_DIR``, which rebuilds
a sweep's ``runs.parquet``, tables (CSV and Markdown) and figure (PNG and PDF) from the job
folders alone, without running the model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.output import atomic_write
from sim.sweep import SweepError, write_runs

HEADLINE = (
    ("issues_created", "issues created", "{:.0f}"),
    ("issues_resolved", "resolved", "{:.0f}"),
    ("issues_abandoned", "abandoned", "{:.0f}"),
    ("issues_open", "still open", "{:.0f}"),
    ("unreported_share", "never known to the state", "{:.1%}"),
    ("detection_latency_mean_h", "detection latency, mean (h)", "{:.1f}"),
    ("unknown_time_mean_h", "time unknown, all needs, mean (h)", "{:.1f}"),
    ("response_time_mean_h", "response time, mean (h)", "{:.1f}"),
    ("response_time_median_h", "response time, median (h)", "{:.1f}"),
    ("response_time_p90_h", "response time, p90 (h)", "{:.1f}"),
    ("report_to_resolution_mean_h", "report to resolution, mean (h)", "{:.1f}"),
    ("on_time_share", "closed within a week of report", "{:.1%}"),
    ("served_within_week_share", "needs served within a week", "{:.1%}"),
    ("fit_mean", "remedy fit, mean", "{:.3f}"),
    ("needs_met_share", "needs actually met", "{:.1%}"),
    ("satisfaction_mean", "satisfaction, mean", "{:.3f}"),
    ("trust_mean", "trust, mean", "{:.3f}"),
    ("utilisation", "front-line utilisation", "{:.1%}"),
    ("volunteer_h", "volunteer hours", "{:.0f}"),
)


def kpi_table(kpis: dict, title: str = "") -> str:
    """A two-column table of the headline KPIs."""
    width = max(len(label) for _, label, _ in HEADLINE)
    lines = [title, "-" * (width + 14)] if title else []
    for key, label, fmt in HEADLINE:
        value = kpis.get(key)
        text = "n/a" if value is None or value != value else fmt.format(value)
        lines.append(f"{label:<{width}}  {text:>12}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- sweep report


def _markdown(df: pd.DataFrame, digits: int = 4) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    for row in df.itertuples(index=False):
        cells = [f"{v:.{digits}g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _write_table(df: pd.DataFrame, path: Path) -> list[Path]:
    atomic_write(path.with_suffix(".csv"), lambda tmp: df.to_csv(tmp, index=False))
    atomic_write(path.with_suffix(".md"), lambda tmp: Path(tmp).write_text(_markdown(df)))
    return [path.with_suffix(".csv"), path.with_suffix(".md")]


def _experiment(sweep_dir: Path) -> str:
    """The experiment's name from the sweep's ``multirun.yaml``, else the folder's name."""
    try:
        import yaml

        choices = yaml.safe_load((Path(sweep_dir) / "multirun.yaml").read_text())["hydra"]["runtime"]["choices"]
        return choices.get("experiment") or Path(sweep_dir).name
    except (OSError, KeyError, TypeError, ValueError):
        return Path(sweep_dir).name


def _title(runs: pd.DataFrame, sweep_dir: Path) -> str:
    ok = runs[runs["status"] == "ok"]
    seeds = ok["seed"].nunique() if "seed" in ok else 0
    scen = ", ".join(sorted(ok["scenario"].astype(str).unique())) if "scenario" in ok else "?"
    days = ", ".join(str(int(d)) for d in sorted(ok["days"].unique())) if "days" in ok else "?"
    return f"{_experiment(sweep_dir)}: {scen}, {days} days, {seeds} seeds"


def _warnings(ok: pd.DataFrame) -> list[str]:
    from sim import analysis

    notes = []
    if "version" in ok and ok["version"].nunique() > 1:
        notes.append(f"runs come from different code versions: {', '.join(map(str, ok['version'].unique()))}")
    mixed = [c for c in analysis.swept_parameters(ok) if ok[c].isna().any() and ok[c].notna().any()]
    if mixed:
        notes.append(
            f"this folder holds runs of different sweeps ({', '.join(mixed)} set in some runs only); "
            "they are kept apart, a missing value meaning the default"
        )
    if "policy" in ok and ok["policy"].nunique() < 2 and "variant" not in ok:
        notes.append("only one policy: no paired differences (differences.* are empty)")
    return notes


def build_report(sweep_dir: Path, runs: pd.DataFrame | None = None, kpis=None) -> list[Path]:
    """Tables and a figure for a sweep, from its runs only. Returns the files written."""
    from sim import analysis, plots  # matplotlib and scipy: loaded only when reporting

    sweep_dir = Path(sweep_dir)
    runs = write_runs(sweep_dir) if runs is None else runs
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        raise SweepError(f"{sweep_dir}: no finished runs to report on")
    kpis = [k for k in (kpis or analysis.KPIS) if k in ok]
    out_dir, title = sweep_dir / "report", _title(runs, sweep_dir)
    written = []
    if "variant" in ok:
        effects = analysis.ablation_effects(ok, kpis)
        written += _write_table(analysis.summarise(ok, ["variant"], kpis), out_dir / "summary")
        written += _write_table(effects, out_dir / "effects")
        written += plots.plot_ablation(effects, kpis[:4], out_dir / "figure", title)
        return written
    for note in _warnings(ok):
        print(f"warning: {note}", file=sys.stderr)
    by = analysis.varying_parameters(ok)
    dup = analysis.duplicated_runs(ok, by)
    if len(dup):
        raise SweepError(
            f"{sweep_dir}: {len(dup)} runs share their parameters, policy and seed "
            f"(jobs {', '.join(dup['job'].astype(str).head(4))}...): they cannot be paired"
        )
    summary = analysis.summarise(ok, [*by, "policy"], kpis)
    diffs = analysis.paired_differences(ok, by, kpis=kpis)
    written += _write_table(summary, out_dir / "summary")
    written += _write_table(diffs, out_dir / "differences")
    groups = analysis.paired_differences(ok, by, kpis=analysis.group_kpis(ok))
    if not groups.empty:
        written += _write_table(groups, out_dir / "for_whom")
    if not diffs.empty and not diffs["paired_ok"].all():
        print(
            "warning: some pairs did not face the same needs; paired differences are not valid there", file=sys.stderr
        )
    numeric = [c for c in by if c in analysis.numeric_axes(ok)]
    x = numeric[0] if numeric else (by[0] if by else None)
    others = [c for c in by if c != x]
    if len(others) > 1:
        print(
            f"note: {len(by)} parameters vary ({', '.join(by)}); the figure shows {x} and {others[0]}, "
            "the tables all of them",
            file=sys.stderr,
        )
        keep = ok[others[1:]].iloc[0]
        chosen = (summary[others[1:]] == keep).all(axis=1) | summary[others[1:]].isna().all(axis=1)
        summary, diffs = summary[chosen], diffs[(diffs[others[1:]] == keep).all(axis=1)]
    if x is not None:
        written += plots.plot_over(
            summary, diffs, x, kpis[:4], out_dir / "figure", title, facet=others[0] if others else None
        )
    else:
        written += plots.plot_policies(summary, diffs, kpis[:4], out_dir / "figure", title)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.report",
        description="Rebuild runs.parquet, tables and the figure of a sweep from its folder (no simulation).",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep directory (hydra.sweep.dir)")
    args = parser.parse_args(argv)
    try:
        runs = write_runs(args.sweep_dir)
        bad = runs[runs["status"] != "ok"]
        print(f"{len(runs) - len(bad)} runs ok, {len(bad)} not: {args.sweep_dir / 'runs.parquet'}")
        for r in bad.itertuples():
            print(f"  {r.job}: {r.status}: {r.error}")
        for path in build_report(args.sweep_dir, runs):
            print(f"wrote {path}")
    except SweepError as err:
        print(f"govsim report: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
