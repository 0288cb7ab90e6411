"""Signed figures, counted once (三明), from what the store holds: the projects, their stage events and the
office's duplicate decisions, turned into the events `counting.count_events` reads.

- every stage event is a counting event of kind "stage" (reaching a signing stage is a signing); an event
  corrected by a later one (`corrects_id`) is replaced by its correction;
- a pair the office decided to be the same project is a merge of the retired record into the kept one (the
  record still held): the retired record's events count as the kept record's, so the project counts once, for
  the earlier signing of the two, in the kept record's district;
- an accepted transfer (pipeline.transferflow) is a counting event of kind "transfer" (from, to, on): the
  project's figures are attributed to the destination (or, by the counting rules, stay where each event
  happened);
- the figure of a period is the signings (projects and amounts, yuan) whose date falls in it.

The reports' summary, the map's district figures and the scoreboard all read `counted_rows` (the first two
through `signed_figures`), so they cannot count differently.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from heatmap.model import is_missing
from heatmap.pipeline import counting

COLUMNS = ("district", "period", "projects", "amount_cny")


def _day(value: Any) -> dt.date | None:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return value.date() if isinstance(value, dt.datetime) else value


def counting_input(projects: pd.DataFrame, stage_events: pd.DataFrame, decisions: pd.DataFrame,
                   transfers: Sequence[Mapping[str, Any]] = ()) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records and events `counting.count_events` needs: the projects held now (plus, for each record the
    office retired as a duplicate, a stand-in carrying the kept record's district and amount), their stage
    events in force, one merge event per "same" decision, and the accepted transfers (counting events of kind
    "transfer": project_code, from, to, on; pipeline.transferflow.moves) of projects held."""
    records = {rec["code"]: rec for rec in projects.to_dict("records")}
    events: list[dict[str, Any]] = []
    for rec in decisions.to_dict("records") if len(decisions) else []:
        if rec["outcome"] != "same":
            continue
        a, b = rec["code_a"], rec["code_b"]
        kept, retired = (a, b) if a in records and b not in records else (b, a) if b in records and a not in records else (None, None)
        if kept is None:  # both held (not applied) or neither (both gone since): nothing to merge
            continue
        records[retired] = {"code": retired, "district": records[kept].get("district"),
                            "currency": records[kept].get("currency"), "investment_wan": records[kept].get("investment_wan")}
        events.append({"project_code": retired, "kind": "merge", "into": kept, "on": _day(rec["decided_at"])})
    corrected = set(stage_events["corrects_id"].dropna().astype(int)) if len(stage_events) else set()
    for rec in stage_events.to_dict("records") if len(stage_events) else []:
        if rec["id"] in corrected or rec["project_code"] not in records:
            continue
        events.append({"project_code": rec["project_code"], "kind": "stage", "stage": rec["stage"],
                       "on": _day(rec["happened_on"])})
    events += [{**move, "on": _day(move["on"])} for move in transfers if move["project_code"] in records]
    return list(records.values()), events


def counted_rows(projects: pd.DataFrame, stage_events: pd.DataFrame, decisions: pd.DataFrame,
                 period_of: Callable[[dt.date], str], rules: Mapping[str, Any] = counting.DEFAULT_RULES,
                 transfers: Sequence[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """What each event counts (`counting.count_events`' countable rows, per project: the scoreboard reads
    which projects they are), from what the store holds."""
    records, events = counting_input(projects, stage_events, decisions, transfers)
    if not events:
        return pd.DataFrame(columns=list(counting.COLUMNS))
    return counting.count_events(records, events, rules, period_of=period_of)


def signed_figures(projects: pd.DataFrame, stage_events: pd.DataFrame, decisions: pd.DataFrame,
                   period_of: Callable[[dt.date], str], rules: Mapping[str, Any] = counting.DEFAULT_RULES,
                   transfers: Sequence[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """Projects signed and the amount signed (yuan), counted once, per district and period (`period_of` names
    a day's period, e.g. the reporting calendar's key); a transferred project's with its destination (by the
    counting rules' `transfer_attribution`). Columns: district, period, projects, amount_cny."""
    rows = counted_rows(projects, stage_events, decisions, period_of, rules, transfers)
    if rows.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    return counting.signed_totals(rows, by=("district", "period"))[list(COLUMNS)]


def of_period(figures: pd.DataFrame, period: str) -> dict[str, tuple[int, float]]:
    """District -> (projects signed, amount signed in 万元 CNY) of one period."""
    rows = figures[figures["period"] == period]
    return {d: (int(n), float(a) / 10_000) for d, n, a in zip(rows["district"], rows["projects"], rows["amount_cny"])}
