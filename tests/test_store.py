"""The store, on SQLite and on PostgreSQL/PostGIS alike: versions, history, rollback, all-or-nothing."""
import datetime as dt

import pytest
import sqlalchemy as sa
from shapely.geometry import Point, Polygon

import shapely
import shapely.affinity

from heatmap.model import ValidationError
from heatmap.store import changes_table

T0 = dt.datetime(2026, 5, 1, 9, 0)
PARCEL = Polygon([(121.20, 31.60), (121.203, 31.60), (121.203, 31.602), (121.20, 31.602)])


def plant(code="TC-P-1", **overrides):
    return {
        "code": code, "kind": "plant", "name": f"厂房 {code}", "name_en": f"Plant {code}", "district": "port",
        "geometry": Point(121.21, 31.60), "area_m2": 5000.0, "leasable_m2": 4800.0, "vacant_m2": 1200.0,
        "status": "partial", "rent_cny_m2_month": 28.0, "floors": 1, "industries": ["auto_parts", "aerospace"],
        "verified_on": dt.date(2026, 4, 20), "is_public": True,
    } | overrides


def land(code="TC-L-1", **overrides):
    return {
        "code": code, "kind": "land", "name": "地块", "district": "hitech", "geometry": PARCEL, "area_m2": 20000.0,
        "vacant_m2": 20000.0, "status": "available", "land_price_wan_mu": 50.0,
    } | overrides


def test_save_adds_records_as_one_version_with_who_and_what(store):
    version, diff = store.save("carrier", [plant(), land()], user="staff-port", source="upload",
                               file_name="载体.xlsx", file_bytes=b"file", note="first", at=T0)
    assert diff.counts == {"add": 2, "change": 0, "remove": 0, "same": 0}
    v = store.version(version)
    assert (v["created_by"], v["source"], v["file_name"], v["note"], v["n_added"]) == ("staff-port", "upload", "载体.xlsx", "first", 2)
    assert len(v["file_hash"]) == 64
    frame = store.carriers()
    assert list(frame["code"]) == ["TC-L-1", "TC-P-1"]
    row = frame.set_index("code").loc["TC-P-1"]
    assert row["updated_by"] == "staff-port" and row["version_id"] == version
    assert tuple(row["industries"]) == ("aerospace", "auto_parts")
    assert row["geometry"].equals(Point(121.21, 31.60))
    assert frame.crs.to_epsg() == 4326


def test_geometry_round_trip_keeps_polygons_exact(store):
    store.save("carrier", [land()], user="u", source="cli")
    stored = store.record("carrier", "TC-L-1")
    assert stored["geometry"].equals_exact(PARCEL, 1e-12)
    assert stored["verified_on"] is None
    assert stored["is_public"] is True  # the documented default


def test_an_invalid_record_writes_nothing_at_all(store):
    store.save("carrier", [plant()], user="u", source="cli")
    before_versions = len(store.versions())
    bad = plant("TC-P-2", vacant_m2=99999.0)
    with pytest.raises(ValidationError) as caught:
        store.save("carrier", [plant(vacant_m2=100.0), land(), bad], user="u", source="upload")
    assert [(p.record, p.field, p.key) for p in caught.value.problems] == [("TC-P-2", "vacant_m2", "vacant_over_area")]
    assert store.count("carrier") == 1
    assert store.record("carrier", "TC-P-1")["vacant_m2"] == 1200.0
    assert len(store.versions()) == before_versions


def test_duplicate_codes_in_one_batch_are_refused(store):
    with pytest.raises(ValidationError) as caught:
        store.save("carrier", [plant(), plant(name="again")], user="u", source="upload")
    assert [(p.record, p.key) for p in caught.value.problems] == [("TC-P-1", "duplicate_code")]
    assert store.count("carrier") == 0


