"""The scoreboard's inputs gathered from the store (heatmap.pipeline.scoreboard_inputs), on SQLite and PostGIS:
the period's records as reported, the signings and settlements counted once from the stage events, the
carriers at the period's start and end, the report status, the office's "same project" decisions."""
import datetime as dt

import pytest
from shapely.geometry import Point

from heatmap.pipeline import reports as rp
from heatmap.pipeline import rulebook, workflow
from heatmap.pipeline import scoreboard_inputs as si

SEP_OCT = rp.period_from_key("2026-5")
DISTRICTS = ["liuhe", "port", "shaxi"]
FACTS = {"has_feasibility_study": True, "decision_level_visit": True, "is_technical_upgrade": False}


def project(code, district, **more):
    return {"code": code, "name": f"{code} 精密机械项目", "investor": f"{code} 机械有限公司", "category": "manufacturing",
            "stage": "negotiating", "district": district, "investment_wan": 20000.0, "currency": "CNY", "investor_country": "CN",
            "code_name": f"TC-2026-{code}", "geometry": Point(121.2, 31.5), "reported_on": dt.date(2026, 3, 1), **FACTS} | more


def carrier(code, district, vacant, verified_on):
    return {"code": code, "name": f"{code} 厂房", "kind": "plant", "district": district, "area_m2": 1000.0, "leasable_m2": 1000.0,
            "vacant_m2": vacant, "status": "available", "verified_on": verified_on, "geometry": Point(121.2, 31.5)}


def at(day, hour=10):
    return dt.datetime.combine(day, dt.time(hour))


@pytest.fixture
def scored(store):
    """In August: A (liuhe, 2 亿元, no feasibility study known yet) and B (port, 1,000 万美元 from the US) in talks, one plant each half vacant.
    In September A has its study and is signed (a valid lead now) and B registers (settles); liuhe's plant fills to 100 m² vacant and port adds one.
    liuhe reports Sep–Oct on time, port and shaxi do not."""
    store.save("project", [project("A", "liuhe", has_feasibility_study=None), project("B", "port", investment_wan=1000.0, currency="USD", investor_country="US",
                                                          grade="A")], user="office", source="form", at=at(dt.date(2026, 8, 20)))
    store.save("carrier", [carrier("C1", "liuhe", 500.0, dt.date(2026, 8, 1)), carrier("C2", "port", 500.0, dt.date(2026, 1, 1))],
               user="office", source="form", at=at(dt.date(2026, 8, 20)))
    store.save("project", [project("A", "liuhe", stage="signed"),
                           project("B", "port", investment_wan=1000.0, currency="USD", investor_country="US", grade="A", stage="registered")],
               user="office", source="form", at=at(dt.date(2026, 9, 15)))
    store.save("carrier", [carrier("C1", "liuhe", 100.0, dt.date(2026, 9, 10)), carrier("C2", "port", 500.0, dt.date(2026, 1, 1)),
                           carrier("C3", "port", 1000.0, dt.date(2026, 10, 1))], user="office", source="form", at=at(dt.date(2026, 9, 15)))
    workflow.submit(store, "liuhe", SEP_OCT, store.projects(), user="staff-liuhe", at=at(dt.date(2026, 11, 5)))
    return store


def test_the_board_reads_the_period_from_the_store(scored):
    board = si.board(scored, SEP_OCT, DISTRICTS, dt.date(2026, 11, 20))
    figures = board.figures.set_index("district")
    assert figures.loc["liuhe", "new_valid_leads"] == 1  # A: valid now, not at the end of Jul–Aug
    assert (figures.loc["liuhe", "signed_projects"], figures.loc["liuhe", "signed_cny_wan"]) == (1, 20000)
    # B signed and settled at once on registering: counted once for each figure, foreign (7,100 万元 = 1,000 万美元)
    assert (figures.loc["port", "signed_projects"], figures.loc["port", "settled_projects"]) == (1, 1)
    assert figures.loc["port", "settled_foreign_usd_wan"] == pytest.approx(1000)
    assert figures.loc["liuhe", "settled_projects"] == 0
    assert figures.loc["port", "grade_a"] == 1
    assert (figures.loc["liuhe", "carriers_revived"], figures.loc["liuhe", "revived_m2"], figures.loc["port", "carriers_added"]) == (1, 400, 1)
    assert figures.loc["liuhe", "vacancy_change_pp"] == pytest.approx(-40)
    assert figures.loc["port", "vacancy_change_pp"] == pytest.approx(1500 / 2000 * 100 - 50)
    assert (figures.loc["liuhe", "verified_share"], figures.loc["port", "verified_share"]) == (1.0, 0.5)
    assert list(figures.loc[DISTRICTS, "report_state"]) == ["on_time", "overdue", "overdue"]
    assert figures["transfers_in"].sum() == 0  # no transfer workflow yet: no transfers, no credit
    assert board.points["rank"].is_monotonic_increasing and board.points.iloc[-1]["district"] == "shaxi"


def test_the_points_follow_the_rules_in_force(scored):
    before = si.board(scored, SEP_OCT, DISTRICTS, dt.date(2026, 11, 20)).value("total")
    document = rulebook.defaults("scoreboard")
    document["report_points"]["overdue"] = -10.0
    rulebook.save(scored, "scoreboard", document, user="admin", edited_from=None)
    after = si.board(scored, SEP_OCT, DISTRICTS, dt.date(2026, 11, 20)).value("total")
    assert after["port"] == pytest.approx(before["port"] - 10) and after["liuhe"] == before["liuhe"]


def test_a_record_retired_as_the_same_project_counts_against_its_district(scored):
    scored.save("project", [project("D", "shaxi")], user="staff-shaxi", source="form")
    scored.save("project", [], user="office", source="form", remove_codes=["D"])
    scored.decide_duplicate("A", "D", "same", user="office", hosting_district="liuhe")
    period_of = lambda day: rp.period_of(day).key  # noqa: E731
    found = si.double_counted(scored, scored.projects(), period_of)
    assert found.to_dict("records") == [{"district": "shaxi", "period": period_of(dt.date.today()), "project_code": "D"}]
