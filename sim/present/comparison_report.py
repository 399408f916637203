"""The report of a comparison over a sweep: the regimes' levels and paired differences (or an
ablation's effects and decomposition), matched needs, differences by group of residents, staff
time, and their figures, the headline figure among them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from sim.present import ledger_table
from sim.present.jobs import job_settings, read_issues, read_job, with_run
from sim.present.kpi_table import accounting_label, accounting_number, decimals, kpi_label, number, split_group
from sim.present.plot_style import WIDTHS, drawing
from sim.present.tables import markdown, parameter_cell, table_caption, write_csv, write_table
from sim.study.output import atomic_write


def comparison_report(ok: pd.DataFrame, by: list[str], kpis: list[str], out_dir: Path, title: str) -> list[Path]:
    """The regimes compared at each setting of ``by``: levels, paired differences, matched needs,
    differences by group, staff time, the headline figure, the phase diagram over two numeric
    axes and the levels-and-differences figures. Returns the files written."""
    from sim.measure import analysis
    from sim.present import comparison_plots

    both = comparison_plots.both_arms(ok)
    summary = comparison_plots.levels(ok, by, kpis)  # the levels the figures draw
    diffs = analysis.paired_differences(ok, by, kpis=kpis)
    _warn_excluded(diffs)
    written = write_table(summary, out_dir / "summary", table_caption("summary", title))
    written += write_table(diffs, out_dir / "differences", table_caption("differences", title))
    if both:
        matched = matched_table(ok, by, out_dir.parent)
        if not matched.empty:
            written += write_table(matched, out_dir / "matched", table_caption("matched", title))
    groups = for_whom(ok, by)
    if not groups.empty:
        written += write_table(groups, out_dir / "for_whom", table_caption("for_whom", title))
        contrasts = _group_contrasts(ok, by)
        written += write_table(contrasts, out_dir / "for_whom_contrasts", table_caption("for_whom_contrasts", title))
    written += capacity(ok, by, "policy", out_dir, title)
    if both:
        written += headline(ok, by, kpis, out_dir)
    numeric = [c for c in by if c in analysis.numeric_axes(ok)]
    if both and len(numeric) >= 2:  # the gap's phase diagram over the first two numeric axes, per slice of the rest
        rest = [c for c in by if c not in numeric[:2]]
        for name, where, part in _slices(ok, rest):
            with drawing(out_dir / name.replace("figure", "phase", 1), (WIDTHS["double"], 6.2), written) as fig:
                comparison_plots.plot_phases(part, *numeric[:2], kpis[:4], fig=fig, title=f"{title}{where}", columns=2)
    x = numeric[0] if numeric else (by[0] if by else None)
    others = [c for c in by if c != x]
    facet, sliced = (others[0] if others else None), others[1:]
    for name, where, part in _slices(ok, sliced):  # one figure per slice: levels and differences alike
        with drawing(out_dir / name, (WIDTHS["double"], 5.0), written) as fig:
            if x is None:
                comparison_plots.plot_policies(part, kpis[:4], fig=fig, title=title)
            else:
                comparison_plots.plot_over(part, x, kpis[:4], facet, fig=fig, title=f"{title}{where}")
    return written


def ablation_report(ok: pd.DataFrame, by: list[str], kpis: list[str], out_dir: Path, title: str) -> list[Path]:
    """An ablation: levels per variant, each dial's effect, staff time and their figures, and the
    decomposition over bundles where the runs are its eight arms. Returns the files written."""
    from sim.measure import ablation, analysis
    from sim.present import comparison_plots

    effects = ablation.ablation_effects(ok, kpis, by)
    _warn_excluded(effects)
    written = write_table(
        analysis.summarise(ok, [*by, "variant"], kpis), out_dir / "summary", table_caption("summary", title)
    )
    written += capacity(ok, by, "variant", out_dir, title)
    if not effects.empty:  # a replay's variants are not ablations of one dial
        written += write_table(effects, out_dir / "effects", table_caption("effects", title))
        for name, where, part in _slices(effects, by):
            height = 0.28 * part["dial"].nunique() + 1.9
            with drawing(out_dir / name, (WIDTHS["double"], height), written) as fig:
                comparison_plots.plot_ablation(part, kpis[:4], fig=fig, title=f"{title}{where}")
    if ablation.is_decomposition(ok):
        written += decomposition_report(ok, by, kpis, out_dir, title)
    if ablation.is_replay(ok):
        written += replay_report(ok, by, kpis, out_dir, title)
    return written


REPLAY_NAMES = {"full gap": "the gain"}
"""How the replay's figure names its rows (the table keeps the decomposition's names)."""


def replay_report(ok: pd.DataFrame, by: list[str], kpis: list[str], out_dir: Path, title: str) -> list[Path]:
    """A replay of a real reform (:func:`sim.measure.ablation.replay_decomposition`): the
    district before and after, the gain and its split over the reform's parts, for city
    management as the district counted it and for the residents' measures (``replay``)."""
    from sim.measure import ablation
    from sim.measure.analysis import CITY_KPIS
    from sim.present import comparison_plots

    city = [k for k in CITY_KPIS if k in ok]
    parts = ablation.replay_decomposition(ok, [*city, *kpis], by)
    caption = table_caption("replay", title)
    written = write_table(parts, out_dir / "replay", caption, readable=_readable_decomposition)
    order = (*ablation.REFORM_PARTS, "full gap")
    colours = (*comparison_plots.REPLAY_COLOURS, "k")
    for name, where, part in _slices(parts, _group_columns(parts)):
        shown = ["city_cases_resolved", "city_close_mean_h", *kpis[:2]]
        with drawing(out_dir / name.replace("figure", "replay", 1), (WIDTHS["double"], 2.9), written) as fig:
            comparison_plots.plot_decomposition(
                part, shown, fig, f"{title}{where}", order, colours, comparison_plots.REPLAY_XLABEL, REPLAY_NAMES
            )
    return written


