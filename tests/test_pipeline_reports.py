"""The bi-monthly reports (heatmap.pipeline.reports): six periods a year with due dates, who reported on
time, snapshots frozen at submission, what changed since the last report, and the valid-lead test."""
import copy
import datetime as dt
import io
import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from heatmap import export, i18n
from heatmap.model import FX_TO_CNY
from heatmap.pipeline import projects as pj
from heatmap.pipeline import reports as rp
from heatmap.pipeline.projects import StageEvent

D = dt.date
NAMES = {"hitech": "太仓高新区", "port": "太仓港经济技术开发区", "shaxi": "沙溪镇"}
NAMES_EN = {"hitech": "High-tech Zone", "port": "Port Zone", "shaxi": "Shaxi"}


# --- the calendar ------------------------------------------------------------------------------------


def test_a_year_has_six_bi_monthly_periods_each_due_on_the_tenth_of_the_next_month():
    year = rp.periods(2026)
    assert [(p.start, p.end) for p in year[:2]] == [(D(2026, 1, 1), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 4, 30))]
    assert [p.due for p in year] == [D(2026, 3, 10), D(2026, 5, 10), D(2026, 7, 10), D(2026, 9, 10), D(2026, 11, 10), D(2027, 1, 10)]
    assert [p.label("zh") for p in year[::5]] == ["2026年1–2月", "2026年11–12月"]
    assert year[4].label("en") == "Sep–Oct 2026" and year[4].key == "2026-5"


def test_the_november_december_report_is_due_in_january_of_the_next_year():
    december = rp.period_of(D(2026, 12, 31))
    assert december.key == "2026-6" and december.due == D(2027, 1, 10)
    assert december.shifted(1).key == "2027-1" and rp.period_of(D(2027, 1, 1)).shifted(-1) == december


def test_a_leap_february_ends_the_first_period():
    assert rp.period_of(D(2028, 2, 29)).end == D(2028, 2, 29) and rp.period_of(D(2028, 2, 29)).due == D(2028, 3, 10)


def test_due_dates_are_rules_a_holiday_can_move_one():
    rules = dict(rp.DEFAULT_RULES, due_days_after_end=5, due_overrides={"2027-1": "2027-03-15"})  # 春节 in February 2027
    assert rp.validate_rules(rules) == []
    assert rp.period_of(D(2026, 12, 1), rules).due == D(2027, 1, 5)
    assert rp.period_of(D(2027, 2, 1), rules).due == D(2027, 3, 15)
    assert rp.period_from_key("2027-1", rules).due == D(2027, 3, 15)


def test_the_default_rules_are_valid_and_json():
    assert rp.validate_rules(rp.DEFAULT_RULES) == []
    assert json.loads(json.dumps(rp.DEFAULT_RULES)) == rp.DEFAULT_RULES


@pytest.mark.parametrize("change, key, rule", [
    ({"due_days_after_end": -1}, "due_days", "due_days_after_end"),
    ({"due_overrides": {"2027-7": "2027-03-15"}}, "override_unreadable", "due_overrides"),
    ({"due_overrides": {"2027-1": "2027-02-10"}}, "override_too_early", "due_overrides"),
    ({"stalled_periods": None, "stalled_days": None}, "stalled_never", "stalled_periods"),
    ({"amount_change_min_cny_wan": -5}, "not_positive", "amount_change_min_cny_wan"),
    ({"valid_lead": {"min_investment_cny_wan": "1亿"}}, "valid_lead_shape", "valid_lead"),
])
def test_edited_rules_are_checked_before_they_are_stored(change, key, rule):
    """Each problem says which setting (its `rule` param) and what is wrong (a sentence in both languages)."""
    rules = dict(copy.deepcopy(rp.DEFAULT_RULES), **change)
    found = {(p.key.rsplit(".", 1)[-1], p.params["rule"]) for p in rp.validate_rules(rules)}
    assert (key, rule) in found, found


