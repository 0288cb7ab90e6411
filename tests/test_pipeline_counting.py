"""三明 counting rules: one project counted once, upgrades and increases by their increment, transfers to the
destination, duplicates once — the rule behind every figure on the map, in the reports and the scoreboard."""
import datetime as dt
import json

import pandas as pd
import pytest

from heatmap.model import investment_cny_wan
from heatmap.pipeline import counting
from heatmap.pipeline.counting import (
    DEFAULT_RULES,
    amount_cny,
    count_events,
    signed_totals,
)
from heatmap.pipeline.reasons import Reason, reason_text

YI = 100_000_000  # 1 亿元 in yuan

PROJECTS = pd.DataFrame([
    {"code": "TC-PJ-00101", "name": "舍弗勒精密轴承项目", "investor": "舍弗勒（中国）有限公司", "district": "port",
     "origin_district": "port", "investment_wan": 50000.0, "currency": "CNY", "stage": "signed"},
    {"code": "TC-PJ-00102", "name": "克恩-里伯斯弹簧扩产项目", "investor": "克恩-里伯斯（太仓）有限公司", "district": "hitech",
     "origin_district": "hitech", "investment_wan": 1200.0, "currency": "USD", "stage": "construction"},
    {"code": "TC-PJ-00103", "name": "华东冷链物流中心", "investor": "太仓港联物流有限公司", "district": "port",
     "origin_district": "liuhe", "investment_wan": 30000.0, "currency": "CNY", "stage": "signed"},
    {"code": "TC-PJ-00104", "name": "新材料研发中心", "investor": "江苏瑞泰新材料科技有限公司", "district": "kejiao",
     "origin_district": "kejiao", "investment_wan": 8000.0, "currency": "CNY", "stage": "negotiating"},
    {"code": "TC-PJ-00231", "name": "舍弗勒轴承二期", "investor": "Schaeffler AG", "district": "liuhe",
     "origin_district": "liuhe", "investment_wan": 6500.0, "currency": "EUR", "stage": "signed"},
])


def ev(code, kind, on, **extra):
    return {"project_code": code, "kind": kind, "on": dt.date.fromisoformat(on), **extra}


def rows_of(events, rules=DEFAULT_RULES, **kw):
    return count_events(PROJECTS, events, rules, **kw)


# --- one project counts once -----------------------------------------------------------------------------


def test_a_project_signed_twice_counts_once_for_its_first_signing():
    events = [ev("TC-PJ-00101", "signed", "2025-03-10"), ev("TC-PJ-00101", "signed", "2025-07-02")]  # 签约仪式 again
    rows = rows_of(events)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["period"], row["district"], row["kind"], row["amount_cny"], row["projects"]) == \
        ("2025-B2", "port", "signed", 5 * YI, 1)
    assert row["reason"] == "counting.first_signing"
    every = rows_of(events, include_skipped=True)
    assert every["reason"].tolist() == ["counting.first_signing", "counting.already_signed"]
    assert every.iloc[1]["amount_cny"] == 0 and not every.iloc[1]["counted"]
    why = Reason(every.iloc[1]["reason"], every.iloc[1]["reason_params"])
    assert reason_text(why, "zh") == "该项目已于 2025年3月10日 签约计入，一个项目只计一次。"


def test_an_upgrade_of_2_yi_on_a_5_yi_project_counts_2_yi():
    rows = rows_of([ev("TC-PJ-00101", "signed", "2025-03-10"),
                    ev("TC-PJ-00101", "upgrade", "2025-09-15", investment_wan=20000.0)])
    upgrade = rows.iloc[1]
    assert (upgrade["kind"], upgrade["amount_cny"], upgrade["projects"], upgrade["period"]) == ("upgrade", 2 * YI, 0, "2025-B5")
    totals = signed_totals(rows, by=["district"])
    assert totals.iloc[0].to_dict() == {"district": "port", "projects": 1, "amount_cny": 7 * YI, "signed_cny": 5 * YI,
                                        "upgrade_cny": 2 * YI, "increase_cny": 0.0}


