"""Building a regime's institutions before its first day, in the order of ODD section 5:
calendars and volunteers, the staffing study, the budget and its duties, and the staff split
(:mod:`sim.model.staffing`), the front line's time shares (:mod:`sim.model.workload`), its pools
and grid units, the departments, the party organisations and the reporting channels.

Construction only: each function sets up part of a :class:`~sim.model.model.GovernanceModel`.
The daily processes live in the modules named after them (see :mod:`sim.model.model`).
"""

from __future__ import annotations

import math

import numpy as np

from sim.model import staffing, workload
from sim.model.agents import Department, GridWorker, PartyOrganisation
from sim.model.calendar import Calendar
from sim.model.issues import COUNTER, DIGITAL, HOTLINE
from sim.model.params import CALENDARS, SERVICE_TYPES, SPECIALIST_TYPES, ConfigError, Policy, Scenario, paid_budget
from sim.model.queues import PoolGroup, ServerPool
from sim.model.staffing import largest_remainder

CHANNEL_CODE = {"counter": COUNTER, "hotline": HOTLINE, "digital": DIGITAL}


def build(model, sc: Scenario, po: Policy, rng: np.random.Generator, seed: int) -> None:
    """Every institution of the regime, in the order of ODD section 5 (steps 4 to 11)."""
    set_service_tables(model, sc)
    # 4. Calendars, and the volunteers of each community.
    model.service_calendar = Calendar.from_specs(CALENDARS[po.service_hours])
    model.office_calendar = Calendar.from_specs(CALENDARS[sc.department_hours])  # departments' hours
    model.volunteer_calendar = Calendar.from_specs(CALENDARS[sc.volunteer_hours])
    model.volunteers = volunteers_by_community(model, sc)
    # City supervisors, on top of the budget (scenario.supervisors_per_10k), and their hours.
    model.n_supervisors = round(sc.supervisors_per_10k * sc.n_residents / 10_000)
    model.supervisor_calendar = Calendar.from_specs(CALENDARS[sc.supervisor_hours])
    # 5. The staffing study: the work each line will get under this regime, and the hours its
    # volunteers will give.
    routed = given = None
    if sc.staff_split == "routed" and sc.servers is None:
        routed, given = staffing.staffing_study(model, sc, po, seed)
    # 6. The budget less the posts volunteers stand in for; the duties each paid post carries.
    model.volunteer_usable_h = staffing.volunteer_usable_h(sc, po, model.volunteers, given)
    budget = staffing.Budget(*paid_budget(sc), staffing.volunteer_posts(sc, model.volunteer_usable_h))
    model.volunteer_posts = budget.volunteer_posts
    model.duty_share = workload.duty_share(sc, budget.front_line + budget.departments, budget.paid)
    # 7. The paid staff split between the front line and the departments.
    model.front_staff_total, model.line_staff = staffing.split_staff(model, sc, po, budget, routed)
    # 8-11. The front line with its time shares, the departments, the party, the channels.
    model.shares = front_line_shares(model, sc, po)
    schedule_duties(model, sc, po)
    build_front_line(model, sc, po)
    build_departments(model, sc)
    build_party(model, sc, rng)
    build_channels(model, sc, po)


def set_service_tables(model, sc: Scenario) -> None:
    st = [sc.service_types[t] for t in SERVICE_TYPES]
    model.service_mean_h = np.array([s.service_h for s in st])
    model.patience_h = np.array([s.patience_days * 24 for s in st])
    model.volunteer_eligible = np.array([s.volunteer_eligible for s in st])
    model.front_line_types = np.array([t in model.policy.competence for t in SERVICE_TYPES])
    model.specialist_types = np.array([t in SPECIALIST_TYPES for t in SERVICE_TYPES])


def volunteers_by_community(model, sc: Scenario) -> np.ndarray:
    residents = np.bincount(model.population.community, minlength=model.territory.n_communities)
    return np.round(sc.volunteers_per_1k * residents / 1000).astype(int)


def front_line_shares(model, sc: Scenario, po: Policy) -> dict[str, float]:
    """The shares of a front-line post's hours (:func:`sim.model.workload.front_line_shares`),
    refused when they leave too little for cases."""
    hours_per_week = model.service_calendar.hours_per_week
    shares = workload.front_line_shares(sc, po, model.n_workers(), sc.n_residents, hours_per_week, model.duty_share)
    if shares["cases"] < 0.01:
        taken = ", ".join(f"{k} {v:.2f}" for k, v in shares.items() if k != "cases")
        raise ConfigError(
            f"the front line's fixed shares of time ({taken}: scenario.duty_share={sc.duty_share} of the budget, the "
            "appraisal "
            f"(scenario.{'evaluation_overhead_h' if po.evaluation else 'appraisal_overhead_h'}), "
            f"scenario.records_h_per_resident_year={sc.records_h_per_resident_year}, "
            f"policy.patrol_floor={po.patrol_floor}) leave {shares['cases']:.2f} of worker time for cases: at least "
            "0.01 must remain; lower them or raise scenario.workers_per_10k"
        )
    return shares


