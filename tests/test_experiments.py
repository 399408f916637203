"""Every named experiment runs as one command at a small size; ablation variants are honest;
publish puts the capacity with volunteers counted and on top side by side."""

import dataclasses

import pandas as pd
import pytest

from tests.conftest import cli, make_config

# Each experiment with its main axis cut to two values, so the smoke run stays small.
SMALL_AXES = {
    "compare_regimes": [],
    "staffing": ["scenario.workers_per_10k=10,20"],
    "heterogeneity": ["scenario.need_heterogeneity=0,1"],
    "mechanism_ablation": ["variant=coarse,coarse+patrol,refined,refined-patrol"],
    "information_cost": ["scenario.visit_h=0.1,0.4", "scenario.info_decay_days=90"],
    "decomposition": [],
    "load": ["scenario.demand_scale=1,4"],
    "phase_load_staffing": ["scenario.demand_scale=1,4", "scenario.workers_per_10k=10,20"],
}


@pytest.mark.parametrize("name", sorted(SMALL_AXES))
def test_experiment_runs_small_and_reports(name, tmp_path, request):
    if name == "compare_regimes":
        # This command is already run once per session for test_headline: compare_regimes_sweep
        # (tests/conftest.py), the same experiment at teaching scale and 20 days, with three
        # seeds and a 3-day warm-up instead of two seeds and 10 days: still measured after a
        # warm-up, and with more pairs to check. Its exit status is asserted there.
        sweep_dir = request.getfixturevalue("compare_regimes_sweep")
    else:
        done = cli(
            f"experiment={name}",
            "scenario=teaching",
            "days=20",
            "warmup_days=10",  # experiments measure after a warm-up; here a short one
            "seed=range(0,2)",
            *SMALL_AXES[name],
            f"hydra.sweep.dir={tmp_path}",
        )
        assert done.returncode == 0, done.stderr[-3000:]
        sweep_dir = tmp_path
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    assert (runs["status"] == "ok").all() and len(runs) >= 4
    report = sweep_dir / "report"
    assert (report / "figure.png").exists() or list(report.glob("figure_*=*.png")), "a figure, or one per slice"
    if name == "decomposition":
        parts = pd.read_csv(sweep_dir / "report" / "decomposition.csv")
        slices = list(parts.columns[: list(parts.columns).index("kpi")])  # other swept axes: one figure each
        assert len(list((sweep_dir / "report").glob("decomposition*.png"))) == max(len(parts.groupby(slices)), 1)
        for _, part in parts.groupby(slices) if slices else [((), parts)]:
            gap = part[part["kpi"] == "resolved_within_7d"].set_index("part")
            # All eight arms of both seeds, and the bundles' parts add up to the full gap.
            assert (gap["pairs"] == 2).all(), gap
            assert gap.loc[["access", "individualisation", "party"], "mean"].sum() == pytest.approx(
                gap.loc["full gap", "mean"], abs=1e-12
            )
        return
    if name == "phase_load_staffing":
        assert (sweep_dir / "report" / "phase.png").exists(), "two numeric axes: the gap's phase diagram"
    table = "effects.csv" if name == "mechanism_ablation" else "differences.csv"
    t = pd.read_csv(sweep_dir / "report" / table)
    assert len(t) > 0 and t["paired_ok"].all(), f"{name}: pairs must face identical needs"


DIALS = [f.name for f in dataclasses.fields(make_config().policy) if f.name != "name"]


def _dials(policy):
    return {k: getattr(policy, k) for k in DIALS}


# An ablation variant switches one dial; a dial may be more than one field.
DIAL_FIELDS = {
    "patrol": ("patrol_share", "patrol_floor"),
    "pooling": ("pool_level", "backup"),  # grid units, with their A/B partners
    "remedy": ("remedy", "fallback_after_days"),  # tailored, with the fallback to the standard
    "volunteers": ("mobilisation",),
}


def test_ablation_variants_switch_exactly_one_dial_and_bundles_their_bundle():
    from pathlib import Path

    from sim.model.params import BUNDLE_DIALS

    coarse, refined = _dials(make_config("policy=coarse").policy), _dials(make_config("policy=refined").policy)
    names = sorted(p.stem for p in (Path(__file__).parent.parent / "configs" / "variant").glob("*.yaml"))
    for name in names:
        if name in ("coarse", "refined") or name.startswith("dongcheng"):  # the replay's: test below
            continue
        v = _dials(make_config(f"variant={name}").policy)
        base, other = (coarse, refined) if name.startswith("coarse+") else (refined, coarse)
        dial = name.split("+")[-1].split("-")[-1]
        fields = BUNDLE_DIALS.get(dial) or DIAL_FIELDS.get(dial) or (dial,)
        changed = {k for k in DIALS if v[k] != base[k]}
        assert changed and changed <= set(fields), f"{name} changes {changed or 'nothing'}, not {fields}"
        assert all(v[k] == other[k] for k in fields), f"{name}: not the other preset's {fields}"


