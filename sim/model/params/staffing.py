"""The scenario's staffing budget, identical across regimes: how many paid posts, how they are
split between the front line and departments, what volunteers count for, and travel."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.declare import _p


@dataclass
class Staffing:
    """Scenario fields: the staffing budget (identical across regimes)."""

    workers_per_10k: float = _p(
        20.0,
        "workers per 10,000 residents",
        "Jinshan, Tinglin town: each grid worker has 200+ households (ODD references: Dongfang Chengxiang Bao 2017), "
        "at 2.5 residents a household",
        "front-line staffing budget (grid workers or central staff)",
        range=(0.01, 10_000),
        vary=(5.0, 40.0),
    )
    dept_staff_per_10k: float = _p(
        12.0,
        "staff per 10,000 residents",
        "assumption",
        "department staff, split over service lines in proportion to expected workload",
        range=(0.01, 10_000),
        vary=(8.0, 16.0),
    )
    staff_split: str = _p(
        "routed",
        "-",
        "design choice: each regime at its best, with departments staffed for the caseload they get",
        "how staff are split between the front line and departments: 'routed' - in proportion to the work "
        "each line received in a staffing study (a pilot run of the same regime, staffing_pilot_days long, "
        "of staffing_pilot_residents) per hour a person there can handle; 'expected' - departments in proportion "
        "to the expected work of all needs, whoever routes them",
        choices=("routed", "expected"),
    )
    staffing_pilot_days: int = _p(
        182,
        "days",
        "assumption: half a year's caseload, measured over its second quarter, after reports of lasting needs "
        "and faults have built up (a year changes the split by ~2 points)",
        "length of the staffing study",
        range=(14, 3650),
    )
    staffing_pilot_residents: int = _p(
        2000,
        "residents",
        "assumption: large enough for the split between lines, small enough to cost a fraction of a run",
        "size of the staffing study's population (part of one town, at the scenario's density)",
        range=(100, 5_000_000),
    )
    volunteer_budget: str = _p(
        "counted",
        "-",
        "design choice: regimes compared at equal total handling capacity (paid plus the volunteer hours that "
        "can be used); on_top shown beside it in every comparison's capacity table",
        "'counted' - the volunteer hours that can actually be used replace paid hours: one post per 40 hours a "
        "week that the staffing study saw the volunteers give to cases (when they were free, to the cases they "
        "may take, before the residents gave up); 'on_top' - volunteers are extra",
        choices=("counted", "on_top"),
    )
    travel_kmh: float = _p(
        15.0,
        "km/h",
        "assumption (e-bike in town traffic)",
        "travel speed of staff",
        range=(0.1, 1000),
        vary=(8.0, 30.0),
        ledger=("cost", "both", "the handler's time travelling (refined's small beats travel less)", "travel"),
    )
    travel: bool = _p(True, "flag", "-", "whether staff travel to the issue (off for queueing validation)")
