"""What the scoreboard of a period reads, gathered from the store (no Streamlit here; `ui` caches the boards
by data version): the period's project records as `mapdata.period_projects` shows them (the latest
submitted reports, else the pipeline at the period's end) and the previous period's, the signings and
settlements counted once (`figures.counted_rows`), the stage events, the report status, the carriers at
the period's start and end, the office's "same project" decisions, and the transfers with their credit.

Transfers: `transfers_of` reads the accepted transfers' credit from `pipeline.transfercredit` (the split in
force when each transfer was accepted, while it holds); accepted transfers also go into the counting as
"transfer" events, so a transferred project's figures sit with its destination.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from heatmap.model import is_missing
from heatmap.pipeline import figures, mapdata, rulebook, transfercredit, transferflow, workflow
from heatmap.pipeline import reports as rp
from heatmap.pipeline import scoreboard as sb
from heatmap.store import Store

CARRIER_FIELDS = ("code", "name", "district", "kind", "area_m2", "leasable_m2", "vacant_m2", "verified_on")


def rules(store: Store) -> tuple[int | None, Mapping[str, Any]]:
    """The scoreboard rules in force (version, document)."""
    return rulebook.current(store, "scoreboard")


def _carriers(state: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([{"code": code, **rec} for code, rec in state.items()])
    frame = frame.reindex(columns=list(CARRIER_FIELDS))
    for column in ("area_m2", "leasable_m2", "vacant_m2"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def _retired_district(store: Store, code: str) -> str | None:
    """The district a record retired as a duplicate was in when it was last held."""
    for _, change in store.record_changes("project", code, limit=5):
        last = change.before or change.after
        if last and not is_missing(last.get("district")):
            return str(last["district"])
    return None


def double_counted(store: Store, projects: pd.DataFrame, period_of) -> pd.DataFrame:
    """One row per record the office decided to be the same project as a record still held (the retired
    record's district, the decision's period): it reported a project another record already holds."""
    held = set(projects["code"])
    rows = []
    decisions = store.duplicate_decisions()
    for rec in decisions.to_dict("records") if len(decisions) else []:
        if rec["outcome"] != "same":
            continue
        a, b = rec["code_a"], rec["code_b"]
        retired = b if a in held and b not in held else a if b in held and a not in held else None
        district = _retired_district(store, retired) if retired else None
        if district:
            rows.append({"district": district, "period": period_of(pd.Timestamp(rec["decided_at"]).date()), "project_code": retired})
    return pd.DataFrame(rows, columns=list(sb.DOUBLE_COLUMNS))


def transfers_of(store: Store, period_of) -> pd.DataFrame:
    """The accepted transfers' credit for projects that settled (scoreboard.TRANSFER_COLUMNS), per period
    (pipeline.transfercredit: the origin's and the destination's shares while the split holds)."""
    rows = transfercredit.transfer_credits(store, period_of)
    return sb.empty_transfers() if rows.empty else rows[list(sb.TRANSFER_COLUMNS)].reset_index(drop=True)


def _moment(day: dt.date, now: dt.datetime) -> dt.datetime:
    return min(dt.datetime.combine(day, dt.time.max), now)


def gather(store: Store, period: rp.Period, districts: Sequence[str], today: dt.date,
           now: dt.datetime | None = None) -> sb.Inputs:
    """The scoreboard's inputs for `period` (status of reports as of `today`, Taicang's date; `now`, naive
    UTC, caps the carriers' end moment for a period not over yet)."""
    report_rules = workflow.rules(store)
    counting_rules = rulebook.rules(store, "counting")
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    projects = store.projects()
    events, decisions = store.stage_events(), store.duplicate_decisions()
    period_of = lambda day: rp.period_of(day, report_rules).key  # noqa: E731
    moves = transferflow.moves(transferflow.load(store))
    shown = {}
    for p in (period, period.shifted(-1, report_rules)):
        at_end = store.frame_at("project", mapdata.period_end(p))
        shown[p.key] = mapdata.period_projects(store, p, list(districts), at_end).projects
    records = shown[period.key]
    start, end = store.states_at("carrier", [_moment(period.start - dt.timedelta(days=1), now), _moment(period.end, now)],
                                 fields=CARRIER_FIELDS)
    return sb.Inputs(
        period=period, districts=tuple(districts), projects=records, projects_before=shown[period.shifted(-1, report_rules).key],
        signed=figures.counted_rows(projects, events, decisions, period_of, counting_rules, moves),
        settled=figures.counted_rows(projects, events, decisions, period_of, sb.settled_counting_rules(counting_rules), moves),
        investors=projects[["code", "investor_country", "currency"]],
        events=workflow.events(store, list(records["code"])),
        report_status=rp.status(period, workflow.submissions(store), districts, today),
        carriers_start=_carriers(start), carriers_end=_carriers(end), transfers=transfers_of(store, period_of),
        double_counted=double_counted(store, projects, period_of), report_rules=report_rules,
    )


def board(store: Store, period: rp.Period, districts: Sequence[str], today: dt.date) -> sb.Board:
    """The period's scoreboard by the rules in force."""
    return sb.board(gather(store, period, districts, today), rules(store)[1])
