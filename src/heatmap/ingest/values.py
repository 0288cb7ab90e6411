"""Cell text as people write it -> typed values in the model's units, or a located problem (never a guess).

Everything here is column-wise: `parse_column(spec, cells, unit)` takes one column (a pandas Series of
what the file reader gave: str for CSV, or int/float/datetime/date/str/None from Excel) and returns one
value per cell plus the problems, each naming the cell's position and an i18n key "ingest.<key>".

Decisions (documented here because the importer must never guess):
- Empty cells (None, NaN, blank text, a lone "-", "—", "/") give None and no problem; the model's
  required check reports missing required fields.
- Numbers: thousands separators only in proper groups ("1,200", "1，200"; "12,5" is rejected as
  ambiguous), full-width digits, a multiplier 万 ("3.5万" = 35000), units from the cell or else from
  the header. A unit of the wrong kind ("12亩" as a rent) is an error, as is an unknown one ("12kg").
- "约1200", "1200左右", "~1200", "≈1200" are read as 1200 with a *warning* ("approximate_value"):
  district data is often rounded and saying so is not wrong; the warning lets staff see it.
- Ranges ("1000-2000", "1000~2000") are errors: which number would be the value is a guess.
- Rents: 元/㎡/天 x DAYS_PER_MONTH -> per month. "元/㎡" without a period is an error in a rent column
  ("rent_period_missing"): per day and per month differ 30-fold.
- Land prices: 万元/亩 as stored; 元/亩 / 10000; "80万" and "80万元" in a land-price column mean
  80 万元/亩 (the column's quantity is per 亩).
- Floor loads: kN/㎡ (= kPa) as stored; 吨/㎡ (t/㎡) x 9.8 and kg/㎡ x 0.0098 (the usual engineering
  conversion with g = 9.8 m/s², 1 t/㎡ ≈ 9.8 kN/㎡), as Chinese plant listings often quote "2吨/㎡".
- Power: kVA (千伏安) as stored, MVA x 1000. kW is *not* accepted: a transformer is rated in kVA and
  converting needs a power factor, which would be a guess.
- Floors: "5层", "5F" -> 5; 5.5 is returned as 5.5 and the model reports "not_an_integer".
- Prices (rent, land price, property fee): a word for "negotiable" ("面议", "待定", "协商", "议价", "电议",
  "negotiable", "on request", "TBD", "n.V.", "VB" …; NEGOTIABLE_WORDS) is not a number and not an error:
  `negotiable_mask` finds those cells, the pipeline leaves the number empty and marks the carrier
  price_negotiable. The word is recognised only as the whole cell ("面议" yes, "25 面议" no).
- Ratios (vacancy/occupancy): "85%" -> 0.85; a bare number <= 1 is a ratio, > 1 is percent ("85" ->
  0.85); a header unit "%" makes bare numbers percent. Outside 0..100% is an error.
- Dates: 2020年7月6日, 2020/7/6, 2020-07-06, 2020.7.6, 20200706, Excel dates, Excel serial numbers
  in 1990..2100; "2020年7月" / "2020-07" -> the first of the month with a warning ("date_month_only").
  Day-first/month-first forms such as 7/6/2020 are rejected as ambiguous.
- Text: stripped; a spreadsheet formula ("=…", "@…", "+"/"-" followed by a letter or parenthesis, or by
  numbers and operators before one: "-2+3+cmd|…") or a DDE call anywhere ("1+cmd|' /C calc'!A0") is an
  error in any column ("formula_cell"), so is markup ("<tag", "javascript:") and control
  characters (C0/C1 except tab/newline, bidi overrides) — nothing is silently removed from text
  except surrounding whitespace and zero-width spaces / BOMs.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd
import shapely

from heatmap import i18n
from heatmap.model import DAYS_PER_MONTH, GRADES, FieldSpec, FieldType, mu_to_m2


@dataclass(frozen=True)
class CellProblem:
    """A problem with one cell: its position in the column (0-based), an i18n key suffix ("ingest.<key>")."""

    index: int
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: str = "error"


class ValueProblem(Exception):
    """Raised by the scalar parsers: the cell cannot be read. `key`/`params` as in CellProblem."""

    def __init__(self, key: str, params: Mapping[str, Any] | None = None, severity: str = "error"):
        self.key = key
        self.params = dict(params or {})
        self.severity = severity
        super().__init__(f"{key} {self.params}")


class _Parsed:
    """A scalar parse result with warnings (e.g. approximate values) that do not stop the value."""

    __slots__ = ("value", "warnings")

    def __init__(self, value, warnings=()):
        self.value = value
        self.warnings = tuple(warnings)


# --- text hygiene ----------------------------------------------------------------------------------

EMPTY_MARKERS = frozenset({"", "-", "--", "—", "——", "–", "/", "－", "／", "―"})
# "=…", "@…", a sign then a letter or parenthesis ("+cmd|…", "-(1+1)"), or a sign, numbers and operators
# ending in one before a letter ("-2+3+cmd|' /C calc'!A0"): what Excel and WPS would evaluate
_FORMULA = re.compile(r"^(?:=|@|[+\-][\s]*[A-Za-z_(\u3400-\u9fff（]|[+\-][\d.,\s]*(?:[+\-*/^&][\d.,\s]*)*[+\-*/^&]\s*[A-Za-z_(])")
# a dynamic data exchange call anywhere in a cell ("1+cmd|' /C calc'!A0", "cmd|calc!A0"): program|topic!item
_DDE = re.compile(r"[A-Za-z]\w*\s*\|\s*(?:'[^']*'|[^\s'|!]+)\s*!")
_MARKUP = re.compile(r"<\s*[A-Za-z!/?]|javascript\s*:", re.IGNORECASE)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = "\u200b\u200c\u200d\ufeff"
_SPREADSHEET_ERROR = re.compile(r"^#(?:N/A|DIV/0!|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!)$", re.IGNORECASE)
MAX_SHOWN = 60  # characters of a cell shown in a message


def shorten(text: Any, limit: int = MAX_SHOWN) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hygiene(text: str) -> ValueProblem | None:
    """The error for a cell no column may hold: formulas, markup, control characters."""
    stripped = text.strip()
    if _FORMULA.match(stripped) or _DDE.search(stripped):
        return ValueProblem("formula_cell", {"value": shorten(stripped)})
    if _CONTROL.search(text):
        shown = _CONTROL.sub("?", stripped)
        return ValueProblem("control_characters", {"value": shorten(shown)})
    if _MARKUP.search(text):
        return ValueProblem("markup_in_text", {"value": shorten(stripped)})
    if _SPREADSHEET_ERROR.match(stripped):
        return ValueProblem("spreadsheet_error", {"value": shorten(stripped)})
    return None


def _clean_text(value: Any) -> str:
    """A cell as stripped text (numbers from Excel without a trailing .0, dates ISO)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip().strip(_INVISIBLE).strip()


# --- units -----------------------------------------------------------------------------------------