def test_changes_are_kept_field_by_field_and_unchanged_saves_make_no_version(store):
    store.save("carrier", [plant(), land()], user="a", source="upload", at=T0)
    v2, diff = store.save("carrier", [plant(vacant_m2=0.0, status="occupied"), land()], user="b", source="upload",
                          at=T0 + dt.timedelta(days=60))
    assert diff.counts == {"add": 0, "change": 1, "remove": 0, "same": 1}
    (change,) = store.version_changes(v2)
    assert change.op == "change" and set(change.fields) == {"vacant_m2", "status"}
    assert change.before == {"vacant_m2": 1200.0, "status": "partial"}
    assert change.after == {"vacant_m2": 0.0, "status": "occupied"}
    again, diff = store.save("carrier", [plant(vacant_m2=0.0, status="occupied")], user="b", source="upload")
    assert again is None and diff.is_empty


def test_replace_my_district_removes_what_the_file_no_longer_lists(store):
    store.save("carrier", [plant("TC-P-1"), plant("TC-P-2"), land()], user="a", source="upload")
    diff = store.diff("carrier", [plant("TC-P-1")], remove_missing_in_district="port")
    assert diff.counts == {"add": 0, "change": 0, "remove": 1, "same": 1}
    version, _ = store.save("carrier", [plant("TC-P-1")], user="a", source="upload", remove_missing_in_district="port")
    assert sorted(store.carriers()["code"]) == ["TC-L-1", "TC-P-1"]  # the other district's land stays
    assert [c.op for c in store.version_changes(version)] == ["remove"]


def test_earlier_states_can_be_shown(store):
    v1, _ = store.save("carrier", [plant(), land()], user="a", source="upload", at=T0)
    v2, _ = store.save("carrier", [plant(vacant_m2=0.0, status="occupied")], user="a", source="upload", at=T0 + dt.timedelta(days=1))
    v3, _ = store.save("carrier", [], user="a", source="upload", remove_codes=["TC-L-1"], at=T0 + dt.timedelta(days=2))
    assert store.state_at("carrier", version_id=v1)["TC-P-1"]["vacant_m2"] == 1200.0
    assert store.state_at("carrier", version_id=v2)["TC-P-1"]["vacant_m2"] == 0.0
    assert set(store.state_at("carrier", version_id=v2)) == {"TC-P-1", "TC-L-1"}
    assert set(store.state_at("carrier", version_id=v3)) == {"TC-P-1"}
    at_first_day = store.state_at("carrier", at=T0 + dt.timedelta(hours=12))
    assert at_first_day["TC-L-1"]["geometry"].equals_exact(PARCEL, 1e-12)
    assert at_first_day["TC-P-1"]["vacant_m2"] == 1200.0


def test_rollback_is_itself_a_new_version(store):
    v1, _ = store.save("carrier", [plant(), land()], user="a", source="upload", at=T0)
    v2, _ = store.save("carrier", [plant(vacant_m2=0.0, status="occupied"), plant("TC-P-9")], user="a",
                       source="upload", remove_codes=["TC-L-1"], at=T0 + dt.timedelta(days=1))
    v3 = store.rollback(v2, user="admin", note="wrong file")
    assert v3 > v2
    assert store.version(v3)["reverts_version_id"] == v2 and store.version(v3)["source"] == "rollback"
    current = store.carriers().set_index("code")
    assert sorted(current.index) == ["TC-L-1", "TC-P-1"]
    assert current.loc["TC-P-1", "vacant_m2"] == 1200.0 and current.loc["TC-P-1", "status"] == "partial"
    assert current.loc["TC-L-1", "geometry"].equals_exact(PARCEL, 1e-12)
    assert len(store.versions("carrier")) == 3  # nothing was erased from history


def test_rollback_refuses_when_a_later_version_touched_the_records(store):
    store.save("carrier", [plant()], user="a", source="upload", at=T0)
    v2, _ = store.save("carrier", [plant(vacant_m2=0.0, status="occupied")], user="a", source="upload")
    v3, _ = store.save("carrier", [plant(vacant_m2=10.0, status="partial")], user="a", source="upload")
    with pytest.raises(ValidationError) as caught:
        store.rollback(v2, user="admin")
    assert caught.value.problems[0].key == "changed_later" and caught.value.problems[0].params["version"] == v3
    assert store.record("carrier", "TC-P-1")["vacant_m2"] == 10.0


