"""A project's grade as a process (seed 二(二)), over the store's append-only `grade_evaluations`:

1. the district that brings the project (staff of the project's district) enters its indicator values — saved
   as they are, complete or not (`record(..., propose=False)`), or proposed as a grade (`propose=True`, only
   once the standard rates it: nothing missing);
2. the investment office confirms the proposal (`confirm`) — never the person who proposed it — or sends it
   back with a reason (`send_back`). A confirmation writes the grade into the project's `grade` field in the
   same transaction (so the map's grade filter shows confirmed grades only).

Every row records the standard (category) and the version of the "grading" rules document it used, the
indicator values and the grade computed; `recompute` grades those values again under that version, and
`confirm` refuses a proposal whose grade would come out differently. Each write states the project's latest
row its writer saw (`seen_latest`): another in between is a `Conflict` (two people at once).
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from heatmap import audit, i18n
from heatmap.access import Action, Role, Viewer, allowed
from heatmap.model import is_missing
from heatmap.pipeline import grading as gr
from heatmap.pipeline import rulebook
from heatmap.pipeline.reasons import Reason
from heatmap.store import Conflict, Store

NOTE_MAX = 500
STATUSES = ("none", "saved", "proposed", "returned", "confirmed")


class GradingError(Exception):
    """Refused, nothing written: the reasons say why."""

    def __init__(self, reasons: Sequence[Reason]):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = list(reasons)


# --- the standard in force ---------------------------------------------------------------------------------


def standards(store: Store) -> tuple[int | None, dict[str, Any]]:
    """The version of the grading standards in force (None: the defaults, never saved) and the document."""
    return rulebook.current(store, gr.RULES_NAME)


def version_in_force(store: Store, user: str) -> tuple[int, dict[str, Any]]:
    """The version a grade is recorded with: the defaults are saved as version 1 the first time a grade uses
    them, so every grade names a version that can be read back."""
    version, document = standards(store)
    if version is None:
        try:  # the defaults written down, not changed: nothing for the audit trail (the grade's own row names it)
            with audit.unrecorded():
                store.save_rules(gr.RULES_NAME, document, user=user, edited_from=None, note="defaults")
        except Conflict:
            pass  # someone saved first: theirs is in force
        version, document = standards(store)
    return version, document


def recompute(store: Store, row: Mapping[str, Any]) -> gr.Grade:
    """The grade a stored evaluation's values get under the standard version it names, computed again."""
    version = int(row["standard_version"])
    document = rulebook.at_version(store, gr.RULES_NAME, version)
    return gr.grade_with(inputs_of(row), document, row["standard"], version)


def inputs_of(row: Mapping[str, Any]) -> dict[str, Any]:
    value = row["inputs"]
    return json.loads(value) if isinstance(value, str) else dict(value)


def score_of(row: Mapping[str, Any]) -> Fraction | None:
    return None if is_missing(row.get("score")) else Fraction(str(row["score"]))


# --- where each project stands -------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """Where a project's grading stands, from its rows (oldest first)."""

    code: str
    latest_id: int | None  # the project's latest row: what a writer states having seen
    status: str  # one of STATUSES: the latest step
    values: Mapping[str, Any] | None  # the latest row with values (saved, proposed or confirmed)
    proposal: Mapping[str, Any] | None  # the proposal waiting for the office (status "proposed")
    confirmed: Mapping[str, Any] | None  # the latest confirmation (its grade is the project's grade)
    returned: Mapping[str, Any] | None  # the latest return (status "returned")


def states(evaluations: pd.DataFrame) -> dict[str, State]:
    """Each graded project's state, by code."""
    out: dict[str, State] = {}
    for code, rows in evaluations.sort_values("id").groupby("project_code", sort=False):
        values = proposal = confirmed = returned = None
        status = "none"
        for row in rows.to_dict("records"):
            kind = row["kind"]
            if kind in ("save", "propose"):
                values, proposal, returned = row, (row if kind == "propose" else None), None
                status = "saved" if kind == "save" else "proposed"
            elif kind == "confirm":
                values, confirmed, proposal, status = row, row, None, "confirmed"
            elif kind == "return":
                returned, proposal, status = row, None, "returned"
        out[str(code)] = State(str(code), int(rows["id"].max()), status, values, proposal, confirmed, returned)
    return out


def state_of(store: Store, code: str) -> State:
    return states(store.grade_evaluations(code)).get(code, State(code, None, "none", None, None, None, None))


# --- writing -----------------------------------------------------------------------------------------------


