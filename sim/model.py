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

from sim import information, institutions, rules, workload
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
from sim.params import SERVICE_TYPES, Policy, Scenario, faults_per_year, queueing_reduction
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
        # Hours and counts the books of staff time need (sim.observe.time_use).
        self.books = dict.fromkeys(("patrol_extra_h", "inspection_h", "visits", "visits_home", "visits_intrusive"), 0.0)
        self._occupied = {}

    # ------------------------------------------------------------------ construction
    def _expected_issues_per_day(self) -> float:
        sc = self.scenario
        return self.population.need_rate.sum() * 24 + faults_per_year(sc) / 365

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
        """One day, in the order of the ODD process overview."""
        t0, t1 = self.day * 24.0, (self.day + 1) * 24.0
        self.mobilise_volunteers_weekly()
        new = self.arise_needs(t0)
        self.decide_reporting(new)
        self.learn_of_reports(t1)
        self.route(t1)
        self.handle(t0, t1)
        self.patrol_and_inspect(t0, t1)
        self.give_up_unknown(t1)
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
        fault_rate = faults_per_year(sc) / 8760
        m = rng.poisson(fault_rate * 24.0)
        fault_comm = rng.integers(0, self.territory.n_communities, size=m)
        fx, fy = self.territory.random_points(fault_comm, rng)
        total_new = n + m
        created = t0 + rng.random(total_new) * 24.0
        draws = {name: rng.random(total_new).astype(np.float32) for name in ("u_report", "u_solved")}
        exponential = ("e_delay", "e_service", "e_report")
        draws |= {name: rng.standard_exponential(total_new).astype(np.float32) for name in exponential}
        draws["e_service"] = rules.service_factor(draws["e_service"], sc.service_time_shape)
        draws |= {name: rng.standard_normal(total_new).astype(np.float32) for name in ("n_then", "n_noise")}
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

    def learn_of_reports(self, t1: float) -> None:
        """Needs and faults reported before the day ends become known (their patience not yet
        run out); the rest wait for a visit, a patrol, a later report or their giving up."""
        iss = self.issues
        ids = self._undetected
        when = iss["report_h"][ids]
        known = (when < t1) & (when <= iss["give_up_h"][ids])
        self._make_known(ids[known], when[known], iss["report_channel"][ids[known]])
        self._undetected = ids[~known]

    def _make_known(self, ids: np.ndarray, when: np.ndarray, channel) -> None:
        self.issues["reported_h"][ids] = when
        self.issues["channel"][ids] = channel
        self._in_transit = np.concatenate([self._in_transit, ids])

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
        """Mean hands-on time; a tailored remedy takes longer (front line and volunteers), and a
        generalist front line takes longer on the lines a specialist department would handle."""
        base = self.service_mean_h[kind]
        tailored = self.policy.remedy == "tailored"
        factor = np.where(tailored & (handler != DEPARTMENT), self.scenario.tailoring_time_factor, 1.0)
        generalist = np.where(
            (handler == FRONT_LINE) & self.specialist_types[kind], self.scenario.generalist_time_factor, 1.0
        )
        return base * np.where(kind == FACILITY, 1.0, factor) * generalist

    # 4. handling ------------------------------------------------------------------------
    def handle(self, t0: float, t1: float) -> None:
        """Cases that reach their handler today join its queue (FCFS by arrival; a case found
        yesterday joins today's). Each pool's open time today that cases take is kept for
        patrol and inspection, which get what cases leave."""
        iss = self.issues
        ids = self._in_transit
        due = iss["dispatched_h"][ids] < t1
        today, self._in_transit = ids[due], ids[~due]
        self._occupied = {which: self._carried(which, pools, t0, t1) for which, pools in self._staff_pools()}
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
        for which, pools in self._staff_pools():
            sel = handler == which
            if sel.any():
                self._serve(which, pools, today[sel], work[sel], t0, t1)

    def _staff_pools(self):
        return ((FRONT_LINE, self.front_pools), (DEPARTMENT, self.dept_pools))

    def _calendar_of(self, which: int):
        return self.service_calendar if which == FRONT_LINE else self.office_calendar

    def _carried(self, which: int, pools: PoolGroup, t0: float, t1: float) -> np.ndarray:
        """Per pool, the open hours of today that cases booked before today take."""
        cal = self._calendar_of(which)
        w0 = cal.clock(t0)
        return pools.busy_in_window(w0, cal.clock(t1) - w0)

    def _serve(self, which: int, pools: PoolGroup, ids: np.ndarray, work: np.ndarray, t0: float, t1: float) -> None:
        """Queue the cases ``ids`` (in dispatch order) at their pools, all pools at once; a
        case takes its travel, its hands-on ``work`` (grown while it waited) and its fixed
        time: documentation, and the triage of a report made through the digital channel."""
        iss, sc = self.issues, self.scenario
        fixed = sc.doc_h_per_case + sc.digital_triage_h * (iss["channel"][ids] == DIGITAL)
        out = serve_pools(
            pools,
            iss["pool"][ids],
            np.maximum(iss["dispatched_h"][ids], t0),
            iss["give_up_h"][ids],
            iss["created_h"][ids],
            iss["x"][ids].astype(float),
            iss["y"][ids].astype(float),
            work,
            sc.worsening_per_day / 24.0,
            sc.worsening_cap,
            fixed,
        )
        iss["started_h"][ids] = out.started_h
        iss["resolved_h"][ids] = out.resolved_h
        iss["abandoned_h"][ids] = np.where(np.isnan(out.resolved_h), out.abandoned_h, np.nan)
        iss["travel_h"][ids] = out.travel_h
        iss["work_h"][ids] = out.work_h
        cal = self._calendar_of(which)
        w0, w1 = cal.clock(t0), cal.clock(t1)
        overlap = workload.overlap_open_h(out.w_start, out.w_end, w0, w1)
        self._occupied[which] = self._occupied[which] + np.bincount(iss["pool"][ids], overlap, minlength=len(pools))

    # 5. patrol and inspection -------------------------------------------------------------
    def patrol_and_inspect(self, t0: float, t1: float) -> None:
        """With the hours that today's cases, duties and appraisal leave (and at least its
        floor), the front line patrols: it visits households, learning of their needs and
        refreshing what it knows, and walks public space, finding component faults; the
        facility department inspects public space with the hours its cases leave. Needs found
        today are routed tomorrow (cases came first today)."""
        sc = self.scenario
        front = self._front_patrol(t0, t1)
        dept = self._inspection(t0, t1)
        if front is None and dept is None:
            return
        faults = self._undetected[self.issues["resident_id"][self._undetected] < 0]
        if front is not None:
            hours, w0, open_h = front
            self._visit_households(hours * (1.0 - sc.patrol_street_share), w0, open_h)
            street = workload.coverage(hours * sc.patrol_street_share, sc.inspection_km2_per_h, self._pool_area)
            faults = self._find_faults(faults, street[self._fault_pool(faults)], self.service_calendar, w0, open_h)
        if dept is not None:
            hours, w0, open_h = dept
            cover = workload.coverage(hours, sc.inspection_km2_per_h, sc.area_km2)
            self._find_faults(faults, np.full(len(faults), float(cover)), self.office_calendar, w0, open_h)

    def _front_patrol(self, t0: float, t1: float):
        """Today's patrol hours of each front-line pool (None without patrol or open hours)."""
        po, cal = self.policy, self.service_calendar
        if po.patrol_share <= 0:
            return None
        w0, w1 = cal.clock(t0), cal.clock(t1)
        if w1 <= w0:
            return None
        servers, share = self._front_staff, self.shares["cases"]
        slack = np.maximum(servers * (w1 - w0) - self._occupied[FRONT_LINE], 0.0)
        hours, extra = workload.patrol_h(slack, share, servers, w1 - w0, po.patrol_share, po.patrol_floor)
        self.books["patrol_extra_h"] += float(extra.sum())
        return hours, w0, w1 - w0

    def _inspection(self, t0: float, t1: float):
        """Today's inspection hours of the facility department (None if it has no such
        department, no inspection or no open hours)."""
        pool = self.dept_pools[FACILITY]
        if pool is None or self.policy.inspection_share <= 0:
            return None
        cal = self.office_calendar
        w0, w1 = cal.clock(t0), cal.clock(t1)
        if w1 <= w0:
            return None
        slack = max(pool.n_servers * (w1 - w0) - self._occupied[DEPARTMENT][FACILITY], 0.0)
        _, extra = workload.patrol_h(slack, pool.share, pool.n_servers, w1 - w0, self.policy.inspection_share, 0.0)
        self.books["inspection_h"] += float(extra)
        return float(extra), w0, w1 - w0

    def _visit_households(self, hours: np.ndarray, w0: float, open_h: float) -> None:
        """Visits of random households of each pool at random moments of the shift, each
        costing ``visit_h`` and, where someone is home, ``doc_h_per_visit`` to log: those at
        home tell of their pending needs (each with ``visit_detection_prob``), refresh what
        staff know of them, and lose some satisfaction and trust if visited too soon again."""
        sc, pop, rng = self.scenario, self.population, self.policy_rng
        sizes = self._pool_sizes
        n_visits = np.floor(hours / (sc.visit_h + sc.doc_h_per_visit) + rng.random(len(hours))).astype(int)
        n_visits = np.where(sizes > 0, n_visits, 0)
        pool = np.repeat(np.arange(len(sizes)), n_visits)
        who = self._pool_members[self._pool_offsets[pool] + (rng.random(len(pool)) * sizes[pool]).astype(int)]
        when = self.service_calendar.time_at_array(w0 + rng.random(len(pool)) * open_h)
        # Nobody answers the door of an absent resident (their category's hours away).
        hour = np.floor(when).astype(np.int64) % WEEK_H
        home = ~self._away_hours[pop.category[who], hour]
        who, when = who[home], when[home]
        self.books["visits"] += len(pool)
        self.books["visits_home"] += len(who)
        if len(who) == 0:
            return
        order = np.argsort(when, kind="stable")  # in time order: fatigue counts the visit before
        who, when = who[order], when[order]
        self._tire(who, when)
        # Each resident's last visit today is the contact that refreshes what staff know.
        _, last = np.unique(who[::-1], return_index=True)
        last = len(who) - 1 - last
        pop.record_contact(who[last], when[last])
        self._find_needs(who, when)

    def _tire(self, who: np.ndarray, when: np.ndarray) -> None:
        """Visits within ``visit_fatigue_days`` of the resident's previous one intrude."""
        sc, pop = self.scenario, self.population
        for w, t in _in_rounds(who, when):
            hit = information.intrusive(pop.last_visit_h[w], t, sc.visit_fatigue_days)
            pop.last_visit_h[w] = t
            w = w[hit]
            self.books["visits_intrusive"] += len(w)
            pop.satisfaction[w] = information.tire(pop.satisfaction[w], sc.visit_fatigue_cost)
            pop.satisfaction_known[w] = information.tire(pop.satisfaction_known[w], sc.visit_fatigue_cost)
            pop.trust[w] = information.tire(pop.trust[w], sc.visit_fatigue_cost)

    def _find_needs(self, who: np.ndarray, when: np.ndarray) -> None:
        """Pending needs of the residents found at home (``who`` at ``when``, in time order)
        surface, each visit anew with ``visit_detection_prob``, at the first visit after the
        need arose that catches it."""
        iss, rng = self.issues, self.policy_rng
        ids = self._undetected
        cand = ids[np.isin(iss["resident_id"][ids], who)]
        if len(cand) == 0:
            return
        # Every (need, visit) pair of the need's resident, in visit order.
        by_res = np.argsort(who, kind="stable")
        first = np.searchsorted(who[by_res], iss["resident_id"][cand], side="left")
        count = np.searchsorted(who[by_res], iss["resident_id"][cand], side="right") - first
        need = np.repeat(np.arange(len(cand)), count)
        visit_t = when[by_res][np.repeat(first, count) + _ranks(count)]
        created = iss["created_h"][cand][need]
        ok = (visit_t >= created) & (visit_t <= iss["give_up_h"][cand][need]) & (visit_t < iss["report_h"][cand][need])
        caught = ok & (rng.random(len(need)) < self.scenario.visit_detection_prob)
        found_t = np.full(len(cand), np.inf)
        np.minimum.at(found_t, need[caught], visit_t[caught])
        found = np.isfinite(found_t)
        self._make_known(cand[found], found_t[found], VISIT)
        self._undetected = ids[~np.isin(ids, cand[found])]

    def _fault_pool(self, faults: np.ndarray) -> np.ndarray:
        iss = self.issues
        return self.pool_of(iss["community"][faults], iss["x"][faults], iss["y"][faults])

    def _find_faults(self, faults: np.ndarray, chance: np.ndarray, cal, w0: float, open_h: float) -> np.ndarray:
        """Each pending fault is found with ``chance`` (the day's share of its public space
        checked), at a random moment of the shift (if it has arisen and is not yet reported by
        then). Returns the faults still unknown."""
        iss, rng = self.issues, self.policy_rng
        if len(faults) == 0:
            return faults
        hit = rng.random(len(faults)) < chance
        when = cal.time_at_array(w0 + rng.random(len(faults)) * open_h)
        found = hit & (when >= iss["created_h"][faults]) & (when < iss["report_h"][faults])
        found &= when <= iss["give_up_h"][faults]
        self._make_known(faults[found], when[found], PATROL)
        self._undetected = self._undetected[~np.isin(self._undetected, faults[found])]
        return faults[~found]

    def give_up_unknown(self, t1: float) -> None:
        """Needs and faults still unknown whose patience ran out today are given up on
        (abandoned, never known to the state)."""
        iss = self.issues
        ids = self._undetected
        lost = iss["give_up_h"][ids] < t1
        iss["abandoned_h"][ids[lost]] = iss["give_up_h"][ids[lost]]
        self._outcomes = np.concatenate([self._outcomes, ids[lost]])
        self._undetected = ids[~lost]

    # 6-7. remedy fit and satisfaction -------------------------------------------------
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
        error = dev
        if po.remedy == "tailored":  # aimed at what the front line holds of the person
            age = iss["started_h"][ids] - pop.contact_before(res, iss["started_h"][ids])
            age = np.where(local, age, np.inf)  # a department holds no file: the standard
            held = information.tailoring_error(
                dev,
                age,
                sc.info_decay_days,
                sc.need_heterogeneity,
                sc.info_noise,
                iss["n_then"][ids],
                iss["n_noise"][ids],
            )
            error = np.where(local, held, dev)
        fit = np.where(person, rules.remedy_fit(error, sc.fit_tolerance), 1.0)
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
        erosion = np.exp(-sc.waiting_erosion_per_day * waited_days)
        felt = rules.experience(quality, pop.expectation[res], sc.negativity_bias)
        pop.satisfaction[res] = rules.move_towards(pop.satisfaction[res] * erosion, felt, sc.satisfaction_rate)
        # The same, counting only needs the state knew of (the measure that leaves out needs
        # never known; it drives nothing).
        known = ~np.isnan(iss["reported_h"][ids])
        k = res[known]
        moved = rules.move_towards(pop.satisfaction_known[k] * erosion[known], felt[known], sc.satisfaction_rate)
        pop.satisfaction_known[k] = moved
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
        pop.satisfaction_known[:] = sc.initial_satisfaction + keep * (pop.satisfaction_known - sc.initial_satisfaction)
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
                "satisfaction_known_mean": float(pop.satisfaction_known.mean()),
                "trust_mean": float(pop.trust.mean()),
                "expectation_mean": float(pop.expectation.mean()),
            }
        )


def _in_rounds(who: np.ndarray, when: np.ndarray):
    """Split visits (in time order) into rounds in which each resident appears once: the
    first visit of each, then the second, and so on."""
    while len(who):
        _, first = np.unique(who, return_index=True)
        first = np.sort(first)
        yield who[first], when[first]
        keep = np.ones(len(who), dtype=bool)
        keep[first] = False
        who, when = who[keep], when[keep]


def _ranks(count: np.ndarray) -> np.ndarray:
    """0 .. count[i] - 1 for each i, concatenated."""
    starts = np.cumsum(count) - count
    return np.arange(int(count.sum())) - np.repeat(starts, count)