def test_projects_are_versioned_too(store):
    project = {"code": "TC-PJ-1", "name": "项目", "category": "manufacturing", "stage": "negotiating", "district": "port",
               "investment_wan": 3000.0, "currency": "USD", "geometry": Point(121.2, 31.6)}
    v1, _ = store.save("project", [project], user="staff-port", source="form")
    v2, _ = store.save("project", [project | {"stage": "signed", "grade": "A"}], user="staff-port", source="form")
    stored = store.record("project", "TC-PJ-1")
    assert stored["stage"] == "signed" and stored["is_confidential"] is True
    assert store.state_at("project", version_id=v1)["TC-PJ-1"]["stage"] == "negotiating"
    assert store.projects().iloc[0]["currency"] == "USD"


def test_bounding_box_queries(store):
    store.save("carrier", [plant("A", geometry=Point(121.21, 31.60)), plant("B", geometry=Point(121.05, 31.52)), land()],
               user="u", source="cli")
    inside = store.carriers(bbox=(121.19, 31.59, 121.22, 31.61))
    assert sorted(inside["code"]) == ["A", "TC-L-1"]


def test_public_only(store):
    store.save("carrier", [plant("A"), plant("B", is_public=False)], user="u", source="cli")
    assert list(store.carriers(public_only=True)["code"]) == ["A"]


def test_users_and_meta(store):
    store.add_user("leader", "hash", "leader", None, "市领导")
    assert store.user("leader")["display_name"] == "市领导"
    assert store.user("nobody") is None
    store.set_meta("dataset", "sample")
    assert store.get_meta("dataset") == "sample"
    store.set_meta("dataset", None)
    assert store.get_meta("dataset", "none") == "none"


def test_postgis_has_geometry_columns_with_spatial_indexes(postgis_url):
    from heatmap.store import Store

    store = Store(postgis_url)
    store.create_schema()
    with store.engine.connect() as conn:
        kinds = dict(conn.execute(sa.text(
            "SELECT f_table_name, type FROM geometry_columns WHERE f_table_name IN ('carriers', 'projects') AND f_geometry_column='geometry'"
        )).all())
        indexes = set(conn.execute(sa.text(
            "SELECT indexname FROM pg_indexes WHERE indexdef ILIKE '%USING gist%' AND tablename IN ('carriers', 'projects')"
        )).scalars())
    assert kinds == {"carriers": "GEOMETRY", "projects": "GEOMETRY"}
    assert {"ix_carriers_geometry", "ix_projects_geometry"} <= indexes


def test_postgis_answers_spatial_sql_on_stored_geometries(postgis_url):
    from heatmap import sample
    from heatmap.store import Store

    store = Store(postgis_url)
    store.drop_schema()
    store.create_schema()
    store.save_districts(sample.district_records())
    store.save("carrier", [land()], user="u", source="cli")
    with store.engine.connect() as conn:
        srid, area = conn.execute(sa.text(
            "SELECT ST_SRID(geometry), ST_Area(geometry::geography) FROM carriers WHERE code='TC-L-1'"
        )).one()
    assert srid == 4326
    assert area == pytest.approx(285.6 * 222.1, rel=0.02)  # the parcel is about 286 m × 222 m


def test_states_at_several_moments_in_one_pass(store):
    store.save("carrier", [plant(), land()], user="a", source="upload", at=T0)
    store.save("carrier", [plant(vacant_m2=0.0, status="occupied")], user="a", source="upload", at=T0 + dt.timedelta(days=10))
    store.save("carrier", [], user="a", source="upload", remove_codes=["TC-L-1"], at=T0 + dt.timedelta(days=20))
    moments = [T0 - dt.timedelta(days=1), T0, T0 + dt.timedelta(days=15), T0 + dt.timedelta(days=30)]
    before, first, middle, last = store.states_at("carrier", moments, fields=["vacant_m2", "district"])
    assert before == {}
    assert first["TC-P-1"] == {"vacant_m2": 1200.0, "district": "port"}  # a change at the moment itself counts
    assert middle["TC-P-1"]["vacant_m2"] == 0.0 and "TC-L-1" in middle
    assert set(last) == {"TC-P-1"}
    assert first["TC-P-1"]["vacant_m2"] == 1200.0  # snapshots are copies, not the live state


