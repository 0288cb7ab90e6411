"""City and district figures: carriers by kind, area, vacancy; projects by stage and investment.

Pure functions over data frames (as the store returns them), so they are tested without a server.
Vacancy rate = vacant area ÷ leasable (or sellable) area; where a record gives no leasable area, its
total area stands in.
"""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from heatmap import i18n
from heatmap.filters import price_negotiable
from heatmap.model import FX_TO_CNY, M2_PER_MU, STAGE_GROUP, CarrierKind, Stage, StageGroup

KINDS = [k.value for k in CarrierKind]
STAGE_GROUPS = [g.value for g in StageGroup]


def _group_key(by: str | None):
    """Group by a column, or everything into one row called "all"."""
    return by if by else (lambda _: "all")


def _crosstab(df: pd.DataFrame, by: str | None, column: str) -> pd.DataFrame:
    """Counts of each value of `column` per group (the same groups as `_group_key`)."""
    rows = df[by] if by else pd.Series("all", index=df.index)
    return pd.crosstab(rows, df[column]) if len(df) else pd.DataFrame()


def _with_bases(carriers: pd.DataFrame) -> pd.DataFrame:
    is_land = carriers["kind"] == CarrierKind.LAND.value
    base = carriers["leasable_m2"].fillna(carriers["area_m2"])
    vacant = carriers["vacant_m2"].fillna(0.0)
    negotiable = price_negotiable(carriers)
    known = ~negotiable  # a negotiable price (面议) has no number: it counts in no average
    nothing = pd.Series(float("nan"), index=carriers.index)
    return carriers.assign(
        _rent=carriers.get("rent_cny_m2_month", nothing).where(~is_land & known).astype(float),
        _land_price=carriers.get("land_price_wan_mu", nothing).where(is_land & known).astype(float),
        _negotiable=negotiable.astype(int),
        _base_m2=base,
        _vacant_m2=vacant,
        _building_base_m2=base.where(~is_land, 0.0),
        _building_vacant_m2=vacant.where(~is_land, 0.0),
        _land_m2=carriers["area_m2"].where(is_land, 0.0),
        _land_vacant_m2=vacant.where(is_land, 0.0),
    )


def carrier_figures(carriers: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Counts per kind, areas and vacancy: one row per `by` value, or one row for everything.

    Land and floor space are different goods, so besides the overall figures there are building
    figures (m², vacancy rate of plant, office and other space) and land figures (亩 available).
    Average prices (the mean rent of buildings, the mean land price of land) are over the carriers that
    state a price: an unknown or negotiable one (面议, counted in n_price_negotiable) is left out, never
    read as 0.
    """
    df = _with_bases(carriers)
    key = _group_key(by)
    grouped = df.groupby(key, sort=False)
    out = pd.DataFrame({
        "carriers": grouped.size(),
        "area_m2": grouped["area_m2"].sum(),
        "leasable_m2": grouped["_base_m2"].sum(),
        "vacant_m2": grouped["_vacant_m2"].sum(),
        "building_leasable_m2": grouped["_building_base_m2"].sum(),
        "building_vacant_m2": grouped["_building_vacant_m2"].sum(),
        "land_mu": grouped["_land_m2"].sum() / M2_PER_MU,
        "vacant_land_mu": grouped["_land_vacant_m2"].sum() / M2_PER_MU,
        "mean_rent_cny_m2_month": grouped["_rent"].mean(),
        "mean_land_price_wan_mu": grouped["_land_price"].mean(),
        "n_price_negotiable": grouped["_negotiable"].sum(),
    })
    counts = _crosstab(df, by, "kind")
    for kind in KINDS:
        out[f"n_{kind}"] = counts[kind].reindex(out.index, fill_value=0) if kind in counts else 0
    out["vacancy_rate"] = vacancy_rate(out["vacant_m2"], out["leasable_m2"])
    out["building_vacancy_rate"] = vacancy_rate(out["building_vacant_m2"], out["building_leasable_m2"])
    return out


def mean_price_text(figures: Mapping[str, Any], kind: str, lang: str) -> str:
    """A kind's average price as text with its unit (万元/亩 for land, 元/㎡/月 else), "–" when no carrier states one."""
    land = kind == CarrierKind.LAND.value
    value = figures.get("mean_land_price_wan_mu" if land else "mean_rent_cny_m2_month")
    if value is None or value != value:
        return "–"
    return f"{i18n.fmt_number(value, 1, lang)} {i18n.t('unit.wan_cny_mu' if land else 'unit.cny_m2_month', lang)}"


def vacancy_rate(vacant, leasable):
    """vacant ÷ leasable; NaN where nothing is leasable (a rate of nothing is not 0 %)."""
    leasable = pd.Series(leasable, dtype=float) if not isinstance(leasable, pd.Series) else leasable.astype(float)
    return pd.Series(vacant, index=leasable.index, dtype=float) / leasable.where(leasable > 0)


def kind_figures(carriers: pd.DataFrame) -> pd.DataFrame:
    """One row per carrier kind (in the canonical order), with the same figures as `carrier_figures`."""
    fig = carrier_figures(carriers, by="kind")
    return fig.reindex([k for k in KINDS if k in fig.index])


def investment_cny_wan(projects: pd.DataFrame) -> pd.Series:
    """Each project's investment in 万元 CNY at the reference rates (its own currency is kept as well)."""
    rate = projects["currency"].map(FX_TO_CNY).fillna(1.0)
    return projects["investment_wan"].fillna(0.0) * rate


def pipeline_figures(projects: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Projects per stage group (在谈 / 签约 / 落户) and the investment in 万元 CNY."""
    df = projects.assign(
        _group=projects["stage"].map(lambda s: STAGE_GROUP[s].value if s in STAGE_GROUP else None),
        _cny_wan=investment_cny_wan(projects),
    )
    key = _group_key(by)
    grouped = df.groupby(key, sort=False)
    out = pd.DataFrame({"projects": grouped.size(), "investment_cny_wan": grouped["_cny_wan"].sum()})
    counts = _crosstab(df, by, "_group")
    for group in STAGE_GROUPS:
        out[f"n_{group}"] = counts[group].reindex(out.index, fill_value=0) if group in counts else 0
    return out


def stage_figures(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects and investment per stage, first contact to production."""
    df = projects.assign(_cny_wan=investment_cny_wan(projects))
    grouped = df.groupby("stage")
    out = pd.DataFrame({"projects": grouped.size(), "investment_cny_wan": grouped["_cny_wan"].sum()})
    return out.reindex([s.value for s in Stage], fill_value=0)


def district_table(districts: pd.DataFrame, carriers: pd.DataFrame, projects: pd.DataFrame | None) -> pd.DataFrame:
    """One row per district (in the districts' order): carrier figures, and pipeline figures if given."""
    order = list(districts["code"])
    table = carrier_figures(carriers, by="district").reindex(order)
    if projects is not None:
        table = table.join(pipeline_figures(projects, by="district").reindex(order))
    count_columns = [c for c in table.columns if c.startswith("n_") or c in ("carriers", "projects")]
    table[count_columns] = table[count_columns].fillna(0).astype(int)
    return table
