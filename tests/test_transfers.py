"""拟流转 on SQLite and PostGIS: a district's staff propose one of their projects for another district or for the
office to coordinate, with a reason from the rules, on any day; the proposal is recorded (who, when) and
listed — for the receiving district and leaders by code name and needs only, never the other district's
real name, investor or code; two colleagues proposing at once cannot both be recorded."""
import pytest
from shapely.geometry import Point

from heatmap.access import PUBLIC, Role, Viewer
from heatmap.pipeline import transfers
from heatmap.store import Conflict

LIUHE = Viewer("staff-liuhe", Role.STAFF, "liuhe", "浏河")
SHAXI = Viewer("staff-shaxi", Role.STAFF, "shaxi", "沙溪")
PORT = Viewer("staff-port", Role.STAFF, "port", "港区")
OFFICE = Viewer("office", Role.OFFICE, None, "招商局")
LEADER = Viewer("leader", Role.LEADER, None, "市领导")
NAMES = {"liuhe": "浏河镇", "shaxi": "沙溪镇", "port": "太仓港经济技术开发区"}


def project(code, district="liuhe", **overrides):
    return {
        "code": code, "name": "舍弗勒精密轴承扩产项目", "investor": "舍弗勒（中国）有限公司", "category": "manufacturing",
        "sector": "precision_machinery", "stage": "negotiating", "district": district, "investment_wan": 50000.0,
        "currency": "CNY", "code_name": f"TC-2026-{code[-3:]}", "space_kind": "land", "land_needed_mu": 80.0,
        "geometry": Point(121.27, 31.52),
    } | overrides


@pytest.fixture
def pipeline(store):
    store.save("project", [project("TC-PJ-001"), project("TC-PJ-002", stage="production"),
                           project("TC-PJ-003", district="shaxi")], user="sample", source="form")
    return store


def propose(store, viewer, code, to, reason="no_land", note=""):
    seen = transfers.latest_ids(store.transfer_proposals()).get(code)
    return transfers.propose(store, viewer, code, to, reason, note, seen_latest=seen)


def test_staff_propose_a_project_for_another_district_and_it_is_recorded_with_who_and_when(pipeline):
    propose(pipeline, LIUHE, "TC-PJ-001", "shaxi", "wrong_industry")
    rows = pipeline.transfer_proposals()
    assert rows[["project_code", "from_district", "to_district", "reason", "proposed_by"]].values.tolist() == [
        ["TC-PJ-001", "liuhe", "shaxi", "wrong_industry", "staff-liuhe"]]
    assert rows["proposed_at"].notna().all()


def test_no_target_means_the_office_coordinates(pipeline):
    propose(pipeline, LIUHE, "TC-PJ-001", None, "other", note="投资方希望靠近港口")
    table = transfers.table(OFFICE, pipeline.transfer_proposals(), pipeline.projects(), "zh", NAMES)
    assert table["拟流转至"].tolist() == ["由招商局统筹协调"] and table["理由"].tolist() == ["其他"]
    assert table["说明"].tolist() == ["投资方希望靠近港口"]
    en = transfers.table(OFFICE, pipeline.transfer_proposals(), pipeline.projects(), "en", NAMES)
    assert en["Proposed for"].tolist() == ["Investment office to coordinate"]


@pytest.mark.parametrize("viewer, code, to, reason, note, key", [
    (LIUHE, "TC-PJ-002", "shaxi", "no_land", "", "transfers.problem.stage"),  # in production: it has landed
    (LIUHE, "TC-PJ-001", "liuhe", "no_land", "", "transfers.problem.same_district"),
    (LIUHE, "TC-PJ-001", "mars", "no_land", "", "transfers.problem.unknown_district"),
    (LIUHE, "TC-PJ-001", "shaxi", "too_far", "", "transfers.problem.reason"),
    (LIUHE, "TC-PJ-001", "shaxi", "other", "  ", "transfers.problem.note_needed"),
    (LIUHE, "TC-PJ-001", "shaxi", "no_land", "很" * 501, "transfers.problem.note_too_long"),
    (SHAXI, "TC-PJ-001", "port", "no_land", "", "transfers.problem.not_yours"),
    (OFFICE, "TC-PJ-001", "port", "no_land", "", "transfers.problem.not_yours"),
    (LIUHE, "NOPE", "port", "no_land", "", "transfers.problem.no_project"),
])
def test_a_proposal_that_does_not_fit_is_refused_with_a_reason_in_both_languages(pipeline, viewer, code, to, reason, note, key):
    with pytest.raises(transfers.TransferError) as refused:
        propose(pipeline, viewer, code, to, reason, note)
    assert key in [r.key for r in refused.value.reasons]
    zh = transfers.problems_text(refused.value.reasons, "zh", pipeline.districts())
    en = transfers.problems_text(refused.value.reasons, "en", pipeline.districts())
    assert all(text and "{" not in text for text in zh + en)
    assert not any(word in " ".join(en) for word in ("“production”", "“negotiating”", "“other”"))
    assert pipeline.transfer_proposals().empty


