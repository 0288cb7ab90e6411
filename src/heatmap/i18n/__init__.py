"""Every user-facing string in Chinese (the original), English and German, and the formatting of numbers,
money and dates with Babel's locale data.

Strings live in gettext catalogs (locale/<lang>/LC_MESSAGES/heatmap.po, see `catalogs`), keyed by ids
such as `kind.land`. `t(key, lang, **params)` is the one way to get a string; a test checks that every
key used in the code exists in every language. German covers what a public viewer can reach; for the
other keys (staff pages) a German reader gets the English text.
"""
from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

import pandas as pd
from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from heatmap.i18n import catalogs

LANGUAGES = ("zh", "en", "de")
STAFF_LANGUAGES = ("zh", "en")  # the command line and staff-only pages are written in these two
DEFAULT_LANGUAGE = "zh"  # the platform's own language: a request that states no language at all
FOREIGN_LANGUAGE = "en"  # a language the app does not have: English, not Chinese
# Where a key has no text in a language, the next one in its chain gives it (German: staff pages in English).
FALLBACKS = {"zh": ("zh",), "en": ("en",), "de": ("de", "en")}
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# Babel's locale data for each language: British English for the international reader (6 Jul 2020).
LOCALES = {"zh": Locale.parse("zh_Hans_CN"), "en": Locale.parse("en_GB"), "de": Locale.parse("de_DE")}

_TEXTS = catalogs.load(LANGUAGES)
# key -> {language: text}, for the keys the original (Chinese) catalog has.
CATALOG: dict[str, dict[str, str]] = {
    key: {lang: _TEXTS[lang][key] for lang in LANGUAGES if key in _TEXTS[lang]} for key in _TEXTS[catalogs.SOURCE_LANGUAGE]
}
# (key, language) pairs that were asked for and answered by a fallback language: what a translator still
# owes (the page tests read it to check that German pages are German through and through).
FALLEN_BACK: set[tuple[str, str]] = set()


def normalize_language(lang: str | None) -> str:
    """The app's language for a language code: "de-DE", "de_AT" -> "de"; None or "" -> Chinese (the platform's
    own); a language the app does not have -> English."""
    if not lang:
        return DEFAULT_LANGUAGE
    primary = re.split(r"[-_]", str(lang).strip().lower(), maxsplit=1)[0]
    return primary if primary in LANGUAGES else FOREIGN_LANGUAGE if primary else DEFAULT_LANGUAGE


def known_language(lang: str | None) -> str | None:
    """The app's language a code names exactly (zh, en, de, any case), else None."""
    value = str(lang or "").strip().lower()
    return value if value in LANGUAGES else None