def test_an_upgrade_of_a_firm_never_signed_here_counts_as_the_project():
    rows = rows_of([ev("TC-PJ-00104", "upgrade", "2025-01-20", investment_wan=3000.0),
                    ev("TC-PJ-00104", "signed", "2025-05-06")], include_skipped=True)
    assert rows["projects"].tolist() == [1, 0] and rows["amount_cny"].tolist() == [0.3 * YI, 0.8 * YI]
    assert rows.iloc[1]["reason"] == "counting.first_signing_after_upgrade"


def test_a_capital_increase_counts_only_the_increment():
    rows = rows_of([ev("TC-PJ-00101", "signed", "2025-03-10"),
                    ev("TC-PJ-00101", "capital_increase", "2025-06-01", new_total_wan=80000.0),  # 增资至 8 亿
                    ev("TC-PJ-00101", "capital_increase", "2025-08-01", increment_wan=5000.0),  # 再增 5000 万
                    ev("TC-PJ-00101", "capital_increase", "2025-10-01", new_total_wan=60000.0)],  # a fall: nothing
                   include_skipped=True)
    assert rows["amount_cny"].tolist() == [5 * YI, 3 * YI, 0.5 * YI, 0.0]
    assert rows["reason"].tolist()[1:] == ["counting.increment", "counting.increment", "counting.not_an_increase"]
    assert reason_text(Reason(rows.iloc[1]["reason"], rows.iloc[1]["reason_params"]), "en") == \
        "A capital increase counts only the increment: from CNY 500.0 m to CNY 800.0 m."
    assert signed_totals(rows)["amount_cny"].sum() == 8.5 * YI


def test_a_capital_increase_before_signing_is_counted_in_the_signing():
    rows = rows_of([ev("TC-PJ-00104", "capital_increase", "2025-01-20", increment_wan=2000.0),
                    ev("TC-PJ-00104", "signed", "2025-03-01", investment_wan=10000.0)], include_skipped=True)
    assert rows["reason"].tolist() == ["counting.capital_increase_before_signing", "counting.first_signing"]
    assert rows[rows["counted"]]["amount_cny"].tolist() == [1 * YI]  # the amount signed, the increase inside it


def test_a_change_of_investor_counts_after_the_change_and_makes_no_new_project():
    rows = rows_of([ev("TC-PJ-00103", "investor_change", "2025-02-01", investor="普洛斯投资（上海）有限公司"),
                    ev("TC-PJ-00103", "signed", "2025-04-18"),
                    ev("TC-PJ-00103", "investor_change", "2025-11-03", investor="太仓港口投资发展有限公司",
                       new_total_wan=36000.0)], include_skipped=True)
    assert rows["investor"].tolist() == ["普洛斯投资（上海）有限公司", "普洛斯投资（上海）有限公司", "太仓港口投资发展有限公司"]
    assert rows["projects"].tolist() == [0, 1, 0]
    assert rows["amount_cny"].tolist() == [0.0, 3 * YI, 0.6 * YI]  # only the rise the new investor brings
    assert rows.iloc[0]["reason"] == "counting.investor_change_before_signing"
    totals = signed_totals(rows)
    assert totals.iloc[0]["projects"] == 1 and totals["amount_cny"].sum() == 3.6 * YI


