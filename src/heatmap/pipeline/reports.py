"""The bi-monthly reports (每两月上报, seed 二(一)): the calendar, who has reported, snapshots, what changed
between two reports, and the valid-lead test (有效项目信息).

- Calendar: six periods a year, Jan–Feb … Nov–Dec (`periods`, `period_of`); each is due a number of days
  after it ends (default 10: the 10th of the next month, so the Nov–Dec report is due on 10 January of the
  next year), with per-period overrides for holidays (the Spring Festival moves the Jan–Feb report). The
  days are calendar days, not working days: a rule everybody can count without a holiday table.
- Status (`status`): per district, submitted on time or late (the first submission counts; a correction
  after it is recorded and counted, and changes neither), missing and overdue, or open (not due yet).
- A report freezes a snapshot of the district's pipeline (`snapshot`): the records as they were, as plain
  values. `prefill` offers the current pipeline with what changed since the last report marked, so a
  district confirms and answers only what is new (collect once: 安福 cut its reports by two thirds by
  filling what the system knew).
- `period_diff` compares two snapshots of a district (new, advanced, stalled, put on hold, dropped, gone,
  amounts changed and by how much in CNY); `city_rollup` adds the districts up; `report_tables` gives them
  as labelled tables for a page and an Excel download, in Chinese or English, with no empty cells. Tables
  name projects by code name unless asked for the names (reports are a shared surface).
- `valid_lead` applies the valid-lead rules (泰兴 2022) to one project and says why; the facts it needs
  beyond the model's fields are optional record keys, and a fact not given is "not known", never guessed.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from heatmap import i18n
from heatmap.model import (
    FX_TO_CNY,
    PROJECT_FIELDS,
    STAGE_GROUP,
    Stage,
    StageGroup,
    is_missing,
)
from heatmap.pipeline import projects as pj
from heatmap.pipeline.projects import Reason, StageEvent

# Optional facts of a project record that the valid-lead test reads (bool; missing: not known).
LEAD_FACTS = ("has_feasibility_study", "decision_level_visit", "is_technical_upgrade")

DEFAULT_RULES: dict[str, Any] = {
    # A period's report is due this many calendar days after the period's last day: 10 puts it on the
    # 10th of the next month (漯河 scores reports on time and complete; the seed names no date).
    "due_days_after_end": 10,
    # Due dates that differ, by period key ("2027-1" is Jan–Feb 2027): {"2027-1": "2027-03-15"}.
    "due_overrides": {},
    # Stalled: no progress (a step forward) in this many periods, or for this many days (null: not used);
    # the same rule as pipeline.projects.stalled.
    "stalled_periods": 2,
    "stalled_days": None,
    # An amount counts as changed when it moved by at least this much, in 万元 CNY (0: any change).
    "amount_change_min_cny_wan": 0.0,
    # The valid-lead test (有效项目信息), after 泰兴 (2022): a project of at least 1 亿元 (10,000 万元 CNY
    # at the reference rates) or a technical upgrade, with an investment plan, business plan or feasibility
    # study (`has_feasibility_study`), and at least one visit with decision-level talks or negotiated
    # terms (`decision_level_visit`). Each criterion can be switched off.
    "valid_lead": {
        "min_investment_cny_wan": 10000.0,
        "technical_upgrade_qualifies": True,
        "require_plan": True,
        "require_decision_contact": True,
    },
}


def validate_rules(rules: Mapping[str, Any]) -> list[Reason]:
    """What is wrong with an edited rules mapping (empty: it may be stored), as reasons to show an
    administrator; each names the setting it is about in its `rule` param (a key, or "valid_lead.<key>")."""
    missing = [Reason("pipeline_reports.rules.missing", {"rule": name}) for name in DEFAULT_RULES if name not in rules]
    if missing:
        return missing
    problems = []
    days = rules["due_days_after_end"]
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 60:
        problems.append(Reason("pipeline_reports.rules.due_days", {"rule": "due_days_after_end", "value": days}))
    overrides = rules["due_overrides"]
    if not isinstance(overrides, Mapping):
        problems.append(Reason("pipeline_reports.rules.overrides_shape", {"rule": "due_overrides"}))
    else:
        for key, value in overrides.items():
            try:
                period = _period_from_key(key)
                due = dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                problems.append(Reason("pipeline_reports.rules.override_unreadable",
                                       {"rule": "due_overrides", "period": key, "value": value}))
                continue
            if due <= period[2]:
                problems.append(Reason("pipeline_reports.rules.override_too_early",
                                       {"rule": "due_overrides", "period": key, "due_on": due, "end_on": period[2]}))
    problems += [p for p in pj.validate_rules(dict(pj.DEFAULT_RULES, stalled_periods=rules["stalled_periods"],
                                                   stalled_days=rules["stalled_days"]))
                 if p.params.get("rule") in ("stalled_periods", "stalled_days")]
    change = rules["amount_change_min_cny_wan"]
    if isinstance(change, bool) or not isinstance(change, (int, float)) or not change >= 0 or math.isinf(change):
        problems.append(Reason("pipeline_reports.rules.not_positive", {"rule": "amount_change_min_cny_wan", "value": change}))
    lead = rules["valid_lead"]
    names = {"min_investment_cny_wan", "technical_upgrade_qualifies", "require_plan", "require_decision_contact"}
    if not isinstance(lead, Mapping) or set(lead) != names:
        problems.append(Reason("pipeline_reports.rules.valid_lead_shape", {"rule": "valid_lead"}))
    else:
        threshold = lead["min_investment_cny_wan"]
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                      or not threshold >= 0 or math.isinf(threshold)):
            problems.append(Reason("pipeline_reports.rules.not_positive",
                                   {"rule": "valid_lead.min_investment_cny_wan", "value": threshold}))
        for flag in sorted(names - {"min_investment_cny_wan"}):
            if not isinstance(lead[flag], bool):
                problems.append(Reason("pipeline_reports.rules.not_a_flag", {"rule": f"valid_lead.{flag}", "value": lead[flag]}))
    return problems


# --- the calendar ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One bi-monthly reporting period: `index` 1 (Jan–Feb) to 6 (Nov–Dec) of `year`, and its due date."""

    year: int
    index: int
    start: dt.date
    end: dt.date
    due: dt.date

    @property
    def key(self) -> str:
        return f"{self.year}-{self.index}"

    def label(self, lang: str) -> str:
        return i18n.t(f"pipeline_reports.period.{self.index}", lang, year=self.year)

    def shifted(self, n: int, rules: Mapping[str, Any] = DEFAULT_RULES) -> Period:
        """The period `n` periods later (earlier for a negative `n`)."""
        count = self.year * 6 + self.index - 1 + n
        return period(count // 6, count % 6 + 1, rules)


def _period_from_key(key: str) -> tuple[int, int, dt.date]:
    year, index = (int(part) for part in str(key).split("-"))
    if not 1 <= index <= 6 or not 1900 < year < 10000:
        raise ValueError(key)
    end_month = index * 2
    end = dt.date(year + (end_month == 12), end_month % 12 + 1, 1) - dt.timedelta(days=1)
    return year, index, end


def period(year: int, index: int, rules: Mapping[str, Any] = DEFAULT_RULES) -> Period:
    """Period `index` (1–6) of `year`, with its due date from the rules."""
    _, _, end = _period_from_key(f"{year}-{index}")
    override = rules["due_overrides"].get(f"{year}-{index}")
    due = dt.date.fromisoformat(override) if override else end + dt.timedelta(days=rules["due_days_after_end"])
    return Period(year, index, dt.date(year, index * 2 - 1, 1), end, due)


def period_from_key(key: str, rules: Mapping[str, Any] = DEFAULT_RULES) -> Period:
    year, index, _ = _period_from_key(key)
    return period(year, index, rules)


def periods(year: int, rules: Mapping[str, Any] = DEFAULT_RULES) -> list[Period]:
    """The six reporting periods of `year`, Jan–Feb to Nov–Dec."""
    return [period(year, index, rules) for index in range(1, 7)]


def period_of(day: dt.date, rules: Mapping[str, Any] = DEFAULT_RULES) -> Period:
    """The reporting period `day` falls in."""
    return period(day.year, (day.month - 1) // 2 + 1, rules)


def _local_date(moment: dt.date | dt.datetime | pd.Timestamp) -> dt.date:
    """Taicang's date of a moment: naive moments are UTC (as stored), dates are taken as they are."""
    if isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    if isinstance(moment, dt.datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        return aware.astimezone(i18n.LOCAL_TZ).date()
    return moment


STATUS_COLUMNS = ("district", "state", "due", "submitted_at", "days_late", "corrections", "last_correction_at", "reason")


def status(period: Period, submissions: Iterable[Mapping[str, Any]], districts: Iterable[str], today: dt.date) -> pd.DataFrame:
    """Where each district stands with `period`'s report on `today` (Taicang's date): one row per district.

    `submissions` are records with `district`, `period` (a key), `submitted_at` (naive UTC) and, for a
    correction, `corrects` (what it corrects; any non-empty value). The first submission decides on time or
    late; corrections are counted. States: on_time, late, overdue (missing, past due), open (not due yet)."""
    mine: dict[str, list[Mapping[str, Any]]] = {}
    for sub in submissions:
        if sub.get("period") == period.key:
            mine.setdefault(sub["district"], []).append(sub)
    rows = []
    for district in districts:
        subs = sorted(mine.get(district, []), key=lambda s: pd.Timestamp(s["submitted_at"]))
        firsts = [s for s in subs if is_missing(s.get("corrects"))] or subs[:1]
        corrections = [s for s in subs if s is not firsts[0]] if firsts else []
        row = {"district": district, "due": period.due, "submitted_at": None, "days_late": 0, "corrections": len(corrections),
               "last_correction_at": corrections[-1]["submitted_at"] if corrections else None}
        if firsts:
            first = firsts[0]
            day = _local_date(first["submitted_at"])
            late = (day - period.due).days
            row.update(submitted_at=first["submitted_at"], days_late=max(late, 0))
            if late > 0:
                row.update(state="late", reason=Reason("pipeline_reports.status.late", {"due": period.due, "on": day, "days": late}))
            else:
                row.update(state="on_time", reason=Reason("pipeline_reports.status.on_time", {"due": period.due, "on": day}))
        elif today > period.due:
            days = (today - period.due).days
            row.update(state="overdue", days_late=days, reason=Reason("pipeline_reports.status.overdue", {"due": period.due, "days": days}))
        else:
            row.update(state="open", reason=Reason("pipeline_reports.status.open", {"due": period.due, "days": (period.due - today).days}))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def reminders(district: str, submissions: Iterable[Mapping[str, Any]], today: dt.date, rules: Mapping[str, Any] = DEFAULT_RULES,
              lookback: int = 6) -> list[tuple[Period, Reason]]:
    """What a district's landing page reminds its staff of: each of the last `lookback` ended periods
    without a report (open or overdue), oldest first."""
    subs = list(submissions)
    current = period_of(today, rules)
    out = []
    for back in range(lookback, 0, -1):
        p = current.shifted(-back, rules)
        row = status(p, subs, [district], today).iloc[0]
        if row["state"] in ("open", "overdue"):
            out.append((p, row["reason"]))
    return out


# --- snapshots and pre-filled reports --------------------------------------------------------------

# The fields a report compares and shows: the model's project fields (the geometry as lon/lat) and the
# code name and valid-lead facts, which the store keeps beside them.
COMPARED_FIELDS = tuple(dict.fromkeys(
    [f.name for f in PROJECT_FIELDS if f.name != "geometry"] + ["code_name", "lon", "lat", *LEAD_FACTS]
))  # code_name is a model field now too: each name once


def _plain(value: Any) -> Any:
    """A value as plain Python: None for every kind of missing, dates as dates, numbers as int/float."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    return value


@dataclass(frozen=True)
class Snapshot:
    """A district's pipeline as reported for a period: plain records, one per project, by code."""

    district: str
    period: str  # period key
    records: tuple[dict, ...]

    def by_code(self) -> dict[str, dict]:
        return {r["code"]: r for r in self.records}

    def as_record(self) -> dict[str, Any]:
        return {"district": self.district, "period": self.period, "records": [dict(r) for r in self.records]}


def snapshot(projects_frame: pd.DataFrame, district: str, period: Period) -> Snapshot:
    """Freeze the district's projects (the frame holds them as they were at the period's end) as plain
    records: the compared fields that are present, no geometry object, no pandas or numpy values."""
    rows = projects_frame[projects_frame["district"] == district]
    names = [n for n in COMPARED_FIELDS if n in rows.columns]
    records = tuple(sorted(({n: _plain(rec[n]) for n in names} for rec in rows[names].to_dict("records")),
                           key=lambda r: r["code"]))
    return Snapshot(district, period.key, records)


def _same(a: Any, b: Any) -> bool:
    a, b = _plain(a), _plain(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The compared fields whose value differs between two records of one project."""
    return [n for n in COMPARED_FIELDS if (n in before or n in after) and not _same(before.get(n), after.get(n))]


def prefill(current_projects: Sequence[Mapping[str, Any]] | pd.DataFrame, last_snapshot: Snapshot | None) -> list[dict]:
    """The next report, filled from the current pipeline: one row per current project with its record,
    its status against the last report (new, changed, unchanged) and the fields that changed, and one row
    ("missing") per project of the last report that is not in the pipeline any more (the district says
    what became of it). Only new and changed rows need answers."""
    if isinstance(current_projects, pd.DataFrame):
        names = [n for n in COMPARED_FIELDS if n in current_projects.columns]
        current_projects = current_projects[names].to_dict("records")
    last = last_snapshot.by_code() if last_snapshot else {}
    rows, seen = [], set()
    for rec in current_projects:
        plain = {n: _plain(v) for n, v in rec.items() if n in COMPARED_FIELDS}
        code = plain["code"]
        seen.add(code)
        if code not in last:
            rows.append({"code": code, "status": "new", "changed": [], "record": plain})
            continue
        changed = changed_fields(last[code], plain)
        rows.append({"code": code, "status": "changed" if changed else "unchanged", "changed": changed, "record": plain,
                     "before": {n: last[code].get(n) for n in changed}})
    for code, rec in last.items():
        if code not in seen:
            rows.append({"code": code, "status": "missing", "changed": [], "record": dict(rec)})
    order = {"new": 0, "changed": 1, "missing": 2, "unchanged": 3}
    return sorted(rows, key=lambda r: (order[r["status"]], r["code"]))


# --- the valid-lead test ---------------------------------------------------------------------------


def cny_wan(record: Mapping[str, Any]) -> float | None:
    """A record's investment in 万元 CNY at the reference rates; None when not known."""
    amount = _plain(record.get("investment_wan"))
    if amount is None:
        return None
    return float(amount) * FX_TO_CNY.get(record.get("currency") or "CNY", 1.0)


def valid_lead(project: Mapping[str, Any], rules: Mapping[str, Any] = DEFAULT_RULES) -> tuple[bool | None, list[Reason]]:
    """Whether the project is a valid lead (有效项目信息): True, False, or None when a fact is not known
    (and nothing fails); with one reason per criterion, met or not or not known."""
    lead = rules["valid_lead"]
    verdicts: list[bool | None] = []
    reasons: list[Reason] = []

    def add(verdict: bool | None, key: str, **params):
        verdicts.append(verdict)
        reasons.append(Reason(f"pipeline_reports.lead.{key}", params))

    threshold = lead["min_investment_cny_wan"]
    if threshold is not None:
        amount = cny_wan(project)
        upgrade = _fact(project, "is_technical_upgrade") if lead["technical_upgrade_qualifies"] else False
        if amount is not None and amount >= threshold:
            add(True, "amount_met", amount=amount, threshold=threshold)
        elif upgrade is True:
            add(True, "upgrade_met")
        elif amount is None:
            add(None, "amount_unknown", threshold=threshold)
        elif upgrade is None:
            add(None, "amount_below_upgrade_unknown", amount=amount, threshold=threshold)
        else:
            add(False, "amount_below", amount=amount, threshold=threshold)
    if lead["require_plan"]:
        plan = _fact(project, "has_feasibility_study")
        add(plan, {True: "plan_met", False: "plan_missing", None: "plan_unknown"}[plan])
    if lead["require_decision_contact"]:
        contact = _fact(project, "decision_level_visit")
        add(contact, {True: "contact_met", False: "contact_missing", None: "contact_unknown"}[contact])
    if False in verdicts:
        return False, reasons
    return (None if None in verdicts else True), reasons


def _fact(project: Mapping[str, Any], name: str) -> bool | None:
    value = _plain(project.get(name))
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    return None  # a value that is no yes or no is not a known fact


def valid_lead_counts(projects: pd.DataFrame | Sequence[Mapping[str, Any]], rules: Mapping[str, Any] = DEFAULT_RULES,
                      by: Sequence[str] = ("district", "period")) -> pd.DataFrame:
    """Valid, not valid and not known leads, counted by the `by` columns that the records have (default:
    per district and period; a snapshot's records carry no period: pass them with one, or by=("district",))."""
    records = projects.to_dict("records") if isinstance(projects, pd.DataFrame) else list(projects)
    keys = [k for k in by if any(k in r for r in records)] or [k for k in by if k == "district"]
    rows = []
    for rec in records:
        verdict, _ = valid_lead(rec, rules)
        rows.append({**{k: rec.get(k) for k in keys}, "verdict": {True: "valid", False: "not_valid", None: "not_known"}[verdict]})
    columns = ["valid", "not_valid", "not_known"]
    if not rows:
        return pd.DataFrame(columns=[*keys, *columns, "total"])
    frame = pd.DataFrame(rows)
    counts = pd.crosstab([frame[k] for k in keys], frame["verdict"]).reindex(columns=columns, fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts.columns.name = None
    return counts.reset_index()


# --- what changed between two reports --------------------------------------------------------------

DETAILS = ("new", "advanced", "stalled", "on_hold", "dropped", "gone", "amount_changed")
_IDENTITY = ("district", "code", "code_name", "name", "investor")
DETAIL_COLUMNS: dict[str, tuple[str, ...]] = {
    "new": (*_IDENTITY, "stage", "category", "investment_wan", "currency", "investment_cny_wan"),
    "advanced": (*_IDENTITY, "stage_before", "stage", "investment_cny_wan"),
    "stalled": (*_IDENTITY, "stage", "since", "days", "investment_cny_wan"),
    "on_hold": (*_IDENTITY, "stage_before", "reason", "since", "investment_cny_wan"),
    "dropped": (*_IDENTITY, "stage_before", "reason", "since", "investment_cny_wan"),
    "gone": (*_IDENTITY, "stage_before", "investment_cny_wan"),
    "amount_changed": (*_IDENTITY, "currency", "before_wan", "after_wan", "before_cny_wan", "after_cny_wan", "change_cny_wan",
                       "change_pct"),
}
# The summary: projects per reporting group (在谈 / 签约 / 落户) and on hold / dropped as they stand, the
# investment of those not dropped, then how many of each detail (put on hold / dropped: in this period).
GROUP_COLUMNS = ("n_negotiating", "n_signed", "n_settled", "n_on_hold", "n_dropped")
DETAIL_COUNT = {"new": "n_new", "advanced": "n_advanced", "stalled": "n_stalled", "on_hold": "n_put_on_hold",
                "dropped": "n_dropped_now", "gone": "n_gone", "amount_changed": "n_amount_changed"}
SUMMARY_COLUMNS = ("district", "period", "projects", *GROUP_COLUMNS, "investment_cny_wan", "n_signed_once",
                   "signed_once_cny_wan", *DETAIL_COUNT.values(),
                   "amount_change_cny_wan", "leads_valid", "leads_not_known")


@dataclass(frozen=True)
class PeriodDiff:
    """What changed in a district's pipeline from one report to the next: a summary row and the details."""

    district: str
    period: str
    summary: dict[str, Any]
    details: dict[str, pd.DataFrame] = field(default_factory=dict)


def _identity(rec: Mapping[str, Any], district: str) -> dict[str, Any]:
    return {"district": district, "code": rec["code"], "code_name": rec.get("code_name") or "",
            "name": rec.get("name") or "", "investor": rec.get("investor") or ""}


def period_diff(previous_snapshot: Snapshot | None, current_snapshot: Snapshot, events: Iterable[StageEvent],
                rules: Mapping[str, Any] = DEFAULT_RULES, signed: tuple[int, float] = (0, 0.0)) -> PeriodDiff:
    """Compare a district's report with its previous one (None: its first report, every project is new).

    - new: in this report, not in the last; gone: in the last, not in this one (transferred or removed);
    - advanced: a later stage of the order than in the last report (from on hold: than the stage before it);
    - on hold / dropped: newly so since the last report, with the reason of the event;
    - stalled: no progress for the rules' periods as of the period's end, computed from the stage events
      (a project without events is not judged);
    - amount changed: an investment known in both reports that moved by at least the rules' minimum, in
      万元 CNY at the reference rates (projects in foreign currency keep their own amounts beside);
    - `signed`: the projects signed in the period and their amount in 万元 CNY, counted once by the rules of
      `pipeline.figures` (a figure of the city's, not of one snapshot: the caller counts it)."""
    period = period_from_key(current_snapshot.period, rules)
    district = current_snapshot.district
    before = previous_snapshot.by_code() if previous_snapshot else {}
    now = current_snapshot.by_code()
    history = pj.by_project(events)
    rows: dict[str, list[dict]] = {name: [] for name in DETAILS}
    for code, rec in now.items():
        ident = _identity(rec, district)
        cny = cny_wan(rec)
        stage = rec.get("stage")
        evs = [e for e in history.get(code, []) if e.on <= period.end]
        last_event = evs[-1] if evs else None
        old = before.get(code)
        if old is None:
            rows["new"].append({**ident, "stage": stage, "category": rec.get("category"), "investment_wan": rec.get("investment_wan"),
                                "currency": rec.get("currency") or "CNY", "investment_cny_wan": cny})
        else:
            old_stage = old.get("stage")
            old_place = old_stage
            if old_stage == Stage.ON_HOLD and history.get(code):
                prev_end = period_from_key(previous_snapshot.period, rules).end
                resumed = pj.resume_stage(history[code], prev_end)
                old_place = resumed.value if resumed is not None else old_stage
            was_at, now_at = pj.stage_order(old_place), pj.stage_order(stage)
            if was_at is not None and now_at is not None and now_at > was_at:
                rows["advanced"].append({**ident, "stage_before": old_stage, "stage": stage, "investment_cny_wan": cny})
            rows["amount_changed"] += _amount_change(ident, old, rec, rules)
        if stage in (Stage.ON_HOLD, Stage.DROPPED) and (old is None or old.get("stage") != stage):
            stop = last_event if last_event is not None and str(last_event.stage) == stage else None
            place = pj.resume_stage(evs).value if evs else (old.get("stage") if old else "")
            rows[str(stage)].append({**ident, "stage_before": place, "reason": (stop.reason if stop else None) or "",
                                     "since": stop.on if stop else None, "investment_cny_wan": cny})
        if evs:
            is_stalled, why = pj.stalled(evs, period.end, rules)
            if is_stalled:
                rows["stalled"].append({**ident, "stage": stage, "since": why.params["since"],
                                        "days": (period.end - why.params["since"]).days, "investment_cny_wan": cny})
    for code, old in before.items():
        if code not in now:
            rows["gone"].append({**_identity(old, district), "stage_before": old.get("stage"), "investment_cny_wan": cny_wan(old)})
    details = {name: pd.DataFrame(rows[name], columns=list(DETAIL_COLUMNS[name])) for name in DETAILS}
    summary = _summary(district, period.key, list(now.values()), details, rules)
    summary["n_signed_once"], summary["signed_once_cny_wan"] = signed
    return PeriodDiff(district, period.key, summary, details)


def _amount_change(ident: dict, old: Mapping[str, Any], new: Mapping[str, Any], rules: Mapping[str, Any]) -> list[dict]:
    before, after = cny_wan(old), cny_wan(new)
    if before is None or after is None:
        return []
    change = after - before
    if abs(change) < 1e-9 or abs(change) < rules["amount_change_min_cny_wan"]:
        return []
    currency = new.get("currency") or "CNY"
    return [{**ident, "currency": currency, "before_wan": old.get("investment_wan"), "after_wan": new.get("investment_wan"),
             "before_cny_wan": before, "after_cny_wan": after, "change_cny_wan": change,
             "change_pct": change / before * 100 if before else None}]


def _summary(district: str, period: str, records: list[dict], details: Mapping[str, pd.DataFrame], rules) -> dict[str, Any]:
    groups = {"n_negotiating": StageGroup.NEGOTIATING, "n_signed": StageGroup.SIGNED, "n_settled": StageGroup.SETTLED}
    stages = [r.get("stage") for r in records]
    out: dict[str, Any] = {"district": district, "period": period, "projects": len(records)}
    for column, group in groups.items():
        out[column] = sum(1 for s in stages if s is not None and STAGE_GROUP.get(Stage(s)) is group)
    out["n_on_hold"] = stages.count(Stage.ON_HOLD.value)
    out["n_dropped"] = stages.count(Stage.DROPPED.value)
    out["investment_cny_wan"] = sum(cny_wan(r) or 0.0 for r in records if r.get("stage") != Stage.DROPPED)
    for name in DETAILS:
        out[DETAIL_COUNT[name]] = len(details[name])
    out["amount_change_cny_wan"] = float(details["amount_changed"]["change_cny_wan"].sum()) if len(details["amount_changed"]) else 0.0
    verdicts = [valid_lead(r, rules)[0] for r in records]
    out["leads_valid"], out["leads_not_known"] = verdicts.count(True), sum(1 for v in verdicts if v is None)
    return out


@dataclass(frozen=True)
class CityReport:
    """The districts' diffs of one period added up: a summary row per district and one for the city,
    and every district's details in one table each."""

    period: str
    summary: pd.DataFrame
    details: dict[str, pd.DataFrame]


CITY = "_city"  # the district column of the city's total row


def city_rollup(diffs: Sequence[PeriodDiff]) -> CityReport:
    """The city's report of one period from its districts' diffs (all of the same period)."""
    periods_seen = {d.period for d in diffs}
    if len(periods_seen) > 1:
        raise ValueError(f"diffs of several periods: {sorted(periods_seen)}")
    period = periods_seen.pop() if periods_seen else ""
    summary = pd.DataFrame([d.summary for d in diffs], columns=list(SUMMARY_COLUMNS))
    total = {c: summary[c].sum() for c in SUMMARY_COLUMNS if c not in ("district", "period")}
    summary = pd.concat([summary, pd.DataFrame([{"district": CITY, "period": period, **total}])], ignore_index=True)
    details = {name: pd.concat([d.details[name] for d in diffs], ignore_index=True) if diffs
               else pd.DataFrame(columns=list(DETAIL_COLUMNS[name])) for name in DETAILS}
    return CityReport(period, summary, details)


# --- as people read them ---------------------------------------------------------------------------

_MONEY = {"investment_cny_wan", "signed_once_cny_wan", "before_cny_wan", "after_cny_wan", "change_cny_wan", "amount_change_cny_wan"}
_STAGES = {"stage", "stage_before"}


def report_tables(report: PeriodDiff | CityReport, lang: str, district_names: Mapping[str, str], show_names: bool = False,
                  rules: Mapping[str, Any] = pj.DEFAULT_RULES) -> dict[str, pd.DataFrame]:
    """The report as labelled tables, sheet title -> table, for a page and `export.to_excel`: headers,
    stages, categories, reasons, districts and dates in `lang`; amounts in 万元 CNY rounded to two decimals;
    no empty cells ("–" where a figure is not known). Projects are named by code name; `show_names` adds
    the project's name and investor (for the district's own staff and the office only)."""
    summary = report.summary if isinstance(report, CityReport) else pd.DataFrame([report.summary], columns=list(SUMMARY_COLUMNS))
    tables = {i18n.t("pipeline_reports.sheet.summary", lang): _labelled(summary.drop(columns=["period"]), lang, district_names, rules)}
    for name in DETAILS:
        frame = report.details[name]
        drop = ["code"] + ([] if show_names else ["name", "investor"])
        tables[i18n.t(f"pipeline_reports.sheet.{name}", lang)] = _labelled(frame.drop(columns=drop), lang, district_names, rules)
    return tables


def _cell(name: str, value: Any, lang: str, district_names: Mapping[str, str], rules) -> Any:
    value = _plain(value)
    if name == "district":
        return i18n.t("pipeline_reports.city", lang) if value == CITY else district_names.get(value, value or "–")
    if value is None or value == "":
        return "–"
    if name in _STAGES:
        return i18n.label("stage", value, lang)
    if name == "category":
        return i18n.label("category", value, lang)
    if name == "currency":
        return i18n.label("currency", value, lang)
    if name == "reason":
        return pj.stop_reason_label(value, lang, rules)
    if name in _MONEY or name in ("investment_wan", "before_wan", "after_wan"):
        return round(float(value), 2)
    if name == "change_pct":
        return round(float(value), 1)
    if isinstance(value, dt.date):
        return i18n.fmt_date(value, lang)
    return value


def _labelled(frame: pd.DataFrame, lang: str, district_names: Mapping[str, str], rules) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(frame)))
    for name in frame.columns:
        values = [_cell(name, v, lang, district_names, rules) for v in frame[name].tolist()]
        out[i18n.t(f"pipeline_reports.col.{name}", lang)] = pd.Series(values, dtype=object)
    return out


def status_table(frame: pd.DataFrame, lang: str, district_names: Mapping[str, str]) -> pd.DataFrame:
    """`status` as people read it: district, state, due date, submitted at, days late, corrections, why."""
    out = pd.DataFrame(index=range(len(frame)))
    for name in STATUS_COLUMNS:
        values = []
        for value in frame[name].tolist():
            value = _plain(value)
            if name == "district":
                value = district_names.get(value, value)
            elif name == "state":
                value = i18n.t(f"pipeline_reports.state.{value}", lang)
            elif name == "reason":
                value = reason_text(value, lang)
            elif value is None:
                value = "–"
            elif isinstance(value, dt.datetime):
                value = i18n.fmt_datetime(value, lang)
            elif isinstance(value, dt.date):
                value = i18n.fmt_date(value, lang)
            values.append(value)
        out[i18n.t(f"pipeline_reports.col.{name}", lang)] = pd.Series(values, dtype=object)
    return out


def reason_text(reason: Reason, lang: str) -> str:
    """A reason of this module as a sentence in `lang` (money, dates and stages named)."""
    params = {}
    for name, value in reason.params.items():
        if name in ("amount", "threshold"):
            value = i18n.fmt_cny_wan(value, lang)
        elif isinstance(value, dt.date):
            value = i18n.fmt_date(value, lang)
        params[name] = value
    return pj.reason_text(Reason(reason.key, params), lang)