def test_a_valid_lead_threshold_must_be_a_number():
    rules = copy.deepcopy(rp.DEFAULT_RULES)
    rules["valid_lead"]["min_investment_cny_wan"] = "1亿"
    [problem] = rp.validate_rules(rules)
    assert problem.params == {"rule": "valid_lead.min_investment_cny_wan", "value": "1亿"}
    assert pj.reason_text(problem, "en") == "“valid_lead.min_investment_cny_wan” must be a number of at least 0, not “1亿”."


# --- who has reported -------------------------------------------------------------------------------

SEP_OCT = rp.period_from_key("2026-5")  # due 10 Nov 2026


def sub(district, at, period="2026-5", corrects=None):
    return {"district": district, "period": period, "submitted_at": at, "submitted_by": f"staff-{district}", "corrects": corrects}


def test_status_tells_on_time_late_overdue_and_open_by_taicang_time():
    submissions = [
        sub("hitech", dt.datetime(2026, 11, 10, 15, 30)),  # 23:30 on 10 Nov in Taicang: on time
        sub("port", dt.datetime(2026, 11, 10, 16, 30)),  # 00:30 on 11 Nov in Taicang: one day late
        sub("shaxi", dt.datetime(2026, 9, 8, 2, 0), period="2026-4"),  # the period before: does not count
    ]
    frame = rp.status(SEP_OCT, submissions, ["hitech", "port", "shaxi"], today=D(2026, 11, 12)).set_index("district")
    assert list(frame["state"]) == ["on_time", "late", "overdue"]
    assert list(frame["days_late"]) == [0, 1, 2]
    assert rp.reason_text(frame.loc["port", "reason"], "zh") == "2026年11月11日 上报，逾期 1 天（截止 2026年11月10日）"
    early = rp.status(SEP_OCT, [], ["shaxi"], today=D(2026, 11, 3)).iloc[0]
    assert early["state"] == "open" and rp.reason_text(early["reason"], "en") == "not submitted yet, due in 7 days (10 Nov 2026)"


def test_a_correction_after_submission_is_recorded_and_changes_neither_on_time_nor_late():
    submissions = [
        sub("hitech", dt.datetime(2026, 11, 6, 3, 0)),
        sub("hitech", dt.datetime(2026, 11, 20, 7, 45), corrects="report-118"),  # 浮桥 project's amount corrected
        sub("port", dt.datetime(2026, 11, 14, 2, 0)),
        sub("port", dt.datetime(2026, 11, 15, 2, 0), corrects="report-121"),
    ]
    frame = rp.status(SEP_OCT, submissions, ["hitech", "port"], today=D(2026, 11, 30)).set_index("district")
    assert frame.loc["hitech", "state"] == "on_time" and frame.loc["hitech", "corrections"] == 1
    assert frame.loc["hitech", "last_correction_at"] == dt.datetime(2026, 11, 20, 7, 45)
    assert frame.loc["port", "state"] == "late" and frame.loc["port", "days_late"] == 4


def test_the_december_period_is_reported_in_january():
    december = rp.period_from_key("2026-6")
    submissions = [sub("hitech", dt.datetime(2027, 1, 9, 1, 0), period="2026-6")]
    frame = rp.status(december, submissions, ["hitech", "port"], today=D(2027, 1, 11)).set_index("district")
    assert list(frame["state"]) == ["on_time", "overdue"]
    assert rp.status(december, [], ["port"], today=D(2027, 1, 10)).iloc[0]["state"] == "open"  # the due day itself


def test_the_status_table_names_everything_and_leaves_no_cell_empty():
    frame = rp.status(SEP_OCT, [sub("hitech", dt.datetime(2026, 11, 6, 3, 0))], ["hitech", "port"], today=D(2026, 11, 12))
    table = rp.status_table(frame, "zh", NAMES)
    assert list(table.columns) == ["区镇", "上报情况", "截止日期", "上报时间", "逾期天数", "更正次数", "最近更正", "原因"]
    assert list(table["区镇"]) == ["太仓高新区", "太仓港经济技术开发区"] and list(table["上报情况"]) == ["按时上报", "逾期未报"]
    assert table["上报时间"].iloc[0] == "2026年11月6日 11:00" and table["上报时间"].iloc[1] == "–"
    assert not table.isna().any().any() and "None" not in table.to_string()


