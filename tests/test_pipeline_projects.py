"""Projects in the pipeline (heatmap.pipeline.projects): stage changes are events, from which the current
stage, the time in it and "stalled" are computed; code names stand for projects on shared surfaces."""
import copy
import datetime as dt
import json

import pytest

from heatmap import i18n
from heatmap.access import Role, Viewer
from heatmap.model import Stage
from heatmap.pipeline import projects as pj
from heatmap.pipeline.projects import StageEvent

D = dt.date
CODE = "TC-PJ-00037"  # 苏州精工科技有限公司 精密传动部件项目, 太仓高新区
TODAY = D(2026, 10, 31)


def ev(stage, on, *, by="staff-hitech", reason=None, note=None, code=CODE, at=None):
    at = at or dt.datetime.combine(on, dt.time(2, 30))  # 10:30 in Taicang, stored as naive UTC
    return StageEvent(code, str(stage), on, by, at, reason, note)


HISTORY = [
    ev(Stage.FIRST_CONTACT, D(2026, 1, 12)),  # 首次接触: 德国展会上结识
    ev(Stage.NEGOTIATING, D(2026, 3, 3)),  # 在谈: 第一次实地考察
    ev(Stage.SIGNED, D(2026, 6, 18)),  # 签约: 投资协议签署
]


def keys(problems):
    return [p.key for p in problems]


# --- the stage order -----------------------------------------------------------------------------


def test_the_order_runs_from_first_contact_to_production_and_leaves_on_hold_and_dropped_outside():
    assert [i18n.label("stage", s, "zh") for s in pj.PROGRESS_STAGES] == ["首次接触", "在谈", "签约", "注册", "报批报建", "开工", "投产"]
    assert pj.STOP_STAGES == (Stage.ON_HOLD, Stage.DROPPED)
    assert (i18n.label("stage", "on_hold", "zh"), i18n.label("stage", "dropped", "en")) == ("搁置", "Dropped")


# --- check_event: what may be recorded ------------------------------------------------------------


def test_a_step_forward_dated_after_the_last_one_is_accepted_and_skipping_stages_is_allowed():
    assert pj.check_event(HISTORY, ev(Stage.REGISTERED, D(2026, 7, 2)), today=TODAY) == []
    assert pj.check_event(HISTORY, ev(Stage.CONSTRUCTION, D(2026, 9, 1)), today=TODAY) == []  # 注册 and 报批报建 not told
    assert pj.check_event(HISTORY, ev(Stage.REGISTERED, D(2026, 6, 18)), today=TODAY) == []  # same day as signing


def test_a_first_event_may_be_any_stage_of_the_order_but_not_on_hold_or_dropped():
    assert pj.check_event([], ev(Stage.SIGNED, D(2026, 5, 6)), today=TODAY) == []  # heard of it when it signed
    problems = pj.check_event([], ev(Stage.ON_HOLD, D(2026, 5, 6), reason="policy"), today=TODAY)
    assert keys(problems) == ["stage_event_first_not_progress"]


def test_a_date_before_the_last_event_is_refused_with_the_last_event_named():
    (problem,) = pj.check_event(HISTORY, ev(Stage.REGISTERED, D(2026, 6, 1)), today=TODAY)
    assert problem.key == "stage_event_before_last" and problem.field == "stage_on" and problem.record == CODE
    assert pj.problem_text(problem, "zh") == (
        "TC-PJ-00037 · 阶段日期: 日期 2026年6月1日 早于上一条阶段记录（2026年6月18日，签约）：阶段记录按时间先后登记")
    assert "before the last stage event (18 Jun 2026, Signed)" in pj.problem_text(problem, "en")


def test_a_date_in_the_future_is_refused():
    (problem,) = pj.check_event(HISTORY, ev(Stage.REGISTERED, D(2026, 11, 1)), today=TODAY)
    assert problem.key == "stage_event_in_future"
    assert "2026年11月1日 晚于今天（2026年10月31日）" in pj.problem_text(problem, "zh")


