"""Point-to-point matching (点对点精准对接): a project's needs against every available carrier.

How a candidate is judged — the one place where the rules and weights live (the page shows them):
- Hard needs filter. A carrier that misses one is not eligible and ranks below every eligible one:
  the kind of space, space actually on offer, enough vacant area (亩 for land, m² for buildings), and
  for buildings the structural needs that cannot be changed later: clear height, floor load, crane.
  An attribute the record does not give counts as missed (it cannot be promised to an investor).
- Soft criteria score, from 0 to 100 in all (WEIGHTS): how well the size fits, the price against the
  budget (a negotiable price, 面议, scores as an unknown one: it is neither within nor over a budget), the preferred districts, the industries the site suits, the power supply, how soon the
  space can be used, and how fresh the record is. Each criterion's score only rises as the site gets
  better on it, so a better fit never scores lower.
- Ties keep a stable order: score, then carrier code.
Everything is vectorised over the carriers frame: one project against 100k carriers takes milliseconds.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from heatmap.model import M2_PER_MU, CarrierKind, CarrierStatus, Category, is_missing

# Soft criteria and their weight in the score (they add up to 100).
WEIGHTS: dict[str, int] = {
    "size_fit": 20,
    "budget": 25,
    "district": 15,
    "industry": 15,
    "power": 10,
    "readiness": 10,
    "freshness": 5,
}
HARD = ("kind", "available", "size", "clear_height", "floor_load", "crane")
SOFT = tuple(WEIGHTS)

# Industries counted as related when the exact sector is not among a site's industries.
CATEGORY_INDUSTRIES = {
    Category.MANUFACTURING.value: {"precision_machinery", "auto_parts", "aerospace", "new_materials", "biomedicine", "electronics"},
    Category.TRADE_LOGISTICS.value: {"port_logistics"},
    Category.RND.value: {"rnd_services", "biomedicine", "aerospace", "digital_services", "electronics"},
    Category.OTHER.value: {"headquarters", "digital_services", "rnd_services"},
}
UNKNOWN = 0.5  # the score of a soft criterion the record says nothing about
READINESS = {CarrierStatus.AVAILABLE.value: 1.0, CarrierStatus.PARTIAL.value: 1.0, CarrierStatus.PLANNED.value: 0.5,
             CarrierStatus.RESERVED.value: 0.3, CarrierStatus.OCCUPIED.value: 0.0}
BUILDING_KINDS = (CarrierKind.PLANT.value, CarrierKind.OFFICE.value, CarrierKind.OTHER.value)
KINDS = [k.value for k in CarrierKind]

Range = tuple[float | None, float | None]


@dataclass(frozen=True)
class Needs:
    """What a project needs. Areas: land in 亩, buildings in m². Budget: 万元/亩 for land, 元/㎡/月 else."""

    space_kind: str = CarrierKind.PLANT.value
    category: str | None = None
    sector: str | None = None
    area: Range = (None, None)
    clear_height_m: float | None = None
    floor_load_kn_m2: float | None = None
    crane_t: float | None = None
    power_kva: float | None = None
    budget: float | None = None
    districts: tuple[str, ...] = ()
    wanted_by: dt.date | None = None

    @property
    def is_land(self) -> bool:
        return self.space_kind == CarrierKind.LAND.value


def _num(value) -> float | None:
    return None if is_missing(value) else float(value)


def needs_from_project(project: Mapping[str, Any]) -> Needs:
    """The needs a pipeline project states (prefills the form for staff)."""
    kind = project.get("space_kind") if not is_missing(project.get("space_kind")) else CarrierKind.PLANT.value
    if kind == CarrierKind.LAND.value:
        area = (_num(project.get("land_needed_mu")), None)
    else:
        area = (_num(project.get("floor_area_needed_m2")), None)
    return Needs(
        space_kind=kind, category=project.get("category"), sector=None if is_missing(project.get("sector")) else project.get("sector"),
        area=area, clear_height_m=_num(project.get("clear_height_needed_m")),
        floor_load_kn_m2=_num(project.get("floor_load_needed_kn_m2")), crane_t=_num(project.get("crane_needed_t")),
        power_kva=_num(project.get("power_needed_kva")),
        districts=(project["district"],) if not is_missing(project.get("district")) else (),
        wanted_by=None if is_missing(project.get("wanted_by")) else project.get("wanted_by"),
    )


def _column(carriers: pd.DataFrame, name: str) -> np.ndarray:
    return carriers[name].to_numpy(dtype=float, na_value=np.nan) if name in carriers else np.full(len(carriers), np.nan)


def _at_least(values: np.ndarray, need: float | None) -> np.ndarray:
    """A structural need: met when the value is known and reaches it (no need: always met)."""
    if need is None or need <= 0:
        return np.ones(len(values), dtype=bool)
    return np.nan_to_num(values, nan=-np.inf) >= need


@dataclass
class Scored:
    """Per-carrier results, aligned with the carriers frame they came from."""

    hard: dict[str, np.ndarray]  # criterion -> met
    soft: dict[str, np.ndarray]  # criterion -> 0..1
    facts: dict[str, np.ndarray]  # values the explanations quote
    eligible: np.ndarray = field(init=False)
    score: np.ndarray = field(init=False)

    def __post_init__(self):
        self.eligible = np.logical_and.reduce(list(self.hard.values()))
        self.score = np.round(sum(WEIGHTS[k] * self.soft[k] for k in SOFT), 1)


@dataclass
class Prepared:
    """The carriers as arrays, computed once per data version: each need is then scored with numeric
    operations only (a few milliseconds for 100k carriers)."""

    frame: pd.DataFrame
    kind: np.ndarray  # index into KINDS
    occupied: np.ndarray
    readiness: np.ndarray
    district: np.ndarray  # index into `districts`
    districts: list[str]
    industry_set: np.ndarray  # index into `industry_sets`
    industry_sets: list[frozenset]
    numbers: dict[str, np.ndarray]  # vacant_m2, clear_height_m, …, rent, land price
    age: np.ndarray  # days since verified (NaN: never)
    stale_after_days: int


NUMBERS = ("vacant_m2", "clear_height_m", "floor_load_kn_m2", "crane_t", "power_kva", "rent_cny_m2_month", "land_price_wan_mu")


def prepare(carriers: pd.DataFrame, today: dt.date, stale_after_days: int = 90) -> Prepared:
    district_codes, districts = pd.factorize(carriers["district"])
    if "industries" in carriers:
        set_codes, sets = pd.factorize(carriers["industries"].map(lambda v: tuple(sorted(v or ()))))
        industry_sets = [frozenset(v) for v in sets]
    else:
        set_codes, industry_sets = np.zeros(len(carriers), dtype=int), [frozenset()]
    verified = pd.to_datetime(carriers["verified_on"], errors="coerce") if "verified_on" in carriers else pd.Series(pd.NaT, index=carriers.index)
    status = carriers["status"].astype(object)
    return Prepared(
        frame=carriers,
        kind=pd.Categorical(carriers["kind"].astype(object), categories=KINDS).codes,
        occupied=(status == CarrierStatus.OCCUPIED.value).to_numpy(),
        readiness=status.map(READINESS).fillna(0.0).to_numpy(dtype=float),
        district=district_codes, districts=list(districts),
        industry_set=set_codes, industry_sets=industry_sets,
        numbers={name: _column(carriers, name) for name in NUMBERS},
        age=(pd.Timestamp(today) - verified).dt.days.to_numpy(dtype=float, na_value=np.nan),
        stale_after_days=stale_after_days,
    )


def score(carriers: pd.DataFrame | Prepared, needs: Needs, today: dt.date | None = None, stale_after_days: int = 90) -> Scored:
    """Every criterion for every carrier (vectorised). Pass a `Prepared` to skip the preparation."""
    p = carriers if isinstance(carriers, Prepared) else prepare(carriers, today or dt.date.today(), stale_after_days)
    n = len(p.kind)
    numbers = p.numbers
    vacant = np.nan_to_num(numbers["vacant_m2"], nan=0.0)
    offered = vacant / M2_PER_MU if needs.is_land else vacant  # 亩 for land, m² for buildings
    low, high = needs.area
    building = p.kind != KINDS.index(CarrierKind.LAND.value)

    hard = {
        "kind": p.kind == KINDS.index(needs.space_kind),
        "available": (vacant > 0) & ~p.occupied,
        "size": (offered >= low) if low else np.ones(n, dtype=bool),
        "clear_height": _at_least(numbers["clear_height_m"], needs.clear_height_m) | ~building,
        "floor_load": _at_least(numbers["floor_load_kn_m2"], needs.floor_load_kn_m2) | ~building,
        "crane": _at_least(numbers["crane_t"], needs.crane_t) | ~building,
    }

    # size: a site bigger than the most wanted costs space the project does not need
    size_fit = np.where(offered > high, high / np.maximum(offered, 1e-9), 1.0) if high else np.ones(n)

    price = numbers["land_price_wan_mu" if needs.is_land else "rent_cny_m2_month"]
    if needs.budget:
        over = np.maximum(price / needs.budget - 1.0, 0.0)
        budget = np.where(np.isnan(price), UNKNOWN, np.clip(1.0 - 2.0 * over, 0.0, 1.0))
    else:
        budget = np.ones(n)

    if needs.districts:
        wanted = [i for i, code in enumerate(p.districts) if code in needs.districts]
        district = np.isin(p.district, wanted).astype(float)
    else:
        district = np.ones(n)

    related = CATEGORY_INDUSTRIES.get(needs.category or "", set())
    if needs.sector or related:
        def industry_fit(values: frozenset) -> float:
            if not values:
                return UNKNOWN
            if needs.sector and needs.sector in values:
                return 1.0
            return 0.6 if values & related else 0.0
        industry = np.array([industry_fit(v) for v in p.industry_sets])[p.industry_set]
    else:
        industry = np.ones(n)

    power_values = numbers["power_kva"]
    if needs.power_kva and not needs.is_land:
        power = np.where(np.isnan(power_values), UNKNOWN, np.clip(power_values / needs.power_kva, 0.0, 1.0))
    else:
        power = np.ones(n)

    freshness = np.where(np.isnan(p.age), 0.0, np.where(p.age <= p.stale_after_days, 1.0, 0.5))

    soft = {"size_fit": size_fit, "budget": budget, "district": district, "industry": industry, "power": power,
            "readiness": p.readiness, "freshness": freshness}
    facts = {"offered": offered, "price": price, "power": power_values, "age": p.age,
             "clear_height": numbers["clear_height_m"], "floor_load": numbers["floor_load_kn_m2"], "crane": numbers["crane_t"]}
    return Scored(hard, soft, facts)


def rank(carriers: pd.DataFrame | Prepared, needs: Needs, today: dt.date | None = None, stale_after_days: int = 90,
         include_ineligible: bool = False, limit: int | None = None) -> pd.DataFrame:
    """The carriers in order: eligible first, then by score (highest first), then by code (stable ties).

    Returns the carriers' rows with `eligible`, `score`, `rank` and one column per criterion; with
    `limit`, only the first `limit` (found without sorting everything). `attrs["eligible"]` holds how
    many carriers are eligible in all.
    """
    p = carriers if isinstance(carriers, Prepared) else prepare(carriers, today or dt.date.today(), stale_after_days)
    result = score(p, needs)
    positions = np.arange(len(p.kind)) if include_ineligible else np.flatnonzero(result.eligible)
    return _ordered(p.frame, result, result.eligible * 10_000 + np.round(result.score * 10), positions, limit)


def near_misses(carriers: pd.DataFrame | Prepared, needs: Needs, today: dt.date | None = None, stale_after_days: int = 90,
                limit: int = 10) -> pd.DataFrame:
    """When nothing is eligible: the carriers that miss the fewest hard needs, best scored first."""
    p = carriers if isinstance(carriers, Prepared) else prepare(carriers, today or dt.date.today(), stale_after_days)
    result = score(p, needs)
    met = np.sum(list(result.hard.values()), axis=0)
    return _ordered(p.frame, result, met * 10_000 + np.round(result.score * 10), np.arange(len(p.kind)), limit)


def _ordered(carriers: pd.DataFrame, result: Scored, key: np.ndarray, positions: np.ndarray, limit: int | None) -> pd.DataFrame:
    """Rows at `positions` ordered by `key` (higher first), then code; past `limit`, only the best ones
    (and any tied with the last of them) are sorted."""
    if limit is not None and len(positions) > limit:
        keys = key[positions]
        cut = np.partition(keys, len(keys) - limit)[len(keys) - limit]
        positions = positions[keys >= cut]
    columns = {"eligible": result.eligible, "score": result.score, "_key": key,
               **{f"hard_{k}": v for k, v in result.hard.items()},
               **{f"soft_{k}": v for k, v in result.soft.items()},
               **{f"fact_{k}": v for k, v in result.facts.items()}}
    frame = carriers.iloc[positions].assign(**{name: values[positions] for name, values in columns.items()})
    frame = frame.sort_values(["_key", "code"], ascending=[False, True], kind="stable").drop(columns="_key")
    if limit is not None:
        frame = frame.head(limit)
    frame = frame.assign(rank=np.arange(1, len(frame) + 1))
    frame.attrs["eligible"] = int(result.eligible.sum())
    return frame


@dataclass(frozen=True)
class Reason:
    """One line of why: the criterion, whether it is met, and an i18n key with its figures."""

    criterion: str
    met: bool
    key: str
    params: dict
    hard: bool


def explain(row: Mapping[str, Any], needs: Needs) -> list[Reason]:
    """Why a ranked carrier (a row of `rank`) scores as it does: what it meets, what it misses, by how much."""
    reasons: list[Reason] = []
    unit_land = needs.is_land

    def add(criterion, met, key, hard=False, **params):
        reasons.append(Reason(criterion, bool(met), key, params, hard))

    add("kind", row["hard_kind"], "why.kind_ok" if row["hard_kind"] else "why.kind_wrong", hard=True, kind=row["kind"])
    add("available", row["hard_available"], "why.available" if row["hard_available"] else "why.not_available", hard=True,
        status=row["status"])
    offered, (low, high) = row["fact_offered"], needs.area
    if low:
        key = ("why.size_ok_land" if unit_land else "why.size_ok") if row["hard_size"] else ("why.size_short_land" if unit_land else "why.size_short")
        add("size", row["hard_size"], key, hard=True, offered=offered, need=low, short=max(low - offered, 0))
    structural = (
        ("clear_height", needs.clear_height_m, ("why.clear_height_ok", "why.clear_height_short", "why.clear_height_unknown")),
        ("floor_load", needs.floor_load_kn_m2, ("why.floor_load_ok", "why.floor_load_short", "why.floor_load_unknown")),
        ("crane", needs.crane_t, ("why.crane_ok", "why.crane_short", "why.crane_unknown")),
    )
    for criterion, need, (ok, short, unknown) in structural:
        if need and row["kind"] in BUILDING_KINDS:
            value = row[f"fact_{criterion}"]
            if value != value:
                add(criterion, False, unknown, hard=True, need=need)
            else:
                met = row[f"hard_{criterion}"]
                add(criterion, met, ok if met else short, hard=True, value=value, need=need, short=max(need - value, 0))
    if high and row["soft_size_fit"] < 1:
        add("size_fit", False, "why.size_too_big_land" if unit_land else "why.size_too_big", offered=offered, need=high,
            extra=offered - high)
    if needs.budget:
        price = row["fact_price"]
        unit_key = "unit.wan_cny_mu" if unit_land else "unit.cny_m2_month"
        if price != price:
            flag = row.get("price_negotiable")
            negotiable = not is_missing(flag) and bool(flag)
            add("budget", False, "why.price_negotiable" if negotiable else "why.price_unknown", unit=unit_key)
        elif price <= needs.budget:
            add("budget", True, "why.within_budget", price=price, budget=needs.budget, unit=unit_key)
        else:
            add("budget", False, "why.over_budget", price=price, budget=needs.budget, unit=unit_key,
                over=price - needs.budget, pct=round((price / needs.budget - 1) * 100))
    if needs.districts:
        add("district", row["soft_district"] == 1, "why.preferred_district" if row["soft_district"] == 1 else "why.other_district",
            district=row["district"])
    if needs.sector or needs.category:
        fit = row["soft_industry"]
        key = {1.0: "why.industry_match", 0.6: "why.industry_related", UNKNOWN: "why.industry_unknown"}.get(fit, "why.industry_other")
        add("industry", fit >= 0.6, key, sector=needs.sector or "")
    if needs.power_kva and not unit_land:
        value = row["fact_power"]
        if value != value:
            add("power", False, "why.power_unknown", need=needs.power_kva)
        else:
            add("power", value >= needs.power_kva, "why.power_ok" if value >= needs.power_kva else "why.power_short",
                value=value, need=needs.power_kva, short=max(needs.power_kva - value, 0))
    if row["soft_readiness"] < 1:
        add("readiness", False, "why.not_ready", status=row["status"])
    age = row["fact_age"]
    if age != age:
        add("freshness", False, "why.never_verified")
    elif row["soft_freshness"] < 1:
        add("freshness", False, "why.stale", days=int(age))
    return reasons


def projects_for_carrier(carrier: Mapping[str, Any], projects: pd.DataFrame, today: dt.date,
                         stale_after_days: int = 90) -> pd.DataFrame:
    """The other direction: the pipeline projects a carrier would fit, best first (same rules)."""
    single = prepare(pd.DataFrame([dict(carrier)]), today, stale_after_days)
    rows = []
    for _, project in projects.iterrows():
        result = score(single, needs_from_project(project))
        rows.append({"code": project["code"], "eligible": bool(result.eligible[0]), "score": float(result.score[0])})
    scored = pd.DataFrame(rows, columns=["code", "eligible", "score"])
    merged = projects.merge(scored, on="code")
    merged = merged.sort_values(["eligible", "score", "code"], ascending=[False, False, True], kind="stable")
    return merged.assign(rank=np.arange(1, len(merged) + 1))


def months_ahead(today: dt.date, count: int, also: dt.date | None = None) -> list[dt.date]:
    """The first days of this month and the `count - 1` after it (the choices of a wanted-by month), and the
    month of `also` (a project's own wish, even a past one) where that is not among them."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if isinstance(also, dt.date):
        first = also.replace(day=1)
        if first not in months:
            months = sorted([*months, first])
    return months
