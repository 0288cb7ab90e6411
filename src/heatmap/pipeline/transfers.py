"""拟流转 (seed 二(一): 实时上报拟流转项目): a district proposes one of its projects for another district — or for
the investment office to coordinate (no target) — on any day, outside the reporting cycle, with a reason.

Here a proposal is recorded and listed (who, when, why); what happens to it afterwards (the receiver accepts
or declines, the office refers, the project moves) is pipeline.transferflow's, the credit split
pipeline.transfercredit's. The rules are versioned data (the "transfers" document of pipeline.rulebook): the
reasons a district may give (宁德: no land, no space, wrong industry; plus the investor's wish) and a receiver
may decline with, which need a note, the stages a project may be proposed in (a project that has registered
has landed), the days after which the office may re-refer (广州: a month), and the default credit split
(宁德: 50:50 for 5 years). A project with an open proposal (not accepted or withdrawn) is not proposed again.

Who sees a proposal: the office and administrators in full; the proposing district's staff their own project in
full; the receiving district's staff and leaders the project by its code name (代号) and its needs only — never
the real name, investor or code of another district's record.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from heatmap import i18n
from heatmap.access import Action, Role, Viewer, allowed
from heatmap.model import Problem, Stage, is_missing
from heatmap.pipeline import library
from heatmap.pipeline.reasons import Reason, reason_text
from heatmap.store import Conflict, Store

DEFAULT_RULES: dict[str, Any] = {
    # 宁德 (2017): a district cannot host a project for lack of land or space, or because the industry does not
    # fit its focus; the investor's own preference for another place is the other common case.
    "reasons": ["no_land", "no_space", "wrong_industry", "investor_wish", "other"],
    "reasons_needing_note": ["other"],
    # An administrator's own reasons: code -> [中文, English] (the catalog names the defaults).
    "reason_labels": {},
    # A project is proposed while it is still looking for its place: from first contact to signing, or on hold.
    "stages": [Stage.FIRST_CONTACT.value, Stage.NEGOTIATING.value, Stage.SIGNED.value, Stage.ON_HOLD.value],
    # Why a receiver declines (the same names as the proposal's reasons).
    "decline_reasons": ["no_land", "no_space", "wrong_industry", "investor_wish", "other"],
    "decline_reasons_needing_note": ["other"],
    # 广州 (2004): after a month without real progress the city may re-refer the project to another district.
    "stale_days": 30,
    # 宁德 (2017): the credit is split 50:50 for 5 years; the office may set another split per transfer.
    "origin_percent": 50,
    "credit_years": 5,
}
NOTE_MAX = 500
CLOSING_STEPS = ("accept", "withdraw")  # after these a project may be proposed again
# The needs a receiving district reads of another district's project (a subset of the shared fields).
NEED_FIELDS = ("category", "sector", "stage", "investment_wan", "space_kind", "land_needed_mu", "floor_area_needed_m2")
_LISTS = (("reasons", None), ("reasons_needing_note", "reasons"), ("decline_reasons", None),
          ("decline_reasons_needing_note", "decline_reasons"))
_NUMBERS = (("stale_days", 1, 365), ("origin_percent", 0, 100), ("credit_years", 1, 30))


def validate_rules(rules: Mapping[str, Any]) -> list[Reason]:
    """What is wrong with edited transfer rules (empty: they can be stored); each reason names its setting
    in its `rule` or `item` param."""
    problems = [Reason("transfers.rules.unknown_key", {"item": k}) for k in sorted(set(rules) - set(DEFAULT_RULES))]
    problems += [Reason("transfers.rules.missing_key", {"item": k}) for k in sorted(set(DEFAULT_RULES) - set(rules))]
    if problems:
        return problems
    labels = rules["reason_labels"]
    if not isinstance(labels, dict) or not all(isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) and x.strip() for x in v)
                                               for v in labels.values()):
        problems.append(Reason("transfers.rules.labels", {"rule": "reason_labels"}))
        labels = {}
    for key, within in _LISTS:
        value = rules[key]
        if not isinstance(value, list) or not all(isinstance(r, str) and re.fullmatch(r"[a-z_]+", r) for r in value) \
                or (within is None and not value):
            problems.append(Reason("transfers.rules.keys", {"rule": key}))
        elif len(set(value)) != len(value):
            problems.append(Reason("transfers.rules.twice", {"rule": key}))
        elif within is not None and isinstance(rules[within], list) and not set(value) <= set(rules[within]):
            problems.append(Reason("transfers.rules.not_within", {"rule": key, "other": within}))
        elif within is None:
            unnamed = [r for r in value if r not in labels and not i18n.has(f"transfers.reason.{r}")]
            if unnamed:
                problems.append(Reason("transfers.rules.unnamed", {"rule": key, "reasons": unnamed}))
    stages = rules["stages"]
    if not isinstance(stages, list) or not stages or not set(stages) <= {s.value for s in Stage}:
        problems.append(Reason("transfers.rules.stages", {"rule": "stages"}))
    for key, low, high in _NUMBERS:
        value = rules[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high \
                or (key != "origin_percent" and value != int(value)):
            problems.append(Reason("transfers.rules.range" if key == "origin_percent" else "transfers.rules.number",
                                   {"rule": key, "low": low, "high": high}))
    return problems


def rules(store: Store) -> Mapping[str, Any]:
    """The transfer rules in force: the administrator's newest version over the defaults."""
    saved = store.rules("transfers")
    return DEFAULT_RULES if saved is None else {**DEFAULT_RULES, **saved[1]}


