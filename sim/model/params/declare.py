"""How a parameter is declared: :func:`_p` gives a dataclass field its default and the metadata
every parameter carries, :class:`ConfigError` is what a bad value raises, and :data:`CALIBRATED`
begins the source of every default the calibration set."""

from __future__ import annotations

from dataclasses import field
from typing import Any

CALIBRATED = "calibrated (python -m experiments.calibrate, results/calibration)"
"""Source prefix of the defaults set by the pattern-oriented calibration: each names the patterns
of experiments.patterns that pin it; their figures and sources are in ODD.md's references."""


class ConfigError(ValueError):
    """A configuration value is unknown, of the wrong kind or out of range."""


LEDGER_KINDS = ("cost", "benefit")


def _p(default: Any, unit: str, source: str, help: str, *, range=None, choices=None, vary=None, ledger=None):
    """Declare a parameter: default plus the metadata every parameter must carry. ``vary``
    (low, high) marks an uncertain number and gives the range over which the sensitivity
    analyses and scenario discovery sample it (:mod:`sim.study.design`). ``ledger`` (kind, borne
    by, charged to, books line) enters the parameter in the ledger of costs and benefits
    (:func:`sim.model.params.odd_table.ledger_rows`): ``cost`` or ``benefit``, the regime that
    bears it, where it is charged (whose time, which delay, which outcome), and the use in the
    pools' books (``time_<pool>_<use>_h``) that holds it, or "" where it is a delay or an
    outcome."""
    meta = {"unit": unit, "source": source, "help": help}
    if ledger is not None:
        if len(ledger) != 4 or ledger[0] not in LEDGER_KINDS:
            raise ValueError(f"ledger={ledger!r}: (kind in {LEDGER_KINDS}, borne by, charged to, books line)")
        meta["ledger"] = dict(zip(("kind", "borne_by", "charged_to", "books"), ledger))
    if range is not None:
        meta["range"] = range
    if vary is not None:
        meta["vary"] = vary
    if choices is not None:
        meta["choices"] = choices
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)
