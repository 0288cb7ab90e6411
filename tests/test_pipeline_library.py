"""The project library as people read it (heatmap.pipeline.library): the valid-lead verdict per project in
the table (是 / 否 / 待补充) and with its reasons in the record view, its facts as yes / no / not known, and
the investment actually formed labelled as what is known once a project has settled."""
import pandas as pd

from heatmap.access import Role, Viewer
from heatmap.pipeline import library
from heatmap.pipeline import reports as rp

STAFF = Viewer("staff-port", Role.STAFF, "port")
LEADER = Viewer("leader", Role.LEADER)
NAMES = {"port": "太仓港经济技术开发区"}
BASE = {"code": "GQ-1", "code_name": "TC-2026-001", "name": "港口冷链物流中心项目", "investor": "上海港航物流有限公司",
        "district": "port", "stage": "negotiating", "category": "trade_logistics", "investment_wan": 20000.0,
        "currency": "CNY"}
VALID = dict(BASE, has_feasibility_study=True, decision_level_visit=True)
NOT_VALID = dict(BASE, code="GQ-2", has_feasibility_study=False, decision_level_visit=True)
MISSING = dict(BASE, code="GQ-3", has_feasibility_study=None, decision_level_visit=True)


def test_the_table_says_per_project_whether_it_is_a_valid_lead():
    frame = pd.DataFrame([VALID, NOT_VALID, MISSING])
    zh = library.table(frame, STAFF, "zh", NAMES, lead_rules=rp.DEFAULT_RULES)
    assert zh["有效项目信息"].tolist() == ["是", "否", "待补充"]
    en = library.table(frame, LEADER, "en", NAMES, lead_rules=rp.DEFAULT_RULES)
    assert en["Valid lead"].tolist() == ["Yes", "No", "Facts missing"]
    assert not zh.astype(str).isin(["None", "nan", "NaN"]).any().any()
    assert "有效项目信息" not in library.table(frame, STAFF, "zh", NAMES).columns  # only when asked, with the rules in force


def test_the_rules_in_force_decide_the_verdict():
    rules = {**rp.DEFAULT_RULES, "valid_lead": {**rp.DEFAULT_RULES["valid_lead"], "require_plan": False}}
    table = library.table(pd.DataFrame([NOT_VALID, MISSING]), STAFF, "zh", NAMES, lead_rules=rules)
    assert table["有效项目信息"].tolist() == ["是", "是"]  # the plan is not asked any more


def test_the_record_view_gives_the_verdict_and_one_reason_per_criterion():
    verdict, reasons = library.valid_lead(MISSING, rp.DEFAULT_RULES, "zh")
    assert verdict == "待补充"
    assert reasons == ["投资额 2.00 亿元，达到 1.00 亿元", "是否有投资计划或可行性研究报告未知", "已有决策层会谈或协议条款洽谈"]
    verdict, reasons = library.valid_lead(NOT_VALID, rp.DEFAULT_RULES, "en")
    assert verdict == "No" and reasons[1] == "no investment plan, business plan or feasibility study"


def test_facts_read_yes_no_or_not_known_and_the_actual_investment_as_known_once_settled():
    settled = dict(VALID, stage="production", currency="EUR", investment_wan=3000.0, actual_investment_wan=2500.0,
                   decision_level_visit=None)
    rows = library.record_rows(settled, STAFF, "zh", NAMES).set_index("字段")["内容"]
    assert rows["有投资计划书或可研"] == "是" and rows["已与决策层洽谈"] == "不详"  # not known, never "否"
    assert rows["实际投资（落户后）"].startswith("2,500") and "欧元" in rows["实际投资（落户后）"] and "≈" in rows["实际投资（落户后）"]
    en = library.record_rows(dict(settled, has_feasibility_study=False), STAFF, "en", NAMES).set_index("Field")["Value"]
    assert en["Investment plan or feasibility study"] == "No" and en["Decision-level talks held"] == "Not known"
    assert en["Actual investment (once settled)"] != "–"
    assert library.record_rows(BASE, STAFF, "en", NAMES).set_index("Field")["Value"]["Actual investment (once settled)"] == "–"
    assert [library.fact_text(v, "zh") for v in library.FACT_CHOICES] == ["不详", "是", "否"]
