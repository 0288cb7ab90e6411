"""What the user selected on the map: filters for carriers and projects, and their form in the URL.

A filter left empty selects everything. Range filters on a kind's own attribute (rent for buildings,
land price for land) apply only to carriers of the kinds that have it; a carrier of such a kind with no
value is left out once a range is set (an unknown rent is not in any range, and neither is a negotiable
one, 面议: its price is not known until it is negotiated).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Mapping

import pandas as pd

from heatmap.model import GRADES, INDUSTRIES, CarrierKind, CarrierStatus, Stage
from heatmap.pipeline import reports as rp

Range = tuple[float | None, float | None]


@dataclass(frozen=True)
class Filters:
    districts: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    vacancy_pct: Range = (None, None)  # vacant ÷ leasable, in percent
    area_m2: Range = (None, None)
    rent_cny_m2_month: Range = (None, None)  # buildings only
    land_price_wan_mu: Range = (None, None)  # land only
    verified_within_days: int | None = None
    stages: tuple[str, ...] = ()  # projects
    grades: tuple[str, ...] = ()  # projects; "none" selects ungraded ones
    period: str | None = None  # a reporting period's key ("2026-5"): the pipeline as reported for it; None: now

    @property
    def is_default(self) -> bool:
        return self == Filters()


BUILDING_KINDS = (CarrierKind.PLANT.value, CarrierKind.OFFICE.value, CarrierKind.OTHER.value)
UNGRADED = "none"


def vacancy_percent(carriers: pd.DataFrame) -> pd.Series:
    """Each carrier's vacant share of its leasable area (its area where no leasable area is given)."""
    base = carriers["leasable_m2"].fillna(carriers["area_m2"])
    return (carriers["vacant_m2"].fillna(0.0) / base.where(base > 0)) * 100


def carrier_price(carriers: pd.DataFrame) -> pd.Series:
    """Each carrier's own price: the land price (万元/亩) for land, the rent (元/㎡/月) for buildings."""
    return carriers["land_price_wan_mu"].where(carriers["kind"] == CarrierKind.LAND.value, carriers["rent_cny_m2_month"])


def price_negotiable(carriers: pd.DataFrame) -> pd.Series:
    """True where a carrier's price is negotiable (面议): it has no number, so no price range or average holds it."""
    if "price_negotiable" not in carriers:
        return pd.Series(False, index=carriers.index)
    return carriers["price_negotiable"].eq(True)


def verified_age_days(carriers: pd.DataFrame, today: dt.date) -> pd.Series:
    """Days since each carrier was last verified (NaN where it never was)."""
    verified = pd.to_datetime(carriers["verified_on"], errors="coerce")
    return (pd.Timestamp(today) - verified).dt.days


def _in_range(values: pd.Series, bounds: Range) -> pd.Series:
    low, high = bounds
    keep = pd.Series(True, index=values.index)
    if low is not None:
        keep &= values >= low
    if high is not None:
        keep &= values <= high
    return keep.fillna(False)


def _range_on_kinds(carriers: pd.DataFrame, column: str, bounds: Range, kinds) -> pd.Series:
    if bounds == (None, None):
        return pd.Series(True, index=carriers.index)
    applies = carriers["kind"].isin(kinds)
    return ~applies | _in_range(carriers[column], bounds)


def _has_any(lists: pd.Series, wanted: tuple[str, ...]) -> pd.Series:
    wanted_set = set(wanted)
    return lists.map(lambda values: bool(wanted_set.intersection(values or ())))


def filter_carriers(carriers: pd.DataFrame, f: Filters, today: dt.date) -> pd.DataFrame:
    keep = pd.Series(True, index=carriers.index)
    if f.districts:
        keep &= carriers["district"].isin(f.districts)
    if f.kinds:
        keep &= carriers["kind"].isin(f.kinds)
    if f.statuses:
        keep &= carriers["status"].isin(f.statuses)
    if f.industries:
        keep &= _has_any(carriers["industries"], f.industries)
    if f.vacancy_pct != (None, None):
        keep &= _in_range(vacancy_percent(carriers), f.vacancy_pct)
    if f.area_m2 != (None, None):
        keep &= _in_range(carriers["area_m2"], f.area_m2)
    keep &= _range_on_kinds(carriers, "rent_cny_m2_month", f.rent_cny_m2_month, BUILDING_KINDS)
    keep &= _range_on_kinds(carriers, "land_price_wan_mu", f.land_price_wan_mu, (CarrierKind.LAND.value,))
    if f.verified_within_days is not None:
        keep &= _in_range(verified_age_days(carriers, today), (None, f.verified_within_days))
    return carriers[keep]


