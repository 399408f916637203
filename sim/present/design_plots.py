"""Figures of the designed experiments, from their indices and sample: Morris screening, Sobol'
indices, and scenario discovery's PRIM boxes. As in :mod:`sim.present.comparison_plots`, a
panel takes ``ax=`` and returns it, a figure of several takes ``fig=`` and returns it, and
nothing is saved or closed.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import matplotlib.patches
import numpy as np
import pandas as pd

from sim.measure.analysis import KPIS
from sim.present.plot_style import COLOURS, DIFF_COLOUR, axes_of, axis_label, figure_of

if TYPE_CHECKING:  # the types of the axes and figures the plots draw on
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

ARM_COLOURS = {"coarse": COLOURS["coarse"], "refined": COLOURS["refined"]}
LABELLED = 5
"""Factors named in each panel of the sensitivity figures: the most influential ones."""


def _factor(name: str) -> str:
    return name.removeprefix("scenario.").replace("scale.", "level: ").replace("_", " ")


def _arm_title(arm: str, kpi: str) -> str:
    """The regime and the KPI, wrapped to a third of a page's width."""
    return "\n".join([arm, *textwrap.wrap(KPIS.get(kpi, (kpi,))[0], 36)])


def _design_grid(indices: pd.DataFrame, fig, title: str | None, what: str, width: float = 2.4, height: float = 2.3):
    arms = list(dict.fromkeys(indices["arm"]))
    kpis = list(dict.fromkeys(indices["kpi"]))
    fig = figure_of(fig, (width * len(arms), height * len(kpis)))
    axes = fig.subplots(len(kpis), len(arms), squeeze=False)
    fig.suptitle("\n".join([*textwrap.wrap(title or "", 40 * len(arms)), what]))
    return fig, axes, arms, kpis


def _panel(indices: pd.DataFrame, kpi: str, arm: str | None) -> pd.DataFrame:
    from sim.study.sensitivity import DIFFERENCE

    arm = DIFFERENCE if arm is None else arm
    part = indices[(indices["kpi"] == kpi) & (indices["arm"] == arm)]
    if part.empty:
        raise ValueError(f"no indices for kpi={kpi!r} and arm={arm!r}; they have {sorted(set(indices['arm']))}")
    return part


def plot_mu_sigma(indices: pd.DataFrame, kpi: str, arm: str | None = None, ax: Axes | None = None):
    """One KPI's Morris screening for one regime (or the difference): each factor a dot at its
    mean absolute elementary effect μ* (with its 95% interval) and their spread σ; the most
    influential factors named. Above the dashed line (σ = μ*) the effect depends on the other
    factors or is not monotonic.

    Args:
        indices: :func:`sim.study.sensitivity.morris_indices` of a Morris sweep.
        kpi: The KPI.
        arm: ``coarse``, ``refined`` or the difference (``refined − coarse``, the default).
        ax: The axes to draw on; a new figure's when ``None``.

    Returns:
        The axes.
    """
    part = _panel(indices, kpi, arm)
    arm = part["arm"].iloc[0]
    ax = axes_of(ax, (3.2, 3.0))
    colour = ARM_COLOURS.get(arm, DIFF_COLOUR)
    if part["sigma"].isna().all():
        ax.text(0.5, 0.9, "σ needs two trajectories or more", transform=ax.transAxes, ha="center")
        part = part.assign(sigma=0.0)
    ax.errorbar(
        part["mu_star"],
        part["sigma"],
        xerr=part["mu_star_conf"],
        fmt="o",
        ms=3,
        color=colour,
        ecolor="#bbbbbb",
        elinewidth=0.8,
    )
    top = max(part["mu_star"].max(), part["sigma"].max(), 1e-12) * 1.1
    ax.plot([0, top], [0, top], ls="--", lw=0.7, color="#888888")
    named = part.nsmallest(LABELLED, "rank")
    named = named[named["mu_star"] >= 0.15 * part["mu_star"].max()].sort_values("sigma", ascending=False)
    placed: list[float] = []
    for r in named.itertuples():  # not the crowd at 0; labels moved down clear of the one above
        y = r.sigma / top
        while any(abs(y - p) < 0.07 for p in placed):
            y -= 0.07
        placed.append(y)
        ax.annotate(
            _factor(r.factor),
            (r.mu_star, r.sigma),
            xytext=(r.mu_star + 0.02 * top, y * top),
            fontsize="x-small",
            arrowprops={"arrowstyle": "-", "color": "#aaaaaa", "lw": 0.5} if y * top != r.sigma else None,
        )
    ax.set_xlim(0, top * 1.4)
    ax.set_ylim(min(0.0, min(placed, default=0.0) * top - 0.05 * top), top * 1.1)
    ax.set_title(_arm_title(arm, kpi))
    ax.set_xlabel("μ* (KPI units per factor range)")
    ax.set_ylabel("σ")
    return ax


