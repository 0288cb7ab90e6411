"""Vacancy (空置): vacant space by district and kind, where it is, how it changes, how fresh the data is."""
import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from heatmap import charts, display, export, i18n, mapview, summary, ui, vacancy
from heatmap.access import Action
from heatmap.filters import carrier_price, price_negotiable

lang = ui.lang()
ui.page_header("vacancy.title")
st.caption(ui.t("vacancy.caption"))
today = dt.date.today()
stale_days = ui.stale_days()
names = ui.district_names()
if ui.hide_stale_from_public() and not ui.allowed(Action.VIEW_PRIVATE_CARRIERS):
    st.caption(ui.t("vacancy.hidden_note", days=stale_days))

with st.sidebar:
    st.subheader(ui.t("filters.title"))
    chosen_districts = st.multiselect(ui.t("filters.district"), list(names), key="v_districts", format_func=names.get,
                                      placeholder=ui.t("common.all"), select_all=False)
    chosen_kinds = st.multiselect(ui.t("filters.kind"), summary.KINDS, key="v_kinds", format_func=lambda k: ui.label("kind", k),
                                  placeholder=ui.t("common.all"), select_all=False)
    min_vacant = st.number_input(ui.t("vacancy.min_vacant"), min_value=0.0, value=0.0, step=500.0, key="v_min_vacant")
    stale_only = st.checkbox(ui.t("vacancy.stale_only"), key="v_stale_only")

carriers = ui.carriers()
if chosen_districts:
    carriers = carriers[carriers["district"].isin(chosen_districts)]
if chosen_kinds:
    carriers = carriers[carriers["kind"].isin(chosen_kinds)]
district_order = chosen_districts or list(names)


def kind_label(kind):
    return ui.label("kind", kind)


def area_format(key):
    return st.column_config.NumberColumn(key, format="localized")


# --- by district and kind, the city first ---
st.subheader(ui.t("vacancy.table"))
long_table = vacancy.by_district_and_kind(carriers, district_order)
wide = vacancy.wide(long_table)
wide.index = [ui.t("common.city_total") if code == vacancy.TOTAL else names[code] for code in wide.index]
columns, config = {}, {}
for column in wide.columns:  # "land_vacant_mu", "plant_rate", …: the kind, then the measure
    kind, measure = column.split("_", 1)
    title = ui.t(f"vacancy.col.{measure}", kind=kind_label(kind))
    columns[column] = title
    if measure == "rate":  # as text: a district without such space shows "–", not 0 %
        config[column] = st.column_config.TextColumn(title)
    else:
        config[column] = st.column_config.NumberColumn(title, format="%.1f" if measure == "vacant_mu" else "localized")
shown = wide.copy()
for column in shown.columns:
    if column.endswith("_rate"):
        shown[column] = shown[column].map(lambda ratio: i18n.fmt_percent(ratio, lang))
st.dataframe(shown, column_config=config)

st.caption(ui.t("vacancy.chart"))
district_title, kind_title, rate_title = ui.t("field.district"), ui.t("field.kind"), ui.t("col.vacancy_rate") + " (%)"
chart = long_table[(long_table["district"] != vacancy.TOTAL) & (long_table["leasable_m2"] > 0)]
chart = pd.DataFrame({district_title: chart["district"].map(names), kind_title: chart["kind"].map(kind_label),
                      rate_title: (chart["vacancy_rate"] * 100).round(1)})
st.bar_chart(chart, x=district_title, y=rate_title, color=kind_title, stack=False, horizontal=True, height=520, y_label="")

# --- where it is ---
vacant = vacancy.vacant_carriers(carriers, today, stale_days)
vacant = vacant[vacant["vacant_m2"] >= min_vacant]
if stale_only:
    vacant = vacant[vacant["stale"]]
st.subheader(ui.t("vacancy.map"))
districts = ui.districts()
built = mapview.build_map(mapview.MapContent(
    carriers=vacant, districts=districts, district_figures=summary.district_table(districts, vacant, None), lang=lang,
    basemap=mapview.available_basemaps()[mapview.default_basemap()], show={"supply_heat": True},
))
st_folium(built.map, key="vacancy_map", height=520, use_container_width=True, returned_objects=[])