def test_a_transferred_projects_figures_go_to_the_destination_district():
    events = [ev("TC-PJ-00103", "signed", "2025-03-05", district="liuhe"),  # signed while still in 浏河镇
              ev("TC-PJ-00103", "transfer", "2025-05-20", **{"from": "liuhe", "to": "port"}),
              ev("TC-PJ-00103", "upgrade", "2025-09-01", investment_wan=4000.0)]
    rows = rows_of(events)
    assert rows["district"].tolist() == ["port", "port"]
    assert rows["recorded_district"].tolist() == ["liuhe", "port"]  # for the credit split of the grading issue
    at_event = rows_of(events, DEFAULT_RULES | {"transfer_attribution": "at_event"})
    assert at_event["district"].tolist() == ["liuhe", "port"]
    moved = rows_of(events, include_skipped=True).iloc[1]
    assert reason_text(Reason(moved["reason"], moved["reason_params"]), "zh",
                       pd.DataFrame({"code": ["liuhe", "port"], "name_zh": ["浏河镇", "太仓港经济技术开发区"],
                                     "name_en": ["Liuhe Town", "Port Zone"]})) == \
        "项目由 浏河镇 流转至 太仓港经济技术开发区，数字计入承接地。"


def test_a_transfer_without_its_origin_is_read_from_where_the_project_was():
    rows = rows_of([ev("TC-PJ-00104", "transfer", "2025-01-10", to="hitech")], include_skipped=True)
    assert rows.iloc[0]["reason_params"] == {"from_district": "kejiao", "to_district": "hitech"}


def test_a_merged_records_transfer_does_not_move_the_kept_project():
    rows = rows_of([ev("TC-PJ-00231", "transfer", "2025-01-10", to="shaxi"),
                    ev("TC-PJ-00231", "signed", "2025-02-11"),
                    ev("TC-PJ-00231", "merge", "2025-04-20", into="TC-PJ-00101")])
    assert rows["district"].tolist() == ["port"] and rows["recorded_district"].tolist() == ["shaxi"]


def test_a_transfer_before_signing_counts_the_signing_where_the_project_lands():
    rows = rows_of([ev("TC-PJ-00103", "transfer", "2025-01-10", **{"from": "liuhe", "to": "port"}),
                    ev("TC-PJ-00103", "signed", "2025-02-14")], DEFAULT_RULES | {"transfer_attribution": "at_event"})
    assert rows["district"].tolist() == ["port"]


def test_a_project_signed_again_after_being_dropped_counts_once():
    events = [ev("TC-PJ-00101", "signed", "2024-05-10"), ev("TC-PJ-00101", "dropped", "2024-12-01"),
              ev("TC-PJ-00101", "signed", "2025-06-18")]
    rows = rows_of(events, include_skipped=True)
    assert rows["counted"].tolist() == [True, False, False]
    assert rows.iloc[2]["reason"] == "counting.resigned_after_drop"
    assert rows["period"].tolist() == ["2024-B3", "2024-B6", "2025-B3"]
    again = rows_of(events, DEFAULT_RULES | {"count_resigning": True})  # a city that counts it as new
    assert again["projects"].tolist() == [1, 1] and again["reason"].tolist()[1] == "counting.resigned_counted"


def test_two_records_merged_as_duplicates_count_once():
    # 浏河镇 and 港区 both reported the Schaeffler bearing project; the office decided: one project, hosted by 港区
    events = [ev("TC-PJ-00231", "signed", "2025-02-11", investment_wan=6500.0, currency="EUR"),
              ev("TC-PJ-00101", "signed", "2025-04-02"),
              ev("TC-PJ-00231", "merge", "2025-04-20", into="TC-PJ-00101")]
    rows = rows_of(events)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["project_code"], row["record_code"], row["district"], row["period"]) == \
        ("TC-PJ-00101", "TC-PJ-00231", "port", "2025-B1")  # the earlier signing of either, for the host
    assert row["amount_cny"] == pytest.approx(6500 * 7.8 * 1e4)
    every = rows_of(events, include_skipped=True)
    assert every["reason"].tolist() == ["counting.first_signing", "counting.duplicate_signing", "counting.merged"]
    assert signed_totals(every, by=["period"])["projects"].sum() == 1


