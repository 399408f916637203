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


def _p(default: Any, unit: str, source: str, help: str, *, range=None, choices=None, vary=None):
    """Declare a parameter: default plus the metadata every parameter must carry. ``vary``
    (low, high) marks an uncertain number and gives the range over which the sensitivity
    analyses and scenario discovery sample it (:mod:`sim.study.design`)."""
    meta = {"unit": unit, "source": source, "help": help}
    if range is not None:
        meta["range"] = range
    if vary is not None:
        meta["vary"] = vary
    if choices is not None:
        meta["choices"] = choices
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)
