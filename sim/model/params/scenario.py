"""The scenario: the world in which a regime is tried. One flat dataclass, its fields declared
in groups, one module each, by what they describe."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.hours import PostHours
from sim.model.params.information import InformationAndRemedies
from sim.model.params.party import PartyOrganisations
from sim.model.params.public_space import PublicSpace
from sim.model.params.queueing import QueueingShortcuts
from sim.model.params.residents import ResidentBehaviour
from sim.model.params.routing import Routing
from sim.model.params.staffing import Staffing
from sim.model.params.territory import Territory


# Listed in reverse: dataclass fields follow the reversed MRO, so the last base (Territory, with name) comes first.
@dataclass
class Scenario(
    QueueingShortcuts,
    PublicSpace,
    PartyOrganisations,
    ResidentBehaviour,
    InformationAndRemedies,
    Routing,
    PostHours,
    Staffing,
    Territory,
):
    """The world in which a regime is tried. Defaults describe the ``town`` scenario."""