def filter_projects(projects: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Projects of the selected districts, industries, stages and grades."""
    keep = pd.Series(True, index=projects.index)
    if f.districts:
        keep &= projects["district"].isin(f.districts)
    if f.industries:
        keep &= projects["sector"].isin(f.industries)
    if f.stages:
        keep &= projects["stage"].isin(f.stages)
    if f.grades:
        graded = projects["grade"].isin(f.grades)
        if UNGRADED in f.grades:
            graded |= projects["grade"].isna()
        keep &= graded
    return projects[keep]


# --- the URL form: short keys, comma lists, "low~high" ranges ------------------------------------

_LIST_KEYS = {
    "districts": ("d", None),
    "kinds": ("k", tuple(CarrierKind)),
    "statuses": ("s", tuple(CarrierStatus)),
    "industries": ("ind", INDUSTRIES),
    "stages": ("stg", tuple(Stage)),
    "grades": ("grd", GRADES + (UNGRADED,)),
}
_RANGE_KEYS = {"vacancy_pct": "vac", "area_m2": "area", "rent_cny_m2_month": "rent", "land_price_wan_mu": "lp"}
QUERY_KEYS = tuple(k for k, _ in _LIST_KEYS.values()) + tuple(_RANGE_KEYS.values()) + ("age", "per")
# The pipeline's filters (stages, grades, reporting period): for those who may read the pipeline. A link
# holding them that a public viewer opens keeps them (signing in then applies them) and says so.
PIPELINE_QUERY_KEYS = ("stg", "grd", "per")
PUBLIC_QUERY_KEYS = tuple(k for k in QUERY_KEYS if k not in PIPELINE_QUERY_KEYS)


def pipeline_query(params: Mapping[str, str]) -> tuple[str, ...]:
    """The pipeline parameters a link holds (keys of PIPELINE_QUERY_KEYS with a value), understood or not."""
    return tuple(key for key in PIPELINE_QUERY_KEYS if params.get(key))


def _fmt_number(value: float) -> str:
    return f"{value:g}"


def to_query(f: Filters) -> dict[str, str]:
    """The filters as URL query parameters (only those that differ from the default)."""
    out: dict[str, str] = {}
    for name, (key, _) in _LIST_KEYS.items():
        values = getattr(f, name)
        if values:
            out[key] = ",".join(values)
    for name, key in _RANGE_KEYS.items():
        low, high = getattr(f, name)
        if (low, high) != (None, None):
            out[key] = f"{'' if low is None else _fmt_number(low)}~{'' if high is None else _fmt_number(high)}"
    if f.verified_within_days is not None:
        out["age"] = str(f.verified_within_days)
    if f.period is not None:
        out["per"] = f.period
    return out


def _parse_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def from_query(params: Mapping[str, str], known_districts=None) -> Filters:
    """Filters from URL parameters; values that are not understood are ignored, never an error."""
    values: dict = {}
    for name, (key, allowed) in _LIST_KEYS.items():
        raw = params.get(key)
        if not raw:
            continue
        choices = known_districts if name == "districts" else allowed
        items = [v for v in dict.fromkeys(raw.split(",")) if v and (choices is None or v in choices)]
        values[name] = tuple(items)
    for name, key in _RANGE_KEYS.items():
        raw = params.get(key)
        if raw and "~" in raw:
            low, high = (_parse_number(part) if part else None for part in raw.split("~", 1))
            values[name] = (low, high)
    age = params.get("age")
    if age and age.isdigit():
        values["verified_within_days"] = int(age)
    period = _period_key(params.get("per"))
    if period:
        values["period"] = period
    return replace(Filters(), **values)


def _period_key(text: str | None) -> str | None:
    """A reporting period's key from the URL: a key ("2026-5"), or a day as older links hold it
    ("2026-08-31": the period it falls in); None for anything else."""
    if not text:
        return None
    try:
        return rp.period_from_key(text).key
    except ValueError:
        pass
    try:
        return rp.period_of(dt.date.fromisoformat(text)).key
    except ValueError:
        return None

