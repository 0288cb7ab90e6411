"""The entities of the heat map (carrier, project, district), their vocabularies, and the rules a valid record obeys.

Records travel as plain dicts keyed by the field names below; geometry is a shapely object in WGS-84.
Validation returns every problem it finds (never fixes a value silently); the store refuses a change
that has any error, so nothing half-valid is written.
"""
from __future__ import annotations

import datetime as dt
import math
import numbers
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Callable, Collection, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import shapely

# 1 亩 = 10000/15 m²: the legal definition, used for every land-area conversion.
M2_PER_MU = 10000 / 15
DAYS_PER_MONTH = 365 / 12  # rents quoted per day are converted to per month with this


class CarrierKind(StrEnum):
    LAND = "land"  # 产业用地
    PLANT = "plant"  # 厂房
    OFFICE = "office"  # 商务楼宇
    OTHER = "other"  # 其他存量资源 (warehouses, incubators …)


class CarrierStatus(StrEnum):
    AVAILABLE = "available"  # 可租售
    PARTIAL = "partial"  # 部分可用
    RESERVED = "reserved"  # 意向锁定
    OCCUPIED = "occupied"  # 已满 / 已出让
    PLANNED = "planned"  # 在建 / 规划


class Stage(StrEnum):
    """Pipeline stages from first contact to production, in order (seed 一(三)), then the two states
    outside that order: on hold and dropped (each recorded with a reason, see heatmap.pipeline.projects)."""

    FIRST_CONTACT = "first_contact"  # 首次接触
    NEGOTIATING = "negotiating"  # 在谈
    SIGNED = "signed"  # 签约
    REGISTERED = "registered"  # 注册
    APPROVAL = "approval"  # 报批报建
    CONSTRUCTION = "construction"  # 开工
    PRODUCTION = "production"  # 投产
    ON_HOLD = "on_hold"  # 搁置: paused; resuming returns it to the stage it had before
    DROPPED = "dropped"  # 放弃


class StageGroup(StrEnum):
    """The three groups districts report every two months (在谈 / 签约 / 落户)."""

    NEGOTIATING = "negotiating"
    SIGNED = "signed"
    SETTLED = "settled"


# On hold and dropped belong to no reporting group (STAGE_GROUP.get(stage) is None): the 在谈 / 签约 /
# 落户 counts leave them out, since such a project is at that moment neither negotiated, signed nor
# settling; reports count them in columns of their own (搁置 / 放弃).
STAGE_GROUP = {
    Stage.FIRST_CONTACT: StageGroup.NEGOTIATING,
    Stage.NEGOTIATING: StageGroup.NEGOTIATING,
    Stage.SIGNED: StageGroup.SIGNED,
    Stage.REGISTERED: StageGroup.SETTLED,
    Stage.APPROVAL: StageGroup.SETTLED,
    Stage.CONSTRUCTION: StageGroup.SETTLED,
    Stage.PRODUCTION: StageGroup.SETTLED,
}


class Category(StrEnum):
    """Industry categories with their own scoring standards (seed 二(二))."""

    MANUFACTURING = "manufacturing"  # 制造业
    TRADE_LOGISTICS = "trade_logistics"  # 物贸
    RND = "rnd"  # 研发
    OTHER = "other"


class DistrictKind(StrEnum):
    TOWN = "town"  # 镇
    SUBDISTRICT = "subdistrict"  # 街道
    ZONE = "zone"  # 开发区 / 园区


class OfficeGrade(StrEnum):
    A = "A"  # 甲级
    B = "B"  # 乙级
    C = "C"  # 丙级


# Seven grades from "A+" to "F" (seed 二(二)), best first.
GRADES = ("A+", "A", "B", "C", "D", "E", "F")

# Industries Taicang courts; shared by carriers (suitable for) and projects (sector).
INDUSTRIES = (
    "precision_machinery",
    "auto_parts",
    "aerospace",
    "new_materials",
    "biomedicine",
    "port_logistics",
    "electronics",
    "digital_services",
    "headquarters",
    "rnd_services",
)

