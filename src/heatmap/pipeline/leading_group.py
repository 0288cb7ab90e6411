"""The leading group's queue (会商, seed 二(二)): projects whose confirmed grade is B or better and that ask for
city-level fiscal support go to the leading group, with their grade's explanation, the support asked and
where the decision stands. The office records each decision — approved, declined or deferred, with a note —
as a new row (append-only); the latest is the project's status. Leaders see the projects by code name only.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from heatmap import i18n
from heatmap.access import Action, Viewer, allowed
from heatmap.model import is_missing
from heatmap.pipeline import evaluations as ev
from heatmap.pipeline import grading as gr
from heatmap.pipeline import projects as pj
from heatmap.pipeline.reasons import Reason
from heatmap.store import Store

FLOOR = "B"  # the seed: "B" or better and asking for city money → the leading group decides
OUTCOMES = ("approved", "declined", "deferred")
NOTE_MAX = 500


@dataclass(frozen=True)
class Item:
    """One project in the queue: its record, its confirmed grade's row and its latest decision (None: pending)."""

    project: Mapping[str, Any]
    confirmed: Mapping[str, Any]
    decision: Mapping[str, Any] | None
    latest_decision_id: int | None

    @property
    def code(self) -> str:
        return str(self.project["code"])

    @property
    def status(self) -> str:
        return "pending" if self.decision is None else str(self.decision["outcome"])


def asks_support(project: Mapping[str, Any]) -> bool:
    return project.get("city_support_requested") is True or project.get("city_support_requested") == 1


def queue(projects: pd.DataFrame, evaluations: pd.DataFrame, decisions: pd.DataFrame) -> list[Item]:
    """The projects (of those given) in the queue, best grade first, then by code."""
    graded = ev.states(evaluations)
    latest = {code: rows.sort_values("id").iloc[-1].to_dict() for code, rows in decisions.groupby("project_code")} if len(decisions) else {}
    items = []
    for project in projects.to_dict("records"):
        state = graded.get(project["code"])
        if not asks_support(project) or state is None or state.confirmed is None:
            continue
        if not gr.at_least(state.confirmed["grade"], FLOOR):
            continue
        decision = latest.get(project["code"])
        items.append(Item(project, state.confirmed, decision, None if decision is None else int(decision["id"])))
    return sorted(items, key=lambda i: (gr.GRADES.index(i.confirmed["grade"]), i.code))


def title(item: Item, viewer: Viewer, rules: Mapping[str, Any], lang: str) -> str:
    """The project as the viewer may see it named: code and name, or only its code name (leaders)."""
    shown = pj.shared_view(item.project, viewer, rules)
    if "name" in shown:
        return f"{item.code} · {shown['name']}"
    return shown.get("code_name") or i18n.t("leading.no_code_name", lang)


COLUMNS = ("project", "district", "grade", "score", "support", "status", "decided")


def table(items: Sequence[Item], viewer: Viewer, lang: str, names: Mapping[str, str], rules: Mapping[str, Any]) -> pd.DataFrame:
    rows = []
    for item in items:
        d = item.decision
        rows.append({
            "project": title(item, viewer, rules, lang), "district": names.get(item.project.get("district"), "–"),
            "grade": item.confirmed["grade"], "score": gr.score_text(ev.score_of(item.confirmed)),
            "support": i18n.fmt_cny_wan(item.project.get("city_support_wan"), lang),
            "status": i18n.t(f"leading.status.{item.status}", lang),
            "decided": "–" if d is None else i18n.t("leading.decided_cell", lang, by=d["decided_by"],
                                                    at=i18n.fmt_datetime(d["decided_at"], lang),
                                                    note="–" if is_missing(d["note"]) else d["note"]),
        })
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.rename(columns={c: i18n.t(f"leading.col.{c}", lang) for c in COLUMNS})


def explanation(store: Store, item: Item) -> gr.Grade:
    """The confirmed grade's explanation, recomputed from its values and standard version."""
    return ev.recompute(store, item.confirmed)


def decide(store: Store, viewer: Viewer, item: Item, outcome: str, note: str, *, seen_latest: int | None) -> int:
    """Record the leading group's decision on a project in the queue (the office). Refused (GradingError) for
    anyone else, an unknown outcome or an overlong note; Conflict when another decision came in between."""
    if not allowed(viewer, Action.DECIDE_SUPPORT):
        raise ev.GradingError([Reason("leading.refused.not_office", {"code": item.code})])
    if outcome not in OUTCOMES:
        raise ev.GradingError([Reason("leading.refused.outcome", {"code": item.code})])
    if len(note or "") > NOTE_MAX:
        raise ev.GradingError([Reason("grading.refused.note_long", {"max": NOTE_MAX})])
    support = item.project.get("city_support_wan")
    return store.add_support_decision({
        "project_code": item.code, "evaluation_id": int(item.confirmed["id"]), "outcome": outcome,
        "support_wan": None if is_missing(support) else float(support), "note": (note or "").strip() or None,
        "decided_by": viewer.username or "",
    }, seen_latest=seen_latest)