def decomposition_report(ok: pd.DataFrame, by: list[str], kpis: list[str], out_dir: Path, title: str) -> list[Path]:
    """The decomposition over bundles (:func:`sim.measure.ablation.decomposition`): its table,
    each row with the setting of the parameters swept besides the arms, and one figure per
    setting (``decomposition``, ``decomposition_<setting>``). Returns the files written."""
    from sim.measure import ablation
    from sim.present import comparison_plots

    parts = ablation.decomposition(ok, kpis, by)
    caption = table_caption("decomposition", title)
    written = write_table(parts, out_dir / "decomposition", caption, readable=_readable_decomposition)
    for name, where, part in _slices(parts, _group_columns(parts)):
        with drawing(out_dir / name.replace("figure", "decomposition", 1), (WIDTHS["double"], 2.9), written) as fig:
            comparison_plots.plot_decomposition(part, kpis[:4], fig, f"{title}{where}")
    return written


def _group_columns(table: pd.DataFrame) -> list[str]:
    """The columns before ``kpi``: the group (setting of the swept parameters) of each row."""
    return list(table.columns[: list(table.columns).index("kpi")])


def _readable_decomposition(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    rows = []
    for r in df.to_dict("records"):
        digits = decimals(r["kpi"])
        rows.append(
            {
                **dict(parameter_cell(c, r[c]) for c in _group_columns(df)),
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


def matched_table(ok: pd.DataFrame, by: list[str], sweep_dir: Path) -> pd.DataFrame:
    """The needs both regimes resolved, matched by identity, from each pair's issues.parquet:
    response times without the selection of which needs get resolved."""
    from sim.measure import analysis

    rows = []
    columns = ["issue_id", "created_h", "reported_h", "resolved_h"]
    for key, seed, control, treatment in analysis.paired_runs(ok, by):
        frames = [read_issues(sweep_dir / run["job"], columns) for run in (control, treatment)]
        if any(f is None for f in frames):
            continue  # results of an older format, or deleted: the other tables still stand
        start_h = 24.0 * (job_settings(sweep_dir / control["job"]).get("warmup_days") or 0)
        for kpi, (c, t) in analysis.matched_resolution(*frames, start_h).items():
            rows.append({**key, "seed": seed, "kpi": kpi, "coarse": c, "refined": t})
    return analysis.matched_summary(pd.DataFrame(rows, columns=[*by, "seed", "kpi", "coarse", "refined"]), by)


def for_whom(ok: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Paired differences by group of residents, with the group's mean number of needs per
    run and a flag on rows that rest on fewer than 3 pairs or show no spread at all."""
    from sim.measure import analysis

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

    from sim.measure import analysis

    names = analysis.group_names(ok)
    places = [n for n in names if n.startswith("registered_")]
    pairs = list(combinations([n for n in names if n not in places], 2))
    if {"registered_elsewhere", "registered_here"} <= set(places):
        pairs.append(("registered_elsewhere", "registered_here"))
    kpis = ["resolved_within_7d", "needs_met_share", "callback_satisfaction_rate"]
    return analysis.group_contrasts(ok, by, pairs, kpis)


def readable_capacity(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A capacity table (the swept parameters, ``key``, then one column per arm) with each
    quantity in words and its numbers rounded, and the arms' columns (aligned right)."""
    arms = list(df.columns[list(df.columns).index("key") + 1 :])
    rows = []
    for row in df.to_dict("records"):
        cells = dict(parameter_cell(c, row[c]) for c in df.columns[: list(df.columns).index("key")])
        cells["quantity"] = accounting_label(row["key"])
        cells |= {str(a): accounting_number(row["key"], row[a]) for a in arms}
        rows.append(cells)
    return pd.DataFrame(rows), [str(a) for a in arms]


def capacity(ok: pd.DataFrame, by: list[str], arm: str, out_dir: Path, title: str) -> list[Path]:
    """``capacity.csv`` and ``.md``: staff and staff time per ``arm`` (policy, or ablation
    variant) and setting of the parameters that vary, mean over seeds; below it in ``.md``, and
    in ``ledger.csv``, the ledger of costs and benefits with the hours of each books line
    (:func:`sim.present.ledger_table.measured_ledger`)."""
    from sim.measure import analysis

    table = analysis.capacity_table(ok, by, arm)
    caption = (
        f"**{title}**: staff and staff time per {arm}, mean over seeds: head counts of staff, hours over the run, "
        "utilisation as the share of a pool's paid hours not idle (duties included; volunteers: of the hours "
        "allotted, those booked); blank where those runs record no such quantity"
    )
    if table.empty:
        caption += "; these runs record no staff-time accounting"
    measured = ledger_table.measured_ledger(ok, by, arm)
    text = markdown(table, caption + ".", readable=readable_capacity)
    text += "\n" + ledger_table.ledger_markdown(measured, arm)
    written = write_csv(table, out_dir / "capacity.csv")
    atomic_write(out_dir / "capacity.md", lambda tmp: Path(tmp).write_text(text))
    return [*written, out_dir / "capacity.md", *write_csv(measured, out_dir / "ledger.csv")]


def _warn_excluded(diffs: pd.DataFrame) -> None:
    if diffs.empty or diffs["paired_ok"].all():
        return
    keys = _group_columns(diffs)  # one row per comparison
    bad = diffs[~diffs["paired_ok"]]
    n = int((bad.drop_duplicates(keys) if keys else bad.head(1))["excluded"].sum())
    print(
        f"warning: {n} pairs did not face the same needs (their need fingerprints differ): "
        "they are left out of the differences and marked in the tables",
        file=sys.stderr,
    )


def _slices(table: pd.DataFrame, columns: list[str]):
    """(file name, title suffix, rows) for each combination of values of ``columns``: one
    figure per slice, each named by its values in its file name and its title
    (``figure_<key>=<value>``; ``figure`` alone when nothing is sliced)."""
    from sim.present.plot_style import value_text

    if not columns or table.empty:
        return [("figure", "", table)]
    out = []
    for key, part in table.groupby(columns, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        named = ",".join(f"{c}={value_text(v)}" for c, v in zip(columns, key))
        out.append((f"figure_{named}", f" [{named}]", part))
    return out


# ---------------------------------------------------------------------------- headline figure


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
    named = [str(n) for n in values("scenario") if str(n) not in ("town", "district", "teaching", "mmc")]
    place = f"Scenario {_and(named)}, a place" if named else place  # a replay's district, say
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


def headline_data(runs: pd.DataFrame, sweep_dir: Path, kpis=None) -> dict | None:
    """The tables of :func:`sim.present.headline_plots.plot_headline` for runs of one setting of
    a sweep, read from its job folders: ``curves``, ``series``, ``forest``, ``warmup``, ``seeds``
    and ``title``; ``None`` where the folders hold no needs (results of an older format, or
    deleted). ``plot_headline(**headline_data(runs, folder))`` draws it.

    Args:
        runs: Rows of the sweep's table of runs (``runs.parquet``), of one setting.
        sweep_dir: The sweep's folder (the one that holds ``runs.parquet`` and the job folders).
        kpis: The KPIs of the forests (every one of :data:`sim.measure.analysis.KPIS` when ``None``).
    """
    from sim.measure import analysis
    from sim.measure.curves import curve_bands, resolution_curve, timeseries_bands, warmup_days

    curves, series, settings = [], [], []
    for run in runs.to_dict("records"):
        issues, ts, params = read_job(Path(sweep_dir) / run["job"])
        settings.append(with_run(params, run))
        tag = {"policy": run["policy"], "seed": run["seed"]}
        warmup = float(settings[-1].get("warmup_days") or 0)
        if issues is not None:
            curves.append(resolution_curve(issues, 24.0 * run["days"], 24.0 * warmup).assign(**tag))
        if ts is not None:
            series.append(ts.assign(**tag))
    if not curves:
        return None
    curves, settings = pd.concat(curves, ignore_index=True), pd.DataFrame(settings)
    series = pd.concat(series, ignore_index=True) if series else pd.DataFrame(columns=["policy", "seed", "day"])
    given = settings["warmup_days"].fillna(0).max() if "warmup_days" in settings else 0
    return {
        "curves": curve_bands(curves),
        "series": timeseries_bands(series),
        "forest": analysis.forest_rows(runs, list(kpis or analysis.KPIS)),
        "warmup": warmup_days(series, default=int(given)),
        "seeds": curves.groupby("policy")["seed"].nunique().to_dict(),
        "title": headline_title(settings),
    }


def headline(ok: pd.DataFrame, by: list[str], kpis: list[str], out_dir: Path) -> list[Path]:
    """The headline figure of a regime comparison (:func:`sim.present.headline_plots.plot_headline`),
    one per setting of the parameters that vary (``headline``, or ``headline_<key>=<value>`` for
    each), from the job folders beside ``out_dir``; none for a setting whose folders hold no needs."""
    from sim.present import headline_plots

    written = []
    for name, where, part in _slices(ok, by):
        data = headline_data(part, out_dir.parent, kpis)
        if data is None:
            continue
        data["title"] += where
        size = headline_plots.headline_size(data["forest"], WIDTHS["double"])
        with drawing(out_dir / name.replace("figure", "headline", 1), size, written) as fig:
            headline_plots.plot_headline(**data, fig=fig)
    return written
