"""The scenario's shortcuts for the queueing validation (``scenario=mmc``): each, if set, replaces
part of the world with the textbook queue (:func:`~sim.model.params.derived.queueing_reduction`)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.declare import _p


@dataclass
class QueueingShortcuts:
    """Scenario fields: queueing validation shortcuts (scenario=mmc)."""

    servers: int | None = _p(
        None,
        "workers",
        "-",
        "if set: exact number of front-line workers (overrides workers_per_10k)",
        range=(1, 100_000),
    )
    arrival_rate_per_h: float | None = _p(
        None, "issues per hour", "-", "if set: one category, one service type, this total rate", range=(1e-6, 1e6)
    )
    mean_service_h: float | None = _p(
        None, "hours", "-", "if set: the mean handling time of every type", range=(1e-6, 1e4)
    )