def test_a_chain_of_merges_counts_once_and_a_loop_is_refused_with_a_reason():
    events = [ev("TC-PJ-00231", "signed", "2025-02-11"), ev("TC-PJ-00103", "signed", "2025-03-01"),
              ev("TC-PJ-00101", "signed", "2025-04-02"),
              ev("TC-PJ-00231", "merge", "2025-04-20", into="TC-PJ-00103"),
              ev("TC-PJ-00103", "merge", "2025-04-21", into="TC-PJ-00101"),
              ev("TC-PJ-00101", "merge", "2025-04-22", into="TC-PJ-00231")]  # would close a loop
    rows = rows_of(events, include_skipped=True)
    assert rows[rows["counted"]]["project_code"].tolist() == ["TC-PJ-00101"]
    assert "counting.bad.merge_loop" in rows["reason"].tolist()


# --- stage changes from the projects module ---------------------------------------------------------------


def test_stage_changes_count_at_the_first_stage_that_is_a_signing():
    rows = rows_of([ev("TC-PJ-00102", "stage", "2024-11-02", stage="negotiating"),
                    ev("TC-PJ-00102", "stage", "2025-01-08", stage="registered"),  # signing never recorded
                    ev("TC-PJ-00102", "stage", "2025-04-30", stage="construction")], include_skipped=True)
    assert rows["kind"].tolist() == ["stage", "signed", "signed"]
    assert rows["counted"].tolist() == [False, True, False]
    assert rows.iloc[1]["amount_cny"] == pytest.approx(1200 * 7.1 * 1e4)  # 1,200 万美元
    assert reason_text(Reason(rows.iloc[0]["reason"], rows.iloc[0]["reason_params"]), "zh") == "阶段变为“在谈”，不影响计数。"
    dropped = rows_of([ev("TC-PJ-00102", "stage", "2025-01-08", stage="signed"),
                       ev("TC-PJ-00102", "stage", "2025-03-08", stage="dropped"),
                       ev("TC-PJ-00102", "stage", "2025-06-08", stage="signed")], include_skipped=True)
    assert dropped["reason"].tolist() == ["counting.first_signing", "counting.dropped", "counting.resigned_after_drop"]


# --- amounts, periods, totals ------------------------------------------------------------------------------


def test_amounts_are_counted_in_yuan_at_the_models_reference_rates():
    assert amount_cny({"investment_wan": 1200.0, "currency": "USD"}) == investment_cny_wan(1200.0, "USD") * 1e4
    assert amount_cny({"investment_wan": 50000.0, "currency": None}) == 5 * YI
    assert amount_cny({"investment_wan": None, "currency": "CNY"}) is None  # unknown is not zero
    with pytest.raises(ValueError):
        amount_cny({"investment_wan": 10.0, "currency": "RUB"})


def test_a_signing_without_an_amount_counts_the_project_and_says_so():
    projects = pd.DataFrame([{"code": "TC-PJ-00900", "district": "shaxi", "investment_wan": None, "currency": None}])
    rows = count_events(projects, [ev("TC-PJ-00900", "signed", "2025-03-03")])
    assert rows.iloc[0]["projects"] == 1 and rows.iloc[0]["amount_cny"] == 0
    assert rows.iloc[0]["reason"] == "counting.first_signing_amount_unknown"


@pytest.mark.parametrize("period, label", [("bimonth", "2025-B4"), ("month", "2025-08"), ("quarter", "2025-Q3"),
                                            ("year", "2025")])
def test_periods_follow_the_rules(period, label):
    rows = rows_of([ev("TC-PJ-00101", "signed", "2025-08-31")], DEFAULT_RULES | {"period": period})
    assert rows.iloc[0]["period"] == label


def test_the_reports_calendar_can_name_the_periods():
    rows = count_events(PROJECTS, [ev("TC-PJ-00101", "signed", "2025-08-31")],
                        period_of=lambda day: f"{day.year}年第{(day.month + 1) // 2}期")
    assert rows.iloc[0]["period"] == "2025年第4期"