# --- the list: sortable, a row opens the record ---
st.subheader(ui.t("vacancy.list"))
st.caption(ui.t("vacancy.list_caption", n=len(vacant)))
price = carrier_price(vacant)
listing = pd.DataFrame({
    "code": vacant["code"], "name": display.names_of(vacant, lang),
    "district": vacant["district"].map(names), "kind": vacant["kind"].map(kind_label),
    "status": vacant["status"].map(lambda s: ui.label("status", s)), "vacant_m2": vacant["vacant_m2"],
    "vacant_mu": vacant["vacant_mu"], "vacancy_pct": vacant["vacancy_pct"], "price": price,
    "negotiable": price_negotiable(vacant),
    "verified_on": vacant["verified_on"], "age": vacant["verified_age_days"], "stale": vacant["stale"],
}).reset_index(drop=True)
selection = st.dataframe(
    listing, hide_index=True, on_select="rerun", selection_mode="single-row", key="vacancy_list",
    column_config={
        "code": ui.t("field.code"), "name": ui.t("field.name"), "district": ui.t("field.district"), "kind": ui.t("field.kind"),
        "status": ui.t("field.status"), "vacant_m2": area_format(ui.t("field.vacant_m2")),
        "vacant_mu": st.column_config.NumberColumn(ui.t("vacancy.col.vacant_mu", kind=""), format="%.1f"),
        "vacancy_pct": st.column_config.NumberColumn(ui.t("field.vacancy_pct"), format="%.1f"),
        "price": st.column_config.NumberColumn(ui.t("matching.col.price"), format="%.1f"),
        "negotiable": st.column_config.CheckboxColumn(ui.t("field.price_negotiable")),
        "verified_on": st.column_config.DateColumn(ui.t("field.verified_on")),
        "age": st.column_config.NumberColumn(ui.t("vacancy.col.age"), format="%d"),
        "stale": st.column_config.CheckboxColumn(ui.t("vacancy.col.stale")),
    },
)
rows = selection.selection.rows if selection else []
if rows:
    record = vacant.iloc[rows[0]].to_dict()
    st.markdown(f"**{ui.t('map.record')}**")
    if record["stale"]:
        st.warning(ui.t("map.stale", days=stale_days))
    skip = ("geometry",) if ui.allowed(Action.VIEW_PRIVATE_CARRIERS) else ("geometry", "updated_by", "updated_at")
    st.table(display.record_table(record, "carrier", lang, names, skip=skip))

# --- over time ---
st.subheader(ui.t("vacancy.trend"))
st.caption(ui.t("vacancy.trend_caption"))
version_times = ui.carrier_version_times()
if version_times:
    latest = max(version_times).date()
    reference = vacancy.previous_period_end(latest)
    moments = vacancy.trend_moments(version_times)
    choices = sorted({m.date() for m in moments} | {reference}, reverse=True)
    history = dict(ui.carrier_history(sorted(set(moments) | {dt.datetime.combine(d, dt.time.max) for d in choices})))
    keep = lambda state: {c: r for c, r in state.items()  # noqa: E731 - the page's district and kind filters
                          if (not chosen_districts or r.get("district") in chosen_districts)
                          and (not chosen_kinds or r.get("kind") in chosen_kinds)}
    trend = vacancy.trend([(m, keep(history[m])) for m in moments])
    left, right = st.columns([1, 3])
    trend_district = left.selectbox(ui.t("vacancy.trend_district"), [vacancy.TOTAL, *district_order], key="v_trend_district",
                                    format_func=lambda c: ui.t("common.city_total") if c == vacancy.TOTAL else names[c])
    lines = trend[trend["district"] == trend_district]
    lines = pd.DataFrame({"moment": pd.to_datetime(lines["moment"]), kind_title: lines["kind"].map(kind_label),
                          rate_title: (lines["vacancy_rate"] * 100).round(1)})
    right.altair_chart(charts.lines_over_time(lines, "moment", rate_title, kind_title, lang), use_container_width=True)

    st.subheader(ui.t("vacancy.changes"))
    compare = st.selectbox(ui.t("vacancy.compare_with"), [d for d in choices if d < latest] or [reference], key="v_compare",
                           index=0, format_func=lambda d: i18n.fmt_date(d, lang))
    before = keep(history[dt.datetime.combine(compare, dt.time.max)])
    st.caption(ui.t("vacancy.changes_caption", before=i18n.fmt_date(compare, lang)))
    changes = vacancy.changes_since(before, carriers)
    if changes.empty:
        st.info(ui.t("vacancy.no_changes"))
    else:
        delta = changes.groupby("district")["delta_m2"].sum().reindex(district_order).dropna()
        st.caption(ui.t("vacancy.by_district_delta"))
        delta_title = ui.t("vacancy.col.delta")
        st.altair_chart(charts.bars(pd.DataFrame({district_title: delta.index.map(names), delta_title: delta.values}),
                                    district_title, delta_title, lang), use_container_width=True)
        st.dataframe(changes.assign(district=changes["district"].map(names), kind=changes["kind"].map(kind_label),
                                    change=changes["change"].map(lambda c: ui.t(f"vacancy.change.{c}"))),
                     hide_index=True, column_config={
                         "code": ui.t("field.code"), "name": ui.t("field.name"), "district": ui.t("field.district"),
                         "kind": ui.t("field.kind"), "change": ui.t("vacancy.col.change"),
                         "vacant_before_m2": area_format(ui.t("vacancy.col.before")),
                         "vacant_after_m2": area_format(ui.t("vacancy.col.after")),
                         "delta_m2": area_format(ui.t("vacancy.col.delta")),
                     })

