"""govsim: an agent-based model of fine-grained (individualised) versus type-based governance.

The package in layers, lowest first; a module imports from its own layer and those below it,
never from one above (``docs/design.md`` draws how one run flows through them):

* :mod:`sim.model`: the model. Parameters, the world, the agents, the institutions and the
  daily step, one module per process of the ODD. It knows nothing of Hydra, files or plots.
* :mod:`sim.measure`: what a run shows. A finished model read as tables, its KPIs, and the
  comparison of many runs (paired differences, intervals, decompositions).
* :mod:`sim.study`: making runs and asking them questions. Configuration (Hydra), one run as
  a function, its files, sweeps, designs, sensitivity, scenario discovery, replications and
  the lab.
* :mod:`sim.present`: showing results. Reports, figures, the browser view and its labels.
* :mod:`sim.cli`: ``python -m sim``, the command line over all of them; :mod:`sim.lab`:
  ``python -m sim.lab``, the lab's searches (study) and their report (present).
"""

from sim import _moved

__version__ = "0.1.0"

_moved.install()  # the modules' names from before the split still import, with a warning
