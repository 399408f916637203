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
        2, "hops", "assumption", "extra hops when routed by registration address", range=(0, 20), vary=(0, 4)
    )
