"""The project library (项目库) as people read it: a district's projects as a table, one project's record and
its history, and what a form sends back as a record. Pure functions over the store's frames; the page only
arranges them.

Names and investors are confidential: `table` shows them only to viewers who need them (the district's own
staff, the office, administrators); a leader's view shows the project's code name (代号) instead.

The valid-lead test (有效项目信息, pipeline.reports.valid_lead) is shown per project: a column of the table
(是 / 否 / 待补充: yes, no, facts missing) and, in the record view, the verdict with one reason per criterion.
Its two facts are yes / no / not known on the form (`FACT_CHOICES`): a fact nobody has asked about stays
"not known", never "no".
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

import pandas as pd

from heatmap import display, i18n
from heatmap.access import Role, Viewer
from heatmap.model import PROJECT_FIELD, FieldType, investment_cny_wan, is_missing
from heatmap.pipeline import reports

# The table's columns, in order: (field, shown only to those who see names)
TABLE_COLUMNS: tuple[tuple[str, bool], ...] = (
    ("code", False), ("code_name", False), ("name", True), ("investor", True), ("district", False),
    ("stage", False), ("category", False), ("sector", False), ("investment_wan", False), ("currency", False),
    ("space_kind", False), ("land_needed_mu", False), ("floor_area_needed_m2", False), ("grade", False),
    ("reported_on", False),
)
FORM_FIELDS = tuple(f for f in PROJECT_FIELD if f not in ("geometry",))
# The facts of the valid-lead test: the form offers yes, no and not known (None) for each.
LEAD_FACTS = ("is_technical_upgrade", "has_feasibility_study", "decision_level_visit")
FACT_CHOICES: tuple[bool | None, ...] = (None, True, False)
# Amounts shown with their currency (in 万 of the project's currency, with CNY beside a foreign one).
AMOUNT_FIELDS = ("investment_wan", "actual_investment_wan")
_VERDICT = {True: "yes", False: "no", None: "missing"}


def sees_names(viewer: Viewer) -> bool:
    """Who reads a project's real name and investor on this page: those who work the project."""
    return viewer.role in (Role.STAFF, Role.OFFICE, Role.ADMIN)


def project_label(project: Mapping[str, Any], viewer: Viewer, lang: str) -> str:
    """A project as a picker shows it: code and name for those who see names, else its code name alone."""
    if sees_names(viewer):
        return f"{project['code']} · {project.get('name') or '–'}"
    name = project.get("code_name")
    return str(name) if not is_missing(name) else i18n.t("firstreports.no_code_name", lang)


def amount_text(record: Mapping[str, Any], lang: str, field_name: str = "investment_wan") -> str:
    """The investment (or `field_name`, another amount) in its own currency, and for a foreign one its value
    in CNY beside it."""
    amount, currency = record.get(field_name), record.get("currency") or "CNY"
    if is_missing(amount):
        return "–"
    text = i18n.fmt_money_wan(amount, currency, lang)
    if currency != "CNY":
        text += " ≈ " + i18n.fmt_cny_wan(investment_cny_wan(amount, currency), lang)
    return text


def _label(field_name: str, lang: str) -> str:
    """A column's name; the amount column shows amounts with their unit, so its name has none."""
    own = {"investment_wan": "projects.col.investment", "actual_investment_wan": "projects.col.actual_investment"}
    return i18n.t(own.get(field_name, f"field.{field_name}"), lang)


def fact_text(value: Any, lang: str) -> str:
    """A valid-lead fact as the form offers it: yes, no, or not known."""
    return i18n.t("projects.fact.unknown" if is_missing(value) else ("projects.fact.yes" if value else "projects.fact.no"), lang)


def verdict_text(verdict: bool | None, lang: str) -> str:
    """The valid-lead verdict in a word: 是 / 否 / 待补充 (yes, no, facts missing)."""
    return i18n.t(f"projects.lead.{_VERDICT[verdict]}", lang)


def valid_lead(record: Mapping[str, Any], rules: Mapping[str, Any], lang: str) -> tuple[str, list[str]]:
    """The project's valid-lead verdict in a word and its reasons as sentences, under the reports rules
    in force (pipeline.workflow.rules)."""
    verdict, reasons = reports.valid_lead(record, rules)
    return verdict_text(verdict, lang), [reports.reason_text(r, lang) for r in reasons]


def _value_text(field_name: str, record: Mapping[str, Any], lang: str, names: Mapping[str, str]) -> str:
    if field_name in AMOUNT_FIELDS:
        return amount_text(record, lang, field_name)
    if field_name in LEAD_FACTS:
        return fact_text(record.get(field_name), lang)
    return _cell(field_name, record.get(field_name), lang, names)


def _cell(field_name: str, value: Any, lang: str, names: Mapping[str, str]) -> str:
    if is_missing(value):
        return "–"
    spec = PROJECT_FIELD[field_name]
    if field_name in ("district", "origin_district"):
        return names.get(value, str(value))
    if spec.type is FieldType.CHOICE:
        vocabulary = {"space_kind": "kind", "sector": "industry"}.get(field_name, field_name)
        return i18n.label(vocabulary, value, lang)
    if spec.type is FieldType.DATE:
        return i18n.fmt_date(value, lang)
    return display.value_text(spec, value, lang, names)