_M2 = r"(?:m2|平方米|平米|平方|平|sqm|sq\.?m\.?|square\s*met(?:re|er)s?)"
_PER = r"(?:/|每|per)"
_SEP = r"(?:/|·|・|\.|\*|每|per)?"
_MONTH = r"(?:月|month|mon|mo|m)"
_DAY = r"(?:天|日|day|d)"
_CNY = r"(?:元|cny|rmb|yuan|¥|￥)"
_WAN = r"(?:万|10k|10,000|wan)"
_UNIT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("cny_m2_month", rf"{_CNY}?{_PER}{_M2}{_SEP}{_MONTH}|{_CNY}?{_PER}{_MONTH}{_SEP}{_M2}"),
    ("cny_m2_day", rf"{_CNY}?{_PER}{_M2}{_SEP}{_DAY}|{_CNY}?{_PER}{_DAY}{_SEP}{_M2}"),
    ("cny_m2", rf"{_CNY}{_PER}{_M2}"),
    ("wan_cny_mu", rf"{_WAN}{_CNY}?{_PER}(?:亩|mu)|{_CNY}{_WAN}{_PER}(?:亩|mu)"),
    ("cny_mu", rf"{_CNY}{_PER}(?:亩|mu)"),
    ("wan_m2", rf"{_WAN}{_M2}"),
    ("km2", r"平方公里|平方千米|km2|sqkm"),
    ("ha", r"公顷|ha|hectares?"),
    ("mu", r"亩|mu"),
    ("m2", _M2),
    ("kn_m2", r"kn/m2|kn/平方米|kn/平米|千牛/m2|千牛/平方米|kpa|千帕"),
    ("t_m2", r"(?:吨|t|ton|tons)/(?:m2|平方米|平米)"),
    ("kg_m2", r"(?:kg|公斤|千克)/(?:m2|平方米|平米)"),
    ("kva", r"kva|千伏安|kv·a|kv\.a"),
    ("mva", r"mva|兆伏安"),
    ("wan_kva", rf"{_WAN}kva|万千伏安"),
    ("kw", r"kw|千瓦|mw|兆瓦"),
    ("t", r"吨|t|tons?|tonnes?"),
    ("m", r"米|m|meters?|metres?"),
    ("floor", r"层|f|floors?|storeys?|stories|层楼"),
    ("percent", r"%|percent|百分比"),
    ("wan_cny", rf"{_WAN}{_CNY}"),
    ("cny", _CNY),
    ("wan", r"万"),
    ("kg", r"kg|公斤|千克"),
)
_UNIT_RE = [(code, re.compile(rf"^(?:{pattern})$")) for code, pattern in _UNIT_PATTERNS]

# What a user reads as the accepted units, per quantity (language-neutral symbols).
_ALLOWED_SHOWN = {
    "area": "㎡ (m²), 万㎡, 亩 (mu), 公顷 (ha)",
    "rent": "元/㎡/月, 元/㎡/天 (CNY/m²/month, CNY/m²/day)",
    "land_price": "万元/亩, 元/亩 (CNY 10k/mu, CNY/mu)",
    "length": "米 (m)",
    "load": "kN/㎡, 吨/㎡ (t/m²)",
    "weight": "吨 (t)",
    "power": "kVA, 千伏安, MVA",
    "plain": "—",
    "count": "层 (floors)",
}

HEADER = "header"  # factor marker: the unit comes from the header (a bare 元 in a rent column)
_RENT_PERIOD = "rent_period"  # marker: 元/㎡ without a period
# quantity -> {unit code: factor to the model's unit}
QUANTITY_UNITS: dict[str, dict[str, Any]] = {
    "area": {"m2": 1.0, "wan_m2": 1e4, "mu": mu_to_m2(1.0), "ha": 1e4, "km2": 1e6},
    "rent": {"cny_m2_month": 1.0, "cny_m2_day": DAYS_PER_MONTH, "cny": HEADER, "cny_m2": _RENT_PERIOD},
    "land_price": {"wan_cny_mu": 1.0, "cny_mu": 1e-4, "wan": 1.0, "wan_cny": 1.0, "cny": HEADER},
    "length": {"m": 1.0},
    "load": {"kn_m2": 1.0, "t_m2": 9.8, "kg_m2": 0.0098},
    "weight": {"t": 1.0},
    "power": {"kva": 1.0, "mva": 1000.0, "wan_kva": 1e4},
    "plain": {},
    "count": {"floor": 1.0},
}
# the unit of a column without a header unit, and the unit a bare "元" stands for
_CANONICAL = {"rent": "cny_m2_month", "land_price": "wan_cny_mu"}

FIELD_QUANTITY = {
    "area_m2": "area",
    "leasable_m2": "area",
    "vacant_m2": "area",
    "floor_area_needed_m2": "area",
    "rent_cny_m2_month": "rent",
    "property_fee_cny_m2_month": "rent",
    "land_price_wan_mu": "land_price",
    "clear_height_m": "length",
    "clear_height_needed_m": "length",
    "floor_load_kn_m2": "load",
    "floor_load_needed_kn_m2": "load",
    "crane_t": "weight",
    "crane_needed_t": "weight",
    "power_kva": "power",
    "power_needed_kva": "power",
    "plot_ratio": "plain",
    "floors": "count",
}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def unit_code(text: str | None) -> str | None:
    """The unit code a piece of text names ("㎡" -> "m2", "元/平米·月" -> "cny_m2_month"), or None."""
    if not text:
        return None
    t = re.sub(r"[\s　]+", "", _norm(str(text))).replace("²", "2").replace("㎡", "m2")
    t = t.replace("／", "/").replace("平方米", "平方米")
    t = t.strip("()（）[]【】")
    if not t:
        return None
    for code, rx in _UNIT_RE:
        if rx.match(t):
            return code
    return None


# --- numbers ---------------------------------------------------------------------------------------

_APPROX_PREFIX = re.compile(r"^(?:约为|大约|大概|约|~|≈|ca\.?|approx\.?|about)\s*")
_APPROX_SUFFIX = re.compile(r"\s*(?:左右|上下|余|多)$")
_RANGE = re.compile(r"^[+-]?\d[\d,.]*\s*(?:-|~|～|至|到|—|–)\s*\d")
_NUMBER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:e([+-]?\d+))?\s*(.*)$")


def _split_number(text: str) -> tuple[float, str, bool]:
    """"约 1,200 平方米" -> (1200.0, "平方米", approximate=True). Raises ValueProblem."""
    raw = text.strip()
    t = _norm(raw).replace("，", ",").strip()
    approx = False
    m = _APPROX_PREFIX.match(t)
    if m:
        approx, t = True, t[m.end():]
    m = _APPROX_SUFFIX.search(t)
    if m and t[: m.start()]:
        approx, t = True, t[: m.start()]
    if _RANGE.match(t):
        raise ValueProblem("number_range", {"value": shorten(raw)})
    m = _NUMBER.match(t)
    if not m:
        raise ValueProblem("not_a_number", {"value": shorten(raw)})
    sign, digits, exponent, rest = m.groups()
    number = float(f"{digits.replace(',', '')}e{exponent or 0}")  # 1e400 is inf here, never an OverflowError
    if not math.isfinite(number):
        raise ValueProblem("number_too_large", {"value": shorten(raw)})
    if rest and (rest[0].isdigit() or rest[0] in ",."):
        raise ValueProblem("not_a_number", {"value": shorten(raw)})
    return (-number if sign == "-" else number), rest.strip(), approx


def _apply_unit(number: float, suffix: str, unit_hint: str | None, quantity: str, raw: str) -> float:
    """`number` written with unit text `suffix` ("" for none) -> the model's unit for `quantity`."""
    table = QUANTITY_UNITS[quantity]
    multiplier = 1.0
    unit = None
    if suffix:
        unit = unit_code(suffix)
        if unit is None and suffix.startswith("万"):  # 3.5万㎡ is known; 3.5万kVA is 万 x kVA
            rest = suffix[1:].strip()
            multiplier, unit = 1e4, unit_code(rest) if rest else None
            if rest and unit is None:
                raise ValueProblem("unknown_unit", {"value": shorten(raw), "unit": suffix})
        elif unit is None:
            raise ValueProblem("unknown_unit", {"value": shorten(raw), "unit": suffix})
    if unit == "wan" and "wan" not in table:
        multiplier, unit = multiplier * 1e4, None
    if unit is not None and unit not in table:
        raise ValueProblem("unit_not_allowed", {"value": shorten(raw), "unit": suffix, "allowed": _ALLOWED_SHOWN[quantity]})
    factor = table[unit] if unit is not None else HEADER
    if factor == HEADER:  # a bare number (or only a currency, "25元"): the header's unit, else the model's
        effective = unit_hint
        if effective is not None and table.get(effective) == HEADER:
            effective = None
        if effective is None:
            factor = table[_CANONICAL[quantity]] if quantity in _CANONICAL else 1.0
        elif effective == "wan" and "wan" not in table:
            factor = 1e4
        else:
            factor = table.get(effective)
            if factor is None:
                raise ValueProblem(
                    "unit_not_allowed", {"value": shorten(raw), "unit": effective, "allowed": _ALLOWED_SHOWN[quantity]}
                )
    if factor == _RENT_PERIOD:
        raise ValueProblem("rent_period_missing", {"value": shorten(raw)})
    return number * multiplier * float(factor)


