"""Reports: the KPI table of one run, and ``python -m sim.report SWEEP_DIR``, which rebuilds
a sweep's ``runs.parquet``, tables (CSV and Markdown) and figure (PNG and PDF) from the job
folders alone, without running the model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
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
    ("on_time_share", "closed within a week of report (of closed)", "{:.1%}"),
    ("resolved_within_1d", "resolved within 1 day (all needs)", "{:.1%}"),
    ("resolved_within_7d", "resolved within 7 days (all needs)", "{:.1%}"),
    ("resolved_within_30d", "resolved within 30 days (all needs)", "{:.1%}"),
    ("resolution_time_restricted_30d_h", "time to resolution, capped at 30 d (h)", "{:.1f}"),
    ("fit_mean", "remedy fit, mean", "{:.3f}"),
    ("needs_met_share", "needs actually met", "{:.1%}"),
    ("satisfaction_window_mean", "satisfaction, mean over the window", "{:.3f}"),
    ("satisfaction_mean", "satisfaction, mean at the end", "{:.3f}"),
    ("trust_mean", "trust, mean", "{:.3f}"),
    ("capacity_total_h", "handling capacity, paid + volunteer (h)", "{:,.0f}"),
    ("volunteer_h", "volunteer hours given", "{:,.0f}"),
    ("utilisation_front_line", "utilisation, front line (hours not idle)", "{:.1%}"),
    ("case_share_front_line", "share of front-line hours on cases", "{:.1%}"),
    ("cases_per_front_post_month", "known cases per front-line post and month", "{:.1f}"),
)


def kpi_rows(kpis: dict) -> list[tuple[str, str, str]]:
    """The headline rows, then the utilisation of each department the run had."""
    departments = sorted(k for k in kpis if k.startswith("utilisation_dept_"))
    return [*HEADLINE, *((k, accounting_label(k), "{:.1%}") for k in departments)]


def kpi_table(kpis: dict, title: str = "") -> str:
    """A two-column table of the headline KPIs."""
    rows = kpi_rows(kpis)
    width = max(len(label) for _, label, _ in rows)
    lines = [title, "-" * (width + 14)] if title else []
    for key, label, fmt in rows:
        value = kpis.get(key)
        text = "n/a" if value is None or value != value else fmt.format(value)
        lines.append(f"{label:<{width}}  {text:>12}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- sweep report


_LABELS = {key: label for key, label, _ in HEADLINE}
_STATS = (
    "kpi",
    "coarse",
    "refined",
    "mean",
    "difference",
    "ci_low",
    "ci_high",
    "n",
    "pairs",
    "paired_ok",
    "excluded",
    "family",
    "fw_low",
    "fw_high",
    "verdict",
    "needs",
    "flag",
)
_COUNTS = {"n": "runs", "pairs": "pairs"}


def split_group(kpi: str) -> tuple[str, str]:
    """``needs_met_share_registered_here`` -> (``needs_met_share``, ``registered here``)."""
    from sim.analysis import KPIS  # scipy: loaded only when reporting

    for base in sorted({*KPIS, *_LABELS}, key=len, reverse=True):  # response_time_mean_h before response_time
        if kpi.startswith(base + "_"):
            return base, kpi[len(base) + 1 :].replace("_", " ")
    return kpi, ""


def kpi_label(kpi: str) -> str:
    from sim.analysis import KPIS, MATCHED

    label, unit = KPIS.get(kpi) or MATCHED.get(kpi) or (_LABELS.get(kpi, kpi.replace("_", " ")), "")
    return f"{label} ({unit})" if unit else label


def decimals(kpi: str) -> int:
    """Counts as integers, hours to 0.1 h, shares and 0-1 scores to 0.001."""
    if kpi.startswith("issues_") or kpi == "matched_needs":
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
    cells = {
        "KPI": kpi_label(base),
        "group": group,
        header: number(row[column], digits, signed),
        "95% CI": "n/a" if pd.isna(row["ci_low"]) else f"[{lo}, {hi}]",
    }
    if "fw_low" in row:
        fw = [number(row[c], digits, signed) for c in ("fw_low", "fw_high")]
        cells["familywise 95% CI"] = "n/a" if pd.isna(row["fw_low"]) else f"[{fw[0]}, {fw[1]}]"
    return cells


def _parameter(column: str, value) -> tuple[str, str]:
    from sim.plots import axis_label, value_text

    return (axis_label(column) if "." in column else column), value_text(value)


def _readable(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table with labels and rounded numbers, and its numeric columns (aligned right)."""
    column = "mean" if "mean" in df else "difference"
    header = (
        "mean"
        if column == "mean"
        else ("effect" if "dial" in df else "gain difference" if "contrast" in df else "refined − coarse")
    )
    counts = [c for c in _COUNTS if c in df]
    flag = "paired_ok" in df and not df["paired_ok"].all()
    rows = []
    for row in df.to_dict("records"):
        cells = dict(_parameter(c, v) for c, v in row.items() if c not in _STATS)
        estimate = _estimate(row, column, header)
        cells |= {"KPI": estimate.pop("KPI"), "group": estimate.pop("group")}
        cells |= {arm: number(row[arm], decimals(row["kpi"])) for arm in ("coarse", "refined") if arm in row}
        cells |= estimate
        cells |= {_COUNTS[c]: str(int(row[c])) for c in counts}
        if "needs" in row:
            cells["needs"] = number(row["needs"], 0)
        if flag:
            cells["pairs left out (other needs)"] = str(int(row["excluded"]))
        cells |= {c: row[c] for c in ("verdict", "flag") if c in row}
        rows.append(cells)
    out = pd.DataFrame(rows)
    if not out["group"].any():
        out = out.drop(columns="group")
    numeric = ["coarse", "refined", header, "95% CI", "familywise 95% CI", "needs", "pairs left out (other needs)"]
    return out, [*numeric, *(_COUNTS[c] for c in counts)]


