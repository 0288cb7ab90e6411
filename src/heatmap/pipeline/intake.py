"""One project saved from the form: who may, checked against what the form was filled from, and the stage
change recorded as an event. The page calls `save_project`; the upload path uses heatmap.ingest, and
`upload_notices` gives each project of an uploaded list the notice the form gives.

Two people editing one project at once: the form remembers the version it was filled from (`read_base`);
a save over a newer version is refused (store.Conflict) and the form shows the project as it now is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from heatmap import i18n
from heatmap.access import Action, Viewer, allowed
from heatmap.model import Problem, ValidationError, is_missing
from heatmap.pipeline import duplicates
from heatmap.pipeline import projects as pj
from heatmap.pipeline import rulebook, workflow
from heatmap.store import Diff, Store


@dataclass
class Saved:
    version: int | None  # None: nothing differed from what is stored
    stage_recorded: bool  # the stage changed, and the change was recorded as an event
    is_new: bool
    notice: duplicates.DistrictNotice | None = None  # likely matches in other districts: a count, nothing more


def duplicate_notice(store: Store, record: Mapping[str, Any]) -> duplicates.DistrictNotice:
    """What the district may be told after saving: how many likely matches other districts hold (the office
    sees the pair in its queue). Pairs the office has decided are not raised again."""
    return _notices(store.projects(), store.decided_pairs(), [record], rulebook.rules(store, "duplicates"))[0]


def upload_notices(store: Store, records: Sequence[Mapping[str, Any]]) -> list[tuple[str, duplicates.DistrictNotice]]:
    """After a district's project list is checked (and again once it is committed): for each given record
    (the new and changed ones) that likely matches another district's project, its code and the notice the
    form gives (a count; nothing of the other record). The stored projects are prepared for matching once
    per upload, not once per row."""
    if not records:
        return []
    notices = _notices(store.projects(), store.decided_pairs(), records, rulebook.rules(store, "duplicates"))
    return [(str(r.get("code")), n) for r, n in zip(records, notices) if n.matches_elsewhere]


def new_or_changed(records: Sequence[Mapping[str, Any]], diff: Diff) -> list[Mapping[str, Any]]:
    """The records of an upload that its preview (or its commit) adds or changes."""
    codes = {c.code for c in diff.changes if c.op in ("add", "change")}
    return [r for r in records if r.get("code") in codes]


def notice_text(code: str, notice: duplicates.DistrictNotice, lang: str) -> str:
    """One project's notice as the district reads it: its own code, and that a likely match exists elsewhere."""
    return i18n.t("projects.upload_notice", lang, code=code, notice=i18n.t(notice.reason.key, lang, **dict(notice.reason.params)))


def _notices(stored: pd.DataFrame, decided: Iterable[frozenset], records: Sequence[Mapping[str, Any]],
             rules: Mapping[str, Any]) -> list[duplicates.DistrictNotice]:
    """Each record's notice against the stored projects (a record is never matched with its own stored version)."""
    index = duplicates.MatchIndex.build(stored, rules)
    decided = list(decided)
    return [duplicates.visible_to_district(index.find(r, decided), r.get("district")) for r in records]


def read_for_form(store: Store, code: str) -> tuple[dict[str, Any] | None, dict[str, int | None]]:
    """The stored project and the version it was read at (what the save will be checked against)."""
    base: dict[str, int | None] = {}
    stored = store.stored_records("project", [code], base)
    return stored.get(code), base


def save_project(store: Store, viewer: Viewer, record: Mapping[str, Any], read_base: Mapping[str, int | None], *,
                 stage_on: dt.date | None = None, stage_note: str | None = None, stage_reason: str | None = None,
                 at: dt.datetime | None = None) -> Saved:
    """Save one project as a new version. Refused (ValidationError) when the viewer may not edit projects of
    the record's district, or of the district it is stored under; (Conflict) when it changed since read."""
    code = record.get("code")
    stored, _ = read_for_form(store, code) if isinstance(code, str) and code else (None, {})
    if stored is not None and read_base.get(code) is None:  # the form was for a new project
        raise ValidationError([Problem(code, "code", "project_code_exists", {"code": code})])
    for district in {record.get("district"), (stored or {}).get("district")} - {None}:
        if not allowed(viewer, Action.EDIT_PROJECTS, district):
            raise ValidationError([Problem(code or "", "district", "project_not_yours", {"district": district})])
    record = dict(record)
    rules = rulebook.rules(store, "projects")
    if is_missing(record.get("code_name")):  # a neutral code name for shared surfaces, given once
        taken = store.projects()["code_name"].dropna().tolist()
        record["code_name"] = pj.code_name(record, taken, rules)
    user = viewer.username or ""
    stage_changed = stored is None or stored.get("stage") != record.get("stage")
    if stage_changed:  # a stage change is an event: checked against the project's history first
        event = pj.StageEvent(code, str(record.get("stage")), stage_on or workflow.today_in_taicang(), user,
                              dt.datetime.now(dt.UTC).replace(tzinfo=None), stage_reason, stage_note)
        errors = [p for p in pj.check_event(workflow.events(store, [code]), event, rules) if p.severity == "error"]
        if errors:
            raise ValidationError(errors)
    given = {code: {"on": event.on, "reason": stage_reason, "note": stage_note}} if stage_changed else {}
    version, _ = store.save("project", [record], user=user, source="form", district=record.get("district"),
                            expected_base={code: read_base.get(code)}, at=at, stage_events=given)
    return Saved(version, stage_changed and version is not None, stored is None,
                 duplicate_notice(store, record) if version is not None else None)