def reason_label(reason: str, lang: str, rules_: Mapping[str, Any] = DEFAULT_RULES) -> str:
    own = rules_.get("reason_labels", {}).get(reason)
    if own:
        return i18n.pick(own, lang)
    return i18n.t(f"transfers.reason.{reason}", lang)


# --- checking a proposal ---------------------------------------------------------------------------------


def proposable(viewer: Viewer, projects: pd.DataFrame, rules_: Mapping[str, Any] = DEFAULT_RULES) -> pd.DataFrame:
    """The projects this viewer may propose for transfer: the hosting district's staff, its projects in a
    stage the rules allow (the office coordinates; it does not propose)."""
    if viewer.role is not Role.STAFF or not viewer.district or not allowed(viewer, Action.EDIT_PROJECTS, viewer.district):
        return projects.iloc[0:0]
    return projects[(projects["district"] == viewer.district) & projects["stage"].isin(rules_["stages"])]


def check(viewer: Viewer, project: Mapping[str, Any] | None, to_district: str | None, reason: str, note: str,
          earlier: pd.DataFrame, districts: Sequence[str], rules_: Mapping[str, Any] = DEFAULT_RULES) -> list[Reason]:
    """Why this proposal cannot be recorded (empty: it can). `earlier` are the project's proposals so far."""
    if project is None:
        return [Reason("transfers.problem.no_project")]
    own = project.get("district")
    if viewer.role is not Role.STAFF or viewer.district != own or not allowed(viewer, Action.EDIT_PROJECTS, own):
        return [Reason("transfers.problem.not_yours", {"district": own})]
    problems = []
    if project.get("stage") not in rules_["stages"]:
        problems.append(Reason("transfers.problem.stage", {"stage": project.get("stage")}))
    if to_district is not None and to_district not in districts:
        problems.append(Reason("transfers.problem.unknown_district", {"value": to_district}))
    elif to_district == own:
        problems.append(Reason("transfers.problem.same_district", {"district": own}))
    if reason not in rules_["reasons"]:
        problems.append(Reason("transfers.problem.reason", {"value": reason}))
    elif reason in rules_["reasons_needing_note"] and not note.strip():
        problems.append(Reason("transfers.problem.note_needed", {"reason": reason}))
    if len(note) > NOTE_MAX:
        problems.append(Reason("transfers.problem.note_too_long", {"n": NOTE_MAX}))
    if not earlier.empty:
        last = earlier.iloc[-1]
        problems.append(Reason("transfers.problem.already_proposed", {
            "proposed_at": last["proposed_at"], "to_district": None if is_missing(last["to_district"]) else last["to_district"]}))
    return problems


class TransferError(Exception):
    """A proposal was refused; nothing was recorded. `reasons` say why."""

    def __init__(self, reasons: Sequence[Reason]):
        self.reasons = list(reasons)
        super().__init__("; ".join(str(r) for r in self.reasons))


