"""Scenario discovery over a Latin-hypercube sweep (:mod:`sim.design`): where in the space of
uncertain parameters and staffing does refined lose to coarse? PRIM (the EMA workbench's)
finds boxes of that space dense in the rows where it does. Pure functions; no model, no files.

A row "loses" on a KPI when refined − coarse, paired on the row's seed, is worse than zero
(for one run per regime and row; the share of rows where it does is reported with the boxes).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from sim.analysis import BETTER
from sim.sensitivity import DIFFERENCE

LOSSES = {
    # name: (KPI, what refined losing on it means)
    "timeliness": ("resolved_within_7d", "a smaller share of all needs resolved within 7 days"),
    "satisfaction": ("satisfaction_window_mean", "lower mean satisfaction over the window"),
}
MIN_COVERAGE = 0.5
"""A box is chosen on PRIM's peeling trajectory as the densest one that still holds this share
of the rows where refined loses (assumption: the usual balance of coverage and density)."""
MAX_DIMENSIONS = 3
"""... restricting at most this many parameters, so that it can be read (assumption)."""
MIN_CASES = 5
"""Fewer rows where refined loses than this: no box is sought (PRIM would fit noise)."""


def losses(table: pd.DataFrame, kpi: str) -> pd.Series:
    """True where refined did worse than coarse on ``kpi`` (by the KPI's better direction),
    over the rows where both regimes finished."""
    diff = table[(DIFFERENCE, kpi)].dropna()
    return (diff > 0) if BETTER.get(kpi) == -1 else (diff < 0)


def find_boxes(x: pd.DataFrame, lose: pd.Series, most: int = 2) -> list[dict]:
    """Up to ``most`` PRIM boxes of the rows where ``lose`` is true, each as a dict: coverage,
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


def _boxes(x: pd.DataFrame, y: np.ndarray, most: int) -> list[dict]:
    from ema_workbench.analysis import prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
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
    """The densest box with enough coverage and few enough restricted dimensions."""
    fit = trajectory[(trajectory["coverage"] >= MIN_COVERAGE) & (trajectory["res_dim"] <= MAX_DIMENSIONS)]
    fit = fit[fit["res_dim"] > 0]
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
                "quasi_p": float(max(p for p in qp[c] if p is not None and p >= 0)) if qp.get(c) else np.nan,
            }
            for c in restricted
        ],
    }


def box_table(boxes: dict[str, list[dict]], base: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """One row per restricted parameter of each box (``boxes`` by loss name); ``base`` gives,
    by loss name, (rows where refined loses, rows)."""
    rows = []
    for loss, found in boxes.items():
        cases, total = base[loss]
        if not found:
            rows.append({"loss": loss, "kpi": LOSSES[loss][0], "cases": cases, "rows": total, "box": None})
        for b in found:
            for lim in b["limits"]:
                rows.append(
                    {
                        "loss": loss,
                        "kpi": LOSSES[loss][0],
                        "cases": cases,
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