def test_a_project_is_proposed_once_and_two_colleagues_at_once_cannot_both_be_recorded(pipeline):
    seen = transfers.latest_ids(pipeline.transfer_proposals()).get("TC-PJ-001")  # both look at the page
    transfers.propose(pipeline, LIUHE, "TC-PJ-001", "shaxi", "no_land", seen_latest=seen)
    with pytest.raises(Conflict) as late:
        transfers.propose(pipeline, LIUHE, "TC-PJ-001", "port", "no_space", seen_latest=seen)
    assert late.value.problems[0].key == "transfer_proposed_meanwhile"
    with pytest.raises(Conflict):  # the store itself checks what the writer saw
        pipeline.propose_transfer("TC-PJ-001", "liuhe", "port", "no_space", user="x", seen_latest=None)
    with pytest.raises(transfers.TransferError) as again:  # read again: proposed already, awaiting the office
        propose(pipeline, LIUHE, "TC-PJ-001", "port", "no_space")
    assert again.value.reasons[0].key == "transfers.problem.already_proposed"
    assert "沙溪镇" in transfers.problems_text(again.value.reasons, "zh", pipeline.districts())[0]
    assert len(pipeline.transfer_proposals()) == 1


def test_the_receiving_district_and_leaders_see_the_code_name_and_needs_not_the_record(pipeline):
    propose(pipeline, LIUHE, "TC-PJ-001", "shaxi", "no_land")
    propose(pipeline, SHAXI, "TC-PJ-003", None, "investor_wish")
    proposals, projects = pipeline.transfer_proposals(), pipeline.projects()
    own = transfers.table(LIUHE, proposals, projects, "zh", NAMES)
    assert own["项目"].tolist() == ["TC-PJ-001 · 舍弗勒精密轴承扩产项目"]  # liuhe's own, in full; not shaxi's to the office
    receiving = transfers.table(SHAXI, proposals, projects, "zh", NAMES)
    assert receiving["项目"].tolist() == ["TC-PJ-003 · 舍弗勒精密轴承扩产项目", "TC-2026-001"]  # newest first
    to_shaxi = receiving[receiving["上报区镇"] == "浏河镇"].iloc[0]
    assert to_shaxi["项目"] == "TC-2026-001" and "TC-PJ-001" not in to_shaxi.to_string() and "舍弗勒" not in to_shaxi.to_string()
    assert "80.0 亩" in to_shaxi["项目需求"] and "5.00 亿元" in to_shaxi["项目需求"] and "产业用地" in to_shaxi["项目需求"]
    assert transfers.table(PORT, proposals, projects, "zh", NAMES).empty  # neither from nor to the port
    leader = transfers.table(LEADER, proposals, projects, "en", NAMES)
    assert sorted(leader["Project"]) == ["TC-2026-001", "TC-2026-003"]
    assert "舍弗勒" not in leader.to_csv() and "TC-PJ" not in leader.to_csv()
    office = transfers.table(OFFICE, proposals, projects, "en", NAMES)
    assert "TC-PJ-001 · 舍弗勒精密轴承扩产项目" in office["Project"].tolist()
    assert not office.isna().any().any() and "None" not in office.to_csv() and "nan" not in office.to_csv()
    assert transfers.table(PUBLIC, proposals, projects, "zh", NAMES).empty


def test_only_a_districts_staff_propose_and_only_projects_still_looking_for_a_place(pipeline):
    projects = pipeline.projects()
    assert transfers.proposable(LIUHE, projects)["code"].tolist() == ["TC-PJ-001"]
    assert transfers.proposable(OFFICE, projects).empty and transfers.proposable(LEADER, projects).empty


def test_the_rules_are_versioned_data_and_checked(pipeline):
    assert transfers.validate_rules(transfers.DEFAULT_RULES) == []
    assert transfers.rules(pipeline) == transfers.DEFAULT_RULES
    own = {**transfers.DEFAULT_RULES, "reasons": ["no_land", "policy_change"],
           "reason_labels": {"policy_change": ["政策调整", "Policy change"]}, "reasons_needing_note": []}
    assert transfers.validate_rules(own) == []
    pipeline.save_rules("transfers", own, user="admin", edited_from=None)
    rules = transfers.rules(pipeline)
    assert transfers.reason_label("policy_change", "en", rules) == "Policy change"
    propose_ok = transfers.propose(pipeline, LIUHE, "TC-PJ-001", "port", "policy_change", seen_latest=None)
    assert propose_ok and pipeline.transfer_proposals()["reason"].tolist() == ["policy_change"]
    assert transfers.validate_rules({**own, "reason_labels": {}})  # a reason without a name
    assert transfers.validate_rules({**own, "reasons_needing_note": ["gone"]})
    assert transfers.validate_rules({**own, "stages": ["somewhere"]})
    assert transfers.validate_rules({"reasons": ["x"]})
