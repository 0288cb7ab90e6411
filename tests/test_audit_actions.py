"""Every change the store writes puts its entry in the audit trail, in the same transaction, on SQLite and
PostGIS — driven through the functions the pages and the command line call: a file's commit, edits of carriers
and projects, rollbacks, stage events, reports, the first-report ledger, the office's duplicate decisions,
transfers from proposal to credit split, grades from saved values to confirmation or return, the leading
group's decisions, standards and rules, inquiries, header mappings, and the command line's import, rollback
and new account. A change that is refused leaves no entry, so the trail and the tables never disagree."""
import datetime as dt

import pytest
from shapely.geometry import Point

from heatmap import audit, auth, cli
from heatmap.access import Role, Viewer
from heatmap.ingest import pipeline
from heatmap.pipeline import evaluations as ev
from heatmap.pipeline import firstreports as fr
from heatmap.pipeline import intake, office, reports, rulebook, transferflow, transfers, workflow
from heatmap.pipeline import leading_group as lg
from heatmap.store import Conflict

from test_evaluations import DOCS, FULL
from test_ingest_pipeline import csv_bytes, plant_rows

LIUHE = Viewer("staff-liuhe", Role.STAFF, "liuhe", "浏河")
SHAXI = Viewer("staff-shaxi", Role.STAFF, "shaxi", "沙溪")
OFFICE = Viewer("office", Role.OFFICE, None, "招商局")
ADMIN = Viewer("admin", Role.ADMIN, None, "管理员")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0"


def acting_as(viewer: Viewer, client: str = "203.0.113.7"):
    """What heatmap.ui sets for a session of this viewer."""
    return audit.acting(audit.Context(actor=viewer.username, role=viewer.role.value, district=viewer.district,
                                      client=client, user_agent=BROWSER))


def project(code, district="liuhe", **overrides):
    return {"code": code, "name": f"{code} 精密轴承项目", "investor": "舍弗勒（中国）有限公司", "category": "manufacturing",
            "sector": "precision_machinery", "stage": "negotiating", "district": district, "origin_district": district,
            "investment_wan": 50000.0, "currency": "CNY", "code_name": f"TC-2026-{code[-3:]}", "space_kind": "land",
            "land_needed_mu": 80.0, "geometry": Point(121.27, 31.52)} | overrides


@pytest.fixture
def pipeline_store(store):
    with audit.unrecorded():  # what was there before: not part of these tests
        store.save("project", [project("TC-PJ-001", city_support_requested=True, city_support_wan=800.0),
                               project("TC-PJ-002", origin_district="shaxi"), project("TC-PJ-003", district="shaxi")],
                   user="sample", source="form")
    return store


def entries(store, action=None):
    """The trail (of one action), oldest first, as plain dicts."""
    return store.audit_events(action=action).sort_values("id").to_dict("records")


def only(store, action):
    found = entries(store, action)
    assert len(found) == 1, (action, found)
    return found[0]


def who(entry):
    return entry["actor"], entry["role"], entry["district"], entry["client"], entry["user_agent"]


def test_a_files_commit_says_who_from_where_which_file_and_what_it_changed(store):
    upload = pipeline.read_upload(csv_bytes(plant_rows(3)), "浏河厂房.csv", kind="plant", store=store, district="liuhe")
    with acting_as(LIUHE):
        version, _ = pipeline.commit(upload, store, user="staff-liuhe", note="七月核实")
    entry = only(store, "upload_commit")
    assert who(entry) == ("staff-liuhe", "staff", "liuhe", "203.0.113.7", BROWSER)
    assert (entry["target"], entry["target_district"]) == ("浏河厂房.csv", "liuhe")
    assert entry["detail"] == {"entity": "carrier", "version": version, "added": 3, "changed": 0, "removed": 0,
                               "codes": ["LH-P001", "LH-P002", "LH-P003"], "file": "浏河厂房.csv", "note": "七月核实"}
    assert pipeline.upload_summary(upload) | {"sha256": upload.file_hash} == {
        "entity": "carrier", "kind": "plant", "records": 3, "errors": 0, "warnings": upload.warning_count,
        "bytes": len(upload.data), "sha256": upload.file_hash}