def open_proposals(proposals: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """The proposals not yet closed: neither accepted nor withdrawn (pipeline.transferflow)."""
    closed = set(events.loc[events["kind"].isin(CLOSING_STEPS), "proposal_id"]) if len(events) else set()
    return proposals[~proposals["id"].isin(closed)]


def latest_ids(proposals: pd.DataFrame) -> dict[str, int]:
    """Each project's latest proposal (its id): what a page showed, for the check on writing."""
    return {str(code): int(i) for code, i in proposals.groupby("project_code")["id"].max().items()} if len(proposals) else {}


def propose(store: Store, viewer: Viewer, project_code: str, to_district: str | None, reason: str, note: str = "", *,
            seen_latest: int | None, rules_: Mapping[str, Any] | None = None) -> int:
    """Record a proposal of the viewer's district. `seen_latest`: the project's latest proposal the person saw
    (None: none); if another came in between, store.Conflict and nothing is recorded. TransferError when the
    proposal does not fit."""
    rules_ = rules(store) if rules_ is None else rules_
    earlier = store.transfer_proposals()
    earlier = earlier[earlier["project_code"] == project_code]
    if latest_ids(earlier).get(project_code) != seen_latest:  # a colleague proposed it while this person was looking
        raise Conflict([Problem("", "transfer", "transfer_proposed_meanwhile", {"code": project_code})])
    project = store.record("project", project_code)
    problems = check(viewer, project, to_district, reason, note, open_proposals(earlier, store.transfer_events()),
                     store.district_codes(), rules_)
    if problems:
        raise TransferError(problems)
    return store.propose_transfer(project_code, project["district"], to_district, reason, user=viewer.username or "",
                                  note=note.strip() or None, seen_latest=seen_latest)


# --- listing ----------------------------------------------------------------------------------------------


def visible(viewer: Viewer, proposals: pd.DataFrame) -> pd.DataFrame:
    """The proposals this viewer may see: staff those from and to their district; leaders, the office and
    administrators all; the public none."""
    if not allowed(viewer, Action.VIEW_PIPELINE):
        return proposals.iloc[0:0]
    if viewer.role is Role.STAFF:
        return proposals[(proposals["from_district"] == viewer.district) | (proposals["to_district"] == viewer.district)]
    return proposals


def view_of(viewer: Viewer, proposal: Mapping[str, Any]) -> str:
    """How the viewer sees the proposal's project: "full" (their own district's, or the office's view) or
    "code_name" (the receiving district's staff, leaders)."""
    if viewer.role in (Role.OFFICE, Role.ADMIN):
        return "full"
    if viewer.role is Role.STAFF and viewer.district == proposal["from_district"]:
        return "full"
    return "code_name"


def needs_text(project: Mapping[str, Any], lang: str) -> str:
    """What the project needs, in one line: category and sector, amount, kind of space and its size."""
    parts = [i18n.label("category", project.get("category"), lang), i18n.label("industry", project.get("sector"), lang),
             "" if is_missing(project.get("investment_wan")) else library.amount_text(project, lang),
             i18n.label("kind", project.get("space_kind"), lang)]
    if not is_missing(project.get("land_needed_mu")):
        parts.append(i18n.fmt_mu(project["land_needed_mu"], lang))
    if not is_missing(project.get("floor_area_needed_m2")):
        parts.append(i18n.fmt_area_m2(project["floor_area_needed_m2"], lang))
    return ("；" if i18n.normalize_language(lang) == "zh" else "; ").join(p for p in parts if p)


COLUMNS = ("proposed_at", "project", "stage", "from_district", "to_district", "reason", "note", "needs", "proposed_by")


def table(viewer: Viewer, proposals: pd.DataFrame, projects: pd.DataFrame, lang: str, names: Mapping[str, str],
          rules_: Mapping[str, Any] = DEFAULT_RULES) -> pd.DataFrame:
    """The proposals the viewer may see, newest first, as a table in `lang` (no empty cell, no code of another
    district's record). `projects` are all stored projects (the store's, not the viewer's)."""
    by_code = {r["code"]: r for r in projects.to_dict("records")}
    rows = []
    for p in visible(viewer, proposals).sort_values("id", ascending=False).to_dict("records"):
        project = by_code.get(p["project_code"], {})
        shared = project if view_of(viewer, p) == "full" else {k: project.get(k) for k in ("code_name", *NEED_FIELDS)}
        if view_of(viewer, p) == "full":
            title = f"{p['project_code']} · {project.get('name') or '–'}"
        else:
            title = shared.get("code_name") if not is_missing(shared.get("code_name")) else i18n.t("transfers.no_code_name", lang)
        to = p["to_district"]
        rows.append({
            "proposed_at": i18n.fmt_datetime(p["proposed_at"], lang), "project": title,
            "stage": i18n.label("stage", shared.get("stage"), lang) or "–",
            "from_district": names.get(p["from_district"], p["from_district"]),
            "to_district": i18n.t("transfers.to_office_cell", lang) if is_missing(to) else names.get(to, to),
            "reason": reason_label(p["reason"], lang, rules_),
            "note": "–" if is_missing(p["note"]) else str(p["note"]),
            "needs": needs_text(shared, lang) or "–", "proposed_by": str(p["proposed_by"]),
        })
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.rename(columns={c: i18n.t(f"transfers.col.{c}", lang) for c in COLUMNS})


def problems_text(reasons: Sequence[Reason], lang: str, districts: Any, rules_: Mapping[str, Any] = DEFAULT_RULES) -> list[str]:
    """The refusals as sentences in `lang`: reasons and stages named in the language, no target = the office."""
    out = []
    for r in reasons:
        params = dict(r.params)
        if "reason" in params:
            params["reason"] = reason_label(params["reason"], lang, rules_)
        if "stage" in params:
            params["stage"] = i18n.label("stage", params["stage"], lang) or "–"
        if "to_district" in params and params["to_district"] is None:
            params["to_district"] = i18n.t("transfers.to_office", lang)
        out.append(reason_text(Reason(r.key, params), lang, districts))
    return out
