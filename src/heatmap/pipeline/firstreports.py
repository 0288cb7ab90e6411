"""信息首报 as a working step: registering who first brought a project, the receiving district's confirmation,
and the office's award list — the pure ledger (`ledger`) applied to what the store holds. Pages call these;
nothing here imports Streamlit.

Every write is a new ledger entry made by `ledger.new_entry` (the system gives it its number and time; a
correction points at the entry it corrects), checked against what the person saw: `seen` is the highest entry
number of the project the page showed, and if anyone appended an entry of the project since, store.Conflict
and nothing is written (the store itself refuses an entry whose number is no longer the next one).

Who does what: district staff register their own district's projects (hosting or first-contact district),
the office and administrators any project; the staff of a project's hosting district confirm the referrals of
their projects — a registration by the hosting district's own staff in its own name is confirmed by it at
once, in the same transaction. The office and administrators read the award list; leaders read the
registrations, projects named by their code names (代号).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from heatmap import i18n
from heatmap.access import Action, Role, Viewer, allowed, visible_projects
from heatmap.model import Problem, Stage, is_missing
from heatmap.pipeline import counting, ledger, library, rulebook, workflow
from heatmap.pipeline import projects as pj
from heatmap.pipeline.ledger import Entry, EntryKind, LedgerError, RegistrantKind
from heatmap.pipeline.reasons import Reason
from heatmap.store import Conflict, Store

NAME_MAX = 200
NOTE_MAX = 500


def rules(store: Store) -> Mapping[str, Any]:
    """The award rules in force: the administrator's newest "ledger" document over the defaults."""
    return rulebook.rules(store, "ledger")


def entries(store: Store) -> list[Entry]:
    """The whole ledger, in entry order."""
    return [Entry.from_record(rec) for rec in store.ledger().to_dict("records")]


# --- who may do what ------------------------------------------------------------------------------------


def sees_award_list(viewer: Viewer) -> bool:
    """The award list names projects, investors and referrers and their money: the office and administrators."""
    return viewer.role in (Role.OFFICE, Role.ADMIN)


def registrable(viewer: Viewer, projects: pd.DataFrame) -> pd.DataFrame:
    """The projects this viewer may register a first report for: staff their own district's (hosting or
    first contact), the office and administrators every one; others none."""
    if not allowed(viewer, Action.REGISTER_FIRST_REPORTS):
        return projects.iloc[0:0]
    return visible_projects(viewer, projects)


project_label = library.project_label  # code and name for those who see names, else the code name alone


# --- writing ----------------------------------------------------------------------------------------------


def seen_id(all_entries: Sequence[Entry], project_code: str) -> int:
    """The highest entry number of the project (0: none): what a page showed, for the check on writing."""
    return max((e.id for e in project_entries(all_entries, project_code)), default=0)


def _fresh(store: Store, project_code: str, seen: int) -> list[Entry]:
    """The ledger as it is now; Conflict if an entry of the project came in since the person looked."""
    now = entries(store)
    if seen_id(now, project_code) != seen:
        raise Conflict([Problem("", "ledger", "ledger_changed_meanwhile", {"code": project_code})])
    return now


def _refuse(key: str, **params: Any) -> LedgerError:
    return LedgerError([Reason(f"firstreports.problem.{key}", params)])


def _who(registrant_kind: str, registrant: str, unit: str = "", state_employee: bool = False, note: str = "") -> dict[str, Any]:
    """Who registered, as an entry holds it: an individual referrer may be a state employee with a unit (德州:
    the award then goes to the unit); a district, department or partner organisation is its own payee."""
    individual = registrant_kind == RegistrantKind.INDIVIDUAL
    return {"registrant_kind": str(registrant_kind), "registrant": (registrant or "").strip(),
            "unit": (unit or "").strip() if individual else "", "state_employee": bool(state_employee) and individual,
            "note": (note or "").strip()}


