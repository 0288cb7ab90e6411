"""The sample generator: deterministic, on land, inside Taicang, plausible, valid, and it scales."""
import collections
import datetime as dt
import time

import numpy as np
import pytest
import shapely

from heatmap import geo, sample
from heatmap.model import M2_PER_MU, validate_carrier, validate_project


@pytest.fixture(scope="module")
def full():
    return sample.generate()


def test_the_same_seed_gives_the_same_sample(small_sample):
    again = sample.generate(200, 40)
    assert [c["code"] for c in again.carriers] == [c["code"] for c in small_sample.carriers]
    for a, b in zip(again.carriers, small_sample.carriers):
        assert a.keys() == b.keys()
        assert all(a[k] == b[k] for k in a if k != "geometry") and a["geometry"].equals_exact(b["geometry"], 0)
    for p, q in zip(again.projects, small_sample.projects):
        assert {k: v for k, v in p.items() if k != "geometry"} == {k: v for k, v in q.items() if k != "geometry"}
        assert p["geometry"].equals_exact(q["geometry"], 0)
    other = sample.generate(200, 40, seed=1)
    assert [c["name"] for c in other.carriers] != [c["name"] for c in small_sample.carriers]


def test_sizes_and_unique_codes(full):
    assert len(full.carriers) == 1500 and len(full.projects) == 300
    assert len({c["code"] for c in full.carriers}) == 1500
    assert len({p["code"] for p in full.projects}) == 300
    kinds = collections.Counter(c["kind"] for c in full.carriers)
    assert kinds == {"land": 450, "plant": 675, "office": 225, "other": 150}


def test_everything_is_on_land_inside_taicang(full):
    geoms = np.array([c["geometry"] for c in full.carriers] + [p["geometry"] for p in full.projects], dtype=object)
    assert geo.on_land_many(geoms).all(), "a sample site lies in the Yangtze or outside the city"
    assert shapely.contains(geo.outline(), geoms).all()


def test_land_parcels_do_not_overlap(full):
    parcels = [c["geometry"] for c in full.carriers if c["kind"] == "land"]
    tree = shapely.STRtree(parcels)
    left, right = tree.query(parcels, predicate="overlaps")
    assert len(left) == 0


def test_every_record_and_every_historical_state_is_valid(full):
    districts = {d["code"] for d in full.districts}
    for end, carriers, projects in zip(full.period_ends, full.carrier_states, full.project_states):
        for c in carriers:
            assert validate_carrier(c, districts=districts, today=end) == [], c["code"]
        for p in projects:
            assert validate_project(p, districts=districts, today=end) == [], p["code"]


def test_offices_are_in_the_centre_and_the_new_town(full):
    office_districts = collections.Counter(c["district"] for c in full.carriers if c["kind"] == "office")
    central = sum(office_districts[d] for d in ("kejiao", "loudong", "chengxiang", "hitech", "resort"))
    assert central / sum(office_districts.values()) > 0.8
    land_districts = collections.Counter(c["district"] for c in full.carriers if c["kind"] == "land")
    assert land_districts["port"] + land_districts["hitech"] > 0.4 * sum(land_districts.values())
    assert not {"kejiao", "loudong", "resort"} & set(land_districts)


