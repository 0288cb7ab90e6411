"""信息首报 as a working step, on SQLite and PostGIS: district staff and the office register first reports
(the store's time, never edited; corrections point at what they correct), the hosting district confirms
referrals (two people at once: the second is refused and told), and the office's award list is computed from
the stage events and the investment actually formed, with the rules in force."""
import datetime as dt

import pytest
from shapely.geometry import Point

from heatmap import bootstrap, export, i18n
from heatmap.access import Role, Viewer
from heatmap.pipeline import firstreports as fr
from heatmap.pipeline import ledger, workflow
from heatmap.pipeline.ledger import LedgerError
from heatmap.store import Conflict

LIUHE = Viewer("staff-liuhe", Role.STAFF, "liuhe", "浏河")
SHAXI = Viewer("staff-shaxi", Role.STAFF, "shaxi", "沙溪")
PORT = Viewer("staff-port", Role.STAFF, "port", "港区")
OFFICE = Viewer("office", Role.OFFICE, None, "招商局")
LEADER = Viewer("leader", Role.LEADER, None, "市领导")


def project(code, district="liuhe", **overrides):
    return {
        "code": code, "name": f"{code} 新材料项目", "investor": "太仓市华能新材料科技有限公司", "category": "manufacturing",
        "stage": "negotiating", "district": district, "origin_district": district, "investment_wan": 50000.0,
        "currency": "CNY", "code_name": f"TC-2026-{code[-3:]}", "geometry": Point(121.27, 31.52),
    } | overrides


@pytest.fixture
def pipeline(store):
    store.save("project", [project("TC-PJ-001"), project("TC-PJ-002", origin_district="shaxi"),
                           project("TC-PJ-003", district="shaxi")], user="sample", source="form")
    return store


def register(store, viewer, code, **who):
    return fr.register(store, viewer, code, seen=fr.seen_id(fr.entries(store), code), **who)


def test_staff_register_their_own_project_and_it_is_first_and_confirmed_at_once(pipeline):
    ids = register(pipeline, LIUHE, "TC-PJ-001", registrant_kind="district", registrant="liuhe", note="首次接触时登记")
    book = fr.entries(pipeline)
    assert [e.kind for e in book] == ["register", "confirm"] and ids == [1, 2]
    assert book[0].recorded_by == "staff-liuhe" and book[1].corrects == 1
    assert abs((book[0].registered_at - ledger.utcnow()).total_seconds()) < 60  # the store's clock, not typed
    found = ledger.first_registration(book, "TC-PJ-001")
    assert found.first.root_id == 1 and found.first.confirmation is not None
    table = fr.entries_table(book, "TC-PJ-001", "zh", {"liuhe": "浏河镇"})
    assert table["首报"].tolist() == ["★ 首报", ""] and table["首报人"].tolist() == ["浏河镇", "浏河镇"]
    assert table["所指条目"].tolist() == ["", "→ 第 1 号"]
    assert not table.isna().any().any()


def test_a_referral_by_others_waits_for_the_hosting_district_and_the_earliest_wins(pipeline):
    register(pipeline, OFFICE, "TC-PJ-001", registrant_kind="department", registrant="太仓市商务局")
    register(pipeline, LIUHE, "TC-PJ-001", registrant_kind="individual", registrant="王立", unit="太仓市科技局",
             state_employee=True)
    book = fr.entries(pipeline)
    assert [e.kind for e in book] == ["register", "register"]  # neither is the host's own: none confirmed
    pending = fr.awaiting_confirmation(book, pipeline.projects(), "liuhe")
    assert [(p.registration.entry.registrant, p.first) for p in pending] == [("太仓市商务局", True), ("王立", False)]
    assert fr.awaiting_confirmation(book, pipeline.projects(), "shaxi") == []
    table = fr.entries_table(book, "TC-PJ-001", "en", {})
    assert table["First"].tolist() == ["★ first", ""] and table["State employee"].tolist() == ["no", "yes"]
    fr.confirm(pipeline, LIUHE, pending[0].registration.entry.id, seen=fr.seen_id(book, "TC-PJ-001"))
    book = fr.entries(pipeline)
    assert [p.registration.entry.registrant for p in fr.awaiting_confirmation(book, pipeline.projects(), "liuhe")] == ["王立"]
    assert book[-1].kind == "confirm" and book[-1].registrant == "liuhe" and book[-1].recorded_by == "staff-liuhe"