def schedule_duties(model, sc: Scenario, po: Policy) -> None:
    """The calendars staff handle cases in and the share of those hours cases get, for the front
    line and the departments. Duties spread evenly (``duty_schedule=even``): the open hours, at
    the share the fixed shares leave. Scheduled: the open hours less the meetings, all of them
    for cases; what can be put off is a weekly quota per post (``model.duty_quota_h``)."""
    if sc.duty_schedule == "even":
        model.front_work_calendar, model.dept_work_calendar = model.service_calendar, model.office_calendar
        model.front_case_share = model.shares["cases"]
        model.dept_case_share = workload.department_share(model.duty_share)
        return
    model.duty_quota_h = {}
    for line, cal in (("front_line", model.service_calendar), ("departments", model.office_calendar)):
        meetings = workload.meeting_hours(sc, model.duty_share, cal.hours_per_week)
        try:
            work = Calendar(cal.mask & ~workload.meeting_mask(cal.mask, meetings))
        except ValueError as err:
            raise ConfigError(
                f"scenario.duty_share={sc.duty_share} with scenario.duty_fixed_share="
                f"{sc.duty_fixed_share}: {err}; lower them"
            ) from None
        front = line == "front_line"
        posts = model.n_workers()
        model.duty_quota_h[line] = workload.deferrable_week_h(
            sc, po, model.duty_share, cal.hours_per_week, meetings, front, posts
        )
        if front:
            model.front_work_calendar = work
        else:
            model.dept_work_calendar = work
    model.front_case_share = model.dept_case_share = 1.0


def build_front_line(model, sc: Scenario, po: Policy) -> None:
    """Split the front line's staff into pools at the policy's level (town, community, grid)
    and map every community cell to the pool that serves it."""
    share = model.front_case_share
    terr, nc = model.territory, model.territory.n_communities
    residents_per_comm = np.bincount(model.population.community, minlength=nc)
    total = model.n_workers()
    if po.pool_level == "town":
        groups = [
            np.arange(t * terr.communities_per_town, (t + 1) * terr.communities_per_town) for t in range(terr.n_towns)
        ]
    else:
        groups = [np.array([c]) for c in range(nc)]
    staff = largest_remainder(total, [residents_per_comm[g].sum() for g in groups])
    model.front_pools: list[ServerPool] = []
    # Per community: its first pool, and the grid-unit layout (column bounds as fractions
    # of the side, rows per column, first unit of each column); one unit unless pool=grid.
    width = grid_shape(max(1, math.ceil(total / po.workers_per_grid)))[0] + 1 if po.pool_level == "grid" else 1
    model._comm_pool = np.full(nc, -1)
    model._comm_bounds = np.full((nc, width + 1), np.inf)
    model._comm_bounds[:, :2] = [0.0, 1.0]
    model._comm_rows = np.ones((nc, width), dtype=int)
    model._comm_first = np.zeros((nc, width), dtype=int)
    model._grid_units = []  # (first pool, number of units) of each community cut into grid units
    for g, k in zip(groups, staff):
        if k == 0:
            continue
        if po.pool_level == "grid":
            add_grid_units(model, int(g[0]), int(k), po.workers_per_grid, sc, share)
        else:
            model._comm_pool[g] = len(model.front_pools)
            model.front_pools.append(_pool_for(model, int(k), terr.centre(g), sc, share))
    adopt_unstaffed(model)
    model.front_pools = PoolGroup(model.front_pools)
    model._partner = partners(len(model.front_pools), model._grid_units)
    model._bounds_used = int(np.flatnonzero(np.isfinite(model._comm_bounds).any(0)).max())
    for p, pool in enumerate(model.front_pools):
        GridWorker.create_agents(model, pool.n_servers, p, list(range(pool.n_servers)))
    model._front_staff = np.array([p.n_servers for p in model.front_pools])
    model.residents_pool = model.pool_of(model.population.community, model.population.x, model.population.y)
    model.residents_pool = model.residents_pool.astype(np.int32)  # 820,000 of them: half the memory
    order = np.argsort(model.residents_pool, kind="stable")
    model._pool_members = order.astype(np.int32)
    model._pool_sizes = np.bincount(model.residents_pool, minlength=len(model.front_pools))
    model._pool_offsets = np.concatenate([[0], np.cumsum(model._pool_sizes)[:-1]])
    # Public space of each pool's area, for street patrol (residents are spread evenly).
    model._pool_area = sc.area_km2 * model._pool_sizes / max(1, len(model.population))


def _pool_for(model, k: int, base, sc: Scenario, share: float) -> ServerPool:
    return ServerPool(k, model.front_work_calendar, share, base, sc.travel_kmh, sc.travel)