# Reference rates (CNY per unit) for totals only; every project keeps its own currency.
FX_TO_CNY = {"CNY": 1.0, "USD": 7.1, "EUR": 7.8, "JPY": 0.048, "KRW": 0.0052, "HKD": 0.91, "GBP": 9.0}


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    INTEGER = "integer"
    DATE = "date"
    BOOL = "bool"
    CHOICE = "choice"
    LIST = "list"  # several choices, stored comma-separated
    GEOMETRY = "geometry"


ALL_KINDS = frozenset(CarrierKind)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record: its type, canonical unit (in the name too), bounds and where it applies."""

    name: str
    type: FieldType
    required: bool = False
    kinds: frozenset = ALL_KINDS  # carrier kinds the field applies to
    choices: tuple[str, ...] | None = None  # None for DISTRICT fields: districts are data
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = 200
    district: bool = False  # value must name a known district


# Taicang's own area (about 810 km²): no parcel, building or need for space is larger. It bounds every area.
CITY_AREA_M2 = 810_000_000


def _num(name, kinds=ALL_KINDS, required=False, maximum=None):
    return FieldSpec(name, FieldType.NUMBER, required=required, kinds=kinds, minimum=0, maximum=maximum)


BUILDINGS = frozenset({CarrierKind.PLANT, CarrierKind.OFFICE, CarrierKind.OTHER})
LAND_ONLY = frozenset({CarrierKind.LAND})
PLANT_LIKE = frozenset({CarrierKind.PLANT, CarrierKind.OTHER})
OFFICE_ONLY = frozenset({CarrierKind.OFFICE})

CARRIER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("code", FieldType.TEXT, required=True, max_length=40),
    FieldSpec("kind", FieldType.CHOICE, required=True, choices=tuple(CarrierKind)),
    FieldSpec("name", FieldType.TEXT, required=True),
    FieldSpec("name_en", FieldType.TEXT),
    FieldSpec("district", FieldType.TEXT, required=True, district=True),
    FieldSpec("address", FieldType.TEXT),
    FieldSpec("geometry", FieldType.GEOMETRY, required=True),
    _num("area_m2", required=True, maximum=CITY_AREA_M2),  # land: parcel area; buildings: floor area
    _num("leasable_m2", maximum=CITY_AREA_M2),  # leasable or sellable
    _num("vacant_m2", maximum=CITY_AREA_M2),
    FieldSpec("status", FieldType.CHOICE, required=True, choices=tuple(CarrierStatus)),
    _num("rent_cny_m2_month", BUILDINGS, maximum=10_000),
    _num("land_price_wan_mu", LAND_ONLY, maximum=100_000),
    FieldSpec("land_use_code", FieldType.TEXT, kinds=LAND_ONLY, max_length=20),
    _num("plot_ratio", LAND_ONLY, maximum=20),
    FieldSpec("floors", FieldType.INTEGER, kinds=BUILDINGS, minimum=1, maximum=200),
    _num("clear_height_m", PLANT_LIKE, maximum=60),
    _num("floor_load_kn_m2", PLANT_LIKE, maximum=1000),
    _num("crane_t", PLANT_LIKE, maximum=1000),
    _num("power_kva", PLANT_LIKE, maximum=1_000_000),
    FieldSpec("office_grade", FieldType.CHOICE, kinds=OFFICE_ONLY, choices=tuple(OfficeGrade)),
    _num("property_fee_cny_m2_month", OFFICE_ONLY, maximum=1000),
    FieldSpec("price_negotiable", FieldType.BOOL),  # 面议: the price (rent; land price for land) is negotiable, its number empty
    FieldSpec("industries", FieldType.LIST, choices=INDUSTRIES),
    FieldSpec("is_public", FieldType.BOOL),
    FieldSpec("contact", FieldType.TEXT),
    FieldSpec("verified_on", FieldType.DATE),
    FieldSpec("source", FieldType.TEXT),
)

PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("code", FieldType.TEXT, required=True, max_length=40),
    FieldSpec("code_name", FieldType.TEXT, max_length=40),  # 代号: what shared surfaces show instead of the name
    FieldSpec("name", FieldType.TEXT, required=True),
    FieldSpec("investor", FieldType.TEXT),
    FieldSpec("investor_country", FieldType.TEXT, max_length=2),
    FieldSpec("credit_code", FieldType.TEXT, max_length=18),  # the investor's 统一社会信用代码, where known
    FieldSpec("category", FieldType.CHOICE, required=True, choices=tuple(Category)),
    FieldSpec("sector", FieldType.CHOICE, choices=INDUSTRIES),
    _num("investment_wan", maximum=1e9),  # in 万 of `currency`
    FieldSpec("currency", FieldType.CHOICE, choices=tuple(FX_TO_CNY)),
    FieldSpec("space_kind", FieldType.CHOICE, choices=tuple(CarrierKind)),
    _num("land_needed_mu", maximum=100_000),  # 100,000 亩 = 67 km²
    _num("floor_area_needed_m2", maximum=10_000_000),
    _num("clear_height_needed_m", maximum=60),
    _num("floor_load_needed_kn_m2", maximum=1000),
    _num("crane_needed_t", maximum=1000),
    _num("power_needed_kva", maximum=1_000_000),
    FieldSpec("tech_needs", FieldType.TEXT, max_length=2000),
    FieldSpec("stage", FieldType.CHOICE, required=True, choices=tuple(Stage)),
    FieldSpec("district", FieldType.TEXT, required=True, district=True),
    FieldSpec("origin_district", FieldType.TEXT, district=True),  # 首谈地
    FieldSpec("reported_by", FieldType.TEXT),  # who reported it first (信息首报)
    FieldSpec("reported_on", FieldType.DATE),
    FieldSpec("carrier_code", FieldType.TEXT, max_length=40),  # linked carrier once settled
    FieldSpec("grade", FieldType.CHOICE, choices=GRADES),
    FieldSpec("is_confidential", FieldType.BOOL),
    FieldSpec("wanted_by", FieldType.DATE),
    # Facts of the valid-lead test (有效项目信息, pipeline.reports): an investment plan, business plan or
    # feasibility study is at hand; there was a visit with decision-level talks or negotiated terms. Blank: not known.
    FieldSpec("has_feasibility_study", FieldType.BOOL),
    FieldSpec("decision_level_visit", FieldType.BOOL),
    FieldSpec("is_technical_upgrade", FieldType.BOOL),  # 技改 / 升级 of an existing plant (qualifies below the amount)
    # The fixed-asset investment actually formed once settled, in 万 of `currency` (the first-report award's basis).
    _num("actual_investment_wan", maximum=1e9),
    # The project asks for city-level fiscal support (市级财政优惠), and how much, in 万元 CNY: graded B or better,
    # it goes to the leading group's queue (会商, seed 二(二)).
    FieldSpec("city_support_requested", FieldType.BOOL),
    _num("city_support_wan", maximum=1e9),
    FieldSpec("geometry", FieldType.GEOMETRY),  # where the project is or would be; district seat if empty
)

CARRIER_FIELD = {f.name: f for f in CARRIER_FIELDS}
PROJECT_FIELD = {f.name: f for f in PROJECT_FIELDS}
# Project fields no file sets: the grade is proposed by the district and confirmed by the office on the
# grading page (项目评价) only, so an uploaded list keeps the stored grade and a template has no column for it.
PROJECT_FIELDS_NOT_UPLOADED = frozenset({"grade"})

# What a carrier record holds besides its fields: written by the store, never by an importer.
RECORD_META = ("lon", "lat", "updated_by", "updated_at", "version_id")


def price_field(kind: str | None) -> str:
    """The field holding a carrier kind's price: the land price for land, the rent for buildings."""
    return "land_price_wan_mu" if kind == CarrierKind.LAND else "rent_cny_m2_month"


