"""The rules in force (pipeline.rulebook), on both stores: the defaults until an administrator saves a version;
a saved version checked first (refusals name the setting and say why, in zh and en; nothing saved), refused
over a newer one (two administrators at once), and read by every consumer so that it changes what the app
does; every setting has its names; a form's answers read back into the same document; each version's changes
listed old → new."""
import copy
import datetime as dt

import pandas as pd
import pytest
from shapely.geometry import Point

from heatmap import i18n
from heatmap.access import Role, Viewer
from heatmap.model import ValidationError
from heatmap.pipeline import intake, office, rulebook, workflow
from heatmap.pipeline import reports as rp
from heatmap.store import Conflict

NAMES = {"liuhe": "浏河镇", "port": "太仓港经济技术开发区", "hitech": "太仓高新区"}


def edited(name, **changes):
    document = rulebook.defaults(name)
    document.update(changes)
    return document


# --- versions ----------------------------------------------------------------------------------------


def test_until_someone_saves_the_defaults_are_in_force_and_editing_them_changes_no_module(store):
    version, document = rulebook.current(store, "reports")
    assert version is None and document == rp.DEFAULT_RULES
    document["valid_lead"]["require_plan"] = False
    assert rp.DEFAULT_RULES["valid_lead"]["require_plan"] is True
    assert set(rulebook.NAMES) == {"reports", "projects", "duplicates", "ledger", "counting", "scoreboard", "transfers"}
    for name in rulebook.NAMES:
        assert rulebook.current(store, name) == (None, rulebook.defaults(name))
        assert rulebook.problems(name, rulebook.defaults(name)) == []


def test_a_saved_version_is_in_force_and_its_history_says_what_changed(store):
    version = rulebook.save(store, "reports", edited("reports", due_days_after_end=20), user="admin", edited_from=None,
                            note="春节后延期")
    assert version == 1
    assert rulebook.current(store, "reports") == (1, edited("reports", due_days_after_end=20))
    assert rulebook.save(store, "reports", edited("reports", due_days_after_end=15), user="admin2", edited_from=1) == 2
    [second, first] = rulebook.history(store, "reports", "zh", NAMES)
    assert (first.version, first.by, first.note) == (1, "admin", "春节后延期")
    assert first.changes.values.tolist() == [["报表截止：期末后天数", "10", "20"]]
    assert second.changes.to_dict("records") == [{"设置": "报表截止：期末后天数", "原值": "20", "新值": "15"}]
    table = rulebook.history_table(rulebook.history(store, "reports", "en", NAMES), "en")
    assert table.columns.tolist() == ["Version", "By", "When", "Note", "Settings changed"]
    assert table["Version"].tolist() == [2, 1] and table["Note"].tolist() == ["–", "春节后延期"]
    assert table["Settings changed"].iloc[0] == "Report due: days after the period ends"


def test_saving_what_was_read_unchanged_makes_no_version(store):
    assert rulebook.save(store, "ledger", rulebook.defaults("ledger"), user="admin", edited_from=None) is None
    assert store.rules("ledger") is None


def test_a_save_over_a_newer_version_is_refused(store):
    rulebook.save(store, "reports", edited("reports", due_days_after_end=20), user="admin", edited_from=None)
    with pytest.raises(Conflict):  # the second administrator's form was filled from the defaults
        rulebook.save(store, "reports", edited("reports", due_days_after_end=5), user="admin2", edited_from=None)
    assert rulebook.current(store, "reports")[0] == 1
    assert rulebook.rules(store, "reports")["due_days_after_end"] == 20


def test_a_refusal_says_which_setting_and_why_and_nothing_is_saved(store):
    document = edited("reports", stalled_periods=None, stalled_days=None, due_overrides={"2027-1": "2027-02-10"})
    with pytest.raises(ValidationError) as refused:
        rulebook.save(store, "reports", document, user="admin", edited_from=None)
    assert store.rules("reports") is None
    assert {p.field for p in refused.value.problems} == {"due_overrides", "stalled_periods"}
    texts = {p.field: rulebook.problem_text("reports", p, "zh", NAMES) for p in refused.value.problems}
    assert texts["stalled_periods"] == "“停滞：连续无进展的期数”和“停滞：无进展的天数”不能都留空：否则没有项目会被视为停滞。"
    assert texts["due_overrides"] == "“个别期次的截止日期”中 2027年1–2月 的截止日期 2027年2月10日 早于该期结束（2027年2月28日）。"
    english = [rulebook.problem_text("reports", p, "en", NAMES) for p in refused.value.problems]
    assert english[0] == "“Due dates that differ”: Jan–Feb 2027 would be due on 10 Feb 2027, before the period ends (28 Feb 2027)."


