"""GovernanceModel: the state of one run and its daily step.

``step()`` is the ODD's process list (section 3), one call per process; each process lives in
the module named after it (:mod:`~sim.model.needs`, :mod:`~sim.model.detection`,
:mod:`~sim.model.routing`, :mod:`~sim.model.handling`, :mod:`~sim.model.patrol`,
:mod:`~sim.model.satisfaction`, :mod:`~sim.model.party`) and reads and writes the state held
here. The institutions are built once, before the first day (:mod:`~sim.model.institutions`).

The model takes typed parameters (:class:`~sim.model.params.Scenario`, :class:`~sim.model.params.Policy`)
and a seed. It knows nothing of Hydra, files or plots: ``sim.study.run`` reads its
state into tables (:mod:`sim.measure.observe`) and writes them.

Time is in hours from Monday 00:00 of the first week. Within a day, events happen in
continuous time; the daily step processes them in the order of the ODD process overview.

Random numbers come from one seed, split (``numpy.random.SeedSequence.spawn``) into
independent streams: *population* (the map and the people), *needs* (when needs and faults
arise, with every per-issue random number: willingness draw, delays, patience, service time,
whether a fit remedy actually solves it) and *policy* (draws whose number depends on the
regime: which households a patrol visits). The first two never depend on the policy, so two
regimes run with one seed meet the same residents and the same needs (common random numbers).
"""

from __future__ import annotations

import copy

import mesa
import numpy as np

from sim.model import detection, duties, handling, institutions, needs, party, patrol, routing, satisfaction
from sim.model.agents import Resident
from sim.model.issues import IssueTable
from sim.model.params import Policy, Scenario, events_per_year, faults_per_year, queueing_reduction
from sim.model.world import Population, Territory

MONTH_DAYS = 28
"""A month of the books of demanded hours (four weeks, so that each holds whole weeks of duties)."""


