"""Figures comparing the regimes over a sweep, drawn from the data: the table of runs of a sweep
(``runs.parquet``, or :func:`sim.study.sweep.runs_from_results` of runs made in Python), or the
tables :mod:`sim.measure` makes of it. Never runs or imports the model.

Each plot draws on what it is given and returns it, and neither saves nor closes anything, as
matplotlib's and Optuna's plots do: a function of one panel takes ``ax=`` and returns the
axes; a figure of several panels takes ``fig=`` (a figure or a subfigure) and returns it.
Without them, a new pyplot figure is made (shown in a notebook). The report
(:mod:`sim.present.comparison_report`) draws its files with these functions.

* one panel: :func:`plot_levels`, :func:`plot_difference`, :func:`plot_levels_over`,
  :func:`plot_difference_over`, :func:`plot_phase`, :func:`plot_effects`, :func:`plot_parts`,
  and, in :mod:`sim.present.headline_plots`, ``plot_resolution``, ``plot_daily`` and ``plot_forest``;
* several: :func:`plot_policies`, :func:`plot_over`, :func:`plot_phases`, :func:`plot_ablation`,
  :func:`plot_decomposition`, and the headline figure, ``plot_headline`` (also importable from here).

The style (sizes for a journal's column, fonts, Chinese) is set around them with
:func:`sim.present.plot_style.figure_style`.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import matplotlib.lines
import matplotlib.patches
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.measure import analysis
from sim.measure.ablation import DIRECTIONS, EFFECT
from sim.measure.analysis import BETTER, CITY_KPIS, KPIS
from sim.model.params import ConfigError
from sim.present.headline_plots import plot_headline  # noqa: F401  (the headline is a comparison plot too)
from sim.present.plot_style import (
    COLOURS,
    DIFF_COLOUR,
    LINESTYLES,
    MARKERS,
    PHASE_CMAP,
    axes_of,
    axis_label,
    figure_of,
    same_value,
    value_text,
)

if TYPE_CHECKING:  # the types of the axes and figures the plots draw on
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

FIRST_KPIS = list(KPIS)[:4]
"""The KPIs of the figures' panels when none are named."""


def _label(kpi: str, width: int = 25) -> str:
    """A KPI's name and unit as a panel's title, wrapped to fit a quarter of a page's width."""
    label, unit = KPIS.get(kpi) or CITY_KPIS.get(kpi, (kpi, ""))
    return "\n".join(textwrap.wrap(f"{label} ({unit})" if unit else label, width))


def _mark_if_empty(ax, values) -> None:
    """Say so on a panel whose KPI has no value in these runs (e.g. the time to resolution
    capped at 30 days, when fewer than 30 days are measured), instead of leaving it blank."""
    if not pd.Series(values, dtype=float).notna().any():
        ax.text(0.5, 0.5, "n/a: not defined\nin these runs", transform=ax.transAxes, ha="center", va="center")
        ax.set_xticks([])
        ax.set_yticks([])


def _one_setting(runs: pd.DataFrame, allowed: list[str], plot: str) -> None:
    """A plot that pools the runs over everything but ``allowed`` refuses runs of several settings
    (and anything but a table of runs)."""
    analysis.check_runs(runs, allowed)
    other = [c for c in analysis.varying_parameters(runs) if c not in allowed]
    if other:
        raise ConfigError(
            f"{plot}: these runs vary in {other}; pass the runs of one setting "
            f"(e.g. runs[runs[{other[0]!r}] == value]) or draw them over it with plot_over"
        )


def both_arms(runs: pd.DataFrame) -> bool:
    """Whether the runs hold both regimes (so that they can be paired)."""
    return "policy" in runs and {"coarse", "refined"} <= set(runs["policy"])


def levels(runs: pd.DataFrame, by: list[str], kpis) -> pd.DataFrame:
    """Each regime's mean and 95% interval per setting of ``by``: over the paired seeds when both
    regimes ran (so levels and differences agree), else over every run."""
    if both_arms(runs):
        return analysis.paired_levels(runs, by, kpis=list(kpis))
    return analysis.summarise(runs, [*by, "policy"], list(kpis))