@pytest.mark.parametrize("name, changes, field, zh", [
    ("ledger", {"bands": [{"up_to_cny": 1e9, "rate_permille": 3.0}, {"up_to_cny": 1e8, "rate_permille": 2.0},
                          {"up_to_cny": None, "rate_permille": 1.5}]}, "bands", "奖励档次：第 2 档的上限须为正数并大于上一档。"),
    ("ledger", {"max_award_cny": 0}, "max_award_cny", "单个项目奖励上限（元）：单个项目奖励上限须为正数，或留空表示不设上限。"),
    ("counting", {"drop_stages": ["dropped", "signed"]}, "drop_stages", "视为放弃的阶段：阶段 签约 不能既视为签约又视为放弃。"),
    ("duplicates", {"reason_floor": 90}, "reason_floor", "列为理由的最低分（90）不应高于提示线（85）"),
    ("duplicates", {"threshold": 120}, "threshold", "查重规则“提示线（分）”为120，应在1至100之间"),
    ("projects", {"shared_fields": ["code_name", "investor"]}, "shared_fields", "“共享界面显示的字段”不能包含指向企业的字段：投资方。"),
    ("scoreboard", {"deductions": {"stalled_project": -1.0, "double_counted": 2.0}}, "deductions.stalled_project",
     "每个停滞项目扣分：扣分须为 0 或正数（现为 -1.0）。"),
])
def test_every_document_refuses_with_the_setting_named(store, name, changes, field, zh):
    with pytest.raises(ValidationError) as refused:
        rulebook.save(store, name, edited(name, **changes), user="admin", edited_from=None)
    [problem] = refused.value.problems
    assert problem.field == field and rulebook.problem_text(name, problem, "zh", NAMES) == zh
    assert store.rules(name) is None


def test_the_saved_version_lies_over_the_defaults_setting_by_setting(store):
    """A version saved before a setting existed keeps that setting's default; a setting the code no longer
    knows is dropped."""
    saved = {k: v for k, v in edited("reports", due_days_after_end=12).items() if k != "amount_change_min_cny_wan"}
    store.save_rules("reports", saved | {"retired_rule": 1}, user="admin", edited_from=None)
    assert rulebook.rules(store, "reports") == edited("reports", due_days_after_end=12)


# --- a saved rule changes what the app does ------------------------------------------------------------


def test_report_due_dates_follow_the_saved_rules(store):
    day = dt.date(2026, 12, 5)
    assert workflow.period_to_report(day, workflow.rules(store)).due == dt.date(2026, 11, 10)  # Sep–Oct, by default
    rulebook.save(store, "reports", edited("reports", due_days_after_end=20), user="admin", edited_from=None)
    period = rp.period_from_key("2026-5", workflow.rules(store))
    assert period.due == dt.date(2026, 11, 20)
    assert workflow.period_to_report(day, workflow.rules(store)).due == dt.date(2026, 11, 20)


def test_a_new_valid_lead_threshold_changes_the_verdict(store):
    lead = {"investment_wan": 5000.0, "currency": "CNY", "has_feasibility_study": True, "decision_level_visit": True,
            "is_technical_upgrade": False}
    assert rp.valid_lead(lead, workflow.rules(store))[0] is False  # below 1 亿
    document = edited("reports")
    document["valid_lead"]["min_investment_cny_wan"] = 3000.0
    rulebook.save(store, "reports", document, user="admin", edited_from=None)
    assert rp.valid_lead(lead, workflow.rules(store))[0] is True


def project(code, district, **overrides):
    return {"code": code, "name": "华能新材料生产基地项目", "investor": "太仓市华能新材料科技有限公司", "category": "manufacturing",
            "sector": "new_materials", "stage": "negotiating", "district": district, "investment_wan": 50000.0,
            "currency": "CNY", "credit_code": None, "reported_on": dt.date(2026, 3, 1), "geometry": Point(121.2, 31.55)} | overrides


def test_the_matching_threshold_in_force_decides_what_is_raised(store):
    store.save("project", [project("LH-1", "liuhe")], user="staff-liuhe", source="form")
    store.save("project", [project("PT-2", "port", investor="华能精密材料有限公司", name="精密材料项目")], user="staff-port", source="form")
    assert intake.duplicate_notice(store, store.record("project", "PT-2")).matches_elsewhere == 1  # scores 89.6
    assert len(office.queue(store, store.projects())) == 1
    rulebook.save(store, "duplicates", edited("duplicates", threshold=95), user="admin", edited_from=None)
    assert intake.duplicate_notice(store, store.record("project", "PT-2")).matches_elsewhere == 0
    assert office.queue(store, store.projects()) == []


def test_new_projects_get_code_names_by_the_rules_in_force(store):
    document = edited("projects")
    document["code_name"] = {"pattern": "{prefix}{year}-{number:04d}", "prefix": "TC", "district_prefixes": {"port": "GQ"}}
    rulebook.save(store, "projects", document, user="admin", edited_from=None)
    staff = Viewer("staff-port", Role.STAFF, "port")
    record = {k: v for k, v in project("PT-9", "port").items() if k != "geometry"}
    intake.save_project(store, staff, record, {"PT-9": None}, stage_on=dt.date(2026, 3, 1))
    assert store.record("project", "PT-9")["code_name"] == "GQ2026-0001"


