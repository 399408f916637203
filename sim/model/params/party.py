"""The scenario's party organisations: their volunteers, the pairing of branches and 四指同评."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.constants import CALENDARS
from sim.model.params.declare import CALIBRATED, _p


@dataclass
class PartyOrganisations:
    """Scenario fields: party organisations."""

    volunteers_per_1k: float = _p(
        34.0,
        "volunteers per 1,000 residents",
        "assumption: the case book's 28,000 party members and volunteers / 820,000 took part in two clean-up "
        "campaigns, not a standing weekly casework pool; vary 0-34",
        "volunteer pool of the branches",
        range=(0, 1000),
        vary=(0.0, 34.0),
    )
    volunteer_h_per_week: float = _p(
        0.5,
        "hours per volunteer per week",
        "assumption; varied up to 0.6 only: counted against the budget, more volunteer hours would leave refined's "
        "paid posts too few for the duties handed down at the upper end of their range",
        "time a volunteer gives",
        range=(0, 168),
        vary=(0.25, 0.6),
    )
    volunteer_hours: str = _p(
        "evenings_weekends",
        "-",
        "assumption: volunteers give time outside working hours",
        "when volunteers work: a calendar of sim.model.params.CALENDARS",
        choices=tuple(CALENDARS),
    )
    mobilisation_delay_h: float = _p(
        2.2,
        "hours",
        f"{CALIBRATED}: to the volume and workload patterns of grid management (Dongcheng: ODD references); at "
        "the lower bound (2 h) of its range 2-48",
        "time to mobilise volunteers for a case",
        range=(0, 1e4),
        vary=(1.1, 4.4),
        ledger=("cost", "refined (volunteers)", "delay before volunteers start", ""),
    )
    pairs_per_branch: int = _p(
        2,
        "partners",
        "assumption: the case book's 700+ organisations in pairing (心联鑫) do not say how many partners each has",
        "pairing links per branch",
        range=(0, 100),
        vary=(0, 4),
    )
    evaluation_period_days: int = _p(
        182, "days", "case book: 四指同评 each half-year", "evaluation period", range=(1, 3650)
    )
    evaluation_overhead_h: float = _p(
        16.0,
        "hours per worker per period",
        "assumption (Sisyphus burden, case book)",
        "front-line time spent on 四指同评 reporting each period (it replaces the traditional appraisal)",
        range=(0, 1000),
        vary=(0.0, 40.0),
        ledger=("cost", "refined (四指同评 in place of the appraisal)", "the front line's time", "appraisal"),
    )
    evaluation_gain: float = _p(
        0.5,
        "per score unit",
        "assumption",
        "how strongly a branch's score changes its effort",
        range=(0, 10),
        vary=(0.0, 1.0),
    )