def test_totals_per_district_and_period_and_for_the_city():
    rows = rows_of([ev("TC-PJ-00101", "signed", "2025-01-15"), ev("TC-PJ-00103", "signed", "2025-02-20"),
                    ev("TC-PJ-00102", "signed", "2025-03-03"),
                    ev("TC-PJ-00101", "upgrade", "2025-03-30", investment_wan=20000.0)])
    by_district = signed_totals(rows)
    assert by_district[["district", "period", "projects"]].values.tolist() == [
        ["hitech", "2025-B2", 1], ["port", "2025-B1", 2], ["port", "2025-B2", 0]]
    assert by_district.iloc[2]["upgrade_cny"] == 2 * YI
    city = signed_totals(rows, by=["period"])
    assert city["projects"].tolist() == [2, 1] and city["amount_cny"].sum() == pytest.approx(
        5 * YI + 3 * YI + 1200 * 7.1 * 1e4 + 2 * YI)
    empty = signed_totals(rows_of([]))
    assert empty.empty and list(empty.columns) == ["district", "period", "projects", "amount_cny", "signed_cny",
                                                   "upgrade_cny", "increase_cny"]


# --- events that cannot be counted, and the rules ---------------------------------------------------------


@pytest.mark.parametrize("event, key", [
    (ev("TC-PJ-00101", "ribbon_cutting", "2025-01-01"), "counting.bad.kind"),
    ({"project_code": "TC-PJ-00101", "kind": "signed", "on": "2025-13-40"}, "counting.bad.date"),
    (ev("TC-PJ-09999", "signed", "2025-01-01"), "counting.bad.unknown_project"),
    (ev("TC-PJ-00101", "signed", "2025-01-01", currency="RUB", investment_wan=10.0), "counting.bad.currency"),
    (ev("TC-PJ-00101", "upgrade", "2025-01-01"), "counting.bad.no_amount"),
    (ev("TC-PJ-00101", "capital_increase", "2025-01-01", increment_wan=-500.0), "counting.bad.amount"),
    (ev("TC-PJ-00101", "transfer", "2025-01-01"), "counting.bad.no_destination"),
    (ev("TC-PJ-00101", "merge", "2025-01-01", into="TC-PJ-09999"), "counting.bad.merge_target"),
    (ev("TC-PJ-00101", "merge", "2025-01-01", into="TC-PJ-00101"), "counting.bad.merge_into_itself"),
])
def test_an_event_that_cannot_be_counted_says_why_and_counts_nothing(event, key):
    rows = rows_of([event, ev("TC-PJ-00104", "signed", "2025-02-02")], include_skipped=True)
    bad = rows[rows["reason"] == key]
    assert len(bad) == 1 and not bad.iloc[0]["counted"] and bad.iloc[0]["amount_cny"] == 0
    why = Reason(key, bad.iloc[0]["reason_params"])
    assert reason_text(why, "zh") != key and reason_text(why, "en") != key
    assert rows["counted"].sum() == 1  # the good event still counts


def test_the_default_rules_are_valid_json_data():
    assert counting.validate_rules(json.loads(json.dumps(DEFAULT_RULES))) == []


@pytest.mark.parametrize("edit, key", [
    ({"period": "fortnight"}, "counting.rules.period"),
    ({"signing_stages": "signed"}, "counting.rules.stage_list"),
    ({"signing_stages": []}, "counting.rules.no_signing_stage"),
    ({"drop_stages": ["dropped", "signed"]}, "counting.rules.stage_in_both"),
    ({"count_resigning": "no"}, "counting.rules.not_a_flag"),
    ({"transfer_attribution": "origin"}, "counting.rules.attribution"),
    ({"count_upgrades": True}, "counting.rules.unknown_key"),
])
def test_edited_rules_are_checked_before_they_are_stored(edit, key):
    problems = counting.validate_rules(DEFAULT_RULES | edit)
    assert [p.key for p in problems] == [key]
    with pytest.raises(ValueError):
        rows_of([], DEFAULT_RULES | edit)