def test_another_district_registers_what_it_met_first_and_the_host_confirms(pipeline):
    register(pipeline, SHAXI, "TC-PJ-002", registrant_kind="district", registrant="shaxi")  # shaxi met the investor
    book = fr.entries(pipeline)
    assert [e.kind for e in book] == ["register"]  # shaxi does not host it: liuhe confirms
    pending = fr.awaiting_confirmation(book, pipeline.projects(), "liuhe")
    assert [p.registration.entry.registrant for p in pending] == ["shaxi"]
    with pytest.raises(LedgerError) as refused:  # only the host confirms
        fr.confirm(pipeline, SHAXI, 1, seen=1)
    assert refused.value.reasons[0].key == "firstreports.problem.not_host"
    fr.confirm(pipeline, LIUHE, 1, seen=1)
    with pytest.raises(LedgerError) as twice:
        fr.confirm(pipeline, LIUHE, 1, seen=2)
    assert twice.value.reasons[0].key == "ledger.problem.already_confirmed"


def test_two_people_confirming_at_once_the_second_is_told_and_nothing_is_written(pipeline):
    register(pipeline, OFFICE, "TC-PJ-001", registrant_kind="partner", registrant="太仓市德国商会")
    seen = fr.seen_id(fr.entries(pipeline), "TC-PJ-001")  # both colleagues look at the same page
    fr.confirm(pipeline, LIUHE, 1, seen=seen)
    with pytest.raises(Conflict) as late:
        fr.confirm(pipeline, LIUHE, 1, seen=seen)
    assert late.value.problems[0].key == "ledger_changed_meanwhile"
    assert "刷新" in i18n.problem_text(late.value.problems[0], "zh")
    assert len(fr.entries(pipeline)) == 2


def test_an_entry_made_from_a_stale_ledger_is_refused_by_the_store_all_or_nothing(pipeline):
    stale = fr.entries(pipeline)
    first = ledger.new_entry(stale, kind="register", project_code="TC-PJ-001", registrant_kind="individual", registrant="甲")
    pipeline.append_ledger_entries([first.to_record()])
    second = ledger.new_entry(stale, kind="register", project_code="TC-PJ-003", registrant_kind="individual", registrant="乙")
    follow = ledger.new_entry([second], kind="register", project_code="TC-PJ-003", registrant_kind="individual", registrant="丙")
    with pytest.raises(Conflict):
        pipeline.append_ledger_entries([second.to_record(), follow.to_record()])
    assert [e.registrant for e in fr.entries(pipeline)] == ["甲"]


def test_a_correction_is_a_new_entry_pointing_at_the_old_one_and_keeps_the_time(pipeline):
    register(pipeline, LIUHE, "TC-PJ-001", registrant_kind="individual", registrant="王力")
    fr.correct(pipeline, LIUHE, 1, seen=1, registrant="王立", note="姓名更正")
    book = fr.entries(pipeline)
    assert [(e.kind, e.corrects, e.registrant) for e in book] == [("register", None, "王力"), ("correction", 1, "王立")]
    reg = ledger.first_registration(book, "TC-PJ-001").first
    assert reg.entry.registrant == "王立" and reg.registered_at == book[0].registered_at
    table = fr.entries_table(book, "TC-PJ-001", "zh", {})
    assert table["首报"].tolist() == ["★ 首报", "★ 首报"] and table["所指条目"].tolist() == ["", "→ 第 1 号"]
    with pytest.raises(LedgerError) as old:  # the old version is no longer the one to correct
        fr.correct(pipeline, LIUHE, 1, seen=2, note="再改")
    assert old.value.reasons[0].key == "ledger.problem.not_latest"