def mu_to_m2(mu: float) -> float:
    return mu * M2_PER_MU


def m2_to_mu(m2: float) -> float:
    return m2 / M2_PER_MU


def investment_cny_wan(amount_wan: float | None, currency: str | None) -> float:
    """A project's investment in 万元 CNY at the reference rate (0 when unknown)."""
    if is_missing(amount_wan):
        return 0.0
    return float(amount_wan) * FX_TO_CNY.get(currency or "CNY", 1.0)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: which record, which field, what (an i18n key with params)."""

    record: str
    field: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: str = "error"  # "error" blocks a change; "warning" does not


class ValidationError(Exception):
    """A change was refused; nothing was written. `problems` says what and where."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        super().__init__(
            f"{len(self.problems)} problem(s); first: {first.record}.{first.field}: {first.key} {dict(first.params)}"
            if first
            else "invalid"
        )


def is_missing(value: Any) -> bool:
    """Empty in any of the ways data arrives: None, NaN, NA/NaT, blank text, an empty list."""
    # Exact-type tests first: uploads call this millions of times, nearly always with str, float or None.
    if value is None:
        return True
    kind = type(value)
    if kind is str:
        return not value or value.isspace()
    if kind is float:
        return value != value
    if kind is int or kind is bool:
        return False
    if value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return not value
    if isinstance(value, float):
        return math.isnan(value)
    return False