def test_an_event_needs_who_recorded_it():
    assert keys(pj.check_event(HISTORY, ev(Stage.REGISTERED, D(2026, 7, 2), by=" "), today=TODAY)) == ["stage_event_no_recorder"]


def test_recording_the_stage_the_project_is_at_again_is_refused():
    assert keys(pj.check_event(HISTORY, ev(Stage.SIGNED, D(2026, 7, 2)), today=TODAY)) == ["stage_event_unchanged"]


def test_an_unknown_stage_and_another_projects_history_are_refused():
    assert keys(pj.check_event(HISTORY, ev("signed_maybe", D(2026, 7, 2)), today=TODAY)) == ["stage_event_unknown_stage"]
    other = [ev(Stage.FIRST_CONTACT, D(2026, 1, 5), code="TC-PJ-00038")]
    assert "stage_event_other_project" in keys(pj.check_event(other, ev(Stage.NEGOTIATING, D(2026, 2, 2)), today=TODAY))


def test_going_back_a_stage_is_a_correction_and_needs_a_note():
    back = ev(Stage.NEGOTIATING, D(2026, 7, 10))  # the 签约 was only a letter of intent
    (problem,) = pj.check_event(HISTORY, back, today=TODAY)
    assert problem.key == "stage_event_back_needs_note" and problem.field == "stage_note"
    assert pj.problem_text(problem, "zh").endswith("从“签约”退回“在谈”属于更正，须填写说明")
    corrected = ev(Stage.NEGOTIATING, D(2026, 7, 10), note="6月18日签署的是投资意向书，并非正式投资协议")
    assert pj.check_event(HISTORY, corrected, today=TODAY) == []


def test_on_hold_and_dropped_need_a_reason_from_the_rules():
    (problem,) = pj.check_event(HISTORY, ev(Stage.ON_HOLD, D(2026, 8, 1)), today=TODAY)
    assert problem.key == "stage_event_reason_required" and pj.problem_text(problem, "zh").endswith("“搁置”须选择原因")
    (problem,) = pj.check_event(HISTORY, ev(Stage.DROPPED, D(2026, 8, 1), reason="too_expensive"), today=TODAY)
    assert problem.key == "stage_event_unknown_reason"
    assert "投资方撤回、无合适载体或用地、政策原因、落户其他城市、其他" in pj.problem_text(problem, "zh")
    assert pj.check_event(HISTORY, ev(Stage.ON_HOLD, D(2026, 8, 1), reason="no_site"), today=TODAY) == []
    assert pj.check_event(HISTORY, ev(Stage.DROPPED, D(2026, 8, 1), reason="moved_city"), today=TODAY) == []


def test_the_reason_other_needs_a_text_saying_what():
    (problem,) = pj.check_event(HISTORY, ev(Stage.ON_HOLD, D(2026, 8, 1), reason="other"), today=TODAY)
    assert problem.key == "stage_event_reason_needs_text"
    assert pj.problem_text(problem, "en").endswith("the reason “Other” needs a note saying what")
    told = ev(Stage.ON_HOLD, D(2026, 8, 1), reason="other", note="德方母公司重组，投资决策推迟至明年")
    assert pj.check_event(HISTORY, told, today=TODAY) == []


def test_a_reason_on_a_step_of_the_order_is_only_a_warning():
    (problem,) = pj.check_event(HISTORY, ev(Stage.REGISTERED, D(2026, 7, 2), reason="policy"), today=TODAY)
    assert problem.key == "stage_event_reason_not_used" and problem.severity == "warning"


ON_HOLD = HISTORY + [ev(Stage.ON_HOLD, D(2026, 7, 20), reason="no_site")]


def test_resuming_from_on_hold_returns_to_the_stage_before_it():
    assert pj.check_event(ON_HOLD, ev(Stage.SIGNED, D(2026, 9, 5)), today=TODAY) == []
    (problem,) = pj.check_event(ON_HOLD, ev(Stage.REGISTERED, D(2026, 9, 5)), today=TODAY)
    assert problem.key == "stage_event_resume_elsewhere"
    assert "回到搁置前的“签约”阶段，不能直接到“注册”" in pj.problem_text(problem, "zh")
    assert pj.check_event(ON_HOLD, ev(Stage.DROPPED, D(2026, 9, 5), reason="investor_withdrew"), today=TODAY) == []
    assert keys(pj.check_event(ON_HOLD, ev(Stage.NEGOTIATING, D(2026, 9, 5)), today=TODAY)) == ["stage_event_back_needs_note"]
    assert keys(pj.check_event(ON_HOLD, ev(Stage.ON_HOLD, D(2026, 9, 5), reason="policy"), today=TODAY)) == ["stage_event_unchanged"]