def _pyplot_grid(fig, rows: int, cols: int, size: tuple[float, float]):
    fig = figure_of(fig, (size[0] * cols, size[1] * rows))
    return fig, fig.subplots(rows, cols, squeeze=False)


# ---------------------------------------------------------------------------- levels and differences


def plot_levels(runs: pd.DataFrame, kpi: str = "resolved_within_7d", ax: Axes | None = None):
    """Each regime's mean with its 95% interval across seeds, for runs of one setting.

    Args:
        runs: A table of runs (one row per run: ``policy``, ``seed`` and the KPIs).
        kpi: The KPI shown (a key of :data:`sim.measure.analysis.KPIS`).
        ax: The axes to draw on; a new figure's when ``None``.

    Returns:
        The axes.
    """
    _one_setting(runs, [], "plot_levels")
    ax = axes_of(ax, (2.6, 2.6))
    s = levels(runs, [], [kpi])
    for i, r in enumerate(s.itertuples()):
        ax.errorbar(
            i,
            r.mean,
            yerr=[[r.mean - r.ci_low], [r.ci_high - r.mean]],
            fmt=MARKERS.get(r.policy, "o"),
            capsize=4,
            color=COLOURS.get(r.policy, "k"),
        )
    ax.set_xticks(range(len(s)), list(s["policy"]))
    ax.set_xlim(-0.6, len(s) - 0.4)
    ax.set_title(_label(kpi))
    _mark_if_empty(ax, s["mean"])
    return ax


def plot_difference(runs: pd.DataFrame, kpi: str = "resolved_within_7d", ax: Axes | None = None):
    """Refined − coarse, paired on seed, with its 95% interval, for runs of one setting.

    Args:
        runs: A table of runs of both regimes.
        kpi: The KPI shown.
        ax: The axes to draw on; a new figure's when ``None``.

    Returns:
        The axes.
    """
    _one_setting(runs, [], "plot_difference")
    ax = axes_of(ax, (1.8, 2.6))
    d = analysis.paired_differences(runs, [], kpis=[kpi])
    _mark_if_empty(ax, d["difference"])
    if len(d):
        r = d.iloc[0]
        yerr = [[r.difference - r.ci_low], [r.ci_high - r.difference]]
        ax.errorbar(0, r.difference, yerr=yerr, fmt="D", capsize=4, color=DIFF_COLOUR)
    ax.axhline(0, color="grey", lw=0.8, ls="--")
    ax.set_xticks([0], ["refined − coarse"])
    ax.set_xlim(-0.6, 0.6)
    return ax


def plot_policies(runs: pd.DataFrame, kpis=None, fig: Figure | SubFigure | None = None, title: str | None = None):
    """Levels by regime (top row) and the paired difference (bottom row), one column per KPI,
    for runs of one setting (no swept axis).

    Args:
        runs: A table of runs of one setting.
        kpis: The KPIs, one column each (the first four of :data:`~sim.measure.analysis.KPIS`
            when ``None``).
        fig: A figure or subfigure to draw on; a new one when ``None``.
        title: The figure's title.

    Returns:
        The figure.
    """
    kpis = list(kpis or FIRST_KPIS)
    fig, axes = _pyplot_grid(fig, 2, len(kpis), (2.4, 2.6))
    for j, k in enumerate(kpis):
        plot_levels(runs, k, ax=axes[0, j])
        plot_difference(runs, k, ax=axes[1, j])
    axes[0, 0].set_ylabel("mean, 95% CI across seeds")
    axes[1, 0].set_ylabel("paired difference, 95% CI")
    if title:
        fig.suptitle("\n".join(textwrap.wrap(title, 100)))
    return fig


# ---------------------------------------------------------------------------- over a swept axis

FACET_STYLES = ["-", "--", ":", "-."]


def _facets(runs: pd.DataFrame, facet: str | None) -> list:
    return list(pd.unique(runs[facet])) if facet else [None]


def _facet_text(facet: str | None, value) -> str:
    return f"{axis_label(facet)}={value_text(value)}" if facet else ""


