"""Map filters (heatmap.filters): what each selects, and their round trip through the URL."""
import datetime as dt

import pandas as pd
import pytest

from heatmap import filters
from heatmap.filters import Filters

TODAY = dt.date(2026, 11, 1)
CARRIERS = pd.DataFrame({
    "code": ["L1", "L2", "P1", "P2", "O1"],
    "kind": ["land", "land", "plant", "plant", "office"],
    "district": ["port", "hitech", "port", "liuhe", "kejiao"],
    "status": ["available", "occupied", "partial", "occupied", "partial"],
    "industries": [("port_logistics",), ("aerospace",), ("auto_parts", "aerospace"), (), ("digital_services",)],
    "area_m2": [20000.0, 50000.0, 5000.0, 8000.0, 12000.0],
    "leasable_m2": [None, None, 4000.0, 8000.0, 10000.0],
    "vacant_m2": [20000.0, 0.0, 1000.0, 0.0, 3000.0],
    "rent_cny_m2_month": [None, None, 25.0, None, 55.0],
    "land_price_wan_mu": [45.0, 80.0, None, None, None],
    "verified_on": [dt.date(2026, 10, 20), dt.date(2025, 1, 1), dt.date(2026, 9, 1), None, dt.date(2026, 8, 15)],
})
PROJECTS = pd.DataFrame({
    "code": ["A", "B", "C"], "district": ["port", "liuhe", "port"], "sector": ["auto_parts", "biomedicine", "aerospace"],
    "stage": ["negotiating", "signed", "production"], "grade": ["A", None, "C"],
})


def codes(frame):
    return list(frame["code"])


def test_no_filter_selects_everything():
    assert codes(filters.filter_carriers(CARRIERS, Filters(), TODAY)) == ["L1", "L2", "P1", "P2", "O1"]
    assert Filters().is_default


@pytest.mark.parametrize("f, expected", [
    (Filters(districts=("port",)), ["L1", "P1"]),
    (Filters(kinds=("plant", "office")), ["P1", "P2", "O1"]),
    (Filters(statuses=("occupied",)), ["L2", "P2"]),
    (Filters(industries=("aerospace",)), ["L2", "P1"]),
    (Filters(vacancy_pct=(20, None)), ["L1", "P1", "O1"]),  # 100 %, 25 %, 30 %
    (Filters(vacancy_pct=(None, 0)), ["L2", "P2"]),
    (Filters(area_m2=(6000, 20000)), ["L1", "P2", "O1"]),
    (Filters(districts=("port",), kinds=("land",)), ["L1"]),
])
def test_each_filter(f, expected):
    assert codes(filters.filter_carriers(CARRIERS, f, TODAY)) == expected


def test_rent_ranges_apply_to_buildings_and_land_prices_to_land():
    # land has no rent: a rent range keeps it; a plant without a rent is left out
    assert codes(filters.filter_carriers(CARRIERS, Filters(rent_cny_m2_month=(20, 30)), TODAY)) == ["L1", "L2", "P1"]
    assert codes(filters.filter_carriers(CARRIERS, Filters(land_price_wan_mu=(None, 50)), TODAY)) == ["L1", "P1", "P2", "O1"]


def test_last_verified_age():
    within_90 = filters.filter_carriers(CARRIERS, Filters(verified_within_days=90), TODAY)
    assert codes(within_90) == ["L1", "P1", "O1"]  # never verified (P2) is not "within"
    ages = filters.verified_age_days(CARRIERS, TODAY)
    assert ages.iloc[0] == 12 and pd.isna(ages.iloc[3])


def test_project_filters():
    assert codes(filters.filter_projects(PROJECTS, Filters(stages=("negotiating", "signed")))) == ["A", "B"]
    assert codes(filters.filter_projects(PROJECTS, Filters(grades=("A", filters.UNGRADED)))) == ["A", "B"]
    assert codes(filters.filter_projects(PROJECTS, Filters(districts=("port",), industries=("aerospace",)))) == ["C"]


def test_url_round_trip():
    f = Filters(districts=("port", "liuhe"), kinds=("land",), statuses=("available", "partial"), industries=("aerospace",),
                vacancy_pct=(10.0, None), area_m2=(1000.0, 50000.0), rent_cny_m2_month=(None, 35.5),
                land_price_wan_mu=(30.0, 60.0), verified_within_days=90, stages=("signed",), grades=("A+", "none"),
                period="2026-4")
    query = filters.to_query(f)
    assert query["d"] == "port,liuhe" and query["vac"] == "10~" and query["rent"] == "~35.5" and query["grd"] == "A+,none"
    assert filters.from_query(query, known_districts={"port", "liuhe"}) == f
    assert filters.to_query(Filters()) == {}


def test_a_reporting_period_in_the_url_and_an_old_link_with_a_day():
    assert filters.to_query(Filters(period="2026-5")) == {"per": "2026-5"}
    assert filters.from_query({"per": "2026-5"}).period == "2026-5"
    assert filters.from_query({"per": "2026-08-31"}).period == "2026-4"  # older links held the day: its period
    assert filters.from_query({"per": "2026-7"}).period is None and filters.from_query({"per": "2026-13-01"}).period is None


def test_garbage_in_the_url_is_ignored():
    f = filters.from_query({"d": "port,atlantis", "k": "land,castle", "vac": "abc~50", "age": "-3", "per": "yesterday",
                            "area": "nonsense"}, known_districts={"port"})
    assert f == Filters(districts=("port",), kinds=("land",), vacancy_pct=(None, 50.0))


def test_the_pipelines_url_parameters_are_known_apart_from_the_publics():
    assert filters.PIPELINE_QUERY_KEYS == ("stg", "grd", "per")
    assert set(filters.PUBLIC_QUERY_KEYS) | set(filters.PIPELINE_QUERY_KEYS) == set(filters.QUERY_KEYS)
    assert not set(filters.PUBLIC_QUERY_KEYS) & set(filters.PIPELINE_QUERY_KEYS)
    # what a public viewer's link asks of the pipeline, understood or not (either way it needs a sign-in)
    assert filters.pipeline_query({"d": "liuhe", "per": "2026-5", "stg": "signed"}) == ("stg", "per")
    assert filters.pipeline_query({"grd": "Z"}) == ("grd",) and filters.pipeline_query({"d": "liuhe", "stg": ""}) == ()