def test_a_dropped_project_is_taken_up_again_only_with_a_note_and_never_put_on_hold():
    dropped = HISTORY + [ev(Stage.DROPPED, D(2026, 7, 20), reason="moved_city")]
    assert keys(pj.check_event(dropped, ev(Stage.NEGOTIATING, D(2026, 10, 8)), today=TODAY)) == ["stage_event_reopen_needs_note"]
    again = ev(Stage.NEGOTIATING, D(2026, 10, 8), note="昆山选址未果，投资方重新考察太仓")
    assert pj.check_event(dropped, again, today=TODAY) == []
    assert keys(pj.check_event(dropped, ev(Stage.ON_HOLD, D(2026, 10, 8), reason="policy"), today=TODAY)) == [
        "stage_event_hold_after_drop"]


# --- what the events say ----------------------------------------------------------------------------


def test_the_current_stage_follows_the_last_event_as_of_a_date():
    assert pj.current_stage([]) is None
    assert pj.current_stage(list(reversed(HISTORY))) is Stage.SIGNED  # order of the list does not matter
    assert pj.current_stage(HISTORY, on=D(2026, 5, 31)) is Stage.NEGOTIATING
    assert pj.current_stage(ON_HOLD) is Stage.ON_HOLD and pj.resume_stage(ON_HOLD) is Stage.SIGNED


def test_two_events_on_one_day_are_ordered_by_when_they_were_recorded():
    same_day = HISTORY + [
        ev(Stage.REGISTERED, D(2026, 7, 2), at=dt.datetime(2026, 7, 2, 1, 0)),
        ev(Stage.APPROVAL, D(2026, 7, 2), at=dt.datetime(2026, 7, 2, 8, 0)),
    ]
    assert pj.current_stage(reversed(same_day)) is Stage.APPROVAL


def test_time_in_stage_counts_days_since_the_project_entered_it():
    assert pj.time_in_stage(HISTORY, TODAY) == (TODAY - D(2026, 6, 18)).days == 135
    assert pj.time_in_stage(HISTORY, D(2026, 3, 10)) == 7  # 在谈 since 3 March
    resumed = ON_HOLD + [ev(Stage.SIGNED, D(2026, 9, 5))]
    assert pj.time_in_stage(resumed, TODAY) == 56  # counted from the resumption
    assert pj.time_in_stage([], TODAY) is None


def test_stalled_after_two_reporting_periods_without_progress():
    # signed 18 June (May–Jun period); on 31 Oct the last two periods are Sep–Oct and Jul–Aug: nothing in them
    is_stalled, reason = pj.stalled(HISTORY, TODAY)
    assert is_stalled and reason.key == "pipeline_projects.stalled.periods"
    assert pj.reason_text(reason, "zh") == "停滞：自 2026年6月18日 起已连续 2 个上报周期无进展（仍处于“签约”）"
    # on 31 August only Jul–Aug passed without progress: not yet
    is_stalled, reason = pj.stalled(HISTORY, D(2026, 8, 31))
    assert not is_stalled and pj.reason_text(reason, "en") == "moving: last progress on 18 Jun 2026 (74 days ago, “Signed”)"


def test_stalled_across_a_year_end():
    late = [ev(Stage.NEGOTIATING, D(2026, 10, 28))]
    assert pj.stalled(late, D(2026, 12, 31))[0] is False  # Sep–Oct and Nov–Dec: progress in Sep–Oct
    assert pj.stalled(late, D(2027, 1, 1))[0] is True  # Nov–Dec and Jan–Feb: none
    assert pj.period_start(D(2027, 1, 1), 1) == D(2026, 11, 1) and pj.period_start(D(2027, 2, 28), 6) == D(2026, 1, 1)