def _registrant_problems(viewer: Viewer, *, registrant_kind: str, registrant: str, unit: str, state_employee: bool,
                         note: str, districts: Iterable[str]) -> list[Reason]:
    problems = []
    if registrant_kind not in tuple(RegistrantKind):
        problems.append(Reason("firstreports.problem.kind", {"value": registrant_kind}))
    elif registrant_kind == RegistrantKind.DISTRICT:
        if registrant not in set(districts):
            problems.append(Reason("firstreports.problem.unknown_district", {"value": registrant}))
        elif viewer.role is Role.STAFF and registrant != viewer.district:
            problems.append(Reason("firstreports.problem.other_district", {"district": registrant}))
    if not registrant.strip():
        problems.append(Reason("firstreports.problem.no_registrant"))
    for text, limit, key in ((registrant, NAME_MAX, "registrant"), (unit, NAME_MAX, "unit"), (note, NOTE_MAX, "note")):
        if len(text) > limit:
            problems.append(Reason(f"firstreports.problem.too_long.{key}", {"n": limit}))
    if state_employee and not unit.strip():
        problems.append(Reason("firstreports.problem.unit_needed"))
    return problems


def register(store: Store, viewer: Viewer, project_code: str, *, registrant_kind: str, registrant: str,
             unit: str = "", state_employee: bool = False, note: str = "", seen: int,
             now: dt.datetime | None = None) -> list[int]:
    """Register a first report of a project: a "register" entry stamped by the system. When the hosting
    district's own staff register in its own name, their confirmation is appended with it (one transaction).
    Returns the entry numbers. LedgerError when refused; Conflict when the project's entries moved on."""
    project = store.record("project", project_code)
    if project is None:
        raise _refuse("no_project", code=project_code)
    if registrable(viewer, pd.DataFrame([project])).empty:
        raise _refuse("not_yours", district=project["district"])
    who = _who(registrant_kind, registrant, unit, state_employee, note)
    problems = _registrant_problems(viewer, **who, districts=store.district_codes())
    if problems:
        raise LedgerError(problems)
    book = _fresh(store, project_code, seen)
    entry = ledger.new_entry(book, kind=EntryKind.REGISTER, project_code=project_code, **who,
                             recorded_by=viewer.username or "", now=now)
    new = [entry]
    if _hosts(viewer, project) and registrant_kind == RegistrantKind.DISTRICT and registrant == project["district"]:
        new.append(ledger.new_entry([*book, entry], kind=EntryKind.CONFIRM, project_code=project_code,
                                    registrant_kind=RegistrantKind.DISTRICT, registrant=project["district"],
                                    corrects=entry.id, recorded_by=viewer.username or "", now=entry.registered_at))
    return store.append_ledger_entries([e.to_record() for e in new])


def correct(store: Store, viewer: Viewer, target: int, *, seen: int, now: dt.datetime | None = None,
            **changes: Any) -> int:
    """Correct a registration (its latest version, `target`) by a new entry pointing at it: registrant, unit,
    state employee or note. The registration keeps its original time."""
    book = entries(store)
    base = next((e for e in book if e.id == target), None)
    if base is None:
        raise _refuse("no_entry", id=target)
    project = store.record("project", base.project_code)
    if project is None or registrable(viewer, pd.DataFrame([project])).empty:
        raise _refuse("not_yours", district=None if project is None else project["district"])
    merged = {name: getattr(base, name) for name in ("registrant_kind", "registrant", "unit", "state_employee", "note")}
    who = _who(**(merged | {k: v for k, v in changes.items() if k in merged}))
    problems = _registrant_problems(viewer, **who, districts=store.district_codes())
    if problems:
        raise LedgerError(problems)
    book = _fresh(store, base.project_code, seen)
    entry = ledger.correction_of(book, target, now=now, recorded_by=viewer.username or "", **who)
    return store.append_ledger_entries([entry.to_record()])[0]


def _hosts(viewer: Viewer, project: Mapping[str, Any]) -> bool:
    return viewer.role is Role.STAFF and viewer.district == project.get("district")


def confirm(store: Store, viewer: Viewer, target: int, *, seen: int, now: dt.datetime | None = None) -> int:
    """The hosting district's staff confirm a registration (its latest version, `target`) of their project."""
    book = entries(store)
    base = next((e for e in book if e.id == target), None)
    if base is None:
        raise _refuse("no_entry", id=target)
    project = store.record("project", base.project_code)
    if project is None or not _hosts(viewer, project) or not allowed(viewer, Action.REGISTER_FIRST_REPORTS):
        raise _refuse("not_host", district=None if project is None else project["district"])
    book = _fresh(store, base.project_code, seen)
    entry = ledger.new_entry(book, kind=EntryKind.CONFIRM, project_code=base.project_code,
                             registrant_kind=RegistrantKind.DISTRICT, registrant=viewer.district,
                             corrects=target, recorded_by=viewer.username or "", now=now)
    return store.append_ledger_entries([entry.to_record()])[0]


