"""Weekly calendars: opening hours, shifts and absences, at one-hour resolution.

Time in govsim is hours from the start of the run, which is a Monday 00:00. A calendar is a
set of open hours of the week, written as specs such as ``"Mon-Fri 09-17"`` (open from 09:00
to 17:00, Monday to Friday). It answers two questions quickly, for scalars and arrays:

* when is the next open moment at or after ``t`` (``next_open``)?
* the *working clock* ``W(t)``: how many open hours have passed by ``t``, and its inverses.
  Staff who work only in open hours serve a queue that runs on ``W``; a c-server queue on
  that clock is an ordinary c-server queue (see ``sim.model.queues``).
"""

from __future__ import annotations

import bisect
import re

import numpy as np

WEEK_H = 168
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SPEC = re.compile(r"^\s*(\w{3})(?:-(\w{3}))?\s+(\d{1,2})-(\d{1,2})\s*$")


def parse_spec(spec: str) -> np.ndarray:
    """Turn ``"Mon-Fri 09-17"`` into a boolean mask over the 168 hours of a week."""
    m = _SPEC.match(spec)
    if not m:
        raise ValueError(f"{spec!r} is not a weekly hours spec like 'Mon-Fri 09-17'")
    first, last, start, end = m.group(1), m.group(2) or m.group(1), int(m.group(3)), int(m.group(4))
    if first not in DAYS or last not in DAYS:
        raise ValueError(f"{spec!r}: days must be among {', '.join(DAYS)}")
    if not 0 <= start < end <= 24:
        raise ValueError(f"{spec!r}: hours must satisfy 0 <= start < end <= 24")
    mask = np.zeros(WEEK_H, dtype=bool)
    for d in range(DAYS.index(first), DAYS.index(last) + 1):
        mask[d * 24 + start : d * 24 + end] = True
    return mask


def week_mask(specs) -> np.ndarray:
    """Union of several specs; an empty list gives a calendar that is never open."""
    mask = np.zeros(WEEK_H, dtype=bool)
    for spec in specs:
        mask |= parse_spec(spec)
    return mask


def lengthened(mask: np.ndarray, hours: int) -> np.ndarray:
    """``mask`` with every open stretch ending ``hours`` later (earlier if negative; a stretch
    no longer than the cut is gone), the week wrapping round."""
    out = mask.copy()
    for k in range(1, abs(hours) + 1):
        if hours > 0:
            out |= np.roll(mask, k)  # open if one of the k hours before was
        else:
            out &= np.roll(mask, -k)  # open only if the k hours after are too
    return out


