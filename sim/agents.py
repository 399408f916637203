"""Mesa agents: residents, grid workers, party organisations and departments.

Residents are Mesa agents a researcher can inspect (``model.agents_by_type[Resident]``), but
their hot state lives in the model's arrays (``model.population``): an agent is a named view
onto row ``idx``. The model drives work by events (needs arising, reports, handling), not by
stepping every agent, so no agent here has a ``step`` method that the model calls per tick.
"""

from __future__ import annotations

import mesa

from sim.params import RESIDENT_TYPES, SERVICE_TYPES


class Resident(mesa.Agent):
    """A resident: home, community of residence and of registration, category, needs,
    availability, digital access, and expectation, satisfaction and trust in [0, 1]."""

    def __init__(self, model: mesa.Model, idx: int):
        super().__init__(model)
        self.idx = idx

    @property
    def _pop(self):
        return self.model.population

    @property
    def category(self) -> str:
        return self._pop.category_names[self._pop.category[self.idx]]

    @property
    def community(self) -> int:
        return int(self._pop.community[self.idx])

    @property
    def registered_community(self) -> int:
        """Community of household registration; differs from ``community`` for 人户分离."""
        return int(self._pop.registration[self.idx])

    @property
    def home(self) -> tuple[float, float]:
        return float(self._pop.x[self.idx]), float(self._pop.y[self.idx])

    @property
    def digital_access(self) -> bool:
        return bool(self._pop.digital[self.idx])

    @property
    def need_rates_per_year(self) -> dict[str, float]:
        return {t: float(r) * 8760 for t, r in zip(RESIDENT_TYPES, self._pop.need_rate[self.idx])}

    @property
    def satisfaction(self) -> float:
        return float(self._pop.satisfaction[self.idx])

    @property
    def expectation(self) -> float:
        return float(self._pop.expectation[self.idx])

    @property
    def trust(self) -> float:
        return float(self._pop.trust[self.idx])

    @property
    def last_contact_h(self) -> float:
        """When staff last saw this resident in person (visit or case): information age."""
        return float(self._pop.last_contact_h[self.idx])


class GridWorker(mesa.Agent):
    """A front-line worker (网格员, or central staff under town pooling): one server of a pool."""

    def __init__(self, model: mesa.Model, pool: int, server: int):
        super().__init__(model)
        self.pool = pool
        self.server = server

    @property
    def _pool(self):
        return self.model.front_pools[self.pool]

    @property
    def location(self) -> tuple[float, float]:
        """Where the worker last worked (km); starts at the pool's base."""
        p = self._pool
        return float(p.pos_x[self.server]), float(p.pos_y[self.server])

    @property
    def base(self) -> tuple[float, float]:
        return self._pool.base


class PartyOrganisation(mesa.Agent):
    """A community party branch (党支部): volunteers, pairing links and an evaluation score."""

    def __init__(self, model: mesa.Model, community: int, volunteers: int):
        super().__init__(model)
        self.community = community
        self.volunteers = volunteers
        self.partners: list[PartyOrganisation] = []
        self.effort = 1.0  # multiplies volunteer time; moved by evaluation (四指同评)
        self.score = float("nan")
        self.hours_left = 0.0
        self.hours_given = 0.0

    def weekly_hours(self, hours_per_volunteer: float) -> float:
        return self.volunteers * hours_per_volunteer * self.effort

    def refill(self, hours_per_volunteer: float) -> None:
        """Start a new week with the volunteer time the branch can mobilise."""
        self.hours_left = self.weekly_hours(hours_per_volunteer)

    def take(self, hours: float, pairing: bool) -> PartyOrganisation | None:
        """Book ``hours`` of volunteer time here or, with pairing, at the partner with most
        time left (区域化党建). Returns the branch that gives it, or None."""
        donors = [self] + (sorted(self.partners, key=lambda p: -p.hours_left) if pairing else [])
        for branch in donors:
            if branch.hours_left >= hours:
                branch.hours_left -= hours
                branch.hours_given += hours
                return branch
        return None


class Department(mesa.Agent):
    """A functional department (职能部门) for one service line: a pool of staff."""

    def __init__(self, model: mesa.Model, service_type: int):
        super().__init__(model)
        self.service_type = SERVICE_TYPES[service_type]
        self.pool_index = service_type

    @property
    def staff(self) -> int:
        return self.model.dept_pools[self.pool_index].n_servers
