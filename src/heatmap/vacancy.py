"""Vacancy (空置): where space is empty, by district and kind, how that changes, and how fresh the records are.

Pure functions over data frames. Land is counted in 亩 and m², buildings in m². Vacancy rate = vacant
area ÷ leasable (or sellable) area, the record's area standing in where no leasable area is given.
Reporting periods are bi-monthly (Jan–Feb, Mar–Apr, …), as the seed asks districts to report.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from heatmap.filters import vacancy_percent, verified_age_days
from heatmap.model import M2_PER_MU, CarrierKind
from heatmap.summary import KINDS, vacancy_rate

TOTAL = "__total__"  # the row of the whole city


def by_district_and_kind(carriers: pd.DataFrame, district_order: Iterable[str]) -> pd.DataFrame:
    """Long table: one row per (district, kind), the city (TOTAL) first, then districts in order.

    Columns: leasable_m2, vacant_m2, vacancy_rate, and for land leasable_mu / vacant_mu.
    """
    base = carriers["leasable_m2"].fillna(carriers["area_m2"])
    frame = pd.DataFrame({"district": carriers["district"], "kind": carriers["kind"], "leasable_m2": base,
                          "vacant_m2": carriers["vacant_m2"].fillna(0.0)})
    city = frame.assign(district=TOTAL)
    grouped = pd.concat([city, frame]).groupby(["district", "kind"], sort=False)[["leasable_m2", "vacant_m2"]].sum()
    index = pd.MultiIndex.from_product([[TOTAL, *district_order], KINDS], names=["district", "kind"])
    table = grouped.reindex(index, fill_value=0.0).reset_index()
    table["vacancy_rate"] = vacancy_rate(table["vacant_m2"], table["leasable_m2"])
    is_land = table["kind"] == CarrierKind.LAND.value
    table["leasable_mu"] = (table["leasable_m2"] / M2_PER_MU).where(is_land)
    table["vacant_mu"] = (table["vacant_m2"] / M2_PER_MU).where(is_land)
    return table


def wide(table: pd.DataFrame) -> pd.DataFrame:
    """One row per district (the city first), for each kind its vacant area and rate side by side."""
    out = pd.DataFrame(index=pd.Index(table["district"].unique(), name="district"))
    for kind in KINDS:
        part = table[table["kind"] == kind].set_index("district")
        if kind == CarrierKind.LAND.value:
            out[f"{kind}_vacant_mu"] = part["vacant_mu"]
        out[f"{kind}_vacant_m2"] = part["vacant_m2"]
        out[f"{kind}_rate"] = part["vacancy_rate"]
    return out


def vacant_carriers(carriers: pd.DataFrame, today: dt.date, stale_after_days: int) -> pd.DataFrame:
    """Carriers with space on offer, with their vacancy share, verification age and stale flag."""
    vacant = carriers[(carriers["vacant_m2"].fillna(0) > 0) & (carriers["status"] != "occupied")]
    age = verified_age_days(vacant, today)
    return vacant.assign(
        vacancy_pct=vacancy_percent(vacant).round(1),
        vacant_mu=(vacant["vacant_m2"] / M2_PER_MU).where(vacant["kind"] == CarrierKind.LAND.value).round(2),
        verified_age_days=age,
        stale=age.isna() | (age > stale_after_days),
    )


def freshness(carriers: pd.DataFrame, district_order: Iterable[str], today: dt.date, stale_after_days: int) -> pd.DataFrame:
    """Per district (the city first): records, stale records (not verified within the age, or never)."""
    age = verified_age_days(carriers, today)
    frame = pd.DataFrame({"district": carriers["district"], "stale": age.isna() | (age > stale_after_days),
                          "never": age.isna()})
    rows = [(TOTAL, frame)] + [(code, frame[frame["district"] == code]) for code in district_order]
    out = pd.DataFrame([{"district": code, "records": len(part), "stale": int(part["stale"].sum()),
                         "never_verified": int(part["never"].sum())} for code, part in rows]).set_index("district")
    out["stale_share"] = out["stale"] / out["records"].where(out["records"] > 0)
    return out


def hide_stale(carriers: pd.DataFrame, today: dt.date, stale_after_days: int) -> pd.DataFrame:
    """Carriers verified within the age (what the public sees when stale records are hidden)."""
    age = verified_age_days(carriers, today)
    return carriers[age.notna() & (age <= stale_after_days)]


# --- over time -----------------------------------------------------------------------------------


def period_start(day: dt.date) -> dt.date:
    """First day of the bi-monthly reporting period (Jan–Feb, Mar–Apr, …) that holds `day`."""
    return dt.date(day.year, day.month - (day.month - 1) % 2, 1)


def previous_period_end(day: dt.date) -> dt.date:
    """Last day of the reporting period before the one that holds `day`."""
    return period_start(day) - dt.timedelta(days=1)


def trend_moments(version_times: Iterable[dt.datetime], limit: int = 24) -> list[dt.datetime]:
    """When to take the figures: the end of each day a version was saved; past `limit` days, the end of
    each month instead (a busy year of daily uploads stays readable)."""
    days = sorted({t.date() for t in version_times})
    if len(days) > limit:
        months = sorted({(d.year, d.month) for d in days})
        month_ends = [dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1) for y, m in months]
        days = month_ends[:-1] + [days[-1]]  # the current month: up to the latest version
    return [dt.datetime.combine(d, dt.time.max) for d in days]


def trend(states: Iterable[tuple[dt.datetime, Mapping[str, Mapping]]]) -> pd.DataFrame:
    """Vacancy per district and kind at each moment, from states of records (as `Store.states_at` gives,
    with at least district, kind, area_m2, leasable_m2 and vacant_m2)."""
    rows = []
    for moment, state in states:
        if not state:
            continue
        frame = pd.DataFrame.from_records(list(state.values()), columns=["district", "kind", "area_m2", "leasable_m2", "vacant_m2"])
        table = by_district_and_kind(frame.astype({"area_m2": float, "leasable_m2": float, "vacant_m2": float}),
                                     sorted(frame["district"].unique()))
        rows.append(table.assign(moment=moment.date()))
    if not rows:
        return pd.DataFrame(columns=["moment", "district", "kind", "leasable_m2", "vacant_m2", "vacancy_rate"])
    out = pd.concat(rows, ignore_index=True)
    return out[out["leasable_m2"] > 0]


def changes_since(before: Mapping[str, Mapping], now: pd.DataFrame) -> pd.DataFrame:
    """What changed in vacancy between an earlier state and now: carriers added, removed, or with more or
    less vacant space; `delta_m2` is the change in vacant area."""
    now_vacant = dict(zip(now["code"], now["vacant_m2"].fillna(0.0)))
    rows = []
    for code, rec in now.set_index("code")[["name", "district", "kind"]].iterrows():
        old = before.get(code)
        after = now_vacant[code]
        if old is None:
            rows.append((code, rec["name"], rec["district"], rec["kind"], "added", np.nan, after))
            continue
        previous = old.get("vacant_m2") or 0.0
        if abs(previous - after) > 1e-6:
            rows.append((code, rec["name"], rec["district"], rec["kind"], "more_vacant" if after > previous else "less_vacant",
                         previous, after))
    for code, old in before.items():
        if code not in now_vacant:
            rows.append((code, old.get("name"), old.get("district"), old.get("kind"), "removed", old.get("vacant_m2") or 0.0, np.nan))
    out = pd.DataFrame(rows, columns=["code", "name", "district", "kind", "change", "vacant_before_m2", "vacant_after_m2"])
    out["delta_m2"] = out["vacant_after_m2"].fillna(0.0) - out["vacant_before_m2"].fillna(0.0)
    return out.sort_values(["district", "code"], kind="stable").reset_index(drop=True)
