"""The model: parameters, the world, its agents and institutions, and the daily step.

Read it in the order of the ODD (``ODD.md``):

* the inputs: :mod:`~sim.model.params` (every parameter, declared once with unit and source);
* the world: :mod:`~sim.model.calendar` (hours), :mod:`~sim.model.world` (territory and
  residents), :mod:`~sim.model.agents` (the Mesa agents), :mod:`~sim.model.issues` (the
  table of needs and faults);
* the institutions, built once: :mod:`~sim.model.institutions` (time shares, the staffing
  study, pools, departments, party branches, channels), with :mod:`~sim.model.workload`
  (how a post's hours are shared out);
* the daily step, one module per process: :mod:`~sim.model.model` (the model and ``step()``),
  the rules residents and staff follow (:mod:`~sim.model.rules`, :mod:`~sim.model.information`)
  and the queues (:mod:`~sim.model.handling`).

Nothing here reads or writes files, knows of Hydra or draws.
"""

from __future__ import annotations

__all__ = ["ConfigError", "GovernanceModel", "Policy", "RunConfig", "Scenario"]


def __getattr__(name: str):
    # Loaded on first use: the parameters alone (the command line's checks) need no Mesa.
    if name == "GovernanceModel":
        from sim.model.model import GovernanceModel

        return GovernanceModel
    if name in ("ConfigError", "Policy", "RunConfig", "Scenario"):
        from sim.model import params

        return getattr(params, name)
    raise AttributeError(f"module 'sim.model' has no attribute '{name}'")