def plot_morris(indices: pd.DataFrame, fig: Figure | SubFigure | None = None, title: str | None = None):
    """:func:`plot_mu_sigma` for every KPI (rows) and regime or difference (columns).

    Args:
        indices: :func:`sim.study.sensitivity.morris_indices` of a Morris sweep.
        fig: A figure or subfigure to draw on; a new one when ``None``.
        title: The figure's title.

    Returns:
        The figure.
    """
    fig, axes, arms, kpis = _design_grid(indices, fig, title, "Morris screening: μ* against σ")
    for i, kpi in enumerate(kpis):
        for j, arm in enumerate(arms):
            plot_mu_sigma(indices, kpi, arm, ax=axes[i, j])
    return fig


def plot_sobol_bars(
    indices: pd.DataFrame, kpi: str, arm: str | None = None, ax: Axes | None = None, legend: bool = True
):
    """One KPI's first-order (light) and total (dark) Sobol' indices for one regime (or the
    difference), with their 95% intervals.

    Args:
        indices: :func:`sim.study.sensitivity.sobol_indices` of a Sobol' sweep.
        kpi: The KPI.
        arm: ``coarse``, ``refined`` or the difference (``refined − coarse``, the default).
        ax: The axes to draw on; a new figure's when ``None``.
        legend: Whether to name S1 and ST in a legend.

    Returns:
        The axes.
    """
    part = _panel(indices, kpi, arm).sort_values("ST", ascending=True)
    arm = part["arm"].iloc[0]
    ax = axes_of(ax, (3.2, 0.25 * len(part) + 1.0))
    y = np.arange(len(part))
    colour = ARM_COLOURS.get(arm, DIFF_COLOUR)
    ax.barh(y + 0.2, part["ST"], 0.4, xerr=part["ST_conf"], color=colour, label="ST", ecolor="#555555")
    ax.barh(y - 0.2, part["S1"], 0.4, xerr=part["S1_conf"], color=colour, alpha=0.45, label="S1", ecolor="#555555")
    ax.set_yticks(y, [_factor(f) for f in part["factor"]])
    ax.axvline(0, color="#888888", lw=0.7)
    ax.set_xlim(-0.25, 1.05)  # indices are shares of variance; wider intervals run off the panel
    ax.set_title(_arm_title(arm, kpi))
    if legend:
        ax.legend(fontsize="x-small", loc="lower right")
    return ax


def plot_sobol(indices: pd.DataFrame, fig: Figure | SubFigure | None = None, title: str | None = None):
    """:func:`plot_sobol_bars` for every KPI (rows) and regime or difference (columns).

    Args:
        indices: :func:`sim.study.sensitivity.sobol_indices` of a Sobol' sweep.
        fig: A figure or subfigure to draw on; a new one when ``None``.
        title: The figure's title.

    Returns:
        The figure.
    """
    what = "Sobol' indices: first order S1 (light) and total ST (dark)"
    fig, axes, arms, kpis = _design_grid(indices, fig, title, what, height=2.0)
    for i, kpi in enumerate(kpis):
        for j, arm in enumerate(arms):
            plot_sobol_bars(indices, kpi, arm, ax=axes[i, j], legend=i == 0 and j == 0)
    return fig