def test_plausible_figures(full):
    land = [c for c in full.carriers if c["kind"] == "land"]
    mu = np.array([c["area_m2"] / M2_PER_MU for c in land])
    assert 5 < mu.min() and mu.max() < 200 and 20 < np.median(mu) < 45
    plant_rents = [c["rent_cny_m2_month"] for c in full.carriers if c["kind"] == "plant" and not c.get("price_negotiable")]
    assert 18 <= min(plant_rents) and max(plant_rents) <= 45
    negotiable = [c for c in full.carriers if c.get("price_negotiable")]
    assert 20 < len(negotiable) < 0.05 * len(full.carriers), "a few sites quote 面议 instead of a price"
    assert {c["kind"] for c in negotiable} == {"land", "plant", "office", "other"}
    assert all(c.get("land_price_wan_mu" if c["kind"] == "land" else "rent_cny_m2_month") is None for c in negotiable)
    assert all(c["status"] != "occupied" for c in negotiable)
    statuses = collections.Counter(c["status"] for c in full.carriers)
    assert statuses["occupied"] > 100, "some carriers are full"
    stale = [c for c in full.carriers if (sample.AS_OF - c["verified_on"]).days > 90]
    assert 0.08 < len(stale) / len(full.carriers) < 0.25, "some records are stale"
    sectors = collections.Counter(p["sector"] for p in full.projects)
    assert {"precision_machinery", "auto_parts", "aerospace", "new_materials", "biomedicine", "port_logistics"} <= set(sectors)
    german = sum(p["investor_country"] == "DE" for p in full.projects)
    assert german > 60, "Taicang's German cluster shows in the pipeline"


def test_history_is_bimonthly_and_grows(full):
    assert full.period_ends[-1] == sample.AS_OF
    gaps = {(b - a).days for a, b in zip(full.period_ends, full.period_ends[1:])}
    assert gaps <= set(range(59, 63))
    sizes = [len(s) for s in full.carrier_states]
    assert sizes == sorted(sizes) and sizes[-1] == 1500 and sizes[0] < 1500
    stages = collections.Counter(p["stage"] for p in full.projects)
    assert all(stages[s] > 0 for s in ("first_contact", "negotiating", "signed", "registered", "production"))


def test_settled_projects_link_a_carrier_of_their_district(full):
    carriers = {c["code"]: c for c in full.carriers}
    linked = [p for p in full.projects if p.get("carrier_code")]
    assert linked
    for p in linked:
        assert p["stage"] in ("registered", "approval", "construction", "production")
        assert carriers[p["carrier_code"]]["district"] == p["district"]


def test_scales_to_benchmark_sizes_quickly():
    started = time.perf_counter()
    big = sample.generate(10_000, 100, history=False)
    assert len(big.carriers) == 10_000 and len(big.carrier_states) == 1
    assert time.perf_counter() - started < 60
    geoms = np.array([c["geometry"] for c in big.carriers], dtype=object)
    assert geo.on_land_many(geoms).all()


def test_period_ends():
    assert sample.period_ends(dt.date(2026, 10, 31), 3) == [dt.date(2026, 6, 30), dt.date(2026, 8, 31), dt.date(2026, 10, 31)]
    assert sample.period_ends(dt.date(2026, 2, 28), 2) == [dt.date(2025, 12, 31), dt.date(2026, 2, 28)]


def test_every_sample_project_has_its_own_neutral_code_name():
    from heatmap import bootstrap, sample

    data = sample.generate(100, 400, history=True)
    bootstrap._give_code_names(data.project_states)
    last = data.project_states[-1]
    names = [r["code_name"] for r in last]
    assert len(set(names)) == len(names) and all(n.startswith("TC-20") for n in names)
    first = {r["code"]: r["code_name"] for r in data.project_states[0]}
    assert all(first[r["code"]] == r["code_name"] for r in last if r["code"] in first)  # stable across periods
    assert not any(r["investor"] and r["investor"][:2] in r["code_name"] for r in last)


def test_the_sample_reports_its_last_two_periods_most_on_time_some_late(full):
    from heatmap.pipeline import reports as rp

    codes = [d["code"] for d in full.districts]
    schedule = sample.report_schedule(full.period_ends, codes, lambda end: rp.period_of(end).due)
    last, before = full.period_ends[-1], full.period_ends[-2]
    assert {d for end, d, _ in schedule if end == before} == set(codes)
    assert {d for end, d, _ in schedule if end == last} == set(codes) - set(sample.REPORT_NOT_SENT)
    for end, district, at in schedule:
        due = rp.period_of(end).due
        sent = (at + dt.timedelta(hours=8)).date()  # Taicang's day
        assert end < sent and ((sent > due) == (end == before and district in sample.REPORT_SENT_LATE))
    assert [at for _, _, at in schedule] == sorted(at for _, _, at in schedule)
