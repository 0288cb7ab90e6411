"""Matching (heatmap.matching), pinned down: hard needs filter, soft criteria score, ties are stable."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from heatmap import matching
from heatmap.matching import Needs
from heatmap.model import M2_PER_MU

TODAY = dt.date(2026, 11, 1)


def plant(code, **overrides):
    row = {"code": code, "kind": "plant", "status": "available", "district": "port", "area_m2": 10000.0,
           "leasable_m2": 10000.0, "vacant_m2": 8000.0, "clear_height_m": 10.0, "floor_load_kn_m2": 30.0, "crane_t": 10.0,
           "power_kva": 1500.0, "rent_cny_m2_month": 28.0, "land_price_wan_mu": np.nan, "industries": ("auto_parts",),
           "verified_on": dt.date(2026, 10, 1)}
    return row | overrides


NEEDS = Needs(space_kind="plant", category="manufacturing", sector="auto_parts", area=(5000, 12000), clear_height_m=9,
              floor_load_kn_m2=20, crane_t=5, power_kva=1000, budget=30, districts=("port",))


def ranked(rows, needs=NEEDS, **kw):
    return matching.rank(pd.DataFrame(rows), needs, TODAY, include_ineligible=True, **kw)


def test_a_perfect_site_scores_100():
    result = ranked([plant("A")])
    assert result.iloc[0]["eligible"] and result.iloc[0]["score"] == 100


@pytest.mark.parametrize("overrides, failed", [
    ({"kind": "office"}, "kind"),
    ({"status": "occupied"}, "available"),
    ({"vacant_m2": 0.0}, "available size"),
    ({"vacant_m2": 4000.0}, "size"),
    ({"clear_height_m": 8.0}, "clear_height"),
    ({"clear_height_m": np.nan}, "clear_height"),  # unknown cannot be promised
    ({"floor_load_kn_m2": 10.0}, "floor_load"),
    ({"crane_t": 0.0}, "crane"),
])
def test_each_hard_need_filters(overrides, failed):
    row = ranked([plant("A", **overrides)]).iloc[0]
    assert not row["eligible"]
    assert [k for k in matching.HARD if not row[f"hard_{k}"]] == failed.split()
    assert matching.rank(pd.DataFrame([plant("A", **overrides)]), NEEDS, TODAY).empty  # the default leaves it out


def test_a_site_failing_a_hard_need_never_ranks_above_one_meeting_all():
    rng = np.random.default_rng(7)
    rows = [plant(f"S{i:03d}", rent_cny_m2_month=float(rng.uniform(15, 60)), clear_height_m=float(rng.uniform(6, 12)),
                  district=str(rng.choice(["port", "liuhe", "shaxi"])), power_kva=float(rng.uniform(200, 3000)),
                  vacant_m2=float(rng.uniform(1000, 20000)), status=str(rng.choice(["available", "partial", "reserved", "planned"])))
            for i in range(400)]
    result = ranked(rows)
    eligible = result["eligible"].to_numpy()
    assert eligible.any() and (~eligible).any()
    first_ineligible = np.argmin(eligible)
    assert eligible[:first_ineligible].all() and not eligible[first_ineligible:].any()
    # a failing site with a perfect soft score still ranks below the worst eligible one
    perfect_but_low = plant("ZZZ", clear_height_m=8.9)
    worst = plant("AAA", rent_cny_m2_month=100.0, district="shaxi", power_kva=10.0, status="reserved", verified_on=None,
                  industries=("biomedicine",), vacant_m2=9000.0)
    assert list(ranked([perfect_but_low, worst])["code"]) == ["AAA", "ZZZ"]


BETTER = [  # (worse, better) on one criterion, everything else equal
    ({"rent_cny_m2_month": 40.0}, {"rent_cny_m2_month": 33.0}),
    ({"rent_cny_m2_month": 33.0}, {"rent_cny_m2_month": 29.0}),
    ({"district": "liuhe"}, {"district": "port"}),
    ({"industries": ("port_logistics",)}, {"industries": ("aerospace",)}),  # related beats unrelated
    ({"industries": ("aerospace",)}, {"industries": ("auto_parts", "aerospace")}),
    ({"power_kva": 400.0}, {"power_kva": 800.0}),
    ({"status": "reserved"}, {"status": "planned"}),
    ({"status": "planned"}, {"status": "available"}),
    ({"verified_on": None}, {"verified_on": dt.date(2025, 1, 1)}),
    ({"verified_on": dt.date(2025, 1, 1)}, {"verified_on": dt.date(2026, 10, 30)}),
    ({"vacant_m2": 20000.0}, {"vacant_m2": 15000.0}),  # less oversized
]


@pytest.mark.parametrize("worse, better", BETTER)
def test_a_better_fit_never_scores_lower(worse, better):
    result = ranked([plant("W", **worse), plant("B", **better)]).set_index("code")
    assert result.loc["B", "score"] > result.loc["W", "score"]


def test_better_on_every_criterion_never_scores_lower_random():
    rng = np.random.default_rng(11)
    for _ in range(300):
        worse = plant("W", rent_cny_m2_month=float(rng.uniform(10, 60)), power_kva=float(rng.uniform(100, 3000)),
                      vacant_m2=float(rng.uniform(5000, 30000)), district=str(rng.choice(["port", "liuhe"])),
                      status=str(rng.choice(["available", "reserved", "planned"])))
        better = dict(worse, code="B")
        better["rent_cny_m2_month"] = worse["rent_cny_m2_month"] * float(rng.uniform(0.6, 1.0))
        better["power_kva"] = worse["power_kva"] * float(rng.uniform(1.0, 1.5))
        if rng.random() < 0.5:
            better["district"] = "port"
        if better["vacant_m2"] > 12000:
            better["vacant_m2"] = float(rng.uniform(12000, better["vacant_m2"]))
        result = ranked([worse, better]).set_index("code")
        assert result.loc["B", "score"] >= result.loc["W", "score"]


def test_ties_keep_a_stable_order():
    rows = [plant(code) for code in ("C", "A", "B")]
    first = ranked(rows)
    assert list(first["code"]) == ["A", "B", "C"] and first["score"].nunique() == 1
    assert list(ranked(list(reversed(rows)))["code"]) == ["A", "B", "C"]
    assert list(first["rank"]) == [1, 2, 3]


def test_land_is_measured_in_mu_and_priced_per_mu():
    land = {"code": "L", "kind": "land", "status": "available", "district": "port", "area_m2": 30 * M2_PER_MU,
            "leasable_m2": 30 * M2_PER_MU, "vacant_m2": 30 * M2_PER_MU, "land_price_wan_mu": 60.0, "rent_cny_m2_month": np.nan,
            "industries": (), "verified_on": TODAY, "clear_height_m": np.nan, "floor_load_kn_m2": np.nan, "crane_t": np.nan,
            "power_kva": np.nan}
    needs = Needs(space_kind="land", area=(20, 40), budget=50, clear_height_m=9, power_kva=5000)
    row = matching.rank(pd.DataFrame([land]), needs, TODAY).iloc[0]
    assert row["eligible"]  # building needs do not apply to land
    assert row["fact_offered"] == pytest.approx(30)
    assert row["soft_budget"] == pytest.approx(1 - 2 * 0.2)  # 20 % over budget
    assert not matching.rank(pd.DataFrame([land]), Needs(space_kind="land", area=(31, None)), TODAY).shape[0]


def test_explanations_say_what_is_met_and_missed_by_how_much():
    row = ranked([plant("A", rent_cny_m2_month=36.0, clear_height_m=8.0, district="liuhe", power_kva=700.0)]).iloc[0]
    reasons = {r.criterion: r for r in matching.explain(row, NEEDS)}
    assert not reasons["clear_height"].met and reasons["clear_height"].params["short"] == pytest.approx(1.0)
    assert reasons["budget"].key == "why.over_budget" and reasons["budget"].params["pct"] == 20
    assert reasons["budget"].params["over"] == pytest.approx(6.0)
    assert reasons["district"].key == "why.other_district"
    assert reasons["power"].params["short"] == pytest.approx(300)
    assert reasons["kind"].met and reasons["available"].met and reasons["size"].met


def test_weights_add_up_to_100():
    assert sum(matching.WEIGHTS.values()) == 100


def test_needs_from_a_pipeline_project():
    project = {"space_kind": "land", "land_needed_mu": 40.0, "floor_area_needed_m2": None, "category": "manufacturing",
               "sector": "aerospace", "clear_height_needed_m": 10.0, "floor_load_needed_kn_m2": None, "crane_needed_t": np.nan,
               "power_needed_kva": 2000.0, "district": "hitech", "wanted_by": dt.date(2027, 6, 1)}
    needs = matching.needs_from_project(project)
    assert needs.space_kind == "land" and needs.area == (40.0, None) and needs.crane_t is None
    assert needs.districts == ("hitech",) and needs.sector == "aerospace"


def test_projects_that_would_fit_a_carrier():
    projects = pd.DataFrame([
        {"code": "P1", "space_kind": "plant", "floor_area_needed_m2": 6000.0, "land_needed_mu": None, "category": "manufacturing",
         "sector": "auto_parts", "clear_height_needed_m": 9.0, "floor_load_needed_kn_m2": None, "crane_needed_t": None,
         "power_needed_kva": 1000.0, "district": "port", "wanted_by": None},
        {"code": "P2", "space_kind": "plant", "floor_area_needed_m2": 20000.0, "land_needed_mu": None, "category": "manufacturing",
         "sector": "auto_parts", "clear_height_needed_m": None, "floor_load_needed_kn_m2": None, "crane_needed_t": None,
         "power_needed_kva": None, "district": "port", "wanted_by": None},
        {"code": "P3", "space_kind": "office", "floor_area_needed_m2": 500.0, "land_needed_mu": None, "category": "other",
         "sector": "headquarters", "clear_height_needed_m": None, "floor_load_needed_kn_m2": None, "crane_needed_t": None,
         "power_needed_kva": None, "district": "port", "wanted_by": None},
    ])
    result = matching.projects_for_carrier(plant("A"), projects, TODAY)
    assert list(result["code"]) == ["P1", "P2", "P3"]
    assert list(result["eligible"]) == [True, False, False]  # P2 needs more space, P3 an office