# --- reading ----------------------------------------------------------------------------------------------


def _root_of(all_entries: Sequence[Entry]) -> dict[int, int]:
    by_id = {e.id: e for e in all_entries}
    roots: dict[int, int] = {}
    for e in sorted(all_entries, key=lambda e: e.id):
        roots[e.id] = roots.get(e.corrects, e.corrects) if e.corrects in by_id else e.id
    return roots


def project_entries(all_entries: Sequence[Entry], project_code: str) -> list[Entry]:
    """Every entry of a project, in order: those naming it, and those of registrations moved onto it by a merge."""
    roots = _root_of(all_entries)
    heads = {r.root_id for r in ledger.registrations(all_entries, project_code)}
    return [e for e in all_entries if e.project_code == project_code or roots.get(e.id) in heads]


ENTRY_COLUMNS = ("id", "first", "kind", "corrects", "registrant_kind", "registrant", "unit", "state_employee",
                 "note", "registered_at", "recorded_by")


def entries_table(all_entries: Sequence[Entry], project_code: str, lang: str, names: Mapping[str, str]) -> pd.DataFrame:
    """A project's ledger as a table: every entry in order, the first registration (its original entry and
    its current version) marked, corrections and confirmations pointing at the entry they act on."""
    found = ledger.first_registration(all_entries, project_code)
    first_ids = {found.first.root_id, found.first.entry.id} if found.first else set()
    yes, no = i18n.t("ledger.yes", lang), i18n.t("ledger.no", lang)
    rows = []
    for e in project_entries(all_entries, project_code):
        registrant = names.get(e.registrant, e.registrant) if e.registrant_kind == RegistrantKind.DISTRICT else e.registrant
        rows.append({
            "id": i18n.t("firstreports.entry_no", lang, id=e.id),
            "first": i18n.t("firstreports.first_mark", lang) if e.id in first_ids else "",
            "kind": i18n.label("ledger.entry_kind", e.kind, lang),
            "corrects": "" if e.corrects is None else i18n.t("firstreports.points_at", lang, id=e.corrects),
            "registrant_kind": i18n.label("ledger.registrant_kind", e.registrant_kind, lang),
            "registrant": registrant, "unit": e.unit or "–", "state_employee": yes if e.state_employee else no,
            "note": e.note or "–", "registered_at": i18n.fmt_datetime(e.registered_at, lang),
            "recorded_by": e.recorded_by or "–",
        })
    frame = pd.DataFrame(rows, columns=list(ENTRY_COLUMNS))
    return frame.rename(columns={c: i18n.t(f"firstreports.col.{c}", lang) for c in ENTRY_COLUMNS})


def first_reasons(all_entries: Sequence[Entry], project_code: str) -> tuple[Reason, ...]:
    """Why the marked registration is first (or that there is none)."""
    return ledger.first_registration(all_entries, project_code).reasons


def current_versions(all_entries: Sequence[Entry], project_code: str) -> list[ledger.Registration]:
    """The project's live registrations as they stand (the versions a correction or confirmation acts on)."""
    return ledger.registrations(all_entries, project_code)


@dataclass(frozen=True)
class Pending:
    """A registration of one of the district's projects, made by someone else, not yet confirmed by it."""

    project: Mapping[str, Any]
    registration: ledger.Registration
    first: bool  # the project's first registration


def awaiting_confirmation(all_entries: Sequence[Entry], projects: pd.DataFrame, district: str) -> list[Pending]:
    """The registrations the district is asked to confirm: of the projects it hosts, registered by others
    (departments, partners, individuals, other districts), without a valid confirmation by it; oldest first."""
    out = []
    hosted = projects[projects["district"] == district]
    for project in hosted.to_dict("records"):
        regs = ledger.registrations(all_entries, project["code"])
        for i, reg in enumerate(regs):
            own = reg.entry.registrant_kind == RegistrantKind.DISTRICT and reg.entry.registrant == district
            if not own and not any(c.registrant == district for c in reg.confirmations):
                out.append(Pending(project, reg, i == 0))
    return sorted(out, key=lambda p: (p.registration.registered_at, p.registration.root_id))


# --- the award list ---------------------------------------------------------------------------------------


def completed_on(events: Iterable[pj.StageEvent]) -> dt.date | None:
    """The day a project reached production, as its stage events stand (None: not in production now). A
    project that left production and reached it again counts from the second time."""
    since = None
    for event in pj.ordered(events):
        if str(event.stage) == Stage.PRODUCTION:
            since = since or event.on
        else:
            since = None
    return since


