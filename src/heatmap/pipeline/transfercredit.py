"""Both districts' credit for a transferred project (seed 二(三): 转出地和落户地均予考核加分).

宁德 keeps attribution and credit apart: a transferred project's figures sit with the destination (counting:
kind "transfer"), while the credit for it is shared — by default 50:50 for 5 years, both editable per
transfer by the office (pipeline.transferflow). Here:

- `credits(accepted)` gives each accepted transfer's split: the origin's and the destination's share, and
  the days it holds (from the day of acceptance, for the years of the split: `from_on <= day < until_on`);
- `credit_rows(credits, settled_on, amounts_cny_wan, period_of)` gives, when a project settles (reaches a
  stage of model.STAGE_GROUP's SETTLED group) while its split holds, one row per district: the share of the
  project (projects_credit) and of its investment (investment_credit_cny_wan = share × amount, 万元 CNY), in
  the reporting period of the settlement day. A project settled before its transfer was accepted, or after
  the split ran out, gives no shared credit (it is the hosting district's alone). Of several accepted
  transfers of one project, the last accepted on or before the settlement counts (the one that brought it
  where it settled);
- `transfer_credits(store, period_of)` reads all of that from the store, for the scoreboard.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from heatmap import i18n
from heatmap.access import Action, Role, Viewer, allowed
from heatmap.model import STAGE_GROUP, StageGroup
from heatmap.pipeline import counting, rulebook, transferflow
from heatmap.store import Store

COLUMNS = ("district", "period", "project_code", "role", "share", "projects_credit", "investment_credit_cny_wan",
           "settled_on", "transfer_id", "other_district")
SETTLED_STAGES = tuple(str(s) for s, group in STAGE_GROUP.items() if group is StageGroup.SETTLED)


@dataclass(frozen=True)
class Credit:
    """One accepted transfer's split: who gets which share, from which day until which (exclusive)."""

    transfer_id: int
    project_code: str
    origin: str
    destination: str
    origin_share: float  # 0..1
    from_on: dt.date
    until_on: dt.date

    @property
    def destination_share(self) -> float:
        return 1.0 - self.origin_share

    def holds_on(self, day: dt.date) -> bool:
        return self.from_on <= day < self.until_on


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def credits(accepted: Iterable[Mapping]) -> list[Credit]:
    """The split of each accepted transfer: mappings with id, project_code, origin, destination, accepted_on,
    origin_percent and credit_years."""
    return [Credit(int(a["id"]), a["project_code"], a["origin"], a["destination"], float(a["origin_percent"]) / 100,
                   a["accepted_on"], years_after(a["accepted_on"], int(a["credit_years"]))) for a in accepted]


def credit_rows(credits_: Iterable[Credit], settled_on: Mapping[str, dt.date], amounts_cny_wan: Mapping[str, float | None],
                period_of: Callable[[dt.date], str]) -> pd.DataFrame:
    """Per settled project whose split holds on its settlement day: a row for the origin and one for the
    destination (columns COLUMNS; an unknown amount credits 0 万元, the project still counts)."""
    latest: dict[str, Credit] = {}
    for c in sorted(credits_, key=lambda c: (c.from_on, c.transfer_id)):
        day = settled_on.get(c.project_code)
        if day is not None and c.from_on <= day:
            latest[c.project_code] = c
    rows = []
    for code, c in sorted(latest.items()):
        day = settled_on[code]
        if not c.holds_on(day):
            continue
        amount = amounts_cny_wan.get(code) or 0.0
        for role, district, other, share in (("origin", c.origin, c.destination, c.origin_share),
                                             ("destination", c.destination, c.origin, c.destination_share)):
            rows.append({"district": district, "period": period_of(day), "project_code": code, "role": role,
                         "share": share, "projects_credit": share, "investment_credit_cny_wan": share * amount,
                         "settled_on": day, "transfer_id": c.transfer_id, "other_district": other})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def settlement_days(stage_events: pd.DataFrame) -> dict[str, dt.date]:
    """The first day each project reached a settled stage, from its stage events in force (an event
    corrected by a later one is left out)."""
    if not len(stage_events):
        return {}
    corrected = set(stage_events["corrects_id"].dropna().astype(int))
    settled = stage_events[~stage_events["id"].isin(corrected) & stage_events["stage"].isin(SETTLED_STAGES)]
    return {code: min(days) for code, days in settled.groupby("project_code")["happened_on"]
            .agg(lambda s: [pd.Timestamp(d).date() for d in s]).items()}