def test_reminders_list_the_ended_periods_a_district_has_not_reported():
    submissions = [sub("shaxi", dt.datetime(2026, 9, 9, 2, 0), period="2026-4")]
    due = rp.reminders("shaxi", submissions, D(2026, 11, 3), lookback=2)
    assert [(p.key, r.key) for p, r in due] == [("2026-5", "pipeline_reports.status.open")]
    due = rp.reminders("shaxi", [], D(2026, 11, 3), lookback=2)
    assert [(p.key, r.key) for p, r in due] == [("2026-4", "pipeline_reports.status.overdue"), ("2026-5", "pipeline_reports.status.open")]


# --- the pipeline of 太仓高新区 over two reports ------------------------------------------------------


def project(code, code_name, name, investor, stage, amount, currency="CNY", **more):
    return {"code": code, "code_name": code_name, "name": name, "investor": investor, "category": "manufacturing",
            "sector": "precision_machinery", "investment_wan": amount, "currency": currency, "stage": stage,
            "district": "hitech", "origin_district": "hitech", "is_confidential": True, **more}


JUL_AUG = [
    project("TC-PJ-00037", "TC-2026-037", "苏州精工科技有限公司精密传动部件项目", "苏州精工科技有限公司", "signed", 32000.0),
    project("TC-PJ-00041", "TC-2026-041", "Rhein Antriebstechnik 新能源汽车电驱系统项目", "Rhein Antriebstechnik GmbH", "negotiating",
            4500.0, "EUR"),
    project("TC-PJ-00052", "TC-2026-052", "上海航宇科技航空复合材料构件项目", "上海航宇科技股份有限公司", "first_contact", 8000.0),
    project("TC-PJ-00060", "TC-2026-060", "Kansai Seiki 工业机器人减速器项目", "Kansai Seiki Co., Ltd.", "negotiating", 1200.0, "USD"),
    project("TC-PJ-00066", "TC-2026-066", "江苏智造装备有限公司数控机床项目", "江苏智造装备有限公司", "negotiating", float("nan")),
    project("TC-PJ-00070", "TC-2026-070", "无锡电子科技有限公司智能传感器项目", "无锡电子科技有限公司", "negotiating", 6000.0),
]
SEP_OCT_RECORDS = [
    dict(JUL_AUG[0]),  # signed in June, nothing since: stalled
    dict(JUL_AUG[1], stage="signed", investment_wan=5000.0),  # signed, and 500 万欧元 more
    dict(JUL_AUG[2], stage="negotiating"),
    dict(JUL_AUG[3], stage="on_hold"),  # 无合适厂房
    dict(JUL_AUG[4], stage="dropped"),  # moved to 昆山
    project("TC-PJ-00081", "TC-2026-081", "常州新材高性能复合材料项目", "常州新材科技有限公司", "first_contact", 15000.0),
    # 无锡电子 (TC-PJ-00070) was transferred to 沙溪镇: no longer in the high-tech zone's list
]


def ev(code, stage, on, reason=None, note=None):
    return StageEvent(code, stage, on, "staff-hitech", dt.datetime.combine(on, dt.time(2, 0)), reason, note)


EVENTS = [
    ev("TC-PJ-00037", "first_contact", D(2026, 1, 12)), ev("TC-PJ-00037", "negotiating", D(2026, 3, 3)),
    ev("TC-PJ-00037", "signed", D(2026, 6, 18)),
    ev("TC-PJ-00041", "first_contact", D(2026, 4, 2)), ev("TC-PJ-00041", "negotiating", D(2026, 5, 20)),
    ev("TC-PJ-00041", "signed", D(2026, 9, 22)),
    ev("TC-PJ-00052", "first_contact", D(2026, 8, 5)), ev("TC-PJ-00052", "negotiating", D(2026, 10, 9)),
    ev("TC-PJ-00060", "first_contact", D(2026, 2, 1)), ev("TC-PJ-00060", "negotiating", D(2026, 4, 15)),
    ev("TC-PJ-00060", "on_hold", D(2026, 9, 30), reason="no_site"),
    ev("TC-PJ-00066", "negotiating", D(2026, 5, 8)), ev("TC-PJ-00066", "dropped", D(2026, 10, 12), reason="moved_city"),
    ev("TC-PJ-00081", "first_contact", D(2026, 10, 20)),
]


