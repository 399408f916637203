"""Mechanism effects: what each policy dial does (ablation sweeps, ``experiment=
mechanism_ablation``), with familywise intervals and a verdict per effect, and the split of
the gap between the status quo and the full package over the bundles that make it
(``experiment=decomposition``, Shapley values). Pure functions on a table of runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.measure.analysis import (
    BETTER,
    KPIS,
    PAIR_CHECK,
    RELEVANT,
    _check_columns,
    _check_table,
    _groups,
    _ok,
    check_runs,
    ci95,
    paired_differences,
)
from sim.model.params import ConfigError

# One sign convention for every effect: the KPI with the dial set as in refined, minus the KPI
# with the dial set as in coarse, the other dials held at the preset named by the direction.
EFFECT = "KPI(dial as in refined) − KPI(dial as in coarse)"
DIRECTIONS = {
    "coarse+": "in coarse: (coarse+dial) − coarse",
    "refined-": "in refined: refined − (refined−dial)",
}


def ablation_effects(runs: pd.DataFrame, kpis=tuple(KPIS), by: list[str] | None = None) -> pd.DataFrame:
    """Each dial's effect (:data:`EFFECT`), paired by seed within each group of ``by``.

    From the ``variant`` column: ``coarse+<dial>`` against ``coarse`` (the dial alone, in
    coarse) and ``refined`` against ``refined-<dial>`` (what it adds within refined). Each row
    also has a familywise interval and a verdict (:func:`familywise`).

    Args:
        runs: A table of runs of an ablation sweep, with a ``variant`` column.
        kpis: The KPIs; those the table lacks are left out.
        by: The columns to group by, a list (None or ``[]``: one group).

    Returns:
        A row per dial, direction, group and KPI: the columns of
        :func:`~sim.measure.analysis.paired_differences` and of :func:`familywise`.

    Raises:
        ConfigError: ``runs`` is not a table of runs with a ``variant`` column, ``by`` not a
            list of its columns, or a KPI unknown.
    """
    by, kpis = check_runs(runs, [] if by is None else by, kpis)
    _check_columns(runs, ["variant"], "runs", "an ablation sweep's runs have one (experiment=mechanism_ablation)")
    variants = set(runs["variant"].dropna())
    rows = []
    for dial, direction, treat, ctrl in _ablation_pairs(runs):
        if {treat, ctrl} <= variants:  # a variant missing from the table: no pairs, no rows
            diffs = paired_differences(runs, by, column="variant", treatment=treat, control=ctrl, kpis=kpis)
            rows += [{"dial": dial, "direction": direction, **r} for r in diffs.to_dict("records")]
    return familywise(pd.DataFrame(rows), by)


def _ablation_pairs(runs: pd.DataFrame):
    """(dial, direction, treatment variant, control variant) of each ablated dial in the runs:
    ``coarse+<dial>`` against ``coarse``, and ``refined`` against ``refined-<dial>``."""
    for v in sorted(set(_ok(runs)["variant"].dropna())):
        for prefix, direction in DIRECTIONS.items():
            if v.startswith(prefix):
                treat, ctrl = (v, "coarse") if prefix == "coarse+" else ("refined", v)
                yield v[len(prefix) :], direction, treat, ctrl


def familywise(effects: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Bonferroni-adjusted 95 % intervals over the family of effects of each KPI (within each
    group of ``by``), and a verdict per effect:

    * ``structural zero``: every paired difference is exactly 0 (the dial cannot act there);
    * ``better`` / ``worse``: the familywise interval excludes 0 and the effect is at least
      the :data:`~sim.measure.analysis.RELEVANT` size, in the KPI's good or bad direction;
    * ``negligible``: the familywise interval lies within +/- the relevant size;
    * ``unclear``: anything else (too few seeds to tell);
    * ``n/a``: the KPI has no value in these runs."""
    if effects.empty:
        return effects.assign(family=[], fw_low=[], fw_high=[], verdict=[])
    out = effects.copy()
    out["family"] = out.groupby([*by, "kpi"], dropna=False)["kpi"].transform("size")
    n = out["pairs"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = (out["ci_high"] - out["ci_low"]).to_numpy() / 2 / stats.t.ppf(0.975, n - 1)
        half = stats.t.ppf(1 - 0.025 / out["family"].to_numpy(), n - 1) * se
    out["fw_low"], out["fw_high"] = out["difference"] - half, out["difference"] + half
    out["verdict"] = [_verdict(r) for r in out.to_dict("records")]
    return out


def _verdict(r: dict) -> str:
    if r["pairs"] >= 2 and r["difference"] == 0 and r["ci_low"] == 0 and r["ci_high"] == 0:
        return "structural zero"
    if np.isnan(r["difference"]):
        return "n/a"  # the KPI is not defined in these runs (e.g. a horizon shorter than its cap)
    if r["pairs"] < 2 or np.isnan(r["fw_low"]):
        return "unclear"
    size = RELEVANT.get(r["kpi"], 0.0)
    if -size < r["fw_low"] and r["fw_high"] < size:
        return "negligible"
    if (r["fw_low"] > 0 or r["fw_high"] < 0) and abs(r["difference"]) >= size:
        return "better" if np.sign(r["difference"]) == BETTER.get(r["kpi"], 1) else "worse"
    return "unclear"


# ---------------------------------------------------------------------------- decomposition

BUNDLES = ("access", "individualisation", "party")
"""The three bundles that tell refined from the type-based status quo: access (channels and
hours: configs/access), individualisation (grid units, patrol and visits, grid-first routing,
村居联动, competence, tailored remedies) and party mobilisation (volunteers, pairing, 四指同评)."""
ARMS = {
    # (variant, access) -> the bundles switched to refined's
    ("coarse", "basic"): (),
    ("coarse+individualisation", "basic"): ("individualisation",),
    ("coarse+party", "basic"): ("party",),
    ("refined", "basic"): ("individualisation", "party"),
    ("coarse", "modern"): ("access",),
    ("coarse+individualisation", "modern"): ("access", "individualisation"),
    ("coarse+party", "modern"): ("access", "party"),
    ("refined", "modern"): BUNDLES,
}
"""The runs of a decomposition (``experiment=decomposition``) by the bundles they switch on."""


def is_decomposition(runs: pd.DataFrame) -> bool:
    """Whether the runs hold every arm of a decomposition (and nothing else).

    Args:
        runs: A table of runs.

    Returns:
        True if its finished runs are exactly the arms of :data:`ARMS`.

    Raises:
        ConfigError: ``runs`` is not a DataFrame.
    """
    _check_table(runs, rows=False)
    ok = _ok(runs)
    if not {"variant", "access"} <= set(ok.columns):
        return False
    arms = set(zip(ok["variant"], ok["access"]))
    return arms == set(ARMS)


def shapley_values(value: dict[frozenset, float], players=BUNDLES) -> dict[str, float]:
    """Each player's Shapley value of the game ``value`` (coalition -> worth): the mean of its
    marginal contribution over every order in which the players can join. The values add up
    to the worth of all minus the worth of none, whatever the order, which a step-by-step
    decomposition does not give."""
    from itertools import combinations
    from math import factorial

    n = len(players)
    out = {}
    for p in players:
        others = [q for q in players if q != p]
        total = 0.0
        for size in range(n):
            weight = factorial(size) * factorial(n - size - 1) / factorial(n)
            for s in combinations(others, size):
                total += weight * (value[frozenset((*s, p))] - value[frozenset(s)])
        out[p] = total
    return out


# ---------------------------------------------------------------------------- replay of a reform

REFORM_PARTS = (
    "added staff",
    "access",
    "finding by the state",
    "command centre",
    "individualisation",
    "party",
)
"""The parts of a real reform a replay splits its gains over (``experiment=replay_dongcheng``)."""
REFORM_SWITCHES = {
    "added staff": "scenario.workers_per_10k",
    "finding by the state": "scenario.supervisors_per_10k",
    "command centre": "policy.command_centre",
}
"""The swept parameter that switches each of these parts from before (its lower value) to after."""
REFORM_VARIANTS = {
    "dongcheng": (),
    "dongcheng+individualisation": ("individualisation",),
    "dongcheng+party": ("party",),
    "dongcheng+individualisation+party": ("individualisation", "party"),
}
"""The replay's variants by the parts they switch on (configs/variant/dongcheng*.yaml)."""


def is_replay(runs: pd.DataFrame) -> bool:
    """Whether the runs hold every combination of a replay's parts (and nothing else).

    Args:
        runs: A table of runs.

    Returns:
        True if its finished runs switch on every combination of :data:`REFORM_PARTS`.

    Raises:
        ConfigError: ``runs`` is not a DataFrame.
    """
    _check_table(runs, rows=False)
    ok = _ok(runs)
    columns = {"variant", "access", *REFORM_SWITCHES.values()}
    if not columns <= set(ok.columns) or not set(ok["variant"]) <= set(REFORM_VARIANTS):
        return False
    if any(ok[c].nunique() != 2 for c in REFORM_SWITCHES.values()) or set(ok["access"]) != {"basic", "modern"}:
        return False
    return len({reform_coalition(r, _before(ok)) for r in ok.to_dict("records")}) == 2 ** len(REFORM_PARTS)


def _before(ok: pd.DataFrame) -> dict:
    return {c: ok[c].min() for c in REFORM_SWITCHES.values()}


def reform_coalition(run: dict, before: dict) -> frozenset:
    """The parts of the reform a run has switched on."""
    parts = set(REFORM_VARIANTS[run["variant"]])
    parts |= {"access"} if run["access"] == "modern" else set()
    parts |= {part for part, column in REFORM_SWITCHES.items() if run[column] != before[column]}
    return frozenset(parts)


def replay_decomposition(runs: pd.DataFrame, kpis, by: list[str]) -> pd.DataFrame:
    """Per group of ``by`` (the replay's own columns aside) and KPI: the district before its
    reform and after it, the gain (after − before) and its Shapley split over
    :data:`REFORM_PARTS`, each computed seed by seed with its mean and 95 % interval, and each
    part's share of the gain (of the means).

    Args:
        runs: The runs of a replay (``experiment=replay_dongcheng``): :func:`is_replay`.
        kpis: The KPIs.
        by: The columns to group by, a list (``[]``: one group); the replay's own are left out.

    Returns:
        A row per group, KPI and part: the columns of ``by``, ``kpi``, ``part``, ``mean``,
        ``ci_low``, ``ci_high``, ``share``, ``pairs``.

    Raises:
        ConfigError: ``runs`` is not a replay's table of runs, ``by`` not a list of its columns,
            or a KPI unknown.
    """
    by, kpis = check_runs(runs, by, kpis)
    if not is_replay(runs):
        raise ConfigError(
            "the runs are not a replay's: they must switch on every combination of "
            f"{', '.join(REFORM_PARTS)} (variants {', '.join(REFORM_VARIANTS)}, access basic and modern, "
            f"two values of {', '.join(REFORM_SWITCHES.values())}); make them with experiment=replay_dongcheng"
        )
    ok = _ok(runs)
    before = _before(ok)
    own = {"variant", "access", *REFORM_SWITCHES.values()}
    by = [c for c in by if c not in own]
    return _shapley_table(
        ok, kpis, by, lambda r: reform_coalition(r, before), REFORM_PARTS, levels={"before": (), "after": None}
    )


def _shapley_table(ok, kpis, by, coalition, players, levels=None, gaps=None) -> pd.DataFrame:
    """Per group of ``by``, KPI and seed: the worth of every coalition (``coalition`` of a run),
    each player's Shapley value, the full gap (all − none), ``levels`` (name → coalition, None
    for all: the KPI's level there) and ``gaps`` (name → coalition: all − it). Seeds missing a
    coalition, or whose runs did not meet the same needs, are left out."""
    levels, gaps = levels or {}, gaps or {}
    everyone = frozenset(players)
    rows = []
    for group, g in _groups(ok, by):
        per_seed = []
        for _, s in g.groupby("seed"):
            arms = {coalition(r): r for r in s.to_dict("records")}
            if len(arms) == 2 ** len(players) and len({r.get(PAIR_CHECK) for r in arms.values()}) <= 1:
                per_seed.append(arms)
        for kpi in kpis:
            parts = {name: [] for name in (*levels, *players, "full gap", *gaps)}
            for arms in per_seed:
                worth = {k: float(r[kpi]) for k, r in arms.items()}
                for name, at in levels.items():
                    parts[name].append(worth[everyone if at is None else frozenset(at)])
                for name, v in shapley_values(worth, players).items():
                    parts[name].append(v)
                parts["full gap"].append(worth[everyone] - worth[frozenset()])
                for name, at in gaps.items():
                    parts[name].append(worth[everyone] - worth[frozenset(at)])
            full = np.mean(parts["full gap"]) if parts["full gap"] else np.nan
            for name, values in parts.items():
                mean, lo, hi, n = ci95(values)
                share = mean / full if name in players and full else np.nan
                rows.append(
                    {**group, "kpi": kpi, "part": name, "mean": mean, "ci_low": lo, "ci_high": hi}
                    | {"share": share, "pairs": n}
                )
    return pd.DataFrame(rows, columns=[*by, "kpi", "part", "mean", "ci_low", "ci_high", "share", "pairs"])


def decomposition(runs: pd.DataFrame, kpis, by: list[str]) -> pd.DataFrame:
    """Per group of ``by`` (access aside) and KPI: the gap between the type-based status quo
    (coarse, basic access) and Jinshan's full package (refined, modern access), its Shapley
    split over :data:`BUNDLES`, and the gap at equal (modern) access, each computed seed by
    seed (the eight arms of a seed face the same needs) with its mean and 95 % interval, and
    each bundle's share of the full gap (of the means).

    Args:
        runs: The runs of a decomposition (``experiment=decomposition``): :func:`is_decomposition`.
        kpis: The KPIs.
        by: The columns to group by, a list (``[]``: one group); ``access`` and ``variant`` are left out.

    Returns:
        A row per group, KPI and part: the columns of ``by``, ``kpi``, ``part``, ``mean``,
        ``ci_low``, ``ci_high``, ``share``, ``pairs``.

    Raises:
        ConfigError: ``runs`` is not a decomposition's table of runs, ``by`` not a list of its
            columns, or a KPI unknown.
    """
    by, kpis = check_runs(runs, by, kpis)
    if not is_decomposition(runs):
        arms = ", ".join(f"{v} with {a} access" for v, a in ARMS)
        raise ConfigError(
            f"the runs are not a decomposition's: its arms are {arms}; make them with experiment=decomposition"
        )
    ok = _ok(runs)
    by = [c for c in by if c not in ("access", "variant")]
    arm = lambda r: frozenset(ARMS[(r["variant"], r["access"])])  # noqa: E731
    return _shapley_table(ok, kpis, by, arm, BUNDLES, gaps={"at equal access": ("access",)})
