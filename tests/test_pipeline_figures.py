"""Signed figures from what the store holds, counted once: a project counts for its first signing, in the
period of that day; two records the office found to be one project count once; a corrected stage event is
replaced by its correction. The reports' summary reads these figures."""
import datetime as dt

import pandas as pd
import pytest

from heatmap.model import FX_TO_CNY
from heatmap.pipeline import figures, workflow
from heatmap.pipeline import reports as rp

PROJECTS = pd.DataFrame([
    {"code": "A", "district": "liuhe", "investment_wan": 20000.0, "currency": "CNY", "stage": "registered"},
    {"code": "B", "district": "port", "investment_wan": 1000.0, "currency": "EUR", "stage": "signed"},
    {"code": "C", "district": "port", "investment_wan": 5000.0, "currency": "CNY", "stage": "negotiating"},
])
NO_DECISIONS = pd.DataFrame(columns=["code_a", "code_b", "outcome", "decided_at"])


def events(*rows):
    return pd.DataFrame([{"id": i + 1, "project_code": code, "stage": stage, "happened_on": dt.date.fromisoformat(on),
                          "corrects_id": corrects} for i, (code, stage, on, corrects) in enumerate(rows)],
                        columns=["id", "project_code", "stage", "happened_on", "corrects_id"])


def bimonth(day: dt.date) -> str:
    return rp.period_of(day).key


def test_a_project_counts_once_for_its_first_signing_in_the_period_of_that_day():
    stage_events = events(("A", "negotiating", "2026-01-05", None), ("A", "signed", "2026-03-10", None),
                          ("A", "registered", "2026-05-20", None))
    out = figures.signed_figures(PROJECTS, stage_events, NO_DECISIONS, bimonth)
    assert out.to_dict("records") == [{"district": "liuhe", "period": "2026-2", "projects": 1, "amount_cny": 200_000_000.0}]
    assert figures.of_period(out, "2026-2") == {"liuhe": (1, 20000.0)}
    assert figures.of_period(out, "2026-3") == {}  # registering after signing adds nothing


def test_amounts_in_a_foreign_currency_count_in_yuan_at_the_reference_rate():
    out = figures.signed_figures(PROJECTS, events(("B", "signed", "2026-07-01", None)), NO_DECISIONS, bimonth)
    assert out.iloc[0]["amount_cny"] == pytest.approx(1000 * 10_000 * FX_TO_CNY["EUR"])


def test_stages_before_signing_count_nothing():
    out = figures.signed_figures(PROJECTS, events(("C", "first_contact", "2026-01-05", None),
                                                  ("C", "negotiating", "2026-02-01", None)), NO_DECISIONS, bimonth)
    assert out.empty and list(out.columns) == list(figures.COLUMNS)


def test_two_records_the_office_found_to_be_one_project_count_once_for_the_earlier_signing():
    # D (retired into A, no longer held) was signed in January in another district; A in March
    stage_events = events(("D", "signed", "2026-01-15", None), ("A", "signed", "2026-03-10", None))
    same = pd.DataFrame([{"code_a": "A", "code_b": "D", "outcome": "same", "decided_at": dt.datetime(2026, 4, 1, 9)}])
    out = figures.signed_figures(PROJECTS, stage_events, same, bimonth)
    assert out.to_dict("records") == [{"district": "liuhe", "period": "2026-1", "projects": 1, "amount_cny": 200_000_000.0}]


def test_records_found_to_be_different_projects_both_count():
    held = pd.concat([PROJECTS, pd.DataFrame([{"code": "D", "district": "shaxi", "investment_wan": 3000.0,
                                               "currency": "CNY", "stage": "signed"}])], ignore_index=True)
    different = pd.DataFrame([{"code_a": "A", "code_b": "D", "outcome": "different", "decided_at": dt.datetime(2026, 4, 1)}])
    out = figures.signed_figures(held, events(("D", "signed", "2026-01-15", None), ("A", "signed", "2026-03-10", None)),
                                 different, bimonth)
    assert sorted(map(tuple, out[["district", "projects"]].values.tolist())) == [("liuhe", 1), ("shaxi", 1)]


def test_a_corrected_stage_event_is_replaced_by_its_correction():
    # the signing was first recorded in March, then corrected to May
    stage_events = events(("A", "signed", "2026-03-10", None), ("A", "signed", "2026-05-02", 1))
    out = figures.signed_figures(PROJECTS, stage_events, NO_DECISIONS, bimonth)
    assert out[["period", "projects"]].values.tolist() == [["2026-3", 1]]


def test_events_of_records_no_longer_held_are_left_out():
    out = figures.signed_figures(PROJECTS, events(("GONE", "signed", "2026-03-10", None)), NO_DECISIONS, bimonth)
    assert out.empty


def test_the_city_report_counts_each_signing_once_and_its_total_adds_up(store):
    from heatmap import bootstrap
    bootstrap.load_sample(store, n_carriers=60, n_projects=80)
    projects = store.projects()
    rules = workflow.rules(store)
    signed = workflow.signed(store, projects, rules)
    assert signed["projects"].sum() > 0
    period = rp.period_from_key(signed.sort_values("projects").iloc[-1]["period"], rules)
    city = workflow.city_report(store, period, projects, list(store.districts()["code"]), rules)
    rows = city.summary.set_index("district")
    expected = figures.of_period(signed, period.key)
    for district, (n, amount) in expected.items():
        assert rows.loc[district, "n_signed_once"] == n
        assert rows.loc[district, "signed_once_cny_wan"] == pytest.approx(amount)
    assert rows.loc[rp.CITY, "n_signed_once"] == sum(n for n, _ in expected.values())
