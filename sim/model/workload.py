"""How paid posts spend their hours: duties from above, appraisal, records, cases and patrol.

Pure functions on numbers and arrays (ODD 7.4 and 7.18); the model calls them with its state.

A post's open hours go, in this order of priority, to

1. fixed shares: duties assigned from above (every post of every regime), the appraisal
   (front line: the traditional one or 四指同评), the upkeep of person-level records (front line,
   where remedies are tailored) and the patrol floor (front line);
2. cases, first come first served (hands-on time, travel, documentation, triage);
3. patrol (front line) or inspection of public space (the facility department), with the hours
   that cases leave, up to the regime's most;
4. nothing: idle.

With ``scenario.duty_schedule=even`` the fixed shares are spread over every open hour, so a pool's
queue runs on its working clock with cases stretched by 1 / (the share left for cases): see
:mod:`sim.model.queues`. With ``scheduled`` they are work with a schedule instead: meetings hold
whole hours of the week (:func:`meeting_mask`), out of the queue's clock; the rest is a weekly
quota (:func:`deferrable_week_h`) done in the hours cases leave (:mod:`sim.model.duties`).
"""

from __future__ import annotations

import numpy as np

from sim.model.calendar import WEEK_H

WEEKS_PER_YEAR = 365.0 / 7.0


def appraisal_share(sc, po, hours_per_week: float) -> float:
    """Share of front-line hours on the appraisal: the traditional one, or 四指同评 in its place."""
    hours = sc.evaluation_overhead_h if po.evaluation else sc.appraisal_overhead_h
    return hours / (sc.evaluation_period_days / 7.0 * hours_per_week)


def records_h_per_year(sc, po, residents: float) -> float:
    """Front-line hours a year to keep person-level records (一户一档): only where remedies are
    tailored to the person, who must then be on file."""
    return sc.records_h_per_resident_year * residents if po.remedy == "tailored" else 0.0


def duty_share(sc, budget_posts: int, paid_posts: int) -> float:
    """The share of each paid post's hours taken by duties handed down from above. The duties
    are the world's, the same under every regime: ``scenario.duty_share`` of the hours of the
    whole staffing budget. A regime whose volunteers stand in for some of its posts spreads them
    over the posts it keeps (volunteers carry none), so that a volunteer hour replaces a post's
    hour for cases and patrol one for one."""
    return sc.duty_share * budget_posts / max(paid_posts, 1)


def front_line_shares(sc, po, posts: int, residents: float, hours_per_week: float, duty: float) -> dict[str, float]:
    """The fixed shares of a front-line post's open hours (``duty``: :func:`duty_share`), and
    ``cases``: what they leave for casework, the share at which the front line's queues run."""
    post_year_h = max(posts, 1) * hours_per_week * WEEKS_PER_YEAR
    shares = {
        "duties": duty,
        "appraisal": appraisal_share(sc, po, hours_per_week),
        "records": records_h_per_year(sc, po, residents) / post_year_h,
        "patrol_floor": po.patrol_floor,
    }
    shares["cases"] = 1.0 - sum(shares.values())
    return shares


def planned_case_share(sc, po, hours_per_week: float, duty: float) -> float:
    """The share of front-line hours left for cases when patrol takes all it may (its most):
    what a regime plans its front line's staff for (``institutions.split_staff``)."""
    return 1.0 - duty - appraisal_share(sc, po, hours_per_week) - po.patrol_share


def department_share(duty: float) -> float:
    """The share of a department post's open hours left for cases after duties."""
    return 1.0 - duty


def overlap_open_h(w_start: np.ndarray, w_end: np.ndarray, w0: float, w1: float) -> np.ndarray:
    """Open hours of the window [w0, w1) that each case occupies (0 where none, or NaN: abandoned)."""
    overlap = np.minimum(w_end, w1) - np.maximum(w_start, w0)
    return np.where(np.isnan(overlap), 0.0, np.maximum(overlap, 0.0))


def patrol_h(slack_open_h, case_share: float, servers, open_h: float, most: float, floor: float):
    """Hours each pool spends on patrol in a day: its floor, plus the hours cases leave, up to
    its most. ``slack_open_h`` is the open time no case occupies; a share ``case_share`` of it is
    free (the rest of every open hour goes to the fixed shares). Returns (all patrol hours, the
    part taken from what cases leave)."""
    servers = np.asarray(servers, dtype=float)
    extra = np.minimum(np.asarray(slack_open_h) * case_share, max(most - floor, 0.0) * servers * open_h)
    return floor * servers * open_h + extra, extra


def patrol_from_slack_h(slack_h, servers, open_h: float, most: float, floor: float):
    """With duties scheduled, patrol's floor is no fixed share: it too comes from the hours that
    cases and duties leave (``slack_h``), first, then more patrol up to the regime's most.
    Returns (all patrol hours, the part that is the floor)."""
    servers = np.asarray(servers, dtype=float)
    slack_h = np.asarray(slack_h, dtype=float)
    floor_h = np.minimum(slack_h, floor * servers * open_h)
    return floor_h + np.minimum(slack_h - floor_h, max(most - floor, 0.0) * servers * open_h), floor_h


def coverage(hours, km2_per_h: float, area_km2):
    """Share of an area's public space checked in ``hours`` of street patrol or inspection (a
    fault there is found that day with this probability)."""
    area = np.asarray(area_km2, dtype=float)
    seen = np.asarray(hours, dtype=float) * km2_per_h
    return np.minimum(np.divide(seen, area, out=np.ones_like(seen), where=area > 0), 1.0)


def meeting_hours(sc, duty: float, hours_per_week: float) -> int:
    """Whole hours a week a post spends in meetings and accompanying superiors: the share of its
    duties fixed in time (``scenario.duty_fixed_share``), to the nearest hour."""
    return round(duty * sc.duty_fixed_share * hours_per_week)


def meeting_mask(open_mask: np.ndarray, hours: int) -> np.ndarray:
    """The hours of the week given to meetings: ``hours`` of the open hours of ``open_mask``,
    spread over the open days as evenly as they go (the earlier days take the odd ones), each
    day's at the start of its opening, as a morning meeting is. Raises ValueError when the
    meetings would take every open hour of a day."""
    days = [np.flatnonzero(open_mask[d * 24 : (d + 1) * 24]) + d * 24 for d in range(WEEK_H // 24)]
    days = [d for d in days if len(d)]
    meet = np.zeros(WEEK_H, dtype=bool)
    if hours <= 0 or not days:
        return meet
    per_day = np.full(len(days), hours // len(days)) + (np.arange(len(days)) < hours % len(days))
    for day, k in zip(days, per_day):
        if k >= len(day):
            raise ValueError(f"{hours} hours of meetings a week leave no open hour on some days")
        meet[day[:k]] = True
    return meet


def deferrable_week_h(sc, po, duty: float, hours_per_week: float, meetings: int, front_line: bool, posts: int):
    """Hours a week of one post's work that can be put off to the week's end, by kind: the
    duties not held in meetings, and on the front line the appraisal and person-level records."""
    hours = {"duties": max(duty * hours_per_week - meetings, 0.0), "appraisal": 0.0, "records": 0.0}
    if front_line:
        hours["appraisal"] = appraisal_share(sc, po, hours_per_week) * hours_per_week
        hours["records"] = records_h_per_year(sc, po, sc.n_residents) / WEEKS_PER_YEAR / max(posts, 1)
    return hours
