"""The office's one window, on both stores: a pair of two districts' records of one project is in the queue;
deciding "the same project" keeps the hosting district's record, credits the other district as first contact,
retires the other record (history keeps it) and never raises the pair again; "different" changes nothing but
is remembered; only the office (and administrators) may decide; a district is told only that a match exists."""
import datetime as dt

import pytest
from shapely.geometry import Point

from heatmap.access import Role, Viewer
from heatmap.model import ValidationError
from heatmap.pipeline import intake, office

OFFICE = Viewer("office", Role.OFFICE)
STAFF_PORT = Viewer("staff-port", Role.STAFF, "port")


def project(code, district, **overrides):
    return {"code": code, "name": "华能新材料生产基地项目", "investor": "太仓市华能新材料科技有限公司", "category": "manufacturing",
            "sector": "new_materials", "stage": "negotiating", "district": district, "investment_wan": 50000.0,
            "currency": "CNY", "credit_code": None, "geometry": Point(121.2, 31.55)} | overrides


@pytest.fixture
def two_districts(store):
    store.save("project", [project("LH-1", "liuhe", reported_on=dt.date(2026, 3, 1))], user="staff-liuhe", source="form")
    store.save("project", [project("PT-1", "port", investor="华能新材料科技（太仓）有限公司",
                                   reported_on=dt.date(2026, 5, 1))], user="staff-port", source="form")
    store.save("project", [project("SX-9", "shaxi", name="精密轴承项目", investor="舍弗勒（中国）有限公司")],
               user="staff-shaxi", source="form")
    return store


def test_the_district_is_told_only_that_a_match_exists(two_districts):
    notice = intake.duplicate_notice(two_districts, two_districts.record("project", "PT-1"))
    assert notice.matches_elsewhere == 1 and notice.own_matches == ()
    assert "LH-1" not in repr(notice) and "liuhe" not in repr(notice)


def test_the_same_project_keeps_the_hosts_record_and_credits_first_contact(two_districts):
    store = two_districts
    pairs = office.queue(store, store.projects())
    assert [p.codes for p in pairs] == [("LH-1", "PT-1")]
    effect = office.decide(store, OFFICE, pairs[0], store.projects(), "same", "port", "投资方确认落户港区")
    assert effect.keep == "PT-1" and effect.retire == "LH-1"
    kept = store.record("project", "PT-1")
    assert kept["district"] == "port" and kept["origin_district"] == "liuhe"  # 浏河 keeps its first contact
    assert kept["reported_on"] == dt.date(2026, 3, 1)  # the earlier registration wins
    assert store.record("project", "LH-1") is None and "LH-1" in store.state_at("project", version_id=1)
    assert office.queue(store, store.projects()) == []
    assert store.duplicate_decisions()["outcome"].tolist() == ["same"]


def test_different_projects_change_nothing_and_are_not_raised_again(two_districts):
    store = two_districts
    pair = office.queue(store, store.projects())[0]
    office.decide(store, OFFICE, pair, store.projects(), "different", None)
    assert store.record("project", "LH-1") is not None and store.record("project", "PT-1") is not None
    assert office.queue(store, store.projects()) == []
    assert intake.duplicate_notice(store, store.record("project", "PT-1")).matches_elsewhere == 0


def test_only_the_office_decides(two_districts):
    store = two_districts
    pair = office.queue(store, store.projects())[0]
    with pytest.raises(ValidationError):
        office.decide(store, STAFF_PORT, pair, store.projects(), "same", "port")
    assert store.duplicate_decisions().empty