def _markdown(df: pd.DataFrame, caption: str = "", readable=_readable) -> str:
    text = f"{caption}\n\n" if caption else ""
    if df.empty:
        return text + "No rows: nothing to compare.\n"
    table, right = readable(df)
    rule = ["---:" if c in right else "---" for c in table.columns]
    lines = ["| " + " | ".join(table.columns) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in table.itertuples(index=False)]
    return text + "\n".join(lines) + "\n"


def _write_table(df: pd.DataFrame, path: Path, caption: str = "", readable=None) -> list[Path]:
    """``df`` as CSV (names and full precision) and as Markdown (labels, rounded; made
    readable by ``readable``, by default the KPI tables' :func:`_readable`)."""
    markdown = _markdown(df, caption, readable or _readable)
    atomic_write(path.with_suffix(".csv"), lambda tmp: df.to_csv(tmp, index=False))
    atomic_write(path.with_suffix(".md"), lambda tmp: Path(tmp).write_text(markdown))
    return [path.with_suffix(".csv"), path.with_suffix(".md")]


def _experiment(sweep_dir: Path) -> str:
    """The experiment's name from the sweep's ``multirun.yaml``, else the folder's name."""
    try:
        import yaml

        choices = yaml.safe_load((Path(sweep_dir) / "multirun.yaml").read_text())["hydra"]["runtime"]["choices"]
        return choices.get("experiment") or Path(sweep_dir).name
    except (OSError, KeyError, TypeError, ValueError):
        return Path(sweep_dir).name


def analysis_effect() -> str:
    from sim.analysis import EFFECT

    return EFFECT


def _title(runs: pd.DataFrame, sweep_dir: Path) -> str:
    """The experiment, then scale, horizon and budget in words (:func:`headline_title`) and
    the number of seeds."""
    ok = runs[runs["status"] == "ok"]
    seeds = ok["seed"].nunique() if "seed" in ok else 0
    settings = pd.DataFrame(
        [
            _settings(sweep_dir / str(run["job"])) | {k: v for k, v in run.items() if not _missing(v)}
            for run in ok.to_dict("records")
        ]
    )
    return f"{_experiment(sweep_dir)}: {headline_title(settings)}, {seeds} seeds"


def _settings(job_dir: Path) -> dict:
    """A job's settings from its ``summary.json`` (dotted keys), or nothing if unreadable."""
    import json

    try:
        return _flat(json.loads((job_dir / "summary.json").read_text()).get("params") or {})
    except (OSError, ValueError, AttributeError):
        return {}


CAPTIONS = {
    "summary": "mean over seeds, with its 95% confidence interval; in a comparison of the two policies, over the "
    "seeds run under both (the seeds of the paired differences)",
    "differences": "refined − coarse, paired on seed, with the 95% confidence interval of the paired differences",
    "for_whom": "refined − coarse by group of residents (category, and where registered), paired on seed, "
    "with 95% confidence intervals; 'needs' is the group's mean number of needs per run; rows from fewer than "
    "3 pairs or with no spread are flagged",
    "matched": "the needs that both regimes of a seed resolved, matched by identity (the same needs, so no "
    "selection between the regimes): each regime's mean over seeds, and refined − coarse paired on seed with its "
    "95% confidence interval",
    "for_whom_contrasts": "how much more one group gains than another: per seed, the gain (refined − coarse) of "
    "the first group minus that of the second, with the paired 95% confidence interval",
    "wins": "over the design's rows (one run per regime and row, paired on the row's seed): in how many refined "
    "did better and worse than coarse, and the 5th, 50th and 95th percentiles of refined − coarse",
    "morris": "Morris elementary effects of each factor over its declared range (sim/params.py, vary), for each "
    "regime and for refined − coarse paired on the row's seed: μ* (mean absolute effect, in the KPI's unit per the "
    "factor's whole range) with its 95% bootstrap interval, μ (signed) and σ (spread: interactions and "
    "non-linearity); the top 10 of each KPI (every factor in morris.csv)",
    "sobol": "Sobol' indices of each factor, first order (S1: its share of the variance alone) and total (ST: with "
    "its interactions), with 95% bootstrap intervals, for each regime and for refined − coarse paired on the row's "
    "seed; the variance left to S1 sums is interactions and the runs' own noise",
    "boxes": "PRIM boxes (EMA workbench) of the sampled space where refined did worse than coarse, where it did "
    "better, or where its lead was in the lowest tenth of the rows (one run per regime and row, paired on its "
    "seed): coverage (share of those rows inside the box), density (share of the box's rows that are such "
    "rows), each restricted factor's limits against its sampled range, and its quasi-p value (a one-sided "
    "binomial test of the restriction); 'none': too few such rows, or no box denser than the whole",
    "decomposition": "the gap between the type-based status quo (coarse, basic access: office hours, no app) and "
    "Jinshan's full package (refined, modern access) split over three bundles by their Shapley values (each "
    "bundle's contribution averaged over every order of switching them on: the parts add up to the full gap), "
    "and the gap at equal access (refined − coarse, both with modern access: the headline); per seed, the eight "
    "arms facing the same needs, then the mean with its 95% confidence interval; 'share' is the part's share of "
    "the full gap",
    "effects": f"each dial's effect = {analysis_effect()}, paired on seed, the other dials as in the preset named; "
    "95% confidence interval per comparison and familywise (Bonferroni over the comparisons of each KPI); "
    "verdict from the familywise interval and the smallest relevant effect",
}


