"""The queues of handling: pools of staff who share one first-come-first-served queue.

A pool has ``c`` servers (grid workers, central staff or department staff) who work the hours
of one calendar and spend a fixed share of them on handling (the rest goes to patrol, visits
and evaluation paperwork). On the pool's working clock W(t) = open hours elapsed, where a case
needing d hours of handling occupies a server for d / share, the pool is an ordinary c-server
FCFS queue, so the Kiefer-Wolfowitz recursion gives exact start and finish times: each case
goes to the server that frees first. A case whose resident gives up before it starts leaves
the queue without using a server (reneging).

Travel is part of the work: a server goes from where it last worked to the case, at the
scenario's speed, on the handling clock. Where travel is off (queueing validation) it is zero.

Speed (district scale: 1.6 M cases a year, up to 2,600 pools): all pools of one kind are served
in one call per day (:func:`serve_pools`). Pools of several servers go through one tight loop
over their cases; pools of one server (a grid worker per grid unit) keep their state in the
arrays of their :class:`PoolGroup` and are served in lockstep, the r-th case of every pool at
once. Both do the same floating-point operations in the same order as serving one case at a
time, so the results are the same to the last bit.
"""

from __future__ import annotations

import functools
import heapq
import math
import operator
from dataclasses import dataclass

import numpy as np

from sim.model.calendar import WEEK_H, Calendar

BEFORE_CASES = ("overdue", "passing_on")
"""Work a pool books before any case (:meth:`PoolGroup.block`): duties overdue at a week's end
(``scenario.duty_schedule=scheduled``), and the hours spent receiving and passing on cases that
another pool handles (:mod:`sim.model.routing`)."""


@dataclass
class PoolOutcome:
    """Per-case results of :meth:`ServerPool.serve`, aligned with its input order."""

    started_h: np.ndarray
    resolved_h: np.ndarray
    abandoned_h: np.ndarray
    travel_h: np.ndarray
    work_h: np.ndarray
    server: np.ndarray
    w_start: np.ndarray  # start and end of each case on its pool's working clock (NaN if abandoned)
    w_end: np.ndarray


