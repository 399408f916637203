"""Public space and who watches it: problems in public space that have no owner to report them
(events, 事件, beside the component faults of the territory), the city supervisors whose whole
job is to find them (城市管理监督员), and the command centre's dispatch (ODD 7.20).

Off in the town and district scenarios (no events, no supervisors): the equal-capacity
comparison of the presets was calibrated without them. The replays of real reforms set them
(``configs/scenario/dongcheng.yaml``, ``configs/reform``)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.constants import STAFF_CALENDARS
from sim.model.params.declare import _p


@dataclass
class PublicSpace:
    """Scenario fields: public space, its supervisors and the command centre's dispatch."""

    public_events_per_1k: float = _p(
        0.0,
        "events per 1,000 residents per year",
        "design choice: none in the town and district scenarios (calibrated without them); the replays set "
        "it from the cases a district's supervisors found (ODD 7.20)",
        "events in public space with no owner (事件: litter, dumping, illegal advertising, occupied pavements), "
        "of the environment line; passers-by seldom report them (event_report_prob), staff walking public space "
        "find them",
        range=(0, 1e5),
        vary=(0.0, 100.0),
    )
    event_days: float = _p(
        5.8,
        "days",
        "assumption: as long as residents' patience with an environment need (the environment line's "
        "patience_days); no figure found; vary 2-30",
        "mean time an event in public space lasts if no one handles it (exponential): then it is gone, cleared "
        "by someone or no longer noticed, and counts as not closed; a known event still passed between offices "
        "then never reaches a queue (ODD 7.20)",
        range=(0.01, 1e4),
        vary=(2.0, 30.0),
    )
    event_report_prob: float = _p(
        0.1,
        "probability",
        "assumption: Dongcheng's public reported 7 % of the cases its grid system filed (ODD references: "
        "Dongcheng 2017), most of which its supervisors would have found anyway; vary 0.05-0.3",
        "chance that a passer-by reports an event in public space (times the ease of the easiest channel), at "
        "once or later as the event persists (repeat reporting)",
        range=(0, 1),
        vary=(0.05, 0.3),
    )
    supervisors_per_10k: float = _p(
        0.0,
        "supervisors per 10,000 residents",
        "design choice: none in the town and district scenarios (the equal-capacity comparison); Dongcheng's "
        "reform hired them on top of the staff it had (ODD references: Jiang 2010, Nanfengchuang 2012)",
        "city supervisors (城市管理监督员), on top of the staffing budget: they walk fixed beats of public "
        "space all their paid hours and report what they find to the command centre; they handle no case",
        range=(0, 10_000),
        vary=(0.0, 5.0),
        ledger=("cost", "both, where a scenario hires them", "paid hours of their own (added staff)", "patrol"),
    )
    supervisor_hours: str = _p(
        "office",
        "-",
        "assumption: a 40-hour week by day, as the departments they report to; 'staggered' stretches it into the "
        "evening",
        "the hours supervisors walk their beats",
        choices=STAFF_CALENDARS,
    )
    verify_h: float = _p(
        0.25,
        "hours per case",
        "assumption: a supervisor walks to the site, looks and reports back within a quarter of an hour on a "
        "beat of 0.18 km² (ODD references: Jiang 2010); vary 0.1-1",
        "with the command centre and supervisors: a supervisor's working time to verify on site that a "
        "city-management case was handled (核查, the seven steps' sixth); the case is closed when verified, in "
        "the supervisors' hours, and the hours come out of their walking",
        range=(0, 100),
        vary=(0.1, 1.0),
        ledger=("cost", "both, where a centre and supervisors verify", "delay to closure, and supervisors' time", ""),
    )
    department_hours: str = _p(
        "office",
        "-",
        "assumption: departments keep office hours (no source that a reform changed them); 'always' is a what-if "
        "with more than the budget's hours (ODD 7.20)",
        "the hours departments handle cases and inspect in",
        choices=STAFF_CALENDARS,
    )
    centre_dispatch_h: float = _p(
        0.5,
        "hours",
        "assumption: a command centre files and dispatches a supervisor's report within minutes to an hour "
        "(Beijing 12345: about six minutes from a call to a work order, ODD references: Beijing Youth Daily "
        "2021); vary 0.1-2",
        "with the command centre (policy.command_centre), the delay from a city-management case known to its "
        "handler's queue: one hop, filed and dispatched by the centre, in place of the hierarchy's",
        range=(0, 1000),
        vary=(0.1, 2.0),
    )
