"""Handling: pools of staff who share one first-come-first-served queue.

A pool has ``c`` servers (grid workers, central staff or department staff) who work the hours
of one calendar and spend a fixed share of them on handling (the rest goes to patrol, visits
and evaluation paperwork). On the pool's working clock W(t) = open hours elapsed, where a case
needing d hours of handling occupies a server for d / share, the pool is an ordinary c-server
FCFS queue, so the Kiefer-Wolfowitz recursion gives exact start and finish times: each case
goes to the server that frees first. A case whose
resident gives up before it starts leaves the queue without using a server (reneging).

Travel is part of the work: a server goes from where it last worked to the case, at the
scenario's speed, on the handling clock. Where travel is off (queueing validation) it is zero.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from sim.calendar import Calendar


@dataclass
class PoolOutcome:
    """Per-case results of :meth:`ServerPool.serve`, aligned with its input order."""

    started_h: np.ndarray
    resolved_h: np.ndarray
    abandoned_h: np.ndarray
    travel_h: np.ndarray
    work_h: np.ndarray
    server: np.ndarray


@dataclass
class ServerPool:
    """c servers with a shared queue, a calendar and a base location (km)."""

    n_servers: int
    calendar: Calendar
    share: float  # share of open hours spent on handling
    base: tuple[float, float]
    speed_kmh: float
    travel: bool = True
    busy_h: float = 0.0  # handling, on the handling clock
    travel_total_h: float = 0.0
    served: int = 0
    _free: list = field(default_factory=list)

    def __post_init__(self):
        if self.n_servers < 1:
            raise ValueError("a pool needs at least one server")
        self._free = [(0.0, k) for k in range(self.n_servers)]
        self.pos_x = np.full(self.n_servers, self.base[0])
        self.pos_y = np.full(self.n_servers, self.base[1])

    def clock(self, t: np.ndarray) -> np.ndarray:
        """Open hours elapsed by ``t``. The queue runs on this clock; a case needing ``d``
        handling hours occupies a server for ``d / share`` of it (the rest of those open
        hours go to patrol and paperwork). Dividing durations, not the clock, keeps shift
        boundaries exact in floating point."""
        return self.calendar.clock_array(t)

    def serve(self, ready_h, give_up_h, created_h, x, y, service_h, worsening_per_h, worsening_cap) -> PoolOutcome:
        """Queue cases (sorted by ``ready_h``) and return when each starts and ends.

        ``service_h`` is the hands-on time if handled at once; it grows by ``worsening_per_h``
        for each hour since the case arose, up to ``worsening_cap`` times.
        """
        m = len(ready_h)
        out = PoolOutcome(*(np.full(m, np.nan) for _ in range(5)), np.full(m, -1, dtype=np.int32))
        if m == 0:
            return out
        cal, stretch, free = self.calendar, 1.0 / self.share, self._free
        w_ready = self.clock(ready_h).tolist()
        gives_up = give_up_h.tolist()
        created, xs, ys, base_s = created_h.tolist(), x.tolist(), y.tolist(), service_h.tolist()
        px, py = self.pos_x, self.pos_y
        inv_speed = 1.0 / self.speed_kmh if self.travel else 0.0
        for j in range(m):
            free_w, k = free[0]
            w_start = max(w_ready[j], free_w)
            t_start = cal.time_at(w_start)
            if t_start > gives_up[j]:
                out.abandoned_h[j] = gives_up[j]
                continue
            travel = (abs(px[k] - xs[j]) + abs(py[k] - ys[j])) * inv_speed
            work = base_s[j] * min(1.0 + worsening_per_h * (t_start - created[j]), worsening_cap)
            w_end = w_start + (travel + work) * stretch
            heapq.heapreplace(free, (w_end, k))
            px[k], py[k] = xs[j], ys[j]
            out.started_h[j] = t_start
            out.resolved_h[j] = cal.end_at(w_end)
            out.travel_h[j] = travel
            out.work_h[j] = work
            out.server[j] = k
            self.busy_h += travel + work
            self.travel_total_h += travel
        self.served += int(np.isfinite(out.resolved_h).sum())
        return out

    def capacity_h(self, horizon_h: float) -> float:
        """Handling hours this pool could give from 0 to ``horizon_h``."""
        return self.n_servers * self.share * float(self.clock(np.array([horizon_h]))[0])

    def committed_h(self, horizon_h: float) -> float:
        """Handling hours committed before ``horizon_h``: work booked past it is not counted."""
        w_h = float(self.clock(np.array([horizon_h]))[0])
        return self.busy_h - self.share * sum(max(0.0, w - w_h) for w, _ in self._free)


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights, exactly (Hamilton's method)."""
    weights = np.asarray(weights, dtype=float)
    if weights.sum() <= 0:
        return np.zeros(len(weights), dtype=int)
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(int)
    rest = total - base.sum()
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base


def grid_shape(k: int) -> tuple[int, int]:
    """Columns and rows of the most square split of a community into at least k units."""
    a = max(1, round(math.sqrt(k)))
    return a, math.ceil(k / a)
