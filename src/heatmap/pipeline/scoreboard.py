"""The district scoreboard (区镇考核, seed 三(一)): per district and reporting period, figures taken from the
data (never typed in) and the points the versioned rules give them, ranked.

The figures of a district for a period:
- new_valid_leads: projects of the period's records (the district's report, else its pipeline at the
  period's end) that pass the valid-lead test (`reports.valid_lead`) and were not valid leads in the
  previous period's records (new ones and ones that qualified since);
- signed_* / settled_*: projects signed, and projects settled (first reaching a stage of the settled group,
  `model.STAGE_GROUP`: 注册 onwards), in the period, each counted once by `pipeline.counting` (rows of
  `counting.count_events`): how many, the amount in 万元 CNY, and of it the foreign investment in 万美元 (a
  project is foreign-invested when its investor's country is given and is not CN; with no country, when
  its currency is not CNY);
- credit_settled_*: the settled figures with transfer credit shared: a project transferred in counts for
  the destination only with the destination's share, and the origin gets its own share (see TRANSFER_COLUMNS);
- grade_*: the district's projects in the period's records by their grade (A+ … F; ungraded not counted);
- transfers_out / transfers_in and transfer_credit_projects / transfer_credit_cny_wan: the transfers the
  district took part in as origin (首谈地) or destination (承接地) in the period, and the credit they carry;
- carriers_added (records new since the period began), carriers_revived (records whose vacant area fell:
  space brought back into use) and revived_m2, vacancy_change_pp (the district's vacancy rate at the
  period's end minus at its start, in percentage points; a fall is negative);
- report_state (on_time / late / overdue / open, `reports.status`), report_days_late and
  report_completeness (the share of the report's projects whose valid-lead facts are all known; 0 without
  a report);
- verified_share: the share of the district's carrier records verified within the rules' days (default
  90) at the period's end;
- stalled_projects (no progress for the reporting rules' time, `projects.stalled`, at the period's end) and
  double_counted (records the office found to be a project another record already holds, by decision date).

Points: every figure item times its weight (`points`; money per 亿元 and per 1,000 万美元), the grades by
`grade_points`, the report by its state (`report_points`) plus completeness, minus `deductions` per stalled
and double-counted project. Totals are rounded to two decimals and ranked: equal totals share a rank (1, 2,
2, 4), listed in the districts' order.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from heatmap import i18n, vacancy
from heatmap.model import FX_TO_CNY, GRADES, STAGE_GROUP, StageGroup, is_missing
from heatmap.pipeline import counting
from heatmap.pipeline import projects as pj
from heatmap.pipeline import reports as rp
from heatmap.pipeline.reasons import Reason
from heatmap.summary import vacancy_rate

# The transfers the scoreboard reads (built by the transfer workflow; an empty frame until it lands): one
# row per district taking part in a completed transfer, for the period its credit falls in.
#   district          the district credited
#   period            the reporting period key ("2026-5")
#   project_code      the project transferred
#   role              "origin" (首谈地, it sent the project) or "destination" (承接地, it hosts it)
#   share             the district's share of the credit (0–1; default 0.5 each)
#   projects_credit   the project count credited to it (usually = share)
#   investment_credit_cny_wan   the investment credited to it, 万元 CNY (share × the project's investment)
TRANSFER_COLUMNS = ("district", "period", "project_code", "role", "share", "projects_credit", "investment_credit_cny_wan")
DOUBLE_COLUMNS = ("district", "period", "project_code")
SETTLED_STAGES = tuple(s.value for s, g in STAGE_GROUP.items() if g is StageGroup.SETTLED)
GRADE_COLUMNS = {g: "grade_" + g.replace("+", "_plus").lower() for g in GRADES}

FIGURES = ("new_valid_leads", "signed_projects", "signed_cny_wan", "signed_foreign_usd_wan", "settled_projects",
           "settled_cny_wan", "settled_foreign_usd_wan", "credit_settled_projects", "credit_settled_cny_wan",
           *GRADE_COLUMNS.values(), "transfers_out", "transfers_in", "transfer_credit_projects",
           "transfer_credit_cny_wan", "carriers_added", "carriers_revived", "revived_m2", "vacancy_change_pp",
           "report_days_late", "report_completeness", "verified_share", "stalled_projects", "double_counted")
# Point items: the weight's name in `points` -> (the figure it multiplies, the figure's amount per unit).
WEIGHTED = {
    "new_valid_leads": ("new_valid_leads", 1.0),
    "signed_projects": ("signed_projects", 1.0),
    "signed_cny_yi": ("signed_cny_wan", 10_000.0),  # per 亿元
    "signed_foreign_usd_10m": ("signed_foreign_usd_wan", 1_000.0),  # per 1,000 万美元
    "settled_projects": ("credit_settled_projects", 1.0),
    "settled_cny_yi": ("credit_settled_cny_wan", 10_000.0),
    "transfers_out": ("transfers_out", 1.0),
    "transfers_in": ("transfers_in", 1.0),
    "carriers_added": ("carriers_added", 1.0),
    "carriers_revived": ("carriers_revived", 1.0),
    "vacancy_fall_pp": ("vacancy_change_pp", -1.0),  # a fall of the rate earns, a rise costs
    "verified_share": ("verified_share", 1.0),  # at 100 % of records verified
    "report_completeness": ("report_completeness", 1.0),  # at 100 % of facts known
}
DEDUCTED = {"stalled_project": "stalled_projects", "double_counted": "double_counted"}
REPORT_STATES = ("on_time", "late", "overdue", "open")
POINT_COLUMNS = (*WEIGHTED, "grades", "report", *(f"minus_{k}" for k in DEDUCTED), "total")

DEFAULT_RULES: dict[str, Any] = {
    # Points per unit of each figure (漯河-style assessments weigh signed projects, foreign capital, carrier
    # development and reporting discipline; the seed asks both sides of a transfer to be credited).
    "points": {
        "new_valid_leads": 2.0,
        "signed_projects": 3.0,
        "signed_cny_yi": 1.0,
        "signed_foreign_usd_10m": 2.0,
        "settled_projects": 5.0,
        "settled_cny_yi": 2.0,
        "transfers_out": 2.0,
        "transfers_in": 2.0,
        "carriers_added": 0.5,
        "carriers_revived": 0.5,
        "vacancy_fall_pp": 0.5,
        "verified_share": 5.0,
        "report_completeness": 5.0,
    },
    # Points per project of each grade in the district's records (the quality of its pipeline).
    "grade_points": {"A+": 3.0, "A": 2.5, "B": 2.0, "C": 1.0, "D": 0.5, "E": 0.0, "F": 0.0},
    # The report (漯河: on time and complete is worth 10 points), by its state; a report not due yet
    # ("open") earns nothing until it is sent.
    "report_points": {"on_time": 5.0, "late": 2.0, "overdue": 0.0},
    # Deducted per project: stalled (超时限未推进) and double-counted (one project reported twice).
    "deductions": {"stalled_project": 1.0, "double_counted": 2.0},
    # A carrier record counts as verified when checked within this many days of the period's end.
    "verified_within_days": 90,
}


def validate_rules(rules: Mapping[str, Any]) -> list[Reason]:
    """What is wrong with edited scoreboard rules (empty: they can be stored); each reason names its setting
    ("points.signed_projects", "deductions.stalled_project", "verified_within_days") in its `rule` param."""
    problems = [Reason("scoreboard.rules.missing", {"rule": k}) for k in DEFAULT_RULES if k not in rules]
    problems += [Reason("scoreboard.rules.unknown", {"rule": k}) for k in rules if k not in DEFAULT_RULES]
    if problems:
        return problems
    for group, defaults in DEFAULT_RULES.items():
        if not isinstance(defaults, dict):
            continue
        values = rules[group]
        if not isinstance(values, Mapping) or set(values) != set(defaults):
            problems.append(Reason("scoreboard.rules.shape", {"rule": group}))
            continue
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                problems.append(Reason("scoreboard.rules.not_a_number", {"rule": f"{group}.{key}", "value": value}))
            elif group == "deductions" and value < 0:
                problems.append(Reason("scoreboard.rules.negative_deduction", {"rule": f"{group}.{key}", "value": value}))
            elif abs(value) > 1000:
                problems.append(Reason("scoreboard.rules.too_large", {"rule": f"{group}.{key}", "value": value}))
    days = rules["verified_within_days"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        problems.append(Reason("scoreboard.rules.days", {"rule": "verified_within_days", "value": days}))
    return problems


@dataclass(frozen=True)
class Inputs:
    """What the scoreboard of one period reads; `scoreboard_inputs.gather` fills it from the store."""

    period: rp.Period
    districts: tuple[str, ...]  # in the order ties are listed
    projects: pd.DataFrame  # the period's project records (district, code, grade, valid-lead fields)
    projects_before: pd.DataFrame  # the previous period's records
    signed: pd.DataFrame  # `counting.count_events` rows of the signings (project_code, district, period, projects, amount_cny)
    settled: pd.DataFrame  # the same, counted with the settled stages as "signing" (`settled_counting_rules`)
    investors: pd.DataFrame  # code, investor_country, currency of every project (which are foreign-invested)
    events: Sequence[pj.StageEvent]  # stage events of the period's projects (stalled)
    report_status: pd.DataFrame  # `reports.status` of the period
    carriers_start: pd.DataFrame  # carrier records at the period's start (code, name, district, kind, area_m2, leasable_m2, vacant_m2)
    carriers_end: pd.DataFrame  # at its end, with verified_on
    transfers: pd.DataFrame  # TRANSFER_COLUMNS
    double_counted: pd.DataFrame  # DOUBLE_COLUMNS
    report_rules: Mapping[str, Any] = field(default_factory=lambda: rp.DEFAULT_RULES)


@dataclass(frozen=True)
class Board:
    """One period's scoreboard: the figures and the points per district, ranked (best first)."""

    period: rp.Period
    figures: pd.DataFrame  # district, report_state, FIGURES
    points: pd.DataFrame  # district, POINT_COLUMNS, rank

    def value(self, name: str) -> pd.Series:
        """A figure or point item (or "total", "rank") per district code."""
        frame = self.points if name in (*POINT_COLUMNS, "rank") else self.figures
        return pd.Series(frame[name].astype(float).to_numpy(), index=frame["district"].to_numpy(), name=name)


