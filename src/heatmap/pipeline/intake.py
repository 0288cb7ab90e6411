"""One project saved from the form: who may, checked against what the form was filled from, and the stage
change recorded as an event. The page calls `save_project`; the upload path uses heatmap.ingest.

Two people editing one project at once: the form remembers the version it was filled from (`read_base`);
a save over a newer version is refused (store.Conflict) and the form shows the project as it now is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from heatmap.access import Action, Viewer, allowed
from heatmap.model import Problem, ValidationError, is_missing
from heatmap.pipeline import duplicates
from heatmap.pipeline import projects as pj
from heatmap.pipeline import rulebook, workflow
from heatmap.store import Store


@dataclass
class Saved:
    version: int | None  # None: nothing differed from what is stored
    stage_recorded: bool  # the stage changed, and the change was recorded as an event
    is_new: bool
    notice: duplicates.DistrictNotice | None = None  # likely matches in other districts: a count, nothing more


def duplicate_notice(store: Store, record: Mapping[str, Any]) -> duplicates.DistrictNotice:
    """What the district may be told after saving: how many likely matches other districts hold (the office
    sees the pair in its queue). Pairs the office has decided are not raised again."""
    others = store.projects()
    others = others[others["code"] != record.get("code")]
    matches = duplicates.find_matches(record, others, rulebook.rules(store, "duplicates"), decided=store.decided_pairs())
    return duplicates.visible_to_district(matches, record.get("district"))


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
