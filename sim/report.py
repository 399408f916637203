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
from sim.sweep import RUNS, SweepError, collect_runs

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


_LABELS = {key: label for key, label, _ in HEADLINE}
_STATS = ("kpi", "mean", "difference", "ci_low", "ci_high", "n", "pairs", "paired_ok")
_COUNTS = {"n": "runs", "pairs": "pairs"}


def split_group(kpi: str) -> tuple[str, str]:
    """``needs_met_share_registered_here`` -> (``needs_met_share``, ``registered here``)."""
    from sim.analysis import KPIS  # scipy: loaded only when reporting

    for base in sorted({*KPIS, *_LABELS}, key=len, reverse=True):  # response_time_mean_h before response_time
        if kpi.startswith(base + "_"):
            return base, kpi[len(base) + 1 :].replace("_", " ")
    return kpi, ""


def kpi_label(kpi: str) -> str:
    from sim.analysis import KPIS

    label, unit = KPIS.get(kpi, (_LABELS.get(kpi, kpi.replace("_", " ")), ""))
    return f"{label} ({unit})" if unit else label


def decimals(kpi: str) -> int:
    """Counts as integers, hours to 0.1 h, shares and 0-1 scores to 0.001."""
    if kpi.startswith("issues_"):
        return 0
    return 1 if kpi.endswith("_h") else 3


def number(value, digits: int, signed: bool = False) -> str:
    if pd.isna(value):
        return "n/a"
    value = round(float(value), digits) + 0.0  # no "-0.000"
    text = format(value, f"{'+' if signed and value else ''}.{digits}f")
    return text.replace("-", "−")


def _estimate(row: dict, column: str, header: str) -> dict:
    base, group = split_group(row["kpi"])
    digits, signed = decimals(base), column == "difference"
    lo, hi = (number(row[c], digits, signed) for c in ("ci_low", "ci_high"))
    return {
        "KPI": kpi_label(base),
        "group": group,
        header: number(row[column], digits, signed),
        "95% CI": "n/a" if pd.isna(row["ci_low"]) else f"[{lo}, {hi}]",
    }


def _parameter(column: str, value) -> tuple[str, str]:
    from sim.plots import axis_label, value_text

    return (axis_label(column) if "." in column else column), value_text(value)