def test_a_carrier_edit_names_the_record_and_the_fields_changed(store):
    upload = pipeline.read_upload(csv_bytes(plant_rows(1)), "a.csv", kind="plant", store=store, district="liuhe")
    pipeline.commit(upload, store, user="staff-liuhe")
    record = store.record("carrier", "LH-P001")
    with acting_as(LIUHE):
        version, _ = store.save("carrier", [{**record, "vacant_m2": 0.0, "status": "occupied"}], user="staff-liuhe",
                                source="form", district="liuhe")
    entry = only(store, "carrier_edit")
    assert (entry["target"], entry["target_district"], entry["actor"]) == ("LH-P001", "liuhe", "staff-liuhe")
    assert entry["detail"]["fields"] == ["status", "vacant_m2"] and entry["detail"]["version"] == version


def test_a_project_edit_in_the_form_and_its_rollback(pipeline_store):
    store = pipeline_store
    stored, base = intake.read_for_form(store, "TC-PJ-001")
    with acting_as(LIUHE):
        saved = intake.save_project(store, LIUHE, {**stored, "stage": "signed", "tech_needs": "10 吨行车"}, base)
    edit = only(store, "project_edit")
    assert (edit["target"], edit["target_district"]) == ("TC-PJ-001", "liuhe")
    assert edit["detail"]["fields"] == ["stage", "tech_needs"] and edit["detail"]["version"] == saved.version
    assert not entries(store, "stage_event")  # the stage change is part of the edit's own entry
    with acting_as(ADMIN, client="198.51.100.9"):
        undo = store.rollback(saved.version, user="admin", note="改错了")
    rollback = only(store, "rollback")
    assert who(rollback)[:4] == ("admin", "admin", None, "198.51.100.9")
    assert (rollback["target"], rollback["target_district"]) == (str(saved.version), "liuhe")
    assert rollback["detail"]["version"] == undo and rollback["detail"]["note"] == "改错了"


def test_a_refused_write_leaves_no_entry(pipeline_store):
    store = pipeline_store
    stored, base = intake.read_for_form(store, "TC-PJ-001")
    store.save("project", [{**stored, "tech_needs": "同事的修改"}], user="colleague", source="form")  # saved first
    before = len(entries(store))
    with acting_as(LIUHE), pytest.raises(Conflict):
        intake.save_project(store, LIUHE, {**stored, "tech_needs": "我的修改"}, base)
    pid = transfers.propose(store, LIUHE, "TC-PJ-001", "shaxi", "no_land", seen_latest=None)
    with pytest.raises(Conflict):  # read before the proposal was made
        transferflow.accept(store, SHAXI, pid, seen=None, project_base={"TC-PJ-001": 1})
    assert [e["action"] for e in entries(store)][before:] == ["transfer_propose"]
    assert store.record("project", "TC-PJ-001")["district"] == "liuhe"


def test_a_stage_event_and_a_report_submission(pipeline_store):
    store = pipeline_store
    with acting_as(LIUHE):
        event = store.add_stage_event("TC-PJ-001", "signed", dt.date(2026, 9, 1), user="staff-liuhe")
        period = reports.period_from_key("2026-5")
        report = workflow.submit(store, "liuhe", period, store.projects(), user="staff-liuhe", note="按时上报")
    stage = only(store, "stage_event")
    assert (stage["target"], stage["target_district"]) == ("TC-PJ-001", "liuhe")
    assert stage["detail"] == {"event": event, "stage": "signed", "on": "2026-09-01"}
    submitted = only(store, "report_submit")
    assert (submitted["target"], submitted["target_district"], submitted["actor"]) == ("2026-5", "liuhe", "staff-liuhe")
    assert submitted["detail"] == {"report": report, "projects": 2, "note": "按时上报"}


