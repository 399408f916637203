"""The Python API's entry points check their arguments: a wrong table, grouping, KPI or arm
raises ConfigError naming the bad value and what is allowed; a sweep's folder that cannot give
its table of runs raises SweepError saying why. Correct calls are not affected."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sim.measure import ablation, analysis, curves, precision
from sim.model.params import ConfigError
from sim.study.sweep import RUNS, SweepError, collect_runs, read_runs


def runs_table() -> pd.DataFrame:
    """Two staffing levels, both policies, three seeds: the columns a sweep's table has."""
    rows = []
    for staff in (20, 30):
        for seed in range(3):
            for policy, bump in (("coarse", 0.0), ("refined", 0.1)):
                rows.append(
                    {"status": "ok", "policy": policy, "seed": seed, "scenario.workers_per_10k": staff}
                    | {"needs_fingerprint": f"{staff}-{seed}", "needs_met_share": 0.5 + bump + 0.01 * seed}
                    | {"needs_met_share_young": 0.4 + 2 * bump, "needs_met_share_old": 0.4 + bump}
                    | {"resolved_within_7d": 0.3 + bump, "staff_front_line": 10.0 + (policy == "refined")}
                )
    return pd.DataFrame(rows)


def raises(message_parts: list[str], call, *args, **kwargs) -> str:
    """Call, expect ConfigError, check that its message holds every part; return the message."""
    with pytest.raises(ConfigError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    for part in message_parts:
        assert part in message, f"{part!r} not in {message!r}"
    return message


ENTRY_POINTS = [
    (analysis.summarise, ([],)),
    (analysis.paired_differences, ([],)),
    (analysis.paired_levels, ([],)),
    (analysis.paired_runs, ([],)),
    (analysis.group_contrasts, ([], [("young", "old")], ["needs_met_share"])),
    (analysis.forest_rows, ()),
    (analysis.capacity_table, ([],)),
    (ablation.ablation_effects, ()),
    (ablation.decomposition, (["needs_met_share"], [])),
    (ablation.replay_decomposition, (["needs_met_share"], [])),
    (precision.replications, ([],)),
]


@pytest.mark.parametrize(("call", "args"), ENTRY_POINTS, ids=lambda x: getattr(x, "__name__", ""))
def test_a_path_for_the_table_says_how_to_load_it(call, args, tmp_path):
    for path in (str(tmp_path / "sweep"), tmp_path / "sweep"):
        raises([str(tmp_path / "sweep"), "is a path", "sim.study.sweep.read_runs"], call, path, *args)


@pytest.mark.parametrize(("call", "args"), ENTRY_POINTS, ids=lambda x: getattr(x, "__name__", ""))
def test_a_list_or_dict_for_the_table_asks_for_a_dataframe(call, args):
    rows = runs_table().to_dict("records")
    raises(["runs is a list, not a table", "DataFrame"], call, rows, *args)
    raises(["runs is a dict, not a table", "DataFrame"], call, rows[0], *args)


@pytest.mark.parametrize(("call", "args"), ENTRY_POINTS, ids=lambda x: getattr(x, "__name__", ""))
def test_an_empty_table_is_refused(call, args):
    raises(["empty table", "no rows"], call, runs_table().iloc[0:0], *args)


def test_the_error_is_a_value_error_as_every_bad_configuration_is():
    assert issubclass(ConfigError, ValueError)
    assert analysis.ConfigError is ConfigError


def test_by_must_be_a_list_of_columns():
    runs = runs_table()
    raises(["by='policy' is a single name", "by=['policy']"], analysis.summarise, runs, "policy")
    # A KPI given where the grouping goes, as by a swap of positional arguments.
    raises(["by='needs_met_share' is a single name"], analysis.paired_differences, runs, "needs_met_share")
    raises(["by=None", "pass a list of names"], analysis.paired_levels, runs, None)
    message = raises(["by: 'polcy' is not a column", "closest: policy"], analysis.summarise, runs, ["polcy"])
    assert "scenario.workers_per_10k" in message and "[] for one group" in message, message
    raises(["by: 'staff' is not a column"], analysis.capacity_table, runs, ["staff"])
    raises(["by: 'seeds' is not a column", "closest: seed"], precision.replications, runs, ["seeds"])


def test_an_unknown_kpi_names_the_closest_and_where_the_list_is():
    runs = runs_table()
    message = raises(
        ["unknown KPI 'needs_met'", "needs_met_share", "KPIS"], analysis.summarise, runs, [], ["needs_met"]
    )
    assert re.search(r"closest: needs_met_share\b", message), message
    raises(
        ["unknown KPI 'resolved_within_7'", "resolved_within_7d"],
        analysis.paired_differences,
        runs,
        [],
        kpis=["resolved_within_7"],
    )
    # A KPI by group whose group is misspelt, in a table that has that KPI's groups.
    raises(
        ["unknown KPI 'needs_met_share_yung'", "needs_met_share_young"],
        analysis.paired_levels,
        runs,
        [],
        kpis=["needs_met_share_yung"],
    )
    raises(
        ["kpis='needs_met_share' is a single name", "kpis=['needs_met_share']"],
        analysis.summarise,
        runs,
        [],
        "needs_met_share",
    )
    raises(["unknown KPI 'coarse'"], analysis.summarise, runs, ["policy"], ["coarse"])
    raises(["unknown KPI 'share'"], ablation.ablation_effects, runs.assign(variant=runs["policy"]), ["share"])
    raises(["unknown KPI 'resolved'"], analysis.forest_rows, runs, group_kpi="resolved")
    raises(["unknown KPI 'needs'"], precision.replications, runs, ["scenario.workers_per_10k"], ["needs"])


def test_known_kpis_the_table_lacks_are_left_out():
    runs = runs_table()
    # Of KPIS, of CITY_KPIS, a column, and a group's KPI where the table keeps no groups of that KPI.
    kpis = ["on_time_share", "city_closure_rate", "staff_front_line", "callback_satisfaction_rate_elderly"]
    out = analysis.summarise(runs, ["policy"], kpis)
    assert set(out["kpi"]) == {"staff_front_line"}
    assert analysis.paired_differences(runs, ["scenario.workers_per_10k"], kpis=["on_time_share"]).empty


def test_an_arm_not_in_its_column_names_the_values_present():
    runs = runs_table()
    raises(
        ["treatment='refind' is not a value of column 'policy'", "values present: coarse, refined"],
        analysis.paired_differences,
        runs,
        ["scenario.workers_per_10k"],
        treatment="refind",
    )
    raises(
        ["control='Coarse'", "values present: coarse, refined"],
        analysis.paired_levels,
        runs,
        ["scenario.workers_per_10k"],
        control="Coarse",
    )
    raises(
        ["treatment=40 is not a value of column 'scenario.workers_per_10k'", "values present: 20, 30"],
        analysis.paired_differences,
        runs,
        ["policy"],
        column="scenario.workers_per_10k",
        treatment=40,
        control=20,
    )
    raises(
        ["column: 'polcy' is not a column", "closest: policy"],
        analysis.paired_runs,
        runs,
        ["scenario.workers_per_10k"],
        column="polcy",
    )
    raises(
        ["treatment and control are both 'coarse'"],
        analysis.paired_differences,
        runs,
        ["scenario.workers_per_10k"],
        treatment="coarse",
    )
    raises(["arm: 'variant' is not a column", "policy or variant"], analysis.capacity_table, runs, [], arm="variant")


def test_the_default_comparison_on_one_policy_gives_no_rows():
    one = runs_table().query("policy == 'refined'")
    assert analysis.paired_differences(one, ["scenario.workers_per_10k"]).empty
    assert analysis.paired_levels(one, ["scenario.workers_per_10k"]).empty
    assert list(analysis.paired_runs(one, ["scenario.workers_per_10k"])) == []


def test_runs_that_cannot_be_paired_ask_for_what_varies_in_by():
    runs = runs_table()
    expected = ["12 runs share their policy, seed and group of by=[]", "scenario.workers_per_10k"]
    raises(expected, analysis.paired_differences, runs, [])
    raises(expected, precision.replications, runs, [])


def test_group_contrasts_take_a_list_of_pairs_of_groups_present():
    runs = runs_table()
    raises(
        ["groups: 'young' is not a pair", "[('employed', 'elderly')]"],
        analysis.group_contrasts,
        runs,
        ["scenario.workers_per_10k"],
        ("young", "old"),
        ["needs_met_share"],
    )
    raises(
        ["groups: ('young', 'elderly')", "groups present are old, young"],
        analysis.group_contrasts,
        runs,
        ["scenario.workers_per_10k"],
        [("young", "elderly")],
        ["needs_met_share"],
    )
    c = analysis.group_contrasts(runs, ["scenario.workers_per_10k"], [("young", "old")], ["needs_met_share"])
    assert list(c["difference"]) == pytest.approx([0.1, 0.1])


def test_matched_tables_name_what_they_lack():
    issues = pd.DataFrame({"issue_id": [0], "created_h": [0.0], "reported_h": [1.0], "resolved_h": [2.0]})
    row = runs_table().iloc[0]
    raises(["control is a Series, not a table", "pandas.read_parquet(path)"], analysis.matched_resolution, row, issues)
    raises(
        ["treatment: 'resolved_h' is not a column", "Result.issues"],
        analysis.matched_resolution,
        issues,
        issues.drop(columns="resolved_h"),
    )
    per_pair = pd.DataFrame({"seed": [0], "kpi": ["matched_needs"], "coarse": [1.0], "refined": [1.0]})
    raises(["per_pair: 'treated' is not a column"], analysis.matched_summary, per_pair, [], treatment="treated")


def test_ablation_and_decompositions_say_which_runs_they_take():
    runs = runs_table()
    raises(
        ["runs: 'variant' is not a column", "experiment=mechanism_ablation"],
        ablation.ablation_effects,
        runs,
        ["needs_met_share"],
        ["scenario.workers_per_10k"],
    )
    with_variant = runs.assign(variant=runs["policy"], access="basic")
    raises(
        ["not a decomposition's", "coarse+party with modern access", "experiment=decomposition"],
        ablation.decomposition,
        with_variant,
        ["needs_met_share"],
        [],
    )
    raises(
        ["not a replay's", "experiment=replay_dongcheng"],
        ablation.replay_decomposition,
        with_variant,
        ["needs_met_share"],
        [],
    )


def test_replications_check_their_targets():
    runs = runs_table()
    by = ["scenario.workers_per_10k"]
    raises(
        ["half_widths={'shares': 0.01}", "share, score, hours"],
        precision.replications,
        runs,
        by,
        half_widths={"shares": 0.01},
    )
    raises(["confidence=95", "strictly between 0 and 1"], precision.replications, runs, by, confidence=95)


def test_daily_bands_name_a_wrong_measure_or_a_missing_column():
    series = pd.DataFrame({"policy": "coarse", "seed": [0, 1], "day": 0, "backlog": [1.0, 2.0]})
    raises(
        ["unknown measure 'backlogs'", "closest: backlog", "SERIES"],
        curves.timeseries_bands,
        series,
        measures=["backlogs"],
    )
    raises(["series: 'variant' is not a column"], curves.timeseries_bands, series, arm="variant")
    raises(["curves: 'cif' is not a column", "resolution_curve"], curves.curve_bands, series)
    raises(["series is a list, not a table", "pandas.read_parquet(path)"], curves.timeseries_bands, [1.0])


def test_correct_calls_accept_any_list_like_and_give_the_same_tables():
    runs = runs_table()
    by = ["scenario.workers_per_10k"]
    listed = analysis.paired_differences(runs, by, kpis=["needs_met_share", "resolved_within_7d"])
    as_tuples = analysis.paired_differences(runs, tuple(by), kpis=("needs_met_share", "resolved_within_7d"))
    pd.testing.assert_frame_equal(listed, as_tuples)
    assert list(listed["difference"]) == pytest.approx([0.1] * 4)
    every = analysis.summarise(runs, ["policy", *by], analysis.KPIS)  # the dict of KPIs: its keys
    assert set(every["kpi"]) == {"needs_met_share", "resolved_within_7d"} and len(every) == 8
    one_group = analysis.summarise(runs[runs["scenario.workers_per_10k"] == 20], [], ["needs_met_share"])
    assert one_group.iloc[0]["n"] == 6


def test_read_runs_says_why_a_folder_gives_no_table(tmp_path):
    with pytest.raises(SweepError, match=re.escape(f"{tmp_path / 'nope'} does not exist: give a sweep directory")):
        read_runs(tmp_path / "nope")
    with pytest.raises(SweepError, match=f"has no {RUNS} and no job folders"):
        read_runs(tmp_path)
    (tmp_path / "job0" / ".hydra").mkdir(parents=True)
    with pytest.raises(
        SweepError, match=f"has no {RUNS}: build it .*python -m sim.present.report {re.escape(str(tmp_path))}"
    ):
        read_runs(str(tmp_path))
    runs_table().to_parquet(tmp_path / RUNS)
    pd.testing.assert_frame_equal(read_runs(tmp_path), read_runs(tmp_path / RUNS))
    with pytest.raises(SweepError, match="a DataFrame is a table already"):
        read_runs(runs_table())
    with pytest.raises(SweepError, match="sweep_dir is a DataFrame"):
        collect_runs(runs_table())
