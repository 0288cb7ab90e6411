"""The district scoreboard (heatmap.pipeline.scoreboard): the figures of three districts in Sep–Oct 2026 and
their points, computed by hand below, against what the module computes; ties share a rank; the rules are
checked before they are stored; the change against the previous period."""
import datetime as dt

import pandas as pd
import pytest

from heatmap.pipeline import counting
from heatmap.pipeline import projects as pj
from heatmap.pipeline import reports as rp
from heatmap.pipeline import scoreboard as sb

SEP_OCT = rp.period_from_key("2026-5")
DISTRICTS = ("liuhe", "port", "shaxi")
FACTS = {"has_feasibility_study": True, "decision_level_visit": True, "is_technical_upgrade": False}


def project(code, district, amount, currency="CNY", country="CN", **more):
    return {"code": code, "district": district, "investment_wan": amount, "currency": currency, "investor_country": country,
            "stage": "negotiating", **FACTS, **more}


# P1: liuhe, 2 亿元, a valid lead new this period, grade A, signed 1 Oct.
# P2: liuhe, 1,000 万美元 (7,100 万元) from Germany: below 1 亿元 and no upgrade, so no valid lead; grade B, signed 15 Sep.
# P3: port, 3 亿元, a valid lead already last period, grade A+; signed in June, registered (settled) 20 Sep,
#     transferred from shaxi with 50:50 credit.
# P4: shaxi, its facts not known, no grade; first contact in January and nothing since: stalled.
PROJECTS = pd.DataFrame([
    project("P1", "liuhe", 20000.0, grade="A", stage="signed"),
    project("P2", "liuhe", 1000.0, "USD", "DE", grade="B", stage="signed"),
    project("P3", "port", 30000.0, grade="A+", stage="registered", origin_district="shaxi"),
    project("P4", "shaxi", 15000.0, grade=None, stage="first_contact", has_feasibility_study=None, decision_level_visit=None),
])
BEFORE = pd.DataFrame([project("P3", "port", 30000.0, stage="signed"), project("P1", "liuhe", 20000.0, has_feasibility_study=None)])
EVENTS = [("P1", "negotiating", dt.date(2026, 5, 2)), ("P1", "signed", dt.date(2026, 10, 1)),
          ("P2", "negotiating", dt.date(2026, 8, 1)), ("P2", "signed", dt.date(2026, 9, 15)),
          ("P3", "negotiating", dt.date(2026, 3, 1)), ("P3", "signed", dt.date(2026, 6, 10)), ("P3", "registered", dt.date(2026, 9, 20)),
          ("P4", "first_contact", dt.date(2026, 1, 10))]
TRANSFERS = pd.DataFrame([
    {"district": "port", "period": "2026-5", "project_code": "P3", "role": "destination", "share": 0.5, "projects_credit": 0.5,
     "investment_credit_cny_wan": 15000.0},
    {"district": "shaxi", "period": "2026-5", "project_code": "P3", "role": "origin", "share": 0.5, "projects_credit": 0.5,
     "investment_credit_cny_wan": 15000.0},
], columns=list(sb.TRANSFER_COLUMNS))


def carrier(code, district, leasable, vacant, verified_on=None):
    return {"code": code, "name": code, "district": district, "kind": "plant", "area_m2": leasable, "leasable_m2": leasable,
            "vacant_m2": vacant, "verified_on": verified_on}


# liuhe's C1 went from 500 m² vacant of 1,000 to 200 (revived, 300 m²; vacancy 50 % -> 20 %); port gained C3, all
# vacant (0 % -> 1,000 of 3,000 m²); C2 was last verified in January (stale at 90 days).
CARRIERS_START = pd.DataFrame([carrier("C1", "liuhe", 1000.0, 500.0), carrier("C2", "port", 2000.0, 0.0)])
CARRIERS_END = pd.DataFrame([carrier("C1", "liuhe", 1000.0, 200.0, dt.date(2026, 9, 1)),
                             carrier("C2", "port", 2000.0, 0.0, dt.date(2026, 1, 1)),
                             carrier("C3", "port", 1000.0, 1000.0, dt.date(2026, 10, 15))])
# liuhe reported on time, port three days late (due 10 Nov), shaxi not at all.
SUBMISSIONS = [{"district": "liuhe", "period": "2026-5", "submitted_at": dt.datetime(2026, 11, 5, 2)},
               {"district": "port", "period": "2026-5", "submitted_at": dt.datetime(2026, 11, 13, 2)}]