def test_resuming_after_a_hold_or_a_correction_is_not_progress():
    resumed = ON_HOLD + [ev(Stage.SIGNED, D(2026, 10, 2))]
    assert pj.last_progress(resumed) == D(2026, 6, 18)
    assert pj.stalled(resumed, TODAY)[0] is True
    corrected = HISTORY + [ev(Stage.NEGOTIATING, D(2026, 10, 2), note="签约信息有误")]
    assert pj.last_progress(corrected) == D(2026, 6, 18)
    resigned = corrected + [ev(Stage.SIGNED, D(2026, 10, 20))]  # now truly signed: that is progress
    assert pj.last_progress(resigned) == D(2026, 10, 20) and pj.stalled(resigned, TODAY)[0] is False


def test_projects_in_production_on_hold_or_dropped_are_not_stalled():
    produced = [ev(Stage.PRODUCTION, D(2025, 3, 1))]
    assert pj.stalled(produced, TODAY) == (False, pj.Reason("pipeline_projects.stalled.arrived"))
    held, reason = pj.stalled(ON_HOLD, TODAY)
    assert not held and pj.reason_text(reason, "zh") == "自 2026年7月20日 起搁置"
    assert pj.stalled([], TODAY)[1].key == "pipeline_projects.stalled.no_events"


def test_stalled_by_days_when_the_rules_say_so():
    rules = dict(pj.DEFAULT_RULES, stalled_periods=None, stalled_days=90)
    assert pj.stalled(HISTORY, D(2026, 9, 15), rules)[0] is False  # 89 days
    is_stalled, reason = pj.stalled(HISTORY, D(2026, 9, 16), rules)
    assert is_stalled and pj.reason_text(reason, "en") == "stalled: no progress for 90 days, since 18 Jun 2026 (still at “Signed”)"


def test_the_history_frame_has_one_row_per_event_with_its_duration():
    events = ON_HOLD + [ev(Stage.SIGNED, D(2026, 9, 5)), ev(Stage.NEGOTIATING, D(2026, 9, 20), note="协议未生效")]
    frame = pj.stage_history_frame(events + [ev(Stage.FIRST_CONTACT, D(2026, 10, 1), code="TC-PJ-00038")], today=TODAY)
    mine = frame[frame["project_code"] == CODE]
    assert list(mine["step"]) == ["first", "forward", "forward", "hold", "resume", "back"]
    assert list(mine["days"]) == [50, 107, 32, 47, 15, 41]
    assert mine["until"].iloc[-1] == TODAY and mine["reason"].iloc[3] == "no_site"
    assert not frame.isna().any().any()
    table = pj.stage_history_table(mine, "zh")
    assert list(table.columns)[:4] == ["项目编号", "阶段", "变动", "起始日期"]
    assert list(table["变动"])[3:] == ["搁置", "恢复推进", "更正（退回）"]
    assert table["原因"].iloc[3] == "无合适载体或用地" and table["起始日期"].iloc[0] == "2026年1月12日"
    assert table["记录时间"].iloc[0] == "2026年1月12日 10:30"


def test_events_travel_as_plain_records():
    event = ev(Stage.ON_HOLD, D(2026, 7, 20), reason="other", note="等待环评批复")
    assert StageEvent.from_record(event.as_record()) == event
    assert json.loads(json.dumps(event.as_record(), default=str))["stage"] == "on_hold"


# --- rules are data ----------------------------------------------------------------------------------


def test_the_default_rules_are_valid_and_json():
    assert pj.validate_rules(pj.DEFAULT_RULES) == []
    assert json.loads(json.dumps(pj.DEFAULT_RULES)) == pj.DEFAULT_RULES


