"""Overview (概览): the city and its districts in figures — sites, space, vacancy and the pipeline."""
import pandas as pd
import streamlit as st

from heatmap import charts, i18n, summary, ui
from heatmap.access import Action
from heatmap.pipeline import reports, workflow

lang = ui.lang()
ui.page_header("app.title")
st.caption(ui.t("app.subtitle"))
if ui.data_date():
    st.caption(ui.t("home.data_date", date=i18n.fmt_date(ui.data_date(), lang)))

viewer = ui.viewer()
if viewer.district and ui.allowed(Action.SUBMIT_REPORTS, viewer.district):  # the staff's reminder of open reports
    for period, reason in reports.reminders(viewer.district, workflow.submissions(ui.get_store()), workflow.today_in_taicang(),
                                            workflow.rules(ui.get_store()), lookback=2):
        st.warning(ui.t("reports.reminder", period=period.label(lang), status=reports.reason_text(reason, lang)), icon="🗓️")

carriers = ui.carriers()
show_pipeline = ui.allowed(Action.VIEW_PIPELINE)
projects = ui.projects() if show_pipeline else None
city = summary.carrier_figures(carriers).iloc[0] if len(carriers) else None

# --- the city at a glance ---
st.subheader(ui.t("home.city"))
columns = st.columns(4) + (st.columns(4) if show_pipeline else [])
if city is not None:
    columns[0].metric(
        ui.t("home.kpi.carriers"), i18n.fmt_int(city["carriers"], lang),
        help=ui.t("home.kpi.carriers_help", **{k: int(city[f"n_{k}"]) for k in summary.KINDS}),
    )
    columns[1].metric(ui.t("home.kpi.building_vacant"), i18n.fmt_area_large(city["building_vacant_m2"], lang),
                      help=ui.t("home.kpi.building_area") + ": " + i18n.fmt_area_large(city["building_leasable_m2"], lang))
    columns[2].metric(ui.t("home.kpi.building_vacancy_rate"), i18n.fmt_percent(city["building_vacancy_rate"], lang),
                      help=ui.t("home.kpi.vacancy_help"))
    columns[3].metric(ui.t("home.kpi.available_land"), i18n.fmt_mu(city["vacant_land_mu"], lang),
                      help=ui.t("home.kpi.available_land_help", total=i18n.fmt_mu(city["land_mu"], lang),
                                available=i18n.fmt_mu(city["vacant_land_mu"], lang)))
if show_pipeline and len(projects):
    pipe = summary.pipeline_figures(projects).iloc[0]
    columns[4].metric(ui.t("home.kpi.projects"), i18n.fmt_int(pipe["projects"], lang),
                      help=ui.t("home.kpi.projects_help", **{g: int(pipe[f"n_{g}"]) for g in summary.STAGE_GROUPS}))
    columns[5].metric(ui.t("home.kpi.investment"), i18n.fmt_cny_wan(pipe["investment_cny_wan"], lang, approx_eur=True),
                      help=" ".join(filter(None, [ui.t("home.kpi.investment_help"), ui.eur_rate_note()])))


def number(key, fmt="localized"):
    return st.column_config.NumberColumn(ui.t(key), format=fmt)


PERCENT = "%.1f%%"

# --- by kind ---
st.subheader(ui.t("home.by_kind"))
by_kind = summary.kind_figures(carriers)
by_kind = by_kind.assign(
    kind=[ui.label("kind", k) for k in by_kind.index], vacancy_rate=by_kind["vacancy_rate"] * 100,
    mean_price=[summary.mean_price_text(row, k, lang) for k, row in by_kind.iterrows()],
).reset_index(drop=True)  # the kinds' codes stay here: the table shows their names
st.dataframe(
    by_kind[["kind", "carriers", "area_m2", "leasable_m2", "vacant_m2", "vacancy_rate", "land_mu", "vacant_land_mu",
             "mean_price", "n_price_negotiable"]],
    hide_index=True,
    column_config={
        "kind": ui.t("col.kind"), "carriers": number("col.carriers"), "area_m2": number("col.area_m2"),
        "leasable_m2": number("col.leasable_m2"), "vacant_m2": number("col.vacant_m2"),
        "vacancy_rate": number("col.vacancy_rate", PERCENT), "land_mu": number("col.land_mu", "%.1f"),
        "vacant_land_mu": number("col.vacant_land_mu", "%.1f"),
        "mean_price": ui.t("col.mean_price"), "n_price_negotiable": number("col.n_price_negotiable"),
    },
)

# --- by district, the city total first ---
st.subheader(ui.t("home.by_district"))
if show_pipeline and ui.viewer().district:
    st.caption(ui.t("home.pipeline_scope_staff"))
districts = ui.districts()
table = summary.district_table(districts, carriers, projects)
total = summary.carrier_figures(carriers)
if projects is not None:
    total = total.join(summary.pipeline_figures(projects))
total.index = [ui.t("common.city_total")]
names = ui.district_names()
kinds = dict(zip(districts["code"], districts["kind"]))
table.index = [names[code] for code in table.index]
table = pd.concat([total, table])
table.insert(0, "district_kind", [""] + [ui.label("district_kind", kinds[c]) for c in districts["code"]])
table.insert(0, "district", table.index)
table["building_vacancy_rate"] = table["building_vacancy_rate"] * 100
district_columns = ["district", "district_kind", "n_land", "n_plant", "n_office", "n_other", "area_m2",
                    "building_vacant_m2", "building_vacancy_rate", "vacant_land_mu"]
config = {
    "district": ui.t("col.district"), "district_kind": ui.t("col.district_kind"),
    "n_land": number("col.n_land"), "n_plant": number("col.n_plant"), "n_office": number("col.n_office"),
    "n_other": number("col.n_other"), "area_m2": number("col.area_m2"),
    "building_vacant_m2": number("col.building_vacant_m2"),
    "building_vacancy_rate": number("col.building_vacancy_rate", PERCENT),
    "vacant_land_mu": number("col.vacant_land_mu", "%.1f"),
}
if projects is not None:
    table["investment_yi"] = table["investment_cny_wan"] / 10000
    district_columns += ["n_negotiating", "n_signed", "n_settled", "investment_yi"]
    config |= {"n_negotiating": number("col.n_negotiating"), "n_signed": number("col.n_signed"),
               "n_settled": number("col.n_settled"), "investment_yi": number("col.investment_yi", "%.2f")}
st.dataframe(table[district_columns], hide_index=True, column_config=config)

st.caption(ui.t("home.chart_vacant"))
measures = [ui.t("col.building_vacant_m2"), ui.t("col.vacant_land_mu")]
chart = table.iloc[1:][["district", "building_vacant_m2", "vacant_land_mu"]].set_axis([ui.t("col.district"), *measures], axis=1)
st.altair_chart(charts.grouped_bars(chart, ui.t("col.district"), measures, lang), use_container_width=True)

# --- the pipeline (confidential) ---
if show_pipeline:
    st.subheader(ui.t("home.by_stage"))
    stages = summary.stage_figures(projects)
    stages = stages.assign(stage=[ui.label("stage", s) for s in stages.index],
                           investment_yi=stages["investment_cny_wan"] / 10000).reset_index(drop=True)
    st.dataframe(stages[["stage", "projects", "investment_yi"]], hide_index=True, column_config={
        "stage": ui.t("col.stage"), "projects": number("col.projects"), "investment_yi": number("col.investment_yi", "%.2f"),
    })
else:
    st.info(ui.t("home.pipeline_hidden"), icon="🔒")