def parse_number(text: Any, unit_hint: str | None = None, *, quantity: str) -> float:
    """One cell as a number in the model's unit for `quantity` (see QUANTITY_UNITS). Raises ValueProblem.

    An approximate value ("约1200") is returned as read (parse_column adds the "approximate_value" warning).
    """
    return _parse_number(text, unit_hint, quantity).value


def _parse_number(text: Any, unit_hint: str | None, quantity: str) -> _Parsed:
    if isinstance(text, bool):
        raise ValueProblem("not_a_number", {"value": str(text)})
    if isinstance(text, (int, float, np.integer, np.floating)):
        number = float(text)
        if not math.isfinite(number):
            raise ValueProblem("not_a_number", {"value": str(text)})
        value = _apply_unit(number, "", unit_hint, quantity, str(text))
        if not math.isfinite(value):
            raise ValueProblem("number_too_large", {"value": shorten(_clean_text(text))})
        return _Parsed(value)
    if isinstance(text, (dt.date, dt.datetime)):
        raise ValueProblem("not_a_number", {"value": _clean_text(text)})
    raw = _clean_text(text)
    problem = _hygiene(raw)
    if problem:
        raise problem
    number, suffix, approx = _split_number(raw)
    value = _apply_unit(number, suffix, unit_hint, quantity, raw)
    if not math.isfinite(value):  # "1e308万㎡": finite as written, infinite in the model's unit
        raise ValueProblem("number_too_large", {"value": shorten(raw)})
    warnings = [CellProblem(-1, "approximate_value", {"value": shorten(raw), "number": _fmt(value)}, "warning")] if approx else []
    return _Parsed(value, warnings)


def _fmt(number: float) -> str:
    return f"{number:,.2f}".rstrip("0").rstrip(".")


# --- negotiable prices ------------------------------------------------------------------------------

# What people write in a price column when there is no fixed price (Chinese, English, German).
NEGOTIABLE_WORDS = (
    "面议", "待定", "协商", "议价", "价格面议", "电议", "面谈", "价格待定", "价格协商", "协商定价", "可议", "另议", "租金面议",
    "价格另议", "待议", "详询", "电询",
    "negotiable", "price negotiable", "on request", "price on request", "upon request", "poa", "p.o.a.", "tbd", "tbc",
    "to be decided", "to be determined", "to be agreed", "to be negotiated", "negotiate",
    "n.v.", "nach vereinbarung", "vb", "verhandlungsbasis", "auf anfrage", "verhandelbar",
)
_NEGOTIABLE_STRIP = re.compile(r"[\s\.。,，:：!！()（）\[\]【】\"'“”‘’*＊-]+")


def _negotiable_key(text: str) -> str:
    return _NEGOTIABLE_STRIP.sub("", _norm(text))


_NEGOTIABLE = frozenset(_negotiable_key(w) for w in NEGOTIABLE_WORDS)


def is_negotiable(value: Any) -> bool:
    """True when a cell says the price is negotiable (面议, "on request", "VB" …) and nothing else."""
    return isinstance(value, str) and _negotiable_key(value) in _NEGOTIABLE


def negotiable_mask(cells: pd.Series | Iterable) -> np.ndarray:
    """For each cell of a price column, whether it is a word for "negotiable" (each distinct text checked once)."""
    s = _as_object(cells)
    found: dict[str, bool] = {}
    out = np.zeros(len(s), dtype=bool)
    for i, value in enumerate(s):
        if isinstance(value, str):
            hit = found.get(value)
            if hit is None:
                hit = found[value] = is_negotiable(value)
            out[i] = hit
    return out


# --- ratios ----------------------------------------------------------------------------------------


def _parse_ratio(value: Any, unit: str | None = None) -> _Parsed:
    if isinstance(value, bool):
        raise ValueProblem("not_a_ratio", {"value": str(value)})
    if isinstance(value, (int, float, np.integer, np.floating)):
        number, suffix, approx, raw = float(value), "", False, str(value)
        if not math.isfinite(number):
            raise ValueProblem("not_a_ratio", {"value": raw})
    else:
        raw = _clean_text(value)
        problem = _hygiene(raw)
        if problem:
            raise problem
        try:
            number, suffix, approx = _split_number(raw)
        except ValueProblem as error:
            raise ValueProblem("not_a_ratio" if error.key == "not_a_number" else error.key, error.params) from None
    code = unit_code(suffix) if suffix else None
    if suffix and code != "percent":
        raise ValueProblem("unit_not_allowed", {"value": shorten(raw), "unit": suffix, "allowed": "%"})
    if code == "percent" or unit == "percent" or number > 1:
        number /= 100
    if not 0 <= number <= 1:
        raise ValueProblem("ratio_out_of_range", {"value": shorten(raw)})
    warnings = [CellProblem(-1, "approximate_value", {"value": shorten(raw), "number": f"{number:.0%}"}, "warning")] if approx else []
    return _Parsed(number, warnings)


def parse_ratio(value: Any, unit: str | None = None) -> float:
    """"85%", "0.85", "85" (> 1 means percent) -> 0.85. Raises ValueProblem."""
    return _parse_ratio(value, unit).value