def accepted_languages(header: str | None) -> list[str]:
    """The languages of an Accept-Language header, most wanted first ("de-DE,de;q=0.9,en;q=0.8")."""
    ranked = []
    for position, part in enumerate(str(header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def choose_language(asked: str | None, accept_language: str | None = None, browser_locale: str | None = None) -> str:
    """The first language of a visit: the link's ?lang= when it names one of the app's languages, else the
    browser's most wanted language the app has (Accept-Language, then the browser's own locale), else
    English for a browser that asks only for others (fr -> en), and Chinese when nothing says anything."""
    if known_language(asked):
        return known_language(asked)
    wanted = accepted_languages(accept_language) or ([browser_locale] if browser_locale else [])
    for tag in wanted:
        primary = re.split(r"[-_]", tag.lower(), maxsplit=1)[0]
        if primary in LANGUAGES:
            return primary
    return FOREIGN_LANGUAGE if wanted else DEFAULT_LANGUAGE


def text_of(key: str, lang: str) -> str | None:
    """The key's own text in the language's chain, None for an unknown key."""
    entry = CATALOG.get(key)
    if entry is None:
        return None
    chain = FALLBACKS[normalize_language(lang)]
    for i, candidate in enumerate(chain):
        if candidate in entry:
            if i:
                FALLEN_BACK.add((key, chain[0]))
            return entry[candidate]
    return entry.get(FOREIGN_LANGUAGE) or entry[catalogs.SOURCE_LANGUAGE]


class _LocaleFormatter(string.Formatter):
    """str.format with a language's separators for numbers given a format ({n:,} {x:,.1f} {v:g}): German
    reads 1.234,5 where Python writes 1,234.5."""

    SPEC = re.compile(r"(?P<comma>,)?(?:\.(?P<digits>\d+))?(?P<type>[fgd])?")

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        match = self.SPEC.fullmatch(format_spec) if format_spec else None
        if match is None or isinstance(value, bool) or not isinstance(value, numbers.Real):
            return super().format_field(value, format_spec)
        comma, digits, kind = match.group("comma"), match.group("digits"), match.group("type")
        places = int(digits) if digits is not None else (6 if kind in ("g", None) and not isinstance(value, numbers.Integral) else 0)
        if kind == "f" and digits is None:
            places = 6
        pattern = ("#,##0" if comma else "0") + ("." + ("#" if kind == "g" or kind is None else "0") * places if places else "")
        return _pattern(pattern).apply(value, locale_of(self.lang))


# Chinese and English write numbers as Python does; the others format through their locale.
_PYTHON_STYLE = ("zh", "en")


def t(key: str, lang: str, **params: Any) -> str:
    """The string for `key` in `lang`, with `{params}` filled in. An unknown key shows itself."""
    text = text_of(key, lang)
    if text is None:
        return key
    if not params:
        return text
    lang = normalize_language(lang)
    return text.format(**params) if lang in _PYTHON_STYLE else _LocaleFormatter(lang).format(text, **params)


def has(key: str) -> bool:
    return key in CATALOG


def translated(key: str, lang: str) -> bool:
    """Whether the language's own catalog has the key (no fallback)."""
    return lang in CATALOG.get(key, {})


def pick(names: Iterable[str] | Mapping[str, str], lang: str) -> str:
    """A name given by data in several languages — a mapping {zh, en, de} or a sequence (zh, en[, de]) —
    in the language's chain (German falls back to English)."""
    if not isinstance(names, Mapping):
        names = dict(zip(LANGUAGES, names))
    for candidate in FALLBACKS[normalize_language(lang)]:
        value = names.get(candidate)
        if isinstance(value, str) and value.strip():
            return value
    return next((v for v in names.values() if isinstance(v, str) and v.strip()), "")


# --- labels of vocabularies and names given by data ----------------------------------------------


def label(vocabulary: str, value: Any, lang: str) -> str:
    """The name of a vocabulary value, e.g. label("kind", "land", "en") -> "Industrial land"."""
    if _is_blank(value):
        return ""
    key = f"{vocabulary}.{value}"
    return t(key, lang) if key in CATALOG else str(value)


def district_name(district: Mapping | Any, lang: str) -> str:
    """A district's name in the language (districts are data: their names come with them; German falls back
    to the English name where a district has none)."""
    get = district.get if hasattr(district, "get") else (lambda name, default=None: default)
    return pick({"zh": get("name_zh"), "en": get("name_en"), "de": get("name_de")}, lang)


def problem_text(problem, lang: str) -> str:
    """A problem as one sentence: the record, the field's name, and what is wrong."""
    field_key = f"field.{problem.field}"
    message = t(f"problem.{problem.key}", lang, **dict(problem.params))
    if not problem.record:  # a problem of the whole change (the store was busy, the data moved on)
        return message
    field = t(field_key, lang) if field_key in CATALOG else problem.field
    return f"{problem.record} · {field}: {message}"


def district_short_name(district: Mapping | Any, lang: str) -> str:
    """A short name for map labels: the shortest of the name and the aliases written in the language's script."""
    name = district_name(district, lang)
    if normalize_language(lang) == "de" and district.get("name_de"):
        return name  # the German names are short enough already; the aliases are Chinese or English
    aliases = [a.strip() for a in str(district.get("aliases") or "").split(";") if a.strip()]
    chinese = normalize_language(lang) == "zh"
    same_script = [a for a in aliases if has_han(a) == chinese]
    return min([name] + same_script, key=len) if len(name) > (6 if chinese else 24) else name


HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def has_han(text: str) -> bool:
    """Whether a text holds Chinese characters or full-width punctuation."""
    return bool(HAN.search(str(text)))


def list_separator(lang: str) -> str:
    """Between the items of a list written out: 、 in Chinese, a comma elsewhere."""
    return "、" if normalize_language(lang) == "zh" else ", "


def clause_separator(lang: str) -> str:
    """Between clauses (reasons, changes) written out in one line: ； in Chinese, a semicolon elsewhere."""
    return "；" if normalize_language(lang) == "zh" else "; "


# --- numbers, units, money, dates (Babel's locale data) -------------------------------------------


def _is_blank(value: Any) -> bool:
    """None, NaN, pandas' NA and NaT: no value (shown as "–", never as None or nan)."""
    if value is None or isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        return value is None
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def locale_of(lang: str) -> Locale:
    return LOCALES[normalize_language(lang)]


@lru_cache(maxsize=64)
def _pattern(pattern: str):
    return babel_numbers.parse_pattern(pattern)


def _decimals(digits: int, trim: bool = False) -> str:
    return "#,##0" + ("." + ("#" if trim else "0") * digits if digits > 0 else "")


def fmt_decimal(value: Any, lang: str, digits: int = 0, trim: bool = False) -> str:
    """A number with the language's separators (1,234.5 / 1.234,5), `digits` decimals (at most, if `trim`)."""
    if _is_blank(value):
        return "–"
    return _pattern(_decimals(digits, trim)).apply(value, locale_of(lang))


def fmt_int(value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    return fmt_decimal(round(value) if not _is_blank(value) else value, lang)


def fmt_number(value: Any, digits: int = 1, lang: str = DEFAULT_LANGUAGE, trim: bool = False) -> str:
    return fmt_decimal(value, lang, digits, trim)


def fmt_area_m2(value: Any, lang: str) -> str:
    return "–" if _is_blank(value) else f"{fmt_int(value, lang)} {t('unit.m2', lang)}"


def fmt_area_large(value: Any, lang: str) -> str:
    """A large area for headline figures: 万㎡ in Chinese, million m² in English (Mio. m² in German)."""
    if _is_blank(value):
        return "–"
    if normalize_language(lang) == "zh":
        return f"{fmt_decimal(value / 1e4, lang, 1)} 万㎡" if value >= 1e4 else fmt_area_m2(value, lang)
    if value >= 1e6:
        return t("unit.million_m2", lang, value=fmt_decimal(value / 1e6, lang, 2))
    return fmt_area_m2(value, lang)


M2_PER_MU = 10000 / 15  # the legal 亩 (as heatmap.model.M2_PER_MU)


def fmt_mu(value: Any, lang: str) -> str:
    """亩 with one decimal (none from a thousand up: headline figures stay short); for foreign readers the
    m² in brackets: "50.0 mu (33,333 m²)", "50,0 Mu (33.333 m²)"."""
    if _is_blank(value):
        return "–"
    mu = f"{fmt_decimal(value, lang, 0 if abs(value) >= 1000 else 1)} {t('unit.mu', lang)}"
    if normalize_language(lang) == "zh":
        return mu
    return f"{mu} ({fmt_area_m2(value * M2_PER_MU, lang)})"


def fmt_percent(ratio: Any, lang: str = DEFAULT_LANGUAGE, digits: int = 1) -> str:
    """A ratio as a percentage in the language's way (28.3% / 28,3 %)."""
    if _is_blank(ratio):
        return "–"
    locale = locale_of(lang)
    pattern = locale.percent_formats[None].pattern.split(";")[0].replace("#,##0", _decimals(digits))
    return _pattern(pattern).apply(ratio, locale)


@dataclass(frozen=True)
class ReferenceRate:
    """CNY per EUR for showing amounts to foreign readers approximately in euros, and the day it is of."""

    cny_per_eur: float
    as_of: dt.date


# The default when no administrator has set one: about the EUR/CNY level of autumn 2025 (README).
DEFAULT_EUR_RATE = ReferenceRate(8.30, dt.date(2025, 10, 1))
_eur_rate = DEFAULT_EUR_RATE


def set_eur_rate(rate: ReferenceRate | None) -> None:
    """The rate money is shown with in euros (the app sets it from the administrators' setting)."""
    global _eur_rate
    _eur_rate = rate or DEFAULT_EUR_RATE


def eur_rate() -> ReferenceRate:
    return _eur_rate


def _millions(amount: float, currency: str, lang: str) -> str:
    """An amount (in units of its currency) in millions or billions: "CNY 12.5 m", "12,5 Mio. CNY"."""
    if abs(amount) >= 1e9:
        value, unit = fmt_decimal(amount / 1e9, lang, 1 if abs(amount) >= 1e11 else 2), "unit.billion_money"
    else:
        value, unit = fmt_decimal(amount / 1e6, lang, 1), "unit.million_money"
    return t(unit, lang, value=value, currency=currency)


def fmt_cny_wan(value_wan: Any, lang: str, approx_eur: bool = False, eur: ReferenceRate | None = None) -> str:
    """Money given in 万元: 亿元 / 万元 in Chinese; CNY million / billion in English and German, and for headline
    amounts (`approx_eur`) the amount in euros at the reference rate: "CNY 12.5 m (≈ EUR 1.5 m)"."""
    if _is_blank(value_wan):
        return "–"
    if normalize_language(lang) == "zh":
        if abs(value_wan) >= 10000:
            return f"{fmt_decimal(value_wan / 10000, lang, 1 if abs(value_wan) >= 1_000_000 else 2)} 亿元"
        return f"{fmt_decimal(value_wan, lang)} 万元"
    yuan = value_wan * 10000
    rate = eur or _eur_rate
    cny = _millions(yuan, "CNY", lang)
    if not (approx_eur or eur) or not yuan or not rate.cny_per_eur:
        return cny
    return f"{cny} (≈ {_millions(yuan / rate.cny_per_eur, 'EUR', lang)})"


def fmt_money_wan(amount_wan: Any, currency: str | None, lang: str) -> str:
    """An amount in 万 of its own currency (foreign investment is kept in its currency)."""
    if _is_blank(amount_wan):
        return "–"
    currency = currency or "CNY"
    if currency == "CNY":
        return fmt_cny_wan(amount_wan, lang)
    if normalize_language(lang) == "zh":
        return f"{fmt_decimal(amount_wan, lang)} 万{t('currency.' + currency, lang)}"
    return _millions(amount_wan * 10000, currency, lang)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime"):
        return value.date()
    return value


# The date patterns: 2020年7月6日 / 6 Jul 2020 / 6. Juli 2020 (month names from the locale, never numbers alone).
DATE_PATTERNS = {"zh": "y年M月d日", "en": "d MMM y", "de": "d. MMMM y"}
MONTH_PATTERNS = {"zh": "y年M月", "en": "MMM y", "de": "MMMM y"}


def fmt_date(value: Any, lang: str) -> str:
    if _is_blank(value):
        return "–"
    lang = normalize_language(lang)
    return babel_dates.format_date(_as_date(value), DATE_PATTERNS[lang], locale=LOCALES[lang])


def fmt_month(value: Any, lang: str) -> str:
    """A month with its year: 2026年9月 / Sep 2026 / September 2026."""
    if _is_blank(value):
        return "–"
    lang = normalize_language(lang)
    return babel_dates.format_date(_as_date(value), MONTH_PATTERNS[lang], locale=LOCALES[lang])


def month_name(month: int, lang: str, width: str = "abbreviated") -> str:
    """A month's name in the language (9 -> 9月 / Sep / Sept.)."""
    return babel_dates.get_month_names(width, locale=locale_of(lang))[month]


def fmt_datetime(value: dt.datetime, lang: str) -> str:
    """A stored (naive UTC) moment in Taicang's local time."""
    if _is_blank(value):
        return "–"
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    local = value.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)
    return f"{fmt_date(local.date(), lang)} {local:%H:%M}"


def date_input_format(lang: str) -> str:
    """The format Streamlit's date inputs show dates in (its choice: YYYY/MM/DD, DD.MM.YYYY, MM/DD/YYYY …)."""
    return {"zh": "YYYY/MM/DD", "en": "DD/MM/YYYY", "de": "DD.MM.YYYY"}[normalize_language(lang)]
