"""The report of a designed sweep: its sample, each row's outcomes, how often refined won, and the
method's own analysis (Morris or Sobol' indices, or PRIM's boxes), with their readable tables
and figures. A grid is reported as a comparison over its factors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.present.comparison_report import comparison_report
from sim.present.jobs import job_settings
from sim.present.kpi_table import decimals, kpi_label, number
from sim.present.plot_style import WIDTHS, drawing
from sim.present.tables import CAPTIONS, write_csv, write_table
from sim.study.sweep import SweepError

ROW = "design.row"
"""The runs' column naming the row of the design each was made with."""


def read_design(sweep_dir: Path, ok: pd.DataFrame):
    """The design of a designed sweep, from a job's composed config; SweepError if the runs
    were not made with its rows (another design, or another sample) or if it is unreadable."""
    import yaml

    from sim.study.design import PATROL, Design, check, n_rows, row_values

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
        params = job_settings(sweep_dir / str(run["job"]))
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
    from sim.study import design as designs
    from sim.study import sensitivity

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
    written = write_csv(sample, out_dir / "design.csv")
    flat = table.copy()
    flat.columns = [f"{arm}: {kpi}" for arm, kpi in flat.columns]
    written += write_csv(flat.reset_index(), out_dir / "outcomes.csv")
    written += write_table(
        sensitivity.wins(table), out_dir / "wins", f"**{title}**: {CAPTIONS['wins']}.", readable=_readable_wins
    )
    analyse = {"morris": _morris_report, "sobol": _sobol_report, "lhs": _discovery_report}[design.method]
    return written + analyse(design, table, sample, out_dir, title)


def _grid_report(design, ok: pd.DataFrame, out_dir: Path, title: str) -> list[Path]:
    """A grid: its factors become the sweep's axes, and the report is a comparison's: levels
    and paired differences per cell, the phase diagram over the first two factors."""
    from sim.measure import analysis
    from sim.study import design as designs

    values = pd.DataFrame([designs.row_values(design, int(r)) for r in ok[ROW]], index=ok.index)
    by = list(values.columns)
    cells = pd.concat([ok.drop(columns=[c for c in by if c in ok]), values], axis=1).drop(columns=[ROW])
    kpis = [k for k in analysis.KPIS if k in cells]
    return comparison_report(cells, by, kpis, out_dir, title)


def _morris_report(design, table, sample, out_dir: Path, title: str) -> list[Path]:
    from sim.present import design_plots
    from sim.study import sensitivity

    indices = sensitivity.morris_indices(design, table)
    written = write_table(indices, out_dir / "morris", f"**{title}**: {CAPTIONS['morris']}.", readable=_readable_sa)
    if not indices.empty:
        with drawing(out_dir / "morris", _grid_size(indices, 2.3), written) as fig:
            design_plots.plot_morris(indices, fig, title)
    return written


def _sobol_report(design, table, sample, out_dir: Path, title: str) -> list[Path]:
    from sim.present import design_plots
    from sim.study import sensitivity

    indices = sensitivity.sobol_indices(design, table)
    written = write_table(indices, out_dir / "sobol", f"**{title}**: {CAPTIONS['sobol']}.", readable=_readable_sa)
    if not indices.empty:
        with drawing(out_dir / "sobol", _grid_size(indices, 0.16 * indices["factor"].nunique() + 0.9), written) as fig:
            design_plots.plot_sobol(indices, fig, title)
    return written


def _discovery_report(design, table, sample, out_dir: Path, title: str) -> list[Path]:
    from sim.present import design_plots
    from sim.study import discovery

    x = sample.drop(columns=[ROW, "seed"])
    boxes, base = {}, {}
    for target, (kpi, which, _) in discovery.TARGETS.items():
        chosen = discovery.cases(table, kpi, which)
        base[target] = (int(chosen.sum()), len(chosen))
        boxes[target] = discovery.find_boxes(x, chosen)
    found = discovery.box_table(boxes, base)
    written = write_table(found, out_dir / "boxes", f"**{title}**: {CAPTIONS['boxes']}.", readable=_readable_boxes)
    with drawing(out_dir / "boxes", (WIDTHS["double"], 3.0 * len(discovery.TARGETS) + 0.5), written) as fig:
        design_plots.plot_boxes(x, table, boxes, base, fig, title)
    return written


def _grid_size(indices: pd.DataFrame, row_height: float) -> tuple[float, float]:
    """A page's width, and a row of panels per KPI."""
    return WIDTHS["double"], row_height * indices["kpi"].nunique() + 0.6


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
