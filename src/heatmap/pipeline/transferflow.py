"""项目流转 after the proposal (seed 二(三)): the receiver accepts or declines, the office refers, the project moves.

A proposal (pipeline.transfers) names a receiver: a district, or the office's pool (no district). What
happens to it afterwards is a row of the append-only `transfer_events` table, one per step:
- accept: the receiving district's staff take the project; in the same transaction the project becomes a new
  version of its record in the destination district (承接地), its 首谈地 (origin_district) kept (set to the
  proposing district when the record had none). The step records the credit split in force (the office's
  edit if there was one, else the rules' default: 宁德 50:50 for 5 years);
- decline: the receiver (the district's staff; the office for its pool) refuses, with a reason of the rules;
- refer: the office hands a pool proposal, a declined one, or one that waited `stale_days` without progress
  (广州: after a month the city may re-refer), to a district, which becomes the receiver;
- withdraw: the proposing district takes its proposal back before it is accepted;
- credit_change: the office edits the split (origin's share in %, years) of one transfer.
Accepted and withdrawn transfers are closed. Every step is checked against what the person read: `seen` is
the proposal's latest step id the page showed (None: none); if another step came in, store.Conflict.

`transfers_of(proposals, events)` folds the rows into `Transfer`s (status, receiver, since when it waits,
destination, split); the page and the credit ledger (pipeline.transfercredit) read those.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from heatmap import i18n
from heatmap.access import Action, Role, Viewer, allowed
from heatmap.model import Problem, is_missing
from heatmap.pipeline import transfers as tp
from heatmap.pipeline.reasons import Reason, reason_text
from heatmap.store import Conflict, Store

STATUSES = ("pool", "waiting", "accepted", "declined", "withdrawn")
CLOSED = ("accepted", "withdrawn")
PERCENT_STEP = 1.0
YEARS_MAX = 30


@dataclass(frozen=True)
class Step:
    id: int
    kind: str  # accept | decline | refer | withdraw | credit_change
    at: dt.datetime
    by: str
    to_district: str | None = None
    reason: str | None = None
    note: str | None = None
    origin_percent: float | None = None
    credit_years: int | None = None


@dataclass(frozen=True)
class Transfer:
    """A proposal and what happened to it, as it stands."""

    id: int
    project_code: str
    origin: str  # the proposing district (首谈地 of the transfer)
    proposed_at: dt.datetime
    proposed_by: str
    reason: str
    note: str | None
    proposed_to: str | None  # the district first named (None: the office's pool)
    steps: tuple[Step, ...] = ()

    @property
    def last_id(self) -> int | None:
        """The latest step's id (None: none yet): what a page showed, for the check on writing."""
        return self.steps[-1].id if self.steps else None

    def _moves(self) -> list[Step]:
        return [s for s in self.steps if s.kind != "credit_change"]

    @property
    def status(self) -> str:
        """pool (the office is to refer it), waiting (a district is to decide), accepted, declined, withdrawn."""
        moves = self._moves()
        last = moves[-1].kind if moves else None
        if last in ("accept", "withdraw", "decline"):
            return {"accept": "accepted", "withdraw": "withdrawn", "decline": "declined"}[last]
        return "pool" if self.receiver is None else "waiting"

    @property
    def receiver(self) -> str | None:
        """The district the transfer is with now (None: the office's pool)."""
        referred = [s.to_district for s in self.steps if s.kind == "refer"]
        return referred[-1] if referred else self.proposed_to

    @property
    def since(self) -> dt.datetime:
        """When its current step began: the proposal, or its last step that was not a credit edit."""
        moves = self._moves()
        return moves[-1].at if moves else self.proposed_at

    @property
    def accepted(self) -> Step | None:
        return next((s for s in reversed(self.steps) if s.kind == "accept"), None)

    @property
    def destination(self) -> str | None:
        return self.accepted.to_district if self.accepted else None

    @property
    def split(self) -> tuple[float, int] | None:
        """The split in force (origin's %, years): the last one recorded (acceptance or the office's edit);
        None while none is (the rules' default will apply)."""
        given = [s for s in self.steps if s.origin_percent is not None]
        return (float(given[-1].origin_percent), int(given[-1].credit_years)) if given else None

    def waited_days(self, now: dt.datetime) -> int:
        """Whole days the current step has waited (0 once closed)."""
        return 0 if self.status in CLOSED else max(0, (now - self.since).days)


