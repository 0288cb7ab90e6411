"""Pre-evaluation: seven grades from indicator values and a versioned standard (pipeline.grading)."""
import copy
from fractions import Fraction

import pytest

from heatmap.pipeline import grading as gr

ALL_DOCUMENTS = list(gr.DOCUMENTS)


def standard(**changes):
    """A small standard to reason about by hand: tax 40 (full at 10 万元/亩, linear from 0), size 30 (ratio to
    20000 万元), fit 30 (encouraged 100 %, allowed 50 %, restricted 0 %); cut-offs 90/80/70/60/50/40."""
    base = {
        "indicators": [
            {"indicator": "tax_per_mu_wan", "weight": 40, "scoring": "piecewise", "points": [[0, 0], [10, 100]]},
            {"indicator": "investment_cny_wan", "weight": 30, "scoring": "ratio", "benchmark": 20000},
            {"indicator": "industry_fit", "weight": 30, "scoring": "choice",
             "options": {"encouraged": 100, "allowed": 50, "restricted": 0}},
        ],
        "vetoes": ["environment", "fake_project"],
        "documents": ["application", "feasibility_study"],
        "cutoffs": {"A+": 90, "A": 80, "B": 70, "C": 60, "D": 50, "E": 40},
    }
    base.update(changes)
    return base


def inputs(tax=10, size=20000, fit="encouraged", vetoes=(), documents=("application", "feasibility_study")):
    values = {"tax_per_mu_wan": tax, "investment_cny_wan": size, "industry_fit": fit}
    return {"values": {k: v for k, v in values.items() if v is not None}, "vetoes": list(vetoes), "documents": list(documents)}


# --- scoring ----------------------------------------------------------------------------------------------------


def test_full_marks_give_100_and_a_plus():
    result = gr.grade(inputs(), standard())
    assert result.score == 100 and result.grade == "A+"
    assert [(line.indicator, line.points) for line in result.lines] == [
        ("tax_per_mu_wan", 40), ("investment_cny_wan", 30), ("industry_fit", 30)]


def test_piecewise_points_are_linear_between_breakpoints_and_flat_outside():
    scoring = {"scoring": "piecewise", "points": [[0, 0], [300, 60], [500, 100]]}
    assert gr.share(150, scoring) == Fraction(3, 10)  # half way to 300: half of 60 %
    assert gr.share(400, scoring) == Fraction(8, 10)  # half way from 60 % to 100 %
    assert gr.share(500, scoring) == 1 and gr.share(9000, scoring) == 1  # the full-mark threshold and above
    assert gr.share(0, scoring) == 0
    floor = {"scoring": "piecewise", "points": [[100, 20], [200, 100]]}
    assert gr.share(50, floor) == Fraction(1, 5)  # below the first point: the first point's share


def test_ratio_to_a_benchmark_is_capped_at_full_marks():
    scoring = {"scoring": "ratio", "benchmark": 20000}
    assert gr.share(5000, scoring) == Fraction(1, 4)
    assert gr.share(60000, scoring) == 1


def test_choices_score_their_share():
    result = gr.grade(inputs(fit="allowed"), standard())
    assert result.lines[2].points == 15 and result.score == 85 and result.grade == "A"


def test_weights_scale_each_indicator():
    heavier_tax = standard()
    heavier_tax["indicators"][0]["weight"], heavier_tax["indicators"][2]["weight"] = 60, 10
    result = gr.grade(inputs(tax=5, fit="encouraged"), heavier_tax)
    assert [line.points for line in result.lines] == [30, 30, 10] and result.score == 70


# --- cut-offs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tax, grade", [
    (10, "A+"),  # 100
    (7.5, "A+"),  # 30 + 30 + 30 = 90: on the cut-off is the grade above it
    (7.25, "A"),  # 89
    (5, "A"),  # 80
    (4.75, "B"),  # 79
    (2.5, "B"),  # 70
    (0, "C"),  # 60
])
def test_a_score_on_a_cut_off_gets_that_grade(tax, grade):
    assert gr.grade(inputs(tax=tax), standard()).grade == grade


def test_every_grade_down_to_f():
    expected = {100: "A+", 85: "A", 75: "B", 65: "C", 55: "D", 45: "E", 39: "F", 0: "F"}
    only_tax = standard(indicators=[{"indicator": "tax_per_mu_wan", "weight": 100, "scoring": "piecewise",
                                     "points": [[0, 0], [100, 100]]}])
    got = {score: gr.grade({"values": {"tax_per_mu_wan": score}, "documents": ALL_DOCUMENTS}, only_tax).grade for score in expected}
    assert got == expected


