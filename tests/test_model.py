"""The rules a valid carrier or project obeys (heatmap.model)."""
import datetime as dt

import pytest
from shapely.geometry import LineString, Point, Polygon

from heatmap import model
from heatmap.model import validate_carrier, validate_project

DISTRICTS = {"port", "hitech", "liuhe"}
TODAY = dt.date(2026, 11, 1)
PARCEL = Polygon([(121.20, 31.60), (121.203, 31.60), (121.203, 31.602), (121.20, 31.602)])


def plant(**overrides):
    rec = {
        "code": "TC-P-1", "kind": "plant", "name": "一号厂房", "district": "port",
        "geometry": Point(121.21, 31.60), "area_m2": 5000.0, "leasable_m2": 4800.0, "vacant_m2": 1200.0,
        "status": "partial", "rent_cny_m2_month": 28.0, "clear_height_m": 9.0, "floors": 1,
        "industries": ["auto_parts"], "verified_on": dt.date(2026, 10, 1),
    }
    return rec | overrides


def land(**overrides):
    rec = {
        "code": "TC-L-1", "kind": "land", "name": "一号地块", "district": "port", "geometry": PARCEL,
        "area_m2": 20000.0, "vacant_m2": 20000.0, "status": "available", "land_price_wan_mu": 50.0, "plot_ratio": 1.5,
    }
    return rec | overrides


def keys(problems):
    return [(p.field, p.key) for p in problems]


def test_valid_records_have_no_problems():
    assert validate_carrier(plant(), districts=DISTRICTS, today=TODAY) == []
    assert validate_carrier(land(), districts=DISTRICTS, today=TODAY) == []


def test_vacant_area_never_exceeds_the_area():
    problems = validate_carrier(plant(vacant_m2=6000.0, leasable_m2=None), districts=DISTRICTS, today=TODAY)
    assert keys(problems) == [("vacant_m2", "vacant_over_area")]
    assert problems[0].record == "TC-P-1"
    assert problems[0].params == {"vacant": 6000.0, "area": 5000.0}


def test_vacant_area_never_exceeds_the_leasable_area():
    problems = validate_carrier(plant(vacant_m2=4900.0), districts=DISTRICTS, today=TODAY)
    assert keys(problems) == [("vacant_m2", "vacant_over_leasable")]


def test_leasable_area_never_exceeds_the_area():
    assert keys(validate_carrier(plant(leasable_m2=5001.0, vacant_m2=0.0), districts=DISTRICTS, today=TODAY)) == [
        ("leasable_m2", "leasable_over_area")
    ]


@pytest.mark.parametrize("field", ["area_m2", "vacant_m2", "rent_cny_m2_month", "crane_t"])
def test_areas_and_prices_are_not_negative(field):
    problems = validate_carrier(plant(**{field: -1.0}), districts=DISTRICTS, today=TODAY)
    assert (field, "negative") in keys(problems)


def test_text_in_a_numeric_field_is_an_error_not_a_guess():
    assert keys(validate_carrier(plant(area_m2="5000㎡"), districts=DISTRICTS, today=TODAY)) == [("area_m2", "not_a_number")]


def test_required_fields():
    problems = validate_carrier(plant(name="", district=None, geometry=None), districts=DISTRICTS, today=TODAY)
    assert set(keys(problems)) == {("name", "required"), ("district", "required"), ("geometry", "required")}


def test_districts_are_data_not_a_fixed_list():
    assert keys(validate_carrier(plant(district="atlantis"), districts=DISTRICTS, today=TODAY)) == [
        ("district", "unknown_district")
    ]
    assert validate_carrier(plant(district="atlantis"), districts=DISTRICTS | {"atlantis"}, today=TODAY) == []


