"""Projects in the pipeline: stage changes as events, what they say about a project, and code names.

A project's stage is not typed in; it follows from its stage events (`StageEvent`), each with the date it
happened, who recorded it and when. From the events come the current stage, the time in it, whether the
project is stalled and its history as a table (seed 一(三): 从项目首次接触至项目投产的标准化推进流程).

The order is 首次接触 → 在谈 → 签约 → 注册 → 报批报建 → 开工 → 投产 (`PROGRESS_STAGES`). Outside it: 搁置 (on
hold) and 放弃 (dropped), each with a reason from the rules. The steps an event may make (`check_event`):
- forward, by one stage or several (a district often hears of a project only when it signs);
- back, only with a note: a step back is a correction of what was recorded, and says why;
- on hold or dropped from any stage, with a reason (and a text for "other");
- from on hold: back to the stage it had before (resuming), dropped, or (with a note) an earlier stage;
- from dropped: only with a note (the project is taken up again), to any stage of the order.
"Progress" is a forward step (and the first event, and taking up a dropped project again): resuming after a hold is not progress, nor is a
correction; so a project that sits on hold, resumes and sits again is stalled all the same.

Code names (代号) stand for a project on every shared surface (leaders' map tooltips, reports and exports
that leave the district): `code_name` gives a neutral one ("TC-2026-037"), never derived from the investor,
the project's name or its internal code (which a district may have formed from the company's initials);
once given it is kept. `shared_view` is the one place that decides which fields of a project a viewer's
shared surface shows (see access.py for the roles).

Events are plain data (`StageEvent.as_record` / `from_record`) for the store. Moments (`recorded_at`) are
naive UTC like every stored moment; dates (`on`, `today`) are Taicang's calendar dates.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from heatmap import i18n
from heatmap.model import PROJECT_FIELD, STAGE_GROUP, Problem, Stage, is_missing

# The stages of the order, first contact to production; on hold and dropped are outside it.
PROGRESS_STAGES: tuple[Stage, ...] = tuple(s for s in Stage if s in STAGE_GROUP)
STOP_STAGES = (Stage.ON_HOLD, Stage.DROPPED)
_ORDER = {s.value: i for i, s in enumerate(PROGRESS_STAGES)}

# Fields that name or point at the company: never on a shared surface, whatever the rules say. `code` is
# the district's own project code, which may be formed from the investor's initials.
NEVER_SHARED = frozenset({"name", "investor", "code", "tech_needs", "investor_country", "reported_by", "carrier_code"})

DEFAULT_RULES: dict[str, Any] = {
    # Stalled (no progress): a project without a forward step in the last `stalled_periods` bi-monthly
    # reporting periods (the one containing the day asked about and those before it), or for
    # `stalled_days` days; either may be null (not used), not both. Two periods is the issue's own rule
    # (停滞: no progress for two reports); 广州 (2004) re-refers a transferred project after one month without
    # real progress, which an administrator can express as stalled_days 30.
    "stalled_periods": 2,
    "stalled_days": None,
    # Reasons a project is put on hold (搁置) or dropped (放弃); the order is the order shown in forms.
    "stop_reasons": ["investor_withdrew", "no_site", "policy", "moved_city", "other"],
    # Reasons that need a text saying what (the note of the event).
    "reasons_needing_text": ["other"],
    # Names of reasons an administrator adds: {"key": ["中文", "English"]}; the default reasons are named
    # in the catalog (i18n/pipeline_projects.py).
    "reason_labels": {},
    # Code names: `pattern` may use {prefix}, {year} (the year the project was first reported) and {number}
    # (1, 2, … within prefix and year; a format spec such as {number:03d} pads it). `prefix` is the city's;
    # `district_prefixes` maps a district code to its own prefix (e.g. {"hitech": "GX"}), so code names
    # read "GX-2026-004"; a district not listed uses `prefix`. A prefix is letters or digits, never taken
    # from a company (confidentiality practice: a code name hinting at the firm led to it).
    "code_name": {"pattern": "{prefix}-{year}-{number:03d}", "prefix": "TC", "district_prefixes": {}},
    # What a code-name view of a project shows (leaders' map tooltips, exports leaving the district):
    # the code name and the facts a map or a report needs, none that names the company (NEVER_SHARED).
    "shared_fields": ["code_name", "category", "sector", "stage", "district", "origin_district", "investment_wan",
                      "currency", "space_kind", "land_needed_mu", "floor_area_needed_m2", "grade", "lon", "lat",
                      "geometry"],
}


@dataclass(frozen=True)
class Reason:
    """Why a function decided as it did: an i18n key and its params (codes and dates; `reason_text` names them)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StageEvent:
    """One stage change of one project: the stage it reached, the day, who recorded it and when.

    `reason` (one of the rules' stop reasons) goes with on hold and dropped; `note` is free text: required
    for the reason "other", for a step back (a correction) and for taking up a dropped project again."""

    project_code: str
    stage: str  # a Stage value
    on: dt.date
    recorded_by: str
    recorded_at: dt.datetime  # naive UTC
    reason: str | None = None
    note: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {"project_code": self.project_code, "stage": str(self.stage), "on": self.on, "recorded_by": self.recorded_by,
                "recorded_at": self.recorded_at, "reason": self.reason, "note": self.note}

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> StageEvent:
        def text(name):
            value = rec.get(name)
            return None if is_missing(value) else str(value)

        on = rec["on"]
        if isinstance(on, pd.Timestamp):
            on = on.date()
        recorded_at = rec["recorded_at"]
        if isinstance(recorded_at, pd.Timestamp):
            recorded_at = recorded_at.to_pydatetime()
        return cls(str(rec["project_code"]), str(rec["stage"]), on, str(rec["recorded_by"]), recorded_at,
                   text("reason"), text("note"))