def test_exact_decimals_a_score_that_floats_would_put_below_the_cut_off():
    # 0.1 + 0.2 is 0.30000000000000004 in floats; here three weights of 0.1 + 0.2 + 99.7 are exactly 100
    tiny = standard(indicators=[
        {"indicator": "tax_per_mu_wan", "weight": 0.1, "scoring": "piecewise", "points": [[0, 0], [1, 100]]},
        {"indicator": "jobs", "weight": 0.2, "scoring": "piecewise", "points": [[0, 0], [1, 100]]},
        {"indicator": "investment_cny_wan", "weight": 99.7, "scoring": "ratio", "benchmark": 10},
    ], cutoffs={"A+": 100, "A": 80, "B": 70, "C": 60, "D": 50, "E": 40})
    assert gr.validate_standard(tiny, "x") == []
    result = gr.grade({"values": {"tax_per_mu_wan": 1, "jobs": 1, "investment_cny_wan": 10}, "documents": ALL_DOCUMENTS}, tiny)
    assert result.score == 100 and result.grade == "A+"


# --- vetoes, missing values and documents --------------------------------------------------------------------


def test_any_veto_forces_f_even_with_full_marks():
    result = gr.grade(inputs(vetoes=["fake_project"]), standard())
    assert result.grade == "F" and result.vetoes == ("fake_project",) and result.score == 100
    assert result.reasons()[0].key == "grading.why.veto"


def test_a_veto_the_standard_does_not_list_does_not_apply():
    assert gr.grade(inputs(vetoes=["energy"]), standard()).grade == "A+"


def test_a_veto_decides_even_while_values_are_missing():
    result = gr.grade(inputs(tax=None, vetoes=["environment"]), standard())
    assert result.grade == "F" and result.missing == ("tax_per_mu_wan",) and result.score is None


def test_missing_values_give_not_rated_yet_naming_them_never_a_guess():
    result = gr.grade(inputs(tax=None, fit=None), standard())
    assert result.grade is None and not result.rated and result.score is None
    assert result.missing == ("tax_per_mu_wan", "industry_fit")
    assert gr.verdict_text(result, "zh") == "暂未评级：缺少亩均税收、产业导向契合度。"
    assert gr.verdict_text(result, "en") == "Not rated yet: Tax per mu, Fit with Taicang's industrial direction missing."


@pytest.mark.parametrize("bad", [float("nan"), -1, "12", True, "somewhat"])
def test_a_value_that_is_not_a_number_or_option_counts_as_missing(bad):
    result = gr.grade(inputs(tax=bad, fit=bad if isinstance(bad, str) else "allowed"), standard())
    assert "tax_per_mu_wan" in result.missing and result.grade is None


def test_missing_documents_give_not_rated_yet():
    result = gr.grade(inputs(documents=["application"]), standard())
    assert result.grade is None and result.missing_documents == ("feasibility_study",) and result.score == 100
    assert "可行性研究报告" in gr.verdict_text(result, "zh")


# --- the explanation -----------------------------------------------------------------------------------------


def test_the_explanation_lists_each_indicator_value_points_weight_and_the_veto():
    result = gr.grade(inputs(tax=5, fit="allowed", vetoes=["environment"]), standard())
    rows = gr.explanation(result, "en")
    assert rows[0] == {"indicator": "Tax per mu", "value": "5 (10k CNY/mu a year)",
                       "scoring": "Full marks at 10 (10k CNY/mu a year) (0 → 0%, 10 → 100%)", "points": "20", "weight": "40"}
    assert rows[1]["scoring"] == "Value ÷ benchmark 20,000 (10k CNY), at most full marks"
    assert rows[2]["value"] == "Allowed" and rows[2]["points"] == "15"
    assert rows[3] == {"indicator": "Veto", "value": "Environmental problem that cannot be solved",
                       "scoring": "Any veto gives F", "points": "–", "weight": "–"}
    assert rows[4]["indicator"] == "Total" and rows[4]["value"] == "F" and rows[4]["points"] == "65"
    zh = gr.explanation(gr.grade(inputs(tax=None), standard()), "zh")
    assert zh[0]["value"] == "未填" and zh[0]["points"] == "–" and zh[-1]["value"] == "暂未评级"


def test_a_grade_is_recomputed_exactly_from_the_same_values_and_standard():
    values = inputs(tax=3.3, size=12345.6, fit="allowed")
    first = gr.grade(values, standard(), category="manufacturing", version=3)
    again = gr.grade(copy.deepcopy(values), copy.deepcopy(standard()), category="manufacturing", version=3)
    assert first == again and first.score == Fraction(132, 10) + Fraction(123456, 200000) * 30 + 15


# --- the standards as data -----------------------------------------------------------------------------------


def test_the_default_standards_are_valid_and_cover_every_category():
    assert gr.validate_rules(gr.DEFAULT_RULES) == []
    assert set(gr.DEFAULT_RULES["standards"]) == {"manufacturing", "trade_logistics", "rnd", "other"}
    for standard_ in gr.DEFAULT_RULES["standards"].values():
        assert sum(item["weight"] for item in standard_["indicators"]) == 100


def reasons(document, key="manufacturing"):
    return [(r.key, dict(r.params)) for r in gr.validate_standard(document, key)]