def plot_levels_over(
    runs: pd.DataFrame, x: str, kpi: str = "resolved_within_7d", facet: str | None = None, ax: Axes | None = None
):
    """Each regime's mean and 95% band over a numeric swept parameter ``x`` (and a second one,
    ``facet``, as line styles).

    Args:
        runs: A table of runs that vary in ``x`` (and ``facet``) only.
        x: The swept parameter on the horizontal axis (a column of ``runs``, e.g.
            ``scenario.workers_per_10k``).
        kpi: The KPI shown.
        facet: A second swept parameter, one line style per value; ``None`` for none.
        ax: The axes to draw on; a new figure's when ``None``.

    Returns:
        The axes.
    """
    by = [x, *([facet] if facet else [])]
    _one_setting(runs, by, "plot_levels_over")
    ax = axes_of(ax, (3.2, 2.6))
    s = levels(runs, by, [kpi])
    for fi, fv in enumerate(_facets(runs, facet)):
        part = s[same_value(s[facet], fv)] if facet else s
        for policy, g in part.groupby("policy"):
            g = g.sort_values(x)
            ls = FACET_STYLES[fi % len(FACET_STYLES)] if facet else LINESTYLES.get(policy, "-")
            colour = COLOURS.get(policy, "k")
            label = ", ".join(t for t in (str(policy), _facet_text(facet, fv)) if t)
            ax.plot(g[x], g["mean"], ls=ls, marker=MARKERS.get(policy, "o"), ms=3, color=colour, label=label)
            ax.fill_between(g[x], g["ci_low"], g["ci_high"], color=colour, alpha=0.18, lw=0)
    ax.set_title(_label(kpi))
    ax.set_xlabel(axis_label(x))
    _mark_if_empty(ax, s["mean"] if len(s) else [])
    return ax


def plot_difference_over(
    runs: pd.DataFrame, x: str, kpi: str = "resolved_within_7d", facet: str | None = None, ax: Axes | None = None
):
    """Refined − coarse, paired on seed, with its 95% band over a numeric swept parameter ``x``
    (and ``facet`` as line styles).

    Args:
        runs: A table of runs of both regimes that vary in ``x`` (and ``facet``) only.
        x: The swept parameter on the horizontal axis.
        kpi: The KPI shown.
        facet: A second swept parameter, one line style per value; ``None`` for none.
        ax: The axes to draw on; a new figure's when ``None``.

    Returns:
        The axes.
    """
    by = [x, *([facet] if facet else [])]
    _one_setting(runs, by, "plot_difference_over")
    ax = axes_of(ax, (3.2, 2.6))
    d = analysis.paired_differences(runs, by, kpis=[kpi])
    for fi, fv in enumerate(_facets(runs, facet)):
        part = (d[same_value(d[facet], fv)] if facet else d).sort_values(x)
        ls = FACET_STYLES[fi % len(FACET_STYLES)]
        label = _facet_text(facet, fv) or None
        ax.plot(part[x], part["difference"], ls=ls, marker="D", ms=3, color=DIFF_COLOUR, label=label)
        ax.fill_between(part[x], part["ci_low"], part["ci_high"], color=DIFF_COLOUR, alpha=0.18, lw=0)
    ax.axhline(0, color="grey", lw=0.8, ls="--")
    ax.set_xlabel(axis_label(x))
    _mark_if_empty(ax, d["difference"])
    return ax


def plot_over(
    runs: pd.DataFrame,
    x: str,
    kpis=None,
    facet: str | None = None,
    fig: Figure | SubFigure | None = None,
    title: str | None = None,
):
    """Levels by regime (top row) and paired differences (bottom row) over a numeric swept
    parameter, one column per KPI.

    Args:
        runs: A table of runs that vary in ``x`` (and ``facet``) only.
        x: The swept parameter on the horizontal axes.
        kpis: The KPIs, one column each (the first four when ``None``).
        facet: A second swept parameter, one line style per value.
        fig: A figure or subfigure to draw on; a new one when ``None``.
        title: The figure's title.

    Returns:
        The figure.
    """
    kpis = list(kpis or FIRST_KPIS)
    fig, axes = _pyplot_grid(fig, 2, len(kpis), (2.6, 2.6))
    for j, k in enumerate(kpis):
        plot_levels_over(runs, x, k, facet, ax=axes[0, j])
        plot_difference_over(runs, x, k, facet, ax=axes[1, j])
        axes[0, j].set_xlabel("")
    axes[0, 0].set_ylabel("mean, 95% CI across seeds")
    axes[1, 0].set_ylabel("refined − coarse (paired), 95% CI")
    axes[0, 0].legend(fontsize="x-small")
    if facet:
        axes[1, 0].legend(fontsize="x-small")
    if title:
        fig.suptitle("\n".join(textwrap.wrap(title, 100)))
    return fig