def validate_rules(rules: Mapping[str, Any]) -> list[Reason]:
    """What is wrong with an edited rules mapping (empty: it may be stored), as reasons to show an
    administrator; each names the setting it is about in its `rule` param (a key, or "code_name.<key>")."""
    problems = [Reason("pipeline_projects.rules.missing", {"rule": name}) for name in DEFAULT_RULES if name not in rules]
    if problems:
        return problems
    periods, days = rules["stalled_periods"], rules["stalled_days"]
    for name, value in (("stalled_periods", periods), ("stalled_days", days)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            problems.append(Reason("pipeline_projects.rules.stalled_whole", {"rule": name, "value": value}))
    if periods is None and days is None:
        problems.append(Reason("pipeline_projects.rules.stalled_never", {"rule": "stalled_periods", "other": "stalled_days"}))
    reasons = rules["stop_reasons"]
    if not isinstance(reasons, list) or not reasons or not all(isinstance(r, str) and re.fullmatch(r"[a-z_]+", r) for r in reasons):
        problems.append(Reason("pipeline_projects.rules.stop_reasons_shape", {"rule": "stop_reasons"}))
    elif len(set(reasons)) != len(reasons):
        problems.append(Reason("pipeline_projects.rules.stop_reason_twice", {"rule": "stop_reasons"}))
    needing = rules["reasons_needing_text"]
    if not isinstance(needing, list) or not set(needing) <= set(reasons if isinstance(reasons, list) else ()):
        problems.append(Reason("pipeline_projects.rules.needing_text", {"rule": "reasons_needing_text", "other": "stop_reasons"}))
    labels = rules["reason_labels"]
    if not isinstance(labels, Mapping) or not all(
            isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, str) and x.strip() for x in v) for v in labels.values()):
        problems.append(Reason("pipeline_projects.rules.reason_labels_shape", {"rule": "reason_labels"}))
    elif isinstance(reasons, list):
        unnamed = [r for r in reasons if r not in labels and not i18n.has(f"pipeline_projects.stop_reason.{r}")]
        if unnamed:
            problems.append(Reason("pipeline_projects.rules.reason_unnamed", {"rule": "stop_reasons", "reasons": unnamed}))
    problems += _code_name_rule_problems(rules["code_name"])
    shared = rules["shared_fields"]
    known = set(PROJECT_FIELD) | {"code_name", "lon", "lat"}
    if not isinstance(shared, list) or not all(isinstance(f, str) for f in shared):
        problems.append(Reason("pipeline_projects.rules.shared_shape", {"rule": "shared_fields"}))
    else:
        if "code_name" not in shared:
            problems.append(Reason("pipeline_projects.rules.shared_needs_code_name", {"rule": "shared_fields"}))
        leaking = sorted(set(shared) & NEVER_SHARED)
        if leaking:
            problems.append(Reason("pipeline_projects.rules.shared_leaks", {"rule": "shared_fields", "fields": leaking}))
        unknown = sorted(set(shared) - known)
        if unknown:
            problems.append(Reason("pipeline_projects.rules.shared_unknown", {"rule": "shared_fields", "fields": unknown}))
    return problems