@pytest.mark.parametrize("change, key, params", [
    ({"stalled_periods": None, "stalled_days": None}, "stalled_never", {"rule": "stalled_periods", "other": "stalled_days"}),
    ({"stalled_periods": 0}, "stalled_whole", {"rule": "stalled_periods", "value": 0}),
    ({"stop_reasons": ["investor_withdrew", "investor_withdrew"]}, "stop_reason_twice", {"rule": "stop_reasons"}),
    ({"stop_reasons": ["investor_withdrew", "land_price"]}, "reason_unnamed", {"rule": "stop_reasons", "reasons": ["land_price"]}),
    ({"reasons_needing_text": ["unknown"]}, "needing_text", {"rule": "reasons_needing_text", "other": "stop_reasons"}),
    ({"shared_fields": ["code_name", "district", "investor"]}, "shared_leaks", {"rule": "shared_fields", "fields": ["investor"]}),
    ({"shared_fields": ["district"]}, "shared_needs_code_name", {"rule": "shared_fields"}),
    ({"code_name": {"pattern": "{prefix}-{investor}-{number}", "prefix": "TC", "district_prefixes": {}}}, "pattern_names",
     {"rule": "code_name.pattern", "value": "{prefix}-{investor}-{number}"}),
    ({"code_name": {"pattern": "{prefix}-{year}", "prefix": "TC", "district_prefixes": {}}}, "pattern_number",
     {"rule": "code_name.pattern", "value": "{prefix}-{year}"}),
    ({"code_name": {"pattern": "{prefix}-{year}-{number:03d}", "prefix": "太仓", "district_prefixes": {}}}, "prefix",
     {"rule": "code_name.prefix", "value": "太仓"}),
])
def test_edited_rules_are_checked_before_they_are_stored(change, key, params):
    """Each problem names its setting (`rule`) and says what is wrong, in both languages."""
    rules = dict(copy.deepcopy(pj.DEFAULT_RULES), **change)
    problems = pj.validate_rules(rules)
    assert pj.Reason(f"pipeline_projects.rules.{key}", params) in problems, problems


def test_a_rule_problem_reads_as_a_sentence():
    rules = dict(copy.deepcopy(pj.DEFAULT_RULES), stalled_periods=None, stalled_days=None)
    assert [pj.reason_text(p, "zh") for p in pj.validate_rules(rules)] == [
        "“stalled_periods”和“stalled_days”不能都留空：否则没有项目会被视为停滞。"]


def test_a_reason_added_by_an_administrator_comes_with_its_names():
    rules = dict(copy.deepcopy(pj.DEFAULT_RULES), stop_reasons=["investor_withdrew", "land_price", "other"],
                 reason_labels={"land_price": ["地价过高", "Land price too high"]})
    assert pj.validate_rules(rules) == []
    assert pj.check_event(HISTORY, ev(Stage.ON_HOLD, D(2026, 8, 1), reason="land_price"), rules, today=TODAY) == []
    frame = pj.stage_history_frame(HISTORY + [ev(Stage.ON_HOLD, D(2026, 8, 1), reason="land_price")], today=TODAY)
    assert pj.stage_history_table(frame, "en", rules)["Reason"].iloc[-1] == "Land price too high"


# --- code names ---------------------------------------------------------------------------------------

PROJECT = {
    "code": "SZJG-2026-01", "name": "苏州精工科技有限公司精密传动部件项目", "investor": "苏州精工科技有限公司",
    "investor_country": "CN", "category": "manufacturing", "sector": "precision_machinery", "investment_wan": 32000.0,
    "currency": "CNY", "space_kind": "land", "land_needed_mu": 45.0, "stage": "signed", "district": "hitech",
    "origin_district": "hitech", "reported_by": "staff-hitech", "reported_on": D(2026, 1, 12), "grade": "B",
    "tech_needs": "双回路供电", "carrier_code": "TC-L-00012", "lon": 121.15, "lat": 31.49,
}


def test_a_code_name_is_neutral_numbered_within_its_year_and_never_from_the_company():
    existing = ["TC-2026-001", "TC-2026-036", "TC-2025-112", "GX-2026-050"]
    name = pj.code_name(PROJECT, existing)
    assert name == "TC-2026-037"
    assert pj.code_name_problems(name, PROJECT) == []
    assert not any(part in name for part in ("SZJG", "精工", "苏州"))
    assert pj.code_name(dict(PROJECT, reported_on=D(2025, 12, 30)), existing) == "TC-2025-113"
    assert pj.code_name(dict(PROJECT, reported_on=None), [], today=D(2027, 1, 4)) == "TC-2027-001"


