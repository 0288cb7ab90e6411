"""The pipeline on the map (heatmap.pipeline.mapdata), on SQLite and PostGIS: a reporting period shows each
district's latest submitted snapshot, and for districts that did not report their pipeline as it stood at
the period's end; leaders see code-name views only; districts are coloured by a city-report figure."""
import datetime as dt

import pytest
from shapely.geometry import Point

from heatmap import bootstrap, sample
from heatmap.access import Role, Viewer
from heatmap.pipeline import mapdata, workflow
from heatmap.pipeline import projects as pj
from heatmap.pipeline import reports as rp

LEADER = Viewer("leader", Role.LEADER)
OFFICE = Viewer("office", Role.OFFICE)
STAFF = Viewer("staff-liuhe", Role.STAFF, "liuhe")
SEP_OCT = rp.period_from_key("2026-5")
DISTRICTS = ["liuhe", "port", "shaxi"]


def project(code, district, code_name, **overrides):
    return {
        "code": code, "name": f"{code} 精密机械项目", "investor": f"{code} 机械有限公司", "category": "manufacturing",
        "stage": "negotiating", "district": district, "investment_wan": 20000.0, "currency": "CNY",
        "code_name": code_name, "geometry": Point(121.2, 31.5), "reported_on": dt.date(2026, 3, 1),
    } | overrides


def at(day, hour=10):
    return dt.datetime.combine(day, dt.time(hour))


@pytest.fixture
def reported(store):
    """Three districts' pipeline in October; liuhe and port report Sep–Oct in November (liuhe corrects its
    report once), shaxi does not; then the pipeline moves on."""
    october = [project("A", "liuhe", "TC-2026-001"), project("B", "port", "TC-2026-002", stage="signed"),
               project("C", "shaxi", "TC-2026-003")]
    store.save("project", october, user="office", source="form", at=at(dt.date(2026, 10, 20)))
    frame = store.projects()
    workflow.submit(store, "liuhe", SEP_OCT, frame, user="staff-liuhe", at=at(dt.date(2026, 11, 5)))
    workflow.submit(store, "port", SEP_OCT, frame, user="staff-port", at=at(dt.date(2026, 11, 6)))
    corrected = frame.assign(investment_wan=frame["investment_wan"].where(frame["code"] != "A", 35000.0))
    workflow.submit(store, "liuhe", SEP_OCT, corrected, user="staff-liuhe", note="amount", at=at(dt.date(2026, 11, 7)))
    later = [project("A", "liuhe", "TC-2026-001", stage="signed", investment_wan=40000.0),
             project("C", "shaxi", "TC-2026-003", stage="signed"), project("D", "shaxi", "TC-2026-004")]
    store.save("project", later, user="office", source="form", at=at(dt.date(2026, 11, 20)))
    return store


def shown_for(store, period=SEP_OCT):
    return mapdata.period_projects(store, period, DISTRICTS, store.frame_at("project", mapdata.period_end(period)))


def test_a_period_shows_each_districts_latest_report_and_the_pipeline_at_its_end_for_the_others(reported):
    shown = shown_for(reported)
    assert shown.reported == ("liuhe", "port") and shown.not_reported == ("shaxi",)
    records = shown.projects.set_index("code")
    assert list(records.index) == ["A", "B", "C"]  # D came after the period: not in it
    assert records.loc["A", "investment_wan"] == 35000.0 and records.loc["A", "stage"] == "negotiating"  # the correction
    assert records.loc["B", "stage"] == "signed"
    assert records.loc["C", "stage"] == "negotiating"  # shaxi as it stood on 31 October, not as it is now
    assert (records["lon"] == 121.2).all() and (records["lat"] == 31.5).all()  # points for the map, as the store's frame has
    assert set(reported.projects().columns) <= set(shown.projects.columns) | {"id"}