def row_of(code: str, kind: str, result: gr.Grade, inputs: Mapping[str, Any], user: str, note: str | None,
         proposal_id: int | None = None) -> dict[str, Any]:
    return {"project_code": code, "kind": kind, "proposal_id": proposal_id, "standard": result.standard,
            "standard_version": result.version, "inputs": json.dumps(dict(inputs), ensure_ascii=False, sort_keys=True),
            "grade": result.grade, "score": None if result.score is None else str(result.score),
            "explanation": json.dumps([{"key": r.key, "params": dict(r.params)} for r in result.reasons()], ensure_ascii=False),
            "note": (note or "").strip() or None, "recorded_by": user}


def may_propose(viewer: Viewer, project: Mapping[str, Any]) -> bool:
    return allowed(viewer, Action.PROPOSE_GRADE, project.get("district")) and (
        viewer.role is not Role.STAFF or viewer.district == project.get("district"))


def record(store: Store, viewer: Viewer, code: str, standard: str, values: Mapping[str, Any], vetoes: Sequence[str],
           documents: Sequence[str], *, propose: bool, seen_latest: int | None, note: str = "") -> tuple[int, gr.Grade]:
    """Save a project's indicator values (propose=False) or propose its grade (True). Refused (GradingError):
    not the staff of the project's district, an unknown standard, a proposal not rated yet, a note too long.
    Conflict: another row of the project came in after `seen_latest`."""
    project = store.record("project", code)
    if project is None or not may_propose(viewer, project):
        raise GradingError([Reason("grading.refused.not_yours", {"code": code})])
    if len(note or "") > NOTE_MAX:
        raise GradingError([Reason("grading.refused.note_long", {"max": NOTE_MAX})])
    version, document = version_in_force(store, viewer.username or "")
    if standard not in document["standards"]:
        raise GradingError([Reason("grading.refused.unknown_standard", {"standard": standard})])
    inputs = gr.normalized_inputs(values, vetoes, documents)
    result = gr.grade_with(inputs, document, standard, version)
    if propose and not result.rated:
        raise GradingError([Reason("grading.refused.not_rated", {"code": code})])
    row = row_of(code, "propose" if propose else "save", result, inputs, viewer.username or "", note)
    return store.add_grade_evaluation(row, seen_latest=seen_latest), result


def _pending(store: Store, viewer: Viewer, code: str, seen_latest: int | None) -> State:
    if not allowed(viewer, Action.CONFIRM_GRADE):
        raise GradingError([Reason("grading.refused.not_office", {"code": code})])
    state = state_of(store, code)
    if state.latest_id != seen_latest:
        raise Conflict([])
    if state.proposal is None:
        raise GradingError([Reason("grading.refused.nothing_pending", {"code": code})])
    if state.proposal["recorded_by"] == viewer.username:
        raise GradingError([Reason("grading.refused.own_proposal", {"code": code})])
    return state


def confirm(store: Store, viewer: Viewer, code: str, *, seen_latest: int | None, note: str = "") -> int:
    """The office confirms the project's pending proposal: the grade is recomputed from its values and standard
    version (refused if it differs), recorded as confirmed and written into the project's `grade`, together."""
    proposal = _pending(store, viewer, code, seen_latest).proposal
    result = recompute(store, proposal)
    if result.grade != proposal["grade"]:
        raise GradingError([Reason("grading.refused.recompute_differs", {"code": code})])
    row = row_of(code, "confirm", result, inputs_of(proposal), viewer.username or "", note, int(proposal["id"]))
    base: dict[str, int | None] = {}
    project = store.stored_records("project", [code], base)[code]
    written: list[int] = []
    store.save("project", [{**project, "grade": result.grade}], user=viewer.username or "", source="grading",
               note=f"grade {result.grade} confirmed", district=project.get("district"), expected_base=base,
               along=lambda conn: written.append(store.add_grade_evaluation(row, seen_latest=seen_latest, conn=conn)))
    return written[0]


def send_back(store: Store, viewer: Viewer, code: str, reason: str, *, seen_latest: int | None) -> int:
    """The office returns the pending proposal to the district, with a reason (required)."""
    state = _pending(store, viewer, code, seen_latest)
    if not (reason or "").strip():
        raise GradingError([Reason("grading.refused.reason_needed", {"code": code})])
    if len(reason) > NOTE_MAX:
        raise GradingError([Reason("grading.refused.note_long", {"max": NOTE_MAX})])
    proposal = state.proposal
    row = {k: proposal[k] for k in ("project_code", "standard", "standard_version", "inputs", "grade", "score", "explanation")}
    row.update(kind="return", proposal_id=int(proposal["id"]), note=reason.strip(), recorded_by=viewer.username or "")
    return store.add_grade_evaluation(row, seen_latest=seen_latest)