@dataclass
class ServerPool:
    """c servers with a shared queue, a calendar and a base location (km).

    Its state (when each server frees, where it last worked, hours booked) lives in the pool
    itself, or, for a pool of one server that belongs to a :class:`PoolGroup`, in the group's
    arrays; the properties below read it from wherever it is.
    """

    n_servers: int
    calendar: Calendar
    share: float  # share of open hours spent on handling
    base: tuple[float, float]
    speed_kmh: float
    travel: bool = True

    def __post_init__(self):
        if self.n_servers < 1:
            raise ValueError("a pool needs at least one server")
        self._heap = [(0.0, k) for k in range(self.n_servers)]  # (free on the working clock, server)
        self._px = [float(self.base[0])] * self.n_servers  # where each server last worked
        self._py = [float(self.base[1])] * self.n_servers
        self._busy_h = 0.0  # handling and travel booked, on the handling clock
        self._travel_h = 0.0
        self._fixed_h = 0.0  # of which per-case fixed time (documentation, triage)
        self._before_h = dict.fromkeys(BEFORE_CASES, 0.0)  # of which booked before cases (PoolGroup.block)
        self._served = 0
        self._group: PoolGroup | None = None  # holds the state instead (one server only)
        self._slot = -1

    # -- state, wherever it lives
    @property
    def busy_h(self) -> float:
        """Handling hours booked so far (travel included)."""
        return float(self._group.busy[self._slot]) if self._group is not None else self._busy_h

    @property
    def travel_total_h(self) -> float:
        return float(self._group.travel_total[self._slot]) if self._group is not None else self._travel_h

    @property
    def fixed_total_h(self) -> float:
        """Per-case fixed time booked so far (documentation, triage): part of ``busy_h``."""
        return float(self._group.fixed_total[self._slot]) if self._group is not None else self._fixed_h

    def before_cases_h(self, kind: str) -> float:
        """Hours of ``kind`` (one of :data:`BEFORE_CASES`) booked before cases
        (:meth:`PoolGroup.block`): part of ``busy_h``."""
        return float(self._group.before_total[kind][self._slot]) if self._group is not None else self._before_h[kind]

    @property
    def served(self) -> int:
        """Cases started (and so resolved, possibly after the horizon)."""
        return int(self._group.served[self._slot]) if self._group is not None else self._served

    @property
    def _free(self) -> list[tuple[float, int]]:
        """(time the server frees on the working clock, server), as a heap."""
        return [(float(self._group.free[self._slot]), 0)] if self._group is not None else self._heap

    @property
    def pos_x(self) -> np.ndarray:
        """x (km) of where each server last worked; starts at the pool's base."""
        return np.array([self._group.px[self._slot]] if self._group is not None else self._px)

    @property
    def pos_y(self) -> np.ndarray:
        return np.array([self._group.py[self._slot]] if self._group is not None else self._py)

    def clock(self, t: np.ndarray) -> np.ndarray:
        """Open hours elapsed by ``t``. The queue runs on this clock; a case needing ``d``
        handling hours occupies a server for ``d / share`` of it (the rest of those open
        hours go to patrol and paperwork). Dividing durations, not the clock, keeps shift
        boundaries exact in floating point."""
        return self.calendar.clock_array(t)

    def serve(
        self, ready_h, give_up_h, created_h, x, y, service_h, worsening_per_h, worsening_cap, fixed_h=None
    ) -> PoolOutcome:
        """Queue cases (sorted by ``ready_h``) and return when each starts and ends.

        ``service_h`` is the hands-on time if handled at once; it grows by ``worsening_per_h``
        for each hour since the case arose, up to ``worsening_cap`` times. ``fixed_h`` (per
        case, default none) is time the case takes besides (documentation, triage), which does
        not grow.
        """
        group = self._group if self._group is not None else PoolGroup([self])
        index = next(i for i, p in enumerate(group) if p is self)
        which = np.full(len(ready_h), index, dtype=np.int64)
        return serve_pools(
            group, which, ready_h, give_up_h, created_h, x, y, service_h, worsening_per_h, worsening_cap, fixed_h
        )

    def free_w(self) -> np.ndarray:
        """When each server frees, on the working clock."""
        return np.array([w for w, _ in self._free], dtype=float)

    def capacity_h(self, horizon_h: float) -> float:
        """Handling hours this pool could give from 0 to ``horizon_h``."""
        return self.n_servers * self.share * float(self.clock(np.array([horizon_h]))[0])

    def committed_h(self, horizon_h: float) -> float:
        """Handling hours committed before ``horizon_h``: work booked past it is not counted."""
        w_h = float(self.clock(np.array([horizon_h]))[0])
        return self.busy_h - self.share * plain_sum(max(0.0, w - w_h) for w, _ in self._free)