def frame(records):
    return pd.DataFrame(records)


@pytest.fixture(scope="module")
def snapshots():
    previous = rp.snapshot(frame(JUL_AUG), "hitech", rp.period_from_key("2026-4"))
    current = rp.snapshot(frame(SEP_OCT_RECORDS), "hitech", SEP_OCT)
    return previous, current


def test_a_snapshot_freezes_the_districts_records_as_plain_values():
    records = JUL_AUG + [dict(JUL_AUG[0], code="TC-PJ-00090", district="port")]
    source = frame(records).assign(land_needed_mu=[np.float64(45.0)] + [np.nan] * 6, reported_on=pd.Timestamp("2026-01-12"))
    snap = rp.snapshot(source, "hitech", rp.period_from_key("2026-4"))
    assert snap.district == "hitech" and snap.period == "2026-4"
    assert [r["code"] for r in snap.records] == [r["code"] for r in JUL_AUG]  # the port's project is not in it
    first = snap.records[0]
    assert type(first["land_needed_mu"]) is float and first["reported_on"] == D(2026, 1, 12)
    assert snap.by_code()["TC-PJ-00066"]["investment_wan"] is None  # NaN becomes None: not known
    source.loc[0, "stage"] = "registered"  # the pipeline moves on; the report does not
    assert snap.records[0]["stage"] == "signed"
    assert json.loads(json.dumps(snap.as_record(), default=str, ensure_ascii=False))["records"][0]["name"].startswith("苏州精工")


def test_prefill_offers_the_current_pipeline_and_asks_only_what_changed(snapshots):
    previous, _ = snapshots
    rows = rp.prefill(frame(SEP_OCT_RECORDS), previous)
    by_code = {r["code"]: r for r in rows}
    assert [r["status"] for r in rows] == ["new", "changed", "changed", "changed", "changed", "missing", "unchanged"]
    assert by_code["TC-PJ-00081"]["status"] == "new"
    assert by_code["TC-PJ-00041"]["changed"] == ["investment_wan", "stage"]
    assert by_code["TC-PJ-00041"]["before"] == {"investment_wan": 4500.0, "stage": "negotiating"}
    assert by_code["TC-PJ-00037"]["status"] == "unchanged" and by_code["TC-PJ-00037"]["changed"] == []
    assert by_code["TC-PJ-00070"]["status"] == "missing"  # transferred: the district says what became of it
    assert by_code["TC-PJ-00066"]["changed"] == ["stage"]  # NaN then None: the amount is not "changed"
    assert all(i18n.has(f"pipeline_reports.prefill.{r['status']}") for r in rows)


def test_a_first_report_is_prefilled_with_everything_new():
    rows = rp.prefill(JUL_AUG, None)
    assert {r["status"] for r in rows} == {"new"} and len(rows) == 6


def test_the_period_diff_lists_new_advanced_stalled_on_hold_dropped_gone_and_amounts(snapshots):
    previous, current = snapshots
    diff = rp.period_diff(previous, current, EVENTS)
    d = diff.details
    assert list(d["new"]["code"]) == ["TC-PJ-00081"]
    assert list(d["advanced"]["code"]) == ["TC-PJ-00041", "TC-PJ-00052"]
    assert list(d["advanced"]["stage_before"]) == ["negotiating", "first_contact"]
    assert list(d["on_hold"][["code", "stage_before", "reason", "since"]].itertuples(index=False, name=None)) == [
        ("TC-PJ-00060", "negotiating", "no_site", D(2026, 9, 30))]
    assert list(d["dropped"][["code", "reason"]].itertuples(index=False, name=None)) == [("TC-PJ-00066", "moved_city")]
    assert list(d["gone"]["code"]) == ["TC-PJ-00070"]
    (change,) = d["amount_changed"].to_dict("records")
    assert change["code"] == "TC-PJ-00041" and change["currency"] == "EUR"
    assert change["change_cny_wan"] == pytest.approx(500 * FX_TO_CNY["EUR"]) and change["change_pct"] == pytest.approx(100 / 9)