def test_first_reports_registered_corrected_and_confirmed(pipeline_store):
    store = pipeline_store
    with acting_as(LIUHE):  # the host registers in its own name: the registration and its confirmation
        ids = fr.register(store, LIUHE, "TC-PJ-001", registrant_kind="district", registrant="liuhe",
                          seen=fr.seen_id(fr.entries(store), "TC-PJ-001"))
        fixed = fr.correct(store, LIUHE, ids[0], seen=fr.seen_id(fr.entries(store), "TC-PJ-001"), note="首谈于展会")
    with acting_as(SHAXI):  # a referral by another district, which the host confirms
        referred = fr.register(store, SHAXI, "TC-PJ-003", registrant_kind="partner", registrant="某商会",
                               seen=fr.seen_id(fr.entries(store), "TC-PJ-003"))
    assert [(e["action"], e["target"], e["target_district"], e["detail"]["entry"]) for e in entries(store)
            if e["action"].startswith("first_report")] == [
        ("first_report_register", "TC-PJ-001", "liuhe", ids[0]), ("first_report_confirm", "TC-PJ-001", "liuhe", ids[1]),
        ("first_report_correction", "TC-PJ-001", "liuhe", fixed), ("first_report_register", "TC-PJ-003", "shaxi", referred[0])]
    assert only(store, "first_report_correction")["detail"]["corrects"] == ids[0]


def test_the_offices_duplicate_decision_and_the_merge_it_makes(store):
    with audit.unrecorded():
        store.save("project", [project("LH-1", "liuhe", reported_on=dt.date(2026, 3, 1))], user="staff-liuhe", source="form")
        store.save("project", [project("PT-1", "port", reported_on=dt.date(2026, 5, 1))], user="staff-port", source="form")
    pair = office.queue(store, store.projects())[0]
    with acting_as(OFFICE):
        office.decide(store, OFFICE, pair, store.projects(), "same", "port", "投资方确认落户港区")
    decision = only(store, "duplicate_decision")
    assert (decision["target"], decision["target_district"], decision["actor"], decision["role"]) == (
        "LH-1 ↔ PT-1", "port", "office", "office")
    assert decision["detail"]["outcome"] == "same" and decision["detail"]["first_contact_district"] == "liuhe"
    merge = only(store, "project_edit")
    assert merge["detail"]["codes"] == ["PT-1", "LH-1"] and merge["detail"]["removed"] == 1


def test_a_transfer_from_proposal_to_acceptance_and_its_credit_split(pipeline_store):
    store = pipeline_store
    with acting_as(LIUHE):
        pid = transfers.propose(store, LIUHE, "TC-PJ-001", "shaxi", "no_land", "园区无地", seen_latest=None)
    with acting_as(SHAXI):
        version = int(store.projects().set_index("code").loc["TC-PJ-001", "version_id"])
        transferflow.accept(store, SHAXI, pid, seen=transferflow.find(store, pid).last_id,
                            project_base={"TC-PJ-001": version}, note="园区有地")
    with acting_as(OFFICE):
        transferflow.change_credit(store, OFFICE, pid, 70.0, 3, seen=transferflow.find(store, pid).last_id)
    proposed, accepted, split = (only(store, a) for a in ("transfer_propose", "transfer_accept", "transfer_credit_change"))
    assert (proposed["actor"], proposed["target"], proposed["target_district"]) == ("staff-liuhe", "TC-PJ-001", "liuhe")
    assert proposed["detail"] == {"proposal": pid, "to_district": "shaxi", "reason": "no_land", "note": "园区无地"}
    assert (accepted["actor"], accepted["district"], accepted["target_district"]) == ("staff-shaxi", "shaxi", "shaxi")
    assert accepted["detail"]["proposal"] == pid and accepted["detail"]["to_district"] == "shaxi"
    assert split["detail"]["origin_percent"] == 70.0 and split["detail"]["credit_years"] == 3
    assert not entries(store, "project_edit")  # the move is the acceptance's entry, not an edit of its own


