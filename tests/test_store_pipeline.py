"""The pipeline's tables, on SQLite and PostGIS alike: stage events, report submissions, the first-report
ledger, duplicate decisions, transfer proposals and versioned rules are only ever added to — the database
itself refuses to change or delete them — and two people writing at once cannot both win."""
import datetime as dt

import pytest
import sqlalchemy as sa
from shapely.geometry import Point

from heatmap.model import ValidationError
from heatmap.pipeline import ledger
from heatmap.store import Conflict
from heatmap.store.schema import APPEND_ONLY_TABLES


def project(code="TC-PJ-1", **overrides):
    return {
        "code": code, "name": "华能新材料项目", "investor": "太仓市华能新材料科技有限公司", "category": "manufacturing",
        "stage": "negotiating", "district": "liuhe", "investment_wan": 50000.0, "currency": "CNY",
        "credit_code": "91320585MA1XXXXX0X", "code_name": "TC-2026-001", "geometry": Point(121.27, 31.52),
    } | overrides


@pytest.fixture
def with_project(store):
    store.save("project", [project()], user="staff-liuhe", source="form")
    return store


def test_a_project_keeps_its_code_name_and_the_investors_credit_code(with_project):
    stored = with_project.record("project", "TC-PJ-1")
    assert stored["code_name"] == "TC-2026-001" and stored["credit_code"] == "91320585MA1XXXXX0X"


def test_a_new_project_and_each_stage_change_are_events_written_with_the_version(with_project):
    store = with_project
    events = store.stage_events(["TC-PJ-1"])
    assert events["stage"].tolist() == ["negotiating"] and events["recorded_by"].tolist() == ["staff-liuhe"]
    store.save("project", [project(tech_needs="行车 10 吨")], user="staff-liuhe", source="form")  # no stage change
    assert len(store.stage_events(["TC-PJ-1"])) == 1
    store.save("project", [project(stage="signed")], user="staff-liuhe", source="upload",
               stage_events={"TC-PJ-1": {"on": dt.date.today() + dt.timedelta(days=1), "note": "签约仪式"}})
    events = store.stage_events(["TC-PJ-1"])
    assert events["stage"].tolist() == ["negotiating", "signed"]
    assert events["happened_on"].iloc[1] == dt.date.today() + dt.timedelta(days=1) and events["note"].iloc[1] == "签约仪式"
    with pytest.raises(ValidationError):
        store.add_stage_event("NOPE", "signed", dt.date(2026, 9, 15), user="staff-liuhe")


def test_a_refused_save_writes_no_stage_event(with_project):
    store = with_project
    with pytest.raises(Conflict):
        store.save("project", [project(stage="signed")], user="late", source="form", expected_base={"TC-PJ-1": None})
    assert store.stage_events(["TC-PJ-1"])["stage"].tolist() == ["negotiating"]


