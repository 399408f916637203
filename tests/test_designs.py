"""Designed experiments: the uncertain numbers' ranges, the designs' rows and seeds, the
SALib and PRIM analyses on functions whose answer is known, and each designed experiment run
small through the sweep machinery."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from sim.model.params import TABLE_ENTRIES, TABLE_SCALES, ConfigError, Policy, Scenario, validate
from sim.present import report
from sim.study import design as designs
from sim.study import discovery, sensitivity
from sim.study.config import CONFIG_DIR
from sim.study.sweep import SweepError
from tests.conftest import SMALL_DESIGN, cli, make_config, skipped

EXPERIMENTS = ("sensitivity_morris", "sensitivity_sobol", "scenario_discovery", "phase_top_two")


def test_every_uncertain_number_varies_within_what_is_allowed_and_around_its_default():
    fields = {f"scenario.{f.name}": f for f in dataclasses.fields(Scenario)}
    fields |= {f"policy.{f.name}": f for f in dataclasses.fields(Policy)}
    refined = make_config("policy=refined").policy
    found = designs.uncertain_factors()
    assert len(found) >= 30 and set(TABLE_SCALES) | set(TABLE_ENTRIES) <= set(found)
    for name, factor in found.items():
        assert factor.low < factor.high, name
        if name in TABLE_SCALES:
            assert factor.low <= 1 <= factor.high, f"{name}: the default level (1) lies outside what is varied"
            continue
        if name in TABLE_ENTRIES:
            default = designs._get_path(Scenario(), name)
            assert default == TABLE_ENTRIES[name].default, f"{name}: declared default is not the table's"
            assert factor.low <= default <= factor.high, f"{name}: the default {default} lies outside what is varied"
            continue
        allowed, default = fields[name].metadata["range"], fields[name].default
        if name in designs.PATROL:  # varied where a regime patrols: around refined's preset
            default = getattr(refined, name.removeprefix("policy."))
        assert allowed[0] <= factor.low and factor.high <= allowed[1], f"{name}: varied beyond its allowed range"
        assert factor.low <= default <= factor.high, f"{name}: the default {default} lies outside what is varied"
    assert not set(designs.BUDGET) & {f.name for f in designs.factors(designs.Design())}, "budget is not uncertain"
    assert set(designs.BUDGET) <= {f.name for f in designs.factors(designs.Design(budget=True))}


def _experiment_design(name: str) -> designs.Design:
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=[f"experiment={name}"])
    finally:
        GlobalHydra.instance().clear()
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(designs.Design), cfg.design))


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_row_of_each_designed_experiment_is_a_valid_run_of_both_regimes(name):
    """A row that no regime can run would leave a hole in the design: all must be valid."""
    design = _experiment_design(name)
    for policy in ("coarse", "refined"):
        base = make_config(f"policy={policy}", "days=815", "warmup_days=450")
        for row in range(designs.n_rows(design)):
            validate(designs.apply(base, dataclasses.replace(design, row=row)))


def test_rows_take_their_values_and_share_seeds_within_a_block():
    design = designs.Design("morris", size=3, factors=["scenario.bounce_hops", "scale.need_rates"], seed=7)
    assert designs.n_rows(design) == 9 and designs.block(design) == 3
    table = designs.sample(design)
    assert table.shape == (9, 2)
    np.testing.assert_array_equal(table, designs.sample(dataclasses.replace(design, row=5)))  # the same draw
    assert not np.array_equal(table, designs.sample(dataclasses.replace(design, seed=8)))
    base = make_config("seed=10")
    for row in range(9):
        cfg = designs.apply(base, dataclasses.replace(design, row=row))
        assert cfg.seed == 10 + row // 3  # a trajectory shares its seed: common random numbers
        assert cfg.scenario.bounce_hops == round(table[row, 0])  # a whole number, rounded
        for name, category in cfg.scenario.categories.items():
            for kind, rate in category.need_rates.items():
                assert rate == pytest.approx(base.scenario.categories[name].need_rates[kind] * table[row, 1])
    assert cfg.policy == base.policy  # the regime's dials are never factors
    sobol = designs.Design("sobol", size=4, factors=["scenario.visit_h"])
    lhs = designs.Design("lhs", size=5)
    assert designs.n_rows(sobol) == 4 * 3 and designs.block(sobol) == 3 and designs.block(lhs) == 1
    assert designs.sample(sobol).shape == (12, 1) and designs.sample(lhs).shape == (5, len(designs.factors(lhs)))


def test_a_grid_crosses_its_factors_values_and_shares_its_seeds_across_cells():
    design = designs.Design(
        "grid", size=2, factors=["scenario.duty_share", "scale.service_h"], levels=3, values={"scale.service_h": [1, 2]}
    )
    assert designs.n_rows(design) == 3 * 2 * 2 and designs.describe(design).startswith("grid: 3 × 2 values")
    table = designs.sample(design)
    np.testing.assert_allclose(np.unique(table[:, 0]), [0.3, 0.45, 0.6])  # levels spread over the vary range
    np.testing.assert_allclose(table[:4, 1], [1, 1, 2, 2])  # the given values, each cell once per seed
    base = make_config("seed=5")
    cfgs = [designs.apply(base, dataclasses.replace(design, row=r)) for r in range(12)]
    assert [c.seed for c in cfgs] == [5, 6] * 6  # every cell runs on the same seeds: paired across the map
    assert cfgs[11].scenario.duty_share == pytest.approx(0.6)
    assert cfgs[11].scenario.service_types["housing"].service_h == pytest.approx(
        2 * base.scenario.service_types["housing"].service_h
    )


def test_entries_levels_away_hours_and_patrol_are_set_as_declared():
    coarse, refined = make_config("policy=coarse"), make_config("policy=refined")
    values = {
        "scenario.channel_ease.hotline": 0.6,
        "scenario.categories.migrant.propensity": 0.4,
        "scale.propensity": 1.4,
        "scenario.away_extra_h": 2,
        "policy.patrol_share": 0.2,
    }
    for base in (coarse, refined):
        cfg = validate(designs.set_values(base, values))
        assert cfg.scenario.channel_ease == {**base.scenario.channel_ease, "hotline": 0.6}
        cats = cfg.scenario.categories
        assert cats["migrant"].propensity == pytest.approx(0.4 * 1.4)  # the entry, then the level
        assert cats["employed"].propensity == 1.0  # a probability: the level stops at 1
        assert cfg.scenario.away_extra_h == 2
    assert validate(designs.set_values(coarse, values)).policy == coarse.policy  # no patrol: a structural zero
    patrolled = designs.set_values(refined, {"policy.patrol_share": 0.02}).policy
    assert (patrolled.patrol_share, patrolled.patrol_floor) == (0.02, 0.02)  # the floor at most the share
    with pytest.raises(ConfigError, match="no entry 'nobody'"):
        designs.set_factor(coarse.scenario, "scenario.categories.nobody.propensity", 0.5)


def test_away_hours_lengthen_or_shorten_every_stretch_away():
    from sim.model.calendar import lengthened, week_mask
    from sim.model.world import Population, Territory

    office = week_mask(["Mon-Fri 08-18"])
    assert lengthened(office, 0).sum() == 50 and lengthened(office, 2).sum() == 60
    assert np.flatnonzero(lengthened(office, -3)[:24]).tolist() == list(range(8, 15))  # 08-15 on Monday
    assert not lengthened(week_mask(["Mon 08-10"]), -2).any()  # a stretch no longer than the cut is gone
    sc = dataclasses.replace(make_config("scenario=teaching").scenario, away_extra_h=3)
    pop = Population(sc, Territory.build(sc), np.random.default_rng(0))
    employed = pop.category_names.index("employed")
    assert pop.away[employed].hours_per_week == 65


@pytest.mark.parametrize(
    ("design", "message"),
    [
        (designs.Design("sobol", size=6), "power of two"),
        (designs.Design("fast"), "choose one of morris, sobol, lhs, grid"),
        (designs.Design("grid"), "a grid maps the factors it names"),
        (designs.Design("grid", factors=["scenario.visit_h"], values={"scenario.duty_share": [0.5]}), "not one of"),
        (designs.Design("grid", factors=["scenario.visit_h"], values={"scenario.visit_h": []}), "is empty"),
        (designs.Design("lhs", values={"scenario.visit_h": [0.1]}), "only a grid takes values"),
        (designs.Design("lhs", size=5, row=5), "rows 0 to 4"),
        (designs.Design("lhs", factors=["scenario.n_residents"]), "unknown entries"),
        (designs.Design("lhs", factors=["scale.need_rates", "scale.need_rates"]), "twice"),
    ],
)
def test_bad_designs_are_refused_naming_what_is_allowed(design, message):
    with pytest.raises(ConfigError, match=message):
        designs.check(design)


def test_design_keys_without_a_design_exit_2(tmp_path):
    done = cli("design.row=3", "scenario=teaching", "days=2", f"hydra.run.dir={tmp_path / 'x'}")
    assert done.returncode == 2 and "no design is chosen" in done.stderr, done.stderr
    done = cli("design=sobol", "design.size=6", "scenario=teaching", "days=2", f"hydra.run.dir={tmp_path / 'x'}")
    assert done.returncode == 2 and "power of two" in done.stderr, done.stderr
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------------------- analyses on known answers


def _known(design: designs.Design, f) -> pd.DataFrame:
    """The outcome table of a design whose KPI is ``f(x)`` under coarse and ``2 f(x)`` under
    refined (so the difference is ``f(x)``)."""
    x = designs.sample(design)
    runs = pd.DataFrame(
        [
            {"design.row": row, "policy": policy, "status": "ok", "resolved_within_7d": f(x[row]) * (1 + i)}
            for row in range(len(x))
            for i, policy in enumerate(("coarse", "refined"))
        ]
    )
    return sensitivity.outcome_table(runs, len(x), kpis=("resolved_within_7d",))


def test_morris_ranks_factors_by_their_effect_and_finds_the_inert_one():
    names = ["scenario.visit_h", "scenario.travel_kmh", "scenario.trust_rate"]
    design = designs.Design("morris", size=20, factors=names)
    lows = np.array([f.low for f in designs.factors(design)])
    spans = np.array([f.high - f.low for f in designs.factors(design)])

    def f(x):  # in units of each factor's range: 5 × the first, linear; 1 × the second; the third inert
        u = (x - lows) / spans
        return 5 * u[0] + u[1]

    table = _known(design, f)
    table.iloc[3, 0] = np.nan  # a failed run: its trajectory is left out, the others stand
    indices = sensitivity.morris_indices(design, table)
    coarse = indices[indices["arm"] == "coarse"].set_index("factor")
    assert coarse["trajectories"].iloc[0] == 19
    # A linear effect is the same everywhere: μ* = |coefficient| per range, σ = 0 (to rounding).
    assert coarse.loc["scenario.visit_h", "mu_star"] == pytest.approx(5, rel=1e-6)
    assert coarse.loc["scenario.travel_kmh", "mu_star"] == pytest.approx(1, rel=1e-6)
    assert coarse.loc["scenario.trust_rate", "no_effect"] and not coarse.loc["scenario.visit_h", "no_effect"]
    assert list(coarse.sort_values("rank").index[:2]) == names[:2]
    refined = indices[indices["arm"] == "refined"].set_index("factor")
    assert refined.loc["scenario.visit_h", "mu_star"] == pytest.approx(10, rel=1e-6)
    assert sensitivity.top_factors(indices, "mu_star", 2) == names[:2]


def test_sobol_indices_of_an_additive_function_match_theory():
    """y = a + 2 b over uniform a, b (in units of their ranges): variances 1 : 4, so S1 = ST =
    0.2 and 0.8, the third factor 0; 512 base samples estimate them to a few hundredths (the
    tolerance: several bootstrap half-widths)."""
    names = ["scenario.visit_h", "scenario.travel_kmh", "scenario.trust_rate"]
    design = designs.Design("sobol", size=512, factors=names)
    lows = np.array([f.low for f in designs.factors(design)])
    spans = np.array([f.high - f.low for f in designs.factors(design)])
    indices = sensitivity.sobol_indices(design, _known(design, lambda x: ((x - lows) / spans) @ [1, 2, 0]))
    got = indices[indices["arm"] == "coarse"].set_index("factor")
    for name, share in zip(names, (0.2, 0.8, 0.0)):
        assert got.loc[name, "S1"] == pytest.approx(share, abs=0.05)
        assert got.loc[name, "ST"] == pytest.approx(share, abs=0.05)


def test_prim_finds_the_box_where_refined_loses():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.uniform(0, 1, (400, 4)), columns=["a", "b", "c", "d"])
    lose = pd.Series(((x["a"] > 0.7) & (x["b"] < 0.4)) ^ (rng.uniform(size=400) < 0.03))
    (box, *_) = discovery.find_boxes(x, lose)
    limits = {lim["factor"]: (lim["low"], lim["high"]) for lim in box["limits"]}
    assert set(limits) == {"a", "b"}, limits
    assert limits["a"][0] == pytest.approx(0.7, abs=0.06) and limits["b"][1] == pytest.approx(0.4, abs=0.06)
    assert box["density"] > 0.8 and box["coverage"] > 0.7  # 3% of the labels are flipped at random
    assert discovery.find_boxes(x, pd.Series(np.zeros(400, dtype=bool))) == []  # no losses, no box


# ---------------------------------------------------------------------------- through the sweep machinery

SMALL = ("scenario=teaching", "days=20", "warmup_days=10", "hydra.launcher.n_jobs=2")


def test_morris_experiment_runs_small_and_reports_structural_zeros(small_design_sweep):
    runs = pd.read_parquet(small_design_sweep / "runs.parquet")
    assert len(runs) == 2 * 2 * 5 and (runs["status"] == "ok").all()
    report = small_design_sweep / "report"
    for name in ("design.csv", "outcomes.csv", "wins.md", "morris.csv", "morris.md", "morris.png"):
        assert (report / name).exists(), name
    indices = pd.read_csv(report / "morris.csv")
    assert set(indices["arm"]) == set(sensitivity.ARMS) and indices["factor"].nunique() == 4
    mu = indices.groupby(["arm", "factor"])["mu_star"].max()
    # Both regimes run a row on the same seed and values: a dial that is off in a regime leaves
    # its runs identical, so its factor has no effect there at all (common random numbers).
    assert mu["coarse", "scenario.visit_detection_prob"] == 0  # coarse makes no visits
    assert mu["coarse", "scenario.tailoring_time_factor"] == 0  # coarse gives standard remedies
    assert mu["refined", "scenario.appraisal_overhead_h"] == 0  # 四指同评 replaces the appraisal
    assert mu["coarse", "scale.need_rates"] > 0 and mu["refined", "scale.need_rates"] > 0


def test_a_design_resumes_in_its_folder_and_refuses_another_designs_runs(small_design_sweep, tmp_path):
    folder = tmp_path / "design"
    shutil.copytree(small_design_sweep, folder)
    again = cli(*SMALL_DESIGN, "hydra.launcher.n_jobs=2", "progress=false", f"hydra.sweep.dir={folder}")
    assert again.returncode == 0, again.stderr[-3000:]
    assert skipped(again) == 20 and "does not ask for" not in again.stderr  # the same rows: resumed
    jobs = sorted(p.name for p in folder.iterdir())
    other = [o.replace("design.size=2", "design.size=3") for o in SMALL_DESIGN]  # another sample
    refused = cli(*other, "progress=false", f"hydra.sweep.dir={folder}")
    assert refused.returncode == 2 and "a design's report reads the rows of one design" in refused.stderr
    assert sorted(p.name for p in folder.iterdir()) == jobs, "nothing run or written"


def test_a_report_refuses_runs_of_two_designs():
    runs = pd.DataFrame(
        {"status": "ok", "job": ["a", "b"], "design.row": [0, 7], "design.size": [2, 3], "policy": "coarse", "seed": 0}
    )
    with pytest.raises(SweepError, match=r"more than one design \(design.size: 2, 3\)"):
        report.check_runs(runs, Path("sweep"))


def test_sobol_and_discovery_experiments_run_small(tmp_path):
    sobol = cli(
        "experiment=sensitivity_sobol",
        *SMALL,
        "design.size=2",
        "design.factors=[scale.need_rates,scenario.visit_h]",
        f"hydra.sweep.dir={tmp_path / 'sobol'}",
    )
    assert sobol.returncode == 0, sobol.stderr[-3000:]
    indices = pd.read_csv(tmp_path / "sobol" / "report" / "sobol.csv")
    assert set(indices["factor"]) == {"scale.need_rates", "scenario.visit_h"} and (indices["base_samples"] == 2).all()
    assert (tmp_path / "sobol" / "report" / "sobol.png").exists()
    # The budget stays fixed here: at a thousand residents its low end leaves no paid post for
    # the volunteers' hours to replace (a town's rows are all valid: see above).
    lhs = cli(
        "experiment=scenario_discovery",
        *SMALL,
        # 50 days: at a thousand residents, the callback's rates (needs followed 30 days) need
        # the needs of the first 20 days; 10 may hold too few to follow a week.
        "days=50",
        "design.size=8",
        "design.budget=false",
        f"hydra.sweep.dir={tmp_path / 'lhs'}",
    )
    assert lhs.returncode == 0, lhs.stderr[-3000:]
    boxes = pd.read_csv(tmp_path / "lhs" / "report" / "boxes.csv")
    assert set(boxes["target"]) == set(discovery.TARGETS) and (boxes["rows"] == 8).all()
    assert (tmp_path / "lhs" / "report" / "boxes.png").exists()


def test_rows_of_interest_follow_each_kpis_better_direction():
    diff = pd.Series(np.arange(-5.0, 15.0))  # 20 rows: refined behind in 5 of them
    table = pd.DataFrame(
        {(sensitivity.DIFFERENCE, "resolved_within_7d"): diff, (sensitivity.DIFFERENCE, "response_time_mean_h"): -diff}
    )
    worse = discovery.cases(table, "resolved_within_7d", "worse")
    assert worse.sum() == 5 and worse.iloc[:5].all()
    slower = discovery.cases(table, "response_time_mean_h", "worse")  # lower is better: + is worse
    assert slower.equals(worse)
    least = discovery.cases(table, "resolved_within_7d", "weakest")
    assert least.sum() == 2 and least.iloc[:2].all()  # the lowest tenth of the advantage
    better = discovery.cases(table, "resolved_within_7d", "better")
    assert better.sum() == 14 and not better.iloc[:6].any()  # a tie (row 5, difference 0) is neither


def test_wins_count_by_each_kpis_better_direction():
    diff = pd.Series([-3.0, -1.0, 2.0])  # refined − coarse on three rows
    table = pd.DataFrame(
        {(sensitivity.DIFFERENCE, "resolved_within_7d"): diff, (sensitivity.DIFFERENCE, "response_time_mean_h"): diff}
    )
    counts = sensitivity.wins(table).set_index("kpi")
    # A share: higher is better, so refined did better in the one row where it is ahead.
    assert counts.loc["resolved_within_7d", ["refined_better", "refined_worse"]].tolist() == [1, 2]
    # Hours: lower is better, so the two negative differences are refined's wins.
    assert counts.loc["response_time_mean_h", ["refined_better", "refined_worse"]].tolist() == [2, 1]


def test_the_map_of_the_top_two_factors_runs_small_and_draws_the_phase_diagram(tmp_path):
    done = cli(
        "experiment=phase_top_two", *SMALL, "design.levels=2", "design.size=2", f"hydra.sweep.dir={tmp_path}/map"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    design = _experiment_design("phase_top_two")
    diffs = pd.read_csv(tmp_path / "map" / "report" / "differences.csv")
    cells = diffs[design.factors].drop_duplicates()
    assert len(cells) == 4  # 2 x 2 cells, each the factors' ends
    for name in design.factors:
        factor = designs.uncertain_factors()[name]
        assert sorted(cells[name].unique()) == pytest.approx([factor.low, factor.high])
    assert (diffs.loc[diffs["kpi"] == "resolved_within_7d", "pairs"] == 2).all()  # each cell paired over two seeds
    assert (tmp_path / "map" / "report" / "phase.png").exists()