class Calendar:
    """Open hours of a week, repeated forever."""

    def __init__(self, mask: np.ndarray):
        self.mask = np.asarray(mask, dtype=bool)
        if self.mask.shape != (WEEK_H,):
            raise ValueError("a calendar mask has one entry per hour of the week (168)")
        self.hours_per_week = int(self.mask.sum())
        # cum[h]: open hours of the week before hour h (length 169).
        self.cum = np.concatenate([[0], np.cumsum(self.mask)]).astype(float)
        # wait[h]: hours from the start of hour h until the next open hour (0 if open).
        wait = np.full(WEEK_H, np.inf)
        if self.hours_per_week:
            doubled = np.concatenate([self.mask, self.mask])
            nxt = np.inf
            for h in range(2 * WEEK_H - 1, -1, -1):
                if doubled[h]:
                    nxt = h
                if h < WEEK_H:
                    wait[h] = nxt - h
        self.wait = wait
        self._open_hours = np.flatnonzero(self.mask).tolist()
        # Plain-list copies for the scalar inverses, which the queue loop calls once per case:
        # bisect and indexing on lists avoid creating a numpy scalar per comparison (the
        # values, hence every result, are the same).
        self._cum_list = self.cum.tolist()
        self._mask_list = self.mask.tolist()
        # last_hour[k]: the last hour of the week with cum <= k (at most the week's last hour).
        # ``cum`` holds whole numbers, so for any r >= 0 the last hour with cum <= r is
        # last_hour[floor(r)]: a table lookup that gives what a binary search over ``cum``
        # gives, for scalars and arrays alike.
        last_hour = np.searchsorted(self.cum, np.arange(self.hours_per_week + 1), side="right") - 1
        self._last_hour = np.minimum(last_hour, WEEK_H - 1)
        self._last_hour_list = self._last_hour.tolist()

    @classmethod
    def from_specs(cls, specs) -> Calendar:
        return cls(week_mask(specs))

    @property
    def always_open(self) -> bool:
        return self.hours_per_week == WEEK_H

    def is_open(self, t):
        return self.mask[(np.floor(t).astype(np.int64)) % WEEK_H]

    def next_open(self, t):
        """Earliest open moment at or after ``t`` (inf for a never-open calendar)."""
        t = np.asarray(t, dtype=float)
        h = np.floor(t)
        w = self.wait[h.astype(np.int64) % WEEK_H]
        return np.where(w == 0, t, h + w)

    # ---- working clock ------------------------------------------------------------------
    def clock(self, t: float) -> float:
        """W(t): open hours elapsed from 0 to t."""
        weeks, r = divmod(t, WEEK_H)
        h = int(r)
        return weeks * self.hours_per_week + self.cum[h] + (r - h) * self.mask[h]

    def clock_array(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        weeks, r = np.divmod(t, WEEK_H)
        h = r.astype(np.int64)
        return weeks * self.hours_per_week + self.cum[h] + (r - h) * self.mask[h]

    def time_at(self, w: float) -> float:
        """Earliest t with W(t) = w, *while working*: a moment at the end of a shift maps to the
        start of the next shift, because that is when work continues. Used for start times."""
        cum, mask = self._cum_list, self._mask_list
        weeks, r = divmod(w, self.hours_per_week)
        i = self._last_hour_list[int(r)]  # last hour whose cum <= r (at most the week's last)
        # i is the hour in which the r-th open hour is being worked; skip to an open hour.
        while not mask[i]:
            i += 1
            if i == WEEK_H:
                weeks, i, r = weeks + 1, self._open_hours[0], 0.0
                return weeks * WEEK_H + i
        return weeks * WEEK_H + i + (r - cum[i])

    def end_at(self, w: float) -> float:
        """Earliest t with W(t) = w, *when work stops*: a task that finishes exactly at the end
        of a shift ends then, not at the start of the next shift. Used for finish times."""
        cum = self._cum_list
        weeks, r = divmod(w, self.hours_per_week)
        if r == 0 and w > 0:
            weeks -= 1
            r = float(self.hours_per_week)
        i = bisect.bisect_left(cum, r) - 1  # last hour whose cum < r
        if i < 0:
            return weeks * WEEK_H + self._open_hours[0]
        return weeks * WEEK_H + i + (r - cum[i])

    def end_at_array(self, w: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`end_at`: the same operations elementwise, so the same numbers
        (``np.divmod`` of floats follows Python's ``divmod``)."""
        w = np.asarray(w, dtype=float)
        weeks, r = np.divmod(w, self.hours_per_week)
        at_shift_end = (r == 0) & (w > 0)
        weeks = np.where(at_shift_end, weeks - 1, weeks)
        r = np.where(at_shift_end, float(self.hours_per_week), r)
        i = np.searchsorted(self.cum, r, side="left") - 1
        inside = weeks * WEEK_H + i + (r - self.cum[np.maximum(i, 0)])
        return np.where(i < 0, weeks * WEEK_H + self._open_hours[0], inside)

    def time_at_many(self, w: np.ndarray) -> np.ndarray:
        """:meth:`time_at` of each element, with the same operations and so the same numbers
        (``np.divmod`` of floats follows Python's ``divmod``); a moment at the end of a shift
        goes through :meth:`time_at` itself (rare)."""
        w = np.asarray(w, dtype=float)
        weeks, r = np.divmod(w, self.hours_per_week)
        i = self._last_hour[r.astype(np.int64)]
        t = weeks * WEEK_H + i + (r - self.cum[i])
        closed = ~self.mask[i]
        if closed.any():
            t[closed] = [self.time_at(v) for v in w[closed].tolist()]
        return t

    def time_at_array(self, w: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`time_at` for arrays of working-clock values (same numbers)."""
        return self.time_at_many(w)