def test_stalled_means_no_progress_across_two_periods(snapshots):
    previous, current = snapshots
    stalled = rp.period_diff(previous, current, EVENTS).details["stalled"]
    # 精工 signed on 18 June (May–Jun) and did nothing in Jul–Aug and Sep–Oct; 00060 is on hold, not stalled
    assert list(stalled["code"]) == ["TC-PJ-00037"]
    assert stalled["since"].iloc[0] == D(2026, 6, 18) and stalled["days"].iloc[0] == 135
    # a period earlier, only Jul–Aug had passed without progress
    earlier = rp.period_diff(None, previous, EVENTS).details["stalled"]
    assert "TC-PJ-00037" not in set(earlier["code"])


def test_the_summary_counts_groups_details_and_leads(snapshots):
    previous, current = snapshots
    s = rp.period_diff(previous, current, EVENTS).summary
    assert (s["district"], s["period"], s["projects"]) == ("hitech", "2026-5", 6)
    assert (s["n_negotiating"], s["n_signed"], s["n_settled"], s["n_on_hold"], s["n_dropped"]) == (2, 2, 0, 1, 1)
    assert (s["n_new"], s["n_advanced"], s["n_stalled"], s["n_put_on_hold"], s["n_dropped_now"], s["n_gone"]) == (1, 2, 1, 1, 1, 1)
    # the dropped project (amount not known) adds nothing; the others at the reference rates
    assert s["investment_cny_wan"] == pytest.approx(32000 + 5000 * 7.8 + 8000 + 1200 * 7.1 + 15000)
    assert s["amount_change_cny_wan"] == pytest.approx(3900.0)
    assert (s["leads_valid"], s["leads_not_known"]) == (0, 6)  # facts not given: not known, never guessed


def test_the_first_report_of_a_district_is_all_new():
    first = rp.period_diff(None, rp.snapshot(frame(JUL_AUG), "hitech", rp.period_from_key("2026-4")), EVENTS)
    assert first.summary["n_new"] == 6 and first.summary["n_advanced"] == 0 and first.details["amount_changed"].empty


def test_resuming_from_on_hold_is_not_advancing_but_going_past_the_stage_before_is():
    held = rp.snapshot(frame([dict(JUL_AUG[3], stage="on_hold")]), "hitech", SEP_OCT)
    events = EVENTS + [ev("TC-PJ-00060", "negotiating", D(2026, 11, 5)), ev("TC-PJ-00060", "signed", D(2026, 12, 18))]
    resumed = rp.snapshot(frame([dict(JUL_AUG[3], stage="negotiating")]), "hitech", rp.period_from_key("2026-6"))
    assert rp.period_diff(held, resumed, events[:-1]).details["advanced"].empty
    signed = rp.snapshot(frame([dict(JUL_AUG[3], stage="signed")]), "hitech", rp.period_from_key("2026-6"))
    assert list(rp.period_diff(held, signed, events).details["advanced"]["stage_before"]) == ["on_hold"]


def test_a_correction_going_back_a_stage_is_not_advancing(snapshots):
    previous, _ = snapshots
    corrected = rp.snapshot(frame([dict(JUL_AUG[0], stage="negotiating")]), "hitech", SEP_OCT)
    events = EVENTS + [ev("TC-PJ-00037", "negotiating", D(2026, 9, 3), note="6月签署的是意向书")]
    assert rp.period_diff(previous, corrected, events).details["advanced"].empty


