"""The report of a sweep: ``python -m sim.present.report SWEEP_DIR`` rebuilds its ``runs.parquet``,
tables (CSV and Markdown) and figures (PNG and PDF) from the job folders alone, without running
the model. It checks the runs, then hands them to the comparison's, the ablation's or the
design's report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.present.comparison_report import ablation_report, comparison_report, headline_title
from sim.present.design_report import ROW, design_report
from sim.present.jobs import job_settings, with_run
from sim.study.output import atomic_write
from sim.study.sweep import RUNS, SweepError, collect_runs


def build_report(sweep_dir: Path, runs: pd.DataFrame | None = None, kpis=None) -> list[Path]:
    """Tables and a figure for a sweep, from its runs only. Without ``runs``, reads the job
    folders and also writes ``runs.parquet``. Checks everything before writing anything.
    Returns the report files written."""
    from sim.measure import analysis  # scipy: loaded only when reporting

    sweep_dir = Path(sweep_dir)
    fresh = runs is None
    runs = collect_runs(sweep_dir) if fresh else runs
    ok = check_runs(runs, sweep_dir)
    if fresh:
        save_runs(runs, sweep_dir)
    for note in _warnings(ok):
        print(f"warning: {note}", file=sys.stderr)
    kpis = [k for k in (kpis or analysis.KPIS) if k in ok]
    by = analysis.varying_parameters(ok)
    out_dir, title = sweep_dir / "report", _title(runs, sweep_dir)
    if ROW in ok:
        return design_report(ok, sweep_dir, out_dir, title)
    if "variant" in ok:
        return ablation_report(ok, by, kpis, out_dir, title)
    return comparison_report(ok, by, kpis, out_dir, title)


def check_runs(runs: pd.DataFrame, sweep_dir: Path) -> pd.DataFrame:
    """The finished runs, or SweepError if a report on them would be wrong: none finished,
    an ablation mixed with other runs, or runs that cannot be paired."""
    from sim.measure import analysis

    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        raise SweepError(f"{sweep_dir}: no finished runs to report on")
    if "variant" in ok and ok["variant"].isna().any():
        raise SweepError(f"{sweep_dir}: some runs are ablation variants and some are not: report them apart")
    if ROW in ok:
        designs = {c: sorted(map(str, ok[c].dropna().unique())) for c in ok if c.startswith("design.") and c != ROW}
        mixed = {c: v for c, v in designs.items() if len(v) > 1}
        if mixed:
            what = "; ".join(f"{c}: {', '.join(v)}" for c, v in mixed.items())
            raise SweepError(f"{sweep_dir}: runs of more than one design ({what}): report each from its own folder")
    ablation = "variant" in ok
    by = analysis.varying_parameters(ok)
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


def _warnings(ok: pd.DataFrame) -> list[str]:
    from sim.measure import analysis
    from sim.study.output import code_hash

    notes = []
    if "code" in ok:
        other = ok["code"] != code_hash()
        if other.any():
            notes.append(
                f"{int(other.sum())} of {len(ok)} runs were made by other code than the installed one "
                f"({', '.join(sorted(ok.loc[other, 'code'].fillna('unrecorded').astype(str).unique()))}; "
                f"installed: {code_hash()}): "
                "re-run the sweep to refresh them"
            )
    if "version" in ok and ok["version"].nunique() > 1 and not ("code" in ok and ok["code"].nunique() == 1):
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


def _title(runs: pd.DataFrame, sweep_dir: Path) -> str:
    """The experiment, then scale, horizon and budget in words
    (:func:`~sim.present.comparison_report.headline_title`) and the number of seeds."""
    ok = runs[runs["status"] == "ok"]
    seeds = ok["seed"].nunique() if "seed" in ok else 0
    settings = pd.DataFrame([with_run(job_settings(sweep_dir / str(run["job"])), run) for run in ok.to_dict("records")])
    return f"{_experiment(sweep_dir)}: {headline_title(settings)}, {seeds} seeds"


def _experiment(sweep_dir: Path) -> str:
    """The experiment's name from the sweep's ``multirun.yaml``, else the folder's name."""
    try:
        import yaml

        choices = yaml.safe_load((Path(sweep_dir) / "multirun.yaml").read_text())["hydra"]["runtime"]["choices"]
        return choices.get("experiment") or Path(sweep_dir).name
    except (OSError, KeyError, TypeError, ValueError):
        return Path(sweep_dir).name


def _print_runs(runs: pd.DataFrame) -> None:
    bad = runs[runs["status"] != "ok"]
    print(f"{len(runs) - len(bad)} runs ok, {len(bad)} failed or unfinished")
    for r in bad.itertuples():
        print(f"  {r.job}: {r.status}: {r.error}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.present.report",
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
