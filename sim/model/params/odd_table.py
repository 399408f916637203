"""The parameter table of ``ODD.md``: one row per parameter, with its default, unit, range and
source, printed by ``python -m sim.model.params``; and the ledger of costs and benefits, from the
same declarations, printed by ``python -m sim.model.params --ledger``."""

from __future__ import annotations

import dataclasses

from sim.model.params.policy import Policy
from sim.model.params.run import RunConfig
from sim.model.params.scenario import Scenario
from sim.model.params.tables import TABLE_ENTRIES, TABLE_SCALES


def parameter_rows() -> list[dict[str, str]]:
    """One row per parameter (for the ODD table): key, default, unit, range, source, meaning."""
    rows = []
    for prefix, cls in (("scenario", Scenario), ("policy", Policy), ("", RunConfig)):
        for f in dataclasses.fields(cls):
            if prefix == "" and f.name in ("scenario", "policy"):
                continue
            m = f.metadata
            default = f.default if f.default is not dataclasses.MISSING else "(table)"
            allowed = m.get("range") or m.get("choices") or ""
            rows.append(
                {
                    "key": f"{prefix}.{f.name}" if prefix else f.name,
                    "default": str(default),
                    "unit": m.get("unit", ""),
                    "allowed": " – ".join(map(str, allowed)) if "range" in m else " / ".join(allowed),
                    "varied": " – ".join(map(str, m["vary"])) if "vary" in m else "",
                    "source": m.get("source", ""),
                    "meaning": m.get("help", ""),
                }
            )
    for name, entry in TABLE_ENTRIES.items():
        rows.append(
            {
                "key": name,
                "default": str(entry.default),
                "unit": entry.unit,
                "allowed": "",
                "varied": " – ".join(map(str, entry.vary)),
                "source": entry.source,
                "meaning": entry.help,
            }
        )
    for name, scale in TABLE_SCALES.items():
        rows.append(
            {
                "key": name,
                "default": "1",
                "unit": "multiplier",
                "allowed": "",
                "varied": " – ".join(map(str, scale.vary)),
                "source": scale.source,
                "meaning": scale.help,
            }
        )
    return rows


def ledger_rows() -> list[dict[str, str]]:
    """The ledger of costs and benefits (ODD 7.19): one row per declared mechanism, in the order
    of the parameter table, with the regime that bears it, where it is charged, the books line
    that holds it (if any), its value and its source or "assumption" with the range varied."""
    rows = []
    for prefix, cls in (("scenario", Scenario), ("policy", Policy)):
        for f in dataclasses.fields(cls):
            entry = f.metadata.get("ledger")
            if entry is None:
                continue
            varied = " – ".join(map(str, f.metadata["vary"])) if "vary" in f.metadata else ""
            rows.append(
                {
                    "key": f"{prefix}.{f.name}",
                    "kind": entry["kind"],
                    "borne by": entry["borne_by"],
                    "charged to": entry["charged_to"],
                    "books": f"`{entry['books']}`" if entry["books"] else "",
                    "value": f"{f.default} {f.metadata['unit']}"
                    + (" (coarse's; refined's: section 8)" if prefix == "policy" else ""),
                    "source": f.metadata["source"] + (f"; varied {varied}" if varied else ""),
                }
            )
    return rows


def _markdown(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(r[k].replace("|", "/") for k in columns) + " |" for r in rows])


def print_table(ledger: bool = False) -> None:
    """The parameter table (or, with ``ledger``, the ledger of costs and benefits) in Markdown,
    for ODD.md; a reader that stops early (``| head``) ends it quietly, as Unix tools do."""
    import os
    import sys

    if ledger:
        text = _markdown(("key", "kind", "borne by", "charged to", "books", "value", "source"), ledger_rows())
    else:
        text = _markdown(("key", "default", "unit", "allowed", "varied", "source", "meaning"), parameter_rows())
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        sys.exit(0)