# --- freshness ---
st.subheader(ui.t("vacancy.freshness"))
st.caption(ui.t("vacancy.freshness_caption", days=stale_days))
fresh = vacancy.freshness(carriers, district_order, today, stale_days)
fresh.index = [ui.t("common.city_total") if code == vacancy.TOTAL else names[code] for code in fresh.index]
st.dataframe(fresh.assign(stale_share=fresh["stale_share"] * 100), column_config={
    "records": ui.t("vacancy.col.records"), "stale": ui.t("vacancy.col.stale_n"), "never_verified": ui.t("vacancy.col.never"),
    "stale_share": st.column_config.NumberColumn(ui.t("vacancy.col.stale_share"), format="%.1f%%"),
})
if ui.allowed(Action.MANAGE_SETTINGS):
    with st.expander(ui.t("vacancy.settings")):
        with st.form("freshness_settings"):
            days = st.number_input(ui.t("vacancy.setting_days"), min_value=1, max_value=3650, value=stale_days)
            hide = st.checkbox(ui.t("vacancy.setting_hide"), value=ui.hide_stale_from_public())
            if st.form_submit_button(ui.t("common.save")):
                ui.save_freshness_settings(days, hide)
                st.success(ui.t("vacancy.setting_saved"))
        rate = ui.eur_rate()
        with st.form("eur_rate_setting"):
            st.caption(ui.t("settings.eur_rate_caption"))
            cny_per_eur = st.number_input(ui.t("settings.eur_rate"), min_value=0.01, max_value=100.0, value=rate.cny_per_eur,
                                          step=0.01, format="%.4f")
            as_of = st.date_input(ui.t("settings.eur_rate_date"), value=rate.as_of, max_value=today, format="YYYY-MM-DD")
            if st.form_submit_button(ui.t("common.save")):
                if ui.save_eur_rate(cny_per_eur, as_of):
                    st.success(ui.t("vacancy.setting_saved"))


# --- download, as filtered ---
def excel_file() -> bytes:
    return export.to_excel({
        ui.t("vacancy.sheet_table"): shown.reset_index().rename(columns={"index": ui.t("col.district"), **columns}),
        ui.t("vacancy.sheet_list"): export.carrier_table(vacant, lang, names, ui.allowed(Action.VIEW_PRIVATE_CARRIERS)),
        ui.t("vacancy.sheet_freshness"): fresh.reset_index().rename(columns={"index": ui.t("col.district")}),
    })


# with private carriers in its list, the download is confidential: recorded in the audit trail when fetched
private = ui.allowed(Action.VIEW_PRIVATE_CARRIERS)
ui.download(ui.t("vacancy.download"), excel_file, file_name=f"taicang-vacancy-{today:%Y%m%d}.xlsx",
            permission=Action.VIEW_PRIVATE_CARRIERS if private else None,
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            confidential=private, detail={"carriers": len(vacant)})
