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
from typing import Any, Collection, Iterable, Mapping

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
    """Pipeline stages from first contact to production, in order (seed 一(三))."""

    FIRST_CONTACT = "first_contact"  # 首次接触
    NEGOTIATING = "negotiating"  # 在谈
    SIGNED = "signed"  # 签约
    REGISTERED = "registered"  # 注册
    APPROVAL = "approval"  # 报批报建
    CONSTRUCTION = "construction"  # 开工
    PRODUCTION = "production"  # 投产


class StageGroup(StrEnum):
    """The three groups districts report every two months (在谈 / 签约 / 落户)."""

    NEGOTIATING = "negotiating"
    SIGNED = "signed"
    SETTLED = "settled"


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
    _num("area_m2", required=True),  # land: parcel area; buildings: floor area
    _num("leasable_m2"),  # leasable or sellable
    _num("vacant_m2"),
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
    FieldSpec("industries", FieldType.LIST, choices=INDUSTRIES),
    FieldSpec("is_public", FieldType.BOOL),
    FieldSpec("contact", FieldType.TEXT),
    FieldSpec("verified_on", FieldType.DATE),
    FieldSpec("source", FieldType.TEXT),
)

PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("code", FieldType.TEXT, required=True, max_length=40),
    FieldSpec("name", FieldType.TEXT, required=True),
    FieldSpec("investor", FieldType.TEXT),
    FieldSpec("investor_country", FieldType.TEXT, max_length=2),
    FieldSpec("category", FieldType.CHOICE, required=True, choices=tuple(Category)),
    FieldSpec("sector", FieldType.CHOICE, choices=INDUSTRIES),
    _num("investment_wan", maximum=1e9),  # in 万 of `currency`
    FieldSpec("currency", FieldType.CHOICE, choices=tuple(FX_TO_CNY)),
    FieldSpec("space_kind", FieldType.CHOICE, choices=tuple(CarrierKind)),
    _num("land_needed_mu", maximum=100_000),
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
    FieldSpec("geometry", FieldType.GEOMETRY),  # where the project is or would be; district seat if empty
)

CARRIER_FIELD = {f.name: f for f in CARRIER_FIELDS}
PROJECT_FIELD = {f.name: f for f in PROJECT_FIELDS}

# What a carrier record holds besides its fields: written by the store, never by an importer.
RECORD_META = ("lon", "lat", "updated_by", "updated_at", "version_id")


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
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return not value
    if isinstance(value, float):
        return math.isnan(value)
    return False


def _check_field(spec: FieldSpec, value: Any, label: str, districts: Collection[str], today: dt.date) -> list[Problem]:
    p = lambda key, **params: [Problem(label, spec.name, key, params)]  # noqa: E731
    t = spec.type
    if t in (FieldType.NUMBER, FieldType.INTEGER):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return p("not_a_number", value=str(value))
        if math.isinf(value):
            return p("not_a_number", value=str(value))
        if t is FieldType.INTEGER and float(value) != int(value):
            return p("not_an_integer", value=value)
        if spec.minimum is not None and value < spec.minimum:
            return p("negative" if spec.minimum == 0 else "too_small", value=value, minimum=spec.minimum)
        if spec.maximum is not None and value > spec.maximum:
            return p("too_large", value=value, maximum=spec.maximum)
    elif t is FieldType.TEXT:
        if not isinstance(value, str):
            return p("not_text", value=str(value))
        if len(value) > spec.max_length:
            return p("too_long", length=len(value), maximum=spec.max_length)
        if spec.district and value not in districts:
            return p("unknown_district", value=value)
        if spec.name == "code" and (value != value.strip() or any(c.isspace() for c in value)):
            return p("code_whitespace", value=value)
    elif t is FieldType.CHOICE:
        if value not in (spec.choices or ()):
            return p("not_a_choice", value=str(value), choices=", ".join(spec.choices or ()))
    elif t is FieldType.LIST:
        items = list(value) if isinstance(value, (list, tuple)) else None
        if items is None:
            return p("not_a_list", value=str(value))
        bad = [str(v) for v in items if v not in (spec.choices or ())]
        if bad:
            return p("not_a_choice", value=", ".join(bad), choices=", ".join(spec.choices or ()))
    elif t is FieldType.BOOL:
        if not isinstance(value, bool):
            return p("not_a_bool", value=str(value))
    elif t is FieldType.DATE:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            return p("not_a_date", value=str(value))
        if value > today + dt.timedelta(days=1) and spec.name in ("verified_on", "reported_on"):
            return p("date_in_future", value=value.isoformat())
    elif t is FieldType.GEOMETRY:
        return _check_geometry(value, label, spec.name)
    return []