def test_a_transfer_declined_referred_and_withdrawn(pipeline_store):
    store = pipeline_store
    pid = transfers.propose(store, LIUHE, "TC-PJ-001", "shaxi", "no_land", seen_latest=None)
    transferflow.decline(store, SHAXI, pid, "no_space", seen=None)
    transferflow.refer(store, OFFICE, pid, "port", seen=transferflow.find(store, pid).last_id)
    other = transfers.propose(store, SHAXI, "TC-PJ-003", None, "other", "投资方希望靠近港口", seen_latest=None)
    transferflow.withdraw(store, SHAXI, other, seen=None)
    steps = [(e["action"], e["actor"], e["detail"]["proposal"]) for e in entries(store) if e["action"].startswith("transfer_")]
    assert steps == [("transfer_propose", "staff-liuhe", pid), ("transfer_decline", "staff-shaxi", pid),
                     ("transfer_refer", "office", pid), ("transfer_propose", "staff-shaxi", other),
                     ("transfer_withdraw", "staff-shaxi", other)]
    assert only(store, "transfer_decline")["detail"]["reason"] == "no_space"
    assert only(store, "transfer_refer")["detail"]["to_district"] == "port"
    assert "to_district" not in entries(store, "transfer_propose")[1]["detail"]  # for the office's pool


def test_grades_saved_proposed_confirmed_and_returned_and_the_leading_groups_decision(pipeline_store):
    store = pipeline_store
    with acting_as(LIUHE):
        saved, _ = ev.record(store, LIUHE, "TC-PJ-001", "manufacturing", FULL, (), DOCS, propose=False, seen_latest=None)
        proposal, result = ev.record(store, LIUHE, "TC-PJ-001", "manufacturing", FULL, (), DOCS, propose=True,
                                     seen_latest=saved)
        second, _ = ev.record(store, LIUHE, "TC-PJ-002", "manufacturing", FULL, (), DOCS, propose=True, seen_latest=None)
    with acting_as(OFFICE):
        confirmed = ev.confirm(store, OFFICE, "TC-PJ-001", seen_latest=proposal)
        ev.send_back(store, OFFICE, "TC-PJ-002", "缺少用地预审意见", seen_latest=second)
        [item] = lg.queue(store.projects(), store.grade_evaluations(), store.support_decisions())
        decision = lg.decide(store, OFFICE, item, "approved", "同意支持", seen_latest=None)
    returned = int(store.grade_evaluations().query("kind == 'return'")["id"].iloc[0])
    grading = [(e["action"], e["target"], e["actor"], e["detail"]["evaluation"]) for e in entries(store)
               if e["action"].startswith("grade_")]
    assert grading == [("grade_save", "TC-PJ-001", "staff-liuhe", saved), ("grade_propose", "TC-PJ-001", "staff-liuhe", proposal),
                       ("grade_propose", "TC-PJ-002", "staff-liuhe", second),
                       ("grade_confirm", "TC-PJ-001", "office", confirmed), ("grade_return", "TC-PJ-002", "office", returned)]
    confirm = only(store, "grade_confirm")
    assert confirm["detail"] == {"evaluation": confirmed, "grade": result.grade, "standard": "manufacturing",
                                 "standard_version": 1, "proposal": proposal}
    assert only(store, "grade_return")["detail"]["note"] == "缺少用地预审意见"
    support = only(store, "support_decision")
    assert (support["target"], support["target_district"]) == ("TC-PJ-001", "liuhe")
    assert support["detail"] == {"decision": decision, "outcome": "approved", "support_wan": 800.0, "evaluation": confirmed,
                                 "note": "同意支持"}
    # the defaults written down as version 1 by the first grade are no change of the standards
    assert not entries(store, "standard_change") and store.rules("grading")[0] == 1
    assert not entries(store, "project_edit")  # the confirmed grade written into the project: the confirmation's entry


def test_standards_and_rules_changes(pipeline_store):
    store = pipeline_store
    version, document = ev.standards(store)
    edited = {**document, "standards": {**document["standards"]}}
    edited["standards"]["manufacturing"] = {**edited["standards"]["manufacturing"],
                                            "cutoffs": {**edited["standards"]["manufacturing"]["cutoffs"], "A+": 95}}
    with acting_as(ADMIN):
        saved = rulebook.save(store, "grading", edited, user="admin", edited_from=version, note="A+ 从 95 分起")
        reports_version, reports_rules = rulebook.current(store, "reports")
        rules_saved = rulebook.save(store, "reports", {**reports_rules, "stalled_days": 120}, user="admin",
                                    edited_from=reports_version)
    standard = only(store, "standard_change")
    assert (standard["target"], standard["actor"]) == ("grading", "admin")
    assert standard["detail"] == {"version": saved, "note": "A+ 从 95 分起"}
    rules = only(store, "rules_change")
    assert rules["target"] == "reports" and rules["detail"] == {"version": rules_saved}
    with pytest.raises(Conflict):  # over a newer version: refused, and nothing recorded
        rulebook.save(store, "reports", {**reports_rules, "stalled_days": 150}, user="admin", edited_from=reports_version)
    assert len(entries(store, "rules_change")) == 1


