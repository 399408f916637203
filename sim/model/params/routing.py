"""How the scenario's cases travel to their handler: the delay of each hop and how many there are."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.declare import CALIBRATED, _p


@dataclass
class Routing:
    """Scenario fields: routing."""

    hop_delay_h: float = _p(
        6.2,
        "hours",
        f"{CALIBRATED}: to the volume, closure and process patterns (12345 hotlines, Dongcheng: ODD references)",
        "delay per hierarchical hop",
        range=(0, 1000),
        vary=(3.1, 12.4),
        ledger=(
            "cost",
            "coarse mostly: hierarchical routing (up to four hops); refined: one hop per department case",
            "delay before dispatch",
            "",
        ),
    )
    hierarchy_hops: int = _p(
        4,
        "hops",
        "brief: hotline → district → department → town → community",
        "hops to the community under hierarchical routing",
        range=(0, 20),
        vary=(3, 5),
    )
    bounce_hops: int = _p(
        2,
        "hops",
        "assumption",
        "extra hops when routed by registration address",
        range=(0, 20),
        vary=(0, 4),
        ledger=(
            "cost",
            "coarse (routing by registration); structural zero with 村居联动",
            "delay, and the time of the community of registration",
            "passing_on",
        ),
    )
    hop_staff_h: float = _p(
        0.1,
        "hours per end of a hop",
        "Beijing 12345: about six minutes from a call to a dispatched work order (ODD references: Beijing Youth "
        "Daily 2021), taken for each end of a hop, sending and receiving, alike",
        "staff time at each end of a hop (to read a case, log it and pass it on), charged to the pool at that end "
        "(ODD 7.6): the handler's pool, or the wrong place a case went first",
        range=(0, 10),
        vary=(0.05, 0.25),
        ledger=(
            "cost",
            "both, by the hops each case makes",
            "the time of the pools at each end of a hop",
            "passing_on",
        ),
    )
    misroute_share: float = _p(
        0.1,
        "fraction of department cases",
        "assumption: no published rate of cases passed back between departments (推诿, 踢皮球) was found; the "
        "middle of the range varied",
        "share of the cases sent to a department that go first to the wrong one, which takes two hops' ends of "
        "its staff time to pass it back, and two hops' delay (there and back), under every routing rule",
        range=(0, 1),
        vary=(0.0, 0.2),
        ledger=(
            "cost",
            "coarse (department cases); structural zero under refined, whose only staffed department is safety",
            "delay (two hops) and the wrong department's time",
            "passing_on",
        ),
    )
    multi_dept_share: float = _p(
        0.15,
        "fraction of department cases",
        "assumption: no published share of cases needing several departments (多头管理) was found; the middle of "
        "the range varied. Calling the departments in at once from the grid is Beijing's 街乡吹哨、"
        "部门报到 (ODD references: Beijing municipal government 2018)",
        "share of the cases sent to a department that need a second department too. Hierarchical routing passes "
        "the case on to the second after the first, through the hierarchy again (its hops to a department, "
        "delay and staff time); grid-first routing calls both in at once (one more hop's staff time, no delay). "
        "The second department spends two hops' ends (receiving and reporting back) either way",
        range=(0, 1),
        vary=(0.0, 0.3),
        ledger=(
            "cost",
            "coarse: the hierarchy again (delay); both: the second department's time",
            "delay and the second department's time",
            "passing_on",
        ),
    )