def _check_field(spec: FieldSpec, value: Any, label: str, districts: Collection[str], today: dt.date) -> list[Problem]:
    if spec.type is FieldType.GEOMETRY:
        return _check_geometry(value, label, spec.name)
    found = _FIELD_RULES[spec.type](spec, value, districts, today)
    return [] if found is None else [Problem(label, spec.name, found[0], found[1])]


# Each rule returns None for a good value, else (problem key, params). They see only present values.
_Found = tuple[str, dict[str, Any]] | None


def _number_rule(spec: FieldSpec, value: Any, districts: Collection[str], today: dt.date) -> _Found:
    kind = type(value)
    if kind is not float and kind is not int:  # exact types first: the common case costs no isinstance
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return "not_a_number", {"value": str(value)}
    if math.isinf(value):
        return "not_a_number", {"value": str(value)}
    if spec.type is FieldType.INTEGER and float(value) != int(value):
        return "not_an_integer", {"value": value}
    if spec.minimum is not None and value < spec.minimum:
        return ("negative" if spec.minimum == 0 else "too_small"), {"value": value, "minimum": spec.minimum}
    if spec.maximum is not None and value > spec.maximum:
        return "too_large", {"value": value, "maximum": spec.maximum}
    return None


def _text_rule(spec: FieldSpec, value: Any, districts: Collection[str], today: dt.date) -> _Found:
    if not isinstance(value, str):
        return "not_text", {"value": str(value)}
    if len(value) > spec.max_length:
        return "too_long", {"length": len(value), "maximum": spec.max_length}
    if spec.district and value not in districts:
        return "unknown_district", {"value": value}
    if spec.name == "code" and value.split() != [value]:  # any whitespace, leading, trailing or inside
        return "code_whitespace", {"value": value}
    return None


def _choice_rule(spec: FieldSpec, value: Any, districts: Collection[str], today: dt.date) -> _Found:
    if value not in (spec.choices or ()):
        return "not_a_choice", {"value": str(value), "choices": ", ".join(spec.choices or ())}
    return None


def _list_rule(spec: FieldSpec, value: Any, districts: Collection[str], today: dt.date) -> _Found:
    if not isinstance(value, (list, tuple)):
        return "not_a_list", {"value": str(value)}
    bad = [str(v) for v in value if v not in (spec.choices or ())]
    if bad:
        return "not_a_choice", {"value": ", ".join(bad), "choices": ", ".join(spec.choices or ())}
    return None


def _bool_rule(spec: FieldSpec, value: Any, districts: Collection[str], today: dt.date) -> _Found:
    return None if isinstance(value, bool) else ("not_a_bool", {"value": str(value)})


def _date_rule(spec: FieldSpec, value: Any, districts: Collection[str], today: dt.date) -> _Found:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return "not_a_date", {"value": str(value)}
    if value > today + dt.timedelta(days=1) and spec.name in ("verified_on", "reported_on"):
        return "date_in_future", {"value": value.isoformat()}
    return None


_FIELD_RULES: dict[FieldType, Callable[[FieldSpec, Any, Collection[str], dt.date], _Found]] = {
    FieldType.NUMBER: _number_rule,
    FieldType.INTEGER: _number_rule,
    FieldType.TEXT: _text_rule,
    FieldType.CHOICE: _choice_rule,
    FieldType.LIST: _list_rule,
    FieldType.BOOL: _bool_rule,
    FieldType.DATE: _date_rule,
}