# --- what the pages show ------------------------------------------------------------------------------------


def refusal_text(error: GradingError, lang: str) -> list[str]:
    return [i18n.t(r.key, lang, **dict(r.params)) for r in error.reasons]


def status_text(state: State, lang: str) -> str:
    """Where a project's grade stands, in a sentence: confirmed grade, pending proposal, returned, saved."""
    def at(row):
        return {"by": row["recorded_by"], "at": i18n.fmt_datetime(row["recorded_at"], lang)}

    parts = []
    if state.confirmed is not None:
        parts.append(i18n.t("grading.status.confirmed", lang, grade=state.confirmed["grade"], **at(state.confirmed)))
    if state.status == "proposed":
        parts.append(i18n.t("grading.status.proposed", lang, grade=state.proposal["grade"], **at(state.proposal)))
    elif state.status == "returned":
        parts.append(i18n.t("grading.status.returned", lang, reason=state.returned["note"] or "–", **at(state.returned)))
    elif state.status == "saved":
        grade = i18n.t("grading.not_rated", lang) if is_missing(state.values["grade"]) else state.values["grade"]
        parts.append(i18n.t("grading.status.saved", lang, grade=grade, **at(state.values)))
    if not parts:
        parts.append(i18n.t("grading.status.none", lang))
    return ("" if i18n.normalize_language(lang) == "zh" else " ").join(parts)


PENDING_COLUMNS = ("project", "district", "standard", "grade", "score", "proposed_by", "proposed_at")


def pending(evaluations: pd.DataFrame, projects: pd.DataFrame) -> list[State]:
    """The proposals waiting for the office, oldest first, of the projects given (those the viewer may see)."""
    codes = set(projects["code"])
    waiting = [s for s in states(evaluations).values() if s.status == "proposed" and s.code in codes]
    return sorted(waiting, key=lambda s: s.proposal["id"])


def pending_table(waiting: Sequence[State], projects: pd.DataFrame, lang: str, names: Mapping[str, str],
                  rules: Mapping[str, Any]) -> pd.DataFrame:
    by_code = {r["code"]: r for r in projects.to_dict("records")}
    rows = []
    for s in waiting:
        p, row = by_code.get(s.code, {}), s.proposal
        rows.append({"project": f"{s.code} · {p.get('name') or '–'}", "district": names.get(p.get("district"), "–"),
                     "standard": gr.category_label(row["standard"], lang, rules), "grade": row["grade"],
                     "score": gr.score_text(score_of(row)), "proposed_by": row["recorded_by"],
                     "proposed_at": i18n.fmt_datetime(row["recorded_at"], lang)})
    frame = pd.DataFrame(rows, columns=list(PENDING_COLUMNS))
    return frame.rename(columns={c: i18n.t(f"grading.col.{c}", lang) for c in PENDING_COLUMNS})


def explanation_frame(result: gr.Grade, lang: str) -> pd.DataFrame:
    rows = gr.explanation(result, lang)
    frame = pd.DataFrame(rows, columns=list(gr.EXPLANATION_COLUMNS))
    return frame.rename(columns={c: i18n.t(f"grading.col.{c}", lang) for c in gr.EXPLANATION_COLUMNS})


HISTORY_COLUMNS = ("recorded_at", "kind", "grade", "score", "standard", "standard_version", "recorded_by", "note")


def history_table(evaluations: pd.DataFrame, lang: str, rules: Mapping[str, Any]) -> pd.DataFrame:
    """A project's rows, newest first: when, what step, grade, score, standard and version, who, note."""
    rows = [{"recorded_at": i18n.fmt_datetime(r["recorded_at"], lang), "kind": i18n.t(f"grading.kind.{r['kind']}", lang),
             "grade": r["grade"] if not is_missing(r["grade"]) else i18n.t("grading.not_rated", lang),
             "score": gr.score_text(score_of(r)), "standard": gr.category_label(r["standard"], lang, rules),
             "standard_version": str(int(r["standard_version"])), "recorded_by": r["recorded_by"],
             "note": "–" if is_missing(r["note"]) else str(r["note"])}
            for r in evaluations.sort_values("id", ascending=False).to_dict("records")]
    frame = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    return frame.rename(columns={c: i18n.t(f"grading.col.{c}", lang) for c in HISTORY_COLUMNS})
