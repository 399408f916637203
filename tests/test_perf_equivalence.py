"""The fast paths give the same numbers, to the last bit, as the plain algorithms they replace.

The queue (``sim.model.queues``) serves all pools of a day in one call, single-server pools in
lockstep with numpy; the calendar maps working-clock times back with table lookups and whole
arrays; residents are created in bulk; label columns are categoricals. Each test compares a
fast path with a straightforward reference written here (the model's original code). Nothing
is timed here: speed is measured by ``python -m experiments.benchmark``.
"""

from __future__ import annotations

import bisect
import heapq

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.model.agents import Resident
from sim.model.calendar import WEEK_H, Calendar
from sim.model.issues import label_column, text_column
from sim.model.params import CALENDARS
from sim.model.queues import PoolGroup, ServerPool, serve_pools

CALS = {name: Calendar.from_specs(spec) for name, spec in CALENDARS.items()}
CALS["odd"] = Calendar.from_specs(["Mon 09-10", "Wed 13-17", "Sun 23-24"])


def same_bits(a, b) -> bool:
    """Equal as stored doubles (NaN equal to NaN, 0.0 different from -0.0)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool((a.view(np.int64) == b.view(np.int64)).all())


# ---------------------------------------------------------------- reference algorithms
def ref_time_at(cal: Calendar, w: float) -> float:
    weeks, r = divmod(w, cal.hours_per_week)
    i = min(bisect.bisect_right(cal.cum, r) - 1, WEEK_H - 1)
    while not cal.mask[i]:
        i += 1
        if i == WEEK_H:
            return (weeks + 1) * WEEK_H + cal._open_hours[0]
    return weeks * WEEK_H + i + (r - cal.cum[i])


def ref_end_at(cal: Calendar, w: float) -> float:
    weeks, r = divmod(w, cal.hours_per_week)
    if r == 0 and w > 0:
        weeks -= 1
        r = float(cal.hours_per_week)
    i = bisect.bisect_left(cal.cum, r) - 1
    if i < 0:
        return weeks * WEEK_H + cal._open_hours[0]
    return weeks * WEEK_H + i + (r - cal.cum[i])


class RefPool:
    """One pool served case by case, as the model did before serving pools in batches."""

    def __init__(self, n, cal, share, base, speed, travel=True):
        self.n, self.cal, self.share, self.speed, self.travel = n, cal, share, speed, travel
        self.free = [(0.0, k) for k in range(n)]
        self.px, self.py = np.full(n, base[0]), np.full(n, base[1])
        self.busy_h = self.travel_total_h = 0.0
        self.served = 0

    def serve(self, ready, give_up, created, x, y, service, wp, cap):
        m = len(ready)
        out = {k: np.full(m, np.nan) for k in ("started_h", "resolved_h", "abandoned_h", "travel_h", "work_h")}
        out["server"] = np.full(m, -1)
        w_ready = self.cal.clock_array(ready)
        inv_speed = 1.0 / self.speed if self.travel else 0.0
        for j in range(m):
            free_w, k = self.free[0]
            w_start = max(w_ready[j], free_w)
            t_start = ref_time_at(self.cal, w_start)
            if t_start > give_up[j]:
                out["abandoned_h"][j] = give_up[j]
                continue
            travel = (abs(self.px[k] - x[j]) + abs(self.py[k] - y[j])) * inv_speed
            work = service[j] * min(1.0 + wp * (t_start - created[j]), cap)
            w_end = w_start + (travel + work) * (1.0 / self.share)
            heapq.heapreplace(self.free, (w_end, k))
            self.px[k], self.py[k] = x[j], y[j]
            out["started_h"][j], out["resolved_h"][j] = t_start, ref_end_at(self.cal, w_end)
            out["travel_h"][j], out["work_h"][j], out["server"][j] = travel, work, k
            self.busy_h += travel + work
            self.travel_total_h += travel
            self.served += 1
        return out


def random_cases(rng, m, t0, horizon_h):
    ready = np.sort(t0 + rng.random(m) * horizon_h)
    created = ready - rng.random(m) * 100
    return {
        "ready": ready,
        "give_up": created + rng.exponential(150, m),
        "created": created,
        "x": rng.random(m) * 5,
        "y": rng.random(m) * 5,
        "service": rng.exponential(2.0, m),
    }


# ---------------------------------------------------------------- calendar
@pytest.mark.parametrize("name", sorted(CALS))
def test_calendar_inverses_match_the_reference_bit_for_bit(name):
    cal = CALS[name]
    rng = np.random.default_rng(1)
    w = np.concatenate([rng.random(20_000) * 3000, np.arange(0, 600, 0.5), [0.0]])
    assert same_bits([cal.time_at(v) for v in w.tolist()], [ref_time_at(cal, v) for v in w.tolist()])
    assert same_bits(cal.time_at_many(w), [ref_time_at(cal, v) for v in w.tolist()])
    assert same_bits(cal.end_at_array(w), [ref_end_at(cal, v) for v in w.tolist()])
    assert same_bits([cal.end_at(v) for v in w.tolist()], [ref_end_at(cal, v) for v in w.tolist()])
    weeks, r = np.divmod(w, cal.hours_per_week)
    i = np.minimum(np.searchsorted(cal.cum, r, side="right") - 1, WEEK_H - 1)
    assert same_bits(cal.time_at_array(w), weeks * WEEK_H + i + (r - cal.cum[i]))


# ---------------------------------------------------------------- queue
def make_pools(rng, servers, calendars):
    return [
        ServerPool(
            int(n), CALS[c], float(rng.uniform(0.4, 1.0)), (float(rng.random() * 5), float(rng.random() * 5)), 15.0
        )
        for n, c in zip(servers, calendars)
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batched_serving_matches_serving_each_pool_case_by_case(seed):
    rng = np.random.default_rng(seed)
    n_pools = 40
    servers = np.where(rng.random(n_pools) < 0.7, 1, rng.integers(2, 6, n_pools))  # mostly grid workers
    calendars = rng.choice(["office", "staggered", "always", "odd"], n_pools)
    fast = PoolGroup(make_pools(np.random.default_rng(seed), servers, calendars))
    ref_rng = np.random.default_rng(seed)
    refs = [
        RefPool(
            int(n),
            CALS[c],
            float(ref_rng.uniform(0.4, 1.0)),
            (float(ref_rng.random() * 5), float(ref_rng.random() * 5)),
            15.0,
        )
        for n, c in zip(servers, calendars)
    ]
    wp, cap = 0.05 / 24, 3.0
    for day in range(30):  # state carries over from batch to batch
        m = int(rng.integers(0, 400))
        c = random_cases(rng, m, day * 24.0, 24.0)
        which = rng.integers(0, n_pools, m)
        out = serve_pools(fast, which, c["ready"], c["give_up"], c["created"], c["x"], c["y"], c["service"], wp, cap)
        for p, ref in enumerate(refs):
            mine = which == p
            sub = {k: v[mine] for k, v in c.items()}
            expected = ref.serve(
                sub["ready"], sub["give_up"], sub["created"], sub["x"], sub["y"], sub["service"], wp, cap
            )
            for key, values in expected.items():
                assert same_bits(getattr(out, key)[mine], values), f"day {day}, pool {p}: {key} differs"
    for pool, ref in zip(fast, refs):
        assert pool.busy_h == ref.busy_h and pool.travel_total_h == ref.travel_total_h and pool.served == ref.served
        assert [w for w, _ in pool._free] == [w for w, _ in ref.free], "heap differs"
        assert same_bits(pool.pos_x, ref.px) and same_bits(pool.pos_y, ref.py)
        w_h = float(ref.cal.clock_array(np.array([30 * 24.0]))[0])
        booked_later = 0.0
        for w, _ in ref.free:
            booked_later = booked_later + max(0.0, w - w_h)
        assert pool.committed_h(30 * 24.0) == ref.busy_h - ref.share * booked_later


def test_a_pool_served_on_its_own_matches_the_reference():
    rng = np.random.default_rng(7)
    for n in (1, 3):
        pool, ref = (
            ServerPool(n, CALS["office"], 0.7, (1.0, 2.0), 15.0),
            RefPool(n, CALS["office"], 0.7, (1.0, 2.0), 15.0),
        )
        for day in range(10):
            c = random_cases(rng, 50, day * 24.0, 24.0)
            out = pool.serve(c["ready"], c["give_up"], c["created"], c["x"], c["y"], c["service"], 0.002, 3.0)
            exp = ref.serve(c["ready"], c["give_up"], c["created"], c["x"], c["y"], c["service"], 0.002, 3.0)
            for key, values in exp.items():
                assert same_bits(getattr(out, key), values), f"{n} servers, day {day}: {key} differs"
        assert (pool.busy_h, pool.travel_total_h, pool.served) == (ref.busy_h, ref.travel_total_h, ref.served)


def test_a_pool_belongs_to_one_group():
    pool = ServerPool(1, CALS["office"], 0.7, (0.0, 0.0), 15.0)
    PoolGroup([pool])
    with pytest.raises(ValueError, match="one PoolGroup"):
        PoolGroup([pool])


# ---------------------------------------------------------------- residents
def test_bulk_residents_are_the_agents_mesa_would_make():
    class Town(mesa.Model):
        pass

    slow, fast = Town(rng=1), Town(rng=1)
    Resident.create_agents(slow, 500, list(range(500)))
    Resident.create_residents(fast, 500)
    a, b = list(slow.agents_by_type[Resident]), list(fast.agents_by_type[Resident])
    assert [(r.unique_id, r.idx, r.pos) for r in a] == [(r.unique_id, r.idx, r.pos) for r in b]
    assert len(fast.agents) == 500 and all(r.model is fast for r in fast.agents)
    extra = Resident(fast, 7)  # made the ordinary way: keeps its own row
    assert extra.idx == 7 and extra.unique_id == 501


# ---------------------------------------------------------------- label columns
def test_label_columns_hash_and_group_like_strings():
    rng = np.random.default_rng(3)
    names = ["retired", "employed", "component", "student"]
    codes = rng.integers(0, len(names), 5000)
    plain = pd.DataFrame({"k": np.array(names)[codes], "v": rng.random(5000)})
    labels = pd.DataFrame({"k": label_column(codes, names), "v": plain["v"]})
    texts = pd.DataFrame({"k": text_column(codes, names), "v": plain["v"]})
    h = pd.util.hash_pandas_object
    assert (h(labels, index=False) == h(plain, index=False)).all()
    assert (h(texts, index=False) == h(plain, index=False)).all()
    assert texts["k"].dtype == plain["k"].dtype
    assert list(labels.groupby("k")["v"].mean().index) == list(plain.groupby("k")["v"].mean().index)
    assert labels.groupby("k")["v"].mean().tolist() == plain.groupby("k")["v"].mean().tolist()
