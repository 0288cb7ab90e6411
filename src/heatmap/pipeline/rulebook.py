"""The rules in force: seven named documents of settings (reports, projects, duplicates, ledger, counting,
scoreboard, transfers), each the administrators' newest saved version over the module's defaults, and what the rules
page shows of them — every setting with its widget, label and help in both languages, a form's answer read back into a
document, refusals that say which setting and why, and what each version changed.

- `current(store, name)` is the one way the app reads rules: (version, document), the version None while
  nobody has saved one. The document is the module's `DEFAULT_RULES` overlaid, setting by setting, with the
  saved version (a setting added to the code since keeps its default).
- `save(store, name, document, user=, edited_from=)` checks the document with the module's own check and
  saves it as the next version, or refuses: `ValidationError` (nothing saved; each problem's `field` is the
  setting, `problem_text` says what is wrong), `store.Conflict` when someone saved a newer version than the
  one the form was filled from (two administrators at once: the later save would undo the other's).
  Saving what the form was filled from, unchanged, makes no version.
- `SETTINGS` describes each document's settings for a form (`Setting`); `form_value` gives a widget its
  value, `read_form` turns the widgets' answers back into a document; `changes` and `history` list what
  each version changed, old → new per setting, named in the language.

Settings a form does not offer stay as they are in the document (the projects document's stalled rule is
the reports document's business: the report is what computes "stalled").
"""
from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from heatmap import i18n
from heatmap.model import PROJECT_FIELD, Problem, Stage, ValidationError, is_missing
from heatmap.pipeline import counting, duplicates, grading, ledger, scoreboard, transfers
from heatmap.pipeline import projects as pj
from heatmap.pipeline import reports as rp
from heatmap.store import Store

DOCUMENTS: dict[str, tuple[Mapping[str, Any], Callable[[Mapping[str, Any]], list]]] = {
    "reports": (rp.DEFAULT_RULES, rp.validate_rules),
    "projects": (pj.DEFAULT_RULES, pj.validate_rules),
    "duplicates": (duplicates.DEFAULT_RULES, duplicates.rule_problems),
    "ledger": (ledger.DEFAULT_RULES, ledger.validate_rules),
    "counting": (counting.DEFAULT_RULES, counting.validate_rules),
    "scoreboard": (scoreboard.DEFAULT_RULES, scoreboard.validate_rules),
    "transfers": (transfers.DEFAULT_RULES, transfers.validate_rules),
    # the grading standards: tables of indicators per category, edited on their own page (pages/standards.py)
    "grading": (grading.DEFAULT_RULES, grading.validate_rules),
}


# --- the rules in force ---------------------------------------------------------------------------


def defaults(name: str) -> dict[str, Any]:
    """The module's default rules, as a document of its own (editing it leaves the defaults alone)."""
    return copy.deepcopy(dict(DOCUMENTS[name][0]))