def test_inquiries_received_and_answered_and_header_mappings(store):
    upload = pipeline.read_upload(csv_bytes(plant_rows(1)), "a.csv", kind="plant", store=store, district="liuhe")
    pipeline.commit(upload, store, user="staff-liuhe")
    store.save("carrier", [{**store.record("carrier", "LH-P001"), "is_public": True}], user="staff-liuhe", source="form")
    with audit.acting(client="192.0.2.44", user_agent=BROWSER):  # an investor, not signed in
        inquiry = store.add_inquiry({"carrier_code": "LH-P001", "name": "Anna", "contact": "anna@example.com",
                                     "message": "Is it still free?", "lang": "en"})
    with acting_as(LIUHE):
        store.mark_answered(inquiry, "staff-liuhe")
        store.remember_header_mappings({"净高(米)": "clear_height_m"}, "staff-liuhe")
    received = only(store, "inquiry_receive")
    assert who(received) == (None, None, None, "192.0.2.44", BROWSER)
    assert (received["target"], received["target_district"], received["detail"]) == ("LH-P001", "liuhe",
                                                                                     {"inquiry": inquiry, "lang": "en"})
    answered = only(store, "inquiry_answer")
    assert (answered["actor"], answered["target_district"], answered["detail"]) == ("staff-liuhe", "liuhe", {"inquiry": inquiry})
    assert only(store, "header_mapping")["detail"] == {"headers": {"净高(米)": "clear_height_m"}}


@pytest.fixture
def command_line(store, monkeypatch):
    monkeypatch.setenv("HEATMAP_DATABASE_URL", store.url)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    auth.create_user(store, "staff-liuhe", "lantern over quiet harbour", "staff", "liuhe")
    auth.create_user(store, "admin", "lantern over quiet harbour", "admin")
    return store


def test_the_command_lines_import_rollback_and_new_account_say_cli_and_who_ran_them(command_line, tmp_path, capsys,
                                                                                   monkeypatch):
    store = command_line
    path = tmp_path / "浏河厂房.csv"
    path.write_bytes(csv_bytes(plant_rows(2)))
    assert cli.main(["import", str(path), "--kind", "plant", "--user", "staff-liuhe"]) == 0
    version = int(store.versions("carrier")["id"].max())
    assert cli.main(["rollback", str(version), "--user", "admin", "--note", "wrong file"]) == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("lantern over quiet harbour\n"))
    assert cli.main(["create-user", "staff-shaxi", "--role", "staff", "--district", "沙溪镇", "--password-stdin"]) == 0
    assert cli.main(["import", str(path), "--kind", "plant"]) == 0  # no account named: the operator
    capsys.readouterr()
    trail = entries(store)
    assert [(e["action"], e["actor"], e["role"], e["client"]) for e in trail] == [
        ("upload", "staff-liuhe", "staff", "cli"), ("upload_commit", "staff-liuhe", "staff", "cli"),
        ("rollback", "admin", "admin", "cli"), ("account_create", "cli", None, "cli"),
        ("upload", "cli", None, "cli"), ("upload_commit", "cli", None, "cli")]
    assert trail[0]["user_agent"].startswith("python -m heatmap import (") and "@" in trail[0]["user_agent"]
    assert trail[2]["user_agent"].startswith("python -m heatmap rollback (")
    assert (trail[3]["target"], trail[3]["target_district"], trail[3]["detail"]["role"]) == ("staff-shaxi", "shaxi", "staff")
    assert (trail[1]["target"], trail[1]["detail"]["added"]) == ("浏河厂房.csv", 2)
    assert audit.current() == audit.Context()  # the command's context ends with it
