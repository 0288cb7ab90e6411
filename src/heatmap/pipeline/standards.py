"""Editing the grading standards (pages/standards.py): a standard as the rows of an indicator table and back,
adding a category's standard, and the preview of what an edit would do to the projects' grades (old → new per
project, how many projects in each grade) before it is saved as a new version.

A table row: indicator, weight, scoring, points ("0:0, 300:60, 500:100": value:share of the weight in %),
benchmark (for "ratio"), options ("鼓励类:100, 允许类:50, 限制类:0": option:share, for choice indicators).
Every cell is text (an empty one is empty, never "None"); names are the language's; `read_rows` takes them
back and reports each cell it cannot read, located by row.
"""
from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from heatmap import i18n
from heatmap.model import GRADES
from heatmap.pipeline import evaluations as ev
from heatmap.pipeline import grading as gr
from heatmap.pipeline.reasons import Reason

ROW_COLUMNS = ("indicator", "weight", "scoring", "points", "benchmark", "options")
_PAIR = re.compile(r"^\s*(.+?)\s*[:：]\s*(-?[\d.]+)\s*%?\s*$")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def rows(standard: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """The standard's indicators as table rows, named in the language."""
    out = []
    for item in standard["indicators"]:
        name, scoring = item["indicator"], item.get("scoring")
        out.append({
            "indicator": gr.indicator_label(name, lang), "weight": float(item["weight"]),
            "scoring": i18n.t(f"grading.scoring.{scoring}", lang),
            "points": ", ".join(f"{x:g}:{p:g}" for x, p in item.get("points", [])),
            "benchmark": f"{item['benchmark']:g}" if "benchmark" in item else "",
            "options": ", ".join(f"{gr.option_label(name, o, lang)}:{p:g}" for o, p in item.get("options", {}).items()),
        })
    return out


def indicator_choices(lang: str) -> list[str]:
    return [gr.indicator_label(n, lang) for n in gr.INDICATORS]


def scoring_choices(lang: str) -> list[str]:
    return [i18n.t(f"grading.scoring.{s}", lang) for s in gr.SCORINGS]


def read_rows(table: Any, standard_key: str, lang: str) -> tuple[list[dict[str, Any]], list[Reason]]:
    """The table's rows as the standard's indicators (empty rows skipped) and what could not be read."""
    records = table.to_dict("records") if hasattr(table, "to_dict") else list(table)
    by_label = {gr.indicator_label(n, lang): n for n in gr.INDICATORS}
    scorings = {i18n.t(f"grading.scoring.{s}", lang): s for s in gr.SCORINGS}
    out, problems = [], []
    for number, rec in enumerate((r for r in records if not all(_blank(r.get(c)) for c in ROW_COLUMNS)), start=1):
        name = by_label.get(rec.get("indicator"), rec.get("indicator"))
        where = {"standard": standard_key, "row": number, "indicator": name}
        scoring = scorings.get(rec.get("scoring"))
        if scoring is None and name in gr.CHOICE_INDICATORS:
            scoring = "choice"
        weight = None if _blank(rec.get("weight")) else float(rec["weight"])
        item: dict[str, Any] = {"indicator": name, "weight": None if weight is None else _num(weight), "scoring": scoring}
        if scoring == "piecewise":
            points = _pairs(rec.get("points"), lambda x: _num(float(x)))
            if points is None:
                problems.append(Reason("grading.rules.points_shape", where))
                continue
            item["points"] = [[x, p] for x, p in points]
        elif scoring == "ratio":
            item["benchmark"] = _number_text(rec.get("benchmark"))
        elif scoring == "choice" and name in gr.CHOICE_INDICATORS:
            names = {gr.option_label(name, o, lang): o for o in gr.CHOICE_INDICATORS[name]}
            options = _pairs(rec.get("options"), lambda o: names.get(o, o))
            if options is None:
                problems.append(Reason("grading.rules.options", where))
                continue
            item["options"] = dict(options)
        out.append(item)
    return out, problems


def _number_text(text: Any) -> int | float | None:
    """A number typed in a text cell ("20,000"), None when blank or not a number (the check then says so)."""
    if _blank(text):
        return None
    try:
        return _num(float(str(text).replace(",", "").replace("，", "").strip()))
    except ValueError:
        return None


def _pairs(text: Any, first) -> list[tuple[Any, int | float]] | None:
    if _blank(text):
        return None
    pairs = []
    for part in re.split(r"[,，;；\n]+", str(text)):
        if not part.strip():
            continue
        match = _PAIR.match(part)
        if not match:
            return None
        try:
            pairs.append((first(match.group(1)), _num(float(match.group(2)))))
        except ValueError:
            return None
    return pairs or None


def edited(document: Mapping[str, Any], key: str, indicators: list[dict[str, Any]], vetoes: Sequence[str],
           documents: Sequence[str], cutoffs: Mapping[str, Any], names: tuple[str, str] | None = None) -> dict[str, Any]:
    """The grading document with one category's standard replaced (added, for a new key with its names)."""
    out = copy.deepcopy(dict(document))
    out["standards"] = dict(out["standards"])
    out["standards"][key] = {"indicators": indicators, "vetoes": [v for v in gr.VETOES if v in vetoes],
                             "documents": [d for d in gr.DOCUMENTS if d in documents],
                             "cutoffs": {g: (None if _blank(cutoffs.get(g)) else _num(float(cutoffs[g]))) for g in gr.GRADED_CUTOFFS}}
    if key not in gr.BUILT_IN and names is not None:
        out["labels"] = {**out.get("labels", {}), key: [names[0].strip(), names[1].strip()]}
    return out


def new_category(document: Mapping[str, Any], key: str, zh: str, en: str) -> tuple[dict[str, Any], list[Reason]]:
    """The document with a new category's standard, started as a copy of "other"; refused for a taken or
    malformed key or a missing name."""
    key = (key or "").strip()
    if key in document["standards"]:
        return dict(document), [Reason("grading.rules.category_taken", {"standard": key})]
    out = copy.deepcopy(dict(document))
    out["standards"][key] = copy.deepcopy(document["standards"]["other"])
    out["labels"] = {**out.get("labels", {}), key: [(zh or "").strip(), (en or "").strip()]}
    found = [r for r in gr.validate_rules(out) if r.params.get("standard") == key]
    return (out, []) if not found else (dict(document), found)


# --- the preview ----------------------------------------------------------------------------------------------


def preview(evaluations: pd.DataFrame, before: Mapping[str, Any], after: Mapping[str, Any]) -> pd.DataFrame:
    """Every project with indicator values (its latest), graded under `before` and under `after`: columns code,
    standard, before, after (None: not rated yet). A standard removed in `after` grades by "other"."""
    rows = []
    for code, state in sorted(ev.states(evaluations).items()):
        row = state.values
        if row is None:
            continue
        inputs, key = ev.inputs_of(row), row["standard"]
        old = gr.grade_with(inputs, before, gr.standard_of(before, key), None).grade
        new = gr.grade_with(inputs, after, gr.standard_of(after, key), None).grade
        rows.append({"code": code, "standard": key, "before": old, "after": new})
    return pd.DataFrame(rows, columns=["code", "standard", "before", "after"])


def changes_table(effect: pd.DataFrame, projects: pd.DataFrame, lang: str, rules: Mapping[str, Any]) -> pd.DataFrame:
    """The projects whose grade would change: project, standard, old → new."""
    names = dict(zip(projects["code"], projects["name"])) if len(projects) else {}
    moved = effect[effect["before"].fillna("") != effect["after"].fillna("")]
    none = i18n.t("grading.not_rated", lang)
    rows = [{"project": f"{r['code']} · {names.get(r['code'], '–')}", "standard": gr.category_label(r["standard"], lang, rules),
             "before": r["before"] or none, "after": r["after"] or none} for r in moved.to_dict("records")]
    columns = ("project", "standard", "before", "after")
    return pd.DataFrame(rows, columns=list(columns)).rename(columns={c: i18n.t(f"grading.col.{c}", lang) for c in columns})


def counts_table(effect: pd.DataFrame, lang: str) -> pd.DataFrame:
    """How many projects in each grade (and not rated), before and after."""
    labels = [*GRADES, None]
    rows = [{"grade": g or i18n.t("grading.not_rated", lang),
             "before": int((effect["before"].fillna("-") == (g or "-")).sum()),
             "after": int((effect["after"].fillna("-") == (g or "-")).sum())} for g in labels]
    columns = ("grade", "before", "after")
    return pd.DataFrame(rows, columns=list(columns)).rename(columns={c: i18n.t(f"grading.col.{c}", lang) for c in columns})


def summary(effect: pd.DataFrame, lang: str) -> str:
    moved = int((effect["before"].fillna("") != effect["after"].fillna("")).sum())
    return i18n.t("standards.preview_summary", lang, moved=moved, total=len(effect))