def transfers_of(proposals: pd.DataFrame, events: pd.DataFrame) -> list[Transfer]:
    """Every proposal with its steps, oldest proposal first."""
    steps: dict[int, list[Step]] = {}
    for e in events.sort_values("id").to_dict("records") if len(events) else []:
        steps.setdefault(int(e["proposal_id"]), []).append(Step(
            int(e["id"]), e["kind"], e["recorded_at"], str(e["recorded_by"]), _text(e["to_district"]), _text(e["reason"]),
            _text(e["note"]), None if is_missing(e["origin_percent"]) else float(e["origin_percent"]),
            None if is_missing(e["credit_years"]) else int(e["credit_years"])))
    return [Transfer(int(p["id"]), p["project_code"], p["from_district"], p["proposed_at"], str(p["proposed_by"]),
                     p["reason"], _text(p["note"]), _text(p["to_district"]), tuple(steps.get(int(p["id"]), ())))
            for p in proposals.sort_values("id").to_dict("records")] if len(proposals) else []


def _text(value: Any) -> str | None:
    return None if is_missing(value) else str(value)


def load(store: Store) -> list[Transfer]:
    return transfers_of(store.transfer_proposals(), store.transfer_events())


def find(store: Store, proposal_id: int) -> Transfer | None:
    return next((t for t in load(store) if t.id == proposal_id), None)


def stale(transfer: Transfer, now: dt.datetime, rules_: Mapping[str, Any] = tp.DEFAULT_RULES) -> bool:
    """A district has had it for `stale_days` or more without deciding: the office may re-refer it."""
    return transfer.status == "waiting" and transfer.waited_days(now) >= int(rules_["stale_days"])


def default_split(rules_: Mapping[str, Any] = tp.DEFAULT_RULES) -> tuple[float, int]:
    return float(rules_["origin_percent"]), int(rules_["credit_years"])


def moves(transfers: Sequence[Transfer]) -> list[dict[str, Any]]:
    """The accepted transfers as counting events (pipeline.counting): kind "transfer", from, to, on; the
    project's figures are attributed to the destination."""
    return [{"project_code": t.project_code, "kind": "transfer", "from": t.origin, "to": t.destination,
             "on": t.accepted.at.date()} for t in transfers if t.accepted is not None]


# --- who may do what ------------------------------------------------------------------------------------


def coordinates(viewer: Viewer) -> bool:
    """The office (and administrators) refer transfers and edit their credit split."""
    return viewer.role in (Role.OFFICE, Role.ADMIN)


def _staff_of(viewer: Viewer, district: str | None) -> bool:
    return (district is not None and viewer.role is Role.STAFF and viewer.district == district
            and allowed(viewer, Action.EDIT_PROJECTS, district))


def may_accept(viewer: Viewer, transfer: Transfer) -> bool:
    return transfer.status == "waiting" and _staff_of(viewer, transfer.receiver)


def may_decline(viewer: Viewer, transfer: Transfer) -> bool:
    return may_accept(viewer, transfer) or (transfer.status == "pool" and coordinates(viewer))


def may_refer(viewer: Viewer, transfer: Transfer, now: dt.datetime, rules_: Mapping[str, Any] = tp.DEFAULT_RULES) -> bool:
    return coordinates(viewer) and (transfer.status in ("pool", "declined") or stale(transfer, now, rules_))


def may_withdraw(viewer: Viewer, transfer: Transfer) -> bool:
    return transfer.status not in CLOSED and _staff_of(viewer, transfer.origin)


def may_edit_credit(viewer: Viewer, transfer: Transfer) -> bool:
    return coordinates(viewer) and transfer.status != "withdrawn"


# --- writing ----------------------------------------------------------------------------------------------


def _refuse(key: str, **params: Any) -> tp.TransferError:
    return tp.TransferError([Reason(f"transferflow.problem.{key}", params)])


