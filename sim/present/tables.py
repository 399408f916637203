"""The sweep report's tables: each written as CSV (names, full precision) and as Markdown
(labels, rounded numbers) under its caption.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.measure.ablation import EFFECT
from sim.present.kpi_table import decimals, kpi_label, number, split_group
from sim.study.output import atomic_write

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
    "morris": "Morris elementary effects of each factor over its declared range (sim/model/params/, vary), for each "
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
    "replay": "a district before its reform and after it (the reform's parts all switched on), the gain (after − "
    "before: 'full gap') and its split over the reform's six parts by their Shapley values (each part's "
    "contribution averaged over every order of switching them on: the parts add up to the gain); per seed, the "
    "64 combinations facing the same needs, then the mean with its 95% confidence interval; 'share' is the "
    "part's share of the gain; city management counts the environment needs, faults and events in public space "
    "known to the state",
    "effects": f"each dial's effect = {EFFECT}, paired on seed, the other dials as in the preset named; "
    "95% confidence interval per comparison and familywise (Bonferroni over the comparisons of each KPI); "
    "verdict from the familywise interval and the smallest relevant effect",
}


def table_caption(table: str, title: str) -> str:
    """The caption of ``table`` (a key of :data:`CAPTIONS`) under the report's ``title``."""
    return f"**{title}**: {CAPTIONS[table]}."


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


def parameter_cell(column: str, value) -> tuple[str, str]:
    """A swept parameter's column header (with its unit) and its value, as shown in a table."""
    from sim.present.plot_style import axis_label, value_text

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
        cells = dict(parameter_cell(c, v) for c, v in row.items() if c not in _STATS)
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


def markdown(df: pd.DataFrame, caption: str = "", readable=_readable) -> str:
    """``df`` as a Markdown table under ``caption``, made readable by ``readable`` (labels,
    rounded numbers; it also names the columns aligned right)."""
    text = f"{caption}\n\n" if caption else ""
    if df.empty:
        return text + "No rows: nothing to compare.\n"
    table, right = readable(df)
    rule = ["---:" if c in right else "---" for c in table.columns]
    lines = ["| " + " | ".join(table.columns) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in table.itertuples(index=False)]
    return text + "\n".join(lines) + "\n"


def write_table(df: pd.DataFrame, path: Path, caption: str = "", readable=None) -> list[Path]:
    """``df`` as CSV (names and full precision) and as Markdown (labels, rounded; made
    readable by ``readable``, by default the KPI tables' :func:`_readable`)."""
    text = markdown(df, caption, readable or _readable)
    atomic_write(path.with_suffix(".csv"), lambda tmp: df.to_csv(tmp, index=False))
    atomic_write(path.with_suffix(".md"), lambda tmp: Path(tmp).write_text(text))
    return [path.with_suffix(".csv"), path.with_suffix(".md")]


def write_csv(df: pd.DataFrame, path: Path) -> list[Path]:
    """``df`` as CSV only, for tables with no readable form (a design's sample and outcomes)."""
    atomic_write(path, lambda tmp: df.to_csv(tmp, index=False))
    return [path]