_PREFIX = re.compile(r"[A-Za-z0-9]{1,6}")


def _code_name_rule_problems(rule: Any) -> list[Reason]:
    if not isinstance(rule, Mapping) or not {"pattern", "prefix", "district_prefixes"} <= set(rule):
        return [Reason("pipeline_projects.rules.code_name_shape", {"rule": "code_name"})]
    problems = []
    pattern = rule["pattern"]
    where = {"rule": "code_name.pattern", "value": pattern}
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None] if isinstance(pattern, str) else None
    except ValueError:
        names, problems = None, [Reason("pipeline_projects.rules.pattern_unreadable", where)]
    if names is not None:
        if not set(names) <= {"prefix", "year", "number"}:
            problems.append(Reason("pipeline_projects.rules.pattern_names", where))
        elif names.count("number") != 1:
            problems.append(Reason("pipeline_projects.rules.pattern_number", where))
        else:
            try:
                pattern.format(prefix="TC", year=2026, number=1)
            except (ValueError, TypeError):
                problems.append(Reason("pipeline_projects.rules.pattern_unreadable", where))
    elif not problems:
        problems.append(Reason("pipeline_projects.rules.pattern_unreadable", where))
    prefixes = rule["district_prefixes"]
    if not isinstance(prefixes, Mapping):
        problems.append(Reason("pipeline_projects.rules.district_prefixes_shape", {"rule": "code_name.district_prefixes"}))
        prefixes = {}
    if not isinstance(rule["prefix"], str) or not _PREFIX.fullmatch(rule["prefix"]):
        problems.append(Reason("pipeline_projects.rules.prefix", {"rule": "code_name.prefix", "value": rule["prefix"]}))
    for district, prefix in prefixes.items():
        if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
            problems.append(Reason("pipeline_projects.rules.district_prefix",
                                   {"rule": "code_name.district_prefixes", "district": district, "value": prefix}))
    return problems


# --- the events of one project ---------------------------------------------------------------------


def stage_order(stage: Any) -> int | None:
    """A stage's place in the order (0 for first contact … 6 for production); None for on hold, dropped
    or anything else."""
    return _ORDER.get(str(stage)) if stage is not None else None


def ordered(events: Iterable[StageEvent]) -> list[StageEvent]:
    """Events in the order they happened: by date, then by when they were recorded."""
    return sorted(events, key=lambda e: (e.on, e.recorded_at))


def by_project(events: Iterable[StageEvent]) -> dict[str, list[StageEvent]]:
    """Events grouped by project, each project's in order."""
    out: dict[str, list[StageEvent]] = {}
    for event in events:
        out.setdefault(event.project_code, []).append(event)
    return {code: ordered(evs) for code, evs in out.items()}


@dataclass(frozen=True)
class Step:
    """One event as a step: what kind of step it was and the stage of the order it leaves the project at."""

    event: StageEvent
    kind: str  # first, forward, back, hold, resume, drop, reopen
    place: str  # the stage of the order the project is at (on hold or dropped: the one it had)