def _fresh(store: Store, proposal_id: int, seen: int | None) -> Transfer:
    """The transfer as it is now; Conflict if a step came in since the person looked."""
    transfer = find(store, proposal_id)
    if transfer is None:
        raise _refuse("no_transfer", id=proposal_id)
    if transfer.last_id != seen:
        raise Conflict([Problem("", "transfer", "transfer_changed_meanwhile", {"code": transfer.project_code})])
    return transfer


def _note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > tp.NOTE_MAX:
        raise _refuse("note_too_long", n=tp.NOTE_MAX)
    return note or None


def accept(store: Store, viewer: Viewer, proposal_id: int, *, seen: int | None, project_base: Mapping[str, int | None],
           note: str = "", rules_: Mapping[str, Any] | None = None, at: dt.datetime | None = None) -> int:
    """The receiving district's staff accept: the project moves to their district as a new version of its
    record (checked against `project_base`, the version the person read), recorded with the split in force."""
    rules_ = tp.rules(store) if rules_ is None else rules_
    transfer = _fresh(store, proposal_id, seen)
    if not may_accept(viewer, transfer):
        raise _refuse("not_receiver", district=transfer.receiver)
    project = store.record("project", transfer.project_code)
    if project is None:
        raise _refuse("no_project", code=transfer.project_code)
    if project["district"] != transfer.origin:
        raise _refuse("moved", district=project["district"])
    moved = {**project, "district": transfer.receiver}
    if is_missing(moved.get("origin_district")):
        moved["origin_district"] = transfer.origin
    percent, years = transfer.split or default_split(rules_)
    return store.add_transfer_event(proposal_id, "accept", user=viewer.username or "", seen_latest=seen,
                                    to_district=transfer.receiver, note=_note(note), origin_percent=percent,
                                    credit_years=years, project=moved, project_base=project_base, at=at)


def decline(store: Store, viewer: Viewer, proposal_id: int, reason: str, *, seen: int | None, note: str = "",
            rules_: Mapping[str, Any] | None = None, at: dt.datetime | None = None) -> int:
    """The receiver declines with a reason of the rules (the office for a proposal in its pool)."""
    rules_ = tp.rules(store) if rules_ is None else rules_
    transfer = _fresh(store, proposal_id, seen)
    if not may_decline(viewer, transfer):
        raise _refuse("not_receiver", district=transfer.receiver)
    if reason not in rules_["decline_reasons"]:
        raise _refuse("reason", value=reason)
    if reason in rules_["decline_reasons_needing_note"] and not (note or "").strip():
        raise _refuse("note_needed", reason=reason)
    return store.add_transfer_event(proposal_id, "decline", user=viewer.username or "", seen_latest=seen,
                                    to_district=transfer.receiver, reason=reason, note=_note(note), at=at)


def refer(store: Store, viewer: Viewer, proposal_id: int, to_district: str, *, seen: int | None, note: str = "",
          now: dt.datetime | None = None, rules_: Mapping[str, Any] | None = None, at: dt.datetime | None = None) -> int:
    """The office refers a pool proposal, a declined one or a stale one to a district."""
    rules_ = tp.rules(store) if rules_ is None else rules_
    transfer = _fresh(store, proposal_id, seen)
    now = now or at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if not coordinates(viewer):
        raise _refuse("not_office")
    if not may_refer(viewer, transfer, now, rules_):
        raise _refuse("not_referable", status=transfer.status, days=int(rules_["stale_days"]))
    if to_district not in store.district_codes():
        raise _refuse("unknown_district", value=to_district)
    if to_district in (transfer.origin, transfer.receiver):
        raise _refuse("same_district", district=to_district)
    return store.add_transfer_event(proposal_id, "refer", user=viewer.username or "", seen_latest=seen,
                                    to_district=to_district, note=_note(note), at=at)


def withdraw(store: Store, viewer: Viewer, proposal_id: int, *, seen: int | None, note: str = "",
             at: dt.datetime | None = None) -> int:
    """The proposing district takes back a proposal not yet accepted."""
    transfer = _fresh(store, proposal_id, seen)
    if not may_withdraw(viewer, transfer):
        raise _refuse("not_origin", district=transfer.origin)
    return store.add_transfer_event(proposal_id, "withdraw", user=viewer.username or "", seen_latest=seen,
                                    note=_note(note), at=at)