def test_bulk_writes_keep_every_value_exact(store):
    """Adds go through the driver's bulk path (executemany on SQLite, COPY on PostgreSQL): awkward text,
    empty values, dates, lists and both geometry kinds come back exactly, and history holds them too."""
    awkward = "Tab\there, new\nline, back\\slash \\N, 'quote' \"double\", 逗号，, <b>&amp;</b>"
    records = [
        plant("TC-P-1", name=awkward, address="\\", name_en=None, verified_on=None, industries=[]),
        land("TC-L-1", verified_on=dt.date(2026, 1, 31), is_public=False, industries=["biomedicine"]),
    ]
    version, _ = store.save("carrier", records, user="u", source="cli", at=T0)
    stored = store.record("carrier", "TC-P-1")
    assert (stored["name"], stored["address"], stored["name_en"], stored["verified_on"]) == (awkward, "\\", None, None)
    assert stored["industries"] is None and stored["geometry"].equals(Point(121.21, 31.60))  # an empty list is "none given"
    parcel = store.record("carrier", "TC-L-1")
    assert parcel["verified_on"] == dt.date(2026, 1, 31) and parcel["is_public"] is False
    assert parcel["industries"] == ("biomedicine",) and parcel["geometry"].equals_exact(PARCEL, 1e-12)
    added = {c.code: c.after for c in store.version_changes(version)}
    assert added["TC-P-1"]["name"] == awkward and added["TC-L-1"]["geometry"].equals_exact(PARCEL, 1e-12)
    assert store.carriers().set_index("code").loc["TC-P-1", "updated_at"] == T0


def test_history_keeps_each_geometry_once_and_still_shows_and_undoes_a_change_of_it(store):
    big = shapely.Point(121.27, 31.52).buffer(0.005, quad_segs=2000)  # a parcel of 8,000 vertices
    moved = shapely.affinity.translate(big, 0.001, 0.0)
    record = {**plant("TC-P-G"), "geometry": big}
    v1, _ = store.save("carrier", [record], user="a", source="upload")
    v2, _ = store.save("carrier", [{**record, "geometry": moved}], user="a", source="upload")
    with store.engine.connect() as conn:
        sizes = dict(conn.execute(sa.select(changes_table.c.version_id,
                                            sa.func.length(changes_table.c.before) + sa.func.coalesce(
                                                sa.func.length(changes_table.c.after), 0))).all())
    one_geometry = len(shapely.to_wkb(big, hex=True))
    assert sizes[v2] < 1.2 * one_geometry  # the new geometry, not the old one again
    change = store.version_changes(v2)[0]
    assert change.fields == ("geometry",) and shapely.equals_exact(change.before["geometry"], big, 1e-12)
    store.rollback(v2, user="a")
    assert shapely.equals_exact(store.record("carrier", "TC-P-G")["geometry"], big, 1e-12)
    v4, _ = store.save("carrier", [], user="a", source="upload", remove_codes=["TC-P-G"])
    removed = store.version_changes(v4)[0]
    assert removed.op == "remove" and shapely.equals_exact(removed.before["geometry"], big, 1e-12)
    store.rollback(v4, user="a")  # a removal undone brings the geometry back from history
    assert shapely.equals_exact(store.record("carrier", "TC-P-G")["geometry"], big, 1e-12)


def test_two_processes_starting_on_a_new_database_both_set_their_meta(store):
    """`initialized` (and any meta) set by two writers at once: the last value stands, neither fails."""
    import threading

    errors = []

    def start(value):
        try:
            for _ in range(20):
                store.set_meta("initialized", value)
        except Exception as error:  # noqa: BLE001 - the test collects what each writer got
            errors.append(error)

    threads = [threading.Thread(target=start, args=(v,)) for v in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and store.get_meta("initialized") in ("a", "b")
    store.set_meta("initialized", None)
    assert store.get_meta("initialized") is None