# The most vertices one geometry may have. A surveyed parcel has tens to a few thousand; a million-vertex
# polygon is a hostile or broken file that would cost memory and time in every check, the history and the
# map. Such a geometry is refused, not simplified: a parcel's boundary is a surveyed fact, and simplifying
# it here would change its area and shape where nobody checks; the GIS that made it can simplify it visibly.
MAX_VERTICES = 100_000


def _check_geometry(geom: Any, label: str, name: str) -> list[Problem]:
    from heatmap import geo  # geo loads the outline; imported late to keep model import cheap

    if not isinstance(geom, shapely.Geometry):
        return [Problem(label, name, "not_a_geometry", {"value": str(geom)[:60]})]
    vertices = shapely.get_num_coordinates(geom)
    if vertices > MAX_VERTICES:  # before the validity check, which would take long on it
        return [Problem(label, name, "too_many_vertices", {"vertices": f"{vertices:,}", "limit": f"{MAX_VERTICES:,}"})]
    if geom.is_empty:
        return [Problem(label, name, "empty_geometry")]
    if not geom.is_valid:
        return [Problem(label, name, "invalid_geometry", {"reason": shapely.is_valid_reason(geom)})]
    if not geo.near_taicang(geom):
        c = geom.representative_point()
        return [Problem(label, name, "outside_taicang", {"lon": round(c.x, 5), "lat": round(c.y, 5)})]
    return []


def _check_record(
    rec: Mapping[str, Any], specs: Iterable[FieldSpec], known: frozenset[str], label: str, districts: Collection[str],
    today: dt.date, kind: str | None,
) -> list[Problem]:
    problems: list[Problem] = []
    kind_known = kind is not None and kind in ALL_KINDS
    for spec in specs:
        value = rec.get(spec.name)
        if is_missing(value):
            if spec.required:
                problems.append(Problem(label, spec.name, "required"))
            continue
        if kind_known and kind not in spec.kinds:
            problems.append(Problem(label, spec.name, "not_for_kind", {"kind": kind}))
            continue
        problems += _check_field(spec, value, label, districts, today)
    if not rec.keys() <= known:
        problems += [Problem(label, name, "unknown_field") for name in sorted(set(rec) - known)]
    return problems


def _known_names(specs: Iterable[FieldSpec]) -> frozenset[str]:
    """The keys a record may hold: its fields and what the store adds."""
    return frozenset(s.name for s in specs) | frozenset(RECORD_META)


_CARRIER_KNOWN = _known_names(CARRIER_FIELDS)
_PROJECT_KNOWN = _known_names(PROJECT_FIELDS)


def validate_carrier(rec: Mapping[str, Any], *, districts: Collection[str], today: dt.date | None = None) -> list[Problem]:
    """Every problem with one carrier record; an empty list means it may be stored."""
    today = today or dt.date.today()
    label = str(rec.get("code") or "?")
    kind = rec.get("kind")
    problems = _check_record(rec, CARRIER_FIELDS, _CARRIER_KNOWN, label, districts, today, kind if isinstance(kind, str) else None)
    if problems:
        return problems  # the cross-field rules below assume well-typed fields
    return _carrier_rules(rec, label)


def _carrier_rules(rec: Mapping[str, Any], label: str) -> list[Problem]:
    """The rules across a carrier's fields, for a record whose fields are each well formed."""
    problems = []
    kind = rec.get("kind")
    area, leasable, vacant = (rec.get(k) for k in ("area_m2", "leasable_m2", "vacant_m2"))
    if not is_missing(leasable) and leasable > area:
        problems.append(Problem(label, "leasable_m2", "leasable_over_area", {"leasable": leasable, "area": area}))
    if not is_missing(vacant):
        if vacant > area:
            problems.append(Problem(label, "vacant_m2", "vacant_over_area", {"vacant": vacant, "area": area}))
        elif not is_missing(leasable) and vacant > leasable:
            problems.append(Problem(label, "vacant_m2", "vacant_over_leasable", {"vacant": vacant, "leasable": leasable}))
    if rec.get("price_negotiable") is True and not is_missing(rec.get(price_field(kind))):
        name = price_field(kind)
        problems.append(Problem(label, name, "negotiable_with_price", {"value": rec[name]}))
    geom = rec["geometry"]
    if kind == CarrierKind.LAND and geom.geom_type not in ("Polygon", "MultiPolygon"):
        problems.append(Problem(label, "geometry", "land_needs_polygon", {"geom_type": geom.geom_type}))
    if kind != CarrierKind.LAND and geom.geom_type not in ("Point", "Polygon", "MultiPolygon"):
        problems.append(Problem(label, "geometry", "building_geometry_type", {"geom_type": geom.geom_type}))
    return problems


