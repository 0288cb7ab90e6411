"""Online inquiries: stored on both backends, routed to the carrier's district, contact data for staff only."""
import datetime as dt

import pytest
from shapely.geometry import Point

from heatmap import access
from heatmap.access import PUBLIC, Role, Viewer
from heatmap.model import ValidationError


def site(code, district="liuhe", public=True):
    return {"code": code, "kind": "plant", "name": f"厂房 {code}", "district": district, "geometry": Point(121.26, 31.51),
            "area_m2": 5000.0, "vacant_m2": 5000.0, "status": "available", "is_public": public}


ASK = {"carrier_code": "P1", "name": "Anna Weber", "company": "Rhein Antriebstechnik GmbH", "contact": "anna@example.com",
       "message": "<b>Is the crane 10 t?</b>", "lang": "en"}


def test_an_inquiry_goes_to_the_carriers_district(store):
    store.save("carrier", [site("P1"), site("P2", "port")], user="u", source="cli")
    first = store.add_inquiry(ASK, at=dt.datetime(2026, 11, 1, 9))
    store.add_inquiry(ASK | {"carrier_code": "P2", "message": "Rent?"}, at=dt.datetime(2026, 11, 2, 9))
    liuhe = store.inquiries("liuhe")
    assert list(liuhe["id"]) == [first]
    row = liuhe.iloc[0]
    assert (row["district"], row["status"], row["message"]) == ("liuhe", "open", "<b>Is the crane 10 t?</b>")  # kept as written
    store.mark_answered(first, "staff-liuhe")
    row = store.inquiries("liuhe").iloc[0]
    assert row["status"] == "answered" and row["answered_by"] == "staff-liuhe" and row["answered_at"] is not None
    assert list(store.inquiries()["carrier_code"]) == ["P2", "P1"]  # newest first


@pytest.mark.parametrize("change, field, key", [
    ({"name": "  "}, "name", "required"),
    ({"contact": ""}, "contact", "required"),
    ({"message": "x" * 2001}, "message", "too_long"),
    ({"carrier_code": "NOPE"}, "carrier_code", "unknown_carrier"),
    ({"carrier_code": "HIDDEN"}, "carrier_code", "unknown_carrier"),  # not public: the public cannot ask about it
])
def test_bad_inquiries_are_refused(store, change, field, key):
    store.save("carrier", [site("P1"), site("HIDDEN", public=False)], user="u", source="cli")
    with pytest.raises(ValidationError) as caught:
        store.add_inquiry(ASK | change)
    assert [(p.field, p.key) for p in caught.value.problems] == [(field, key)]
    assert store.inquiries().empty


def test_only_the_districts_staff_read_inquiries(sqlite_store):
    sqlite_store.save("carrier", [site("P1"), site("P2", "port")], user="u", source="cli")
    sqlite_store.add_inquiry(ASK)
    sqlite_store.add_inquiry(ASK | {"carrier_code": "P2"})
    everything = sqlite_store.inquiries()
    assert access.visible_inquiries(PUBLIC, everything).empty
    assert access.visible_inquiries(Viewer("leader", Role.LEADER), everything).empty  # contact data: staff only
    assert list(access.visible_inquiries(Viewer("s", Role.STAFF, "liuhe"), everything)["district"]) == ["liuhe"]
    assert len(access.visible_inquiries(Viewer("a", Role.ADMIN), everything)) == 2