# --- the settings as the rules page shows them -----------------------------------------------------------


def test_every_setting_is_in_its_document_and_named_in_both_languages():
    for name in rulebook.NAMES:
        document = rulebook.defaults(name)
        assert i18n.has(f"rules.doc.{name}") and i18n.has(f"rules.doc.{name}.help")
        for setting in rulebook.SETTINGS[name]:
            assert setting.path[-1] in (rulebook.get(document, setting.path[:-1]) or {}), (name, setting.key)
            for key in (f"rules.{name}.{setting.key}", f"rules.{name}.{setting.key}.help",
                        *(f"rules.{name}.{setting.key}.col.{c.name}" for c in setting.columns)):
                assert i18n.has(key), key
            for value in rulebook.options(name, setting, document) if setting.kind in ("choice", "multi") else ():
                for lang in ("zh", "en"):
                    text = rulebook.option_label(name, setting, value, lang, document)
                    assert text and text != value and "rules." not in text, (name, setting.key, value)


@pytest.mark.parametrize("name", rulebook.NAMES)
def test_a_form_filled_from_a_document_and_sent_unchanged_reads_back_as_that_document(name):
    document = rulebook.defaults(name)
    if name == "reports":
        document["due_overrides"] = {"2027-1": "2027-03-15"}
    if name == "projects":
        document["code_name"]["district_prefixes"] = {"port": "GQ"}
    for lang in ("zh", "en"):
        answers = {s.key: rulebook.form_value(name, s, document, lang, NAMES) for s in rulebook.SETTINGS[name]}
        read, found = rulebook.read_form(name, answers, document, lang, NAMES)
        assert found == [] and read == document


def test_tables_are_read_row_by_row_and_a_half_filled_row_is_named():
    setting = next(s for s in rulebook.SETTINGS["reports"] if s.key == "due_overrides")
    rows = pd.DataFrame([{"year": 2027, "period": "1–2月", "due": dt.date(2027, 3, 15)},
                         {"year": None, "period": None, "due": None}])  # an empty row the editor left
    document, found = rulebook.read_form("reports", {"due_overrides": rows}, rulebook.defaults("reports"), "zh", NAMES)
    assert found == [] and document["due_overrides"] == {"2027-1": "2027-03-15"}
    half = pd.DataFrame([{"year": 2027, "period": "1–2月", "due": None}])
    _, [problem] = rulebook.read_form("reports", {"due_overrides": half}, rulebook.defaults("reports"), "zh", NAMES)
    assert rulebook.problem_text("reports", problem, "zh") == "“个别期次的截止日期”第 1 行未填完整。"
    bands = pd.DataFrame([{"from_wan": 0.0, "rate_permille": 4.0}, {"from_wan": 5000.0, "rate_permille": 2.5}])
    document, found = rulebook.read_form("ledger", {"bands": bands}, rulebook.defaults("ledger"), "en", NAMES)
    assert found == [] and document["bands"] == [{"up_to_cny": 50_000_000, "rate_permille": 4.0},
                                                 {"up_to_cny": None, "rate_permille": 2.5}]
    _, [problem] = rulebook.read_form("ledger", {"bands": bands.assign(from_wan=[100.0, 5000.0])}, rulebook.defaults("ledger"),
                                      "en", NAMES)
    assert rulebook.problem_text("ledger", problem, "en") == "“Award bands”: the first band starts at 0."
    assert setting.columns[0].name == "year"


def test_an_emptied_number_that_must_be_given_is_named():
    _, [problem] = rulebook.read_form("reports", {"due_days_after_end": None}, rulebook.defaults("reports"), "en", NAMES)
    assert rulebook.problem_text("reports", problem, "en") == "“Report due: days after the period ends” cannot be empty."
    document, found = rulebook.read_form("reports", {"stalled_days": None}, rulebook.defaults("reports"), "en", NAMES)
    assert found == [] and document["stalled_days"] is None  # may be empty: not used


def test_changes_name_settings_and_values_in_the_language():
    before, after = rulebook.defaults("ledger"), rulebook.defaults("ledger")
    after["method"], after["max_award_cny"] = "whole", 500_000.0
    assert rulebook.changes("ledger", before, after, "en", NAMES).values.tolist() == [
        ["Method", "Marginal (per band)", "Whole amount at its band's rate"],
        ["Limit per project (CNY)", "no limit", "500,000"]]
    before, after = rulebook.defaults("counting"), copy.deepcopy(rulebook.defaults("counting"))
    after["signing_stages"] = ["signed"]
    assert rulebook.changes("counting", before, after, "zh", NAMES).values.tolist() == [
        ["视为签约的阶段", "签约、注册、报批报建、开工、投产", "签约"]]
