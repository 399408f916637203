"""Figures from saved results. Reads tables produced by :mod:`sim.analysis`; never runs or
imports the model. Each figure has a top row of levels by policy (mean and 95 % CI across
seeds) and a bottom row of paired differences (refined - coarse) with their 95 % CI.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from sim.analysis import DIRECTIONS, EFFECT, KPIS

COLOURS = {"coarse": "#8c6d31", "refined": "#3465a4"}
DIFF_COLOUR = "#444444"


def _label(kpi: str) -> str:
    label, unit = KPIS.get(kpi, (kpi, ""))
    return f"{label}\n({unit})" if unit else label


def axis_label(param: str) -> str:
    """A swept key as an axis label with its unit, from the parameter declarations."""
    import dataclasses

    from sim.params import Policy, Scenario  # declarations only; the model is not imported

    section, _, name = param.partition(".")
    schema = {"scenario": Scenario, "policy": Policy}.get(section)
    unit = ""
    if schema is not None:
        fields = {f.name: f for f in dataclasses.fields(schema)}
        if name in fields:
            unit = fields[name].metadata.get("unit", "")
    label = (name or param).replace("_", " ")
    return f"{label} ({unit})" if unit and unit != "-" else label


def same_value(column: pd.Series, value) -> pd.Series:
    """``column == value``, where a missing value (the default) matches a missing value."""
    return column.isna() if pd.isna(value) else column == value


def value_text(v) -> str:
    if isinstance(v, float):
        return "default" if v != v else f"{v:g}"
    return str(v)


def _finish(fig, path: Path) -> list[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for ext in ("png", "pdf"):
        p = path.with_name(f"{path.name}.{ext}")  # names may hold dots (figure_scenario.x=1)
        fig.savefig(p, dpi=150, bbox_inches="tight")
        out.append(p)
    plt.close(fig)
    return out


def _grid(kpis, title):
    fig, axes = plt.subplots(2, len(kpis), figsize=(3.6 * len(kpis), 6.2), squeeze=False, constrained_layout=True)
    fig.suptitle(title)
    return fig, axes


def plot_policies(summary: pd.DataFrame, diffs: pd.DataFrame, kpis, path: Path, title: str) -> list[Path]:
    """No numeric sweep axis: levels per policy, and the paired difference."""
    fig, axes = _grid(kpis, title)
    for j, k in enumerate(kpis):
        s = summary[summary["kpi"] == k]
        ax = axes[0, j]
        for i, r in enumerate(s.itertuples()):
            ax.errorbar(
                i,
                r.mean,
                yerr=[[r.mean - r.ci_low], [r.ci_high - r.mean]],
                fmt="o",
                capsize=4,
                color=COLOURS.get(r.policy, "k"),
            )
        ax.set_xticks(range(len(s)), list(s["policy"]))
        ax.set_xlim(-0.6, len(s) - 0.4)
        ax.set_title(_label(k), fontsize=9)
        d = diffs[diffs["kpi"] == k]
        ax = axes[1, j]
        if len(d):
            r = d.iloc[0]
            ax.errorbar(
                0,
                r.difference,
                yerr=[[r.difference - r.ci_low], [r.ci_high - r.difference]],
                fmt="s",
                capsize=4,
                color=DIFF_COLOUR,
            )
        ax.axhline(0, color="grey", lw=0.8, ls="--")
        ax.set_xticks([0], ["refined - coarse"])
        ax.set_xlim(-0.6, 0.6)
    axes[0, 0].set_ylabel("mean, 95% CI across seeds")
    axes[1, 0].set_ylabel("paired difference, 95% CI")
    return _finish(fig, path)


def plot_over(
    summary: pd.DataFrame, diffs: pd.DataFrame, x: str, kpis, path: Path, title: str, facet: str | None = None
) -> list[Path]:
    """A numeric sweep axis ``x`` (and optionally a second one, ``facet``, as line styles)."""
    fig, axes = _grid(kpis, title)
    styles = ["-", "--", ":", "-."]
    facets = list(pd.unique(summary[facet])) if facet else [None]
    for j, k in enumerate(kpis):
        ax, axd = axes[0, j], axes[1, j]
        for fi, fv in enumerate(facets):
            ls = styles[fi % len(styles)]
            s = summary[(summary["kpi"] == k) & (same_value(summary[facet], fv) if facet else True)]
            for policy, g in s.groupby("policy"):
                g = g.sort_values(x)
                label = f"{policy}" + (f", {axis_label(facet)}={value_text(fv)}" if facet else "")
                ax.plot(g[x], g["mean"], ls, marker="o", ms=3, color=COLOURS.get(policy, "k"), label=label)
                ax.fill_between(g[x], g["ci_low"], g["ci_high"], color=COLOURS.get(policy, "k"), alpha=0.18, lw=0)
            d = diffs[(diffs["kpi"] == k) & (same_value(diffs[facet], fv) if facet else True)].sort_values(x)
            axd.plot(
                d[x],
                d["difference"],
                ls,
                marker="s",
                ms=3,
                color=DIFF_COLOUR,
                label=f"{axis_label(facet)}={value_text(fv)}" if facet else None,
            )
            axd.fill_between(d[x], d["ci_low"], d["ci_high"], color=DIFF_COLOUR, alpha=0.18, lw=0)
        axd.axhline(0, color="grey", lw=0.8, ls="--")
        ax.set_title(_label(k), fontsize=9)
        axd.set_xlabel(axis_label(x))
    axes[0, 0].set_ylabel("mean, 95% CI across seeds")
    axes[1, 0].set_ylabel("refined - coarse (paired), 95% CI")
    axes[0, 0].legend(fontsize=7)
    if facet:
        axes[1, 0].legend(fontsize=7)
    return _finish(fig, path)


def plot_ablation(effects: pd.DataFrame, kpis, path: Path, title: str) -> list[Path]:
    """Each dial's effect, one sign convention (:data:`sim.analysis.EFFECT`): in coarse,
    (coarse+dial) − coarse; in refined, refined − (refined−dial). Right of zero: the refined
    setting of the dial raises the KPI."""
    fig, axes = plt.subplots(
        1,
        len(kpis),
        figsize=(3.8 * len(kpis), 0.45 * effects["dial"].nunique() + 1.8),
        squeeze=False,
        constrained_layout=True,
    )
    fig.suptitle(title)
    dials = sorted(effects["dial"].unique())
    in_coarse, in_refined = DIRECTIONS.values()
    offsets = {in_coarse: -0.18, in_refined: 0.18}
    colours = {in_coarse: COLOURS["coarse"], in_refined: COLOURS["refined"]}
    for j, k in enumerate(kpis):
        ax = axes[0, j]
        for direction, g in effects[effects["kpi"] == k].groupby("direction"):
            ys = [dials.index(d) + offsets[direction] for d in g["dial"]]
            ax.errorbar(
                g["difference"],
                ys,
                xerr=[g["difference"] - g["ci_low"], g["ci_high"] - g["difference"]],
                fmt="o",
                capsize=3,
                color=colours[direction],
                label=direction,
            )
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_yticks(range(len(dials)), dials if j == 0 else [""] * len(dials))
        ax.set_title(_label(k), fontsize=9)
        ax.set_xlabel(f"{EFFECT}\n(paired; 95% CI per comparison)", fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8)  # clear of the points
    return _finish(fig, path)
