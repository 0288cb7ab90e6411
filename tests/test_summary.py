"""City and district figures (heatmap.summary), on small frames whose answers are known."""
import pandas as pd
import pytest

from heatmap import summary
from heatmap.model import M2_PER_MU

CARRIERS = pd.DataFrame({
    "code": ["L1", "L2", "P1", "P2", "O1"],
    "kind": ["land", "land", "plant", "plant", "office"],
    "district": ["port", "hitech", "port", "port", "kejiao"],
    "area_m2": [15 * M2_PER_MU, 30 * M2_PER_MU, 1000.0, 2000.0, 5000.0],
    "leasable_m2": [None, None, 1000.0, 1800.0, 4000.0],
    "vacant_m2": [15 * M2_PER_MU, 0.0, 500.0, 0.0, 1000.0],
})
PROJECTS = pd.DataFrame({
    "code": ["A", "B", "C"],
    "stage": ["negotiating", "signed", "production"],
    "district": ["port", "port", "kejiao"],
    "investment_wan": [1000.0, 100.0, None],
    "currency": ["CNY", "USD", None],
})


def test_city_figures():
    city = summary.carrier_figures(CARRIERS).iloc[0]
    assert city["carriers"] == 5
    assert city["n_land"] == 2 and city["n_plant"] == 2 and city["n_office"] == 1 and city["n_other"] == 0
    assert city["land_mu"] == pytest.approx(45) and city["vacant_land_mu"] == pytest.approx(15)
    assert city["building_leasable_m2"] == 6800 and city["building_vacant_m2"] == 1500
    assert city["building_vacancy_rate"] == pytest.approx(1500 / 6800)


def test_by_district_and_kind():
    by_district = summary.carrier_figures(CARRIERS, by="district")
    assert by_district.loc["port", "vacancy_rate"] == pytest.approx((15 * M2_PER_MU + 500) / (15 * M2_PER_MU + 2800))
    assert by_district.loc["hitech", "building_vacancy_rate"] != by_district.loc["hitech", "building_vacancy_rate"]  # NaN: no buildings
    by_kind = summary.kind_figures(CARRIERS)
    assert list(by_kind.index) == ["land", "plant", "office"]
    assert by_kind.loc["plant", "vacancy_rate"] == pytest.approx(500 / 2800)


def test_pipeline_figures_convert_currencies():
    city = summary.pipeline_figures(PROJECTS).iloc[0]
    assert city["projects"] == 3
    assert (city["n_negotiating"], city["n_signed"], city["n_settled"]) == (1, 1, 1)
    assert city["investment_cny_wan"] == pytest.approx(1000 + 710)
    stages = summary.stage_figures(PROJECTS)
    assert list(stages.index)[0] == "first_contact" and stages.loc["first_contact", "projects"] == 0
    assert stages.loc["signed", "investment_cny_wan"] == pytest.approx(710)


def test_district_table_lists_every_district_in_order():
    districts = pd.DataFrame({"code": ["port", "hitech", "kejiao", "liuhe"]})
    table = summary.district_table(districts, CARRIERS, PROJECTS)
    assert list(table.index) == ["port", "hitech", "kejiao", "liuhe"]
    assert table.loc["liuhe", "carriers"] == 0 and table.loc["liuhe", "projects"] == 0
    assert table.loc["port", "n_signed"] == 1
    assert "projects" not in summary.district_table(districts, CARRIERS, None)