def test_geometry_must_lie_in_or_near_taicang():
    shanghai_centre = Point(121.47, 31.23)
    problems = validate_carrier(plant(geometry=shanghai_centre), districts=DISTRICTS, today=TODAY)
    assert keys(problems) == [("geometry", "outside_taicang")]
    swapped = Point(31.60, 121.21)  # latitude and longitude swapped
    assert keys(validate_carrier(plant(geometry=swapped), districts=DISTRICTS, today=TODAY)) == [("geometry", "outside_taicang")]
    just_outside_the_outline = Point(121.38, 31.55)  # within ~2 km of the outline
    assert validate_carrier(plant(geometry=just_outside_the_outline), districts=DISTRICTS, today=TODAY) == []


def test_invalid_and_empty_geometries_are_refused():
    bow_tie = Polygon([(121.20, 31.60), (121.21, 31.61), (121.21, 31.60), (121.20, 31.61)])
    assert keys(validate_carrier(land(geometry=bow_tie), districts=DISTRICTS, today=TODAY)) == [("geometry", "invalid_geometry")]
    assert keys(validate_carrier(land(geometry=Polygon()), districts=DISTRICTS, today=TODAY)) == [("geometry", "empty_geometry")]


def test_land_needs_a_polygon_and_buildings_a_point_or_polygon():
    assert keys(validate_carrier(land(geometry=Point(121.2, 31.6)), districts=DISTRICTS, today=TODAY)) == [
        ("geometry", "land_needs_polygon")
    ]
    line = LineString([(121.2, 31.6), (121.21, 31.6)])
    assert keys(validate_carrier(plant(geometry=line), districts=DISTRICTS, today=TODAY)) == [("geometry", "building_geometry_type")]
    assert validate_carrier(plant(geometry=PARCEL), districts=DISTRICTS, today=TODAY) == []


def test_kind_specific_fields_only_on_their_kind():
    assert keys(validate_carrier(land(clear_height_m=9.0), districts=DISTRICTS, today=TODAY)) == [("clear_height_m", "not_for_kind")]
    assert keys(validate_carrier(plant(land_price_wan_mu=40.0), districts=DISTRICTS, today=TODAY)) == [
        ("land_price_wan_mu", "not_for_kind")
    ]


def test_vocabularies_and_dates():
    assert keys(validate_carrier(plant(status="empty"), districts=DISTRICTS, today=TODAY)) == [("status", "not_a_choice")]
    assert keys(validate_carrier(plant(industries=["mining"]), districts=DISTRICTS, today=TODAY)) == [("industries", "not_a_choice")]
    future = dt.date(2027, 1, 1)
    assert keys(validate_carrier(plant(verified_on=future), districts=DISTRICTS, today=TODAY)) == [("verified_on", "date_in_future")]
    assert keys(validate_carrier(plant(floors=1.5), districts=DISTRICTS, today=TODAY)) == [("floors", "not_an_integer")]


def test_unknown_fields_are_reported():
    assert keys(validate_carrier(plant(colour="red"), districts=DISTRICTS, today=TODAY)) == [("colour", "unknown_field")]


def project(**overrides):
    rec = {
        "code": "TC-PJ-1", "name": "精密部件项目", "investor": "Rhein Antriebstechnik GmbH", "category": "manufacturing",
        "sector": "precision_machinery", "investment_wan": 5000.0, "currency": "EUR", "stage": "negotiating",
        "district": "port", "origin_district": "liuhe", "reported_on": dt.date(2026, 5, 1), "grade": "B",
    }
    return rec | overrides


def test_projects():
    assert validate_project(project(), districts=DISTRICTS, today=TODAY) == []
    assert keys(validate_project(project(grade="A++"), districts=DISTRICTS, today=TODAY)) == [("grade", "not_a_choice")]
    assert keys(validate_project(project(stage="dreaming"), districts=DISTRICTS, today=TODAY)) == [("stage", "not_a_choice")]
    assert keys(validate_project(project(origin_district="nowhere"), districts=DISTRICTS, today=TODAY)) == [
        ("origin_district", "unknown_district")
    ]
    assert keys(validate_project(project(investment_wan=-5.0), districts=DISTRICTS, today=TODAY)) == [("investment_wan", "negative")]