def settled_counting_rules(rules: Mapping[str, Any] = counting.DEFAULT_RULES) -> dict[str, Any]:
    """The counting rules with "signing" read as reaching a settled stage: a project counts once, when it
    first settles."""
    return {**rules, "signing_stages": list(SETTLED_STAGES), "drop_stages": [s for s in rules["drop_stages"] if s not in SETTLED_STAGES]}


def is_foreign(record: Mapping[str, Any]) -> bool:
    country = record.get("investor_country")
    if not is_missing(country) and str(country).strip():
        return str(country).strip().upper() != "CN"
    currency = record.get("currency")
    return not is_missing(currency) and currency != "CNY"


def _per_district(rows: pd.DataFrame, districts: Sequence[str], column: str) -> pd.Series:
    if rows.empty:
        return pd.Series(0.0, index=list(districts))
    return rows.groupby("district")[column].sum().reindex(list(districts), fill_value=0.0).astype(float)


def _counted(rows: pd.DataFrame, period: str, foreign: set[str], districts: Sequence[str], prefix: str) -> dict[str, pd.Series]:
    """Projects, 万元 CNY and foreign 万美元 of the counted rows of the period."""
    mine = rows[(rows["period"] == period) & rows["counted"].astype(bool)] if len(rows) else rows
    abroad = mine[mine["project_code"].isin(foreign)] if len(mine) else mine
    return {f"{prefix}_projects": _per_district(mine, districts, "projects"),
            f"{prefix}_cny_wan": _per_district(mine, districts, "amount_cny") / 10_000,
            f"{prefix}_foreign_usd_wan": _per_district(abroad, districts, "amount_cny") / 10_000 / FX_TO_CNY["USD"]}