def check_split(origin_percent: Any, credit_years: Any) -> list[Reason]:
    """Why a split cannot be recorded (empty: it can): the origin's share 0–100 %, whole years 1–30."""
    problems = []
    if isinstance(origin_percent, bool) or not isinstance(origin_percent, (int, float)) or not 0 <= origin_percent <= 100:
        problems.append(Reason("transferflow.problem.percent", {"value": origin_percent}))
    if isinstance(credit_years, bool) or not isinstance(credit_years, int) or not 1 <= credit_years <= YEARS_MAX:
        problems.append(Reason("transferflow.problem.years", {"value": credit_years, "n": YEARS_MAX}))
    return problems


def change_credit(store: Store, viewer: Viewer, proposal_id: int, origin_percent: float, credit_years: int, *,
                  seen: int | None, note: str = "", at: dt.datetime | None = None) -> int:
    """The office sets this transfer's split: the origin's share (%) and for how many years it holds."""
    transfer = _fresh(store, proposal_id, seen)
    if not may_edit_credit(viewer, transfer):
        raise _refuse("not_office")
    problems = check_split(origin_percent, credit_years)
    if problems:
        raise tp.TransferError(problems)
    return store.add_transfer_event(proposal_id, "credit_change", user=viewer.username or "", seen_latest=seen,
                                    origin_percent=float(origin_percent), credit_years=int(credit_years),
                                    note=_note(note), at=at)


# --- reading ----------------------------------------------------------------------------------------------


def visible(viewer: Viewer, transfers: Sequence[Transfer]) -> list[Transfer]:
    """Staff: those their district sent, was asked to take, or took; leaders, the office, administrators: all."""
    if not allowed(viewer, Action.VIEW_PIPELINE):
        return []
    if viewer.role is not Role.STAFF:
        return list(transfers)
    mine = viewer.district
    return [t for t in transfers if mine in (t.origin, t.proposed_to, t.receiver)
            or any(s.to_district == mine for s in t.steps)]


def sees_in_full(viewer: Viewer, transfer: Transfer) -> bool:
    """The project's name and code: the office and administrators, the proposing district, and the
    destination once it has accepted (it hosts the project); others its code name and needs only."""
    if viewer.role in (Role.OFFICE, Role.ADMIN):
        return True
    return viewer.role is Role.STAFF and viewer.district in (transfer.origin, transfer.destination)


def title(viewer: Viewer, transfer: Transfer, project: Mapping[str, Any], lang: str) -> str:
    if sees_in_full(viewer, transfer):
        return f"{transfer.project_code} · {project.get('name') or '–'}"
    name = project.get("code_name")
    return str(name) if not is_missing(name) else i18n.t("transfers.no_code_name", lang)


def receiver_name(district: str | None, lang: str, names: Mapping[str, str]) -> str:
    return i18n.t("transfers.to_office_cell", lang) if district is None else names.get(district, district)


def split_text(split: tuple[float, int] | None, lang: str, rules_: Mapping[str, Any] = tp.DEFAULT_RULES) -> str:
    """"首谈地 50% · 承接地 50% · 5 年" (the default marked while none is recorded)."""
    percent, years = split or default_split(rules_)
    text = i18n.t("transferflow.split", lang, origin=f"{percent:g}", destination=f"{100 - percent:g}", years=years)
    return text if split else i18n.t("transferflow.split_default", lang, split=text)


