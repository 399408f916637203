"""Mesa agents: residents, grid workers, party organisations and departments.

Residents are Mesa agents a researcher can inspect (``model.agents_by_type[Resident]``), but
their hot state lives in the model's arrays (``model.population``): an agent is a named view
onto row ``idx``. The model drives work by events (needs arising, reports, handling), not by
stepping every agent, so no agent here has a ``step`` method that the model calls per tick.
"""

from __future__ import annotations

import gc

import mesa

from sim.model.params import RESIDENT_TYPES, SERVICE_TYPES


class _RowFromId:
    """``Resident.idx`` of the residents ``Resident.create_residents`` makes in bulk.

    Their row is their ``unique_id`` minus the first one's, so they need not each hold an int
    (about 33 MB for 820,000 residents). A resident made by ``Resident(model, idx)`` keeps its
    own ``idx`` in its ``__dict__``, which takes precedence over this non-data descriptor.
    """

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        return agent.unique_id - agent.model._resident_row_offset


class Resident(mesa.Agent):
    """A resident: home, community of residence and of registration, category, needs,
    availability, digital access, and expectation, satisfaction and trust in [0, 1]."""

    idx = _RowFromId()  # row in model.population

    def __init__(self, model: mesa.Model, idx: int):
        super().__init__(model)
        self.idx = idx

    @classmethod
    def create_residents(cls, model: mesa.Model, n: int) -> None:
        """Create residents ``0 .. n-1`` (rows of ``model.population``), registered with the model.

        The result is what ``Resident.create_agents(model, n, list(range(n)))`` gives: the same
        agents with the same attributes and consecutive ``unique_id``s, in ``model.agents`` and
        ``model.agents_by_type[Resident]``. It is several times cheaper at district scale
        (820,000 agents in about 0.5 s instead of 5-6 s) because it skips, per agent, what this
        model does not use:

        * Mesa's per-agent constructor chain, debug log call and ``AGENT_ADDED`` signal: the
          first resident is made the ordinary way (which also creates the type's agent set);
          the others get the attributes ``Agent.__init__`` sets (``model``, ``unique_id``,
          ``pos``) directly and are added to the model's two agent sets;
        * the weakly-keyed ``AgentSet`` that ``create_agents`` returns and the model drops;
        * an ``idx`` int per agent: their ``idx`` is derived from ``unique_id`` (``_RowFromId``);
        * cyclic garbage collection while the objects are made (none of them is garbage; the
          collector would rescan the growing heap hundreds of times). It is switched back on
          afterwards if it was on.

        If anything observes agent registration (a subscriber to the model's ``agents`` signals
        or a Mesa dataset tracking residents), every resident is made the ordinary way.
        """
        if n <= 0:
            return
        observed = getattr(cls, "_datasets", None) or any(
            name == "agents" for name, _ in getattr(model, "subscribers", {})
        )
        internals = hasattr(model, "agent_id_counter") and hasattr(model, "agents_by_type")
        if observed or not internals or hasattr(model, "_resident_row_offset"):  # (or made in bulk before)
            for i in range(n):
                cls(model, i)
            return
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            first = cls(model, 0)
            model._resident_row_offset = first.unique_id  # row = unique_id - offset
            first_id = model.agent_id_counter  # unique_id of resident 1
            model.agent_id_counter += n - 1
            add_to_all, add_to_type = model.agents.add, model.agents_by_type[cls].add
            new = object.__new__
            for uid in range(first_id, first_id + n - 1):
                agent = new(cls)
                agent.model = model
                agent.unique_id = uid
                agent.pos = None
                add_to_all(agent)
                add_to_type(agent)
        finally:
            if gc_was_on:
                gc.enable()

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
        self.hours_booked = 0.0  # volunteer time reserved for cases (KPI volunteer_h counts time given)

    def weekly_hours(self, hours_per_volunteer: float) -> float:
        return self.volunteers * hours_per_volunteer * self.effort

    def refill(self, hours_per_volunteer: float) -> None:
        """Start a new week with the volunteer time the branch can mobilise."""
        self.hours_left = self.weekly_hours(hours_per_volunteer)

    def take(self, hours: float, pairing: bool) -> PartyOrganisation | None:
        """Book ``hours`` of volunteer time here or, with pairing, at the partner with most
        time left (区域化党建). Returns the branch that gives it, or None."""
        if self.hours_left >= hours:  # the usual case: no need to rank the partners
            donors = [self]
        else:
            donors = sorted(self.partners, key=lambda p: -p.hours_left) if pairing else []
        for branch in donors:
            if branch.hours_left >= hours:
                branch.hours_left -= hours
                branch.hours_booked += hours
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