def accepted_of(transfers: Iterable[transferflow.Transfer]) -> list[dict]:
    """The accepted transfers as `credits` reads them."""
    out = []
    for t in transfers:
        if t.accepted is None:
            continue
        percent, years = t.split
        out.append({"id": t.id, "project_code": t.project_code, "origin": t.origin, "destination": t.destination,
                    "accepted_on": t.accepted.at.date(), "origin_percent": percent, "credit_years": years})
    return out


def transfer_credits(store: Store, period_of: Callable[[dt.date], str] | None = None) -> pd.DataFrame:
    """Every district's credit for transferred projects that settled, per reporting period (`period_of`
    names a day's period, e.g. `lambda d: reports.period_of(d, rules).key`; default the counting rules'
    period). Columns COLUMNS: district, period, project_code, role (origin / destination), share,
    projects_credit (the share of one project), investment_credit_cny_wan (the share of its investment,
    万元 CNY), settled_on, transfer_id, other_district. Sum projects_credit and investment_credit_cny_wan per
    district and period for the scoreboard."""
    if period_of is None:
        period = rulebook.rules(store, "counting")["period"]
        period_of = lambda day: counting.period_label(day, period)  # noqa: E731
    accepted = accepted_of(transferflow.load(store))
    if not accepted:
        return pd.DataFrame(columns=list(COLUMNS))
    codes = sorted({a["project_code"] for a in accepted})
    projects = store.projects()
    projects = projects[projects["code"].isin(codes)]
    amounts = {r["code"]: (counting.amount_cny(r) or 0.0) / 10_000 for r in projects.to_dict("records")}
    return credit_rows(credits(accepted), settlement_days(store.stage_events(codes)), amounts, period_of)


def totals(rows: pd.DataFrame) -> pd.DataFrame:
    """The credit rows added up per district and period: projects_credit, investment_credit_cny_wan, and the
    transfers out (as origin) and in (as destination)."""
    columns = ["district", "period", "projects_credit", "investment_credit_cny_wan", "transfers_out", "transfers_in"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    frame = rows.assign(transfers_out=(rows["role"] == "origin").astype(int), transfers_in=(rows["role"] == "destination").astype(int))
    return frame.groupby(["district", "period"], as_index=False)[columns[2:]].sum()[columns]



def visible_rows(viewer: Viewer, rows: pd.DataFrame) -> pd.DataFrame:
    """Staff their own district's credit rows; leaders, the office and administrators all; the public none."""
    if not allowed(viewer, Action.VIEW_PIPELINE):
        return rows.iloc[0:0]
    return rows[rows["district"] == viewer.district] if viewer.role is Role.STAFF else rows


TABLE_COLUMNS = ("district", "period", "project", "role", "other_district", "share", "projects_credit", "investment_credit",
                 "settled_on")


def table(viewer: Viewer, rows: pd.DataFrame, projects: pd.DataFrame, lang: str, names: Mapping[str, str],
          period_label: Callable[[str], str]) -> pd.DataFrame:
    """The credit rows the viewer may see as a table in `lang`: the project by code and name for those who
    work it (staff of either district, the office), by code name for leaders."""
    by_code = {r["code"]: r for r in projects.to_dict("records")}
    full = viewer.role in (Role.STAFF, Role.OFFICE, Role.ADMIN)
    out = []
    for r in visible_rows(viewer, rows).sort_values(["period", "district", "project_code"]).to_dict("records"):
        project = by_code.get(r["project_code"], {})
        name = f"{r['project_code']} · {project.get('name') or '–'}" if full else \
            (project.get("code_name") or i18n.t("transfers.no_code_name", lang))
        out.append({"district": names.get(r["district"], r["district"]), "period": period_label(r["period"]), "project": name,
                    "role": i18n.t(f"transfercredit.role.{r['role']}", lang),
                    "other_district": names.get(r["other_district"], r["other_district"]),
                    "share": i18n.fmt_percent(r["share"]), "projects_credit": f"{r['projects_credit']:.2f}",
                    "investment_credit": i18n.fmt_cny_wan(r["investment_credit_cny_wan"], lang),
                    "settled_on": i18n.fmt_date(r["settled_on"], lang)})
    frame = pd.DataFrame(out, columns=list(TABLE_COLUMNS))
    return frame.rename(columns={c: i18n.t(f"transfercredit.col.{c}", lang) for c in TABLE_COLUMNS})