def add_grid_units(model, c: int, k: int, per_unit: int, sc: Scenario, share: float) -> None:
    """Split community ``c`` into grid units of equal area, about ``per_unit`` workers each:
    columns of units side by side, each column cut into rows, column widths in proportion
    to their number of rows."""
    units = math.ceil(k / per_unit)
    cols, _ = grid_shape(units)
    rows = largest_remainder(units, np.ones(cols))
    model._comm_pool[c] = len(model.front_pools)
    model._grid_units.append((len(model.front_pools), units))
    model._comm_bounds[c, : cols + 1] = np.concatenate([[0.0], np.cumsum(rows) / units])
    model._comm_bounds[c, cols + 1 :] = np.inf
    model._comm_rows[c, :cols] = rows
    model._comm_first[c, :cols] = np.concatenate([[0], np.cumsum(rows)[:-1]])
    x0, y0 = model.territory.origin(np.array([c]))
    side = model.territory.side_km
    staff = largest_remainder(k, np.ones(units))
    for col in range(cols):
        left, right = model._comm_bounds[c, col], model._comm_bounds[c, col + 1]
        for row in range(rows[col]):
            base = (float(x0[0] + (left + right) / 2 * side), float(y0[0] + (row + 0.5) / rows[col] * side))
            model.front_pools.append(
                _pool_for(model, int(staff[len(model.front_pools) - model._comm_pool[c]]), base, sc, share)
            )


def partners(n_pools: int, grid_units: list[tuple[int, int]]) -> np.ndarray:
    """Each grid unit's partner for A/B roles (policy.backup=partner): units of a community in
    pairs, each with the next (in a column, the one below), the odd one out with the unit before
    it; -1 for a pool with none (a community of one unit, or pools above the grid)."""
    partner = np.full(n_pools, -1, dtype=np.int64)
    for first, units in grid_units:
        for u in range(units - units % 2):
            partner[first + u] = first + (u ^ 1)
        if units % 2 and units > 1:
            partner[first + units - 1] = first + units - 2
    return partner


def adopt_unstaffed(model) -> None:
    """A community left without staff by rounding is served by the nearest pool."""
    terr = model.territory
    bases = np.array([p.base for p in model.front_pools])
    for c in np.flatnonzero(model._comm_pool < 0):
        cx, cy = terr.centre(np.array([c]))
        model._comm_pool[c] = int(np.argmin(np.abs(bases[:, 0] - cx) + np.abs(bases[:, 1] - cy)))


def build_departments(model, sc: Scenario) -> None:
    """One department (职能部门) per service line outside the front line's competence."""
    centre = model.territory.centre(np.arange(model.territory.n_communities))
    share, cal = model.dept_case_share, model.dept_work_calendar
    model.dept_pools: list[ServerPool | None] = [None] * len(SERVICE_TYPES)
    for k, staff in enumerate(model.line_staff):
        if not model.front_line_types[k]:
            model.dept_pools[k] = ServerPool(int(staff), cal, share, centre, sc.travel_kmh, sc.travel)
            Department(model, k)
    model.dept_pools = PoolGroup(model.dept_pools)


def build_party(model, sc: Scenario, rng: np.random.Generator) -> None:
    nc = model.territory.n_communities
    model.branches = [PartyOrganisation(model, c, int(model.volunteers[c])) for c in range(nc)]
    x0, y0 = model.territory.origin(np.arange(nc))
    model._community_centre = (x0 + model.territory.side_km / 2, y0 + model.territory.side_km / 2)
    if nc > 1:
        for branch in model.branches:
            others = [c for c in range(nc) if c != branch.community]
            picks = rng.choice(others, size=min(sc.pairs_per_branch, len(others)), replace=False)
            branch.partners = [model.branches[c] for c in picks]


def build_channels(model, sc: Scenario, po: Policy) -> None:
    """For each category, with and without digital access: the channels the resident
    would use (the easiest of those open to them at some hour, given their absences),
    their calendars and that ease. Among equally easy channels the resident takes the one
    that opens first."""
    always = Calendar.from_specs(CALENDARS["always"])
    model._channel_table = {}
    for c, away in enumerate(model.population.away):
        for digital in (False, True):
            options = []
            for name in po.channels:
                if name == "digital" and not digital:
                    continue
                cal = Calendar(model.service_calendar.mask & ~away.mask) if name == "counter" else always
                if cal.hours_per_week:
                    options.append((sc.channel_ease[name], CHANNEL_CODE[name], cal))
            ease = max((o[0] for o in options), default=0.0)
            model._channel_table[c, digital] = (ease, [(code, cal) for e, code, cal in options if e == ease])
    # The same, as arrays indexed by category x 2 + digital (a need's key in decide_reporting);
    # a kind of resident with no channel at all (ease 0) never reports.
    table = [model._channel_table[c, d] for c in range(len(model.population.away)) for d in (False, True)]
    model._channel_ease = np.array([ease for ease, _ in table])
    model._channel_usable = [usable if ease > 0 else [] for ease, usable in table]
    # A passer-by reporting a fault or an event in public space: the easiest channel, no absence
    # (times the chance that a passer-by reports: sim.model.detection.decide_reporting).
    ease, name = max((sc.channel_ease[n], n) for n in po.channels)
    cal = model.service_calendar if name == "counter" else always
    model._fault_channel = (CHANNEL_CODE[name], cal, ease)


def grid_shape(k: int) -> tuple[int, int]:
    """Columns and rows of the most square split of a community into at least k units."""
    a = max(1, round(math.sqrt(k)))
    return a, math.ceil(k / a)