def _check_geometry(geom: Any, label: str, name: str) -> list[Problem]:
    from heatmap import geo  # geo loads the outline; imported late to keep model import cheap

    if not isinstance(geom, shapely.Geometry):
        return [Problem(label, name, "not_a_geometry", {"value": str(geom)[:60]})]
    if geom.is_empty:
        return [Problem(label, name, "empty_geometry")]
    if not geom.is_valid:
        return [Problem(label, name, "invalid_geometry", {"reason": shapely.is_valid_reason(geom)})]
    if not geo.near_taicang(geom):
        c = geom.representative_point()
        return [Problem(label, name, "outside_taicang", {"lon": round(c.x, 5), "lat": round(c.y, 5)})]
    return []


def _check_record(
    rec: Mapping[str, Any], specs: Iterable[FieldSpec], label: str, districts: Collection[str], today: dt.date, kind: str | None
) -> list[Problem]:
    problems: list[Problem] = []
    for spec in specs:
        value = rec.get(spec.name)
        if is_missing(value):
            if spec.required:
                problems.append(Problem(label, spec.name, "required"))
            continue
        if kind is not None and kind in ALL_KINDS and kind not in spec.kinds:
            problems.append(Problem(label, spec.name, "not_for_kind", {"kind": kind}))
            continue
        problems += _check_field(spec, value, label, districts, today)
    unknown = sorted(set(rec) - {s.name for s in specs} - set(RECORD_META))
    problems += [Problem(label, name, "unknown_field") for name in unknown]
    return problems


def validate_carrier(rec: Mapping[str, Any], *, districts: Collection[str], today: dt.date | None = None) -> list[Problem]:
    """Every problem with one carrier record; an empty list means it may be stored."""
    today = today or dt.date.today()
    label = str(rec.get("code") or "?")
    kind = rec.get("kind")
    problems = _check_record(rec, CARRIER_FIELDS, label, districts, today, kind if isinstance(kind, str) else None)
    if problems:
        return problems  # the cross-field rules below assume well-typed fields
    area, leasable, vacant = (rec.get(k) for k in ("area_m2", "leasable_m2", "vacant_m2"))
    if not is_missing(leasable) and leasable > area:
        problems.append(Problem(label, "leasable_m2", "leasable_over_area", {"leasable": leasable, "area": area}))
    if not is_missing(vacant):
        if vacant > area:
            problems.append(Problem(label, "vacant_m2", "vacant_over_area", {"vacant": vacant, "area": area}))
        elif not is_missing(leasable) and vacant > leasable:
            problems.append(Problem(label, "vacant_m2", "vacant_over_leasable", {"vacant": vacant, "leasable": leasable}))
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
    problems = _check_record(rec, PROJECT_FIELDS, label, districts, today, None)
    if problems:
        return problems
    if not is_missing(rec.get("investment_wan")) and is_missing(rec.get("currency")):
        problems.append(Problem(label, "currency", "currency_required"))
    geom = rec.get("geometry")
    if not is_missing(geom) and geom.geom_type != "Point":
        problems.append(Problem(label, "geometry", "project_needs_point", {"geom_type": geom.geom_type}))
    return problems


def carrier_defaults(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The record with the documented defaults for fields left empty (public unless said otherwise)."""
    out = dict(rec)
    if is_missing(out.get("is_public")):
        out["is_public"] = True
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