# ---------------------------------------------------------------------------- the gap over two axes


def plot_phase(
    runs: pd.DataFrame, x: str, y: str, kpi: str = "resolved_within_7d", ax: Axes | None = None, colorbar: bool = True
):
    """The gap refined − coarse over two numeric swept parameters: each cell's paired difference
    written in it and coloured (blue where refined does better, orange where coarse does), the
    zero contour interpolated between cell centres, and cells whose 95% interval covers zero
    hatched ("no clear difference").

    Args:
        runs: A table of runs of both regimes that vary in ``x`` and ``y`` only.
        x: The swept parameter across.
        y: The swept parameter up.
        kpi: The KPI shown.
        ax: The axes to draw on; a new figure's when ``None``.
        colorbar: Whether to add a colour bar beside the axes.

    Returns:
        The axes.
    """
    _one_setting(runs, [x, y], "plot_phase")
    ax = axes_of(ax, (3.4, 3.0))
    d = analysis.paired_differences(runs, [x, y], kpis=[kpi])
    xs, ys = sorted(d[x].dropna().unique()), sorted(d[y].dropna().unique())
    grid, low, high = (
        d.pivot_table(index=y, columns=x, values=v).reindex(index=ys, columns=xs).to_numpy(dtype=float)
        for v in ("difference", "ci_low", "ci_high")
    )
    if not np.isfinite(grid).any():
        _mark_if_empty(ax, [])
        return ax
    reach = np.nanmax(np.abs(grid)) or 1.0
    cmap = PHASE_CMAP if BETTER.get(kpi, 1) > 0 else PHASE_CMAP.reversed()  # blue where refined does better
    mesh = ax.imshow(grid, origin="lower", cmap=cmap, vmin=-reach, vmax=reach, aspect="auto")
    if min(grid.shape) > 1 and np.nanmin(grid) < 0 < np.nanmax(grid):
        ax.contour(grid, levels=[0.0], colors="k", linewidths=1.4)
    unclear = (low <= 0) & (high >= 0)
    digits = 1 if KPIS.get(kpi, ("", ""))[1].startswith("mean, hours") else 3
    for (i, j), v in np.ndenumerate(grid):
        if unclear[i, j]:
            hatch = matplotlib.patches.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", lw=0, ec="#555555")
            ax.add_patch(hatch)
        if np.isfinite(v):
            box = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85}  # legible over hatching
            ax.text(j, i, f"{v:+.{digits}f}".replace("-", "−"), ha="center", va="center", fontsize="small", bbox=box)
    ax.set_xticks(range(len(xs)), [value_text(v) for v in xs])
    ax.set_yticks(range(len(ys)), [value_text(v) for v in ys])
    ax.set_xlabel(axis_label(x))
    ax.set_ylabel(axis_label(y))
    ax.set_title(_label(kpi))
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, shrink=0.8, label="refined − coarse")
    return ax