def overlay(name: str, saved: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defaults with each setting the saved document holds put over them (settings the code no longer
    knows are dropped; a setting the saved document lacks keeps its default)."""
    document = defaults(name)
    for key, value in (saved or {}).items():
        if key in document:
            document[key] = copy.deepcopy(value)
    return document


def current(store: Store, name: str) -> tuple[int | None, dict[str, Any]]:
    """The version in force (None: nobody saved one) and its document."""
    saved = store.rules(name)
    return (None, defaults(name)) if saved is None else (saved[0], overlay(name, saved[1]))


def rules(store: Store, name: str) -> dict[str, Any]:
    """The document in force (what the modules' functions take as `rules`)."""
    return current(store, name)[1]


def at_version(store: Store, name: str, version: int | None) -> dict[str, Any]:
    return defaults(name) if version is None else overlay(name, store.rules_at(name, version))


def problems(name: str, document: Mapping[str, Any]) -> list[Problem]:
    """What the module's check finds wrong, as problems located by setting (`field`)."""
    return [Problem(name, _rule_of(reason.params), reason.key, dict(reason.params)) for reason in DOCUMENTS[name][1](document)]


def _rule_of(params: Mapping[str, Any]) -> str:
    for key in ("rule", "name", "item"):  # the modules name the setting a problem is about in one of these
        if isinstance(params.get(key), str):
            return params[key]
    return ""


def save(store: Store, name: str, document: Mapping[str, Any], *, user: str, edited_from: int | None,
         note: str | None = None) -> int | None:
    """Check the document and save it as the next version (its number); None when it is what version
    `edited_from` holds (nothing to save). ValidationError: refused, nothing saved. Conflict: someone saved
    a version after `edited_from`."""
    found = problems(name, document)
    if found:
        raise ValidationError(found)
    if dict(document) == at_version(store, name, edited_from):
        return None
    return store.save_rules(name, dict(document), user=user, edited_from=edited_from, note=note or None)


# --- the settings as a form shows them ------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a table setting: `kind` int, number, text, date or choice (`choices`: its values)."""

    name: str
    kind: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Setting:
    """One setting of a document as a form shows it.

    kind: int / number (a number input; `nullable`: may be left empty, "not used"), bool (a checkbox),
    choice (a select box of `choices`), multi (several of `choices`), text, words (one per line) or table
    (rows of `columns`). `path` is where it sits in the document ("valid_lead", "require_plan")."""

    path: tuple[str, ...]
    kind: str
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    nullable: bool = False
    choices: tuple[Any, ...] = ()
    columns: tuple[Column, ...] = ()

    @property
    def key(self) -> str:
        return ".".join(self.path)


def _int(*path: str, lo=None, hi=None, nullable=False) -> Setting:
    return Setting(tuple(path), "int", lo, hi, 1, nullable)


def _number(*path: str, lo=None, hi=None, step=None, nullable=False) -> Setting:
    return Setting(tuple(path), "number", lo, hi, step, nullable)


def _kind(kind: str, *path: str, choices: Sequence[Any] = (), columns: Sequence[Column] = ()) -> Setting:
    return Setting(tuple(path), kind, choices=tuple(choices), columns=tuple(columns))


STAGES = tuple(s.value for s in Stage)
_SHAREABLE = tuple(f for f in ("code_name", *PROJECT_FIELD, "lon", "lat") if f not in pj.NEVER_SHARED)

SETTINGS: dict[str, tuple[Setting, ...]] = {
    "reports": (
        _int("due_days_after_end", lo=0, hi=60),
        _kind("table", "due_overrides", columns=(Column("year", "int", 2000, 2100), Column("period", "choice", choices=tuple(range(1, 7))),
                                                 Column("due", "date"))),
        _int("stalled_periods", lo=1, hi=60, nullable=True),
        _int("stalled_days", lo=1, hi=3650, nullable=True),
        _number("amount_change_min_cny_wan", lo=0.0, step=100.0),
        _number("valid_lead", "min_investment_cny_wan", lo=0.0, step=1000.0, nullable=True),
        _kind("bool", "valid_lead", "technical_upgrade_qualifies"),
        _kind("bool", "valid_lead", "require_plan"),
        _kind("bool", "valid_lead", "require_decision_contact"),
    ),
    "projects": (
        _kind("multi", "stop_reasons"),  # choices: the reasons with names (see `options`)
        _kind("multi", "reasons_needing_text"),
        _kind("text", "code_name", "pattern"),
        _kind("text", "code_name", "prefix"),
        _kind("table", "code_name", "district_prefixes", columns=(Column("district", "choice"), Column("prefix", "text"))),
        _kind("multi", "shared_fields", choices=_SHAREABLE),
    ),
    "duplicates": (
        _int("threshold", lo=1, hi=100),
        _number("trade_name_weight", lo=0.0, hi=1.0, step=0.05),
        _number("word_difference_weight", lo=1.0, hi=10.0, step=0.5),
        _int("place_conflict_penalty", lo=0, hi=100),
        _int("project_support_min", lo=0, hi=100),
        _int("project_bonus", lo=0, hi=50),
        _int("project_min_length", lo=1, hi=50),
        _int("reason_floor", lo=0, hi=100),
        _number("amount_tolerance", lo=0.0, hi=10.0, step=0.05),
        _int("sector_amount_bonus", lo=0, hi=50),
        _kind("bool", "within_district"),
        _int("max_matches", lo=1, hi=1000),
        _int("block_max_size", lo=2, hi=1_000_000),
        _kind("bool", "strip_places"),
        _kind("table", "places", columns=(Column("place", "text"), Column("spellings", "text"))),
        _kind("words", "countries"),
        _kind("words", "legal_forms"),
        _kind("words", "generic_words"),
        _kind("words", "project_words"),
    ),
    "ledger": (
        # a band from where it starts (the first from 0): the form has no empty "no limit" cell for the last one
        _kind("table", "bands", columns=(Column("from_wan", "number", 0.0), Column("rate_permille", "number", 0.0, 1000.0))),
        _kind("choice", "method", choices=("marginal", "whole")),
        _int("claim_window_months", lo=1, hi=120),
        _kind("bool", "require_confirmation"),
        _kind("bool", "register_before_completion"),
        _number("max_award_cny", lo=0.0, step=10_000.0, nullable=True),
    ),
    "counting": (
        _kind("choice", "period", choices=counting.PERIODS),
        _kind("multi", "signing_stages", choices=STAGES),
        _kind("multi", "drop_stages", choices=STAGES),
        _kind("bool", "count_resigning"),
        _kind("choice", "transfer_attribution", choices=("destination", "at_event")),
    ),
    "scoreboard": (
        *(_number("points", item, lo=-1000.0, hi=1000.0, step=0.5) for item in scoreboard.DEFAULT_RULES["points"]),
        *(_number("grade_points", grade, lo=-1000.0, hi=1000.0, step=0.5) for grade in scoreboard.DEFAULT_RULES["grade_points"]),
        *(_number("report_points", state, lo=-1000.0, hi=1000.0, step=0.5) for state in scoreboard.DEFAULT_RULES["report_points"]),
        *(_number("deductions", item, lo=0.0, hi=1000.0, step=0.5) for item in scoreboard.DEFAULT_RULES["deductions"]),
        _int("verified_within_days", lo=1, hi=3650),
    ),
    "transfers": (
        _int("stale_days", lo=1, hi=365),
        _int("origin_percent", lo=0, hi=100),
        _int("credit_years", lo=1, hi=30),
        _kind("multi", "reasons"),  # choices: the reasons with names (see `options`)
        _kind("multi", "reasons_needing_note"),
        _kind("multi", "decline_reasons"),
        _kind("multi", "decline_reasons_needing_note"),
        _kind("multi", "stages", choices=STAGES),
    ),
}
_TRANSFER_REASON_SETTINGS = {"reasons": None, "reasons_needing_note": "reasons", "decline_reasons": None,
                             "decline_reasons_needing_note": "decline_reasons"}


NAMES = tuple(SETTINGS)  # the documents the rules page edits (the grading standards have a page of their own)


@dataclass(frozen=True)
class Group:
    settings: tuple[Setting, ...]
    paired: bool  # two a row (short inputs, switches); otherwise one a row (lists, tables)


def layout(name: str) -> list[Group]:
    """A document's settings in the form's order: short inputs, then switches, then lists and tables (each
    group in the document's order)."""
    groups = ((("int", "number", "choice", "text"), True), (("bool",), True), (("multi", "words", "table"), False))
    out = [Group(tuple(s for s in SETTINGS[name] if s.kind in kinds), paired) for kinds, paired in groups]
    return [g for g in out if g.settings]


def title(name: str, lang: str) -> str:
    return i18n.t(f"rules.doc.{name}", lang)


def document_help(name: str, lang: str) -> str:
    """What the document governs, in a sentence."""
    return i18n.t(f"rules.doc.{name}.help", lang)


def label(name: str, key: str, lang: str) -> str:
    """A setting's name ("valid_lead.require_plan" or a group such as "valid_lead"); an unknown one as is."""
    return i18n.t(f"rules.{name}.{key}", lang) if i18n.has(f"rules.{name}.{key}") else key


def help_text(name: str, setting: Setting, lang: str) -> str:
    return i18n.t(f"rules.{name}.{setting.key}.help", lang)


def empty_text(name: str, setting: Setting, lang: str) -> str:
    """What an empty number means for this setting ("no limit", else "not used")."""
    own = f"rules.{name}.{setting.key}.empty"
    return i18n.t(own if i18n.has(own) else "rules.not_used", lang)


def column_label(name: str, setting: Setting, column: Column, lang: str) -> str:
    return i18n.t(f"rules.{name}.{setting.key}.col.{column.name}", lang)


def get(document: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = document
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _put(document: dict[str, Any], path: Sequence[str], value: Any) -> None:
    for part in path[:-1]:
        document = document.setdefault(part, {})
    document[path[-1]] = value


def options(name: str, setting: Setting, document: Mapping[str, Any]) -> list[Any]:
    """The values a choice or multi setting offers (for the stop reasons: those with names, in the
    document's order first)."""
    if (name, setting.key) == ("projects", "stop_reasons"):
        named = [k.rsplit(".", 1)[-1] for k in i18n.CATALOG if k.startswith("pipeline_projects.stop_reason.")]
        return list(dict.fromkeys([*document["stop_reasons"], *document.get("reason_labels", {}), *named]))
    if (name, setting.key) == ("projects", "reasons_needing_text"):
        return list(dict.fromkeys([*document["stop_reasons"], *document["reasons_needing_text"]]))
    if name == "transfers" and setting.key in _TRANSFER_REASON_SETTINGS:
        within = _TRANSFER_REASON_SETTINGS[setting.key]
        if within is not None:
            return list(dict.fromkeys([*document[within], *document[setting.key]]))
        named = [k.rsplit(".", 1)[-1] for k in i18n.CATALOG if k.startswith("transfers.reason.")]
        return list(dict.fromkeys([*document[setting.key], *document.get("reason_labels", {}), *named]))
    return list(dict.fromkeys([*setting.choices, *([v for v in get(document, setting.path) or ()] if setting.kind == "multi" else ())]))


def option_label(name: str, setting: Setting, value: Any, lang: str, document: Mapping[str, Any]) -> str:
    """A choice's name in the language."""
    if setting.key in ("stop_reasons", "reasons_needing_text"):
        return pj.stop_reason_label(value, lang, document)
    if name == "transfers" and setting.key in _TRANSFER_REASON_SETTINGS:
        return transfers.reason_label(value, lang, document)
    if setting.key in ("signing_stages", "drop_stages", "stages"):
        return i18n.label("stage", value, lang)
    if setting.key == "shared_fields":
        return i18n.t(f"field.{value}", lang) if i18n.has(f"field.{value}") else str(value)
    return i18n.t(f"rules.{name}.{setting.key}.{value}", lang)


def _period_label(index: Any, lang: str) -> str:
    return i18n.t(f"rules.period_of_year.{index}", lang)


def _rows(name: str, setting: Setting, value: Any, lang: str, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """A table setting's value as rows of its columns (choices as their names)."""
    key = (name, setting.key)
    if key == ("reports", "due_overrides"):
        rows = []
        for period_key, due in sorted((value or {}).items()):
            year, index = (int(part) for part in period_key.split("-"))
            rows.append({"year": year, "period": _period_label(index, lang), "due": dt.date.fromisoformat(due)})
        return rows
    if key == ("projects", "code_name.district_prefixes"):
        return [{"district": names.get(d, d), "prefix": p} for d, p in (value or {}).items()]
    if key == ("duplicates", "places"):
        return [{"place": place, "spellings": ", ".join(spellings)} for place, spellings in (value or {}).items()]
    if key == ("ledger", "bands"):
        starts = [0.0] + [b["up_to_cny"] / 10_000 if isinstance(b.get("up_to_cny"), (int, float)) else None for b in value or ()][:-1]
        return [{"from_wan": start, "rate_permille": b["rate_permille"]} for start, b in zip(starts, value or ())]
    raise KeyError(key)


def table_choices(name: str, setting: Setting, column: Column, lang: str, names: Mapping[str, str]) -> list[str]:
    """The names a choice column offers."""
    if column.name == "district":
        return list(names.values())
    return [_period_label(i, lang) for i in column.choices]


def form_value(name: str, setting: Setting, document: Mapping[str, Any], lang: str, names: Mapping[str, str]) -> Any:
    """What the setting's widget starts with: the number, flag, choice or list; text for words (one per
    line); a table (a frame of its columns) for tables."""
    value = get(document, setting.path)
    if setting.kind == "int":
        return None if value is None else int(value)
    if setting.kind == "number":
        return None if value is None else float(value)
    if setting.kind == "words":
        return "\n".join(value or ())
    if setting.kind == "table":
        frame = pd.DataFrame(_rows(name, setting, value, lang, names), columns=[c.name for c in setting.columns])
        kinds = {"number": "float", "int": "Int64", "date": "datetime64[ns]"}
        return frame.astype({c.name: kinds.get(c.kind, "object") for c in setting.columns})
    if setting.kind == "multi":
        return list(value or ())
    return value


def _blank(value: Any) -> bool:
    return value is None or value is pd.NaT or (not isinstance(value, (list, tuple)) and is_missing(value))


def _table_value(name: str, setting: Setting, frame: Any, lang: str, names: Mapping[str, str]) -> tuple[Any, list[Problem]]:
    """A table's rows (a frame or a list of mappings) back as the setting's value; rows left blank are
    dropped, a row half filled in is a problem naming the row."""
    rows = frame.to_dict("records") if hasattr(frame, "to_dict") else list(frame or ())
    rows = [r for r in rows if not all(_blank(r.get(c.name)) for c in setting.columns)]
    where = {"rule": setting.key}
    incomplete = [i for i, r in enumerate(rows, start=1) if any(_blank(r.get(c.name)) for c in setting.columns)]
    if incomplete:
        return None, [Problem(name, setting.key, "rules.form.row_incomplete", {**where, "rows": incomplete})]
    key = (name, setting.key)
    if key == ("reports", "due_overrides"):
        labels = {_period_label(i, lang): i for i in range(1, 7)}
        out = {}
        for r in rows:
            due = r["due"].date() if isinstance(r["due"], (pd.Timestamp, dt.datetime)) else r["due"]
            period_key = f"{int(r['year'])}-{labels[r['period']]}"
            if period_key in out:
                return None, [Problem(name, setting.key, "rules.form.period_twice", {**where, "period": period_key})]
            out[period_key] = due.isoformat() if isinstance(due, dt.date) else str(due)
        return out, []
    if key == ("projects", "code_name.district_prefixes"):
        codes = {v: k for k, v in names.items()}
        return {codes.get(r["district"], r["district"]): str(r["prefix"]).strip() for r in rows}, []
    if key == ("duplicates", "places"):
        return {str(r["place"]).strip(): [s.strip() for s in str(r["spellings"]).replace("，", ",").split(",") if s.strip()]
                for r in rows}, []
    if key == ("ledger", "bands"):  # each band goes up to where the next starts; the last has no limit
        if rows and float(rows[0]["from_wan"]) != 0:
            return None, [Problem(name, setting.key, "rules.form.first_band_from_zero", where)]
        limits = [round(float(r["from_wan"]) * 10_000, 2) for r in rows[1:]] + [None]
        return [{"up_to_cny": limit, "rate_permille": float(r["rate_permille"])} for r, limit in zip(rows, limits)], []
    raise KeyError(key)


def read_form(name: str, answers: Mapping[str, Any], base: Mapping[str, Any], lang: str,
              names: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """The document a form's answers make (`answers`: setting key -> widget value), over `base` (the
    document the form was filled from, which keeps what the form does not offer), and what could not be
    read (an empty required number, a half-filled table row)."""
    document = copy.deepcopy(dict(base))
    found: list[Problem] = []
    for setting in SETTINGS[name]:
        if setting.key not in answers:
            continue
        value = answers[setting.key]
        if setting.kind in ("int", "number"):
            if _blank(value):
                if not setting.nullable:
                    found.append(Problem(name, setting.key, "rules.form.empty", {"rule": setting.key}))
                    continue
                value = None
            else:
                value = int(value) if setting.kind == "int" else float(value)
        elif setting.kind == "words":
            value = [line.strip() for line in str(value or "").splitlines() if line.strip()]
        elif setting.kind == "text":
            value = str(value or "").strip()
        elif setting.kind == "multi":
            value = list(value or ())
        elif setting.kind == "bool":
            value = bool(value)
        elif setting.kind == "table":
            value, more = _table_value(name, setting, value, lang, names)
            if more:
                found += more
                continue
        _put(document, setting.path, value)
    return document, found


# --- saying it ------------------------------------------------------------------------------------


def value_text(name: str, setting: Setting, value: Any, lang: str, names: Mapping[str, str],
               document: Mapping[str, Any] | None = None) -> str:
    """A setting's value as a person reads it (for lists of changes): empty numbers are "not used"."""
    zh = i18n.normalize_language(lang) == "zh"
    sep = "、" if zh else ", "
    if setting.kind in ("int", "number"):
        return empty_text(name, setting, lang) if value is None else f"{value:,g}"
    if setting.kind == "bool":
        return i18n.t("common.yes" if value else "common.no", lang)
    if setting.kind == "choice":
        return option_label(name, setting, value, lang, document or {})
    if setting.kind == "multi":
        return sep.join(option_label(name, setting, v, lang, document or {}) for v in value or ()) or i18n.t("common.none", lang)
    if setting.kind == "words":
        return sep.join(value or ()) or i18n.t("common.none", lang)
    if setting.kind == "table":
        rows = _rows(name, setting, value, lang, names)
        if not rows:
            return i18n.t("common.none", lang)
        cells = [[("–" if _blank(r[c.name]) else i18n.fmt_date(r[c.name], lang) if c.kind == "date"
                   else str(int(r[c.name])) if c.kind == "int" else f"{r[c.name]:,g}" if c.kind == "number" else str(r[c.name]))
                  for c in setting.columns] for r in rows]
        titles = [column_label(name, setting, c, lang) for c in setting.columns]
        return ("；" if zh else "; ").join(("，" if zh else ", ").join(f"{t} {cell}" for t, cell in zip(titles, row)) for row in cells)
    return "–" if value in (None, "") else str(value)


def _param(name: str, key: str, value: Any, lang: str, names: Mapping[str, str]) -> Any:
    sep = "、" if i18n.normalize_language(lang) == "zh" else ", "
    if key in ("rule", "other", "name", "item") and isinstance(value, str):
        return label(name, value, lang)
    if key == "stages":
        return sep.join(i18n.label("stage", v, lang) for v in value)
    if key == "fields":
        return sep.join(i18n.t(f"field.{v}", lang) if i18n.has(f"field.{v}") else str(v) for v in value)
    if key == "period" and isinstance(value, str):
        try:
            return rp.period_from_key(value).label(lang)
        except (ValueError, TypeError):
            return value
    if key == "district":
        return names.get(value, value)
    if key.endswith("_on") and isinstance(value, dt.date):
        return i18n.fmt_date(value, lang)
    if isinstance(value, (list, tuple)):
        return sep.join(str(v) for v in value)
    if value is None:
        return i18n.t("rules.not_used", lang)
    if isinstance(value, bool):
        return i18n.t("common.yes" if value else "common.no", lang)
    return value


def problem_text(name: str, problem: Problem, lang: str, names: Mapping[str, str] | None = None) -> str:
    """A refusal as a sentence that names its setting: "报表截止：…" unless the sentence names it itself."""
    names = names or {}
    params = {k: _param(name, k, v, lang, names) for k, v in problem.params.items()}
    message = i18n.t(problem.key, lang, **params)
    where = label(name, problem.field, lang) if problem.field else ""
    if not where or where in message:
        return message
    return f"{where}：{message}" if i18n.normalize_language(lang) == "zh" else f"{where}: {message}"


def changes(name: str, before: Mapping[str, Any], after: Mapping[str, Any], lang: str,
            names: Mapping[str, str]) -> pd.DataFrame:
    """What differs from `before` to `after`, one row per setting a form offers: its name, old → new."""
    columns = [i18n.t(f"rules.col.{c}", lang) for c in ("setting", "before", "after")]
    rows = []
    for setting in SETTINGS[name]:
        old, new = get(before, setting.path), get(after, setting.path)
        if old != new:
            rows.append([label(name, setting.key, lang), value_text(name, setting, old, lang, names, before),
                         value_text(name, setting, new, lang, names, after)])
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class Version:
    version: int
    by: str
    at: dt.datetime
    note: str
    changes: pd.DataFrame  # from the version before (the defaults for the first)


def history(store: Store, name: str, lang: str, names: Mapping[str, str]) -> list[Version]:
    """Every saved version, newest first, with what it changed."""
    out, before = [], defaults(name)
    for row in store.rules_history(name).to_dict("records"):
        after = overlay(name, json.loads(row["document"]) if isinstance(row["document"], str) else row["document"])
        out.append(Version(int(row["version"]), str(row["created_by"]), row["created_at"],
                           "" if is_missing(row["note"]) else str(row["note"]), changes(name, before, after, lang, names)))
        before = after
    return out[::-1]


def history_table(versions: Sequence[Version], lang: str) -> pd.DataFrame:
    """The versions as a table: number, who, when, note and the settings changed."""
    sep = "、" if i18n.normalize_language(lang) == "zh" else ", "
    setting = i18n.t("rules.col.setting", lang)
    rows = [[v.version, v.by, i18n.fmt_datetime(v.at, lang), v.note or "–", sep.join(v.changes[setting]) or "–"] for v in versions]
    return pd.DataFrame(rows, columns=[i18n.t(f"rules.col.{c}", lang) for c in ("version", "by", "at", "note", "changed")])