def table(projects: pd.DataFrame, viewer: Viewer, lang: str, names: Mapping[str, str],
          last_progress: Mapping[str, dt.date] | None = None, lead_rules: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The projects as a table with labels in the language, no empty cell shown as None or nan. For a viewer
    who does not see names, the name and investor columns are left out (the code name stands for them).
    With `lead_rules` (the reports rules in force), a last column gives each project's valid-lead verdict."""
    shown = [(f, private) for f, private in TABLE_COLUMNS if sees_names(viewer) or not private]
    progress_column, lead_column = i18n.t("projects.col.last_progress", lang), i18n.t("projects.col.valid_lead", lang)
    rows = []
    for rec in projects.to_dict("records"):
        row = {_label(field_name, lang): _value_text(field_name, rec, lang, names) for field_name, _ in shown}
        if last_progress is not None:
            day = last_progress.get(rec["code"])
            row[progress_column] = "–" if day is None else _cell("reported_on", day, lang, names)
        if lead_rules is not None:
            row[lead_column] = verdict_text(reports.valid_lead(rec, lead_rules)[0], lang)
        rows.append(row)
    columns = [_label(f, lang) for f, _ in shown] + ([progress_column] if last_progress is not None else []) \
        + ([lead_column] if lead_rules is not None else [])
    frame = pd.DataFrame(rows, columns=columns)
    return frame.drop(columns=[i18n.t("field.currency", lang)])  # the amount cell carries its currency


def record_rows(record: Mapping[str, Any], viewer: Viewer, lang: str, names: Mapping[str, str]) -> pd.DataFrame:
    """One project as (field, value) rows, in the model's order; confidential fields only for those who see names."""
    private = {f for f, p in TABLE_COLUMNS if p}
    rows = []
    for field_name in FORM_FIELDS:
        if field_name in private and not sees_names(viewer):
            continue
        rows.append({i18n.t("projects.col.field", lang): _label(field_name, lang),
                     i18n.t("projects.col.value", lang): _value_text(field_name, record, lang, names)})
    return pd.DataFrame(rows)


def events_table(events: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A project's stage events, oldest first."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    rows = [{
        t("projects.col.on"): _cell("reported_on", e["happened_on"], lang, {}),
        t("field.stage"): i18n.label("stage", e["stage"], lang),
        t("projects.col.reason"): i18n.label("stage_reason", e["reason"], lang) if not is_missing(e["reason"]) else "",
        t("projects.col.note"): "" if is_missing(e["note"]) else str(e["note"]),
        t("projects.col.recorded_by"): str(e["recorded_by"]),
        t("projects.col.recorded_at"): i18n.fmt_datetime(e["recorded_at"], lang),
    } for e in events.to_dict("records")]
    return pd.DataFrame(rows, columns=[t(k) for k in ("projects.col.on", "field.stage", "projects.col.reason",
                                                        "projects.col.note", "projects.col.recorded_by", "projects.col.recorded_at")])


def last_progress(events: pd.DataFrame) -> dict[str, dt.date]:
    """The day of each project's latest stage event."""
    if events.empty:
        return {}
    return events.groupby("project_code")["happened_on"].max().to_dict()


def form_record(values: Mapping[str, Any], stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a form sends back, as a record to save: blank inputs are empty, fields the form does not show
    (the geometry) keep their stored value."""
    record = dict(stored or {})
    for field_name in FORM_FIELDS:
        if field_name in values:
            value = values[field_name]
            record[field_name] = None if (isinstance(value, str) and not value.strip()) else value
    return record


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    """The form's fields whose value differs (a new project: every filled one)."""
    before = before or {}
    return [f for f in FORM_FIELDS if not _equal(before.get(f), after.get(f))]


def _equal(a: Any, b: Any) -> bool:
    if is_missing(a) and is_missing(b):
        return True
    if is_missing(a) or is_missing(b):
        return False
    return a == b


def codes_of(projects: pd.DataFrame) -> Sequence[str]:
    return sorted(projects["code"].tolist())


def prefill_table(rows: Sequence[Mapping[str, Any]], lang: str, names: Mapping[str, str]) -> pd.DataFrame:
    """The next report as pre-filled from the pipeline (reports.prefill): what is new, what changed and how,
    what is missing since the last report; unchanged projects last."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    out = []
    for row in rows:
        rec = row["record"]
        changes = i18n.clause_separator(lang).join(
            f"{_label(f, lang)}{'：' if i18n.normalize_language(lang) == 'zh' else ': '}{_cell(f, row['before'].get(f), lang, names) if f in PROJECT_FIELD else row['before'].get(f)}"
            f" → {_cell(f, rec.get(f), lang, names) if f in PROJECT_FIELD else rec.get(f)}"
            for f in row["changed"]) if row["changed"] else ""
        out.append({
            t("field.code"): row["code"], t("field.name"): rec.get("name") or "–",
            t("field.stage"): i18n.label("stage", rec.get("stage"), lang) or "–",
            t("projects.col.investment"): amount_text(rec, lang),
            t("reports.col.status"): t(f"pipeline_reports.prefill.{row['status']}"),
            t("reports.col.changes"): changes,
        })
    return pd.DataFrame(out, columns=[t("field.code"), t("field.name"), t("field.stage"), t("projects.col.investment"),
                                      t("reports.col.status"), t("reports.col.changes")])
