"""Every parameter of govsim, declared once, with meaning, unit, range and source.

Two dataclasses carry all inputs of a run:

* :class:`Scenario` - the world: population, territory, demand, resident behaviour, the
  staffing budget. It is the same under every governance regime.
* :class:`Policy` - the regime dials. Its defaults are the coarse, type-based (类型化)
  status quo; ``configs/policy/refined.yaml`` switches dials to the individualised (个体化)
  setting. Nothing else distinguishes the regimes.

Each field's ``metadata`` holds ``unit``, ``source`` and, for numbers, ``range`` (inclusive
bounds) or, for choices, ``choices``. An uncertain number also has ``vary``: the range over
which the sensitivity analyses and scenario discovery sample it (:mod:`sim.study.design`). Unless its
source says otherwise, that range is an assumption: a calibrated value within about a factor of
two, an assumed one over the span that seems plausible. :func:`validate` checks a whole configuration against
them and names the key, the value and what is allowed. The tables in ``ODD.md`` are generated
from these declarations (``python -m sim.model.params``), so the two cannot drift apart.

Sources are abbreviated: "case book" is 《像绣花一样精细》 (see ``ODD.md``); "assumption" means a
modelling choice not backed by a figure, to be varied in sweeps.

The declarations, one module each, by what they describe (import them from here):

* :mod:`~sim.model.params.declare` - how a parameter is declared (``_p``), :class:`ConfigError`,
  ``CALIBRATED``; :mod:`~sim.model.params.constants` - service lines, channels, calendars;
* :mod:`~sim.model.params.tables` - the scenario's tables (categories, service lines) and their
  uncertain levels and entries;
* :mod:`~sim.model.params.scenario` - :class:`Scenario`, one flat dataclass whose fields come in
  groups: :mod:`~sim.model.params.territory` (territory and population),
  :mod:`~sim.model.params.staffing` (the staffing budget), :mod:`~sim.model.params.hours` (how posts
  spend their hours), :mod:`~sim.model.params.routing`, :mod:`~sim.model.params.information`
  (information and remedies), :mod:`~sim.model.params.residents` (residents' behaviour),
  :mod:`~sim.model.params.party` (party organisations) and :mod:`~sim.model.params.queueing` (the
  queueing validation's shortcuts);
* :mod:`~sim.model.params.policy` - :class:`Policy`; :mod:`~sim.model.params.run` - :class:`RunConfig`;
* :mod:`~sim.model.params.derived` - quantities derived from a scenario (paid posts, fault rate);
* :mod:`~sim.model.params.validation` - :func:`validate`;
* :mod:`~sim.model.params.odd_table` - the parameter table of ``ODD.md``.
"""

from __future__ import annotations

from sim.model.params.constants import (
    BUNDLE_DIALS,
    CALENDARS,
    CHANNELS,
    CITY_MANAGEMENT,
    RESIDENT_TYPES,
    SERVICE_TYPES,
    SPECIALIST_TYPES,
    STAFF_CALENDARS,
    STAFF_WEEK_H,
)
from sim.model.params.declare import CALIBRATED, ConfigError
from sim.model.params.derived import (
    events_per_year,
    faults_per_year,
    paid_budget,
    queueing_reduction,
    volunteer_work_bound_h,
)
from sim.model.params.odd_table import parameter_rows, print_table
from sim.model.params.policy import Policy
from sim.model.params.run import RunConfig
from sim.model.params.scenario import Scenario
from sim.model.params.tables import (
    TABLE_ENTRIES,
    TABLE_SCALES,
    Category,
    ServiceType,
    TableEntry,
    TableScale,
    default_categories,
    default_service_types,
)
from sim.model.params.validation import validate

__all__ = [
    "BUNDLE_DIALS",
    "CALENDARS",
    "CALIBRATED",
    "CHANNELS",
    "CITY_MANAGEMENT",
    "RESIDENT_TYPES",
    "SERVICE_TYPES",
    "SPECIALIST_TYPES",
    "STAFF_CALENDARS",
    "STAFF_WEEK_H",
    "TABLE_ENTRIES",
    "TABLE_SCALES",
    "Category",
    "ConfigError",
    "Policy",
    "RunConfig",
    "Scenario",
    "ServiceType",
    "TableEntry",
    "TableScale",
    "default_categories",
    "default_service_types",
    "events_per_year",
    "faults_per_year",
    "paid_budget",
    "parameter_rows",
    "print_table",
    "queueing_reduction",
    "validate",
    "volunteer_work_bound_h",
]