def settlements(projects: pd.DataFrame, events: Iterable[pj.StageEvent]) -> list[dict[str, Any]]:
    """The settled projects (stage production) as the award list reads them: the day production was reached
    (from the stage events) and the fixed-asset investment actually formed, in yuan (reference rates)."""
    by_code = pj.by_project(events)
    out = []
    for rec in projects[projects["stage"] == Stage.PRODUCTION].sort_values("code").to_dict("records"):
        out.append({"project_code": rec["code"], "completed_on": completed_on(by_code.get(rec["code"], [])),
                    "actual_investment_cny": counting.amount_cny(rec, "actual_investment_wan")})
    return out


def award_table(store: Store, viewer: Viewer, lang: str, districts: Any, *, claimed_on: dt.date | None = None) -> pd.DataFrame:
    """The office's award list: one row per payee of every settled project (LedgerError for anyone else)."""
    if not sees_award_list(viewer):
        raise _refuse("not_office")
    projects = store.projects()
    settled = projects[projects["stage"] == Stage.PRODUCTION]
    events = workflow.events(store, settled["code"].tolist())
    return ledger.award_list(entries(store), projects, settlements(settled, events), rules(store), lang,
                             districts=districts, claimed_on=claimed_on)


def award_summary(table: pd.DataFrame, lang: str) -> dict[str, Any]:
    """How many settled projects the list holds, how many are eligible, and the total award (CNY)."""
    code, eligible, award = (i18n.t(f"ledger.col.{c}", lang) for c in ("code", "eligible", "award_cny"))
    per_project = table.drop_duplicates(code)
    return {"projects": len(per_project), "eligible": int((per_project[eligible] == i18n.t("ledger.yes", lang)).sum()),
            "total_cny": float(per_project[award].sum())}


def rules_text(rules_: Mapping[str, Any], lang: str) -> str:
    """The award rules in force as one sentence: the bands and rates, the method, the claim window."""
    bands = [i18n.t("firstreports.rule_band", lang, band=ledger.band_label(rules_, i, lang), rate=f"{b['rate_permille']:g}‰")
             for i, b in enumerate(rules_["bands"])]
    sep = "；" if i18n.normalize_language(lang) == "zh" else "; "
    return i18n.t("firstreports.rules", lang, bands=sep.join(bands), method=i18n.t(f"firstreports.method.{rules_['method']}", lang),
                  months=rules_["claim_window_months"])


# --- the sample's book --------------------------------------------------------------------------------------


def book(registrations: Iterable[Mapping[str, Any]]) -> list[Entry]:
    """The ledger of given registrations, in the order of their times: each a mapping with the register
    entry's content (project_code, registrant_kind, registrant, unit, state_employee, note, recorded_by), its
    time `at`, and optionally `confirmed_at` / `confirmed_by` (the hosting `district` confirms) and
    `corrected_at` / `corrected_note` (a correction of the note). For the sample, which has a past."""
    steps = []
    for i, reg in enumerate(registrations):
        steps.append((reg["at"], i, 0, "register", reg))
        if reg.get("corrected_at"):
            steps.append((reg["corrected_at"], i, 1, "correct", reg))
        if reg.get("confirmed_at"):
            steps.append((reg["confirmed_at"], i, 2, "confirm", reg))
    out: list[Entry] = []
    head: dict[int, int] = {}
    for at, i, _, step, reg in sorted(steps, key=lambda s: s[:3]):
        if step == "register":
            entry = ledger.new_entry(out, kind=EntryKind.REGISTER, now=at, **{k: reg.get(k, "") for k in (
                "project_code", "registrant_kind", "registrant", "unit", "note", "recorded_by")},
                state_employee=bool(reg.get("state_employee")))
        elif step == "correct":
            entry = ledger.correction_of(out, head[i], now=at, recorded_by=reg["recorded_by"], note=reg["corrected_note"])
        else:
            entry = ledger.new_entry(out, kind=EntryKind.CONFIRM, project_code=reg["project_code"], now=at,
                                     registrant_kind=RegistrantKind.DISTRICT, registrant=reg["district"],
                                     corrects=head[i], recorded_by=reg["confirmed_by"])
        if step != "confirm":
            head[i] = entry.id
        out.append(entry)
    return out
