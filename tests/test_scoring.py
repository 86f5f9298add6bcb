import pandas as pd
import pytest

from cqdt.catalogue import BestShare, CappedCount, GroupLevels, LevelRule, Percent, Ratio, Steps, YesNo
from cqdt.ranking import assign_level, competition_rank
from cqdt.scoring import criterion_points, unit_points

FRAME = pd.DataFrame({"yes": [1.0, 0.0, 1.0], "num": [30.0, 0.0, 50.0], "den": [40.0, 0.0, 50.0],
                      "pct": [62.5, 0.0, 100.0], "count": [0.0, 7.0, 250.0], "amount": [250.0, 1000.0, 0.0]},
                     index=["A", "B", "C"])
COMMON = dict(label="x", pillar="readiness")


def points(criterion):
    return criterion_points(criterion, FRAME).round(10).tolist()


def test_yes_no_gives_all_or_nothing():
    assert points(YesNo(id="Y", rule="yes_no", field="yes", max_points=4, **COMMON)) == [4.0, 0.0, 4.0]


def test_ratio_is_proportional_and_zero_for_an_empty_denominator():
    rule = Ratio(id="R", rule="ratio", numerator="num", denominator="den", max_points=8, **COMMON)
    assert points(rule) == [6.0, 0.0, 8.0]


def test_percent_scales_the_maximum():
    assert points(Percent(id="P", rule="percent", field="pct", max_points=4, **COMMON)) == [2.5, 0.0, 4.0]


def test_steps_take_the_highest_threshold_reached():
    rule = Steps(id="S", rule="steps", field="count", max_points=3, **COMMON,
                 steps=[{"at_least": 1, "points": 1}, {"at_least": 6, "points": 2}, {"at_least": 12, "points": 3}])
    assert points(rule) == [0.0, 2.0, 3.0]


def test_capped_count_stops_at_the_maximum():
    rule = CappedCount(id="C", rule="capped_count", field="count", points_each=0.02, max_points=4, **COMMON)
    assert points(rule) == [0.0, 0.14, 4.0]


def test_best_share_compares_with_the_best_unit_of_the_group():
    rule = BestShare(id="B", rule="best_share", field="amount", max_points=4, **COMMON)
    assert points(rule) == [1.0, 4.0, 0.0]


def test_one_units_points_are_its_row_of_the_groups_points():
    """The reconstruction scores a unit alone (unit_points); each rule must give it the very float its
    row gets in the group's frame, a missing figure included; best share needs the group and is refused."""
    import math

    frame = FRAME.copy()
    frame.loc["D"] = [float("nan")] * len(frame.columns)
    rules = [YesNo(id="Y", rule="yes_no", field="yes", max_points=4, **COMMON),
             Ratio(id="R", rule="ratio", numerator="num", denominator="den", max_points=8, **COMMON),
             Percent(id="P", rule="percent", field="pct", max_points=3.3, **COMMON),
             Steps(id="S", rule="steps", field="count", max_points=3, **COMMON,
                   steps=[{"at_least": 1, "points": 1}, {"at_least": 6, "points": 2}]),
             CappedCount(id="C", rule="capped_count", field="count", points_each=0.07, max_points=4, **COMMON)]
    for rule in rules:
        column = criterion_points(rule, frame)
        for code, row in frame.iterrows():
            alone, in_group = unit_points(rule, row.to_dict()), column[code]
            assert alone == in_group or (math.isnan(alone) and math.isnan(in_group)), (rule.id, code)
    with pytest.raises(TypeError):
        unit_points(BestShare(id="B", rule="best_share", field="amount", max_points=4, **COMMON), {"amount": 1.0})


def test_competition_ranking_shares_ranks_and_skips_the_next():
    totals = pd.Series([150.0, 140.004, 140.001, 139.0, 140.0], index=list("abcde"))
    assert competition_rank(totals, 2).tolist() == [1, 2, 2, 5, 2]
    assert competition_rank(totals, 3).tolist() == [1, 2, 3, 5, 4]


class _Group:
    max_points = 100.0
    levels = GroupLevels(below_label="Chưa đạt mức IV", rules=[
        LevelRule(level="I", min_share=0.85, required_full=["I_MOTCUA"]),
        LevelRule(level="II", min_share=0.80), LevelRule(level="III", min_share=0.70),
        LevelRule(level="IV", min_share=0.60)])


@pytest.mark.parametrize("total, full, expected", [
    (85.0, {"I_MOTCUA"}, "I"),
    (84.999, {"I_MOTCUA"}, "II"),
    (92.0, set(), "II"),  # the mandatory criterion of level I is not at full points
    (80.0, set(), "II"),
    (70.0, set(), "III"),
    (60.0, set(), "IV"),
    (59.99, set(), "Chưa đạt mức IV"),
])
def test_levels_follow_score_share_and_mandatory_criteria(total, full, expected):
    assert assign_level(total, full, _Group) == expected


def test_rounding_a_whole_array_agrees_with_the_printed_rounding():
    """The tie rule rounds arrays at once; it must round every value as the tables print it."""
    import numpy as np

    from cqdt.formatting import round_half_up, round_half_up_array

    halfway = [0.125, 2.675, 117.685, 60.905, 148.425, 1.005, 99.995, 0.5, 1e-9]
    rng = np.random.default_rng(3)
    values = np.concatenate([halfway, rng.uniform(0, 1000, 20000), np.round(rng.uniform(0, 200, 5000), 3)])
    for decimals in (0, 2, 3):
        expected = [round_half_up(v, decimals) for v in values]
        assert round_half_up_array(values, decimals).tolist() == expected


def test_the_robustness_simulation_ranks_by_the_official_tie_rule():
    """Two units whose totals print alike share a rank in every simulated run, as in the official table."""
    import pandas as pd

    from cqdt.robustness import rank_intervals

    table = pd.DataFrame({"a": [10.0, 10.001, 5.0], "b": [10.0, 10.0, 5.0]}, index=["X", "Y", "Z"])
    intervals = rank_intervals(table, {"a": 20.0, "b": 20.0}, runs=50, seed=1, spread=1e-6, decimals=2)
    assert intervals["median_rank"].tolist() == [1, 1, 3]
    assert competition_rank(table.sum(axis=1), 2).tolist() == [1, 1, 3]