def _valid_codes(records: pd.DataFrame, rules: Mapping[str, Any]) -> set[tuple[str, str]]:
    return {(rec["district"], rec["code"]) for rec in records.to_dict("records") if rp.valid_lead(rec, rules)[0] is True}


def _district_vacancy(carriers: pd.DataFrame, districts: Sequence[str]) -> pd.Series:
    """The vacancy rate per district, all kinds together (NaN where nothing is leasable)."""
    if carriers.empty:
        return pd.Series(float("nan"), index=list(districts))
    table = vacancy.by_district_and_kind(carriers, districts)
    sums = table[table["district"] != vacancy.TOTAL].groupby("district", sort=False)[["vacant_m2", "leasable_m2"]].sum()
    return vacancy_rate(sums["vacant_m2"], sums["leasable_m2"]).reindex(list(districts))


def figures(inputs: Inputs, rules: Mapping[str, Any] = DEFAULT_RULES) -> pd.DataFrame:
    """The figures of every district for the period: one row per district, columns district, report_state
    and FIGURES (see the module's description)."""
    period, districts = inputs.period, list(inputs.districts)
    out = pd.DataFrame({"district": districts}).set_index("district", drop=False)
    now, before = _valid_codes(inputs.projects, inputs.report_rules), _valid_codes(inputs.projects_before, inputs.report_rules)
    new_leads = pd.DataFrame([{"district": d, "n": 1} for d, _ in now - before], columns=["district", "n"])
    out["new_valid_leads"] = _per_district(new_leads, districts, "n")
    foreign = {rec["code"] for rec in inputs.investors.to_dict("records") if is_foreign(rec)}
    for prefix, rows in (("signed", inputs.signed), ("settled", inputs.settled)):
        for name, values in _counted(rows, period.key, foreign, districts, prefix).items():
            out[name] = values
    transfers = inputs.transfers[inputs.transfers["period"] == period.key] if len(inputs.transfers) else inputs.transfers
    out["credit_settled_projects"], out["credit_settled_cny_wan"] = _credited(out, inputs.settled, transfers, period.key, districts)
    grades = inputs.projects.get("grade", pd.Series(dtype=object))
    for grade, column in GRADE_COLUMNS.items():
        out[column] = _per_district(inputs.projects[grades == grade].assign(n=1.0), districts, "n")
    for role, column in (("origin", "transfers_out"), ("destination", "transfers_in")):
        out[column] = _per_district(transfers[transfers["role"] == role].assign(n=1.0) if len(transfers) else transfers, districts, "n")
    out["transfer_credit_projects"] = _per_district(transfers, districts, "projects_credit")
    out["transfer_credit_cny_wan"] = _per_district(transfers, districts, "investment_credit_cny_wan")
    _carrier_figures(out, inputs, rules, districts)
    _report_figures(out, inputs, districts)
    out["stalled_projects"] = _per_district(_stalled(inputs), districts, "n")
    double = inputs.double_counted[inputs.double_counted["period"] == period.key] if len(inputs.double_counted) else inputs.double_counted
    out["double_counted"] = _per_district(double.drop_duplicates(["district", "project_code"]).assign(n=1.0)
                                          if len(double) else double, districts, "n")
    return out.reset_index(drop=True)[["district", "report_state", *FIGURES]]


