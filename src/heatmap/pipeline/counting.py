"""One project, counted once (三明): the counting rules behind every figure (map, reports, scoreboard).

`count_events(projects, events, rules)` reads the projects' events in date order and says, for each, what
it adds to the figures and why; `signed_totals` adds the countable rows up per district and period. The
rules, from 三明 (pipeline-rules.md):
- a project counts once, for the event where it was first signed (a second signing adds nothing);
- an upgrade (技改 / 升级) counts only the upgrade's own investment;
- a capital increase (增资) counts only the increment;
- a change of investor makes no new project: later rows carry the new investor, and a rise of the total
  investment it states counts as an increment (a fall is not subtracted: figures once counted stay);
- a transferred project's figures are attributed to the destination district (how credit is shared between
  origin and destination is the transfer and grading modules' business: `recorded_district` keeps where
  the project was when each event happened);
- two records merged as duplicates are one project: the merged record's events count as the kept record's
  (so the earlier signing of either counts, once, for the kept record's district);
- a project dropped (放弃) and signed again is the same project: the new signing counts nothing unless the
  rules say otherwise (`count_resigning`).

Events are plain mappings:
    project_code  the project record's code (required)
    kind          signed | stage | upgrade | capital_increase | investor_change | transfer | dropped | merge
    on            the date it happened (a date, datetime or ISO text)
    stage         for kind "stage" (a stage change from the projects module): a stage in `signing_stages`
                  is a signing, one in `drop_stages` a drop, any other counts nothing
    investment_wan, currency   signed/stage: the amount signed (default: the project's); upgrade: its own
                  amount (required)
    increment_wan | new_total_wan, currency   capital_increase (one of the two); investor_change: new_total_wan
    investor      investor_change: the new investor
    to, from      transfer: destination (required) and origin district
    into          merge: the code of the record this one was merged into
    district      optional: the district the event happened in (default: as the transfers say, else the record's)
Amounts are in 万 of their currency and counted in CNY (yuan) at the reference rates (`amount_cny`).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from heatmap.model import FX_TO_CNY, Stage, investment_cny_wan, is_missing
from heatmap.pipeline.reasons import Reason

EVENT_KINDS = ("signed", "stage", "upgrade", "capital_increase", "investor_change", "transfer", "dropped", "merge")

DEFAULT_RULES: dict[str, Any] = {
    # The period a figure falls in: "bimonth" (the seed's 每两月 reports: 2025-B1 is January–February),
    # "month" (2025-03), "quarter" (2025-Q1) or "year" (2025). The reports module may pass its own calendar.
    "period": "bimonth",
    # Stage changes that are a signing: reaching 签约 or any later stage (a project found registered without a
    # recorded signing was signed by then).
    "signing_stages": [Stage.SIGNED.value, Stage.REGISTERED.value, Stage.APPROVAL.value, Stage.CONSTRUCTION.value,
                       Stage.PRODUCTION.value],
    # Stage changes that drop a project (放弃, the projects module's stage name).
    "drop_stages": [Stage.DROPPED.value],
    # 三明: a project counts once. True would count a project signed again after being dropped as new.
    "count_resigning": False,
    # "destination": every figure of a transferred project sits with the district it was transferred to
    # (宁德: output and investment are counted in the receiver's statistics); "at_event": each figure stays with
    # the district the project was in when it happened.
    "transfer_attribution": "destination",
}
_RULE_KEYS = set(DEFAULT_RULES)
PERIODS = ("bimonth", "month", "quarter", "year")

COLUMNS = ("project_code", "record_code", "district", "recorded_district", "period", "on", "kind", "amount_cny",
           "projects", "investor", "counted", "reason", "reason_params")


def validate_rules(rules: Mapping[str, Any]) -> list[Reason]:
    """What is wrong with edited counting rules (empty: they can be stored); each reason names its setting in
    its `item` or `rule` param."""
    problems = [Reason("counting.rules.unknown_key", {"item": k}) for k in sorted(set(rules) - _RULE_KEYS)]
    problems += [Reason("counting.rules.missing_key", {"item": k}) for k in sorted(_RULE_KEYS - set(rules))]
    if rules.get("period") not in PERIODS:
        problems.append(Reason("counting.rules.period", {"rule": "period", "value": str(rules.get("period"))}))
    for key in ("signing_stages", "drop_stages"):
        value = rules.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(Reason("counting.rules.stage_list", {"item": key}))
    if isinstance(rules.get("signing_stages"), list) and not rules["signing_stages"]:
        problems.append(Reason("counting.rules.no_signing_stage", {"rule": "signing_stages"}))
    both = set(rules.get("signing_stages") or ()) & set(rules.get("drop_stages") or ())
    if both:
        problems.append(Reason("counting.rules.stage_in_both", {"rule": "drop_stages", "stages": sorted(both)}))
    if not isinstance(rules.get("count_resigning"), bool):
        problems.append(Reason("counting.rules.not_a_flag", {"item": "count_resigning"}))
    if rules.get("transfer_attribution") not in ("destination", "at_event"):
        problems.append(Reason("counting.rules.attribution", {"rule": "transfer_attribution", "value": str(rules.get("transfer_attribution"))}))
    return problems


def amount_cny(record: Mapping[str, Any], field: str = "investment_wan") -> float | None:
    """An amount given in 万 of the record's `currency` (CNY when empty), in yuan; None when it is unknown.

    Uses the model's reference rates (model.investment_cny_wan); a currency the model does not know is an
    error, not silently yuan.
    """
    amount = record.get(field)
    if is_missing(amount):
        return None
    currency = record.get("currency")
    currency = "CNY" if is_missing(currency) else currency
    if currency not in FX_TO_CNY:
        raise ValueError(f"unknown currency {currency!r}")
    return investment_cny_wan(float(amount), currency) * 10_000


def period_label(day: dt.date, period: str = "bimonth") -> str:
    """The period a day falls in, as a label: 2025-B3 (May–June), 2025-05, 2025-Q2 or 2025."""
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if period == "year":
        return str(day.year)
    return f"{day.year}-B{(day.month - 1) // 2 + 1}"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _event_problem(ev: Mapping[str, Any], projects: Mapping[str, Mapping], rules: Mapping[str, Any]) -> Reason | None:
    """Why an event cannot be counted at all (None: it can)."""
    code = ev.get("project_code")
    kind = ev.get("kind")
    if is_missing(code):
        return Reason("counting.bad.no_project")
    if kind not in EVENT_KINDS:
        return Reason("counting.bad.kind", {"project": code, "value": str(kind)})
    if _as_date(ev.get("on")) is None:
        return Reason("counting.bad.date", {"project": code, "value": str(ev.get("on"))})
    if code not in projects:
        return Reason("counting.bad.unknown_project", {"project": code})
    currency = ev.get("currency")
    if not is_missing(currency) and currency not in FX_TO_CNY:
        return Reason("counting.bad.currency", {"project": code, "value": str(currency)})
    if kind == "stage" and is_missing(ev.get("stage")):
        return Reason("counting.bad.no_stage", {"project": code})
    if kind == "upgrade" and _number(ev, "investment_wan") is None:
        return Reason("counting.bad.no_amount", {"project": code, "event_kind": kind})
    if kind == "capital_increase" and _number(ev, "increment_wan") is None and _number(ev, "new_total_wan") is None:
        return Reason("counting.bad.no_amount", {"project": code, "event_kind": kind})
    if kind == "transfer" and is_missing(ev.get("to")):
        return Reason("counting.bad.no_destination", {"project": code})
    if kind == "merge":
        into = ev.get("into")
        if is_missing(into) or into not in projects:
            return Reason("counting.bad.merge_target", {"project": code, "into": str(into)})
        if into == code:
            return Reason("counting.bad.merge_into_itself", {"project": code})
    for name in ("investment_wan", "increment_wan", "new_total_wan"):
        value = ev.get(name)
        if not is_missing(value) and (_number(ev, name) is None or _number(ev, name) < 0):
            return Reason("counting.bad.amount", {"project": code, "value": str(value)})
    return None


def _number(ev: Mapping[str, Any], name: str) -> float | None:
    value = ev.get(name)
    if is_missing(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _cny(ev: Mapping[str, Any], name: str, project: Mapping[str, Any]) -> float | None:
    currency = ev.get("currency")
    currency = project.get("currency") if is_missing(currency) else currency
    return amount_cny({name: _number(ev, name), "currency": currency}, name)


def _merged_into(events: Sequence[Mapping[str, Any]]) -> tuple[dict[str, str], set[int]]:
    """Each merged record's final kept code (chains followed), and the indexes of merges that would loop."""
    into: dict[str, str] = {}
    looping: set[int] = set()
    for i, ev in events:
        target = ev["into"]
        seen, cursor = {ev["project_code"]}, target
        while cursor in into:
            cursor = into[cursor]
            if cursor in seen:
                break
        if cursor in seen:
            looping.add(i)
            continue
        into[ev["project_code"]] = target
    final = {}
    for code in into:
        cursor = code
        while cursor in into:
            cursor = into[cursor]
        final[code] = cursor
    return final, looping


