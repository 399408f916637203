"""Scenario discovery over a Latin-hypercube sweep (:mod:`sim.study.design`): where in the space of
uncertain parameters and staffing does refined lose to coarse, where does it win, and where is
its lead smallest?
PRIM (the EMA workbench's) finds boxes of that space dense in the rows of interest. Pure
functions; no model, no files.

Each row has one run per regime, paired on the row's seed. A row is of interest when refined −
coarse on a KPI is worse than zero ("worse"), better than zero ("better"), or, so that there is
a map even where one regime always wins, when refined's advantage is among the smallest tenth
of the rows ("least ahead").
The number of rows of interest is reported with the boxes.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from sim.measure.analysis import BETTER
from sim.study.sensitivity import DIFFERENCE

TARGETS = {
    # name: (KPI, which rows: "worse" or "weakest", what they are)
    "worse on timeliness": ("resolved_within_7d", "worse", "refined resolves fewer needs within 7 days"),
    "worse on satisfaction": ("callback_satisfaction_rate", "worse", "fewer callbacks satisfied under refined"),
    "better on timeliness": ("resolved_within_7d", "better", "refined resolves more needs within 7 days"),
    "better on satisfaction": ("callback_satisfaction_rate", "better", "more callbacks satisfied under refined"),
    "least ahead on timeliness": ("resolved_within_7d", "weakest", "refined's lead within 7 days in its lowest tenth"),
    "least ahead on satisfaction": (
        "callback_satisfaction_rate",
        "weakest",
        "refined's lead in satisfaction in its lowest tenth",
    ),
}
WEAKEST = 0.1
"""The share of rows with the smallest advantage of refined that "least ahead" looks at."""
MIN_COVERAGE = 0.5
"""A box is chosen on PRIM's peeling trajectory as the densest one that still holds this share
of the rows of interest (assumption: the usual balance of coverage and density)."""
SCREENED = 4
"""PRIM looks at the factors that feature scoring ranks highest, this many (assumption: a box
of a few factors can be read, and a thousand rows over 59 factors support few more)."""
SIGNIFICANT = 0.05
"""A restriction whose quasi-p value is above this is marked as not significant."""
MIN_CASES = 5
"""Fewer rows of interest than this: no box is sought (PRIM would fit noise)."""


def cases(table: pd.DataFrame, kpi: str, which: str) -> pd.Series:
    """Over the rows where both regimes finished: True where refined did worse than coarse on
    ``kpi`` (``which="worse"``, by the KPI's better direction), better (``"better"``), or where
    its advantage is in the lowest :data:`WEAKEST` share of the rows (``"weakest"``)."""
    if (DIFFERENCE, kpi) not in table.columns:  # not measured over this design's window (too short)
        return pd.Series(dtype=bool)
    gain = table[(DIFFERENCE, kpi)].dropna() * BETTER.get(kpi, 1)
    if which == "worse":
        return gain < 0
    if which == "better":
        return gain > 0
    return gain <= gain.quantile(WEAKEST)


def find_boxes(x: pd.DataFrame, lose: pd.Series, most: int = 2) -> list[dict]:
    """Up to ``most`` PRIM boxes of the rows where ``lose`` is true (the rows of interest), each as a dict: coverage,
    density, mass, the number of rows in it, the restricted parameters with their limits
    and quasi-p values. A box is kept only if it is denser than the rows are on the whole."""
    x = x.loc[lose.index].reset_index(drop=True).astype(float)
    y = lose.to_numpy(dtype=bool)
    if y.sum() < MIN_CASES:
        return []
    with warnings.catch_warnings():  # the workbench's notes on optional parts and on pandas, not on the data
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return _boxes(x, y, most)


def screened(x: pd.DataFrame, y: np.ndarray) -> list[str]:
    """The :data:`SCREENED` factors that best tell the rows of interest apart (the EMA
    workbench's extra-trees feature scores, seeded): PRIM on every factor of a few hundred
    rows would restrict dozens of them by chance."""
    from ema_workbench.analysis import feature_scoring

    scores = feature_scoring.get_ex_feature_scores(x, y, nr_trees=500, random_state=0)[0].iloc[:, 0]
    return list(scores.sort_values(ascending=False, kind="stable").index[:SCREENED])


def _boxes(x: pd.DataFrame, y: np.ndarray, most: int) -> list[dict]:
    from ema_workbench.analysis import prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
    x = x[screened(x, y)]
    search = prim.Prim(x, y)
    found = []
    for _ in range(most):
        box = search.find_box()
        if box is None:
            break
        i = _chosen(box.peeling_trajectory)
        if i is None:
            break
        box.select(i)
        stats = box.peeling_trajectory.loc[i]
        if stats["density"] <= y.mean():
            break
        found.append(_describe(box, i, x, len(found) + 1))
    return found


def _chosen(trajectory: pd.DataFrame) -> int | None:
    """The densest box with enough coverage that restricts anything."""
    fit = trajectory[(trajectory["coverage"] >= MIN_COVERAGE) & (trajectory["res_dim"] > 0)]
    return None if fit.empty else int(fit["density"].idxmax())


def _describe(box, i: int, x: pd.DataFrame, number: int) -> dict:
    stats = box.peeling_trajectory.loc[i]
    limits = box.box_lims[i]
    restricted = [c for c in x.columns if (limits[c].iloc[0], limits[c].iloc[1]) != (x[c].min(), x[c].max())]
    qp = box._calculate_quasi_p(i, restricted)
    return {
        "box": number,
        "coverage": float(stats["coverage"]),
        "density": float(stats["density"]),
        "mass": float(stats["mass"]),
        "rows": int(stats["n"]),
        "cases": int(stats["k"]),
        "limits": [
            {
                "factor": c,
                "low": float(limits[c].iloc[0]),
                "high": float(limits[c].iloc[1]),
                "range_low": float(x[c].min()),
                "range_high": float(x[c].max()),
                "quasi_p": _quasi_p(qp.get(c)),
            }
            for c in restricted
        ],
    }


def _quasi_p(values) -> float:
    """The workbench gives one quasi-p per side of a restriction (-1 for a side left open):
    the restriction's is the smaller of the sides restricted."""
    sides = [p for p in (values or []) if p is not None and p >= 0]
    return float(min(sides)) if sides else np.nan


def box_table(boxes: dict[str, list[dict]], base: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """One row per restricted parameter of each box (``boxes`` by target name); ``base``
    gives, by target name, (rows of interest, rows)."""
    rows = []
    for target, found in boxes.items():
        count, total = base[target]
        if not found:
            rows.append({"target": target, "kpi": TARGETS[target][0], "cases": count, "rows": total, "box": None})
        for b in found:
            for lim in b["limits"]:
                rows.append(
                    {
                        "target": target,
                        "kpi": TARGETS[target][0],
                        "cases": count,
                        "rows": total,
                        "box": b["box"],
                        "coverage": b["coverage"],
                        "density": b["density"],
                        "mass": b["mass"],
                        "rows_in_box": b["rows"],
                        **lim,
                    }
                )
    return pd.DataFrame(rows)