def test_small_amount_changes_can_be_left_out_by_the_rules(snapshots):
    previous, current = snapshots
    rules = dict(rp.DEFAULT_RULES, amount_change_min_cny_wan=5000.0)
    assert rp.period_diff(previous, current, EVENTS, rules).details["amount_changed"].empty


# --- the city's report ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def city(snapshots):
    previous, current = snapshots
    port = [dict(project("TC-PJ-00090", "TC-2026-090", "港口冷链物流中心项目", "上海港航物流有限公司", "signed", 20000.0), district="port",
                 category="trade_logistics", has_feasibility_study=True, decision_level_visit=True)]
    port_diff = rp.period_diff(None, rp.snapshot(frame(port), "port", SEP_OCT), [])
    return rp.city_rollup([rp.period_diff(previous, current, EVENTS), port_diff])


def test_the_city_rollup_adds_the_districts_up(city):
    summary = city.summary.set_index("district")
    assert list(summary.index) == ["hitech", "port", rp.CITY]
    assert summary.loc[rp.CITY, "projects"] == 7 and summary.loc[rp.CITY, "n_signed"] == 3
    assert summary.loc[rp.CITY, "leads_valid"] == 1  # the port's cold-chain project: 2 亿元, plan and talks
    assert len(city.details["new"]) == 2 and set(city.details["new"]["district"]) == {"hitech", "port"}


def test_diffs_of_different_periods_are_not_added_up(snapshots):
    previous, current = snapshots
    with pytest.raises(ValueError):
        rp.city_rollup([rp.period_diff(None, previous, EVENTS), rp.period_diff(previous, current, EVENTS)])


def test_report_tables_are_labelled_with_code_names_and_no_empty_cells(city):
    tables = rp.report_tables(city, "zh", NAMES)
    assert list(tables) == ["汇总", "新增项目", "阶段推进", "停滞项目", "搁置项目", "放弃项目", "本期移出", "投资额变动"]
    summary = tables["汇总"]
    assert list(summary["区镇"]) == ["太仓高新区", "太仓港经济技术开发区", "全市合计"]
    assert list(summary.columns[:7]) == ["区镇", "项目数", "在谈", "签约", "落户", "搁置", "放弃"]
    advanced = tables["阶段推进"]
    assert list(advanced["项目代号"]) == ["TC-2026-041", "TC-2026-052"] and list(advanced["上期阶段"]) == ["在谈", "首次接触"]
    assert list(tables["放弃项目"]["原因"]) == ["落户其他城市"] and tables["搁置项目"]["起始日期"].iloc[0] == "2026年9月30日"
    for title, table in tables.items():
        assert not table.isna().any().any(), title
        text = table.to_string()
        assert "None" not in text and "nan" not in text, title
        assert "精工" not in text and "Rhein" not in text and "TC-PJ-" not in text, title  # a shared surface: code names only
    assert tables["新增项目"]["投资额（万，原币）"].tolist() == [15000.0, 20000.0]


def test_report_tables_in_english_and_with_names_for_the_districts_own_staff(snapshots):
    previous, current = snapshots
    tables = rp.report_tables(rp.period_diff(previous, current, EVENTS), "en", NAMES_EN, show_names=True)
    changed = tables["Amounts changed"]
    assert changed["Investor"].tolist() == ["Rhein Antriebstechnik GmbH"] and changed["Currency"].tolist() == ["EUR"]
    assert changed["Change (CNY 10k)"].tolist() == [3900.0] and changed["Change (%)"].tolist() == [11.1]
    assert tables["Stalled"]["Stage"].tolist() == ["Signed"] and tables["Summary"]["District"].tolist() == ["High-tech Zone"]


def test_a_report_downloads_as_an_excel_workbook(city):
    data = export.to_excel(rp.report_tables(city, "zh", NAMES))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "汇总"
    rows = list(book["投资额变动"].iter_rows(values_only=True))
    assert rows[0][:2] == ("区镇", "项目代号") and rows[1][1] == "TC-2026-041"
    assert all(cell is not None for row in book["汇总"].iter_rows(values_only=True) for cell in row)


# --- valid leads (有效项目信息) ------------------------------------------------------------------------

