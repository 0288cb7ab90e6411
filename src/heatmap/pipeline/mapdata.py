"""The pipeline on the heat map: which project records a reporting period shows, how a viewer sees them
there, and which report figure colours the districts.

- The periods offered are those for which at least one district has submitted a report, newest first.
- A period shows, for each district, the projects of its latest submission for that period (a correction
  replaces what it corrects); a district that submitted nothing for it is shown with its pipeline as it
  stood at the end of the period's last day, and is named as not reported.
- Those who work the projects (the district's own staff, the office, administrators) see the records in
  full; a leader sees each project by its code name (代号) with only the fields `projects.shared_view`
  allows, and a project without a code name not at all.
- The districts can be coloured by a figure of the period's city report (`reports.city_rollup`'s summary)
  or of its scoreboard (points or figures; shares such as the verified share in per cent).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import geopandas as gpd
import pandas as pd

from heatmap.access import Viewer
from heatmap.pipeline import library, workflow
from heatmap.pipeline import projects as pj
from heatmap.pipeline import scoreboard as sb
from heatmap.pipeline import reports as rp
from heatmap.store import Store, records_frame

# Figures of a city report's summary a leader can colour the districts by, in the order offered.
FIGURES = ("n_new", "n_advanced", "n_signed_once", "signed_once_cny_wan", "n_stalled", "n_dropped_now", "leads_valid",
           "amount_change_cny_wan")
# And every figure and point item of the period's scoreboard ("score.<figure>", "score.pts.<item>"), total first.
SCORE_FIGURES = ("score.pts.total", *(f"score.pts.{item}" for item in sb.POINT_COLUMNS if item != "total"),
                 *(f"score.{name}" for name in sb.FIGURES))
COLOUR_FIGURES = (*FIGURES, *SCORE_FIGURES)
MONEY_FIGURES = frozenset({"amount_change_cny_wan", "signed_once_cny_wan", "score.signed_cny_wan", "score.settled_cny_wan",
                           "score.credit_settled_cny_wan", "score.transfer_credit_cny_wan"})
_WHOLE = {f"score.{name}" for name in ("new_valid_leads", "signed_projects", "settled_projects", "transfers_out", "transfers_in",
                                       "carriers_added", "carriers_revived", "stalled_projects", "double_counted",
                                       "report_days_late", "revived_m2", *sb.GRADE_COLUMNS.values())}


@dataclass(frozen=True)
class PeriodProjects:
    """The project records a reporting period shows, and which districts they come from how."""

    period: rp.Period
    projects: gpd.GeoDataFrame  # shaped like Store.projects()
    reported: tuple[str, ...]  # districts shown as they reported
    not_reported: tuple[str, ...]  # districts shown as their pipeline stood at the period's end


def reported_periods(store: Store, rules: Mapping[str, Any] = rp.DEFAULT_RULES) -> list[rp.Period]:
    """The periods for which at least one district submitted a report, newest first."""
    keys = set(store.reports()["period"])
    return sorted((rp.period_from_key(key, rules) for key in keys), key=lambda p: (p.year, p.index), reverse=True)


def period_end(period: rp.Period) -> dt.datetime:
    """The moment a period's pipeline is read at when a district did not report: the end of its last day."""
    return dt.datetime.combine(period.end, dt.time.max)


def period_projects(store: Store, period: rp.Period, districts: Sequence[str], as_of_end: pd.DataFrame) -> PeriodProjects:
    """The projects the period shows: each district's latest submitted snapshot for it; for a district
    that submitted none, its projects in `as_of_end` (the records as they stood at `period_end(period)`).

    A project is shown once: a report's record wins over the pipeline at the period's end, and of two
    reports holding it (it moved between districts) the later submission."""
    by_code: dict[str, dict] = {}
    reported, not_reported, report_ids = [], [], []
    for district in districts:
        report_id = workflow.latest_report_id(store, district, period)
        if report_id is None:
            not_reported.append(district)
        else:
            reported.append(district)
            report_ids.append((report_id, district))
    late = as_of_end[as_of_end["district"].isin(not_reported)]
    for rec in late.to_dict("records"):
        by_code[rec["code"]] = rec
    for report_id, district in sorted(report_ids):
        for rec in store.report_snapshot(report_id):
            by_code[rec["code"]] = {**rec, "district": rec.get("district") or district}
    return PeriodProjects(period, records_frame("project", by_code.values()), tuple(reported), tuple(not_reported))


def sees_records(viewer: Viewer) -> bool:
    """Whether the map shows this viewer whole project records (their own work), not code-name views."""
    return library.sees_names(viewer)


def as_shown(projects: gpd.GeoDataFrame, viewer: Viewer, rules: Mapping[str, Any] = pj.DEFAULT_RULES) -> gpd.GeoDataFrame:
    """The project records (already those the viewer may read) as the map shows them: whole for those who
    work them; for the others one row per project with a code name, holding only the fields
    `projects.shared_view` allows (no code, name or investor)."""
    if sees_records(viewer):
        return projects
    columns = [c for c in rules["shared_fields"] if c in projects.columns and c not in pj.NEVER_SHARED]
    rows = [view for view in (pj.shared_view(rec, viewer, rules) for rec in projects.to_dict("records")) if view]
    frame = pd.DataFrame(rows, columns=columns)
    geometry = frame["geometry"] if "geometry" in frame else None
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=projects.crs), crs=projects.crs)


def district_figure(report: rp.CityReport, figure: str) -> pd.Series:
    """One figure of a city report's summary per district code (the city's total row left out)."""
    if figure not in FIGURES:
        raise ValueError(f"not a figure to colour districts by: {figure!r}")
    summary = report.summary[report.summary["district"] != rp.CITY]
    return pd.Series(summary[figure].astype(float).to_numpy(), index=summary["district"].to_numpy(), name=figure)


def score_figure(board: sb.Board, figure: str) -> pd.Series:
    """One scoreboard figure or point item per district code (shares in per cent)."""
    if figure not in SCORE_FIGURES:
        raise ValueError(f"not a scoreboard figure: {figure!r}")
    name = figure.removeprefix("score.pts.") if figure.startswith("score.pts.") else figure.removeprefix("score.")
    values = board.value(name)
    return values * 100 if figure in ("score.verified_share", "score.report_completeness") else values


def figure_decimals(figure: str) -> int:
    """Decimals a figure's values are shown with on the map: none for counts, one for points and rates."""
    return 1 if figure in SCORE_FIGURES and figure not in _WHOLE and figure not in MONEY_FIGURES else 0