def validate_project(rec: Mapping[str, Any], *, districts: Collection[str], today: dt.date | None = None) -> list[Problem]:
    """Every problem with one project record; an empty list means it may be stored."""
    today = today or dt.date.today()
    label = str(rec.get("code") or "?")
    problems = _check_record(rec, PROJECT_FIELDS, _PROJECT_KNOWN, label, districts, today, None)
    if problems:
        return problems
    return _project_rules(rec, label)


def _project_rules(rec: Mapping[str, Any], label: str) -> list[Problem]:
    """The rules across a project's fields, for a record whose fields are each well formed."""
    problems = []
    if not is_missing(rec.get("investment_wan")) and is_missing(rec.get("currency")):
        problems.append(Problem(label, "currency", "currency_required"))
    geom = rec.get("geometry")
    if not is_missing(geom) and geom.geom_type != "Point":
        problems.append(Problem(label, "geometry", "project_needs_point", {"geom_type": geom.geom_type}))
    return problems


# --- many records at once ---------------------------------------------------------------------------
# An upload checks 100k records, and the store checks them again when it writes. One record at a time
# that is tens of microseconds each; column by column, in tight comprehensions, a first pass finds the
# records whose every value plainly obeys its field's rule. Only the others go through the checks above,
# so the problems found are exactly the one-record functions' own.


def validate_carriers(records: Sequence[Mapping[str, Any]], *, districts: Collection[str], today: dt.date | None = None) -> list[list[Problem]]:
    """`validate_carrier` for each record (the same problems, in the same order), many times faster."""
    return _validate_many(records, CARRIER_FIELDS, _CARRIER_KNOWN, validate_carrier, _carrier_rules, districts, today, with_kinds=True)


def validate_projects(records: Sequence[Mapping[str, Any]], *, districts: Collection[str], today: dt.date | None = None) -> list[list[Problem]]:
    """`validate_project` for each record (the same problems, in the same order), many times faster."""
    return _validate_many(records, PROJECT_FIELDS, _PROJECT_KNOWN, validate_project, _project_rules, districts, today, with_kinds=False)


def _validate_many(records, specs, known, validate_one, cross_field_rules, districts, today, *, with_kinds: bool) -> list[list[Problem]]:
    today = today or dt.date.today()
    plain = _plain_records(records, specs, known, districts, today, with_kinds=with_kinds)
    return [
        cross_field_rules(rec, str(rec.get("code") or "?")) if ok else validate_one(rec, districts=districts, today=today)
        for rec, ok in zip(records, plain)
    ]


def _plain_records(
    records: Sequence[Mapping[str, Any]], specs: Iterable[FieldSpec], known: frozenset[str], districts: Collection[str],
    today: dt.date, with_kinds: bool,
) -> list[bool]:
    """For each record, True when `_check_record` would certainly find nothing. It may say False of a
    good record (an unusual but valid value type): that record is then checked value by value."""
    n = len(records)
    plain = [rec.keys() <= known for rec in records]
    kinds = [rec.get("kind") for rec in records] if with_kinds else None
    districts = frozenset(districts)
    for spec in specs:
        column = [rec.get(spec.name) for rec in records]
        if column.count(None) == n:
            if spec.required:
                return [False] * n
            continue
        good = _PLAIN_VALUES[spec.type](spec, column, districts, today)
        if not spec.required:
            good = [g or v is None for g, v in zip(good, column)]
        if kinds is not None and spec.kinds != ALL_KINDS:
            good = [g and (v is None or (isinstance(k, str) and k in spec.kinds)) for g, v, k in zip(good, column, kinds)]
        plain = [p and g for p, g in zip(plain, good)]
    return plain


