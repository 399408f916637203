"""The territory and its residents, built once per run from the scenario alone.

Nothing here depends on the policy: with the same seed, every regime faces the same map,
the same people and the same needs (common random numbers). Hot per-resident state lives in
numpy arrays held by :class:`Population`; the Mesa ``Resident`` agents read them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.model.calendar import Calendar, lengthened, week_mask
from sim.model.params import RESIDENT_TYPES, Scenario

HOURS_PER_YEAR = 8760.0


@dataclass
class Territory:
    """Square communities (km) grouped into towns; each town is a near-square block of
    communities, and the towns are laid out in a near-square grid."""

    n_towns: int
    communities_per_town: int
    side_km: float  # side of one community square

    @classmethod
    def build(cls, sc: Scenario) -> Territory:
        n = sc.n_towns * sc.communities_per_town
        return cls(sc.n_towns, sc.communities_per_town, math.sqrt(sc.area_km2 / n))

    @property
    def n_communities(self) -> int:
        return self.n_towns * self.communities_per_town

    def town_of(self, community):
        return np.asarray(community) // self.communities_per_town

    def origin(self, community):
        """Lower-left corner (x, y) of each community square."""
        c = np.asarray(community)
        town, local = np.divmod(c, self.communities_per_town)
        c_cols = math.ceil(math.sqrt(self.communities_per_town))
        c_rows = math.ceil(self.communities_per_town / c_cols)
        t_cols = math.ceil(math.sqrt(self.n_towns))
        x = (town % t_cols) * c_cols + local % c_cols
        y = (town // t_cols) * c_rows + local // c_cols
        return x * self.side_km, y * self.side_km

    def centre(self, communities) -> tuple[float, float]:
        """Centre of the bounding box of a set of communities."""
        x0, y0 = self.origin(np.asarray(communities))
        return float((x0.min() + x0.max() + self.side_km) / 2), float((y0.min() + y0.max() + self.side_km) / 2)

    def random_points(self, community, rng: np.random.Generator):
        x0, y0 = self.origin(community)
        n = len(x0)
        return x0 + rng.random(n) * self.side_km, y0 + rng.random(n) * self.side_km


class Population:
    """Residents as columns. Index ``i`` is resident ``i`` (and Mesa agent ``residents[i]``)."""

    def __init__(self, sc: Scenario, territory: Territory, rng: np.random.Generator):
        n = sc.n_residents
        names = list(sc.categories)
        cats = [sc.categories[c] for c in names]
        shares = np.array([c.share for c in cats])
        self.category_names = names
        self.category = rng.choice(len(cats), size=n, p=shares / shares.sum()).astype(np.int16)
        # Communities of equal size: residents dealt out in turn, then shuffled.
        self.community = rng.permutation(np.arange(n) % territory.n_communities).astype(np.int32)
        self.x, self.y = territory.random_points(self.community, rng)
        self.registration = self._registrations(sc, territory, rng)
        self.digital = rng.random(n) < np.array([c.digital_access for c in cats])[self.category]
        self.propensity = np.array([c.propensity for c in cats])[self.category]
        self.away = [Calendar(lengthened(week_mask(c.away), sc.away_extra_h)) for c in cats]
        self._needs(sc, cats, rng)
        self.satisfaction = np.full(n, sc.initial_satisfaction)
        # The same, moved only by needs the state knew of (a need never known is not counted
        # as an experience of government): reported beside it, it drives nothing.
        self.satisfaction_known = np.full(n, sc.initial_satisfaction)
        self.expectation = np.full(n, sc.initial_expectation)
        self.trust = np.full(n, sc.initial_trust)
        # The last two in-person contacts (visit or case): information age at any moment.
        self.last_contact_h = np.full(n, -np.inf)
        self.previous_contact_h = np.full(n, -np.inf)
        self.last_visit_h = np.full(n, -np.inf)  # the last household visit that found them in

    def __len__(self) -> int:
        return len(self.category)

    def record_contact(self, who: np.ndarray, when: np.ndarray) -> None:
        """Note in-person contacts (``who`` unique); contacts are recorded within a day of
        happening, so an earlier time than the last one only updates the previous one."""
        newer = when > self.last_contact_h[who]
        w, t = who[newer], when[newer]
        self.previous_contact_h[w] = self.last_contact_h[w]
        self.last_contact_h[w] = t
        older = ~newer & (when > self.previous_contact_h[who])
        self.previous_contact_h[who[older]] = when[older]

    def contact_before(self, who: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Time of the latest contact at or before ``t`` (of the last two known)."""
        last = self.last_contact_h[who]
        return np.where(last <= t, last, self.previous_contact_h[who])

    def _registrations(self, sc: Scenario, territory: Territory, rng: np.random.Generator) -> np.ndarray:
        """Registration community: the residence, except for the 人户分离 share, who are
        registered in another community (-1: outside the territory, when there is no other)."""
        n, nc = sc.n_residents, territory.n_communities
        moved = rng.random(n) < sc.registration_mismatch
        other = rng.integers(0, max(nc - 1, 1), size=n).astype(np.int32)
        if nc == 1:
            other[:] = -1
        else:
            other += other >= self.community  # any community but the residence
        return np.where(moved, other, self.community).astype(np.int32)

    def _needs(self, sc: Scenario, cats, rng: np.random.Generator) -> None:
        """Personal need profile = category profile x individual deviation.

        ``z`` (one standard normal per resident and type) is the person's deviation from the
        category, in units of the spread between categories; ``need_heterogeneity`` (sigma)
        scales it. The need rate of type k is the category rate times a mean-one log-normal
        factor exp(sigma*s*z - (sigma*s)^2/2), where s is the spread of log rates between
        categories, so sigma changes who needs what but not the category averages.
        """
        k = len(RESIDENT_TYPES)
        rates = np.array([[c.need_rates.get(t, 0.0) for t in RESIDENT_TYPES] for c in cats])
        base = rates * sc.demand_scale / HOURS_PER_YEAR
        shares = np.array([c.share for c in cats])
        self.z = rng.standard_normal((len(self.category), k)).astype(np.float32)
        s = self.category_spread(base, shares)
        sig = sc.need_heterogeneity * s
        factor = np.exp(sig * self.z - sig**2 / 2)
        self.need_rate = base[self.category] * factor  # needs per hour, by type
        self.spread = s

    @staticmethod
    def category_spread(base: np.ndarray, shares: np.ndarray) -> float:
        """Share-weighted standard deviation of log need rates across categories, averaged
        over types: how different the categories are (0 for a single category)."""
        # Only types every category needs: a log spread is undefined where a rate is zero.
        present = base.min(0) > 0
        if not present.any():
            return 0.0
        logs = np.log(base[:, present])
        mean = (shares[:, None] * logs).sum(0) / shares.sum()
        var = (shares[:, None] * (logs - mean) ** 2).sum(0) / shares.sum()
        return float(np.sqrt(var).mean())