def _records(projects: Any) -> dict[str, Mapping[str, Any]]:
    rows = projects.to_dict("records") if hasattr(projects, "to_dict") else list(projects)
    return {row["code"]: row for row in rows}


def count_events(projects: Any, events: Iterable[Mapping[str, Any]], rules: Mapping[str, Any] = DEFAULT_RULES, *,
                 include_skipped: bool = False, period_of: Callable[[dt.date], str] | None = None) -> pd.DataFrame:
    """What each event adds to the figures: one row per countable event (every event with `include_skipped`).

    Columns: project_code (the kept record: a merged duplicate's events count for the record it was merged
    into), record_code (the record the event was reported on), district (where the figure is attributed),
    recorded_district (where the project was when it happened), period, on, kind (a stage signing is
    "signed"), amount_cny (what it adds, yuan), projects (1 on the row that counts the project, else 0),
    investor, counted, reason (an i18n key) and reason_params.
    """
    problems = validate_rules(rules)
    if problems:
        raise ValueError("; ".join(str(p) for p in problems))
    by_code = _records(projects)
    period_fn = period_of or (lambda day: period_label(day, rules["period"]))
    indexed = list(enumerate(events))
    rows: list[dict[str, Any]] = []

    def skip(i: int, ev: Mapping[str, Any], reason: Reason) -> None:
        day = _as_date(ev.get("on"))
        rows.append({"_i": i, "project_code": str(ev.get("project_code") or ""), "record_code": str(ev.get("project_code") or ""),
                     "district": "", "recorded_district": "", "period": period_fn(day) if day else "", "on": day,
                     "kind": str(ev.get("kind") or ""), "amount_cny": 0.0, "projects": 0, "investor": "",
                     "counted": False, "reason": reason.key, "reason_params": dict(reason.params)})

    good: list[tuple[int, Mapping[str, Any]]] = []
    for i, ev in indexed:
        problem = _event_problem(ev, by_code, rules)
        if problem:
            skip(i, ev, problem)
        else:
            good.append((i, ev))
    kept, looping = _merged_into([(i, ev) for i, ev in good if ev["kind"] == "merge"])
    for i, ev in good:
        if i in looping:
            skip(i, ev, Reason("counting.bad.merge_loop", {"project": ev["project_code"], "into": ev["into"]}))
    good = [(i, ev) for i, ev in good if i not in looping]

    groups: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for i, ev in good:
        groups.setdefault(kept.get(ev["project_code"], ev["project_code"]), []).append((i, ev))
    for code, group in groups.items():
        rows += _count_project(code, group, by_code, rules, period_fn)

    frame = pd.DataFrame(rows, columns=["_i", *COLUMNS]).sort_values(["on", "_i"], kind="stable")
    frame = frame.drop(columns="_i").reset_index(drop=True)
    frame["amount_cny"] = frame["amount_cny"].astype(float)
    frame["projects"] = frame["projects"].astype(int)
    frame["counted"] = frame["counted"].astype(bool)
    if not include_skipped:
        frame = frame[frame["counted"]].reset_index(drop=True)
    return frame