class PoolGroup(list):
    """The pools served by one dispatch (the front line, or the departments): a list of
    :class:`ServerPool` (``None`` where a slot has no pool), which also holds the state of its
    single-server pools in arrays, one entry per such pool (its *slot*), so that
    :func:`serve_pools` can serve them in lockstep without touching the pool objects."""

    def __init__(self, pools):
        super().__init__(pools)
        present = [i for i, p in enumerate(self) if p is not None]
        self.calendars = list({id(self[i].calendar): self[i].calendar for i in present}.values())
        which_calendar = {id(c): k for k, c in enumerate(self.calendars)}
        self.calendar_of = np.full(len(self), -1, dtype=np.int64)  # per pool: index in calendars
        self.calendar_of[present] = [which_calendar[id(self[i].calendar)] for i in present]
        singles = [i for i in present if self[i].n_servers == 1]
        self.slot = np.full(len(self), -1, dtype=np.int64)  # per pool: its slot, -1 if several servers
        self.slot[singles] = np.arange(len(singles))
        pools_1 = [self[i] for i in singles]
        if any(p._group is not None for p in pools_1):
            raise ValueError("a pool belongs to one PoolGroup at most (its state lives there)")
        self.free = np.array([p._free[0][0] for p in pools_1], dtype=float)
        self.px = np.array([p.pos_x[0] for p in pools_1], dtype=float)
        self.py = np.array([p.pos_y[0] for p in pools_1], dtype=float)
        self.busy = np.array([p.busy_h for p in pools_1], dtype=float)
        self.travel_total = np.array([p.travel_total_h for p in pools_1], dtype=float)
        self.fixed_total = np.array([p.fixed_total_h for p in pools_1], dtype=float)
        self.before_total = {k: np.array([p.before_cases_h(k) for p in pools_1], dtype=float) for k in BEFORE_CASES}
        self.served = np.array([p.served for p in pools_1], dtype=np.int64)
        self.stretch = np.array([1.0 / p.share for p in pools_1], dtype=float)
        self.inv_speed = np.array([1.0 / p.speed_kmh if p.travel else 0.0 for p in pools_1], dtype=float)
        for s, p in enumerate(pools_1):
            p._group, p._slot = self, s

    def busy_in_window(self, w0: float, open_h: float) -> np.ndarray:
        """Per pool (0 for an empty slot): the open hours of the window [w0, w0 + open_h) that
        its servers spend on cases already booked. A server is busy without a break from the
        window's start until it frees when every case it was given was ready by the window's
        start, as cases of earlier days are."""
        out = np.zeros(len(self))
        singles = np.flatnonzero(self.slot >= 0)
        out[singles] = np.clip(self.free[self.slot[singles]] - w0, 0.0, open_h)
        for i in np.flatnonzero((self.slot < 0) & (self.calendar_of >= 0)):
            out[i] = np.clip(self[i].free_w() - w0, 0.0, open_h).sum()
        return out

    def busy_by_pool(self) -> np.ndarray:
        """Per pool (0 for an empty slot): the hours booked so far (``ServerPool.busy_h``)."""
        out = np.zeros(len(self))
        singles = np.flatnonzero(self.slot >= 0)
        out[singles] = self.busy[self.slot[singles]]
        for i in np.flatnonzero((self.slot < 0) & (self.calendar_of >= 0)):
            out[i] = self[i]._busy_h
        return out

    def earliest_free(self, pools: np.ndarray) -> np.ndarray:
        """For each pool index in ``pools``: when its first server frees, on its working clock."""
        out = np.empty(len(pools))
        singles = self.slot[pools] >= 0
        out[singles] = self.free[self.slot[pools[singles]]]
        for j in np.flatnonzero(~singles):
            out[j] = self[pools[j]]._heap[0][0]
        return out

    def block(self, hours: np.ndarray, w_from: float, kind: str = "overdue") -> None:
        """Book ``hours`` (per pool, 0 for none) of work of ``kind`` (:data:`BEFORE_CASES`) that
        comes before any case from the working-clock moment ``w_from`` on, shared evenly by each
        pool's servers: each server takes its part as soon as it is free, and cases wait behind it."""
        hours = np.asarray(hours, dtype=float)
        for i in np.flatnonzero((hours > 0) & (self.slot < 0)):
            pool, h = self[i], float(hours[i])
            per_server = h / pool.n_servers / pool.share  # on the working clock
            pool._heap = [(max(w, w_from) + per_server, k) for w, k in pool._heap]
            heapq.heapify(pool._heap)
            pool._busy_h += h
            pool._before_h[kind] += h
        singles = np.flatnonzero((hours > 0) & (self.slot >= 0))
        s, h = self.slot[singles], hours[singles]
        share = np.array([self[i].share for i in singles], dtype=float)
        self.free[s] = np.maximum(self.free[s], w_from) + h / share
        self.busy[s] += h
        self.before_total[kind][s] += h


def plain_sum(values) -> float:
    """Sum floats left to right, rounding after each addition.

    Python 3.12's ``sum()`` compensates rounding error when all items are Python floats, but
    not for numpy scalars, which the queue loop used to produce. Summing pool totals this way
    keeps the reported KPIs identical to the last bit whatever the type of the items.
    """
    return functools.reduce(operator.add, values, 0.0)


@dataclass
class _Batch:
    """The cases of one ``serve_pools`` call, sorted by pool (FCFS within a pool), as numpy
    arrays, and what happens to them (filled in by the servers)."""

    w_ready: np.ndarray  # readiness on the pool's working clock
    give_up: np.ndarray
    created: np.ndarray
    x: np.ndarray
    y: np.ndarray
    service: np.ndarray  # hands-on hours if handled at once
    fixed: np.ndarray  # hours besides, which do not grow (documentation, triage)
    worsening_per_h: float
    worsening_cap: float

    def __post_init__(self):
        m = len(self.w_ready)
        self.started, self.w_end, self.abandoned, self.travel, self.work = (np.full(m, np.nan) for _ in range(5))
        self.w_start = np.full(m, np.nan)
        self.server = np.full(m, -1, dtype=np.int32)