def test_project_defaults_confidential_and_cny():
    rec = model.project_defaults({"code": "x", "investment_wan": 10.0})
    assert rec["is_confidential"] is True and rec["currency"] == "CNY"
    assert model.project_defaults({"is_confidential": False})["is_confidential"] is False


def test_seven_grades_and_stage_order():
    assert model.GRADES == ("A+", "A", "B", "C", "D", "E", "F")
    assert [s.value for s in model.Stage] == [
        "first_contact", "negotiating", "signed", "registered", "approval", "construction", "production", "on_hold", "dropped"
    ]
    assert model.STAGE_GROUP[model.Stage.APPROVAL] is model.StageGroup.SETTLED
    # on hold and dropped are counted in no reporting group (在谈 / 签约 / 落户)
    assert model.STAGE_GROUP.get(model.Stage.ON_HOLD) is None and model.STAGE_GROUP.get(model.Stage.DROPPED) is None


def test_units():
    assert model.mu_to_m2(15) == pytest.approx(10000)
    assert model.m2_to_mu(666.6667) == pytest.approx(1.0, rel=1e-6)
    assert model.investment_cny_wan(100, "USD") == pytest.approx(710)
    assert model.investment_cny_wan(None, "USD") == 0


# --- many records at once: the same problems as one at a time ---------------------------------------

ODD_VALUES = [
    None, "", "   ", float("nan"), float("inf"), float("-inf"), -1.0, 0.0, 3.5, 7, True, 2**60, "12", "x" * 300,
    " TC-1", "TC 1", "port", "nowhere", "plant", model.CarrierKind.OFFICE, [], ["auto_parts"], ["auto_parts", "magic"],
    ("biomedicine",), "auto_parts", dt.date(2026, 10, 1), dt.date(2027, 1, 1), dt.datetime(2026, 1, 1, 8, 0),
    Point(121.21, 31.60), Point(), Point(0, 0), Polygon([(121.2, 31.6), (121.21, 31.61), (121.21, 31.6), (121.2, 31.61)]),
    PARCEL, LineString([(121.2, 31.6), (121.21, 31.6)]), {"a": 1},
]


def odd_records(base, fields):
    """The base record, then one record per field and odd value: every rule's edge, and the fast path's."""
    records = [base(), base(colour="red"), base(kind="office"), base(kind="other"), base(kind="castle")]
    for name in fields:
        records += [base(**{name: value}) for value in ODD_VALUES]
    records += [{k: v for k, v in base().items() if k != name} for name in fields]  # each field left out
    return records


def test_validating_many_finds_exactly_what_validating_one_by_one_finds():
    import numpy as np

    names = [f.name for f in model.CARRIER_FIELDS]
    for base in (plant, land):
        records = odd_records(base, names)
        records.append(base(area_m2=np.float64(100.0), vacant_m2=np.float64(50.0), leasable_m2=None))
        one_by_one = [validate_carrier(r, districts=DISTRICTS, today=TODAY) for r in records]
        assert model.validate_carriers(records, districts=DISTRICTS, today=TODAY) == one_by_one
        assert sum(map(bool, one_by_one)) > len(records) // 2  # the odd values did find problems

    records = odd_records(project, [f.name for f in model.PROJECT_FIELDS])
    one_by_one = [validate_project(r, districts=DISTRICTS, today=TODAY) for r in records]
    assert model.validate_projects(records, districts=DISTRICTS, today=TODAY) == one_by_one


def test_the_fast_pass_vouches_for_ordinary_records():
    """A good upload must not fall back to the slow checks, or validating many gains nothing."""
    records = [plant(), land(), plant(industries=[], floors=None, verified_on=None)]
    plain = model._plain_records(records, model.CARRIER_FIELDS, model._CARRIER_KNOWN, DISTRICTS, TODAY, with_kinds=True)
    assert plain == [True, True, True]
