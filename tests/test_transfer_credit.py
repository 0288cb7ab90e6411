"""Both districts' credit for a transferred project, against hand-computed cases: the split (50:50 by default,
70:30 when the office sets it), the five years it holds from the day of acceptance, and a settlement before
the transfer or after the split ran out giving no shared credit."""
import datetime as dt

import pandas as pd
import pytest

from heatmap.pipeline import counting
from heatmap.pipeline import transfercredit as tc

D = dt.date


def accepted(code="TC-PJ-001", on=D(2026, 3, 10), percent=50, years=5, id=1, origin="liuhe", destination="shaxi"):
    return {"id": id, "project_code": code, "origin": origin, "destination": destination, "accepted_on": on,
            "origin_percent": percent, "credit_years": years}


def rows(credits, settled, amounts=None):
    return tc.credit_rows(credits, settled, amounts or {"TC-PJ-001": 20_000.0}, lambda day: counting.period_label(day, "year"))


def test_a_default_split_gives_each_district_half_the_project_and_half_its_investment():
    credit = tc.credits([accepted()])[0]
    assert (credit.origin_share, credit.destination_share) == (0.5, 0.5)
    assert (credit.from_on, credit.until_on) == (D(2026, 3, 10), D(2031, 3, 10))
    out = rows([credit], {"TC-PJ-001": D(2026, 9, 1)})
    assert out[["district", "period", "role", "share", "projects_credit", "investment_credit_cny_wan", "other_district"]].values.tolist() == [
        ["liuhe", "2026", "origin", 0.5, 0.5, 10_000.0, "shaxi"],
        ["shaxi", "2026", "destination", 0.5, 0.5, 10_000.0, "liuhe"]]
    assert out["settled_on"].tolist() == [D(2026, 9, 1)] * 2


def test_a_70_30_split_set_by_the_office():
    out = rows(tc.credits([accepted(percent=70)]), {"TC-PJ-001": D(2027, 1, 5)}, {"TC-PJ-001": 12_345.0})
    assert out["share"].tolist() == pytest.approx([0.7, 0.3])
    assert out["investment_credit_cny_wan"].tolist() == pytest.approx([8641.5, 3703.5])
    assert out["period"].tolist() == ["2027", "2027"] and out["projects_credit"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("settled_on, credited", [
    (D(2026, 3, 10), True),   # the day of acceptance
    (D(2031, 3, 9), True),    # the last day of the fifth year
    (D(2031, 3, 10), False),  # five years on: the split has run out
    (D(2026, 3, 9), False),   # settled the day before the transfer was accepted
])
def test_the_split_holds_five_years_from_acceptance_and_only_for_a_settlement_after_it(settled_on, credited):
    out = rows(tc.credits([accepted()]), {"TC-PJ-001": settled_on})
    assert len(out) == (2 if credited else 0)


def test_a_project_not_settled_gives_no_credit_and_an_unknown_amount_credits_the_project_only():
    assert rows(tc.credits([accepted()]), {}).empty
    out = rows(tc.credits([accepted()]), {"TC-PJ-001": D(2026, 5, 1)}, {"TC-PJ-001": None})
    assert out["projects_credit"].tolist() == [0.5, 0.5] and out["investment_credit_cny_wan"].tolist() == [0.0, 0.0]


def test_of_two_transfers_of_a_project_the_one_that_brought_it_where_it_settled_counts():
    first = accepted(on=D(2026, 1, 5), id=1, origin="liuhe", destination="shaxi")
    second = accepted(on=D(2026, 6, 1), id=2, origin="shaxi", destination="port", percent=40)
    out = rows(tc.credits([first, second]), {"TC-PJ-001": D(2026, 8, 1)})
    assert out[["district", "role", "share"]].values.tolist() == [["shaxi", "origin", 0.4], ["port", "destination", 0.6]]
    early = rows(tc.credits([first, second]), {"TC-PJ-001": D(2026, 3, 1)})  # settled between the two
    assert early["district"].tolist() == ["liuhe", "shaxi"] and early["transfer_id"].tolist() == [1, 1]


def test_29_february_plus_five_years_is_28_february():
    assert tc.years_after(D(2028, 2, 29), 5) == D(2033, 2, 28)


def test_totals_add_up_credit_and_transfers_out_and_in_per_district_and_period():
    a = accepted(code="A", id=1)
    b = accepted(code="B", id=2, origin="shaxi", destination="liuhe", percent=30)
    out = tc.credit_rows(tc.credits([a, b]), {"A": D(2026, 5, 1), "B": D(2026, 7, 1)}, {"A": 10_000.0, "B": 5_000.0},
                         lambda day: str(day.year))
    totals = tc.totals(out).set_index("district")
    assert totals.loc["liuhe", "projects_credit"] == pytest.approx(0.5 + 0.7)
    assert totals.loc["liuhe", "investment_credit_cny_wan"] == pytest.approx(5_000 + 3_500)
    assert totals.loc["shaxi", "investment_credit_cny_wan"] == pytest.approx(5_000 + 1_500)
    assert (totals.loc["liuhe", "transfers_out"], totals.loc["liuhe", "transfers_in"]) == (1, 1)
    assert tc.totals(out.iloc[0:0]).empty


def test_settlement_days_are_the_first_settled_stage_in_force():
    events = pd.DataFrame([
        {"id": 1, "project_code": "A", "stage": "signed", "happened_on": D(2026, 1, 1), "corrects_id": None},
        {"id": 2, "project_code": "A", "stage": "registered", "happened_on": D(2026, 2, 1), "corrects_id": None},
        {"id": 3, "project_code": "A", "stage": "registered", "happened_on": D(2026, 3, 1), "corrects_id": 2},
        {"id": 4, "project_code": "A", "stage": "production", "happened_on": D(2026, 9, 1), "corrects_id": None},
        {"id": 5, "project_code": "B", "stage": "negotiating", "happened_on": D(2026, 1, 1), "corrects_id": None},
    ])
    assert tc.settlement_days(events) == {"A": D(2026, 3, 1)}