def _readable(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table with labels and rounded numbers, and its numeric columns (aligned right)."""
    column = "mean" if "mean" in df else "difference"
    header = "mean" if column == "mean" else ("effect" if "dial" in df else "refined − coarse")
    counts = [c for c in _COUNTS if c in df]
    flag = "paired_ok" in df and not df["paired_ok"].all()
    rows = []
    for row in df.to_dict("records"):
        cells = dict(_parameter(c, v) for c, v in row.items() if c not in _STATS)
        cells |= _estimate(row, column, header)
        cells |= {_COUNTS[c]: str(int(row[c])) for c in counts}
        if flag:
            cells["same needs"] = "yes" if row["paired_ok"] else "no"
        rows.append(cells)
    out = pd.DataFrame(rows)
    if not out["group"].any():
        out = out.drop(columns="group")
    return out, [header, "95% CI", *(_COUNTS[c] for c in counts)]


def _markdown(df: pd.DataFrame, caption: str = "") -> str:
    text = f"{caption}\n\n" if caption else ""
    if df.empty:
        return text + "No rows: nothing to compare.\n"
    table, right = _readable(df)
    rule = ["---:" if c in right else "---" for c in table.columns]
    lines = ["| " + " | ".join(table.columns) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in table.itertuples(index=False)]
    return text + "\n".join(lines) + "\n"


def _write_table(df: pd.DataFrame, path: Path, caption: str = "") -> list[Path]:
    atomic_write(path.with_suffix(".csv"), lambda tmp: df.to_csv(tmp, index=False))
    atomic_write(path.with_suffix(".md"), lambda tmp: Path(tmp).write_text(_markdown(df, caption)))
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


CAPTIONS = {
    "summary": "mean over seeds, with its 95% confidence interval",
    "differences": "refined − coarse, paired on seed, with the 95% confidence interval of the paired differences",
    "for_whom": "refined − coarse by group of residents (category, and where registered), paired on seed, "
    "with 95% confidence intervals",
    "effects": "each dial's effect, paired on seed: switched on from coarse (coarse+dial − coarse) and "
    "switched off from refined (refined − refined-dial), with 95% confidence intervals",
}


def _caption(table: str, title: str) -> str:
    return f"**{title}**: {CAPTIONS[table]}."


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


def check_runs(runs: pd.DataFrame, sweep_dir: Path) -> pd.DataFrame:
    """The finished runs, or SweepError if a report on them would be wrong: none finished,
    an ablation mixed with other runs, or runs that cannot be paired."""
    from sim import analysis

    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        raise SweepError(f"{sweep_dir}: no finished runs to report on")
    if "variant" in ok and ok["variant"].isna().any():
        raise SweepError(f"{sweep_dir}: some runs are ablation variants and some are not: report them apart")
    ablation = "variant" in ok
    by = [] if ablation else analysis.varying_parameters(ok)
    dup = analysis.duplicated_runs(ok, by, arm="variant" if ablation else "policy")
    if len(dup):
        shared = "variant and seed" if ablation else "parameters, policy and seed"
        jobs = ", ".join(dup["job"].astype(str).head(4)) + (", ..." if len(dup) > 4 else "")
        raise SweepError(f"{sweep_dir}: {len(dup)} runs share their {shared} (jobs {jobs}): they cannot be paired")
    return ok


def save_runs(runs: pd.DataFrame, sweep_dir: Path) -> Path:
    path = Path(sweep_dir) / RUNS
    atomic_write(path, lambda tmp: runs.to_parquet(tmp, index=False))
    return path


def build_report(sweep_dir: Path, runs: pd.DataFrame | None = None, kpis=None) -> list[Path]:
    """Tables and a figure for a sweep, from its runs only. Without ``runs``, reads the job
    folders and also writes ``runs.parquet``. Checks everything before writing anything.
    Returns the report files written."""
    from sim import analysis, plots  # matplotlib and scipy: loaded only when reporting

    sweep_dir = Path(sweep_dir)
    fresh = runs is None
    runs = collect_runs(sweep_dir) if fresh else runs
    ok = check_runs(runs, sweep_dir)
    if fresh:
        save_runs(runs, sweep_dir)
    kpis = [k for k in (kpis or analysis.KPIS) if k in ok]
    out_dir, title = sweep_dir / "report", _title(runs, sweep_dir)
    written = []
    if "variant" in ok:
        effects = analysis.ablation_effects(ok, kpis)
        written += _write_table(
            analysis.summarise(ok, ["variant"], kpis), out_dir / "summary", _caption("summary", title)
        )
        written += _write_table(effects, out_dir / "effects", _caption("effects", title))
        written += plots.plot_ablation(effects, kpis[:4], out_dir / "figure", title)
        return written
    for note in _warnings(ok):
        print(f"warning: {note}", file=sys.stderr)
    by = analysis.varying_parameters(ok)
    summary = analysis.summarise(ok, [*by, "policy"], kpis)
    diffs = analysis.paired_differences(ok, by, kpis=kpis)
    written += _write_table(summary, out_dir / "summary", _caption("summary", title))
    written += _write_table(diffs, out_dir / "differences", _caption("differences", title))
    groups = analysis.paired_differences(ok, by, kpis=analysis.group_kpis(ok))
    if not groups.empty:
        written += _write_table(groups, out_dir / "for_whom", _caption("for_whom", title))
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


def _print_runs(runs: pd.DataFrame) -> None:
    bad = runs[runs["status"] != "ok"]
    print(f"{len(runs) - len(bad)} runs ok, {len(bad)} not")
    for r in bad.itertuples():
        print(f"  {r.job}: {r.status}: {r.error}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.report",
        description="Rebuild runs.parquet, tables and the figure of a sweep from its folder (no simulation).",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep directory (hydra.sweep.dir)")
    args = parser.parse_args(argv)
    try:
        runs = collect_runs(args.sweep_dir)
        _print_runs(runs)
        check_runs(runs, args.sweep_dir)  # refuse before writing anything
        print(f"wrote {save_runs(runs, args.sweep_dir)}")
        for path in build_report(args.sweep_dir, runs):
            print(f"wrote {path}")
    except SweepError as err:
        print(f"govsim report: {err} (nothing written)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