def plot_boxes(
    x: pd.DataFrame,
    table: pd.DataFrame,
    boxes: dict,
    base: dict,
    fig: Figure | SubFigure | None = None,
    title: str | None = None,
):
    """For each target of scenario discovery (refined worse, or least ahead, on timeliness and
    on satisfaction): the design's rows over the two factors that PRIM's first box restricts
    most (rows of interest in red, the box drawn), and each box's limits as a share of every
    restricted factor's sampled range, with its coverage and density.

    Args:
        x: The design's sample (one row per design row, one column per factor).
        table: The outcomes per design row (:func:`sim.study.sensitivity.outcome_table`).
        boxes: Per target, the boxes of :func:`sim.study.discovery.find_boxes`.
        base: Per target, (rows of interest, rows).
        fig: A figure or subfigure to draw on; a new one when ``None``.
        title: The figure's title.

    Returns:
        The figure.
    """
    from sim.study.discovery import TARGETS, cases

    fig = figure_of(fig, (7.2, 3.0 * len(TARGETS)))
    axes = fig.subplots(len(TARGETS), 2, squeeze=False)
    heading = "Scenario discovery (PRIM): where refined does worse, better, or is least ahead"
    fig.suptitle("\n".join([*textwrap.wrap(title or "", 110), heading]))
    for i, (target, (kpi, which, meaning)) in enumerate(TARGETS.items()):
        found, (count, total) = boxes.get(target, []), base[target]
        left, limits = axes[i]
        title = f"{target}: {meaning} ({count} of {total} rows)"
        if found:
            _box_scatter(left, x, cases(table, kpi, which), found[0]["limits"])
        else:
            _advantage(left, table, kpi)
        left.set_title(title)
        _box_limits(limits, found, count)
    return fig


def _box_scatter(ax, x: pd.DataFrame, chosen: pd.Series, limits: list[dict]) -> None:
    """The rows over the box's two most significant factors, rows of interest in red, the box
    drawn over them."""
    dims = [lim["factor"] for lim in sorted(limits, key=lambda lim: lim["quasi_p"])][:2]
    dims += [c for c in x.columns if c not in dims][: 2 - len(dims)]
    xs = x.loc[chosen.index]
    ax.scatter(xs[dims[0]], xs[dims[1]], s=9, c=np.where(chosen, "#d62728", "#bbbbbb"), linewidths=0)
    span = {lim["factor"]: (lim["low"], lim["high"]) for lim in limits}
    (x0, x1), (y0, y1) = (span.get(d, (xs[d].min(), xs[d].max())) for d in dims)
    ax.add_patch(matplotlib.patches.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="#d62728", lw=1.2))
    for axis, d in zip((ax.set_xlabel, ax.set_ylabel), dims):
        axis(axis_label(d) if d.startswith("scenario.") else _factor(d))


def _advantage(ax, table: pd.DataFrame, kpi: str) -> None:
    """Where no box is drawn: how refined − coarse spreads over the rows, zero marked."""
    from sim.study.sensitivity import DIFFERENCE

    if (DIFFERENCE, kpi) not in table.columns:  # not measured over this design's window (too short)
        ax.text(0.5, 0.5, "not measured: the window is too short", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    diff = table[(DIFFERENCE, kpi)].dropna()
    ax.hist(diff, bins=30, color=DIFF_COLOUR, alpha=0.7)
    ax.axvline(0, color="#d62728", lw=1.2)
    ax.set_xlabel(f"refined − coarse: {KPIS.get(kpi, (kpi,))[0]}")
    ax.set_ylabel("rows")
    lo, hi = ax.get_xlim()
    ax.set_xlim(min(lo, -0.05 * (hi - lo)), hi)


def _box_limits(ax, found: list[dict], count: int) -> None:
    """Each box's restricted factors as bars over [0, 1] = the factor's sampled range."""
    from sim.study.discovery import SIGNIFICANT

    if not found:
        ax.text(
            0.5,
            0.5,
            "no such row: nothing to bound"
            if not count
            else "no box: too few such rows,\nor none denser than the whole",
            ha="center",
            va="center",
            fontsize="small",
        )
        ax.set_axis_off()
        return
    labels, y = [], 0
    for b in found:
        for lim in b["limits"]:
            span = lim["range_high"] - lim["range_low"] or 1.0
            lo, hi = (lim["low"] - lim["range_low"]) / span, (lim["high"] - lim["range_low"]) / span
            significant = lim["quasi_p"] < SIGNIFICANT
            ax.barh(y, hi - lo, left=lo, color="#d62728", alpha=0.65 if significant else 0.2)
            note = "" if significant else " (n.s.)"
            ax.text(
                1.02,
                y,
                f"{lim['low']:.3g} – {lim['high']:.3g}\nquasi-p {lim['quasi_p']:.2g}{note}",
                va="center",
                fontsize="x-small",
            )
            labels.append(f"box {b['box']}: {_factor(lim['factor'])}")
            y += 1
        labels[-1] += f"\n(coverage {b['coverage']:.2f}, density {b['density']:.2f})"
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlim(0, 1.25)
    ax.set_xticks([0, 0.5, 1], ["low end", "middle", "high end"])
    ax.invert_yaxis()
    ax.set_title("each box's limits within each factor's sampled range (pale: quasi-p ≥ 0.05)")