def _caption(table: str, title: str) -> str:
    return f"**{title}**: {CAPTIONS[table]}."


def _warnings(ok: pd.DataFrame) -> list[str]:
    from sim import analysis
    from sim.output import code_hash

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


def check_runs(runs: pd.DataFrame, sweep_dir: Path) -> pd.DataFrame:
    """The finished runs, or SweepError if a report on them would be wrong: none finished,
    an ablation mixed with other runs, or runs that cannot be paired."""
    from sim import analysis

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


def build_report(sweep_dir: Path, runs: pd.DataFrame | None = None, kpis=None) -> list[Path]:
    """Tables and a figure for a sweep, from its runs only. Without ``runs``, reads the job
    folders and also writes ``runs.parquet``. Checks everything before writing anything.
    Returns the report files written."""
    from sim import analysis  # scipy: loaded only when reporting

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
        return _ablation_report(ok, by, kpis, out_dir, title)
    return _comparison_report(ok, by, kpis, out_dir, title)


# ---------------------------------------------------------------------------- designed experiments

ROW = "design.row"


def read_design(sweep_dir: Path, ok: pd.DataFrame):
    """The design of a designed sweep, from a job's composed config; SweepError if the runs
    were not made with its rows (another design, or another sample) or if it is unreadable."""
    import yaml

    from sim.design import PATROL, Design, check, n_rows, row_values

    job = sweep_dir / str(ok["job"].iloc[0])
    try:
        node = yaml.safe_load((job / ".hydra" / "config.yaml").read_text())["design"]
        design = Design(**{**node, "row": 0})
        check(design)
    except (OSError, KeyError, TypeError, ValueError) as err:
        raise SweepError(f"{job}: no readable design ({err})") from None
    rows = n_rows(design)
    for run in ok.to_dict("records"):
        if not 0 <= int(run[ROW]) < rows:
            raise SweepError(
                f"{run['job']}: row {run[ROW]} is beyond the {rows} rows of the design of {job.name}: "
                "the folder holds runs of more than one design; report each from its own folder"
            )
        params = _settings(sweep_dir / str(run["job"]))
        for name, value in row_values(design, int(run[ROW])).items():
            if name in PATROL and params.get(name) == 0:
                continue  # a regime that does not patrol keeps none, whatever the row says
            if name in params and not np.isclose(params[name], value, rtol=1e-9, atol=0):
                raise SweepError(
                    f"{run['job']}: {name}={params[name]} but row {run[ROW]} of the design has {value}: "
                    "the runs were made with another design or sample; re-run the sweep"
                )
    return design


def design_report(ok: pd.DataFrame, sweep_dir: Path, out_dir: Path, title: str) -> list[Path]:
    """A designed sweep: its sample, each row's outcomes, how often refined won, and the
    method's own analysis: Morris or Sobol' indices, or PRIM's boxes for a Latin hypercube."""
    from sim import design as designs
    from sim import sensitivity

    design = read_design(sweep_dir, ok)
    title = f"{title}; {designs.describe(design)}"
    if design.method == "grid":
        return _grid_report(design, ok, out_dir, title)
    table = sensitivity.outcome_table(ok, designs.n_rows(design))
    missing = int(table.isna().any(axis=1).sum())
    if missing:
        print(f"warning: {missing} of {len(table)} design rows lack a finished run of a regime", file=sys.stderr)
    sample = pd.DataFrame(designs.sample(design), columns=designs.problem(design)["names"])
    sample.insert(0, "seed", ok.groupby(ROW)["seed"].first().reindex(range(len(sample))).astype("Int64"))
    sample.insert(0, ROW, range(len(sample)))
    written = _write_csv(sample, out_dir / "design.csv")
    flat = table.copy()
    flat.columns = [f"{arm}: {kpi}" for arm, kpi in flat.columns]
    written += _write_csv(flat.reset_index(), out_dir / "outcomes.csv")
    written += _write_table(
        sensitivity.wins(table), out_dir / "wins", f"**{title}**: {CAPTIONS['wins']}.", readable=_readable_wins
    )
    analyse = {"morris": _morris_report, "sobol": _sobol_report, "lhs": _discovery_report}[design.method]
    return written + analyse(design, table, sample, out_dir, title)