def counted(rules):
    records = PROJECTS.to_dict("records")
    events = [{"project_code": c, "kind": "stage", "stage": s, "on": d} for c, s, d in EVENTS]
    return counting.count_events(records, events, rules, period_of=lambda day: rp.period_of(day).key)


def inputs(**changes):
    base = dict(
        period=SEP_OCT, districts=DISTRICTS, projects=PROJECTS, projects_before=BEFORE,
        signed=counted(counting.DEFAULT_RULES), settled=counted(sb.settled_counting_rules()),
        investors=PROJECTS[["code", "investor_country", "currency"]],
        events=[pj.StageEvent(c, s, d, "staff", dt.datetime(2026, 1, 1)) for c, s, d in EVENTS],
        report_status=rp.status(SEP_OCT, SUBMISSIONS, DISTRICTS, dt.date(2026, 11, 20)),
        carriers_start=CARRIERS_START, carriers_end=CARRIERS_END, transfers=TRANSFERS,
        double_counted=pd.DataFrame([{"district": "shaxi", "period": "2026-5", "project_code": "P9"}]),
    )
    return sb.Inputs(**(base | changes))


def row(frame, district):
    return frame.set_index("district").loc[district]


def test_the_figures_of_each_district_come_from_the_data():
    figures = sb.figures(inputs())
    liuhe, port, shaxi = (row(figures, d) for d in DISTRICTS)
    assert (liuhe["new_valid_leads"], port["new_valid_leads"], shaxi["new_valid_leads"]) == (1, 0, 0)
    # signed in Sep–Oct: P1 (20,000) and P2 (7,100 万元 = 1,000 万美元, foreign); P3 was signed in June
    assert (liuhe["signed_projects"], liuhe["signed_cny_wan"], liuhe["signed_foreign_usd_wan"]) == pytest.approx((2, 27100, 1000))
    assert (port["signed_projects"], port["signed_cny_wan"]) == (0, 0)
    # P3 settled (registered) in port; the credit halves it between port and shaxi
    assert (port["settled_projects"], port["settled_cny_wan"], port["settled_foreign_usd_wan"]) == pytest.approx((1, 30000, 0))
    assert (port["credit_settled_projects"], port["credit_settled_cny_wan"]) == pytest.approx((0.5, 15000))
    assert (shaxi["credit_settled_projects"], shaxi["credit_settled_cny_wan"]) == pytest.approx((0.5, 15000))
    assert figures["credit_settled_projects"].sum() == figures["settled_projects"].sum() == 1  # counted once
    assert (liuhe["grade_a"], liuhe["grade_b"], port["grade_a_plus"], shaxi[list(sb.GRADE_COLUMNS.values())].sum()) == (1, 1, 1, 0)
    assert (port["transfers_in"], shaxi["transfers_out"], port["transfers_out"]) == (1, 1, 0)
    assert (port["transfer_credit_projects"], shaxi["transfer_credit_cny_wan"]) == (0.5, 15000)
    assert (liuhe["carriers_revived"], liuhe["revived_m2"], port["carriers_added"]) == (1, 300, 1)
    assert liuhe["vacancy_change_pp"] == pytest.approx(-30.0)
    assert port["vacancy_change_pp"] == pytest.approx(100 / 3)
    assert (liuhe["verified_share"], port["verified_share"], shaxi["verified_share"]) == (1.0, 0.5, 0.0)
    assert list(figures.set_index("district").loc[list(DISTRICTS), "report_state"]) == ["on_time", "late", "overdue"]
    assert port["report_days_late"] == 3
    # completeness: liuhe's and port's projects all have their facts known; shaxi sent nothing
    assert (liuhe["report_completeness"], port["report_completeness"], shaxi["report_completeness"]) == (1.0, 1.0, 0.0)
    assert (shaxi["stalled_projects"], liuhe["stalled_projects"], shaxi["double_counted"]) == (1, 0, 1)


