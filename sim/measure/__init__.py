"""What a run shows, as data: pure functions of the model's state and of result tables.

* :mod:`~sim.measure.observe`: a finished (or running) model read as tables: one row per
  issue, and the books of every pool's time;
* :mod:`~sim.measure.metrics`: the KPIs of one run from its tables (survival over all needs,
  process and outcome, groups, workload);
* :mod:`~sim.measure.analysis`: many runs compared: paired differences and levels with
  intervals, group contrasts, matched needs, the headline forests, staff-time accounting;
* :mod:`~sim.measure.ablation`: each mechanism's effect (ablation) and the decomposition of the
  regime gap over bundles (Shapley values);
* :mod:`~sim.measure.curves`: the headline figure's curves and daily bands across seeds;
* :mod:`~sim.measure.precision`: how many seeds a comparison needs (replications).
"""
