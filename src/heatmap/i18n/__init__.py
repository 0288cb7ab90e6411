"""Every user-facing string, in Chinese (default) and English, and the formatting of numbers and dates.

Strings live in the catalog modules of this package, one per area of the app, each a dict of
key -> (中文, English). `t(key, lang, **params)` is the one way to get a string; a test checks that
every key used in the code exists in both languages.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

from heatmap.i18n import common, fields, home, ingest_files, ingest_values, mapview, matching, problems, upload, vacancy
from heatmap.i18n import cli as cli_strings
from heatmap.i18n import ingest_limits
from heatmap.i18n import projects as projects_strings
from heatmap.i18n import pipeline_counting
from heatmap.i18n import pipeline_ledger
from heatmap.i18n import pipeline_projects
from heatmap.i18n import pipeline_reports
from heatmap.i18n import ingest_projects
from heatmap.i18n import pipeline_duplicates
from heatmap.i18n import rules as rules_strings
from heatmap.i18n import firstreports as firstreports_strings
from heatmap.i18n import transfers as transfers_strings
from heatmap.i18n import scoreboard as scoreboard_strings
from heatmap.i18n import grading as grading_strings
from heatmap.i18n import audit as audit_strings

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def _merge(*modules) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for module in modules:
        for key, value in module.CATALOG.items():
            if key in merged:
                raise ValueError(f"i18n key {key!r} defined twice ({module.__name__})")
            merged[key] = value
    return merged


CATALOG = _merge(
    common, fields, home, problems, mapview, vacancy, matching, ingest_files, ingest_values, upload,
    ingest_limits,
    cli_strings,
    projects_strings,
    pipeline_ledger,
    pipeline_counting,
    pipeline_projects,
    pipeline_reports,
    ingest_projects,
    pipeline_duplicates,
    rules_strings,
    firstreports_strings,
    transfers_strings,
    scoreboard_strings,
    grading_strings,
    audit_strings,
)


def normalize_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str, **params: Any) -> str:
    """The string for `key` in `lang`, with `{params}` filled in. An unknown key shows itself."""
    entry = CATALOG.get(key)
    if entry is None:
        return key
    text = entry[LANGUAGES.index(normalize_language(lang))]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in CATALOG


# --- labels of vocabularies ----------------------------------------------------------------------


def label(vocabulary: str, value: Any, lang: str) -> str:
    """The name of a vocabulary value, e.g. label("kind", "land", "en") -> "Industrial land"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    key = f"{vocabulary}.{value}"
    return t(key, lang) if key in CATALOG else str(value)


def district_name(district: dict | Any, lang: str) -> str:
    """A district's name in the language (districts are data: their names come with them)."""
    return district["name_en"] if normalize_language(lang) == "en" else district["name_zh"]


def problem_text(problem, lang: str) -> str:
    """A problem as one sentence: the record, the field's name, and what is wrong."""
    field_key = f"field.{problem.field}"
    message = t(f"problem.{problem.key}", lang, **dict(problem.params))
    if not problem.record:  # a problem of the whole change (the store was busy, the data moved on)
        return message
    field = t(field_key, lang) if field_key in CATALOG else problem.field
    return f"{problem.record} · {field}: {message}"


def district_short_name(district: dict | Any, lang: str) -> str:
    """A short name for map labels: the shortest of the name and the aliases written in the language."""
    name = district_name(district, lang)
    aliases = [a.strip() for a in str(district.get("aliases") or "").split(";") if a.strip()]
    chinese = normalize_language(lang) == "zh"
    same_script = [a for a in aliases if any("\u3400" <= ch <= "\u9fff" for ch in a) == chinese]
    return min([name] + same_script, key=len) if len(name) > (6 if chinese else 24) else name


# --- numbers, units, money, dates ----------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_int(value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    return "–" if _is_blank(value) else f"{round(value):,}"


def fmt_number(value: Any, digits: int = 1) -> str:
    return "–" if _is_blank(value) else f"{value:,.{digits}f}"


def fmt_area_m2(value: Any, lang: str) -> str:
    return "–" if _is_blank(value) else f"{round(value):,} {t('unit.m2', lang)}"


def fmt_area_large(value: Any, lang: str) -> str:
    """A large area for headline figures: 万㎡ in Chinese, million m² in English."""
    if _is_blank(value):
        return "–"
    if normalize_language(lang) == "zh":
        return f"{value / 1e4:,.1f} 万㎡" if value >= 1e4 else fmt_area_m2(value, lang)
    return f"{value / 1e6:,.2f} million m²" if value >= 1e6 else fmt_area_m2(value, lang)


def fmt_mu(value: Any, lang: str) -> str:
    """亩 with one decimal, none from a thousand up (headline figures must stay short)."""
    if _is_blank(value):
        return "–"
    return f"{value:,.{0 if abs(value) >= 1000 else 1}f} {t('unit.mu', lang)}"


def fmt_percent(ratio: Any) -> str:
    return "–" if _is_blank(ratio) else f"{ratio * 100:.1f}%"


def fmt_cny_wan(value_wan: Any, lang: str) -> str:
    """Money given in 万元: 亿元 / 万元 in Chinese, CNY million / billion in English."""
    if _is_blank(value_wan):
        return "–"
    if normalize_language(lang) == "zh":
        if abs(value_wan) >= 10000:
            return f"{value_wan / 10000:,.{1 if abs(value_wan) >= 1_000_000 else 2}f} 亿元"
        return f"{value_wan:,.0f} 万元"
    yuan = value_wan * 10000
    if abs(yuan) >= 1e9:
        return f"CNY {yuan / 1e9:,.{1 if abs(yuan) >= 1e11 else 2}f} bn"
    return f"CNY {yuan / 1e6:,.1f} m"


def fmt_money_wan(amount_wan: Any, currency: str | None, lang: str) -> str:
    """An amount in 万 of its own currency (foreign investment is kept in its currency)."""
    if _is_blank(amount_wan):
        return "–"
    currency = currency or "CNY"
    if currency == "CNY":
        return fmt_cny_wan(amount_wan, lang)
    if normalize_language(lang) == "zh":
        return f"{amount_wan:,.0f} 万{t('currency.' + currency, lang)}"
    return f"{currency} {amount_wan * 10000 / 1e6:,.1f} m"


def fmt_date(value: Any, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if hasattr(value, "date") and isinstance(value, dt.datetime):
        value = value.date()
    if normalize_language(lang) == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%d %b %Y").lstrip("0")


def fmt_datetime(value: dt.datetime, lang: str) -> str:
    """A stored (naive UTC) moment in Taicang's local time."""
    local = value.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)
    return f"{fmt_date(local.date(), lang)} {local:%H:%M}"
