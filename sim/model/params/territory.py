"""The scenario's territory and population: how many live where, what they need, and how
often the public space breaks."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.model.params.declare import CALIBRATED, _p
from sim.model.params.tables import Category, ServiceType, default_categories, default_service_types


@dataclass
class Territory:
    """Scenario fields: territory and population. ``name`` is declared here, so that it stays
    the scenario's first field."""

    name: str = _p("town", "-", "-", "scenario label")
    n_residents: int = _p(
        20_000, "residents", "brief (town: tens of thousands)", "resident population", range=(1, 5_000_000)
    )
    n_towns: int = _p(1, "towns", "case book: 9 towns + 1 subdistrict + 2 zones", "number of towns", range=(1, 1000))
    communities_per_town: int = _p(
        6,
        "communities",
        "case book: ~820,000 residents in ~230 村居 ≈ 3,600 residents per community, so a town of 20,000 has "
        "about 6 (Jinshan's towns are larger: 230 / 12 ≈ 19 each, as in the district scenario)",
        "村居 per town",
        range=(1, 10_000),
    )
    area_km2: float = _p(
        15.0,
        "km²",
        "case book: Jinshan's density, 820,000 residents / 613 km² ≈ 1,340 per km², gives 15 km² for the town's 20,000",
        "land area of the territory",
        range=(0.001, 1e6),
    )
    registration_mismatch: float = _p(
        0.21,
        "fraction",
        "assumption: the case book's 2.91 亿 人户分离 (2017; 2.44 亿 of them floating population) over a national "
        "population of ~13.9 亿 that the case book does not give; drawn independently of the migrant category; "
        "vary 0.05-0.4",
        "share of residents registered in another community (人户分离)",
        range=(0, 1),
        vary=(0.05, 0.4),
    )
    need_heterogeneity: float = _p(
        0.5,
        "sigma",
        "assumption",
        "size of individual need deviations relative to differences between categories; "
        "0: categories describe people exactly",
        range=(0, 5),
        vary=(0.0, 1.5),
    )
    away_extra_h: int = _p(
        0,
        "hours",
        "assumption: the categories' hours away are a working day with its commute; longer commutes and "
        "overtime lengthen it, vary -2 to +3",
        "hours added to the end of every category's stretch away from home (negative: taken off)",
        range=(-12, 12),
        vary=(-2, 3),
    )
    categories: dict[str, Category] = field(
        default_factory=default_categories,
        metadata={"unit": "-", "source": "assumption", "help": "resident categories"},
    )
    service_types: dict[str, ServiceType] = field(
        default_factory=default_service_types, metadata={"unit": "-", "source": "assumption", "help": "service lines"}
    )
    facility_faults_per_1k: float = _p(
        49.0,
        "faults per 1,000 residents per year",
        f"{CALIBRATED}: scaled with the need rates to the volume and workload patterns (12345 hotlines, "
        "Dongcheng: ODD references)",
        "component faults (部件) arising in public space",
        range=(0, 1e5),
        vary=(25.0, 100.0),
    )
    demand_scale: float = _p(
        1.0,
        "multiplier",
        "-",
        "every need rate and the fault rate, times this: the load on a regime at a fixed staffing budget",
        range=(0, 1000),
    )
    facility_report_prob: float = _p(
        0.3,
        "probability",
        "assumption",
        "chance a passer-by reports a fault",
        range=(0, 1),
        vary=(0.1, 0.6),
    )
