"""The policy: the dials of a governance regime. Nothing else distinguishes the regimes."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.constants import STAFF_CALENDARS
from sim.model.params.declare import _p


@dataclass
class Policy:
    """Regime dials. The defaults are the coarse, type-based (类型化) status quo."""

    name: str = _p("coarse", "-", "-", "preset label")
    pool_level: str = _p(
        "town",
        "-",
        "brief: pooling vs locality (Larson)",
        "level at which front-line staff share one queue",
        choices=("grid", "community", "town"),
    )
    workers_per_grid: int = _p(
        1,
        "workers",
        "assumption: one worker per grid unit (网格员 does not occur in the case book; Tinglin: 200+ households per "
        "grid worker, ODD references: Dongfang Chengxiang Bao 2017)",
        "workers sharing a grid unit when pool_level=grid",
        range=(1, 1000),
    )
    backup: str = _p(
        "none",
        "-",
        "A/B roles (AB角工作制: a named colleague covers a post when its holder is away or busy), a standing rule "
        "of Chinese offices; its use between neighbouring grid units is an assumption",
        "who takes a grid unit's case when its staff are busy (pool_level=grid): none (it waits for them), or "
        "partner (the paired unit of the same community takes it, if its queue is shorter, once the unit's own "
        "queue is longer than backup_after_h)",
        choices=("none", "partner"),
    )
    backup_after_h: float = _p(
        8.0,
        "working hours",
        "assumption: a working day of cases queued ahead",
        "work queued ahead of a new case at its grid unit (on the unit's working clock) beyond which its partner "
        "takes the case, with backup=partner",
        range=(0, 1e4),
        ledger=("cost", "refined (A/B partners)", "the partner's travel and its own residents' wait", "travel"),
    )
    patrol_share: float = _p(
        0.0,
        "fraction of paid hours",
        "assumption (refined's preset: 0.3); varied in the regimes that patrol, a structural zero in those that do not",
        "most of a front-line worker's hours spent on patrol (household visits and public space): patrol takes "
        "the hours that cases, duties and appraisal leave, up to this share",
        range=(0, 0.95),
        vary=(0.1, 0.5),
    )
    patrol_floor: float = _p(
        0.0,
        "fraction of paid hours",
        "assumption (refined's preset: 0.05)",
        "share of a front-line worker's hours kept for patrol even when cases wait (at most patrol_share)",
        range=(0, 0.95),
        ledger=("cost", "refined", "the front line's time (the first call on what cases and duties leave)", "patrol"),
    )
    inspection_share: float = _p(
        0.3,
        "fraction of paid hours",
        "design choice: a type-based city inspects public space too (城管 patrols; Dongcheng's city supervisors, "
        "ODD references: Xinhua 2005, Jiang 2010); set as the front line's patrol so that neither regime's "
        "public space goes unwatched",
        "most of the facility department's hours spent inspecting public space for component faults: the hours "
        "its cases and duties leave, up to this share (no effect where the front line handles facility cases)",
        range=(0, 0.95),
    )
    service_hours: str = _p(
        "staggered",
        "-",
        "access held equal (configs/access): a modern type-based city's service centres keep extended and "
        "staggered hours too (延时错时服务, ODD references: State Council 2022); the case book's 8+3 hours",
        "worker shifts and counter opening hours",
        choices=STAFF_CALENDARS,
    )
    channels: list[str] = _p(
        ["counter", "hotline", "digital"],
        "-",
        "access held equal (configs/access): a modern type-based city has a 12345 hotline open round the clock "
        "with its app and WeChat entries (ODD references: General Office of the State Council 2020); the case "
        "book's WeChat and QR e-visits (电子走访, simplified to a residents' channel, ODD 7.17)",
        "reporting channels open to residents",
    )
    routing: str = _p(
        "hierarchical",
        "-",
        "case book: 需求在网格发现…问题在网格解决",
        "how a reported case reaches its handler",
        choices=("hierarchical", "grid_first"),
    )
    linkage: bool = _p(False, "flag", "case book: 村居联动", "route by residence instead of registration address")
    competence: list[str] = _p(
        ["environment", "welfare", "dispute"],
        "-",
        "case book: empowered grassroots staff (能力)",
        "service types the front line may resolve itself; others go to departments",
    )
    remedy: str = _p(
        "standard",
        "-",
        "case book: 类型化 vs 个体化",
        "category-standard or person-tailored remedies",
        choices=("standard", "tailored"),
    )
    fallback_after_days: float | None = _p(
        None,
        "days",
        "assumption (none by default: staff use a file as it stands, however old); with the fallback, a file older "
        "than this is set aside as a rule of thumb, not from a source",
        "with tailored remedies: the age of what staff hold of a person beyond which they give the category "
        "standard instead (None: no fallback)",
        range=(0, 1e5),
        ledger=("benefit", "refined (tailored remedies)", "the fit of remedies from old files (an outcome)", ""),
    )
    mobilisation: bool = _p(
        False, "flag", "case book: 埭头人 volunteers", "party branches mobilise volunteers for eligible cases"
    )
    pairing: bool = _p(False, "flag", "case book: 区域化党建 心联鑫", "branches draw on paired branches' volunteers")
    evaluation: bool = _p(
        False,
        "flag",
        "case book: 四指同评",
        "half-yearly scoring of branches that moves their effort; it replaces the traditional appraisal",
    )
    command_centre: bool = _p(
        False,
        "flag",
        "Beijing Dongcheng's supervision and command centres (ODD references: Xinhua 2005, Jiang 2010): "
        "supervision apart from handling, every city-management case filed and dispatched by the centre to "
        "the unit responsible (98 % dispatched correctly); off in both presets (neither is a reform of city "
        "management)",
        "city-management cases (environment, facility), whatever the channel, go from the centre to their "
        "handler in one hop of scenario.centre_dispatch_h: no hierarchical hops, no wrong department first, and a "
        "second department called in at once",
    )