def test_the_periods_offered_are_those_someone_reported_for_newest_first(reported):
    assert [p.key for p in mapdata.reported_periods(reported)] == ["2026-5"]
    workflow.submit(reported, "shaxi", SEP_OCT.shifted(-1), reported.projects(), user="staff-shaxi")
    assert [p.key for p in mapdata.reported_periods(reported)] == ["2026-5", "2026-4"]
    assert mapdata.reported_periods(reported)[0].label("en") == "Sep–Oct 2026"


def test_a_period_nobody_reported_for_shows_every_district_at_its_end(reported):
    shown = shown_for(reported, SEP_OCT.shifted(-1))  # Jul–Aug: nothing saved yet by then, nothing reported
    assert shown.reported == () and shown.not_reported == tuple(DISTRICTS) and shown.projects.empty


def test_the_data_version_grows_with_a_submitted_report(reported):
    before = reported.data_version()
    workflow.submit(reported, "shaxi", SEP_OCT, reported.projects(), user="staff-shaxi")
    assert reported.data_version() > before
    assert shown_for(reported).not_reported == ()


def test_the_data_version_grows_with_a_saved_rules_version(reported):
    before = reported.data_version()
    reported.save_rules("reports", {"due_days_after_end": 20}, user="admin", edited_from=None)
    assert reported.data_version() > before


def test_a_leader_sees_code_names_and_the_shared_fields_only(reported):
    frame = reported.projects()
    frame.loc[frame["code"] == "D", "code_name"] = None  # a project without a code name: no shared view of it
    leader = mapdata.as_shown(frame, LEADER)
    assert sorted(leader["code_name"]) == ["TC-2026-001", "TC-2026-002", "TC-2026-003"]
    assert not {"code", "name", "investor"} & set(leader.columns)
    assert set(leader.columns) <= set(pj.DEFAULT_RULES["shared_fields"])
    assert {"lon", "lat", "stage", "district", "investment_wan", "currency"} <= set(leader.columns)
    assert leader.geometry.notna().all()
    assert mapdata.as_shown(frame, OFFICE) is frame and mapdata.as_shown(frame, STAFF) is frame  # their own work: whole


def test_districts_are_coloured_by_a_figure_of_the_city_report(reported):
    frame = reported.projects()
    report = workflow.city_report(reported, SEP_OCT, frame, DISTRICTS, rp.DEFAULT_RULES)
    new = mapdata.district_figure(report, "n_new")
    assert new.to_dict() == {"liuhe": 1.0, "port": 1.0, "shaxi": 2.0}  # shaxi did not report: its pipeline now
    assert mapdata.district_figure(report, "amount_change_cny_wan").to_dict() == {"liuhe": 0.0, "port": 0.0, "shaxi": 0.0}
    with pytest.raises(ValueError):
        mapdata.district_figure(report, "name")


def test_the_sample_has_reported_its_last_two_periods_with_two_districts_late(store):
    data = bootstrap.load_sample(store, 200, 40, accounts=False)
    codes = [d["code"] for d in data.districts]
    assert [p.key for p in mapdata.reported_periods(store)] == ["2026-5", "2026-4"]
    latest = mapdata.reported_periods(store)[0]
    shown = mapdata.period_projects(store, latest, codes, store.frame_at("project", mapdata.period_end(latest)))
    assert shown.not_reported == sample.REPORT_NOT_SENT
    assert len(shown.projects) == len(store.frame_at("project", mapdata.period_end(latest)))  # nothing changed since
    status = rp.status(latest, workflow.submissions(store), codes, dt.date(2026, 12, 2)).set_index("district")["state"]
    assert set(status[status == "overdue"].index) == set(sample.REPORT_NOT_SENT)
    before = rp.status(latest.shifted(-1), workflow.submissions(store), codes, dt.date(2026, 12, 2)).set_index("district")["state"]
    assert set(before[before == "late"].index) == set(sample.REPORT_SENT_LATE) and set(before) == {"on_time", "late"}