# --- dates -----------------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_RANGE = ((dt.date(1990, 1, 1) - EXCEL_EPOCH).days, (dt.date(2100, 12, 31) - EXCEL_EPOCH).days)
_YMD = re.compile(r"^(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*(?:日|号)?(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YM = re.compile(r"^(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _date_from_serial(number: float, raw: str) -> dt.date:
    lo, hi = _SERIAL_RANGE
    if number.is_integer() and 19000101 <= number <= 21001231:
        m = _COMPACT.match(str(int(number)))
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ValueProblem("not_a_date", {"value": raw}) from None
    if lo <= number <= hi:
        return EXCEL_EPOCH + dt.timedelta(days=int(number))
    raise ValueProblem("not_a_date", {"value": raw})


def _parse_date(value: Any) -> _Parsed:
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return _Parsed(value.date())
    if isinstance(value, dt.date):
        return _Parsed(value)
    if isinstance(value, np.datetime64):
        return _Parsed(pd.Timestamp(value).date())
    if isinstance(value, bool):
        raise ValueProblem("not_a_date", {"value": str(value)})
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _Parsed(_date_from_serial(float(value), str(value)))
    raw = _clean_text(value)
    problem = _hygiene(raw)
    if problem:
        raise problem
    t = _norm(raw).strip()
    try:
        m = _YMD.match(t)
        if m:
            return _Parsed(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        m = _YM.match(t)
        if m:
            first = dt.date(int(m.group(1)), int(m.group(2)), 1)
            return _Parsed(first, [CellProblem(-1, "date_month_only", {"value": shorten(raw), "date": first.isoformat()}, "warning")])
    except ValueError:
        raise ValueProblem("not_a_date", {"value": shorten(raw)}) from None
    if re.fullmatch(r"\d+(?:\.0+)?", t):
        return _Parsed(_date_from_serial(float(t), shorten(raw)))
    raise ValueProblem("not_a_date", {"value": shorten(raw)})


def parse_date(value: Any) -> dt.date:
    """A cell as a date (see the module's decisions). Raises ValueProblem("not_a_date")."""
    return _parse_date(value).value


# --- choices, lists, booleans ----------------------------------------------------------------------


def _choice_norm(text: str) -> str:
    return re.sub(r"[\s_\-·・]+", "", _norm(text))


# Variants people write, besides the codes and the labels of the i18n catalog (both languages).
CHOICE_VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "kind": {
        "land": ("产业用地", "工业用地", "土地", "用地", "地块", "宗地", "工业土地", "industrial land", "land plot", "plot", "parcel"),
        "plant": ("厂房", "标准厂房", "标厂", "工业厂房", "定制厂房", "factory", "plant", "workshop", "industrial building", "plant building"),
        "office": ("商务楼宇", "写字楼", "办公楼", "楼宇", "商务楼", "办公", "office", "office building", "office tower"),
        "other": ("其他", "其它", "其他载体", "仓库", "仓储", "孵化器", "众创空间", "other", "warehouse", "incubator"),
    },
    "status": {
        "available": ("可租售", "可租", "可售", "可出租", "可出售", "空置", "待租", "待售", "招商中", "闲置",
                      "available", "vacant", "for rent", "for lease", "for sale", "to let"),
        "partial": ("部分可用", "部分空置", "部分出租", "部分可租", "部分可租售", "部分闲置", "partial", "partly available",
                    "partially available", "partly let"),
        "reserved": ("意向", "意向锁定", "锁定", "已预订", "预订", "预定", "已预定", "洽谈中", "reserved", "on hold", "under offer"),
        "occupied": ("已满", "已租", "已售", "已出让", "满租", "已出租", "已出售", "已使用", "已入驻", "occupied", "full",
                     "fully occupied", "let", "leased", "sold"),
        "planned": ("在建", "规划", "在建/规划", "规划中", "建设中", "筹建", "拟建", "planned", "under construction", "planning"),
    },
    "office_grade": {
        "A": ("甲级", "甲", "a级", "甲级写字楼", "grade a", "class a", "a"),
        "B": ("乙级", "乙", "b级", "grade b", "class b", "b"),
        "C": ("丙级", "丙", "c级", "grade c", "class c", "c"),
    },
    "industry": {
        "precision_machinery": ("高端装备", "精密机械", "装备制造", "高端装备制造", "精密制造", "机械", "precision machinery",
                                "machinery", "advanced equipment", "advanced manufacturing"),
        "auto_parts": ("汽车零部件", "汽配", "汽车配件", "汽车", "新能源汽车零部件", "auto parts", "automotive", "automotive parts"),
        "aerospace": ("航空航天", "航空", "航天", "商业航天", "aerospace", "aviation"),
        "new_materials": ("新材料", "先进材料", "材料", "new materials", "advanced materials", "materials"),
        "biomedicine": ("生物医药", "医药", "生物", "大健康", "医疗器械", "biomedicine", "biotech", "pharma", "pharmaceuticals",
                        "life sciences", "biomedical"),
        "port_logistics": ("港口物流", "物流", "现代物流", "仓储物流", "港航物流", "port logistics", "logistics"),
        "electronics": ("电子信息", "电子", "电子信息产业", "electronics", "electronic information", "ict"),
        "digital_services": ("数字经济", "数字服务", "软件", "互联网", "软件信息", "digital economy", "digital services", "software"),
        "headquarters": ("总部经济", "总部", "headquarters", "hq", "head office"),
        "rnd_services": ("研发服务", "研发", "科技服务", "研发设计", "r&d", "rnd", "r&d services", "research and development"),
    },
}
_BOOL_WORDS = {
    True: ("是", "公开", "对外", "对外公开", "y", "yes", "true", "t", "1", "public", "√", "✓", "✔"),
    False: ("否", "不公开", "内部", "不对外", "不对外公开", "n", "no", "false", "f", "0", "private", "internal", "×", "✗", "✘"),
}
_BOOL = {_choice_norm(w): v for v, words in _BOOL_WORDS.items() for w in words}

# field name -> vocabulary (the i18n prefix of its labels)
FIELD_VOCABULARY = {
    "kind": "kind", "space_kind": "kind", "status": "status", "office_grade": "office_grade",
    "industries": "industry", "sector": "industry", "category": "category", "stage": "stage", "currency": "currency",
    "grade": "grade",
}
_LIST_SPLIT = re.compile(r"[,，;；、|\n/／]+")


def choice_lookup(vocabulary: str, codes: Iterable[str]) -> dict[str, str]:
    """Normalised label/variant -> code for a vocabulary: the codes, both languages' labels, the variants."""
    lookup: dict[str, str] = {}
    codes = [str(c) for c in codes]
    for code in codes:
        names = [code]
        for lang in i18n.LANGUAGES:
            name = i18n.label(vocabulary, code, lang)
            names.append(name)
            names += _LIST_SPLIT.split(name) if vocabulary == "industry" else []
        names += CHOICE_VARIANTS.get(vocabulary, {}).get(code, ())
        for name in names:
            key = _choice_norm(name)
            if key:
                lookup.setdefault(key, code)
    return lookup


def _choices_shown(vocabulary: str, codes: Iterable[str]) -> str:
    shown = []
    for code in codes:
        zh, en = i18n.label(vocabulary, code, "zh"), i18n.label(vocabulary, code, "en")
        shown.append(zh if zh == en else f"{zh} {en}")
    return "; ".join(shown)


def _choice_parser(spec: FieldSpec) -> Callable[[Any], _Parsed]:
    vocabulary = FIELD_VOCABULARY.get(spec.name, spec.name)
    codes = tuple(str(c) for c in spec.choices or ())
    lookup = choice_lookup(vocabulary, codes)
    shown = _choices_shown(vocabulary, codes)

    def one(text: str) -> str:
        code = lookup.get(_choice_norm(text))
        if code is None:
            raise ValueProblem("unknown_choice", {"value": shorten(text), "choices": shown, "vocabulary": vocabulary})
        return code

    def parse(value: Any) -> _Parsed:
        raw = _clean_text(value)
        problem = _hygiene(raw)
        if problem:
            raise problem
        if spec.type is FieldType.LIST:
            whole = lookup.get(_choice_norm(raw))  # a label that itself holds a separator, e.g. 高端装备/精密机械
            items = [whole] if whole else [one(item) for item in _LIST_SPLIT.split(raw) if item.strip()]
            return _Parsed(list(dict.fromkeys(items)) or None)
        code = lookup.get(_choice_norm(raw))
        if code is None and re.search(r"[/／、]", raw):  # "可租/可售": accepted when every part means the same
            parts = {lookup.get(_choice_norm(p)) for p in re.split(r"[/／、]", raw) if p.strip()}
            code = parts.pop() if len(parts) == 1 else None
        return _Parsed(code or one(raw))

    return parse


# --- projects: stages, categories, currencies, grades, countries, credit codes ----------------------

CHOICE_VARIANTS.update({
    "stage": {
        "first_contact": ("首次接触", "初次接触", "初步接触", "接触", "首谈", "初谈", "意向", "初步意向", "线索", "信息",
                          "first contact", "contact", "lead", "initial contact"),
        "negotiating": ("在谈", "洽谈", "洽谈中", "在洽谈", "谈判", "谈判中", "商谈", "对接中", "在谈项目",
                        "negotiating", "negotiation", "in talks", "under negotiation"),
        "signed": ("签约", "已签约", "签订", "已签订", "签约项目", "签署协议", "signed", "contract signed", "agreement signed"),
        "registered": ("注册", "已注册", "注册落户", "完成注册", "工商注册", "落户", "registered", "incorporated", "registration"),
        "approval": ("报批报建", "报批", "报建", "审批", "审批中", "报批中", "立项", "approval", "permits", "permitting",
                     "planning approval"),
        "construction": ("开工", "已开工", "开工建设", "在建", "建设中", "动工", "construction", "under construction",
                         "groundbreaking", "started"),
        "production": ("投产", "已投产", "竣工投产", "试生产", "运营", "开业", "production", "in production", "operating",
                       "operational"),
        "on_hold": ("搁置", "暂缓", "暂停", "已搁置", "on hold", "paused", "suspended"),
        "dropped": ("放弃", "已放弃", "终止", "中止", "流失", "dropped", "abandoned", "lost", "cancelled", "canceled"),
    },
    "category": {
        "manufacturing": ("制造业", "制造", "制造类", "工业", "先进制造业", "制造业项目", "manufacturing", "industrial",
                          "production"),
        "trade_logistics": ("物贸", "物贸类", "商贸", "贸易", "物流", "商贸物流", "物贸项目", "trade", "logistics",
                            "trade and logistics", "trade & logistics", "trade/logistics"),
        "rnd": ("研发", "研发类", "研发中心", "科研", "研发项目", "r&d", "rnd", "research", "research and development"),
        "other": ("其他", "其它", "服务业", "other", "others", "services"),
    },
    "grade": {g: (f"{g}级", f"{g}类", f"grade {g}") for g in GRADES},
})

# The land a project needs is in 亩 (the field's unit), as districts write it; ㎡ and 公顷 are converted.
QUANTITY_UNITS["land_mu"] = {"mu": 1.0, "m2": 1 / mu_to_m2(1.0), "wan_m2": 1e4 / mu_to_m2(1.0), "ha": 15.0, "km2": 1500.0}
_ALLOWED_SHOWN["land_mu"] = "亩 (mu), ㎡ (m²), 万㎡, 公顷 (ha)"
FIELD_QUANTITY["land_needed_mu"] = "land_mu"

# The city support a project asks for is in 万元 CNY (the field's unit); 元 is converted.
QUANTITY_UNITS["cny_wan"] = {"wan_cny": 1.0, "wan": 1.0, "cny": 1e-4}
_ALLOWED_SHOWN["cny_wan"] = "万元, 元 (CNY 10k, CNY)"
FIELD_QUANTITY["city_support_wan"] = "cny_wan"

# Currency words, as the currency column and an amount's own cell write them (the codes of model.FX_TO_CNY).
CURRENCY_WORDS: dict[str, tuple[str, ...]] = {
    "CNY": ("人民币", "元", "人民币元", "rmb", "cny", "yuan", "¥", "￥", "rmb¥"),
    "USD": ("美元", "美金", "usd", "us$", "$", "us dollars", "us dollar", "dollars", "dollar"),
    "EUR": ("欧元", "eur", "€", "euros", "euro"),
    "JPY": ("日元", "日圆", "jpy", "円", "yen"),
    "KRW": ("韩元", "krw", "₩", "won"),
    "HKD": ("港元", "港币", "hkd", "hk$"),
    "GBP": ("英镑", "gbp", "£", "pounds sterling", "pound sterling", "pounds", "sterling"),
}
CHOICE_VARIANTS["currency"] = CURRENCY_WORDS
_CURRENCY_OF = {_norm(w): code for code, words in CURRENCY_WORDS.items() for w in words}
_CURRENCY_RE = re.compile(
    "|".join(
        (re.escape(w) if not w[0].isascii() or not w[0].isalpha() else rf"(?<![a-z]){re.escape(w)}(?![a-z])")
        for w in sorted(_CURRENCY_OF, key=len, reverse=True)
    )
)

# Scale words -> the amount in 万 (10,000) they stand for one of: amounts are kept in 万 of their currency.
AMOUNT_SCALES: dict[str, float] = {
    "万": 1.0, "亿": 1e4, "千万": 1e3, "百万": 1e2, "十万": 10.0, "千": 0.1, "万亿": 1e8,
    "10k": 1.0, "k": 0.1, "thousand": 0.1, "m": 100.0, "mn": 100.0, "mln": 100.0, "mio": 100.0, "million": 100.0,
    "millions": 100.0, "b": 1e5, "bn": 1e5, "billion": 1e5, "billions": 1e5,
}
UNIT_SCALE = 1e-4  # one yuan, dollar, euro … in 万
AMOUNT_UNIT_PREFIX = "amount"  # header unit codes "amount:<scale in 万>:<currency or empty>"
# A bare number this large (in 万: 100 亿) with no unit anywhere was most likely written in 元: said, not changed.
AMOUNT_LOOKS_LIKE_YUAN = 1e6
_AMOUNT_SHOWN = "5亿元, 3000万元, 3,000万美元, USD 30 million, 2000万欧元"


def _amount_words(text: str) -> tuple[set[str], str]:
    """The currencies a piece of amount text names, and the text without them."""
    t = _norm(text).replace("，", ",")
    found = {_CURRENCY_OF[m.group(0)] for m in _CURRENCY_RE.finditer(t)}
    return found, _CURRENCY_RE.sub(" ", t).strip()


def _scale(word: str) -> float | None:
    w = re.sub(r"[\s.]+", "", word)
    return AMOUNT_SCALES.get(w) if w else None


def amount_unit(header_text: str | None) -> str | None:
    """The unit an amount column's header names ("投资额（亿元）" -> 亿 of CNY, "Investment (USD million)" ->
    百万 of USD, "投资额（万）" -> 万, currency left to the cells), as a unit code, or None."""
    if not header_text:
        return None
    t = _norm(str(header_text))
    inner = " ".join(re.findall(r"[(（\[【]([^)）\]】]*)[)）\]】]", t))
    for candidate in (inner, t) if inner else (t,):
        currencies, rest = _amount_words(candidate)
        scale = None
        for word in re.split(r"[\s/,;]+", rest):
            scale = _scale(word) if scale is None else scale
            if scale is None:  # "投资额万元": the scale is the text's tail
                for name, value in sorted(AMOUNT_SCALES.items(), key=lambda kv: -len(kv[0])):
                    if not name.isascii() and word.endswith(name):
                        scale = value
                        break
        if len(currencies) > 1:
            return None
        if scale is not None or currencies:
            currency = next(iter(currencies), "")
            return f"{AMOUNT_UNIT_PREFIX}:{scale if scale is not None else UNIT_SCALE}:{currency}"
    return None


def _header_amount(unit: str | None) -> tuple[float | None, str | None]:
    """(scale in 万, currency) of an amount column's header unit (amount_unit's code, or a plain unit code)."""
    if not unit:
        return None, None
    if unit.startswith(AMOUNT_UNIT_PREFIX + ":"):
        _, scale, currency = unit.split(":", 2)
        return float(scale), currency or None
    return {"wan_cny": (1.0, "CNY"), "cny": (UNIT_SCALE, "CNY"), "wan": (1.0, None)}.get(unit, (None, None))


def _parse_amount(value: Any, unit: str | None) -> _Parsed:
    """One amount cell -> _Parsed((amount in 万, currency or None)). See parse_amount_column."""
    header_scale, header_currency = _header_amount(unit)
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
        raise ValueProblem("not_an_amount", {"value": _clean_text(value), "examples": _AMOUNT_SHOWN})
    if isinstance(value, (int, float, np.integer, np.floating)):
        number, scale, currencies, approx, raw = float(value), None, set(), False, _clean_text(value)
        if not math.isfinite(number):
            raise ValueProblem("not_an_amount", {"value": raw, "examples": _AMOUNT_SHOWN})
    else:
        raw = _clean_text(value)
        problem = _hygiene(raw)
        if problem:
            raise problem
        currencies, rest = _amount_words(raw)
        if len(currencies) > 1:
            raise ValueProblem("amount_two_currencies", {"value": shorten(raw), "currencies": "、".join(sorted(currencies))})
        try:
            number, suffix, approx = _split_number(rest)
        except ValueProblem as error:
            key = "not_an_amount" if error.key == "not_a_number" else error.key
            raise ValueProblem(key, {"value": shorten(raw), "examples": _AMOUNT_SHOWN}) from None
        scale = _scale(suffix) if suffix else None
        if suffix and scale is None:
            raise ValueProblem("unknown_amount_unit", {"value": shorten(raw), "unit": suffix, "examples": _AMOUNT_SHOWN})
    currency = next(iter(currencies), None)
    if currency and header_currency and currency != header_currency:
        raise ValueProblem("amount_currency_differs_from_header", {
            "value": shorten(raw), "currency": currency, "header_currency": header_currency})
    if scale is None:
        # A cell that names its currency but no scale ("50000元", "USD 500000") is in units of it; a bare
        # number is in the header's scale, else in 万 (the field's own unit).
        scale = UNIT_SCALE if currency else header_scale if header_scale is not None else 1.0
    amount = number * scale
    if not math.isfinite(amount):
        raise ValueProblem("number_too_large", {"value": shorten(raw)})
    warnings = []
    if approx:
        warnings.append(CellProblem(-1, "approximate_value", {"value": shorten(raw), "number": _fmt(amount)}, "warning"))
    if not currencies and header_scale is None and scale == 1.0 and amount >= AMOUNT_LOOKS_LIKE_YUAN:
        warnings.append(CellProblem(-1, "amount_looks_like_yuan", {"value": shorten(raw), "yi": _fmt(amount / 1e4)}, "warning"))
    return _Parsed((amount, currency or header_currency), warnings)


def parse_amount_column(cells: pd.Series, unit: str | None = None) -> tuple[list, list[CellProblem]]:
    """Investment amounts as people write them -> (amount in 万 of its currency, currency or None) per cell.

    "5亿元" -> (50000, CNY); "5 亿" -> (50000, None); "3,000万美元" -> (3000, USD); "USD 30 million" ->
    (3000, USD); "2000万欧元" -> (2000, EUR); "50000元" -> (5, CNY). A bare number is in the header's unit
    ("投资额（亿元）": 亿 of CNY; "（万美元）": 万 of USD), else in 万. A cell naming two currencies, or one
    other than its header's, is an error (which would be meant is a guess); so are ranges and unknown
    units. The currency column, where the file has one, is reconciled with these in the pipeline."""
    return _distinct(_as_object(cells), lambda u: _amount_cells(u, unit))


def _amount_cells(s: pd.Series, unit: str | None) -> tuple[list, list[CellProblem]]:
    values: list = [None] * len(s)
    problems: list[CellProblem] = []
    _run(values, s, ~empty_mask(s), lambda v: _parse_amount(v, unit), problems)
    problems.sort(key=lambda p: p.index)
    return values, problems


# Investors' countries: ISO 3166-1 alpha-2 as stored; the names districts write, in Chinese and English.
# Any other two-letter code is taken as written (uppercase): the list names the usual ones, not all.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "CN": ("中国", "中国大陆", "内资", "国内", "中资", "china", "prc", "people's republic of china", "chn"),
    "DE": ("德国", "德资", "germany", "deutschland", "deu", "ger"),
    "US": ("美国", "美资", "united states", "usa", "u.s.", "america", "united states of america"),
    "JP": ("日本", "日资", "japan", "jpn"),
    "KR": ("韩国", "韩资", "south korea", "korea", "republic of korea", "kor"),
    "FR": ("法国", "france", "fra"), "CH": ("瑞士", "switzerland", "schweiz", "che"),
    "AT": ("奥地利", "austria", "österreich", "aut"), "IT": ("意大利", "italy", "ita"),
    "GB": ("英国", "united kingdom", "uk", "britain", "great britain", "gbr"), "NL": ("荷兰", "netherlands", "holland", "nld"),
    "BE": ("比利时", "belgium", "bel"), "LU": ("卢森堡", "luxembourg", "lux"), "ES": ("西班牙", "spain", "esp"),
    "PT": ("葡萄牙", "portugal", "prt"), "SE": ("瑞典", "sweden", "swe"), "DK": ("丹麦", "denmark", "dnk"),
    "FI": ("芬兰", "finland", "fin"), "NO": ("挪威", "norway", "nor"), "IE": ("爱尔兰", "ireland", "irl"),
    "PL": ("波兰", "poland", "pol"), "CZ": ("捷克", "czechia", "czech republic", "cze"), "HU": ("匈牙利", "hungary", "hun"),
    "RU": ("俄罗斯", "russia", "rus"), "TR": ("土耳其", "türkiye", "turkey", "tur"), "IL": ("以色列", "israel", "isr"),
    "AE": ("阿联酋", "阿拉伯联合酋长国", "united arab emirates", "uae", "are"), "SA": ("沙特", "沙特阿拉伯", "saudi arabia", "sau"),
    "IN": ("印度", "india", "ind"), "SG": ("新加坡", "singapore", "sgp"), "MY": ("马来西亚", "malaysia", "mys"),
    "TH": ("泰国", "thailand", "tha"), "VN": ("越南", "vietnam", "viet nam", "vnm"), "ID": ("印度尼西亚", "印尼", "indonesia", "idn"),
    "AU": ("澳大利亚", "australia", "aus"), "NZ": ("新西兰", "new zealand", "nzl"), "CA": ("加拿大", "canada", "can"),
    "MX": ("墨西哥", "mexico", "mex"), "BR": ("巴西", "brazil", "bra"),
    "HK": ("中国香港", "香港", "港资", "hong kong", "hongkong", "hkg"), "MO": ("中国澳门", "澳门", "macao", "macau", "mac"),
    "TW": ("中国台湾", "台湾", "台资", "taiwan", "twn"),
    "KY": ("开曼群岛", "开曼", "cayman islands", "cayman", "cym"), "VG": ("英属维尔京群岛", "bvi", "british virgin islands", "vgb"),
}
_COUNTRY_OF = {_choice_norm(name): code for code, names in COUNTRY_NAMES.items() for name in (code, *names)}


def parse_country(value: Any) -> str:
    """An investor's country as its ISO 3166-1 alpha-2 code ("德国", "Germany", "DEU", "de" -> "DE")."""
    raw = _clean_text(value)
    problem = _hygiene(raw)
    if problem:
        raise problem
    code = _COUNTRY_OF.get(_choice_norm(raw))
    if code:
        return code
    if re.fullmatch(r"[A-Za-z]{2}", raw):
        return raw.upper()
    raise ValueProblem("unknown_country", {"value": shorten(raw)})


# 统一社会信用代码 (GB 32100-2015): 18 characters of this alphabet, the last a check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check(code: str) -> str:
    """The check character of the first 17 characters of a unified social credit code."""
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(code[:17], _CREDIT_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def parse_credit_code(value: Any) -> str:
    """A unified social credit code, upper case without spaces; refused unless its check character holds."""
    raw = _clean_text(value)
    problem = _hygiene(raw)
    if problem:
        raise problem
    code = re.sub(r"[\s\-]+", "", _norm(raw)).upper()
    if len(code) != 18 or any(ch not in CREDIT_CODE_ALPHABET for ch in code):
        raise ValueProblem("credit_code_malformed", {"value": shorten(raw)})
    if credit_code_check(code) != code[17]:
        raise ValueProblem("credit_code_check_failed", {"value": shorten(raw)})
    return code


_TEXT_PARSERS: dict[str, Callable[[Any], Any]] = {"investor_country": parse_country, "credit_code": parse_credit_code}


def parse_bool(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value)
    raw = _clean_text(value)
    problem = _hygiene(raw)
    if problem:
        raise problem
    result = _BOOL.get(_choice_norm(raw))
    if result is None:
        raise ValueProblem("not_a_bool", {"value": shorten(raw)})
    return result


def parse_text(value: Any) -> str:
    raw = _clean_text(value)
    problem = _hygiene(raw)
    if problem:
        raise problem
    return raw


# --- columns ---------------------------------------------------------------------------------------


def _as_object(cells: pd.Series | Iterable) -> pd.Series:
    s = cells if isinstance(cells, pd.Series) else pd.Series(list(cells), dtype=object)
    return pd.Series(s.to_numpy(dtype=object, na_value=None), dtype=object)


def empty_mask(s: pd.Series) -> np.ndarray:
    """True for cells that hold nothing: None, NaN, blank text, or a dash standing for "none"."""
    empty = s.isna().to_numpy().copy()
    is_str = np.fromiter((isinstance(v, str) for v in s), bool, len(s))
    if is_str.any():
        texts = s[is_str].str.strip(" \t\r\n\u3000\u00a0" + _INVISIBLE)
        empty[is_str] = texts.isin(list(EMPTY_MARKERS)).to_numpy()
    return empty


def _run(values: list, s: pd.Series, todo: np.ndarray, parse: Callable[[Any], _Parsed], problems: list[CellProblem]) -> None:
    """Parse the cells at positions `todo`, each distinct value once; fill `values`, collect problems."""
    idx = np.flatnonzero(todo)
    if not len(idx):
        return
    cells = s.to_numpy(dtype=object)[idx]
    has_bool = any(isinstance(v, (bool, np.bool_)) for v in cells)
    try:
        if has_bool:  # True == 1 for hashing: parse cell by cell
            raise TypeError
        codes, uniques = pd.factorize(cells)
    except TypeError:
        codes, uniques = np.arange(len(cells)), cells
    results = np.empty(len(uniques), dtype=object)
    flagged = np.zeros(len(uniques), dtype=bool)
    for k, cell in enumerate(uniques):
        try:
            hit = parse(cell)
        except ValueProblem as error:
            # kept without its traceback: a column of distinct bad cells would otherwise hold a frame chain each
            results[k], flagged[k] = error.with_traceback(None), True
            continue
        results[k] = hit.value
        flagged[k] = bool(hit.warnings)
        if hit.warnings:
            results[k] = hit
    out = results[codes]
    for pos in np.flatnonzero(~flagged[codes]):
        values[idx[pos]] = out[pos]
    for pos in np.flatnonzero(flagged[codes]):
        i, hit = int(idx[pos]), out[pos]
        if isinstance(hit, ValueProblem):
            problems.append(CellProblem(i, hit.key, hit.params, hit.severity))
        else:
            values[i] = hit.value
            problems.extend(CellProblem(i, w.key, w.params, w.severity) for w in hit.warnings)


def _numeric_fast_path(s: pd.Series, todo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells that are plain numbers (as numbers or as plain numeric text), parsed in one vectorised call."""
    is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in s), bool, len(s))
    numbers = pd.to_numeric(s.where(todo & ~is_bool, None), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = todo & ~is_bool & np.isfinite(numbers)
    return numbers, ok


def district_lookup(districts: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Normalised code/name/alias -> district code, from district records (data/districts.csv, Store districts)."""
    lookup: dict[str, str] = {}
    for d in districts:
        code = str(d["code"])
        names = [code, d.get("name_zh"), d.get("name_en"), *str(d.get("aliases") or "").split(";")]
        for name in names:
            if name and str(name).strip():
                lookup.setdefault(_choice_norm(str(name)), code)
    return lookup


def _distinct(s: pd.Series, parse: Callable[[pd.Series], tuple[list, list[CellProblem]]]) -> tuple[list, list[CellProblem]]:
    """Run a column parser on the distinct non-empty cells only and spread the results over the column."""
    n = len(s)
    cells = s.to_numpy(dtype=object)
    try:
        if pd.api.types.infer_dtype(cells, skipna=True) in ("mixed", "mixed-integer") and any(
            isinstance(v, (bool, np.bool_)) for v in cells
        ):  # True == 1 when hashing: cell by cell
            raise TypeError
        codes, uniques = pd.factorize(cells)  # empty (None/NaN) -> -1
    except TypeError:
        codes, uniques = np.arange(n), cells
    unique_series = pd.Series(list(uniques), dtype=object)
    keep = np.flatnonzero(~empty_mask(unique_series))
    spread_from = np.empty(len(uniques) + 1, dtype=object)  # the extra last slot is None, for code -1
    spread_from[:] = None
    problems: list[CellProblem] = []
    if len(keep):
        kept_values, kept_problems = parse(unique_series.iloc[keep].reset_index(drop=True))
        for k, v in zip(keep, kept_values):
            spread_from[k] = v
        if kept_problems:
            by_unique: dict[int, list[CellProblem]] = {}
            for p in kept_problems:
                by_unique.setdefault(int(keep[p.index]), []).append(p)
            flagged = np.zeros(len(uniques) + 1, dtype=bool)
            flagged[list(by_unique)] = True
            for i in np.flatnonzero(flagged[codes]):
                problems.extend(CellProblem(int(i), p.key, p.params, p.severity) for p in by_unique[int(codes[i])])
    return spread_from[codes].tolist(), problems


def parse_column(
    spec: FieldSpec, cells: pd.Series, unit: str | None = None, *, districts: Iterable[Mapping[str, Any]] | None = None
) -> tuple[list, list[CellProblem]]:
    """One value per cell in the model's type and unit (None for empty), and the problems (positions 0-based).

    `unit` is the unit read from the column's header (ColumnTarget.unit); a cell's own unit overrides it.
    `districts` (records with code, name_zh, name_en, aliases): when given, a district field's names and
    aliases ("城厢镇", "城厢", "Chengxiang Town") become codes; text that names no district is kept as
    written, for the model to report as unknown_district.
    """
    s = _as_object(cells)
    if spec.type is FieldType.GEOMETRY:
        return parse_wkt_column(s)
    districts = list(districts) if districts is not None else None
    return _distinct(s, lambda u: _parse_column_cells(spec, u, unit, districts=districts))


def _parse_column_cells(
    spec: FieldSpec, cells: pd.Series, unit: str | None = None, *, districts: Iterable[Mapping[str, Any]] | None = None
) -> tuple[list, list[CellProblem]]:
    """parse_column's work (the wrapper hands it each distinct non-empty cell once)."""
    s = _as_object(cells)
    n = len(s)
    values: list = [None] * n
    problems: list[CellProblem] = []
    todo = ~empty_mask(s)
    t = spec.type
    if t in (FieldType.NUMBER, FieldType.INTEGER):
        quantity = FIELD_QUANTITY.get(spec.name, "plain")
        numbers, ok = _numeric_fast_path(s, todo)
        if ok.any():
            factor = _column_factor(quantity, unit)
            if isinstance(factor, ValueProblem):
                for i in np.flatnonzero(ok):
                    problems.append(CellProblem(int(i), factor.key, {**factor.params, "value": shorten(_clean_text(s.iat[i]))}))
            else:
                with np.errstate(over="ignore"):
                    scaled = numbers * factor
                as_list = scaled.tolist()
                finite = np.isfinite(scaled)
                for i in np.flatnonzero(ok):
                    if finite[i]:
                        values[i] = as_list[i]
                    else:  # a finite number that the header's unit makes infinite
                        problems.append(CellProblem(int(i), "number_too_large", {"value": shorten(_clean_text(s.iat[i]))}))
        rest = todo & ~ok
        if rest.any():
            rest &= ~_numbers_with_units(s, rest, values, unit, quantity)
        _run(values, s, rest, lambda v: _parse_number(v, unit, quantity), problems)
        if t is FieldType.INTEGER:
            values = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    elif t is FieldType.DATE:
        _run(values, s, todo, _parse_date, problems)
    elif t is FieldType.BOOL:
        _run(values, s, todo, lambda v: _Parsed(parse_bool(v)), problems)
    elif t in (FieldType.CHOICE, FieldType.LIST):
        _run(values, s, todo, _choice_parser(spec), problems)
    elif t is FieldType.GEOMETRY:
        geoms, geo_problems = parse_wkt_column(s)
        return geoms, geo_problems
    elif spec.name in _TEXT_PARSERS:
        parse_special = _TEXT_PARSERS[spec.name]
        _run(values, s, todo, lambda v: _Parsed(parse_special(v)), problems)
    elif spec.district and districts is not None:
        lookup = district_lookup(districts)

        def parse_district(v: Any) -> _Parsed:
            text = parse_text(v)
            return _Parsed(lookup.get(_choice_norm(text), text))

        _run(values, s, todo, parse_district, problems)
    else:
        _text_fast_path(values, s, todo, problems)
    problems.sort(key=lambda p: p.index)
    return values, problems


_PLAIN_WITH_UNIT = r"^\s*([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*([^\d,.\s].*?)?\s*$"


def _numbers_with_units(s: pd.Series, todo: np.ndarray, values: list, unit: str | None, quantity: str) -> np.ndarray:
    """The second fast path: ASCII numbers with a unit ("1,200㎡", "25元/㎡/月"), one regex pass for the column
    and the unit resolved once per distinct suffix. Returns the positions it filled; the rest (full-width
    digits, approximations, bad units …) go to the cell-by-cell parser, which reports precisely."""
    done = np.zeros(len(s), dtype=bool)
    idx = np.flatnonzero(todo)
    texts = s.iloc[idx]
    is_str = np.fromiter((isinstance(v, str) for v in texts), bool, len(texts))
    if not is_str.any():
        return done
    idx, texts = idx[is_str], texts[is_str].astype(str)
    parts = texts.str.extract(_PLAIN_WITH_UNIT)
    matched = parts[0].notna().to_numpy()
    if not matched.any():
        return done
    idx, parts = idx[matched], parts[matched]
    numbers = pd.to_numeric(parts[0].str.replace(",", "", regex=False), errors="coerce").to_numpy(dtype=float)
    suffixes = parts[1].fillna("").to_numpy(dtype=object)
    factors: dict[str, float | None] = {}
    for suffix in pd.unique(suffixes):
        if suffix and (suffix[:1] in "约~≈" or _APPROX_SUFFIX.search(suffix) or _CONTROL.search(suffix)):
            factors[suffix] = None
            continue
        try:
            factors[suffix] = _apply_unit(1.0, suffix.strip(), unit, quantity, suffix)
        except ValueProblem:
            factors[suffix] = None  # the cell parser reports it with the cell's value
    factor = np.array([np.nan if factors[x] is None else factors[x] for x in suffixes], dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        product = numbers * factor
    good = np.isfinite(product)  # the rest (an unknown unit, an overflow) go to the cell parser, which says why
    scaled = product.tolist()
    for pos in np.flatnonzero(good):
        values[idx[pos]] = scaled[pos]
    done[idx[good]] = True
    return done


_ANY_BAD = re.compile(
    r"^\s*(?:=|@|#|[+\-]\s*[A-Za-z_(\u3400-\u9fff（]|[+\-][\d.,\s]*(?:[+\-*/^&][\d.,\s]*)*[+\-*/^&]\s*[A-Za-z_(])"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
    r"|<\s*[A-Za-z!/?]|javascript\s*:|[A-Za-z]\w*\s*\|\s*(?:'[^']*'|[^\s'|!]+)\s*!",
    re.IGNORECASE,
)


def _text_fast_path(values: list, s: pd.Series, todo: np.ndarray, problems: list[CellProblem]) -> None:
    """Text cells: one combined regex decides which need the precise (slower) checks."""
    idx = np.flatnonzero(todo)
    cells = s.to_numpy(dtype=object)[idx]
    slow = np.zeros(len(s), dtype=bool)
    search = _ANY_BAD.search
    for i, cell in zip(idx, cells):
        if isinstance(cell, str) and search(cell) is None:
            values[i] = cell.strip().strip(_INVISIBLE).strip()
        else:
            slow[i] = True
    _run(values, s, slow, lambda v: _Parsed(parse_text(v)), problems)


def _column_factor(quantity: str, unit: str | None) -> float | ValueProblem:
    """The factor a bare number of the column is multiplied by (the header's unit)."""
    try:
        return _apply_unit(1.0, "", unit, quantity, "")
    except ValueProblem as error:
        return error


def parse_ratio_column(cells: pd.Series, unit: str | None = None) -> tuple[list, list[CellProblem]]:
    """"85%", "0.85", "85" (> 1 means percent) -> 0.85; a header unit "percent" makes bare numbers percent."""
    return _distinct(_as_object(cells), lambda u: _ratio_cells(u, unit))


def _ratio_cells(s: pd.Series, unit: str | None) -> tuple[list, list[CellProblem]]:
    values: list = [None] * len(s)
    problems: list[CellProblem] = []
    todo = ~empty_mask(s)
    numbers, ok = _numeric_fast_path(s, todo)
    if ok.any():
        ratio = np.where((numbers > 1) | (unit == "percent"), numbers / 100, numbers)
        bad = ok & ((ratio < 0) | (ratio > 1))
        as_list = ratio.tolist()
        for i in np.flatnonzero(ok):
            if bad[i]:
                problems.append(CellProblem(int(i), "ratio_out_of_range", {"value": shorten(_clean_text(s.iat[i]))}))
            else:
                values[i] = as_list[i]
    _run(values, s, todo & ~ok, lambda v: _parse_ratio(v, unit), problems)
    problems.sort(key=lambda p: p.index)
    return values, problems


# --- coordinates and WKT ---------------------------------------------------------------------------

_DMS = re.compile(
    r"^([nsew])?\s*([+-]?\d+(?:\.\d+)?)\s*(?:°|度)\s*(?:(\d+(?:\.\d+)?)\s*(?:′|'|分)\s*)?"
    r"(?:(\d+(?:\.\d+)?)\s*(?:″|\"|秒)\s*)?([nsew])?$"
)
_DECIMAL = re.compile(r"^([nsew]|东经|北纬|西经|南纬)?\s*([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*°?\s*([nsew])?$")
_HEMISPHERE_SIGN = {"n": 1, "e": 1, "s": -1, "w": -1, "东经": 1, "北纬": 1, "西经": -1, "南纬": -1}


def parse_coordinate(value: Any) -> float:
    """A longitude/latitude/x/y cell: decimal ("121.15", "121.15°E", "东经121.15") or degrees-minutes-seconds."""
    if isinstance(value, bool):
        raise ValueProblem("not_a_coordinate", {"value": str(value)})
    if isinstance(value, (int, float, np.integer, np.floating)):
        if not math.isfinite(float(value)):
            raise ValueProblem("not_a_coordinate", {"value": str(value)})
        return float(value)
    raw = _clean_text(value)
    problem = _hygiene(raw)
    if problem:
        raise problem
    t = _norm(raw).replace("，", ",").replace("′′", "″").replace("''", "″").replace("’", "'").replace("”", '"').strip()
    m = _DECIMAL.match(t)
    if m:
        before, number, after = m.groups()
        sign = _HEMISPHERE_SIGN.get(before or after or "n", 1)
        return sign * float(number.replace(",", ""))
    m = _DMS.match(re.sub(r"^(东经|北纬)", "", t))
    if m:
        before, deg, minutes, seconds, after = m.groups()
        degrees = float(deg)
        if (minutes and float(minutes) >= 60) or (seconds and float(seconds) >= 60):
            raise ValueProblem("not_a_coordinate", {"value": shorten(raw)})
        magnitude = abs(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
        sign = (-1 if degrees < 0 else 1) * _HEMISPHERE_SIGN.get(before or after or "n", 1)
        return sign * magnitude
    raise ValueProblem("not_a_coordinate", {"value": shorten(raw)})


def parse_coordinate_column(cells: pd.Series) -> tuple[np.ndarray, list[CellProblem]]:
    """Coordinates as floats (NaN for empty or unreadable cells), and the problems. Ranges are the crs module's."""
    values, problems = _distinct(_as_object(cells), _coordinate_cells)
    return np.array([np.nan if v is None else v for v in values], dtype=float), problems


def _coordinate_cells(s: pd.Series) -> tuple[list, list[CellProblem]]:
    s = _as_object(s)
    todo = ~empty_mask(s)
    numbers, ok = _numeric_fast_path(s, todo)
    out = np.where(ok, numbers, np.nan)
    values: list = [None] * len(s)
    problems: list[CellProblem] = []
    _run(values, s, todo & ~ok, lambda v: _Parsed(parse_coordinate(v)), problems)
    for i in np.flatnonzero(ok):
        values[i] = float(out[i])
    return values, problems


_SRID = re.compile(r"^\s*srid\s*=\s*\d+\s*;\s*", re.IGNORECASE)


def parse_wkt_column(cells: pd.Series) -> tuple[list, list[CellProblem]]:
    """WKT text (EWKT "SRID=…;" prefix allowed) -> shapely geometries (None for empty), and the problems.

    Validity, emptiness and location are the model's checks; here only "is this WKT at all".
    """
    s = _as_object(cells)
    n = len(s)
    todo = ~empty_mask(s)
    out: list = [None] * n
    problems: list[CellProblem] = []
    texts = np.full(n, None, dtype=object)
    for i in np.flatnonzero(todo):
        cell = s.iat[i]
        if isinstance(cell, shapely.Geometry):
            out[i] = cell
            continue
        raw = _clean_text(cell)
        problem = _hygiene(raw)
        if problem:
            problems.append(CellProblem(int(i), problem.key, problem.params))
            continue
        texts[i] = _SRID.sub("", unicodedata.normalize("NFKC", raw))
    have = np.array([t is not None for t in texts], dtype=bool)
    if have.any():
        geoms = shapely.from_wkt(texts[have].astype(str), on_invalid="ignore")
        for i, geom in zip(np.flatnonzero(have), geoms):
            if geom is None:
                problems.append(CellProblem(int(i), "invalid_wkt", {"value": shorten(texts[i])}))
            else:
                out[i] = geom
    problems.sort(key=lambda p: p.index)
    return out, problems


def problem_text(problem: CellProblem, lang: str) -> str:
    """The message of a cell problem in the language."""
    return i18n.t(f"ingest.{problem.key}", lang, **dict(problem.params))