@pytest.mark.parametrize("viewer, code, who, key", [
    (SHAXI, "TC-PJ-001", {"registrant_kind": "district", "registrant": "shaxi"}, "firstreports.problem.not_yours"),
    (LIUHE, "TC-PJ-001", {"registrant_kind": "district", "registrant": "shaxi"}, "firstreports.problem.other_district"),
    (LIUHE, "TC-PJ-001", {"registrant_kind": "individual", "registrant": "  "}, "firstreports.problem.no_registrant"),
    (LIUHE, "TC-PJ-001", {"registrant_kind": "individual", "registrant": "王立", "state_employee": True},
     "firstreports.problem.unit_needed"),
    (LIUHE, "TC-PJ-001", {"registrant_kind": "partner", "registrant": "商" * 201}, "firstreports.problem.too_long.registrant"),
    (LEADER, "TC-PJ-001", {"registrant_kind": "department", "registrant": "市商务局"}, "firstreports.problem.not_yours"),
    (OFFICE, "NOPE", {"registrant_kind": "department", "registrant": "市商务局"}, "firstreports.problem.no_project"),
])
def test_bad_input_is_refused_with_a_reason_and_nothing_is_written(pipeline, viewer, code, who, key):
    with pytest.raises(LedgerError) as refused:
        register(pipeline, viewer, code, **who)
    assert key in [r.key for r in refused.value.reasons]
    for lang in ("zh", "en"):
        assert all(i18n.has(r.key) for r in refused.value.reasons), lang
    assert fr.entries(pipeline) == []


def test_staff_register_their_own_district_projects_the_office_any(pipeline):
    projects = pipeline.projects()
    assert sorted(fr.registrable(LIUHE, projects)["code"]) == ["TC-PJ-001", "TC-PJ-002"]
    assert sorted(fr.registrable(SHAXI, projects)["code"]) == ["TC-PJ-002", "TC-PJ-003"]  # first contact counts
    assert len(fr.registrable(OFFICE, projects)) == 3 and fr.registrable(LEADER, projects).empty
    record = pipeline.record("project", "TC-PJ-001")
    assert fr.project_label(record, LEADER, "zh") == "TC-2026-001"  # leaders: the code name only
    assert fr.project_label(record, LIUHE, "zh") == "TC-PJ-001 · TC-PJ-001 新材料项目"


# --- the award list -----------------------------------------------------------------------------------------


def test_completed_on_is_the_day_production_was_reached_as_the_events_stand():
    from heatmap.pipeline.projects import StageEvent

    def ev(stage, day):
        return StageEvent("P", stage, day, "a", dt.datetime(2026, 1, 1))

    assert fr.completed_on([ev("signed", dt.date(2026, 1, 5)), ev("production", dt.date(2026, 6, 30))]) == dt.date(2026, 6, 30)
    assert fr.completed_on([ev("production", dt.date(2026, 6, 30)), ev("production", dt.date(2026, 7, 2))]) == dt.date(2026, 6, 30)
    assert fr.completed_on([ev("production", dt.date(2026, 6, 1)), ev("on_hold", dt.date(2026, 7, 1)),
                            ev("production", dt.date(2026, 9, 1))]) == dt.date(2026, 9, 1)
    assert fr.completed_on([ev("construction", dt.date(2026, 6, 1))]) is None


