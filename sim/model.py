"""GovernanceModel: needs, detection, routing, handling and satisfaction, one day per step.

The model takes typed parameters (:class:`~sim.params.Scenario`, :class:`~sim.params.Policy`)
and a seed. It knows nothing of Hydra, files or plots: :meth:`GovernanceModel.results`
returns data, and ``sim.run`` writes it.

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

from sim import institutions, rules
from sim.agents import Resident
from sim.calendar import WEEK_H
from sim.handling import PoolGroup, serve_pools
from sim.issues import (
    COUNTER,
    DEPARTMENT,
    DIGITAL,
    FRONT_LINE,
    HOTLINE,
    PATROL,
    VISIT,
    VOLUNTEER,
    IssueTable,
)
from sim.params import SERVICE_TYPES, Policy, Scenario, queueing_reduction
from sim.world import Population, Territory

FACILITY = SERVICE_TYPES.index("facility")


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
        pop_seq, needs_seq, policy_seq = np.random.SeedSequence(seed).spawn(3)
        self.needs_rng = np.random.default_rng(needs_seq)
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

    # ------------------------------------------------------------------ construction
    def _expected_issues_per_day(self) -> float:
        sc = self.scenario
        return self.population.need_rate.sum() * 24 + sc.facility_faults_per_1k * sc.n_residents / 1000 / 365

    def n_workers(self) -> int:
        """Front-line staff: their part of the paid budget (``institutions.split_staff``).
        The queueing validation pins it with ``scenario.servers``."""
        sc = self.scenario
        if sc.servers is not None:
            return int(sc.servers)
        return self.front_staff_total

    def handling_share(self) -> float:
        """Share of a worker's shift left for handling after patrol and appraisal: the
        traditional appraisal, or 四指同评 in its place."""
        po, sc = self.policy, self.scenario
        hours = sc.evaluation_overhead_h if po.evaluation else sc.appraisal_overhead_h
        period_h = sc.evaluation_period_days / 7 * self.service_calendar.hours_per_week
        return 1.0 - po.patrol_share - hours / period_h

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
        """One day, in the order of the ODD process overview."""
        t0, t1 = self.day * 24.0, (self.day + 1) * 24.0
        self.mobilise_volunteers_weekly()
        new = self.arise_needs(t0)
        self.decide_reporting(new)
        visits = self.patrol_and_visit(t0, t1)
        self.detect(t1, visits)
        self.route(t1)
        self.handle(t1)
        self.feel_outcomes(t1)
        self.fade_memories()
        self.evaluate_branches()
        self.record_day()
        self.day += 1

    def run(self, days: int, progress=None) -> None:
        for _ in range(days):
            self.step()
            if progress is not None:
                progress(self.day)

    # 1. needs arise -------------------------------------------------------------------
    def arise_needs(self, t0: float) -> np.ndarray:
        """Needs of residents (personal rates) and faults of components, for one day."""
        rng, pop, sc = self.needs_rng, self.population, self.scenario
        rate = pop.need_rate
        per_resident = self._per_resident_rate
        total = self._cum_rate[-1] if len(self._cum_rate) else 0.0
        n = rng.poisson(total * 24.0)
        res = np.minimum(np.searchsorted(self._cum_rate, rng.random(n) * total, side="right"), len(pop) - 1)
        u = rng.random(n) * per_resident[res]
        # Type of each need: where u falls among the resident's cumulative rates by type
        # (computed for today's residents only; the same numbers as a table for everyone).
        kind = (np.cumsum(rate[res], 1) < u[:, None]).sum(1)
        fault_rate = sc.facility_faults_per_1k * sc.n_residents / 1000 / 8760
        m = rng.poisson(fault_rate * 24.0)
        fault_comm = rng.integers(0, self.territory.n_communities, size=m)
        fx, fy = self.territory.random_points(fault_comm, rng)
        total_new = n + m
        created = t0 + rng.random(total_new) * 24.0
        draws = {name: rng.random(total_new).astype(np.float32) for name in ("u_report", "u_solved")}
        exponential = ("e_delay", "e_service", "e_report")
        draws |= {name: rng.standard_exponential(total_new).astype(np.float32) for name in exponential}
        draws["e_service"] = rules.service_factor(draws["e_service"], sc.service_time_shape)
        e_patience = rng.standard_exponential(total_new)
        kind = np.concatenate([kind, np.full(m, FACILITY)]).astype(np.int8)
        order = np.argsort(created, kind="stable")
        community = np.concatenate([pop.community[res], fault_comm])
        x = np.concatenate([pop.x[res], fx])
        y = np.concatenate([pop.y[res], fy])
        ids = self.issues.append(
            resident_id=np.concatenate([res, np.full(m, -1)])[order],
            service_type=kind[order],
            community=community[order],
            x=x[order],
            y=y[order],
            created_h=created[order],
            give_up_h=(created + e_patience * self.patience_h[kind])[order],
            **{k: v[order] for k, v in draws.items()},
        )
        return ids

    # 2. detection ---------------------------------------------------------------------
    def decide_reporting(self, ids: np.ndarray) -> None:
        """When each new need would be reported, and through which channel: at once (after a
        short delay) with the resident's willingness, or else on a later day, with a daily
        hazard that rises as the need worsens (repeat reporting); never if neither comes."""
        iss, pop, sc = self.issues, self.population, self.scenario
        res = iss["resident_id"][ids]
        people = np.flatnonzero(res >= 0)
        faults = np.flatnonzero(res < 0)
        r = res[people]
        kind = pop.category[r].astype(np.int64) * 2 + pop.digital[r]  # the key of _channel_table
        willing = np.zeros(len(ids))
        willing[people] = rules.willingness(
            pop.propensity[r], pop.trust[r], sc.initial_trust, sc.trust_elasticity, self._channel_ease[kind]
        )
        code, cal, p = self._fault_channel
        willing[faults] = p
        decided = self._decision_time(ids, willing)
        report_h = np.full(len(ids), np.inf)
        channel = np.zeros(len(ids), dtype=np.int8)
        groups = [(people[kind == k], usable) for k, usable in enumerate(self._channel_usable) if usable]
        for sel, usable in [*groups, (faults, [(code, cal)])]:
            sel = sel[np.isfinite(decided[sel])]
            for code, cal in usable:  # the channel that opens first after the decision
                t = decided[sel] if cal.always_open else cal.next_open(decided[sel])
                sooner = t < report_h[sel]
                report_h[sel[sooner]] = t[sooner]
                channel[sel[sooner]] = code
        iss["report_h"][ids] = report_h
        iss["report_channel"][ids] = channel
        self._undetected = np.concatenate([self._undetected, ids])

    def _decision_time(self, ids: np.ndarray, willing: np.ndarray) -> np.ndarray:
        """When the resident decides to report each need (inf: never): at once with
        probability ``willing`` (after a delay), else when the repeat-reporting hazard strikes."""
        iss, sc = self.issues, self.scenario
        created = iss["created_h"][ids]
        prompt = np.where(iss["u_report"][ids] < willing, created + iss["e_delay"][ids] * sc.report_delay_h, np.inf)
        later = created + rules.repeat_report_after_h(
            iss["e_report"][ids], sc.repeat_report_per_day * willing, sc.worsening_per_day, sc.worsening_cap
        )
        return np.fmin(prompt, later)

    def patrol_and_visit(self, t0: float, t1: float) -> dict:
        """Workers walk their area for ``patrol_share`` of today's shift, visiting households
        (each visit costs ``visit_h``): they learn of needs and refresh what they know."""
        po, sc, pop = self.policy, self.scenario, self.population
        if po.patrol_share <= 0:
            return {}
        cal = self.service_calendar
        w0, w1 = cal.clock(t0), cal.clock(t1)
        open_today = w1 - w0
        if open_today <= 0:
            return {}
        sizes = self._pool_sizes
        expected = self._front_staff * po.patrol_share * open_today / sc.visit_h
        n_visits = np.floor(expected + self.policy_rng.random(len(expected))).astype(int)
        n_visits = np.where(sizes > 0, n_visits, 0)
        pool = np.repeat(np.arange(len(sizes)), n_visits)
        who = self._pool_members[
            self._pool_offsets[pool] + (self.policy_rng.random(len(pool)) * sizes[pool]).astype(int)
        ]
        when = cal.time_at_array(w0 + self.policy_rng.random(len(pool)) * open_today)
        # Nobody answers the door of an absent resident (their category's hours away).
        hour = np.floor(when).astype(np.int64) % WEEK_H
        home = ~self._away_hours[pop.category[who], hour]
        who, when = who[home], when[home]
        first_visit = self._visit_buffers()
        if len(who):
            # Per visited resident: the first visit (detection) and the last (contact).
            # ufunc.at gives the exact minimum and maximum without sorting the visits.
            np.minimum.at(first_visit, who, when)
            np.maximum.at(self._last_visit, who, when)
            self._visited = who
            # Each resident's last visit (a resident seen twice at the very same moment would
            # appear twice, with the same time, which records the same contact).
            last = self._last_visit[who] == when
            pop.record_contact(who[last], when[last])
        coverage = np.divide(n_visits, sizes, out=np.zeros(len(sizes)), where=sizes > 0)
        return {
            "first_visit": first_visit,
            "last_visit": self._last_visit,
            "coverage": np.minimum(coverage, 1.0),
            "w0": w0,
            "open": open_today,
        }

    def _visit_buffers(self) -> np.ndarray:
        """Per-resident first and last visit times of today (inf and -inf where none),
        kept between days and reset only where yesterday's visits wrote: filling two arrays
        of 820,000 every day would cost more than the visits. Made on the first patrol day,
        so a regime without patrol never holds them. Returns the first-visit array."""
        if not hasattr(self, "_first_visit"):
            n = len(self.population)
            self._first_visit, self._last_visit = np.full(n, np.inf), np.full(n, -np.inf)
            self._visited = np.empty(0, dtype=np.int64)
        self._first_visit[self._visited] = np.inf
        self._last_visit[self._visited] = -np.inf
        self._visited = np.empty(0, dtype=np.int64)
        return self._first_visit

    def detect(self, t1: float, visits: dict) -> None:
        """Issues become known by report, household visit or patrol, or are given up on
        (abandoned, never known) when the resident's patience runs out first."""
        iss = self.issues
        ids = self._undetected
        created, give_up = iss["created_h"][ids], iss["give_up_h"][ids]
        when = iss["report_h"][ids].copy()
        how = iss["report_channel"][ids].copy()
        if visits:
            res = iss["resident_id"][ids]
            # The day's first visit at or after the need arose (of the first and last visits).
            r = np.maximum(res, 0)
            first, last = visits["first_visit"][r], visits["last_visit"][r]
            vt = np.where(res < 0, np.inf, np.where(first >= created, first, np.where(last >= created, last, np.inf)))
            # Each visit surfaces a pending need with a probability; one missed today may be
            # found on a later visit.
            found = vt < when
            found[found] = self.policy_rng.random(int(found.sum())) < self.scenario.visit_detection_prob
            when[found], how[found] = vt[found], VISIT
            faults = np.flatnonzero(res < 0)
            if len(faults):
                # A fault is found on patrol with the day's coverage of its pool, at a random
                # moment of the shift.
                u_hit = self.policy_rng.random(len(faults))
                u_when = self.policy_rng.random(len(faults))
                f = ids[faults]
                fp = self.pool_of(iss["community"][f], iss["x"][f], iss["y"][f])
                hit = u_hit < visits["coverage"][fp]
                faults, u_when = faults[hit], u_when[hit]
                pt = self.service_calendar.time_at_array(visits["w0"] + u_when * visits["open"])
                found = (pt >= created[faults]) & (pt < when[faults])
                when[faults[found]], how[faults[found]] = pt[found], PATROL
        known = (when < t1) & (when <= give_up)
        lost = ~known & (give_up < t1)
        iss["reported_h"][ids[known]] = when[known]
        iss["channel"][ids[known]] = how[known]
        iss["abandoned_h"][ids[lost]] = give_up[lost]
        self._in_transit = np.concatenate([self._in_transit, ids[known]])
        self._outcomes = np.concatenate([self._outcomes, ids[lost]])
        self._undetected = ids[~known & ~lost]

    # 3. routing -------------------------------------------------------------------------
    def route(self, t1: float) -> None:
        """Assign handler and dispatch time to issues that became known today."""
        iss, po, sc, pop = self.issues, self.policy, self.scenario, self.population
        ids = self._in_transit[np.isnan(iss["dispatched_h"][self._in_transit])]
        if len(ids) == 0:
            return
        kind = iss["service_type"][ids]
        res = iss["resident_id"][ids]
        front = self.front_line_types[kind]
        reported = np.isin(iss["channel"][ids], (COUNTER, HOTLINE, DIGITAL))
        elsewhere = (res >= 0) & (pop.registration[np.maximum(res, 0)] != pop.community[np.maximum(res, 0)])
        bounced = reported & elsewhere & (not po.linkage)
        via_hotline = iss["channel"][ids] == HOTLINE
        h = rules.hops(front, po.routing, via_hotline, sc.hierarchy_hops, bounced, sc.bounce_hops)
        iss["hops"][ids] = h
        arrives = iss["reported_h"][ids] + h * sc.hop_delay_h
        # A resident whose patience runs out while the case is passed between offices gives
        # up then: the case never reaches a queue.
        lost = iss["give_up_h"][ids] < arrives
        if lost.any():
            gone = ids[lost]
            iss["abandoned_h"][gone] = iss["give_up_h"][gone]
            self._in_transit = self._in_transit[~np.isin(self._in_transit, gone)]
            self._outcomes = np.concatenate([self._outcomes, gone])
            ids, kind, front, arrives = ids[~lost], kind[~lost], front[~lost], arrives[~lost]
        iss["dispatched_h"][ids] = arrives
        handler = np.where(front, FRONT_LINE, DEPARTMENT).astype(np.int8)
        pool = kind.astype(np.int32)  # a department's pool is its service line
        local = ids[front]
        pool[front] = self.pool_of(iss["community"][local], iss["x"][local], iss["y"][local])
        if po.mobilisation:
            handler = self._mobilise(ids, kind, handler)
        iss["handler"][ids] = handler
        iss["pool"][ids] = pool

    def _mobilise(self, ids, kind, handler):
        """Eligible cases go to the community's party volunteers while the branch has hours
        left this week (its weekly budget is its queue: a case it cannot take goes to staff).
        Volunteers start after mobilisation, in their own hours, travel from the community's
        centre, and a case that waited has grown like any other. Their times are set here."""
        iss, sc = self.issues, self.scenario
        eligible = np.flatnonzero(self.volunteer_eligible[kind])
        order = eligible[np.argsort(iss["reported_h"][ids[eligible]], kind="stable")]
        rows = ids[order]
        cal = self.volunteer_calendar
        start = cal.next_open(iss["dispatched_h"][rows] + sc.mobilisation_delay_h)
        grown = np.minimum(1.0 + sc.worsening_per_day * (start - iss["created_h"][rows]) / 24.0, sc.worsening_cap)
        hands_on = iss["e_service"][rows] * self._service_h(kind[order], VOLUNTEER) * grown
        cx, cy = self._community_centre
        comm = iss["community"][rows]
        travel = (np.abs(cx[comm] - iss["x"][rows]) + np.abs(cy[comm] - iss["y"][rows])) / sc.travel_kmh
        travel = travel if sc.travel else np.zeros(len(rows))
        booked = hands_on + travel
        # Volunteers are offered a case only if they can start before the resident gives up.
        in_time = (start <= iss["give_up_h"][rows]).tolist()
        branches, pairing = self.branches, self.policy.pairing
        offers = zip(in_time, comm.tolist(), booked.tolist())
        taken = np.array([ok and branches[c].take(h, pairing) is not None for ok, c, h in offers], dtype=bool)
        took = rows[taken]
        iss["started_h"][took] = start[taken]
        iss["resolved_h"][took] = cal.end_at_array(cal.clock_array(start[taken]) + booked[taken])
        iss["travel_h"][took] = travel[taken]
        iss["work_h"][took] = hands_on[taken]
        handler[order[taken]] = VOLUNTEER
        return handler

    def _service_h(self, kind, handler) -> np.ndarray:
        """Mean hands-on time; a tailored remedy takes longer (front line and volunteers)."""
        base = self.service_mean_h[kind]
        tailored = self.policy.remedy == "tailored"
        factor = np.where(tailored & (handler != DEPARTMENT), self.scenario.tailoring_time_factor, 1.0)
        return base * np.where(kind == FACILITY, 1.0, factor)

    # 4. handling ------------------------------------------------------------------------
    def handle(self, t1: float) -> None:
        """Cases that reach their handler today join its queue (FCFS by arrival)."""
        iss = self.issues
        ids = self._in_transit
        due = iss["dispatched_h"][ids] < t1
        today, self._in_transit = ids[due], ids[~due]
        if len(today) == 0:
            return
        today = today[np.argsort(iss["dispatched_h"][today], kind="stable")]
        late = iss["give_up_h"][today] < iss["dispatched_h"][today]
        iss["abandoned_h"][today[late]] = iss["give_up_h"][today[late]]
        self._outcomes = np.concatenate([self._outcomes, today])
        today = today[~late]
        handler = iss["handler"][today]
        kind = iss["service_type"][today]
        work = iss["e_service"][today] * self._service_h(kind, handler)
        # Volunteers' cases were scheduled when they were routed (_mobilise).
        for which, pools in ((FRONT_LINE, self.front_pools), (DEPARTMENT, self.dept_pools)):
            sel = handler == which
            if sel.any():
                self._serve(pools, today[sel], work[sel])

    def _serve(self, pools: PoolGroup, ids: np.ndarray, work: np.ndarray) -> None:
        """Queue the cases ``ids`` (in dispatch order) at their pools, all pools at once."""
        iss, sc = self.issues, self.scenario
        out = serve_pools(
            pools,
            iss["pool"][ids],
            iss["dispatched_h"][ids],
            iss["give_up_h"][ids],
            iss["created_h"][ids],
            iss["x"][ids].astype(float),
            iss["y"][ids].astype(float),
            work,
            sc.worsening_per_day / 24.0,
            sc.worsening_cap,
        )
        iss["started_h"][ids] = out.started_h
        iss["resolved_h"][ids] = out.resolved_h
        iss["abandoned_h"][ids] = np.where(np.isnan(out.resolved_h), out.abandoned_h, np.nan)
        iss["travel_h"][ids] = out.travel_h
        iss["work_h"][ids] = out.work_h

    # 5-6. remedy fit and satisfaction -------------------------------------------------
    def feel_outcomes(self, t1: float) -> None:
        """Residents feel what happened today: remedy fit, timeliness, disconfirmation."""
        iss = self.issues
        ids = self._outcomes
        when = np.fmin(iss["resolved_h"][ids], iss["abandoned_h"][ids])
        now = when < t1
        today = ids[now][np.argsort(when[now], kind="stable")]
        self._outcomes = ids[~now]
        resolved = today[~np.isnan(iss["resolved_h"][today])]
        self._fit(resolved)
        people = today[iss["resident_id"][today] >= 0]
        # A resident with several outcomes today feels them in time order, one round each.
        while len(people):
            res = iss["resident_id"][people]
            _, first = np.unique(res, return_index=True)
            first = np.sort(first)
            self._update_residents(people[first])
            people = np.delete(people, first)

    def _fit(self, ids: np.ndarray) -> None:
        iss, sc, po, pop = self.issues, self.scenario, self.policy, self.population
        kind = iss["service_type"][ids]
        res = np.maximum(iss["resident_id"][ids], 0)
        person = (iss["resident_id"][ids] >= 0) & (kind != FACILITY)
        dev = sc.need_heterogeneity * pop.z[res, np.minimum(kind, pop.z.shape[1] - 1)]
        local = iss["handler"][ids] != DEPARTMENT
        accuracy = np.zeros(len(ids))
        if po.remedy == "tailored":
            age = iss["started_h"][ids] - pop.contact_before(res, iss["started_h"][ids])
            accuracy = np.where(local, rules.information_accuracy(age, sc.info_decay_days), 0.0)
        fit = np.where(person, rules.remedy_fit(dev, sc.fit_tolerance, accuracy), 1.0)
        iss["fit"][ids] = fit
        iss["solved"][ids] = (iss["u_solved"][ids] < fit).astype(np.int8)
        # Handling a case in person is contact: the front line learns about the person.
        seen = person & local
        pop.record_contact(res[seen], iss["resolved_h"][ids][seen])

    def _update_residents(self, ids: np.ndarray) -> None:
        iss, sc, pop = self.issues, self.scenario, self.population
        res = iss["resident_id"][ids]
        created = iss["created_h"][ids]
        resolved = iss["resolved_h"][ids]
        done = ~np.isnan(resolved)
        end = np.where(done, resolved, iss["abandoned_h"][ids])
        waited_days = (end - created) / 24.0
        quality = np.where(
            done,
            sc.timeliness_weight * rules.timeliness(end - created, sc.timeliness_h)
            + (1 - sc.timeliness_weight) * np.nan_to_num(iss["fit"][ids].astype(float)),
            0.0,
        )
        sat = pop.satisfaction[res] * np.exp(-sc.waiting_erosion_per_day * waited_days)
        felt = rules.experience(quality, pop.expectation[res], sc.negativity_bias)
        pop.satisfaction[res] = rules.move_towards(sat, felt, sc.satisfaction_rate)
        pop.expectation[res] = rules.move_towards(pop.expectation[res], quality, sc.expectation_rate)
        pop.trust[res] = rules.move_towards(pop.trust[res], pop.satisfaction[res], sc.trust_rate)

    def fade_memories(self) -> None:
        """Once a week, satisfaction and trust drift back towards their initial values
        (e-folding ``memory_days``): what happened long ago weighs less."""
        if (self.day + 1) % 7:
            return
        sc, pop = self.scenario, self.population
        keep = np.exp(-7.0 / sc.memory_days)
        pop.satisfaction[:] = sc.initial_satisfaction + keep * (pop.satisfaction - sc.initial_satisfaction)
        pop.trust[:] = sc.initial_trust + keep * (pop.trust - sc.initial_trust)

    # 7. evaluation ------------------------------------------------------------------------
    def mobilise_volunteers_weekly(self) -> None:
        """Each week the branches start with the volunteer hours they can mobilise."""
        if self.day % 7 == 0 and self.policy.mobilisation:
            for b in self.branches:
                b.refill(self.scenario.volunteer_h_per_week)
            self.volunteer_weeks.append(sum(b.hours_left for b in self.branches))

    def evaluate_branches(self) -> None:
        """四指同评: each period, branches get base points, additions for resolved cases and
        satisfied residents, deductions for abandoned ones; the score moves their effort."""
        sc, po = self.scenario, self.policy
        if not po.evaluation or (self.day + 1) % sc.evaluation_period_days:
            return
        iss = self.issues.view()
        t1 = (self.day + 1) * 24.0
        t0 = t1 - sc.evaluation_period_days * 24.0
        nc = self.territory.n_communities
        comm = iss["community"]
        resolved = np.bincount(comm[(iss["resolved_h"] >= t0) & (iss["resolved_h"] < t1)], minlength=nc)
        abandoned = np.bincount(comm[(iss["abandoned_h"] >= t0) & (iss["abandoned_h"] < t1)], minlength=nc)
        closed = np.maximum(resolved + abandoned, 1)
        sat = np.bincount(self.population.community, self.population.satisfaction, nc) / np.maximum(
            np.bincount(self.population.community, minlength=nc), 1
        )
        score = 60 + 30 * resolved / closed + 20 * sat - 20 * abandoned / closed
        for b, s in zip(self.branches, score):
            b.score = float(s)
            b.effort = float(np.clip(b.effort * (1 + sc.evaluation_gain * (s - score.mean()) / 100), 0.5, 2.0))

    def record_day(self) -> None:
        pop = self.population
        self.daily.append(
            {
                "day": self.day,
                "satisfaction_mean": float(pop.satisfaction.mean()),
                "trust_mean": float(pop.trust.mean()),
                "expectation_mean": float(pop.expectation.mean()),
            }
        )