def _credited(out: pd.DataFrame, settled: pd.DataFrame, transfers: pd.DataFrame, period: str,
              districts: Sequence[str]) -> tuple[pd.Series, pd.Series]:
    """The settled figures with transfer credit: a destination gives up each transferred project it settled
    in the period (count and amount) and takes its own credit; an origin adds its credit."""
    projects, amount = out["settled_projects"].copy(), out["settled_cny_wan"].copy()
    rows = settled[(settled["period"] == period) & settled["counted"].astype(bool)] if len(settled) else settled
    for rec in transfers.to_dict("records") if len(transfers) else []:
        if rec["district"] not in projects.index:
            continue
        if rec["role"] == "destination":
            own = rows[(rows["project_code"] == rec["project_code"]) & (rows["district"] == rec["district"])] if len(rows) else rows
            projects[rec["district"]] -= float(own["projects"].sum()) if len(own) else 0.0
            amount[rec["district"]] -= float(own["amount_cny"].sum()) / 10_000 if len(own) else 0.0
        projects[rec["district"]] += float(rec["projects_credit"])
        amount[rec["district"]] += float(rec["investment_credit_cny_wan"])
    return projects.reindex(list(districts)), amount.reindex(list(districts))


def _carrier_figures(out: pd.DataFrame, inputs: Inputs, rules: Mapping[str, Any], districts: Sequence[str]) -> None:
    start, end = inputs.carriers_start, inputs.carriers_end
    if end.empty:
        changes = pd.DataFrame(columns=["district", "change", "delta_m2"])
    else:
        before = {rec["code"]: rec for rec in start.to_dict("records")}
        changes = vacancy.changes_since(before, end)
    added = changes[changes["change"] == "added"].assign(n=1.0)
    revived = changes[changes["change"] == "less_vacant"].assign(n=1.0)
    out["carriers_added"] = _per_district(added, districts, "n")
    out["carriers_revived"] = _per_district(revived, districts, "n")
    out["revived_m2"] = -_per_district(revived, districts, "delta_m2")
    change = (_district_vacancy(end, districts) - _district_vacancy(start, districts)) * 100
    out["vacancy_change_pp"] = change.fillna(0.0)
    if end.empty:
        out["verified_share"] = 0.0
        return
    fresh = vacancy.freshness(end, districts, inputs.period.end, rules["verified_within_days"])
    out["verified_share"] = (1 - fresh["stale_share"]).reindex(list(districts)).fillna(0.0)