def _grid_report(design, ok: pd.DataFrame, out_dir: Path, title: str) -> list[Path]:
    """A grid: its factors become the sweep's axes, and the report is a comparison's: levels
    and paired differences per cell, the phase diagram over the first two factors."""
    from sim import analysis
    from sim import design as designs

    values = pd.DataFrame([designs.row_values(design, int(r)) for r in ok[ROW]], index=ok.index)
    by = list(values.columns)
    cells = pd.concat([ok.drop(columns=[c for c in by if c in ok]), values], axis=1).drop(columns=[ROW])
    kpis = [k for k in analysis.KPIS if k in cells]
    return _comparison_report(cells, by, kpis, out_dir, title)


def _write_csv(df: pd.DataFrame, path: Path) -> list[Path]:
    atomic_write(path, lambda tmp: df.to_csv(tmp, index=False))
    return [path]


def _morris_report(design, table, sample, out_dir: Path, title: str) -> list[Path]:
    from sim import plots, sensitivity

    indices = sensitivity.morris_indices(design, table)
    written = _write_table(indices, out_dir / "morris", f"**{title}**: {CAPTIONS['morris']}.", readable=_readable_sa)
    return written + plots.plot_morris(indices, out_dir / "morris", title)


def _sobol_report(design, table, sample, out_dir: Path, title: str) -> list[Path]:
    from sim import plots, sensitivity

    indices = sensitivity.sobol_indices(design, table)
    written = _write_table(indices, out_dir / "sobol", f"**{title}**: {CAPTIONS['sobol']}.", readable=_readable_sa)
    return written + plots.plot_sobol(indices, out_dir / "sobol", title)


def _discovery_report(design, table, sample, out_dir: Path, title: str) -> list[Path]:
    from sim import discovery, plots

    x = sample.drop(columns=[ROW, "seed"])
    boxes, base = {}, {}
    for target, (kpi, which, _) in discovery.TARGETS.items():
        chosen = discovery.cases(table, kpi, which)
        base[target] = (int(chosen.sum()), len(chosen))
        boxes[target] = discovery.find_boxes(x, chosen)
    found = discovery.box_table(boxes, base)
    written = _write_table(found, out_dir / "boxes", f"**{title}**: {CAPTIONS['boxes']}.", readable=_readable_boxes)
    return written + plots.plot_boxes(x, table, boxes, base, out_dir / "boxes", title)


def _factor_label(name: str) -> str:
    return name.removeprefix("scenario.").replace("scale.", "level of ")


