"""Who may see and change what. `allowed` is the one function that decides; pages ask it.

The project pipeline is confidential (seed 二(三)): public viewers (investors) never receive project
records, only carrier data marked public. Staff edit their own district's carriers and read the
projects of their own district (as destination or origin) and submit its bi-monthly reports; leaders
read everything; the investment office (office) reads and edits every district's projects and decides
whether two districts' records are one project; administrators also manage accounts, rules and reference
data, and alone read the audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd


class Role(StrEnum):
    PUBLIC = "public"  # investors and enterprises, no sign-in
    STAFF = "staff"  # district investment staff, bound to one district
    LEADER = "leader"  # city leaders and the leading group
    OFFICE = "office"  # the investment office (招商局 / 领导小组办公室): all districts' pipeline, the one window
    ADMIN = "admin"


class Action(StrEnum):
    VIEW_PIPELINE = "view_pipeline"  # project records (names, investors, amounts); per district for staff
    VIEW_PRIVATE_CARRIERS = "view_private_carriers"  # carriers not marked public
    EDIT_CARRIERS = "edit_carriers"  # per district for staff
    EDIT_PROJECTS = "edit_projects"  # per district for staff
    VIEW_HISTORY = "view_history"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_DISTRICTS = "manage_districts"
    MANAGE_SETTINGS = "manage_settings"  # e.g. how old a record may be before it is stale
    HANDLE_INQUIRIES = "handle_inquiries"  # read investors' inquiries (with their contact data); per district
    SUBMIT_REPORTS = "submit_reports"  # the bi-monthly report of a district; per district for staff
    VIEW_REPORTS = "view_reports"  # submitted reports and their figures; per district for staff
    RESOLVE_DUPLICATES = "resolve_duplicates"  # decide whether two districts' records are one project
    REGISTER_FIRST_REPORTS = "register_first_reports"  # enter a first report (信息首报) in the ledger
    MANAGE_RULES = "manage_rules"  # due dates, matching thresholds, award rates, grading standards … (versioned)
    PROPOSE_GRADE = "propose_grade"  # a project's grade, from its indicator values; per district for staff
    CONFIRM_GRADE = "confirm_grade"  # confirm or return a proposed grade (never one's own proposal)
    VIEW_LEADING_GROUP = "view_leading_group"  # the leading group's queue (会商): B or better asking city support
    DECIDE_SUPPORT = "decide_support"  # record the leading group's decision on a project's city support
    VIEW_AUDIT = "view_audit"  # read and export the audit trail (administrators only; nobody edits it)


@dataclass(frozen=True)
class Viewer:
    username: str | None
    role: Role
    district: str | None = None
    display_name: str = ""

    @property
    def signed_in(self) -> bool:
        return self.role is not Role.PUBLIC


PUBLIC = Viewer(username=None, role=Role.PUBLIC)

_DISTRICT_BOUND = {Action.VIEW_PIPELINE, Action.EDIT_CARRIERS, Action.EDIT_PROJECTS, Action.HANDLE_INQUIRIES,
                   Action.SUBMIT_REPORTS, Action.VIEW_REPORTS, Action.PROPOSE_GRADE}
_GRANTS = {
    Role.PUBLIC: set(),
    Role.STAFF: {Action.VIEW_PIPELINE, Action.VIEW_PRIVATE_CARRIERS, Action.EDIT_CARRIERS, Action.EDIT_PROJECTS, Action.VIEW_HISTORY,
                 Action.HANDLE_INQUIRIES, Action.SUBMIT_REPORTS, Action.VIEW_REPORTS, Action.REGISTER_FIRST_REPORTS,
                 Action.PROPOSE_GRADE},
    Role.LEADER: {Action.VIEW_PIPELINE, Action.VIEW_PRIVATE_CARRIERS, Action.VIEW_HISTORY, Action.VIEW_REPORTS,
                  Action.VIEW_LEADING_GROUP},
    # the office confirms grades but does not propose them: the district that brings a project proposes (衢州:
    # the unit that brought a project takes no part in the decision, so proposing and confirming stay apart)
    Role.OFFICE: {Action.VIEW_PIPELINE, Action.VIEW_PRIVATE_CARRIERS, Action.VIEW_HISTORY, Action.EDIT_PROJECTS,
                  Action.VIEW_REPORTS, Action.RESOLVE_DUPLICATES, Action.REGISTER_FIRST_REPORTS, Action.CONFIRM_GRADE,
                  Action.VIEW_LEADING_GROUP, Action.DECIDE_SUPPORT},
    Role.ADMIN: set(Action),
}


def allowed(viewer: Viewer, action: Action, district: str | None = None) -> bool:
    """May this viewer do this, for this district (None: for any district at all)?"""
    if action not in _GRANTS[viewer.role]:
        return False
    if viewer.role is Role.STAFF and action in _DISTRICT_BOUND and district is not None:
        return district == viewer.district
    return True


def may_roll_back(viewer: Viewer, entity: str, version_district: str | None) -> bool:
    """May this viewer undo a version of `entity` ("carrier" or "project") made for `version_district`
    (None: a city-wide version)? Those who may edit the entity may; staff only their own district's
    versions, never city-wide ones (those are for administrators). The upload page and the command
    line both ask this."""
    action = Action.EDIT_CARRIERS if entity == "carrier" else Action.EDIT_PROJECTS
    if not allowed(viewer, action):
        return False
    if viewer.role is Role.STAFF:
        return version_district is not None and version_district == viewer.district
    return True


def visible_versions(viewer: Viewer, entity: str, versions: pd.DataFrame) -> pd.DataFrame:
    """The versions of `entity` whose changes this viewer may read in the history. Carriers: staff their own
    district's and the city-wide ones. Projects are confidential: staff only their own district's versions
    (a city-wide one, such as the office merging two districts' records, names other districts' projects);
    the office and administrators all. Nobody else any."""
    action = Action.EDIT_CARRIERS if entity == "carrier" else Action.EDIT_PROJECTS
    if not allowed(viewer, action):
        return versions.iloc[0:0]
    if viewer.role is not Role.STAFF:
        return versions
    own = versions["district"] == viewer.district
    return versions[own | versions["district"].isna()] if entity == "carrier" else versions[own]


def visible_carriers(viewer: Viewer, carriers: pd.DataFrame, stale_hidden_from_public=None) -> pd.DataFrame:
    """The carriers this viewer may see: public ones only, unless allowed to see the others. For the
    public, `stale_hidden_from_public` (a function of the frame) may also drop stale records."""
    if allowed(viewer, Action.VIEW_PRIVATE_CARRIERS):
        return carriers
    public = carriers[carriers["is_public"].fillna(False).astype(bool)]
    return stale_hidden_from_public(public) if stale_hidden_from_public else public


def visible_inquiries(viewer: Viewer, inquiries: pd.DataFrame) -> pd.DataFrame:
    """Inquiries, with investors' contact data, go to the staff of the carrier's district (and admins)."""
    if not allowed(viewer, Action.HANDLE_INQUIRIES):
        return inquiries.iloc[0:0]
    if viewer.role is Role.STAFF:
        return inquiries[inquiries["district"] == viewer.district]
    return inquiries


def visible_projects(viewer: Viewer, projects: pd.DataFrame) -> pd.DataFrame:
    """The project records this viewer may read: none for the public, their districts' for staff."""
    if not allowed(viewer, Action.VIEW_PIPELINE):
        return projects.iloc[0:0]
    if viewer.role is Role.STAFF:
        mine = (projects["district"] == viewer.district) | (projects["origin_district"] == viewer.district)
        return projects[mine]
    return projects