def _report_figures(out: pd.DataFrame, inputs: Inputs, districts: Sequence[str]) -> None:
    status = inputs.report_status.set_index("district").reindex(list(districts))
    out["report_state"] = status["state"].fillna("open")
    out["report_days_late"] = status["days_late"].fillna(0).astype(float)
    sent = out["report_state"].isin(["on_time", "late"])
    completeness = {}
    for district in districts:
        records = inputs.projects[inputs.projects["district"] == district].to_dict("records") if len(inputs.projects) else []
        known = sum(1 for rec in records if rp.valid_lead(rec, inputs.report_rules)[0] is not None)
        completeness[district] = known / len(records) if records else 1.0
    out["report_completeness"] = pd.Series(completeness).where(sent, 0.0)


def _stalled(inputs: Inputs) -> pd.DataFrame:
    history = pj.by_project(inputs.events)
    rows = []
    for rec in inputs.projects.to_dict("records") if len(inputs.projects) else []:
        evs = [e for e in history.get(rec["code"], []) if e.on <= inputs.period.end]
        if evs and pj.stalled(evs, inputs.period.end, inputs.report_rules)[0]:
            rows.append({"district": rec["district"], "n": 1.0})
    return pd.DataFrame(rows, columns=["district", "n"])


def points(frame: pd.DataFrame, rules: Mapping[str, Any] = DEFAULT_RULES) -> pd.DataFrame:
    """The points of each district's figures (a `figures` frame) by the rules, with the total and the rank."""
    out = pd.DataFrame({"district": frame["district"]})
    for name, (figure, unit) in WEIGHTED.items():
        out[name] = frame[figure].astype(float) / unit * rules["points"][name]
    out["grades"] = sum(frame[column].astype(float) * rules["grade_points"][grade] for grade, column in GRADE_COLUMNS.items())
    out["report"] = frame["report_state"].map({**rules["report_points"], "open": 0.0}).fillna(0.0).astype(float)
    for name, figure in DEDUCTED.items():
        out[f"minus_{name}"] = 0.0 - frame[figure].astype(float) * rules["deductions"][name]
    out["total"] = out[[c for c in POINT_COLUMNS if c != "total"]].sum(axis=1).round(2)
    out["rank"] = out["total"].rank(method="min", ascending=False).astype(int)
    order = {d: i for i, d in enumerate(frame["district"])}
    return out.assign(_o=out["district"].map(order)).sort_values(["rank", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def board(inputs: Inputs, rules: Mapping[str, Any] = DEFAULT_RULES) -> Board:
    found = figures(inputs, rules)
    scored = points(found, rules)
    order = {d: i for i, d in enumerate(scored["district"])}
    found = found.assign(_o=found["district"].map(order)).sort_values("_o").drop(columns="_o").reset_index(drop=True)
    return Board(inputs.period, found, scored)


CHANGE_COLUMNS = ("district", "rank", "total", "rank_before", "total_before", "total_change", "rank_change")


def compare(now: Board, before: Board | None) -> pd.DataFrame:
    """Each district's total and rank against the previous period's (NaN before without a board): the change
    in points, and in places (positive: moved up)."""
    out = now.points[["district", "rank", "total"]].copy()
    prior = before.points.set_index("district") if before is not None else pd.DataFrame(columns=["rank", "total"])
    out["rank_before"] = out["district"].map(prior["rank"]).astype(float)
    out["total_before"] = out["district"].map(prior["total"]).astype(float)
    out["total_change"] = (out["total"] - out["total_before"]).round(2)
    out["rank_change"] = out["rank_before"] - out["rank"]
    return out[list(CHANGE_COLUMNS)]


def empty_transfers() -> pd.DataFrame:
    """The transfer input while the transfer workflow has none to give."""
    return pd.DataFrame(columns=list(TRANSFER_COLUMNS))


# --- as people read them ---------------------------------------------------------------------------

RANKING_FIGURES = ("new_valid_leads", "signed_projects", "signed_cny_wan", "credit_settled_projects", "report_state")
_COUNTS = {"new_valid_leads", "signed_projects", "settled_projects", "carriers_added", "carriers_revived", "transfers_out",
           "transfers_in", "stalled_projects", "double_counted", "report_days_late", *GRADE_COLUMNS.values()}
_SHARES = {"verified_share", "report_completeness"}


def _cell(name: str, value: Any, lang: str, names: Mapping[str, str], is_points: bool) -> Any:
    if name == "district":
        return names.get(value, value)
    if name == "report_state":
        return i18n.t(f"pipeline_reports.state.{value}", lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if name in ("rank", "rank_before", "rank_change") or (name in _COUNTS and not is_points):
        return int(round(float(value)))
    if name in _SHARES and not is_points:
        return i18n.fmt_percent(float(value))
    return round(float(value), 2)


def _header(name: str, lang: str, is_points: bool) -> str:
    kinds = ("col", "item", "figure") if is_points else ("col", "figure", "item")
    for key in (f"scoreboard.{kind}.{name}" for kind in kinds):
        if i18n.has(key):
            return i18n.t(key, lang)
    raise KeyError(name)


def labelled(frame: pd.DataFrame, lang: str, names: Mapping[str, str], is_points: bool = False) -> pd.DataFrame:
    """A scoreboard frame (figures, a ranking, or with `is_points` the points) with headers, districts and
    states in `lang`, numbers rounded, and "–" where a figure is not known."""
    out = pd.DataFrame(index=range(len(frame)))
    for name in frame.columns:
        values = [_cell(name, v, lang, names, is_points) for v in frame[name].tolist()]
        out[_header(name, lang, is_points)] = pd.Series(values, dtype=object)
    return out


def ranking(now: Board, before: Board | None) -> pd.DataFrame:
    """The ranked table: rank, district, total, the previous period's total and rank and the changes, and
    the main figures."""
    change = compare(now, before)
    main = now.figures.set_index("district")[list(RANKING_FIGURES)]
    return change[["rank", "district", "total", "total_before", "total_change", "rank_before", "rank_change"]].join(main, on="district")


def tables(now: Board, before: Board | None, lang: str, names: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """The sheets of the scoreboard's Excel download: ranking, figures, points."""
    return {i18n.t("scoreboard.sheet.ranking", lang): labelled(ranking(now, before), lang, names),
            i18n.t("scoreboard.sheet.figures", lang): labelled(now.figures, lang, names),
            i18n.t("scoreboard.sheet.points", lang): labelled(now.points[["rank", "district", *POINT_COLUMNS]], lang, names, True)}
