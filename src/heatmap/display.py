"""A record as people read it: each field's name and value in the user's language."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

import pandas as pd

from heatmap import i18n
from heatmap.model import CARRIER_FIELDS, PROJECT_FIELDS, FieldSpec, FieldType, is_missing, price_field

_VOCABULARY = {"kind": "kind", "status": "status", "office_grade": "office_grade", "stage": "stage",
               "category": "category", "sector": "industry", "space_kind": "kind"}


def name_of(record: Mapping[str, Any], lang: str) -> str:
    """A carrier's name in the language: its English (international) name for foreign readers where it has one —
    German pages too: sites have no German names of their own."""
    english = record.get("name_en")
    return english if i18n.normalize_language(lang) != "zh" and isinstance(english, str) and english.strip() else record["name"]


def names_of(frame: pd.DataFrame, lang: str) -> pd.Series:
    """`name_of` for every row of a frame."""
    if i18n.normalize_language(lang) == "zh" or "name_en" not in frame:
        return frame["name"]
    has_english = frame["name_en"].notna() & (frame["name_en"].astype(str).str.strip() != "")
    return frame["name_en"].where(has_english, frame["name"])


def value_text(spec: FieldSpec, value: Any, lang: str, district_names: Mapping[str, str]) -> str:
    """One field's value as text (units are in the field's name)."""
    if spec.type is FieldType.LIST:
        return i18n.list_separator(lang).join(i18n.label("industry", v, lang) for v in value) if value else "–"
    if is_missing(value):
        return "–"
    if spec.name in _VOCABULARY:
        return i18n.label(_VOCABULARY[spec.name], value, lang)
    if spec.district:
        return district_names.get(value, str(value))
    if spec.type is FieldType.BOOL:
        return i18n.t("common.yes" if value else "common.no", lang)
    if spec.type is FieldType.DATE:
        return i18n.fmt_date(value, lang)
    if spec.type is FieldType.NUMBER:
        return i18n.fmt_number(value, 2, lang, trim=True)
    if spec.name == "currency":
        return i18n.label("currency", value, lang)
    return str(value)


def carrier_value_text(record: Mapping[str, Any], spec: FieldSpec, lang: str, district_names: Mapping[str, str]) -> str:
    """`value_text` of one of a carrier's fields, with 面议 ("negotiable") for its price when that is negotiable."""
    value = record.get(spec.name)
    if spec.name == price_field(record.get("kind")) and is_missing(value) and is_negotiable(record):
        return i18n.t("common.negotiable", lang)
    return value_text(spec, value, lang, district_names)


def is_negotiable(record: Mapping[str, Any]) -> bool:
    """Whether a carrier record (dict or row) says its price is negotiable."""
    flag = record.get("price_negotiable")
    return not is_missing(flag) and bool(flag)


def record_rows(record: Mapping[str, Any], entity: str, lang: str, district_names: Mapping[str, str],
                skip: Sequence[str] = ("geometry",)) -> list[tuple[str, str]]:
    """(field name, value) for every field that has a value, in the model's order. A carrier whose price
    is negotiable shows 面议 as its rent (land price for land); the flag itself is not a row of its own."""
    specs = CARRIER_FIELDS if entity == "carrier" else PROJECT_FIELDS
    negotiable = entity == "carrier" and is_negotiable(record)
    own_price = price_field(record.get("kind")) if entity == "carrier" else None
    rows = []
    for spec in specs:
        if spec.name in skip or (entity == "carrier" and spec.name == "price_negotiable"):
            continue
        value = record.get(spec.name)
        if negotiable and spec.name == own_price and is_missing(value):
            rows.append((i18n.t(f"field.{spec.name}", lang), carrier_value_text(record, spec, lang, district_names)))
            continue
        if spec.type is FieldType.LIST and not value:
            continue
        if spec.type is not FieldType.LIST and is_missing(value):
            continue
        rows.append((i18n.t(f"field.{spec.name}", lang), value_text(spec, value, lang, district_names)))
    for meta in ("updated_by", "updated_at"):
        value = record.get(meta)
        if not is_missing(value) and meta not in skip:
            text = i18n.fmt_datetime(value, lang) if isinstance(value, dt.datetime) else str(value)
            rows.append((i18n.t(f"field.{meta}", lang), text))
    return rows


def record_table(record: Mapping[str, Any], entity: str, lang: str, district_names: Mapping[str, str],
                 skip: Sequence[str] = ("geometry",)) -> pd.DataFrame:
    """The record as a two-column table (field names as the index) for st.table."""
    rows = record_rows(record, entity, lang, district_names, skip)
    return pd.DataFrame({"": [value for _, value in rows]}, index=[name for name, _ in rows])


def reason_text(reason, lang: str, district_names: Mapping[str, str]) -> str:
    """One matching reason as a sentence (codes in its figures become names)."""
    params = dict(reason.params)
    if "status" in params:
        params["status"] = i18n.label("status", params["status"], lang)
    if "unit" in params:
        params["unit"] = i18n.t(params["unit"], lang)
    if "district" in params:
        params["district"] = district_names.get(params["district"], params["district"])
    return i18n.t(reason.key, lang, **params)