def _count_project(code: str, group: list[tuple[int, Mapping[str, Any]]], by_code: Mapping[str, Mapping[str, Any]],
                   rules: Mapping[str, Any], period_fn: Callable[[dt.date], str]) -> list[dict[str, Any]]:
    """The rows of one project (its own events and those of the records merged into it), in date order."""
    group = sorted(group, key=lambda item: (_as_date(item[1]["on"]), item[0]))
    kept = by_code[code]
    # where each record was before its first transfer: the transfer's origin, else the record's district
    where: dict[str, str] = {}
    for _, ev in group:
        rec = ev["project_code"]
        if rec not in where:
            first_transfer = next((e for _, e in group if e["project_code"] == rec and e["kind"] == "transfer"), None)
            origin = first_transfer.get("from") if first_transfer is not None else None
            where[rec] = origin if not is_missing(origin) else by_code[rec].get("district") or ""
    # where the project lands: the kept record's last transfer, else its district (a merged record's moves
    # do not move the kept one)
    transfers = [e for _, e in group if e["kind"] == "transfer" and e["project_code"] == code]
    destination = transfers[-1]["to"] if transfers else kept.get("district") or ""
    signing, dropping = set(rules["signing_stages"]), set(rules["drop_stages"])
    investor = kept.get("investor")
    investor = "" if is_missing(investor) else str(investor)
    signed_on: dt.date | None = None
    signed_record = ""
    dropped_on: dt.date | None = None
    counted_any = False
    total = 0.0
    out = []
    for i, ev in group:
        rec, kind, day = ev["project_code"], ev["kind"], _as_date(ev["on"])
        project = by_code[rec]
        if kind == "stage":
            stage = ev["stage"]
            kind = "signed" if stage in signing else "dropped" if stage in dropping else "stage"
        before = where[rec]
        if kind == "transfer":
            where[rec] = ev["to"]
        recorded = ev.get("district") if not is_missing(ev.get("district")) else where[rec]
        if kind == "investor_change" and not is_missing(ev.get("investor")):
            investor = str(ev["investor"])
        amount, projects, reason = 0.0, 0, None
        if kind == "signed":
            value = _cny(ev, "investment_wan", project) if _number(ev, "investment_wan") is not None \
                else amount_cny(project)
            if signed_on is None:  # the first signing: the project counts, with the amount signed
                amount, projects = value or 0.0, 0 if counted_any else 1
                if projects == 0:
                    reason = Reason("counting.first_signing_after_upgrade", {"amount_cny": amount})
                elif value is None:
                    reason = Reason("counting.first_signing_amount_unknown")
                else:
                    reason = Reason("counting.first_signing", {"amount_cny": amount})
                signed_on, signed_record = day, rec
                total += amount
            elif dropped_on is not None and rules["count_resigning"]:
                amount, projects, total = value or 0.0, 1, value or 0.0
                reason = Reason("counting.resigned_counted", {"first_signed_on": signed_on, "dropped_on": dropped_on})
            elif dropped_on is not None:
                reason = Reason("counting.resigned_after_drop", {"first_signed_on": signed_on, "dropped_on": dropped_on})
            elif rec != signed_record:
                reason = Reason("counting.duplicate_signing", {"first_signed_on": signed_on, "record": rec,
                                                               "first_record": signed_record})
            else:
                reason = Reason("counting.already_signed", {"first_signed_on": signed_on})
            dropped_on = None  # signed again: no longer dropped
        elif kind == "upgrade":
            amount = _cny(ev, "investment_wan", project) or 0.0
            projects = 0 if counted_any else 1
            reason = Reason("counting.upgrade", {"amount_cny": amount})
            total += amount
        elif kind in ("capital_increase", "investor_change"):
            amount, reason = _increment(ev, kind, project, total, signed_on, investor)
            total += amount
        elif kind == "transfer":
            origin = before if is_missing(ev.get("from")) else ev["from"]
            reason = Reason("counting.transferred", {"from_district": origin, "to_district": ev["to"]})
        elif kind == "dropped":
            dropped_on = day
            reason = Reason("counting.dropped")
        elif kind == "merge":
            reason = Reason("counting.merged", {"record": rec, "kept": code})
        else:
            reason = Reason("counting.stage_not_counted", {"stage": ev.get("stage")})
        counted = projects == 1 or amount > 0
        counted_any = counted_any or counted
        district = destination if rules["transfer_attribution"] == "destination" else recorded
        out.append({"_i": i, "project_code": code, "record_code": rec, "district": district or "",
                    "recorded_district": recorded or "", "period": period_fn(day), "on": day, "kind": kind,
                    "amount_cny": float(amount), "projects": projects, "investor": investor, "counted": counted,
                    "reason": reason.key, "reason_params": dict(reason.params)})
    return out