def serve_pools(
    pools, which, ready_h, give_up_h, created_h, x, y, service_h, worsening_per_h, worsening_cap, fixed_h=None
) -> PoolOutcome:
    """Serve one batch of cases, each in its own pool: case ``j`` joins ``pools[which[j]]``.
    A case occupies its server for its travel, its hands-on time ``service_h`` (grown by
    worsening) and its ``fixed_h`` (default none), on the pool's stretched working clock.

    Cases are given sorted by ``ready_h``; each pool serves its own in that order (FCFS), as
    :meth:`ServerPool.serve` would one pool at a time. ``pools`` is a :class:`PoolGroup` (or a
    list, which is made into one). The numpy work per call is constant, not per pool: that
    dominated when there are a thousand grid units and a few cases each per day.
    """
    group = pools if isinstance(pools, PoolGroup) else PoolGroup(pools)
    m = len(ready_h)
    nan = (np.full(m, np.nan) for _ in range(7))
    out = PoolOutcome(*(next(nan) for _ in range(5)), np.full(m, -1, dtype=np.int32), next(nan), next(nan))
    if m == 0:
        return out
    which = np.asarray(which)
    order = np.argsort(which, kind="stable")  # by pool; FCFS (input order) within a pool
    pool = which[order]
    batch = _Batch(
        np.empty(m),
        np.asarray(give_up_h, dtype=float)[order],
        np.asarray(created_h, dtype=float)[order],
        np.asarray(x, dtype=float)[order],
        np.asarray(y, dtype=float)[order],
        np.asarray(service_h, dtype=float)[order],
        np.zeros(m) if fixed_h is None else np.broadcast_to(np.asarray(fixed_h, dtype=float), (m,))[order],
        worsening_per_h,
        worsening_cap,
    )
    calendar = group.calendar_of[pool]
    ready_sorted = np.asarray(ready_h, dtype=float)[order]
    for k, cal in enumerate(group.calendars):
        rows = np.flatnonzero(calendar == k)
        batch.w_ready[rows] = cal.clock_array(ready_sorted[rows])

    slot = group.slot[pool]
    _serve_loop(group, pool, np.flatnonzero(slot < 0), batch)
    for k, cal in enumerate(group.calendars):
        _serve_lockstep(group, cal, slot, np.flatnonzero((slot >= 0) & (calendar == k)), batch)

    resolved = np.full(m, np.nan)
    for k, cal in enumerate(group.calendars):
        done = np.flatnonzero((calendar == k) & ~np.isnan(batch.w_end))
        resolved[done] = cal.end_at_array(batch.w_end[done])
    out.started_h[order] = batch.started
    out.resolved_h[order] = resolved
    out.abandoned_h[order] = batch.abandoned
    out.travel_h[order] = batch.travel
    out.work_h[order] = batch.work
    out.server[order] = batch.server
    out.w_start[order] = batch.w_start
    out.w_end[order] = batch.w_end
    return out