def _replay(events: Iterable[StageEvent]) -> list[Step]:
    """The events, in order, as steps. Assumes events that `check_event` accepted."""
    steps: list[Step] = []
    state: str | None = None  # the stage as recorded (on_hold / dropped included)
    place: str | None = None  # the stage of the order
    for event in ordered(events):
        stage = str(event.stage)
        if state is None:
            kind, place = "first", stage
        elif stage == Stage.ON_HOLD:
            kind = "hold"
        elif stage == Stage.DROPPED:
            kind = "drop"
        elif state == Stage.DROPPED:
            kind, place = "reopen", stage
        elif state == Stage.ON_HOLD and stage == place:
            kind = "resume"
        elif place is not None and stage in _ORDER and place in _ORDER and _ORDER[stage] < _ORDER[place]:
            kind, place = "back", stage
        else:
            kind, place = "forward", stage
        state = stage
        steps.append(Step(event, kind, place))
    return steps


def _until(events: Iterable[StageEvent], on: dt.date | None) -> list[StageEvent]:
    return [e for e in events if on is None or e.on <= on]


def current_stage(events: Iterable[StageEvent], on: dt.date | None = None) -> Stage | None:
    """The project's stage (as of `on`, else after all its events); None before its first event."""
    steps = _replay(_until(events, on))
    return Stage(str(steps[-1].event.stage)) if steps else None


def resume_stage(events: Iterable[StageEvent], on: dt.date | None = None) -> Stage | None:
    """The stage of the order the project is at: for a project on hold, the one it returns to when it
    resumes; for a dropped one, the one it was dropped at; else its current stage."""
    steps = _replay(_until(events, on))
    return Stage(steps[-1].place) if steps else None


def last_progress(events: Iterable[StageEvent], on: dt.date | None = None) -> dt.date | None:
    """The date of the project's last progress: its last forward step, else its first event."""
    dates = [s.event.on for s in _replay(_until(events, on)) if s.kind in ("first", "forward", "reopen")]
    return dates[-1] if dates else None


def time_in_stage(events: Iterable[StageEvent], today: dt.date) -> int | None:
    """Days since the project entered the state it is in on `today` (None before its first event). After
    a hold the days count from the resumption."""
    steps = _replay(_until(events, today))
    return (today - steps[-1].event.on).days if steps else None


def check_event(history: Sequence[StageEvent], event: StageEvent, rules: Mapping[str, Any] = DEFAULT_RULES,
                today: dt.date | None = None) -> list[Problem]:
    """Every problem with recording `event` after the project's `history` (empty: it may be recorded).
    `today` is Taicang's date (default: the date now in Taicang)."""
    today = today or dt.datetime.now(i18n.LOCAL_TZ).date()
    label = event.project_code
    stage = str(event.stage)
    problems: list[Problem] = []

    def problem(field_name: str, key: str, severity: str = "error", **params):
        problems.append(Problem(label, field_name, key, params, severity))

    others = sorted({e.project_code for e in history} - {event.project_code})
    if others:
        problem("stage", "stage_event_other_project", code=", ".join(others))
    if stage not in {s.value for s in Stage}:
        problem("stage", "stage_event_unknown_stage", value=stage)
        return problems
    if not isinstance(event.on, dt.date) or isinstance(event.on, dt.datetime):
        problem("stage_on", "stage_event_no_date", value=str(event.on))
        return problems
    if is_missing(event.recorded_by):
        problem("recorded_by", "stage_event_no_recorder")
    if event.on > today:
        problem("stage_on", "stage_event_in_future", on=event.on, today=today)
    steps = _replay(history)
    last = steps[-1] if steps else None
    if last is not None and event.on < last.event.on:
        problem("stage_on", "stage_event_before_last", on=event.on, last=last.event.on, stage=str(last.event.stage))
    problems += _reason_problems(event, rules)
    note = not is_missing(event.note)
    if last is None:
        if stage in STOP_STAGES:
            problem("stage", "stage_event_first_not_progress", stage=stage)
        return problems
    state, place = str(last.event.stage), last.place
    if stage == state:
        problem("stage", "stage_event_unchanged", stage=stage)
    elif state == Stage.DROPPED:
        if stage == Stage.ON_HOLD:
            problem("stage", "stage_event_hold_after_drop")
        elif not note:
            problem("stage_note", "stage_event_reopen_needs_note", stage=stage)
    elif stage in STOP_STAGES:
        pass  # on hold or dropped from any stage (the reason is checked above)
    elif place in _ORDER and _ORDER[stage] < _ORDER[place]:
        if not note:
            problem("stage_note", "stage_event_back_needs_note", stage=stage, current=place)
    elif state == Stage.ON_HOLD and stage != place:
        problem("stage", "stage_event_resume_elsewhere", stage=stage, before=place)
    if stage not in STOP_STAGES and not is_missing(event.reason):
        problem("stage_reason", "stage_event_reason_not_used", "warning", stage=stage)
    return problems