_INF = math.inf
_EXACT_INTEGER = 2**53  # beyond it, float(value) != int(value) can hold for an integer


def _plain_numbers(spec: FieldSpec, column: list, districts: frozenset[str], today: dt.date) -> list[bool]:
    lo = -_INF if spec.minimum is None else spec.minimum
    hi = _INF if spec.maximum is None else spec.maximum
    if spec.type is FieldType.INTEGER:
        return [type(v) is int and lo <= v <= hi and -_EXACT_INTEGER < v < _EXACT_INTEGER for v in column]
    return [(type(v) is float or type(v) is int) and -_INF < v < _INF and lo <= v <= hi for v in column]


def _plain_texts(spec: FieldSpec, column: list, districts: frozenset[str], today: dt.date) -> list[bool]:
    limit = spec.max_length
    good = [type(v) is str and 0 < len(v) <= limit and not v.isspace() for v in column]
    if spec.district:
        good = [g and v in districts for g, v in zip(good, column)]
    if spec.name == "code":
        good = [g and v.split() == [v] for g, v in zip(good, column)]
    return good


def _choice_set(spec: FieldSpec) -> frozenset[str]:
    return frozenset(spec.choices or ())


def _plain_choices(spec: FieldSpec, column: list, districts: frozenset[str], today: dt.date) -> list[bool]:
    choices = _choice_set(spec)
    return [isinstance(v, str) and v in choices for v in column]


def _plain_lists(spec: FieldSpec, column: list, districts: frozenset[str], today: dt.date) -> list[bool]:
    choices = _choice_set(spec)
    least = 1 if spec.required else 0  # an empty list is missing: fine unless the field is required
    return [(type(v) is list or type(v) is tuple) and len(v) >= least and all(isinstance(x, str) and x in choices for x in v)
            for v in column]


def _plain_bools(spec: FieldSpec, column: list, districts: frozenset[str], today: dt.date) -> list[bool]:
    return [type(v) is bool for v in column]


def _plain_dates(spec: FieldSpec, column: list, districts: frozenset[str], today: dt.date) -> list[bool]:
    if spec.name in ("verified_on", "reported_on"):
        latest = today + dt.timedelta(days=1)
        return [type(v) is dt.date and v <= latest for v in column]
    return [type(v) is dt.date for v in column]


def _plain_geometries(spec: FieldSpec, column: list, districts: frozenset[str], today: dt.date) -> list[bool]:
    from heatmap import geo  # as in _check_geometry

    shapes = np.fromiter(column, dtype=object, count=len(column))
    good = shapely.is_geometry(shapes)
    good[good] = shapely.get_num_coordinates(shapes[good]) <= MAX_VERTICES
    present = shapes[good]
    good[good] = ~shapely.is_empty(present) & shapely.is_valid(present)
    good[good] = geo.near_taicang_many(shapes[good])
    return good.tolist()


_PLAIN_VALUES: dict[FieldType, Callable[[FieldSpec, list, frozenset[str], dt.date], list[bool]]] = {
    FieldType.NUMBER: _plain_numbers,
    FieldType.INTEGER: _plain_numbers,
    FieldType.TEXT: _plain_texts,
    FieldType.CHOICE: _plain_choices,
    FieldType.LIST: _plain_lists,
    FieldType.BOOL: _plain_bools,
    FieldType.DATE: _plain_dates,
    FieldType.GEOMETRY: _plain_geometries,
}


def carrier_defaults(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The record with the documented defaults for fields left empty (public unless said otherwise, the
    price not negotiable unless said so)."""
    out = dict(rec)
    if is_missing(out.get("is_public")):
        out["is_public"] = True
    if is_missing(out.get("price_negotiable")):
        out["price_negotiable"] = False
    if is_missing(out.get("industries")):
        out["industries"] = []
    return out


def project_defaults(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The record with the documented defaults: confidential unless said otherwise, CNY by default."""
    out = dict(rec)
    if is_missing(out.get("is_confidential")):
        out["is_confidential"] = True
    if is_missing(out.get("currency")) and not is_missing(out.get("investment_wan")):
        out["currency"] = "CNY"
    return out