def _increment(ev: Mapping[str, Any], kind: str, project: Mapping[str, Any], total: float,
               signed_on: dt.date | None, investor: str) -> tuple[float, Reason]:
    """What a capital increase or a change of investor adds: the rise above what was counted, never less than 0."""
    if _number(ev, "increment_wan") is not None:
        increment = _cny(ev, "increment_wan", project) or 0.0
        new_total = total + increment
    elif _number(ev, "new_total_wan") is not None:
        new_total = _cny(ev, "new_total_wan", project) or 0.0
        increment = new_total - total
    else:  # a change of investor that states no amount
        key = "counting.investor_change_before_signing" if signed_on is None else "counting.investor_changed"
        return 0.0, Reason(key, {"investor": investor})
    if signed_on is None:
        return 0.0, Reason(f"counting.{kind}_before_signing", {"investor": investor})
    if increment <= 0:
        return 0.0, Reason("counting.not_an_increase", {"previous_cny": total, "new_total_cny": new_total})
    key = "counting.increment" if kind == "capital_increase" else "counting.investor_change_increment"
    return increment, Reason(key, {"previous_cny": total, "new_total_cny": new_total, "investor": investor})


def signed_totals(rows: pd.DataFrame, by: Sequence[str] = ("district", "period")) -> pd.DataFrame:
    """The countable rows of `count_events` added up: projects, amount_cny, and the amount by kind (signed_cny,
    upgrade_cny, increase_cny for capital increases and investor changes), one row per `by` group."""
    by = list(by)
    counted = rows[rows["counted"]] if "counted" in rows else rows
    kinds = counted["kind"].map({"signed": "signed_cny", "upgrade": "upgrade_cny", "capital_increase": "increase_cny",
                                 "investor_change": "increase_cny"})
    frame = counted.assign(_bucket=kinds)
    out_columns = [*by, "projects", "amount_cny", "signed_cny", "upgrade_cny", "increase_cny"]
    if frame.empty:
        return pd.DataFrame(columns=out_columns)
    grouped = frame.groupby(by, sort=True)
    out = pd.DataFrame({"projects": grouped["projects"].sum(), "amount_cny": grouped["amount_cny"].sum()})
    split = frame.pivot_table(index=by, columns="_bucket", values="amount_cny", aggfunc="sum", fill_value=0.0)
    for column in ("signed_cny", "upgrade_cny", "increase_cny"):
        out[column] = split[column].reindex(out.index, fill_value=0.0) if column in split else 0.0
    return out.reset_index()[out_columns]
