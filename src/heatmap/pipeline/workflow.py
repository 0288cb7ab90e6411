"""The bi-monthly report as a working step: what a district is asked, what it submits, what changed since its
last report, and the city's view of a period — the pure rules of `reports` and `projects` applied to what
the store holds. Pages call these; nothing here imports Streamlit.

A report is the district's current pipeline frozen as submitted (collect once: nothing is typed again; the
page shows what changed since the last report, and the staffer confirms). A second submission for the same
period is a correction of the latest one and is recorded as such.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

import pandas as pd

from heatmap import i18n
from heatmap.pipeline import figures
from heatmap.pipeline import projects as pj
from heatmap.pipeline import reports as rp
from heatmap.pipeline import rulebook, transferflow
from heatmap.store import Store


def today_in_taicang() -> dt.date:
    return dt.datetime.now(i18n.LOCAL_TZ).date()


def rules(store: Store) -> Mapping[str, Any]:
    """The reporting rules in force: the administrator's newest version over the defaults (rulebook)."""
    return rulebook.rules(store, "reports")


def project_rules(store: Store) -> Mapping[str, Any]:
    """The project rules in force (stalled, code names, the fields a code-name view shares)."""
    return rulebook.rules(store, "projects")


def events(store: Store, codes: Sequence[str] | None = None) -> list[pj.StageEvent]:
    """The stored stage events as the projects module reads them."""
    frame = store.stage_events(codes)
    return [pj.StageEvent.from_record({**rec, "on": rec["happened_on"]}) for rec in frame.to_dict("records")]


def submissions(store: Store) -> list[dict[str, Any]]:
    """Every report submission (corrections included) as the reports module reads them."""
    frame = store.reports()
    return [{**rec, "corrects": rec["corrects_id"]} for rec in frame.to_dict("records")]


def period_to_report(today: dt.date, rules_: Mapping[str, Any]) -> rp.Period:
    """The period a district reports now: the last one that has ended (its report falls due after it)."""
    return rp.period_of(today, rules_).shifted(-1, rules_)


def latest_report_id(store: Store, district: str, period: rp.Period) -> int | None:
    frame = store.reports(district, period.key)
    return None if frame.empty else int(frame["id"].max())


def reported_snapshot(store: Store, district: str, period: rp.Period) -> rp.Snapshot | None:
    """What the district last submitted for the period (its latest correction), None if nothing."""
    report_id = latest_report_id(store, district, period)
    if report_id is None:
        return None
    frame = pd.DataFrame(store.report_snapshot(report_id))
    return rp.snapshot(frame.assign(district=district) if not frame.empty else _empty(district), district, period)


def _empty(district: str) -> pd.DataFrame:
    return pd.DataFrame(columns=["code", "district"])


def current_snapshot(projects: pd.DataFrame, district: str, period: rp.Period) -> rp.Snapshot:
    """The district's pipeline as it is now, as the next report would freeze it."""
    return rp.snapshot(projects, district, period)


def previous_reported(store: Store, district: str, period: rp.Period, rules_: Mapping[str, Any]) -> rp.Snapshot | None:
    """The district's report of the period before (its latest correction), None if it sent none."""
    return reported_snapshot(store, district, period.shifted(-1, rules_))


def submit(store: Store, district: str, period: rp.Period, projects: pd.DataFrame, *, user: str,
           note: str | None = None, at: dt.datetime | None = None) -> int:
    """Freeze the district's current pipeline as its report for `period`; a later submission corrects the
    latest one (store.Conflict if someone submitted in between). `at` (naive UTC) is for the sample, whose
    reports were sent in the past; otherwise the store's clock."""
    mine = projects[projects["district"] == district]
    return store.submit_report(district, period.key, mine.to_dict("records"), user=user, note=note,
                               corrects_id=latest_report_id(store, district, period), at=at)


def signed(store: Store, projects: pd.DataFrame, rules_: Mapping[str, Any]) -> pd.DataFrame:
    """Projects signed and amounts per district and reporting period, each project counted once
    (pipeline.figures: the office's "same project" decisions merge records)."""
    return _signed(store, projects, lambda day: rp.period_of(day, rules_).key)


def _signed(store: Store, projects: pd.DataFrame, period_of) -> pd.DataFrame:
    return figures.signed_figures(projects, store.stage_events(), store.duplicate_decisions(), period_of,
                                  rulebook.rules(store, "counting"), transferflow.moves(transferflow.load(store)))


def signed_in_year(store: Store, projects: pd.DataFrame, year: int) -> tuple[int, float]:
    """Projects signed in a calendar year among `projects` and their amount in 万元 CNY, each project once."""
    counted = _signed(store, projects, lambda day: str(day.year))
    rows = counted[counted["period"] == str(year)]
    return int(rows["projects"].sum()), float(rows["amount_cny"].sum()) / 10_000


def district_diff(store: Store, district: str, period: rp.Period, projects: pd.DataFrame,
                  rules_: Mapping[str, Any], signed_: pd.DataFrame | None = None) -> rp.PeriodDiff:
    """What changed in the district's pipeline from its previous report to this period's (as submitted,
    else as the pipeline stands now, which is what a submission would send)."""
    this = reported_snapshot(store, district, period) or current_snapshot(projects, district, period)
    counted = figures.of_period(signed(store, projects, rules_) if signed_ is None else signed_, period.key)
    return rp.period_diff(previous_reported(store, district, period, rules_), this,
                          events(store, [r["code"] for r in this.records]), rules_, counted.get(district, (0, 0.0)))


def city_report(store: Store, period: rp.Period, projects: pd.DataFrame, districts: Sequence[str],
                rules_: Mapping[str, Any]) -> rp.CityReport:
    """The period's report for the whole city, from each district's submitted report (districts that sent
    none appear with what their pipeline holds now, and the status table says they are late)."""
    counted = signed(store, projects, rules_)
    return rp.city_rollup([district_diff(store, d, period, projects, rules_, counted) for d in districts])