class GovernanceModel(mesa.Model):
    """Residents, grid workers, party organisations and departments under one regime.

    Args:
        scenario: the world (population, territory, demand, behaviour, staffing budget).
        policy: the regime dials.
        seed: seed of every random stream of the run.
    """

    def __init__(self, scenario: Scenario, policy: Policy, seed: int = 0):
        super().__init__(rng=seed)
        # The model's own copy: Mesa's ``Model.scenario`` setter writes ``scenario.model =
        # self``, which on the caller's object would keep the whole model (0.6 GB at district
        # scale) alive for as long as the caller keeps its configuration.
        self.scenario = sc = copy.copy(queueing_reduction(scenario))
        self.policy = po = policy
        self.day = 0
        # The callback's stream is a fourth child and the supervisors' a fifth: the first three are
        # as they were without them (SeedSequence children are numbered, not drawn).
        pop_seq, needs_seq, policy_seq, rating_seq, supervision_seq = np.random.SeedSequence(seed).spawn(5)
        self.needs_rng = np.random.default_rng(needs_seq)
        self.rating_rng = np.random.default_rng(rating_seq)
        self.supervision_rng = np.random.default_rng(supervision_seq)
        self.policy_rng = np.random.default_rng(policy_seq)
        pop_rng = np.random.default_rng(pop_seq)

        self.territory = Territory.build(sc)
        self.population = Population(sc, self.territory, pop_rng)
        self.issues = IssueTable(capacity=int(self._expected_issues_per_day() * 400) + 1024)
        institutions.build(self, sc, po, pop_rng, seed)
        # Personal need rates do not change during a run: sum them once, not every day.
        self._per_resident_rate = self.population.need_rate.sum(1)
        self._cum_rate = np.cumsum(self._per_resident_rate)
        self._away_hours = np.array([away.mask for away in self.population.away])  # category x hour of week
        self._create_resident_agents()

        self._undetected = np.empty(0, dtype=np.int64)  # arisen, not yet known nor given up
        self._in_transit = np.empty(0, dtype=np.int64)  # known, on the way to a handler
        self._outcomes = np.empty(0, dtype=np.int64)  # resolved/abandoned, not yet felt by residents
        self.daily: list[dict] = []
        self.volunteer_weeks: list[float] = []  # volunteer hours the branches had, week by week
        # Hours and counts the books of staff time need (sim.measure.observe.time_use).
        self.books = dict.fromkeys(
            (
                "patrol_extra_h",
                "inspection_h",
                "supervision_h",
                "verification_h",
                "visits",
                "visits_home",
                "visits_intrusive",
            ),
            0.0,
        )
        self.verification_due_h = 0.0  # supervisors' hours of verification still to do (sim.model.handling.verify)
        # With duties scheduled (sim.model.duties): patrol's floor taken from what cases leave.
        self.books["patrol_floor_h"] = 0.0
        self.books["covered"] = 0  # cases a grid unit's partner took (policy.backup=partner)
        # Cases that went to a wrong place first, or to a second department (sim.model.routing).
        self.books |= dict.fromkeys(("misrouted", "second_department", "sent_to_registration"), 0)
        self.duty_backlog: dict[int, np.ndarray] = {}  # each pool's duties still to do this week
        self.duty_done_h: dict[int, np.ndarray] = {}  # ... and those it did in the hours cases left
        self.duty_set_h: dict[int, dict[str, float]] = {}  # ... and the quotas set, by kind, summed
        self.visit_log_h = np.zeros(len(self.front_pools))  # each pool's hours logging visits this week
        # Every MONTH_DAYS days, the hours booked so far at each front-line and department pool.
        self.booked_by_month: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._occupied = {}

    # ------------------------------------------------------------------ construction
    def _expected_issues_per_day(self) -> float:
        sc = self.scenario
        return self.population.need_rate.sum() * 24 + (faults_per_year(sc) + events_per_year(sc)) / 365

    def n_workers(self) -> int:
        """Front-line staff: their part of the paid budget (``institutions.split_staff``).
        The queueing validation pins it with ``scenario.servers``."""
        sc = self.scenario
        if sc.servers is not None:
            return int(sc.servers)
        return self.front_staff_total

    def pool_of(self, community, x, y) -> np.ndarray:
        """Front-line pool serving each location (grid unit: column, then row within it)."""
        community = np.asarray(community)
        x0, y0 = self.territory.origin(community)
        side = self.territory.side_km
        xr = np.clip((np.asarray(x) - x0) / side, 0.0, 1.0 - 1e-12)
        yr = np.clip((np.asarray(y) - y0) / side, 0.0, 1.0 - 1e-12)
        # Column: how many column bounds right of the left edge lie at or left of x. One
        # bound at a time, over the bounds some community uses (the rest are inf): a table of
        # all bounds per location would need residents x (units + 2) floats.
        col = np.zeros(len(community), dtype=np.int64)
        for k in range(1, self._bounds_used + 1):
            col += xr >= self._comm_bounds[community, k]
        col = np.clip(col, 0, self._comm_bounds.shape[1] - 2)
        rows = self._comm_rows[community, col]
        row = np.minimum((yr * rows).astype(int), rows - 1)
        return self._comm_pool[community] + self._comm_first[community, col] + row

    def _create_resident_agents(self) -> None:
        Resident.create_residents(self, len(self.population))

    # ------------------------------------------------------------------ the daily step
    def step(self) -> None:
        """One day, in the order of the ODD process overview (section 3)."""
        t0, t1 = self.day * 24.0, (self.day + 1) * 24.0
        party.mobilise_volunteers_weekly(self)  # 0
        new = needs.arise_needs(self, t0)  # 1
        detection.decide_reporting(self, new)  # 2
        patrol.supervise(self, t0, t1)  # 3a
        detection.learn_of_reports(self, t1)  # 3
        routing.route(self, t1)  # 4
        duties.start_week(self, t0)  # 5a
        handling.handle(self, t0, t1)  # 5
        duties.work_off(self, t0, t1)  # 5b
        patrol.patrol_and_inspect(self, t0, t1)  # 6
        detection.give_up_unknown(self, t1)  # 7
        satisfaction.feel_outcomes(self, t1)  # 8
        satisfaction.fade_memories(self)  # 9
        party.evaluate_branches(self)  # 10
        self.record_day()  # 11
        self.day += 1

    def run(self, days: int, progress=None) -> None:
        for _ in range(days):
            self.step()
            if progress is not None:
                progress(self.day)

    def record_day(self) -> None:
        if (self.day + 1) % MONTH_DAYS == 0:
            self.booked_by_month.append((self.day + 1, self.front_pools.busy_by_pool(), self.dept_pools.busy_by_pool()))
        pop = self.population
        self.daily.append(
            {
                "day": self.day,
                "satisfaction_mean": float(pop.satisfaction.mean()),
                "satisfaction_known_mean": float(pop.satisfaction_known.mean()),
                "trust_mean": float(pop.trust.mean()),
                "expectation_mean": float(pop.expectation.mean()),
            }
        )
