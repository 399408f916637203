"""The ledger of costs and benefits, measured: each mechanism of the ledger (ODD 7.19,
:func:`sim.model.params.odd_table.ledger_rows`) with the hours of its books line, summed over
every pool that keeps the line (front line and departments), per arm and mean over seeds.
"""

from __future__ import annotations

import re

import pandas as pd

from sim.present.tables import parameter_cell

BOOKS_KEY = re.compile(r"time_(?:front_line|dept_[a-z]+)_(?P<line>[a-z_]+)_h")
"""A pool's hours on one line of its books: ``time_front_line_<line>_h``, ``time_dept_<dept>_<line>_h``."""
COLUMNS = ["key", "kind", "borne by", "books"]


def ledger() -> pd.DataFrame:
    """The declared ledger: key, kind, borne by and books line (without backticks; "" for a
    delay or an outcome), in the order of the parameter table."""
    from sim.model.params.odd_table import ledger_rows

    rows = pd.DataFrame(ledger_rows(), columns=[*COLUMNS, "charged to", "value", "source"])
    return rows[COLUMNS].assign(books=rows["books"].str.strip("`"))


def line_hours(runs: pd.DataFrame) -> pd.DataFrame:
    """Per run, the hours of each books line summed over the pools that keep it (NaN where no
    pool of that run does)."""
    lines = {c: m["line"] for c in runs.columns if (m := BOOKS_KEY.fullmatch(c))}
    hours = runs[list(lines)].apply(pd.to_numeric, errors="coerce").rename(columns=lines)
    return hours.T.groupby(level=0, sort=False).sum(min_count=1).T.reindex(runs.index)


def _arms(runs: pd.DataFrame, arm: str) -> list:
    """The arms, coarse and refined first (as in the capacity table)."""
    return sorted(runs[arm].dropna().unique(), key=lambda a: (a not in ("coarse", "refined"), a))


def measured_ledger(runs: pd.DataFrame, by: list[str], arm: str) -> pd.DataFrame:
    """One row per mechanism with a books line and group of ``by``: its key, kind, who bears it,
    the line, and per value of ``arm`` the line's hours (all pools), mean over seeds; NaN where
    no run of that group and arm keeps the line."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    hours = pd.concat([ok[[*by, arm]], line_hours(ok)], axis=1)
    means = hours.groupby([*by, arm], dropna=False, sort=True).mean()
    long = means.melt(var_name="books", value_name="h", ignore_index=False).reset_index()
    wide = long.set_index([*by, "books", arm])["h"].unstack(arm).reset_index()
    groups = ok[by].drop_duplicates().sort_values(by) if by else pd.DataFrame(index=[0])
    table = groups.merge(ledger().query("books != ''"), how="cross").merge(wide, on=[*by, "books"], how="left")
    return table.reindex(columns=[*by, *COLUMNS, *_arms(ok, arm)]).reset_index(drop=True)


def not_in_books() -> list[str]:
    """The keys of the mechanisms that no books line holds: delays and outcomes."""
    rows = ledger()
    return rows.loc[rows["books"] == "", "key"].tolist()


def shared_lines() -> dict[str, list[str]]:
    """Books lines that more than one mechanism charges: line -> the mechanisms' keys."""
    rows = ledger().query("books != ''")
    keys = rows.groupby("books", sort=False)["key"].agg(list)
    return {line: ks for line, ks in keys.items() if len(ks) > 1}


def _hours(value) -> str:
    """Hours to the hour, or to a tenth below 10 (a small run's lines)."""
    if pd.isna(value):
        return ""
    if value == 0:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 9.95 else f"{value:.1f}"


def _readable(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    where = list(df.columns).index("key")
    arms = list(df.columns[where + len(COLUMNS) :])
    rows = []
    for row in df.to_dict("records"):
        cells = dict(parameter_cell(c, row[c]) for c in df.columns[:where])
        cells |= {"mechanism": f"`{row['key']}`", "kind": row["kind"], "borne by": row["borne by"].replace("|", "/")}
        cells["books line"] = f"`{row['books']}`"
        cells |= {f"{a} (h)": _hours(row[a]) for a in arms}
        rows.append(cells)
    return pd.DataFrame(rows), [f"{a} (h)" for a in arms]


def ledger_caption(arm: str, which: str = "") -> str:
    shared = "; ".join(f"`{line}` ({', '.join(f'`{k}`' for k in keys)})" for line, keys in shared_lines().items())
    return (
        f"**Ledger of costs and benefits, measured{which}**: each mechanism of the ledger that staff time pays "
        f"for, who bears it and the line of the books of staff time that holds it, with per {arm} the hours of that "
        "line over the run, summed over every pool that keeps it (the front line and each department), mean over "
        "seeds; "
        "blank where those runs keep no such line. The hours are the whole line, not one mechanism's part of it: "
        f"mechanisms that share a line show the same hours, the sum of what charges it: {shared}. "
        "ODD.md section 7.19 gives each mechanism's value and source"
    )


def ledger_markdown(table: pd.DataFrame, arm: str, which: str = "") -> str:
    """The measured ledger in Markdown under its caption (its title followed by ``which``, e.g.
    " (volunteers counted)"), then one sentence naming the mechanisms that are not in the books
    (delays and outcomes), so all of the ledger shows."""
    from sim.present.tables import markdown

    text = markdown(table, ledger_caption(arm, which) + ".", readable=_readable)
    outside = ", ".join(f"`{k}`" for k in not_in_books())
    return text + f"\nNot in the books (a delay or an outcome, so no hours to show): {outside}.\n"