LEAD = project("TC-PJ-00090", "TC-2026-090", "港口冷链物流中心项目", "上海港航物流有限公司", "negotiating", 20000.0,
               has_feasibility_study=True, decision_level_visit=True)


def test_a_project_of_at_least_one_yi_with_a_plan_and_decision_level_talks_is_a_valid_lead():
    valid, reasons = rp.valid_lead(LEAD)
    assert valid is True
    assert [rp.reason_text(r, "zh") for r in reasons] == [
        "投资额 2.00 亿元，达到 1.00 亿元", "有投资计划、商业计划书或可行性研究报告", "已有决策层会谈或协议条款洽谈"]


def test_a_foreign_amount_is_compared_in_cny_at_the_reference_rate():
    assert rp.valid_lead(dict(LEAD, investment_wan=1500.0, currency="USD"))[0] is True  # 10,650 万元
    valid, reasons = rp.valid_lead(dict(LEAD, investment_wan=1400.0, currency="USD", is_technical_upgrade=False))
    assert valid is False and reasons[0].key == "pipeline_reports.lead.amount_below"


def test_a_technical_upgrade_is_valid_below_the_amount():
    valid, reasons = rp.valid_lead(dict(LEAD, investment_wan=3000.0, is_technical_upgrade=True))
    assert valid is True and reasons[0].key == "pipeline_reports.lead.upgrade_met"


def test_facts_not_given_are_not_known_never_guessed():
    valid, reasons = rp.valid_lead(dict(LEAD, has_feasibility_study=None, decision_level_visit=float("nan")))
    assert valid is None
    assert [r.key.rsplit(".", 1)[1] for r in reasons] == ["amount_met", "plan_unknown", "contact_unknown"]
    valid, reasons = rp.valid_lead(dict(LEAD, investment_wan=None))
    assert valid is None and rp.reason_text(reasons[0], "en") == "investment not known (threshold CNY 100.0 m)"
    small, reasons = rp.valid_lead(dict(LEAD, investment_wan=3000.0))
    assert small is None and reasons[0].key == "pipeline_reports.lead.amount_below_upgrade_unknown"


def test_one_failing_criterion_makes_it_not_valid_even_with_others_unknown():
    valid, reasons = rp.valid_lead(dict(LEAD, has_feasibility_study=False, decision_level_visit=None))
    assert valid is False and [r.key.rsplit(".", 1)[1] for r in reasons] == ["amount_met", "plan_missing", "contact_unknown"]


def test_the_valid_lead_rules_can_be_changed():
    rules = copy.deepcopy(rp.DEFAULT_RULES)
    rules["valid_lead"].update(min_investment_cny_wan=50000.0, require_decision_contact=False)
    assert rp.validate_rules(rules) == []
    valid, reasons = rp.valid_lead(dict(LEAD, decision_level_visit=None, is_technical_upgrade=False), rules)
    assert valid is False and len(reasons) == 2  # 2 亿元 is below 5 亿元 now; talks are not asked
    assert rp.reason_text(reasons[0], "zh") == "投资额 2.00 亿元，低于 5.00 亿元，且非技术改造"


def test_valid_leads_are_counted_per_district_and_period():
    records = [dict(LEAD, period="2026-5"), dict(LEAD, code="TC-PJ-00091", period="2026-5", decision_level_visit=None),
               dict(LEAD, code="TC-PJ-00092", period="2026-4", has_feasibility_study=False),
               dict(LEAD, code="TC-PJ-00093", district="shaxi", period="2026-5")]
    counts = rp.valid_lead_counts(pd.DataFrame(records)).set_index(["district", "period"])
    assert counts.loc[("hitech", "2026-5")].to_dict() == {"valid": 1, "not_valid": 0, "not_known": 1, "total": 2}
    assert counts.loc[("hitech", "2026-4"), "not_valid"] == 1 and counts.loc[("shaxi", "2026-5"), "valid"] == 1
    assert list(rp.valid_lead_counts([]).columns) == ["district", "valid", "not_valid", "not_known", "total"]