def plot_phases(
    runs: pd.DataFrame,
    x: str,
    y: str,
    kpis=None,
    fig: Figure | SubFigure | None = None,
    title: str | None = None,
    columns: int | None = None,
):
    """:func:`plot_phase` for several KPIs side by side.

    Args:
        runs: A table of runs of both regimes that vary in ``x`` and ``y`` only.
        x: The swept parameter across.
        y: The swept parameter up.
        kpis: The KPIs, one panel each (the first four when ``None``).
        fig: A figure or subfigure to draw on; a new one when ``None``.
        title: The figure's title, above a line that says how to read it.
        columns: Panels per row (all in one row when ``None``).

    Returns:
        The figure.
    """
    kpis = list(kpis or FIRST_KPIS)
    columns = columns or len(kpis)
    fig, axes = _pyplot_grid(fig, -(-len(kpis) // columns), columns, (3.6, 3.2))
    for ax, k in zip(axes.flat, kpis):
        plot_phase(runs, x, y, k, ax=ax)
    for ax in list(axes.flat)[len(kpis) :]:
        ax.set_axis_off()
    how = "refined − coarse, paired on seed; hatched: the 95% interval covers 0"
    fig.suptitle("\n".join([*textwrap.wrap(title or "", 100), how]))
    return fig


# ---------------------------------------------------------------------------- mechanisms


def plot_effects(effects: pd.DataFrame, kpi: str = "resolved_within_7d", ax: Axes | None = None, names: bool = True):
    """Each dial's effect on one KPI, in coarse and in refined, with one sign convention
    (:data:`sim.measure.ablation.EFFECT`): in coarse, (coarse+dial) − coarse; in refined,
    refined − (refined−dial). Right of zero: the refined setting of the dial raises the KPI.

    Args:
        effects: The effects of one setting, from :func:`sim.measure.ablation.ablation_effects`.
        kpi: The KPI shown.
        ax: The axes to draw on; a new figure's when ``None``.
        names: Whether to name the dials on the vertical axis.

    Returns:
        The axes.
    """
    dials = sorted(effects["dial"].unique())
    ax = axes_of(ax, (3.4, 0.3 * len(dials) + 1.2))
    in_coarse, in_refined = DIRECTIONS.values()
    offsets = {in_coarse: -0.18, in_refined: 0.18}
    styles = {in_coarse: "coarse", in_refined: "refined"}
    for direction, g in effects[effects["kpi"] == kpi].groupby("direction"):
        ys = [dials.index(d) + offsets[direction] for d in g["dial"]]
        ax.errorbar(
            g["difference"],
            ys,
            xerr=[g["difference"] - g["ci_low"], g["ci_high"] - g["difference"]],
            fmt=MARKERS[styles[direction]],
            ms=3.5,
            capsize=2.5,
            color=COLOURS[styles[direction]],
            label=direction,
        )
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    _mark_if_empty(ax, effects.loc[effects["kpi"] == kpi, "difference"])
    ax.xaxis.set_major_locator(MaxNLocator(4))  # signed tick labels need room
    ax.set_yticks(range(len(dials)), dials if names else [""] * len(dials))
    ax.set_title(_label(kpi))
    ax.set_xlabel(f"{EFFECT}\n(paired; 95% CI per comparison)")
    return ax


def plot_ablation(effects: pd.DataFrame, kpis=None, fig: Figure | SubFigure | None = None, title: str | None = None):
    """:func:`plot_effects` for several KPIs side by side, the axis named once below them.

    Args:
        effects: The effects of one setting, from :func:`sim.measure.ablation.ablation_effects`.
        kpis: The KPIs, one panel each (the first four when ``None``).
        fig: A figure or subfigure to draw on; a new one when ``None``.
        title: The figure's title.

    Returns:
        The figure.
    """
    kpis = list(kpis or FIRST_KPIS)
    fig, axes = _pyplot_grid(fig, 1, len(kpis), (2.6, 0.3 * effects["dial"].nunique() + 1.6))
    for j, k in enumerate(kpis):
        plot_effects(effects, k, ax=axes[0, j], names=j == 0)
        axes[0, j].set_xlabel("")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    axis = f"{EFFECT} (paired; 95% CI per comparison)"  # named once, under every panel, with the legend
    fig.legend(handles, labels, loc="outside lower center", ncol=2, title=axis, title_fontsize="medium", frameon=False)
    if title:
        fig.suptitle("\n".join(textwrap.wrap(title, 100)))
    return fig


DECOMPOSITION_PARTS = ("access", "individualisation", "party", "full gap", "at equal access")
DECOMPOSITION_COLOURS = ("#8c8c8c", COLOURS["refined"], "#9467bd", "k", COLOURS["coarse"])
DECOMPOSITION_XLABEL = "refined's bundles − status quo\n(Shapley; paired, 95% CI)"

REPLAY_COLOURS = ("#8c6d31", "#8c8c8c", "#d62728", COLOURS["coarse"], COLOURS["refined"], "#9467bd")
"""The reform's parts (sim.measure.ablation.REFORM_PARTS), in order; the gain in black."""
REPLAY_XLABEL = "after − before, and its parts\n(Shapley; paired, 95% CI)"


def plot_parts(
    parts: pd.DataFrame,
    kpi: str = "resolved_within_7d",
    ax: Axes | None = None,
    order=DECOMPOSITION_PARTS,
    colours=DECOMPOSITION_COLOURS,
    xlabel: str = DECOMPOSITION_XLABEL,
    names: dict | None = None,
    ticks: bool = True,
):
    """A gap and its Shapley parts for one KPI, each with its 95% interval over seeds: the full
    gap between the type-based status quo and Jinshan's package split over access,
    individualisation and party mobilisation, and the gap at equal access (or the parts named in
    ``order``: a replay's gain and its parts).

    Args:
        parts: One setting's rows of :func:`sim.measure.ablation.decomposition` (or
            :func:`~sim.measure.ablation.replay_decomposition`).
        kpi: The KPI shown.
        ax: The axes to draw on; a new figure's when ``None``.
        order: The parts, top to bottom; one of them is ``"full gap"``.
        colours: Their colours, in the same order.
        xlabel: The horizontal axis's label.
        names: Names shown on the axis for some parts (part -> name).
        ticks: Whether to name the parts on the vertical axis.

    Returns:
        The axes.
    """
    ax = axes_of(ax, (3.2, 2.4))
    rows = parts[parts["kpi"] == kpi].set_index("part").reindex(order)
    ys = np.arange(len(order))[::-1]
    for y, (_, r), colour in zip(ys, rows.iterrows(), colours):
        xerr = [[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]]
        ax.errorbar(r["mean"], y, xerr=xerr, fmt="o", ms=3.5, capsize=2.5, color=colour)
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.axhline(ys[list(order).index("full gap")] + 0.5, color="grey", lw=0.5)
    _mark_if_empty(ax, rows["mean"])
    ax.xaxis.set_major_locator(MaxNLocator(4))
    labels = [(names or {}).get(part, part) for part in order]
    ax.set_yticks(ys, labels if ticks else [""] * len(ys))
    ax.set_title(_label(kpi))
    ax.set_xlabel(xlabel)
    return ax


def plot_decomposition(
    parts: pd.DataFrame,
    kpis=None,
    fig: Figure | SubFigure | None = None,
    title: str | None = None,
    order=DECOMPOSITION_PARTS,
    colours=DECOMPOSITION_COLOURS,
    xlabel: str = DECOMPOSITION_XLABEL,
    names: dict | None = None,
):
    """:func:`plot_parts` for several KPIs side by side (those of ``kpis`` that ``parts`` holds).

    Args:
        parts: One setting's rows of :func:`sim.measure.ablation.decomposition`.
        kpis: The KPIs, one panel each (the first four when ``None``).
        fig: A figure or subfigure to draw on; a new one when ``None``.
        title: The figure's title.
        order: The parts, top to bottom.
        colours: Their colours.
        xlabel: The horizontal axes' label.
        names: Names shown on the axis for some parts.

    Returns:
        The figure.
    """
    kpis = [k for k in (kpis or FIRST_KPIS) if k in set(parts["kpi"])]
    fig, axes = _pyplot_grid(fig, 1, len(kpis), (2.6, 2.4))
    for j, k in enumerate(kpis):
        plot_parts(parts, k, axes[0, j], order, colours, "", names, ticks=j == 0)
    fig.supxlabel(xlabel.replace("\n", " "), fontsize="medium")  # once, under every panel
    if title:
        fig.suptitle("\n".join(textwrap.wrap(title, 100)))
    return fig