def test_the_award_list_uses_the_production_event_and_the_actual_investment_in_yuan(pipeline):
    store = pipeline
    register(store, LIUHE, "TC-PJ-001", registrant_kind="district", registrant="liuhe")  # confirmed at once
    register(store, OFFICE, "TC-PJ-003", registrant_kind="individual", registrant="Thomas Weber")  # never confirmed
    done = dt.date.today() + dt.timedelta(days=1)
    store.save("project", [project("TC-PJ-001", stage="production", actual_investment_wan=2000.0, currency="EUR"),
                           project("TC-PJ-003", district="shaxi", stage="production", actual_investment_wan=9000.0)],
               user="office", source="form", stage_events={"TC-PJ-001": {"on": done}, "TC-PJ-003": {"on": done}})
    settled = fr.settlements(store.projects(), workflow.events(store))
    assert settled == [
        {"project_code": "TC-PJ-001", "completed_on": done, "actual_investment_cny": pytest.approx(2000 * 7.8 * 10_000)},
        {"project_code": "TC-PJ-003", "completed_on": done, "actual_investment_cny": pytest.approx(90_000_000)},
    ]
    claimed = done + dt.timedelta(days=30)
    zh = fr.award_table(store, OFFICE, "zh", store.districts(), claimed_on=claimed)
    rows = zh.set_index("项目编号")
    assert rows.loc["TC-PJ-001", "符合条件"] == "是" and rows.loc["TC-PJ-001", "落户区镇"] == "浏河镇"
    # 1.56 亿元 band by band: 1 亿 at 3‰ + 0.56 亿 at 2‰
    assert rows.loc["TC-PJ-001", "项目奖励合计（元）"] == pytest.approx(300_000 + 56_000_000 * 0.002)
    assert rows.loc["TC-PJ-003", "符合条件"] == "否" and "尚未确认" in rows.loc["TC-PJ-003", "说明"]
    assert not zh.isna().any().any()
    assert not zh.astype(str).apply(lambda c: c.str.contains("None|nan|NaN|shaxi|liuhe")).any().any()
    summary = fr.award_summary(zh, "zh")
    assert summary == {"projects": 2, "eligible": 1, "total_cny": pytest.approx(412_000)}
    en = fr.award_table(store, OFFICE, "en", store.districts(), claimed_on=claimed)
    assert "Liuhe" in en.set_index("Project").loc["TC-PJ-001", "Host district"]
    workbook = export.to_excel({"awards": en})
    assert workbook[:2] == b"PK"
    with pytest.raises(LedgerError):
        fr.award_table(store, LEADER, "zh", store.districts())


def test_the_rules_in_force_are_the_stored_ledger_rules_over_the_defaults(pipeline):
    assert fr.rules(pipeline) == ledger.DEFAULT_RULES
    pipeline.save_rules("ledger", {"method": "whole", "claim_window_months": 24}, user="admin", edited_from=None)
    rules = fr.rules(pipeline)
    assert rules["method"] == "whole" and rules["claim_window_months"] == 24 and rules["bands"] == ledger.DEFAULT_RULES["bands"]
    assert ledger.validate_rules(rules) == []
    assert "全额" in fr.rules_text(rules, "zh") and "24" in fr.rules_text(rules, "en")
    assert "3‰" in fr.rules_text(ledger.DEFAULT_RULES, "en") and "band by band" in fr.rules_text(ledger.DEFAULT_RULES, "en")


def test_the_sample_brings_a_ledger_with_an_award_list_and_referrals_waiting(sqlite_store):
    from heatmap import sample

    data = bootstrap.load_sample(sqlite_store, 300, 120, accounts=False)
    book = fr.entries(sqlite_store)
    assert ledger.check_ledger(book) == [] and ledger.verify_append_only([], book) == []
    kinds = {e.registrant_kind for e in book if e.kind == "register"}
    assert kinds == {"district", "department", "partner", "individual"}
    assert any(e.kind == "correction" for e in book)
    projects = sqlite_store.projects()
    waiting = [p for d in projects["district"].unique() for p in fr.awaiting_confirmation(book, projects, d)]
    assert waiting, "some referrals still wait for their district"
    awards = fr.award_table(sqlite_store, OFFICE, "zh", sqlite_store.districts(), claimed_on=data.period_ends[-1])
    summary = fr.award_summary(awards, "zh")
    assert summary["projects"] == (projects["stage"] == "production").sum() > 0
    assert 0 < summary["eligible"] <= summary["projects"] and summary["total_cny"] > 0
    again = sample.first_reports(data.projects, data.period_ends[-1])
    assert again == sample.first_reports(data.projects, data.period_ends[-1])  # deterministic