@pytest.mark.parametrize("table", [t for t in APPEND_ONLY_TABLES])
def test_the_database_refuses_to_change_or_delete_an_append_only_row(with_project, table):
    store = with_project
    store.submit_report("liuhe", "2026-5", [store.record("project", "TC-PJ-1")], user="a")
    append(store, kind="register", registrant_kind="individual", registrant="张三")
    store.decide_duplicate("TC-PJ-1", "TC-PJ-2", "different", user="office")
    proposal = store.propose_transfer("TC-PJ-1", "liuhe", None, "no_land", user="a")
    store.add_transfer_event(proposal, "refer", to_district="shaxi", user="office", seen_latest=None)
    store.save_rules("reports", {"due_day": 10}, user="admin", edited_from=None)
    evaluation = store.add_grade_evaluation({"project_code": "TC-PJ-1", "kind": "save", "standard": "manufacturing",
                                             "standard_version": 1, "inputs": "{}", "recorded_by": "a"}, seen_latest=None)
    store.add_support_decision({"project_code": "TC-PJ-1", "evaluation_id": evaluation, "outcome": "deferred",
                                "decided_by": "office"}, seen_latest=None)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
    # one row each; the audit trail one for each write above and the fixture's project
    assert rows == (len(store.audit_events()) if table == "audit_events" else 1) and rows >= 1
    assert len(store.audit_events(action=["report_submit", "first_report_register", "duplicate_decision", "transfer_propose",
                                          "transfer_refer", "rules_change", "grade_save", "support_decision"])) == 8
    for statement in (f"UPDATE {table} SET id = id + 100", f"DELETE FROM {table}"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(sa.text(statement))
    with store.engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == rows  # all still there


def append(store, **kwargs) -> int:
    entries = [ledger.Entry.from_record(r) for r in store.ledger().to_dict("records")]
    entry = ledger.new_entry(entries, project_code=kwargs.pop("project_code", "TC-PJ-1"), recorded_by="staff-liuhe", **kwargs)
    return store.append_ledger_entry(entry.to_record())


def test_ledger_entries_are_appended_in_order_and_read_back_as_entries(with_project):
    store = with_project
    first = append(store, kind="register", registrant_kind="partner", registrant="德国商会", note="2026年3月推荐")
    append(store, kind="correction", corrects=first, registrant_kind="partner", registrant="德国工商大会上海代表处")
    entries = [ledger.Entry.from_record(r) for r in store.ledger("TC-PJ-1").to_dict("records")]
    assert [e.kind for e in entries] == ["register", "correction"] and entries[1].corrects == first
    assert ledger.first_registration(entries, "TC-PJ-1") is not None
    assert ledger.verify_append_only(entries[:1], entries) == []


def test_an_entry_made_from_a_stale_read_of_the_ledger_is_refused(with_project):
    store = with_project
    stale = [ledger.Entry.from_record(r) for r in store.ledger().to_dict("records")]
    mine = ledger.new_entry(stale, kind="register", project_code="TC-PJ-1", registrant_kind="individual", registrant="李四")
    append(store, kind="register", registrant_kind="individual", registrant="张三")  # a colleague was quicker
    with pytest.raises(Conflict):
        store.append_ledger_entry(mine.to_record())
    assert store.ledger()["registrant"].tolist() == ["张三"]


def test_a_report_freezes_the_records_and_a_second_submission_must_correct_the_first(with_project):
    store = with_project
    records = [store.record("project", "TC-PJ-1")]
    first = store.submit_report("liuhe", "2026-5", records, user="staff-liuhe")
    store.save("project", [project(stage="signed")], user="staff-liuhe", source="form")
    assert store.report_snapshot(first)[0]["stage"] == "negotiating"  # frozen as it was
    snapshot = store.report_snapshot(first)[0]
    assert snapshot["geometry"].equals(Point(121.27, 31.52)) and snapshot["investment_wan"] == 50000.0
    with pytest.raises(Conflict):  # a colleague submitting the same period without having seen this one
        store.submit_report("liuhe", "2026-5", records, user="colleague")
    second = store.submit_report("liuhe", "2026-5", [store.record("project", "TC-PJ-1")], user="staff-liuhe",
                                 corrects_id=first, note="签约状态更正")
    frame = store.reports("liuhe", "2026-5")
    assert list(frame["id"]) == [first, second] and frame["corrects_id"].iloc[1] == first
    assert "snapshot" not in frame.columns
    with pytest.raises(Conflict):
        store.submit_report("liuhe", "2026-5", records, user="late", corrects_id=first)  # not the latest any more


def test_rules_are_versioned_and_a_save_over_a_newer_version_is_refused(store):
    assert store.rules("reports") is None  # the module's defaults apply
    v1 = store.save_rules("reports", {"due_day": 10}, user="admin", edited_from=None, note="默认")
    v2 = store.save_rules("reports", {"due_day": 15}, user="admin", edited_from=v1)
    assert (v1, v2) == (1, 2) and store.rules("reports") == (2, {"due_day": 15})
    assert store.rules_at("reports", 1) == {"due_day": 10}
    with pytest.raises(Conflict):
        store.save_rules("reports", {"due_day": 20}, user="other admin", edited_from=v1)
    assert list(store.rules_history("reports")["version"]) == [1, 2]


def test_decided_pairs_are_known_either_way_round(store):
    store.decide_duplicate("TC-PJ-9", "TC-PJ-3", "same", user="office", hosting_district="port",
                           first_contact_district="liuhe")
    assert store.decided_pairs() == {frozenset({"TC-PJ-3", "TC-PJ-9"})}
    assert store.duplicate_decisions()["code_a"].tolist() == ["TC-PJ-3"]


def test_the_samples_reset_empties_the_pipeline_tables_but_keeps_the_rules(with_project):
    store = with_project
    store.save_rules("reports", {"due_day": 10}, user="admin", edited_from=None)
    store.clear_records()
    assert store.stage_events().empty and store.rules("reports") == (1, {"due_day": 10})
    store.save("project", [project()], user="a", source="form")  # its first stage: an event again
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):  # the guard is back
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM project_events"))