def _segments(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop positions of the runs of equal values in ``keys`` (sorted)."""
    cuts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    return np.concatenate([[0], cuts]), np.concatenate([cuts, [len(keys)]])


def _serve_loop(group: PoolGroup, pool: np.ndarray, rows: np.ndarray, batch: _Batch) -> None:
    """Serve the cases ``rows`` (of pools with several servers) one by one, on plain floats:
    each goes to the server that frees first (ties to the lowest number)."""
    if len(rows) == 0:
        return
    starts, stops = _segments(pool[rows])
    wr, gives_up = batch.w_ready[rows].tolist(), batch.give_up[rows].tolist()
    created, base_s, fixed = batch.created[rows].tolist(), batch.service[rows].tolist(), batch.fixed[rows].tolist()
    xs, ys = batch.x[rows].tolist(), batch.y[rows].tolist()
    worsening_per_h, worsening_cap = batch.worsening_per_h, batch.worsening_cap
    m, nan = len(rows), math.nan
    started, w_start_of, w_end_of = [nan] * m, [nan] * m, [nan] * m
    abandoned, travel_of, work_of, server_of = [nan] * m, [nan] * m, [nan] * m, [-1] * m
    heapreplace = heapq.heapreplace
    for p, lo, hi in zip(pool[rows][starts].tolist(), starts.tolist(), stops.tolist()):
        srv = group[p]
        cal, free, px, py = srv.calendar, srv._heap, srv._px, srv._py
        hours, last_hour, cum, is_open = cal.hours_per_week, cal._last_hour_list, cal._cum_list, cal._mask_list
        stretch = 1.0 / srv.share
        inv_speed = 1.0 / srv.speed_kmh if srv.travel else 0.0
        busy, travel_total, fixed_total, served = srv._busy_h, srv._travel_h, srv._fixed_h, 0
        for j in range(lo, hi):
            free_w, k = free[0]
            w_start = free_w if free_w > wr[j] else wr[j]  # max(wr[j], free_w), tie to the first
            # t_start = cal.time_at(w_start), inlined: the same operations when the hour is
            # open, the call itself when work resumes after a closed spell.
            weeks, r = divmod(w_start, hours)
            i = last_hour[int(r)]
            t_start = weeks * WEEK_H + i + (r - cum[i]) if is_open[i] else cal.time_at(w_start)
            if t_start > gives_up[j]:  # reneges: gives up before a server is free
                abandoned[j] = gives_up[j]
                continue
            travel = (abs(px[k] - xs[j]) + abs(py[k] - ys[j])) * inv_speed
            worsening = 1.0 + worsening_per_h * (t_start - created[j])
            work = base_s[j] * (worsening_cap if worsening_cap < worsening else worsening)  # min(), tie to the first
            w_end = w_start + (travel + work + fixed[j]) * stretch
            heapreplace(free, (w_end, k))
            px[k], py[k] = xs[j], ys[j]
            started[j], w_end_of[j], travel_of[j], work_of[j], server_of[j] = t_start, w_end, travel, work, k
            w_start_of[j] = w_start
            busy += travel + work + fixed[j]
            travel_total += travel
            fixed_total += fixed[j]
            served += 1
        srv._busy_h, srv._travel_h, srv._fixed_h = busy, travel_total, fixed_total
        srv._served += served
    batch.started[rows], batch.w_end[rows], batch.abandoned[rows] = started, w_end_of, abandoned
    batch.w_start[rows] = w_start_of
    batch.travel[rows], batch.work[rows], batch.server[rows] = travel_of, work_of, server_of


def _serve_lockstep(group: PoolGroup, cal: Calendar, slot: np.ndarray, rows: np.ndarray, batch: _Batch) -> None:
    """Serve the cases ``rows`` (of single-server pools with calendar ``cal``) in rounds:
    round r takes the r-th case of every pool that has one. Each step is the loop's arithmetic
    on arrays, in the same order, so every pool sees the same numbers as in the loop."""
    if len(rows) == 0:
        return
    starts, stops = _segments(slot[rows])  # positions in rows of each pool's cases
    pools, lengths = slot[rows][starts], stops - starts
    by_length = np.argsort(-lengths, kind="stable")  # round r serves the first n_r of these
    neg_sorted = -lengths[by_length]
    cap, wp = batch.worsening_cap, batch.worsening_per_h
    free, px, py = group.free, group.px, group.py
    for r in range(int(lengths.max())):
        seg = by_length[: np.searchsorted(neg_sorted, -r, side="left")]  # pools with an r-th case
        a, j = pools[seg], rows[starts[seg] + r]
        w_ready = batch.w_ready[j]
        w_start = np.where(free[a] > w_ready, free[a], w_ready)  # max(), tie to the first
        t_start = cal.time_at_many(w_start)
        late = t_start > batch.give_up[j]  # reneges: gives up before the server is free
        batch.abandoned[j[late]] = batch.give_up[j[late]]
        ok = ~late
        a, j, w_start, t_start = a[ok], j[ok], w_start[ok], t_start[ok]
        travel = (np.abs(px[a] - batch.x[j]) + np.abs(py[a] - batch.y[j])) * group.inv_speed[a]
        worsening = 1.0 + wp * (t_start - batch.created[j])
        work = batch.service[j] * np.where(cap < worsening, cap, worsening)  # min(), tie to the first
        fixed = batch.fixed[j]
        w_end = w_start + (travel + work + fixed) * group.stretch[a]
        free[a], px[a], py[a] = w_end, batch.x[j], batch.y[j]
        group.busy[a] = group.busy[a] + (travel + work + fixed)
        group.travel_total[a] = group.travel_total[a] + travel
        group.fixed_total[a] = group.fixed_total[a] + fixed
        group.served[a] += 1
        batch.started[j], batch.w_end[j], batch.travel[j], batch.work[j] = t_start, w_end, travel, work
        batch.w_start[j] = w_start
        batch.server[j] = 0