def test_weights_must_add_up_to_100():
    bad = standard()
    bad["indicators"][0]["weight"] = 30
    assert reasons(bad) == [("grading.rules.weights_sum", {"standard": "manufacturing", "total": 90.0})]
    [problem] = gr.validate_standard(bad, "manufacturing")
    assert gr.problem_text(problem, "zh") == "制造业：各项权重之和须为 100（现为 90）。"
    assert gr.problem_text(problem, "en") == "Manufacturing: The weights must add up to 100 (they add up to 90)."


def test_each_refusal_names_the_row_and_indicator():
    bad = standard()
    bad["indicators"][0]["points"] = [[0, 0], [10, 80]]
    bad["indicators"][1]["benchmark"] = 0
    found = gr.validate_standard(bad, "rnd")
    assert [r.key for r in found] == ["grading.rules.no_full_marks", "grading.rules.benchmark_positive"]
    assert gr.problem_text(found[0], "zh") == "研发 · 第 1 行（亩均税收）：须有一档得满分（100%）。"
    assert gr.problem_text(found[1], "en") == "R&D · row 2 (Total investment): The benchmark must be a number above 0 (it is 0)."


@pytest.mark.parametrize("change, key", [
    ({"indicators": []}, "grading.rules.no_indicators"),
    ({"cutoffs": {"A+": 90, "A": 80, "B": 80, "C": 60, "D": 50, "E": 40}}, "grading.rules.cutoffs_falling"),
    ({"cutoffs": {"A+": 120, "A": 80, "B": 70, "C": 60, "D": 50, "E": 40}}, "grading.rules.cutoff_range"),
    ({"cutoffs": {"A+": 90}}, "grading.rules.cutoffs_shape"),
    ({"vetoes": ["weather"]}, "grading.rules.vetoes"),
    ({"documents": ["application", "application"]}, "grading.rules.documents"),
])
def test_standards_refused(change, key):
    assert key in [r.key for r in gr.validate_standard(standard(**change), "other")]


@pytest.mark.parametrize("item, key", [
    ({"indicator": "industry_fit", "weight": 40, "scoring": "piecewise", "points": [[0, 0], [1, 100]]}, "grading.rules.scoring_unfit"),
    ({"indicator": "tax_per_mu_wan", "weight": 40, "scoring": "piecewise", "points": [[5, 0], [5, 100]]}, "grading.rules.points_rising"),
    ({"indicator": "tax_per_mu_wan", "weight": 40, "scoring": "piecewise", "points": [[0, 100], [5, 50]]}, "grading.rules.points_share"),
    ({"indicator": "tax_per_mu_wan", "weight": 40, "scoring": "piecewise", "points": [[0, 0]]}, "grading.rules.points_shape"),
    ({"indicator": "tax_per_mu_wan", "weight": -40, "scoring": "ratio", "benchmark": 1}, "grading.rules.weight_positive"),
    ({"indicator": "weather", "weight": 40}, "grading.rules.indicator_unknown"),
    ({"indicator": "investment_cny_wan", "weight": 40, "scoring": "ratio", "benchmark": 1}, "grading.rules.indicator_twice"),
])
def test_indicators_refused(item, key):
    bad = standard()
    bad["indicators"][0] = item
    assert key in [r.key for r in gr.validate_standard(bad, "other")]


def test_an_added_category_needs_a_valid_key_and_names_in_both_languages_and_built_ins_stay():
    rules = copy.deepcopy(gr.DEFAULT_RULES)
    rules["standards"]["headquarters"] = copy.deepcopy(rules["standards"]["other"])
    assert [r.key for r in gr.validate_rules(rules)] == ["grading.rules.category_unnamed"]
    rules["labels"]["headquarters"] = ["总部经济", "Headquarters"]
    assert gr.validate_rules(rules) == []
    assert gr.category_label("headquarters", "en", rules) == "Headquarters"
    rules["standards"]["Bad Key"] = copy.deepcopy(rules["standards"]["other"])
    rules["labels"]["Bad Key"] = ["坏", "Bad"]
    del rules["standards"]["rnd"]
    assert [r.key for r in gr.validate_rules(rules)] == ["grading.rules.category_missing", "grading.rules.category_key"]


def test_a_project_without_a_standard_of_its_own_is_graded_by_other():
    assert gr.standard_of(gr.DEFAULT_RULES, "rnd") == "rnd"
    assert gr.standard_of(gr.DEFAULT_RULES, "unknown") == "other"


def test_b_or_better():
    assert [g for g in ("A+", "A", "B", "C", "F", None) if gr.at_least(g, "B")] == ["A+", "A", "B"]


def test_inputs_are_stored_normalized():
    stored = gr.normalized_inputs({"tax_per_mu_wan": 3, "jobs": None, "industry_fit": "allowed", "weather": 1},
                                  ["safety", "weather"], ["site_visit_report", "application"])
    assert stored == {"values": {"tax_per_mu_wan": 3.0, "industry_fit": "allowed"}, "vetoes": ["safety"],
                      "documents": ["application", "site_visit_report"]}