def test_the_points_add_up_as_computed_by_hand():
    points = sb.board(inputs()).points
    liuhe, port, shaxi = (row(points, d) for d in DISTRICTS)
    # liuhe: 1 lead × 2 + 2 signed × 3 + 2.71 亿元 × 1 + 1,000 万美元 × 2 + 1 revived × 0.5 + 30 points of vacancy
    # fall × 0.5 + all verified 5 + complete 5 + grades A 2.5 + B 2 + on time 5
    assert liuhe["signed_cny_yi"] == pytest.approx(2.71)
    assert liuhe["vacancy_fall_pp"] == pytest.approx(15.0)
    assert liuhe["grades"] == 4.5 and liuhe["report"] == 5
    assert liuhe["total"] == pytest.approx(2 + 6 + 2.71 + 2 + 0.5 + 15 + 5 + 5 + 4.5 + 5)
    # port: 0.5 settled × 5 + 1.5 亿元 × 2 + 1 transfer in × 2 + 1 carrier added × 0.5 − 33.33 points × 0.5
    # + half verified 2.5 + complete 5 + A+ 3 + late 2
    assert port["vacancy_fall_pp"] == pytest.approx(-50 / 3)
    assert port["total"] == round(2.5 + 3 + 2 + 0.5 - 50 / 3 + 2.5 + 5 + 3 + 2, 2)
    # shaxi: its half of P3 (2.5 + 3), the transfer out 2, minus 1 stalled and 2 double-counted
    assert (shaxi["minus_stalled_project"], shaxi["minus_double_counted"]) == (-1, -2)
    assert shaxi["total"] == pytest.approx(2.5 + 3 + 2 - 1 - 2)
    assert list(points["district"]) == ["liuhe", "shaxi", "port"]
    assert list(points["rank"]) == [1, 2, 3]


def test_other_weights_give_other_points():
    rules = sb.DEFAULT_RULES | {"points": sb.DEFAULT_RULES["points"] | {"vacancy_fall_pp": 0.0, "signed_projects": 10.0},
                                "deductions": {"stalled_project": 5.0, "double_counted": 0.0}}
    assert sb.validate_rules(rules) == []
    points = sb.board(inputs(), rules).points
    assert row(points, "liuhe")["total"] == pytest.approx(2 + 20 + 2.71 + 2 + 0.5 + 5 + 5 + 4.5 + 5)
    assert row(points, "shaxi")["total"] == pytest.approx(2.5 + 3 + 2 - 5)


def test_equal_totals_share_a_rank_and_keep_the_districts_order():
    figures = sb.figures(inputs(transfers=sb.empty_transfers(), double_counted=pd.DataFrame(columns=list(sb.DOUBLE_COLUMNS))))
    blank = figures.assign(**{f: 0.0 for f in sb.FIGURES}, report_state="overdue")
    blank.loc[blank["district"] == "shaxi", "signed_projects"] = 1.0
    points = sb.points(blank)
    assert list(points["district"]) == ["shaxi", "liuhe", "port"]
    assert list(points["rank"]) == [1, 2, 2]
    assert list(points["total"]) == [3.0, 0.0, 0.0]


def test_with_no_transfers_the_settled_projects_stay_where_they_settled():
    figures = sb.figures(inputs(transfers=sb.empty_transfers()))
    assert row(figures, "port")["credit_settled_projects"] == 1
    assert row(figures, "shaxi")["credit_settled_projects"] == 0


def test_the_change_against_the_previous_period():
    now = sb.board(inputs())
    before = sb.board(inputs(transfers=sb.empty_transfers()))
    change = sb.compare(now, before).set_index("district")
    # without the transfer shaxi had only its deductions (−3) and port all of P3 (5 + 6 instead of 2.5 + 3 + 2)
    assert change.loc["shaxi", "total_before"] == -3 and change.loc["shaxi", "total_change"] == 4.5 + 3
    assert change.loc["port", "total_change"] == pytest.approx(round(2.5 + 3 + 2 - 5 - 6, 2), abs=0.011)
    assert change.loc["liuhe", "rank_change"] == 0 and change.loc["shaxi", "rank_change"] == 1
    assert sb.compare(now, None)["total_before"].isna().all()


@pytest.mark.parametrize("change, rule", [
    ({"points": {**sb.DEFAULT_RULES["points"], "signed_projects": "three"}}, "points.signed_projects"),
    ({"deductions": {"stalled_project": -1.0, "double_counted": 2.0}}, "deductions.stalled_project"),
    ({"verified_within_days": 0}, "verified_within_days"),
    ({"grade_points": {"A": 1.0}}, "grade_points"),
])
def test_bad_rules_are_refused_naming_the_setting(change, rule):
    problems = sb.validate_rules(sb.DEFAULT_RULES | change)
    assert [p.params["rule"] for p in problems] == [rule]