def test_a_code_name_once_given_is_kept():
    assert pj.code_name(dict(PROJECT, code_name="TC-2026-005"), ["TC-2026-036"]) == "TC-2026-005"


def test_code_names_may_carry_a_district_prefix():
    rules = copy.deepcopy(pj.DEFAULT_RULES)
    rules["code_name"]["district_prefixes"] = {"hitech": "GX", "port": "GQ"}
    assert pj.validate_rules(rules) == []
    assert pj.code_name(PROJECT, ["GX-2026-050", "TC-2026-080"], rules) == "GX-2026-051"
    assert pj.code_name(dict(PROJECT, district="shaxi"), ["GX-2026-050", "TC-2026-080"], rules) == "TC-2026-081"


def test_a_code_name_typed_by_a_person_is_checked_for_hints_at_the_company():
    by_investor, by_name = pj.code_name_problems("精工-01", PROJECT)
    assert pj.reason_text(by_investor, "zh") == "代号含有投资方中的字：精工"
    assert pj.reason_text(by_name, "en").startswith("the code name holds characters of “Name”: ")
    german = {"investor": "Rhein Antriebstechnik GmbH", "name": "Rhein Antriebstechnik 新能源汽车电驱系统项目"}
    assert [r.key for r in pj.code_name_problems("RHE-7", german)][:1] == ["pipeline_projects.code_name.hint_letters"]
    assert pj.code_name_problems("TC-2026-037", german) == []  # "GmbH", 有限公司 and the like name nobody


# --- shared surfaces -------------------------------------------------------------------------------

NAMED = dict(PROJECT, code_name="TC-2026-037")


def test_a_leader_sees_a_project_by_code_name_only():
    view = pj.shared_view(NAMED, Viewer("leader", Role.LEADER))
    assert view["code_name"] == "TC-2026-037" and view["stage"] == "signed" and view["investment_wan"] == 32000.0
    assert not set(view) & {"name", "investor", "code", "tech_needs", "investor_country", "reported_by", "carrier_code"}
    assert "精工" not in json.dumps(view, default=str, ensure_ascii=False)


def test_the_office_sees_every_project_in_full():
    assert pj.shared_view(NAMED, "office") == NAMED
    assert pj.view_level(NAMED, Viewer("zsj", "office"))[1].key == "pipeline_projects.view.office"


def test_staff_share_their_own_districts_projects_by_code_name_and_see_no_others():
    own = pj.shared_view(NAMED, Viewer("staff-hitech", Role.STAFF, "hitech"))
    assert own["code_name"] == "TC-2026-037" and "investor" not in own
    first_contact = pj.shared_view(dict(NAMED, district="port"), Viewer("staff-hitech", Role.STAFF, "hitech"))
    assert first_contact["district"] == "port"  # hitech met the investor (首谈地), the port hosts it
    assert pj.shared_view(NAMED, Viewer("staff-shaxi", Role.STAFF, "shaxi")) == {}
    level, reason = pj.view_level(NAMED, Viewer("staff-shaxi", Role.STAFF, "shaxi"))
    assert level == "none" and pj.reason_text(reason, "zh") == "其他区镇的项目不可见"


def test_the_public_sees_nothing_and_a_project_without_a_code_name_stays_off_shared_surfaces():
    assert pj.shared_view(NAMED, Viewer(None, Role.PUBLIC)) == {}
    assert pj.shared_view(PROJECT, Viewer("leader", Role.LEADER)) == {}
    assert pj.view_level(PROJECT, Role.LEADER)[1].key == "pipeline_projects.view.no_code_name"


def test_shared_fields_that_name_the_company_are_left_out_even_if_the_rules_list_them():
    rules = dict(pj.DEFAULT_RULES, shared_fields=["code_name", "investor"])  # refused by validate_rules, too
    assert pj.shared_view(NAMED, Role.LEADER, rules) == {"code_name": "TC-2026-037"}