def step_text(step: Step, previous_at: dt.datetime, lang: str, names: Mapping[str, str],
              rules_: Mapping[str, Any] = tp.DEFAULT_RULES) -> str:
    """One step in a line: what, when, who, after how many days of waiting, with its reason or target."""
    what = i18n.t(f"transferflow.kind.{step.kind}", lang)
    detail = ""
    if step.kind == "refer":
        detail = names.get(step.to_district, step.to_district or "")
    elif step.kind == "decline" and step.reason:
        detail = tp.reason_label(step.reason, lang, rules_)
    elif step.kind in ("accept", "credit_change") and step.origin_percent is not None:
        detail = split_text((step.origin_percent, step.credit_years or 0), lang, rules_)
    return i18n.t("transferflow.step", lang, what=what, detail=i18n.t("transferflow.detail", lang, detail=detail) if detail else "",
                  at=i18n.fmt_date(step.at, lang), by=step.by, days=max(0, (step.at - previous_at).days))


def steps_text(transfer: Transfer, lang: str, names: Mapping[str, str], rules_: Mapping[str, Any] = tp.DEFAULT_RULES) -> str:
    previous, parts = transfer.proposed_at, []
    for step in transfer.steps:
        parts.append(step_text(step, previous, lang, names, rules_))
        previous = step.at if step.kind != "credit_change" else previous
    return ("；" if i18n.normalize_language(lang) == "zh" else "; ").join(parts) or "–"


COLUMNS = ("proposed_at", "project", "from_district", "receiver", "status", "waiting", "reason", "steps", "split", "needs")


def table(viewer: Viewer, transfers: Sequence[Transfer], projects: pd.DataFrame, lang: str, names: Mapping[str, str],
          now: dt.datetime, rules_: Mapping[str, Any] = tp.DEFAULT_RULES) -> pd.DataFrame:
    """The transfers the viewer may see, newest first: where each stands, how long its current step has
    waited (stale ones marked), every step with its date, who and days waited, and the credit split."""
    by_code = {r["code"]: r for r in projects.to_dict("records")}
    rows = []
    for t in sorted(visible(viewer, transfers), key=lambda t: t.id, reverse=True):
        project = by_code.get(t.project_code, {})
        shared = project if sees_in_full(viewer, t) else {k: project.get(k) for k in ("code_name", *tp.NEED_FIELDS)}
        waiting = "–" if t.status in CLOSED else i18n.t("transferflow.days", lang, n=t.waited_days(now))
        if stale(t, now, rules_):
            waiting = i18n.t("transferflow.stale_cell", lang, waiting=waiting)
        rows.append({
            "proposed_at": i18n.fmt_datetime(t.proposed_at, lang), "project": title(viewer, t, shared, lang),
            "from_district": names.get(t.origin, t.origin),
            "receiver": receiver_name(t.destination if t.status == "accepted" else t.receiver, lang, names),
            "status": i18n.t(f"transferflow.status.{t.status}", lang), "waiting": waiting,
            "reason": tp.reason_label(t.reason, lang, rules_), "steps": steps_text(t, lang, names, rules_),
            "split": "–" if t.status == "withdrawn" else split_text(t.split, lang, rules_),
            "needs": tp.needs_text(shared, lang) or "–",
        })
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.rename(columns={c: i18n.t(f"transferflow.col.{c}", lang) for c in COLUMNS})


def option_label(viewer: Viewer, transfer: Transfer, projects: pd.DataFrame, lang: str, names: Mapping[str, str]) -> str:
    """A transfer in a picker: its project (as the viewer may see it), from where, with whom."""
    rows = projects[projects["code"] == transfer.project_code].to_dict("records")
    project = rows[0] if rows else {}
    return i18n.t("transferflow.option", lang, project=title(viewer, transfer, project, lang),
                  origin=names.get(transfer.origin, transfer.origin), receiver=receiver_name(transfer.receiver, lang, names))


def problems_text(error: tp.TransferError, lang: str, districts: Any, rules_: Mapping[str, Any] = tp.DEFAULT_RULES) -> list[str]:
    """The refusal as sentences in `lang` (statuses and reasons named in the language)."""
    out = []
    for r in error.reasons:
        params = dict(r.params)
        if "status" in params:
            params["status"] = i18n.t(f"transferflow.status.{params['status']}", lang)
        if "reason" in params:
            params["reason"] = tp.reason_label(params["reason"], lang, rules_)
        if "district" in params and params["district"] is None:
            params["district"] = i18n.t("transfers.to_office", lang)
        out.append(reason_text(Reason(r.key, params), lang, districts))
    return out