def _reason_problems(event: StageEvent, rules: Mapping[str, Any]) -> list[Problem]:
    stage = str(event.stage)
    if stage not in STOP_STAGES:
        return []
    label = event.project_code
    if is_missing(event.reason):
        return [Problem(label, "stage_reason", "stage_event_reason_required", {"stage": stage})]
    if event.reason not in rules["stop_reasons"]:
        return [Problem(label, "stage_reason", "stage_event_unknown_reason",
                        {"value": event.reason, "choices": tuple(rules["stop_reasons"])})]
    if event.reason in rules["reasons_needing_text"] and is_missing(event.note):
        return [Problem(label, "stage_note", "stage_event_reason_needs_text", {"reason": event.reason})]
    return []


# --- stalled ---------------------------------------------------------------------------------------


def period_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of the bi-monthly reporting period (Jan–Feb, Mar–Apr, …) holding `day`, or of the
    one `back` periods before it. The calendar itself (due dates, status) is in pipeline.reports."""
    index = day.year * 6 + (day.month - 1) // 2 - back
    return dt.date(index // 6, (index % 6) * 2 + 1, 1)


def stalled(events: Iterable[StageEvent], today: dt.date, rules: Mapping[str, Any] = DEFAULT_RULES) -> tuple[bool, Reason]:
    """Whether the project is stalled on `today` (no progress for the rules' periods or days), and why.

    Only a project moving along the order can stall: one in production has arrived, one on hold or
    dropped is in a state of its own (reports list them as such)."""
    steps = _replay(_until(events, today))
    if not steps:
        return False, Reason("pipeline_projects.stalled.no_events")
    state = str(steps[-1].event.stage)
    if state == Stage.PRODUCTION:
        return False, Reason("pipeline_projects.stalled.arrived")
    if state in STOP_STAGES:
        return False, Reason(f"pipeline_projects.stalled.{state}", {"since": steps[-1].event.on})
    since = last_progress(events, today)
    days = (today - since).days
    periods, limit_days = rules.get("stalled_periods"), rules.get("stalled_days")
    if periods is not None and since < period_start(today, periods - 1):
        return True, Reason("pipeline_projects.stalled.periods", {"since": since, "periods": periods, "stage": state})
    if limit_days is not None and days >= limit_days:
        return True, Reason("pipeline_projects.stalled.days", {"since": since, "days": days, "stage": state})
    return False, Reason("pipeline_projects.stalled.moving", {"since": since, "days": days, "stage": state})


# --- history as a table ----------------------------------------------------------------------------

HISTORY_COLUMNS = ("project_code", "stage", "step", "on", "until", "days", "reason", "note", "recorded_by", "recorded_at")


def stage_history_frame(events: Iterable[StageEvent], today: dt.date | None = None) -> pd.DataFrame:
    """Each project's events as rows: the stage, the kind of step, from when until when (the next event,
    or `today` for the last one; default: the date now in Taicang), the days, reason, note, who and when.
    No empty cells but reason and note (empty text when none)."""
    today = today or dt.datetime.now(i18n.LOCAL_TZ).date()
    rows = []
    for code, evs in by_project(events).items():
        steps = _replay(evs)
        for i, step in enumerate(steps):
            e = step.event
            until = steps[i + 1].event.on if i + 1 < len(steps) else max(today, e.on)
            rows.append({"project_code": code, "stage": str(e.stage), "step": step.kind, "on": e.on, "until": until,
                         "days": (until - e.on).days, "reason": e.reason or "", "note": e.note or "",
                         "recorded_by": e.recorded_by, "recorded_at": e.recorded_at})
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def stage_history_table(frame: pd.DataFrame, lang: str, rules: Mapping[str, Any] = DEFAULT_RULES) -> pd.DataFrame:
    """`stage_history_frame` as people read it: headers, stages, steps, reasons and dates in `lang`."""
    out = pd.DataFrame(index=frame.index)
    for name in HISTORY_COLUMNS:
        column = frame[name]
        if name == "stage":
            column = column.map(lambda v: i18n.label("stage", v, lang))
        elif name == "step":
            column = column.map(lambda v: i18n.t(f"pipeline_projects.step.{v}", lang))
        elif name == "reason":
            column = column.map(lambda v: stop_reason_label(v, lang, rules) if v else "")
        elif name in ("on", "until"):
            column = column.map(lambda v: i18n.fmt_date(v, lang))
        elif name == "recorded_at":
            column = column.map(lambda v: i18n.fmt_datetime(v, lang))
        out[i18n.t(f"pipeline_projects.col.{name}", lang)] = column
    return out


# --- code names and shared surfaces ----------------------------------------------------------------


def code_name(project: Mapping[str, Any], existing_code_names: Iterable[str], rules: Mapping[str, Any] = DEFAULT_RULES,
              today: dt.date | None = None) -> str:
    """The project's code name: the one it has (stable once given), else the next free one of its prefix
    and year (the year it was first reported, else `today`'s). Nothing of it comes from the project's
    name, investor or code."""
    given = project.get("code_name")
    if not is_missing(given):
        return str(given)
    rule = rules["code_name"]
    prefix = rule["district_prefixes"].get(project.get("district"), rule["prefix"])
    reported = project.get("reported_on")
    if isinstance(reported, pd.Timestamp):
        reported = reported.date()
    year = reported.year if isinstance(reported, dt.date) else (today or dt.datetime.now(i18n.LOCAL_TZ).date()).year
    taken = _numbers_taken(rule["pattern"], prefix, year, existing_code_names)
    number = max(taken, default=0) + 1
    return rule["pattern"].format(prefix=prefix, year=year, number=number)


def _numbers_taken(pattern: str, prefix: str, year: int, names: Iterable[str]) -> set[int]:
    regex = ""
    for literal, name, _, _ in string.Formatter().parse(pattern):
        regex += re.escape(literal)
        if name == "prefix":
            regex += re.escape(prefix)
        elif name == "year":
            regex += str(year)
        elif name == "number":
            regex += r"(\d+)"
    compiled = re.compile(regex)
    return {int(m.group(1)) for m in map(compiled.fullmatch, (n for n in names if isinstance(n, str))) if m}


def code_name_problems(name: str, project: Mapping[str, Any]) -> list[Reason]:
    """Why a code name (one typed by a person) would hint at the company: a Chinese character of the
    investor's or project's distinctive name, or three letters in a row of one of their words."""
    found = []
    upper = name.upper()
    for source in ("investor", "name"):
        text = project.get(source)
        if is_missing(text):
            continue
        distinctive = _distinctive(str(text))
        chars = list(dict.fromkeys(ch for ch in name if "\u3400" <= ch <= "\u9fff" and ch in distinctive))
        if chars:
            found.append(Reason("pipeline_projects.code_name.hint_chars", {"field": source, "chars": "".join(chars)}))
        for word in re.findall(r"[A-Za-z]{3,}", distinctive):
            w = word.upper()
            runs = sorted({w[i:i + 3] for i in range(len(w) - 2) if w[i:i + 3] in upper})
            if runs:
                found.append(Reason("pipeline_projects.code_name.hint_letters", {"field": source, "letters": runs[0]}))
                break
    return found


# Words every company name has: they say nothing about which company it is.
_COMMON_WORDS = re.compile(
    r"有限责任公司|股份有限公司|有限公司|集团|公司|科技|实业|项目|中国|太仓|苏州|江苏|上海"
    r"|\b(?:GmbH|AG|SE|KG|Co|Ltd|Inc|LLC|Corp|SAS|SA|K\.K|Group|Holding|China)\b",
    re.IGNORECASE,
)


def _distinctive(text: str) -> str:
    return _COMMON_WORDS.sub(" ", text)


def _role_and_district(viewer: Any) -> tuple[str, str | None]:
    role = getattr(viewer, "role", viewer)
    return str(getattr(role, "value", role)), getattr(viewer, "district", None)


def view_level(project: Mapping[str, Any], viewer: Any) -> tuple[str, Reason]:
    """How a viewer's shared surface shows a project, and why: "full" (the record), "code_name" (the rules'
    shared fields, named by code name) or "none". `viewer` is an access.Viewer, or a role alone.

    The investment office (`office`, 招商局/领导小组办公室) coordinates every district's projects and sees
    them in full, as administrators do; leaders see every project by code name; staff see their own
    district's projects (hosting or first-contact district) by code name once the list leaves the district,
    and no other district's; the public sees none."""
    role, district = _role_and_district(viewer)
    if role in ("office", "admin"):
        return "full", Reason(f"pipeline_projects.view.{role}")
    if role == "leader":
        level, reason = "code_name", Reason("pipeline_projects.view.leader")
    elif role == "staff":
        own = district is not None and district in (project.get("district"), project.get("origin_district"))
        if not own:
            return "none", Reason("pipeline_projects.view.other_district")
        level, reason = "code_name", Reason("pipeline_projects.view.staff_own")
    else:
        return "none", Reason("pipeline_projects.view.public")
    if is_missing(project.get("code_name")):
        return "none", Reason("pipeline_projects.view.no_code_name")
    return level, reason