def test_the_replay_variants_are_their_bundles_with_city_management_left_to_departments():
    """Each of the replay's variants (configs/variant/dongcheng*.yaml) is the ablation variant of
    the same bundles, but for the front line's competence: welfare and disputes, city management
    with the departments, as in Dongcheng; and the replay's analysis knows each of them."""
    from sim.measure.ablation import REFORM_VARIANTS

    same = {"dongcheng": "coarse", "dongcheng+party": "coarse+party", "dongcheng+individualisation+party": "refined"}
    for name, parts in REFORM_VARIANTS.items():
        base = _dials(make_config(f"variant={same.get(name, 'coarse+individualisation')}").policy)
        v = _dials(make_config(f"variant={name}").policy)
        assert {k for k in DIALS if v[k] != base[k]} <= {"competence"}, name
        assert v["competence"] == ["welfare", "dispute"], name
        assert name == "+".join(("dongcheng", *parts))


def test_the_presets_differ_only_in_individualisation_and_party_dials():
    from sim.model.params import BUNDLE_DIALS

    coarse, refined = _dials(make_config("policy=coarse").policy), _dials(make_config("policy=refined").policy)
    differ = {k for k in DIALS if coarse[k] != refined[k]}
    assert differ <= set(BUNDLE_DIALS["individualisation"]) | set(BUNDLE_DIALS["party"]), differ
    # Access is held equal (the same channels and hours), and access=basic changes only it.
    assert all(coarse[k] == refined[k] for k in BUNDLE_DIALS["access"])
    basic = _dials(make_config("policy=coarse", "access=basic").policy)
    assert {k for k in DIALS if basic[k] != coarse[k]} == set(BUNDLE_DIALS["access"])


def _capacity_csv(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["key", "coarse", "refined"]).to_csv(path, index=False)
    return path


def test_publish_joins_the_capacity_with_volunteers_counted_and_on_top(tmp_path):
    from experiments.publish import capacity_both

    counted = _capacity_csv(tmp_path / "a.csv", [("staff_front_line", 36, 55), ("volunteer_h_usable", 0, 900.0)])
    on_top = _capacity_csv(tmp_path / "b.csv", [("staff_front_line", 36, 62), ("visits", 0, 4000)])
    both = capacity_both(counted, on_top)
    columns = ["key", "coarse, counted", "refined, counted", "coarse, on top", "refined, on top"]
    assert list(both.columns) == columns
    assert both["key"].tolist() == ["staff_front_line", "volunteer_h_usable", "visits"], "counted's order first"
    assert both.iloc[0, 1:].tolist() == [36, 55, 36, 62]
    assert both.iloc[1, 3:].isna().all() and both.iloc[2, 1:3].isna().all(), "blank where one has no such quantity"


@pytest.fixture
def published(tmp_path, monkeypatch):
    """publish's folders moved under tmp_path: (counted's report, on top's report, figures)."""
    from experiments import publish

    folders = {"compare_regimes": tmp_path / "counted", publish.ON_TOP[1]: tmp_path / "on_top"}
    monkeypatch.setattr(publish, "sweep_dir", folders.__getitem__)
    monkeypatch.setattr(publish, "FIGURES", tmp_path / "figures")
    (tmp_path / "figures").mkdir()
    return folders["compare_regimes"] / "report", folders[publish.ON_TOP[1]] / "report", tmp_path / "figures"


def test_publish_writes_the_capacity_of_both_with_the_reason_and_the_ledger(published):
    from experiments.publish import DEFAULT_BUDGET, capacity
    from sim.present.ledger_table import measured_ledger

    counted, on_top, _ = published
    _capacity_csv(counted / "capacity.csv", [("staff_front_line", 36, 55), ("time_front_line_patrol_h", 0, 20.0)])
    _capacity_csv(on_top / "capacity.csv", [("staff_front_line", 36, 62), ("time_front_line_patrol_h", 0, 30.0)])
    runs = pd.DataFrame({"policy": ["coarse", "refined"], "time_front_line_patrol_h": [0.0, 20.0]})
    measured_ledger(runs, [], "policy").to_csv(counted / "ledger.csv", index=False)
    text = capacity().read_text()
    assert text.startswith(DEFAULT_BUDGET + "\n\n**compare_regimes**")
    assert "| quantity | coarse, counted | refined, counted | coarse, on top | refined, on top |" in text
    assert "| staff, front line | 36 | 55 | 36 | 62 |" in text
    assert "| patrol, front line (h) | 0 | 20 | 0 | 30 |" in text
    assert "**Ledger of costs and benefits, measured (volunteers counted)**" in text
    assert "| `patrol` | 0 | 20 |" in text and "Not in the books" in text


def test_publish_without_the_on_top_sweep_copies_the_default_and_says_so(published):
    from experiments.publish import capacity

    counted, _, _ = published
    counted.mkdir(parents=True)
    (counted / "capacity.md").write_text("**compare_regimes**: the default's table.\n")
    lines = capacity().read_text().splitlines()
    assert "has not been run" in lines[0] and lines[2] == "**compare_regimes**: the default's table."
