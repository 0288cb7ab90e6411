"""Vacancy figures (heatmap.vacancy): by district and kind, over time, changes, freshness."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from heatmap import vacancy
from heatmap.model import M2_PER_MU

TODAY = dt.date(2026, 11, 1)
CARRIERS = pd.DataFrame({
    "code": ["L1", "P1", "P2", "O1"],
    "name": ["地块", "厂房一", "厂房二", "楼"],
    "kind": ["land", "plant", "plant", "office"],
    "district": ["port", "port", "liuhe", "liuhe"],
    "status": ["available", "partial", "occupied", "partial"],
    "area_m2": [30 * M2_PER_MU, 5000.0, 4000.0, 10000.0],
    "leasable_m2": [None, 4000.0, 4000.0, 8000.0],
    "vacant_m2": [30 * M2_PER_MU, 1000.0, 0.0, 2000.0],
    "verified_on": [dt.date(2026, 10, 20), dt.date(2026, 1, 1), None, dt.date(2026, 9, 1)],
})


def test_by_district_and_kind_city_first():
    table = vacancy.by_district_and_kind(CARRIERS, ["port", "liuhe", "shaxi"])
    assert list(table["district"].unique()) == [vacancy.TOTAL, "port", "liuhe", "shaxi"]
    row = table.set_index(["district", "kind"])
    assert row.loc[(vacancy.TOTAL, "plant"), "vacant_m2"] == 1000 and row.loc[(vacancy.TOTAL, "plant"), "leasable_m2"] == 8000
    assert row.loc[(vacancy.TOTAL, "plant"), "vacancy_rate"] == pytest.approx(0.125)
    assert row.loc[("port", "land"), "vacant_mu"] == pytest.approx(30) and np.isnan(row.loc[("port", "plant"), "vacant_mu"])
    assert np.isnan(row.loc[("shaxi", "office"), "vacancy_rate"])  # nothing leasable: no rate, not 0 %
    w = vacancy.wide(table)
    assert list(w.index)[0] == vacancy.TOTAL and w.loc["liuhe", "office_rate"] == pytest.approx(0.25)


def test_vacant_carriers_and_freshness():
    vacant = vacancy.vacant_carriers(CARRIERS, TODAY, 90)
    assert list(vacant["code"]) == ["L1", "P1", "O1"]
    assert list(vacant["stale"]) == [False, True, False]
    fresh = vacancy.freshness(CARRIERS, ["port", "liuhe"], TODAY, 90)
    assert fresh.loc[vacancy.TOTAL, "stale"] == 2 and fresh.loc[vacancy.TOTAL, "never_verified"] == 1
    assert fresh.loc["liuhe", "stale_share"] == pytest.approx(0.5)
    assert list(vacancy.hide_stale(CARRIERS, TODAY, 90)["code"]) == ["L1", "O1"]


def test_bimonthly_periods():
    assert vacancy.period_start(dt.date(2026, 11, 28)) == dt.date(2026, 11, 1)
    assert vacancy.period_start(dt.date(2026, 10, 31)) == dt.date(2026, 9, 1)
    assert vacancy.previous_period_end(dt.date(2026, 10, 31)) == dt.date(2026, 8, 31)
    assert vacancy.previous_period_end(dt.date(2026, 2, 3)) == dt.date(2025, 12, 31)


def test_trend_moments_per_day_or_per_month():
    days = [dt.datetime(2026, 1, d, 9) for d in (3, 3, 20)]
    assert vacancy.trend_moments(days) == [dt.datetime(2026, 1, 3, 23, 59, 59, 999999), dt.datetime(2026, 1, 20, 23, 59, 59, 999999)]
    busy = [dt.datetime(2026, 1, 1) + dt.timedelta(days=i) for i in range(100)]
    moments = vacancy.trend_moments(busy)
    assert [m.date() for m in moments] == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 10)]


def test_trend_and_changes():
    earlier = {"P1": {"code": "P1", "name": "厂房一", "district": "port", "kind": "plant", "area_m2": 5000.0, "leasable_m2": 4000.0,
                      "vacant_m2": 3000.0},
               "X9": {"code": "X9", "name": "旧仓库", "district": "liuhe", "kind": "other", "area_m2": 900.0, "leasable_m2": None,
                      "vacant_m2": 900.0},
               "O1": {"code": "O1", "name": "楼", "district": "liuhe", "kind": "office", "area_m2": 10000.0, "leasable_m2": 8000.0,
                      "vacant_m2": 2000.0}}
    now_state = {row["code"]: row for row in CARRIERS.to_dict("records")}
    t = vacancy.trend([(dt.datetime(2026, 8, 31), earlier), (dt.datetime(2026, 10, 31), now_state)])
    plant = t[(t["district"] == vacancy.TOTAL) & (t["kind"] == "plant")].set_index("moment")
    assert plant.loc[dt.date(2026, 8, 31), "vacancy_rate"] == pytest.approx(0.75)
    assert plant.loc[dt.date(2026, 10, 31), "vacancy_rate"] == pytest.approx(0.125)
    changes = vacancy.changes_since(earlier, CARRIERS).set_index("code")
    assert changes.loc["P1", "change"] == "less_vacant" and changes.loc["P1", "delta_m2"] == -2000
    assert changes.loc["X9", "change"] == "removed" and changes.loc["L1", "change"] == "added"
    assert "O1" not in changes.index  # unchanged