def _readable_wins(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    rows = []
    for r in df.to_dict("records"):
        digits = decimals(r["kpi"])
        rows.append(
            {
                "KPI": kpi_label(r["kpi"]),
                "rows": str(r["rows"]),
                "refined better": str(r["refined_better"]),
                "refined worse": str(r["refined_worse"]),
                "refined − coarse: 5%": number(r["difference_p05"], digits, True),
                "median": number(r["difference_median"], digits, True),
                "95%": number(r["difference_p95"], digits, True),
            }
        )
    out = pd.DataFrame(rows)
    return out, list(out.columns[1:])


SA_SHOWN = 10
"""Factors shown per KPI and arm in the Markdown tables (the CSV has every one)."""


def _readable_sa(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    rows = []
    morris = "mu_star" in df
    for r in df[df["rank"] <= SA_SHOWN].to_dict("records"):
        digits = decimals(r["kpi"]) + (0 if morris else 3 - decimals(r["kpi"]))
        cells = {
            "regime": r["arm"],
            "KPI": kpi_label(r["kpi"]),
            "rank": str(r["rank"]),
            "factor": _factor_label(r["factor"]),
        }
        if morris:
            cells |= {
                "μ*": number(r["mu_star"], digits),
                "μ* 95% CI ±": number(r["mu_star_conf"], digits),
                "μ": number(r["mu"], digits, True),
                "σ": number(r["sigma"], digits),
                "note": "no effect in any run" if r["no_effect"] else "",
            }
        else:
            for k in ("S1", "ST"):
                cells |= {
                    k: number(r[k], 3),
                    f"{k} 95% CI": f"[{number(r[k] - r[k + '_conf'], 3)}, {number(r[k] + r[k + '_conf'], 3)}]",
                }
        rows.append(cells)
    out = pd.DataFrame(rows)
    return out, [c for c in out.columns if c not in ("regime", "KPI", "factor", "note")]


def _readable_boxes(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    rows = []
    for r in df.to_dict("records"):
        base = f"{r['cases']} of {r['rows']}"
        if pd.isna(r.get("box")):
            rows.append({"rows where refined is": r["target"], "how many": base, "box": "none"})
            continue
        rows.append(
            {
                "rows where refined is": r["target"],
                "how many": base,
                "box": str(int(r["box"])),
                "coverage": number(r["coverage"], 2),
                "density": number(r["density"], 2),
                "factor": _factor_label(r["factor"]),
                "box limits": f"{r['low']:.3g} – {r['high']:.3g}",
                "of the range": f"{r['range_low']:.3g} – {r['range_high']:.3g}",
                "quasi-p": f"{r['quasi_p']:.2g}",
            }
        )
    out = pd.DataFrame(rows).fillna("")
    return out, [c for c in ("coverage", "density", "quasi-p") if c in out]


def _ablation_report(ok: pd.DataFrame, by: list[str], kpis: list[str], out_dir: Path, title: str) -> list[Path]:
    from sim import analysis, plots

    effects = analysis.ablation_effects(ok, kpis, by)
    _warn_excluded(effects)
    written = _write_table(
        analysis.summarise(ok, [*by, "variant"], kpis), out_dir / "summary", _caption("summary", title)
    )
    written += _write_table(effects, out_dir / "effects", _caption("effects", title))
    written += capacity(ok, by, "variant", out_dir, title)
    for name, where, part in _slices(effects, by):
        written += plots.plot_ablation(part, kpis[:4], out_dir / name, f"{title}{where}")
    if analysis.is_decomposition(ok):
        parts = analysis.decomposition(ok, kpis, by)
        written += _write_table(
            parts, out_dir / "decomposition", _caption("decomposition", title), readable=_readable_decomposition
        )
        written += plots.plot_decomposition(parts, kpis[:4], out_dir / "decomposition", title)
    return written


def _readable_decomposition(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    rows = []
    for r in df.to_dict("records"):
        digits = decimals(r["kpi"])
        rows.append(
            {
                "KPI": kpi_label(r["kpi"]),
                "part": r["part"],
                "mean": number(r["mean"], digits, True),
                "95% CI": f"[{number(r['ci_low'], digits, True)}, {number(r['ci_high'], digits, True)}]",
                "share of the full gap": "" if pd.isna(r["share"]) else f"{r['share']:.0%}".replace("-", "−"),
                "pairs": str(r["pairs"]),
            }
        )
    out = pd.DataFrame(rows)
    return out, ["mean", "95% CI", "share of the full gap", "pairs"]


def _comparison_report(ok: pd.DataFrame, by: list[str], kpis: list[str], out_dir: Path, title: str) -> list[Path]:
    from sim import analysis, plots

    both = "policy" in ok and {"coarse", "refined"} <= set(ok["policy"])
    levels = analysis.paired_levels if both else analysis.summarise
    summary = levels(ok, by, kpis=kpis) if both else levels(ok, [*by, "policy"], kpis)
    diffs = analysis.paired_differences(ok, by, kpis=kpis)
    _warn_excluded(diffs)
    written = _write_table(summary, out_dir / "summary", _caption("summary", title))
    written += _write_table(diffs, out_dir / "differences", _caption("differences", title))
    if both:
        matched = matched_table(ok, by, out_dir.parent)
        if not matched.empty:
            written += _write_table(matched, out_dir / "matched", _caption("matched", title))
    groups = for_whom(ok, by)
    if not groups.empty:
        written += _write_table(groups, out_dir / "for_whom", _caption("for_whom", title))
        contrasts = _group_contrasts(ok, by)
        written += _write_table(contrasts, out_dir / "for_whom_contrasts", _caption("for_whom_contrasts", title))
    written += capacity(ok, by, "policy", out_dir, title)
    if both:
        written += headline(ok, by, kpis, out_dir)
    numeric = [c for c in by if c in analysis.numeric_axes(ok)]
    if both and len(numeric) >= 2:  # the gap's phase diagram over the first two numeric axes, per slice of the rest
        rest = [c for c in by if c not in numeric[:2]]
        for name, where, diffs_part in _slices(diffs, rest):
            path = out_dir / name.replace("figure", "phase", 1)
            written += plots.plot_phase(diffs_part, numeric[0], numeric[1], kpis[:4], path, f"{title}{where}")
    x = numeric[0] if numeric else (by[0] if by else None)
    others = [c for c in by if c != x]
    facet, sliced = (others[0] if others else None), others[1:]
    for name, where, diffs_part in _slices(diffs, sliced):  # one figure per slice: levels and differences alike
        summary_part = summary[_slice_mask(summary, sliced, diffs_part)]
        if x is None:
            written += plots.plot_policies(summary_part, diffs_part, kpis[:4], out_dir / name, title)
        else:
            written += plots.plot_over(
                summary_part, diffs_part, x, kpis[:4], out_dir / name, f"{title}{where}", facet=facet
            )
    return written


def matched_table(ok: pd.DataFrame, by: list[str], sweep_dir: Path) -> pd.DataFrame:
    """The needs both regimes resolved, matched by identity, from each pair's issues.parquet:
    response times without the selection of which needs get resolved."""
    from sim import analysis

    rows = []
    columns = ["issue_id", "created_h", "reported_h", "resolved_h"]
    for key, seed, control, treatment in analysis.paired_runs(ok, by):
        frames = [_read_issues(sweep_dir / run["job"], columns) for run in (control, treatment)]
        if any(f is None for f in frames):
            continue  # results of an older format, or deleted: the other tables still stand
        start_h = 24.0 * (_settings(sweep_dir / control["job"]).get("warmup_days") or 0)
        for kpi, (c, t) in analysis.matched_resolution(*frames, start_h).items():
            rows.append({**key, "seed": seed, "kpi": kpi, "coarse": c, "refined": t})
    return analysis.matched_summary(pd.DataFrame(rows, columns=[*by, "seed", "kpi", "coarse", "refined"]), by)


def _read_issues(job_dir: Path, columns: list[str]) -> pd.DataFrame | None:
    """Some columns of a job's ``issues.parquet``; None if it is missing or of an older format."""
    try:
        return pd.read_parquet(Path(job_dir) / "issues.parquet", columns=columns)
    except (OSError, ValueError, KeyError):
        return None


def for_whom(ok: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Paired differences by group of residents, with the group's mean number of needs per
    run and a flag on rows that rest on fewer than 3 pairs or show no spread at all."""
    from sim import analysis

    groups = analysis.paired_differences(ok, by, kpis=analysis.group_kpis(ok))
    if groups.empty:
        return groups
    names = groups["kpi"].map(lambda k: split_group(k)[1].replace(" ", "_"))
    counts = {n: ok[f"needs_{n}"].mean() for n in analysis.group_names(ok) if f"needs_{n}" in ok}
    groups.insert(len(by) + 1, "needs", names.map(counts))
    thin = groups["pairs"] < 3
    flat = (groups["ci_high"] - groups["ci_low"]).fillna(0) == 0
    groups["flag"] = [("few pairs" if t else "no spread" if f else "") for t, f in zip(thin, flat)]
    return groups


def _group_contrasts(ok: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Every pair of categories, and registered elsewhere against here."""
    from itertools import combinations

    from sim import analysis

    names = analysis.group_names(ok)
    places = [n for n in names if n.startswith("registered_")]
    pairs = list(combinations([n for n in names if n not in places], 2))
    if {"registered_elsewhere", "registered_here"} <= set(places):
        pairs.append(("registered_elsewhere", "registered_here"))
    kpis = ["resolved_within_7d", "needs_met_share", "satisfaction_mean"]
    return analysis.group_contrasts(ok, by, pairs, kpis)


# ---------------------------------------------------------------------------- staff-time accounting

_ACCOUNTING = (
    # key prefix, words
    ("staff_", "staff"),
    ("paid_h_", "paid hours"),
    ("volunteer_h", "volunteer hours"),
    ("capacity_", "handling capacity"),
    ("utilisation", "utilisation"),
    ("case_share_", "share of hours on cases"),
    ("case_load_", "load of the hours left for cases"),
    ("time_", "time on"),
)
_ACCOUNTING_LABELS = {
    # keys whose words do not follow from their names (runs made before the accounting per line)
    "time_workers": "front-line workers",
    "time_worker_hours": "front-line worker hours (h)",
    "time_department_staff": "department staff",
    "time_handling_capacity_h": "handling capacity, front line (h)",
    "utilisation": "utilisation, front line",
    "cases_per_front_post_month": "known cases per front-line post and month",
    "known_per_post_month": "known cases per paid post and month (front line and departments)",
    "visits": "household visits",
    "visits_home": "household visits that found someone at home",
    "visits_intrusive": "household visits that intruded (too soon after the last)",
    "volunteer_h_allotted": "volunteer hours allotted (weeks begun)",
    "time_volunteers_idle_h": "volunteer hours not booked (h)",
}


def _pool_use(key: str) -> tuple[str, str] | None:
    """(pool in words, use) of a time-use key: ``time_dept_housing_cases_h`` -> ("housing
    department", "cases"), ``time_front_line_idle_h`` -> ("front line", "idle"); else None."""
    rest = key.removeprefix("time_").removesuffix("_h")
    if not key.startswith("time_") or not key.endswith("_h"):
        return None
    if rest.startswith("front_line_"):
        return "front line", rest.removeprefix("front_line_").replace("_", " ")
    if rest.startswith("dept_") and rest.count("_") >= 2:
        _, line, use = rest.split("_", 2)
        return f"{line} department", use.replace("_", " ")
    return None


def accounting_label(key: str) -> str:
    """A staff-time accounting key in words: ``utilisation_dept_housing`` -> "utilisation,
    housing department", ``paid_h_front_line`` -> "paid hours, front line",
    ``time_travel_h`` -> "time on travel (h)"."""
    if key in _ACCOUNTING_LABELS:
        return _ACCOUNTING_LABELS[key]
    pool_use = _pool_use(key)
    if pool_use:
        pool, use = pool_use
        return f"{use}, {pool} (h)"
    found = next(((prefix, words) for prefix, words in _ACCOUNTING if key.startswith(prefix)), None)
    if found is None:
        return key.replace("_", " ")
    prefix, words = found
    rest = key[len(prefix) :].strip("_")
    hours = rest == "h" or rest.endswith("_h")
    rest = rest.removesuffix("h").strip("_")
    if rest.startswith("dept_"):
        rest = f"{rest[5:]} department"
    elif rest in ("dept", "depts"):
        rest = "departments"
    rest = rest.replace("_", " ")
    unit = " (h)" if hours and "hours" not in words else ""
    if words.endswith(" on"):
        return f"{words} {rest}{unit}" if rest else f"time{unit}"
    return f"{words}, {rest}{unit}" if rest else f"{words}{unit}"


def _accounting_number(key: str, value) -> str:
    """Utilisation as a percentage, hours to the hour, head counts to 0.1 where not whole."""
    if pd.isna(value):
        return ""
    if key.startswith(("utilisation", "case_share_", "case_load_")):
        return f"{value:.1%}"
    if key.endswith("_month"):
        return f"{value:.1f}"
    if "_h" in key or key.endswith("hours"):
        return f"{value:,.0f}"
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _readable_capacity(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    arms = list(df.columns[list(df.columns).index("key") + 1 :])
    rows = []
    for row in df.to_dict("records"):
        cells = dict(_parameter(c, row[c]) for c in df.columns[: list(df.columns).index("key")])
        cells["quantity"] = accounting_label(row["key"])
        cells |= {str(a): _accounting_number(row["key"], row[a]) for a in arms}
        rows.append(cells)
    return pd.DataFrame(rows), [str(a) for a in arms]


def capacity(ok: pd.DataFrame, by: list[str], arm: str, out_dir: Path, title: str) -> list[Path]:
    """``capacity.csv`` and ``.md``: staff and staff time per ``arm`` (policy, or ablation
    variant) and setting of the parameters that vary, mean over seeds."""
    from sim import analysis

    table = analysis.capacity_table(ok, by, arm)
    caption = (
        f"**{title}**: staff and staff time per {arm}, mean over seeds: head counts of staff, hours over the run, "
        "utilisation as the share of a pool's handling hours taken up by cases; blank where those runs record "
        "no such quantity"
    )
    if table.empty:
        caption += "; these runs record no staff-time accounting"
    return _write_table(table, out_dir / "capacity", caption + ".", readable=_readable_capacity)


# ---------------------------------------------------------------------------- headline figure


def _flat(params: dict) -> dict:
    """``{"scenario": {"n_residents": 1000}, "days": 20}`` -> ``{"scenario.n_residents": 1000,
    "days": 20}``: scalar settings only, one level down."""
    out = {}
    for key, value in params.items():
        if isinstance(value, dict):
            out |= {f"{key}.{k}": v for k, v in value.items() if not isinstance(v, (dict, list))}
        elif not isinstance(value, list):
            out[key] = value
    return out


def read_job(job_dir: Path) -> tuple[pd.DataFrame | None, pd.DataFrame | None, dict]:
    """A job folder's needs (``issues.parquet``: when each arose, was resolved, was given up),
    its daily series (``timeseries.parquet``: day, backlog, mean satisfaction, warm-up flag
    where written) and its settings (``summary.json``'s ``params``, as dotted keys such as
    ``scenario.n_residents``). None for a table that is missing or of an older format."""

    job_dir = Path(job_dir)
    issues = _read_issues(job_dir, ["created_h", "resolved_h", "abandoned_h"])
    try:
        ts = pd.read_parquet(job_dir / "timeseries.parquet")
        ts = ts[[c for c in ("day", "backlog", "satisfaction_mean", "warmup") if c in ts]] if "day" in ts else None
    except (OSError, ValueError, KeyError):
        ts = None
    return issues, ts, _settings(job_dir)


def _and(items) -> str:
    items = list(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def _staff_words(runs: pd.DataFrame, budget: str | None) -> str:
    """Paid staff (front line and departments, mean over seeds) and how volunteers count; where
    a policy's paid staff differ between its runs (a staffing sweep), only how volunteers count."""
    columns = [c for c in runs if c == "staff_front_line" or c.startswith("staff_dept_")]
    staff, varies = {}, False
    if columns and "policy" in runs:
        total = runs[columns].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1)
        by_policy = total.groupby(runs["policy"], sort=True)
        varies = bool((by_policy.max() - by_policy.min() > 1.5).any())  # a study's rounding moves 1 post
        staff = {p: v for p, v in by_policy.mean().items() if pd.notna(v)}
    budget_swept = [c for c in ("scenario.workers_per_10k", "scenario.dept_staff_per_10k") if c in runs]
    varies = varies or any(runs[c].nunique() > 1 for c in budget_swept)  # at small scale by less than a post
    counts = {p: f"{v:.0f}" if abs(v - round(v)) < 0.05 else f"{v:.1f}" for p, v in staff.items()}
    volunteers = {
        "counted": "equal capacity: volunteer hours count against the paid budget",
        "on_top": "volunteers on top of the paid staff",
    }.get(budget, "")
    if varies or not counts:
        return volunteers
    if len(set(counts.values())) == 1:
        n = next(iter(counts.values()))
        return {
            "counted": f"equal budget: {n} paid staff, volunteer hours counted against it",
            "on_top": f"equal paid staff ({n}), volunteers on top",
        }.get(budget, f"{n} paid staff" + (" under both policies" if len(counts) > 1 else ""))
    paid = "paid staff " + ", ".join(f"{p} {n}" for p, n in counts.items())
    return "; ".join(part for part in (volunteers, paid) if part)


def headline_title(runs: pd.DataFrame) -> str:
    """The headline figure's title in words, from the runs and their settings (columns
    ``scenario.n_residents``, ``scenario.n_towns``, ``days``, ``warmup_days``,
    ``scenario.volunteer_budget`` and the ``staff_*`` KPIs, each left out where missing), e.g.
    "A town of 20,000 residents, 365 days (no warm-up) — equal budget: 64 paid staff,
    volunteer hours counted against it"."""

    def values(column):
        return sorted(runs[column].dropna().unique()) if column in runs else []

    residents, towns, days, warmup = (
        values(c) for c in ("scenario.n_residents", "scenario.n_towns", "days", "warmup_days")
    )
    place = "A district" if towns and max(towns) > 1 else "A town"
    scale = f"{place} of {_and(f'{int(n):,}' for n in residents)} residents" if residents else ""
    span = f"{_and(str(int(d)) for d in days)} days" if days else ""
    head = ", ".join(part for part in (scale, span) if part)
    if warmup:
        warm = "no warm-up" if max(warmup) == 0 else f"the first {_and(str(int(w)) for w in warmup)} a warm-up"
        head = f"{head} ({warm})" if head else warm.capitalize()
    budget = values("scenario.volunteer_budget")
    staff = _staff_words(runs, str(budget[0]) if len(budget) == 1 else None)
    if head and staff:
        return f"{head} — {staff}"
    return (head or staff[:1].upper() + staff[1:]) or "Coarse and refined governance compared"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def headline(ok: pd.DataFrame, by: list[str], kpis: list[str], out_dir: Path) -> list[Path]:
    """The headline figure of a regime comparison (:func:`sim.plots.plot_headline`), one per
    setting of the parameters that vary (``headline``, ``headline_<setting>``), from the job
    folders beside ``out_dir``; none for a setting whose folders hold no needs (results of an
    older format, or deleted)."""
    from sim import analysis, plots

    written = []
    for name, where, part in _slices(ok, by):
        curves, series, settings = [], [], []
        for run in part.to_dict("records"):
            issues, ts, params = read_job(out_dir.parent / run["job"])
            # A swept value (a column of the runs) stands over the summary's settings.
            settings.append(params | {k: v for k, v in run.items() if not _missing(v)})
            tag = {"policy": run["policy"], "seed": run["seed"]}
            warmup = float(settings[-1].get("warmup_days") or 0)
            if issues is not None:
                curves.append(analysis.resolution_curve(issues, 24.0 * run["days"], 24.0 * warmup).assign(**tag))
            if ts is not None:
                series.append(ts.assign(**tag))
        if not curves:
            continue
        curves, settings = pd.concat(curves, ignore_index=True), pd.DataFrame(settings)
        series = pd.concat(series, ignore_index=True) if series else pd.DataFrame(columns=["policy", "seed", "day"])
        given = settings["warmup_days"].fillna(0).max() if "warmup_days" in settings else 0
        warmup = analysis.warmup_days(series, default=int(given))
        written += plots.plot_headline(
            analysis.curve_bands(curves),
            analysis.timeseries_bands(series),
            analysis.forest_rows(part, kpis),
            out_dir / name.replace("figure", "headline", 1),
            headline_title(settings) + where,
            warmup=warmup,
            seeds=curves.groupby("policy")["seed"].nunique().to_dict(),
        )
    return written


def _warn_excluded(diffs: pd.DataFrame) -> None:
    if diffs.empty or diffs["paired_ok"].all():
        return
    keys = list(diffs.columns[: list(diffs.columns).index("kpi")])  # one row per comparison
    bad = diffs[~diffs["paired_ok"]]
    n = int((bad.drop_duplicates(keys) if keys else bad.head(1))["excluded"].sum())
    print(
        f"warning: {n} pairs did not face the same needs (their need fingerprints differ): "
        "they are left out of the differences and marked in the tables",
        file=sys.stderr,
    )


def _slice_mask(table: pd.DataFrame, columns: list[str], chosen: pd.DataFrame) -> pd.Series:
    from sim.plots import same_value

    mask = pd.Series(True, index=table.index)
    for c in columns:
        mask &= same_value(table[c], chosen[c].iloc[0]) if len(chosen) else False
    return mask


def _slices(table: pd.DataFrame, columns: list[str]):
    """(file name, title suffix, rows) for each combination of values of ``columns``: one
    figure per slice, the slice named in its title (``figure`` alone when nothing is sliced)."""
    from sim.plots import value_text

    if not columns or table.empty:
        return [("figure", "", table)]
    out = []
    for key, part in table.groupby(columns, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        named = ",".join(f"{c}={value_text(v)}" for c, v in zip(columns, key))
        out.append((f"figure_{named}" if out else "figure", f" [{named}]", part))
    return out


def _print_runs(runs: pd.DataFrame) -> None:
    bad = runs[runs["status"] != "ok"]
    print(f"{len(runs) - len(bad)} runs ok, {len(bad)} failed or unfinished")
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