def shared_view(project: Mapping[str, Any], viewer: Any, rules: Mapping[str, Any] = DEFAULT_RULES) -> dict[str, Any]:
    """The fields of `project` the viewer's shared surface may show (empty: show nothing of it)."""
    level, _ = view_level(project, viewer)
    if level == "full":
        return dict(project)
    if level == "none":
        return {}
    return {name: project[name] for name in rules["shared_fields"] if name in project and name not in NEVER_SHARED}


# --- reasons and problems as sentences -------------------------------------------------------------


def stop_reason_label(reason: str, lang: str, rules: Mapping[str, Any] = DEFAULT_RULES) -> str:
    """The name of a reason for on hold / dropped: from the rules' own labels, else the catalog."""
    own = rules.get("reason_labels", {}).get(reason)
    if own:
        return i18n.pick(own, lang)
    return i18n.t(f"pipeline_projects.stop_reason.{reason}", lang)


def _named_params(params: Mapping[str, Any], lang: str, rules: Mapping[str, Any] = DEFAULT_RULES) -> dict[str, Any]:
    out = {}
    for name, value in params.items():
        if name in ("stage", "current", "before") and isinstance(value, str):
            value = i18n.label("stage", value, lang)
        elif name == "reason":
            value = stop_reason_label(value, lang, rules)
        elif name == "choices" and isinstance(value, (list, tuple)):
            value = "、".join(stop_reason_label(v, lang, rules) for v in value)
        elif name == "field" and isinstance(value, str):
            value = i18n.t(f"field.{value}", lang)
        elif isinstance(value, dt.date):
            value = i18n.fmt_date(value, lang)
        out[name] = value
    return out


def reason_text(reason: Reason, lang: str, rules: Mapping[str, Any] = DEFAULT_RULES) -> str:
    """A reason of this module as a sentence in `lang` (stages, reasons and dates named, not coded)."""
    return i18n.t(reason.key, lang, **_named_params(reason.params, lang, rules))


def problem_text(problem: Problem, lang: str, rules: Mapping[str, Any] = DEFAULT_RULES) -> str:
    """A problem of `check_event` as a sentence: the project, the field, what is wrong (stages named)."""
    named = _named_params(problem.params, lang, rules)
    return i18n.problem_text(Problem(problem.record, problem.field, problem.key, named, problem.severity), lang)
