"""Heat map (投资热力图): carriers and the pipeline as layers and heat, filtered, shareable, downloadable."""
import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from heatmap import display, export, filters, i18n, mapview, summary, ui
from heatmap.access import Action
from heatmap.pipeline import mapdata

lang = ui.lang()
ui.page_header("map.title")
show_pipeline = ui.allowed(Action.VIEW_PIPELINE)
st.caption(ui.t("map.caption" if show_pipeline else "map.public_caption"))
asked = filters.pipeline_query(st.query_params)  # a colleague's link with the pipeline's filters
if asked and not show_pipeline:  # kept in the URL: signing in applies them
    st.info(ui.t("map.pipeline_link_needs_signin", what=ui.t("map.list_separator").join(
        ui.t(f"map.pipeline_param.{key}") for key in asked)), icon="🔒")
managed = filters.QUERY_KEYS if show_pipeline else filters.PUBLIC_QUERY_KEYS

names = ui.district_names()
today = dt.date.today()
basemaps = mapview.available_basemaps()
from_url = filters.from_query(st.query_params, known_districts=set(names))
AGES = [0, 30, 90, 180, 365]  # 0: any time (a selectbox shows no None: it would read as nothing chosen)
LATEST, NO_COLOUR = "latest", "none"  # the period and colouring choices that stand for none

# --- filters in the sidebar, first filled from the URL ---
ui.init_widget("f_basemap", st.query_params.get("bm") if st.query_params.get("bm") in basemaps else mapview.default_basemap())
ui.init_widget("f_districts", list(from_url.districts))
ui.init_widget("f_kinds", list(from_url.kinds))
ui.init_widget("f_statuses", list(from_url.statuses))
ui.init_widget("f_industries", list(from_url.industries))
ui.init_widget("f_vacancy", (from_url.vacancy_pct[0] or 0.0, 100.0 if from_url.vacancy_pct[1] is None else from_url.vacancy_pct[1]))
for key, bounds in (("area", from_url.area_m2), ("rent", from_url.rent_cny_m2_month), ("lp", from_url.land_price_wan_mu)):
    ui.init_widget(f"f_{key}_min", bounds[0])
    ui.init_widget(f"f_{key}_max", bounds[1])
ui.init_widget("f_age", from_url.verified_within_days if from_url.verified_within_days in AGES else 0)
periods = {p.key: p for p in ui.reported_periods()} if show_pipeline else {}
if show_pipeline:  # the public's are left in the URL, for after signing in
    ui.init_widget("f_stages", list(from_url.stages))
    ui.init_widget("f_grades", list(from_url.grades))
    ui.init_widget("f_period", from_url.period if from_url.period in periods else LATEST)
colour_by = ui.colours_districts()
ui.init_widget("f_colour", NO_COLOUR)


def reset_filters():
    for key in [k for k in st.session_state if k.startswith("f_") and k != "f_basemap"]:
        del st.session_state[key]
    ui.sync_query({}, managed)


def range_inputs(label_key, key):
    st.caption(ui.t(label_key))
    low, high = st.columns(2)
    low.number_input(ui.t("filters.min"), min_value=0.0, key=f"f_{key}_min", label_visibility="collapsed",
                     placeholder=ui.t("filters.min"))
    high.number_input(ui.t("filters.max"), min_value=0.0, key=f"f_{key}_max", label_visibility="collapsed",
                      placeholder=ui.t("filters.max"))


with st.sidebar:
    st.selectbox(ui.t("filters.basemap"), list(basemaps), key="f_basemap", format_func=lambda k: ui.t(f"basemap.{k}"))
    st.subheader(ui.t("filters.title"))
    st.multiselect(ui.t("filters.district"), list(names), key="f_districts", format_func=names.get, placeholder=ui.t("common.all"), select_all=False)
    st.multiselect(ui.t("filters.kind"), summary.KINDS, key="f_kinds", format_func=lambda k: ui.label("kind", k), placeholder=ui.t("common.all"), select_all=False)
    st.multiselect(ui.t("filters.status"), list(mapview.STATUS_COLORS), key="f_statuses", format_func=lambda s: ui.label("status", s), placeholder=ui.t("common.all"), select_all=False)
    st.multiselect(ui.t("filters.industry"), list(filters.INDUSTRIES), key="f_industries", format_func=lambda s: ui.label("industry", s), placeholder=ui.t("common.all"), select_all=False)
    st.slider(ui.t("filters.vacancy"), 0.0, 100.0, step=5.0, key="f_vacancy")
    range_inputs("filters.area", "area")
    range_inputs("filters.rent", "rent")
    range_inputs("filters.land_price", "lp")
    st.selectbox(ui.t("filters.verified"), AGES, key="f_age",
                 format_func=lambda d: ui.t("filters.verified_within", days=d) if d else ui.t("filters.verified_any"))
    if show_pipeline:
        st.subheader(ui.t("filters.pipeline"))
        st.multiselect(ui.t("filters.stage"), [s.value for s in filters.Stage], key="f_stages", format_func=lambda s: ui.label("stage", s), placeholder=ui.t("common.all"), select_all=False)
        st.multiselect(ui.t("filters.grade"), list(filters.GRADES) + [filters.UNGRADED], key="f_grades",
                       format_func=lambda g: ui.t("filters.ungraded") if g == filters.UNGRADED else g, placeholder=ui.t("common.all"), select_all=False)
        st.selectbox(ui.t("filters.period"), [LATEST, *periods], key="f_period",
                     format_func=lambda k: periods[k].label(lang) if k in periods else ui.t("filters.period_latest"))
    if colour_by:
        st.selectbox(ui.t("filters.colour_by"), [NO_COLOUR, *mapdata.COLOUR_FIGURES], key="f_colour",
                     format_func=lambda f: ui.t(f"figure.{f}") if f in mapdata.COLOUR_FIGURES else ui.t("filters.colour_none"))
    st.button(ui.t("filters.reset"), on_click=reset_filters)

vacancy = st.session_state["f_vacancy"]
chosen = filters.Filters(
    districts=tuple(st.session_state["f_districts"]), kinds=tuple(st.session_state["f_kinds"]),
    statuses=tuple(st.session_state["f_statuses"]), industries=tuple(st.session_state["f_industries"]),
    vacancy_pct=(vacancy[0] or None, None if vacancy[1] >= 100 else vacancy[1]),
    area_m2=(st.session_state["f_area_min"], st.session_state["f_area_max"]),
    rent_cny_m2_month=(st.session_state["f_rent_min"], st.session_state["f_rent_max"]),
    land_price_wan_mu=(st.session_state["f_lp_min"], st.session_state["f_lp_max"]),
    verified_within_days=st.session_state["f_age"] or None,
    stages=tuple(st.session_state["f_stages"]) if show_pipeline else (),
    grades=tuple(st.session_state["f_grades"]) if show_pipeline else (),
    period=st.session_state["f_period"] if show_pipeline and st.session_state["f_period"] in periods else None,
)
basemap = basemaps[st.session_state["f_basemap"]]
query = filters.to_query(chosen) | ({} if basemap.key == mapview.default_basemap() else {"bm": basemap.key})
ui.sync_query(query, managed + ("bm",))

# --- the data the filters select ---
carriers = filters.filter_carriers(ui.carriers(), chosen, today)
shown_period = ui.period_projects(chosen.period) if show_pipeline and chosen.period else None
projects = filters.filter_projects(shown_period.projects if shown_period else ui.projects(), chosen) if show_pipeline else None
districts = ui.districts()
figures = summary.district_table(districts, carriers, projects)
shown = ui.projects_as_shown(projects) if projects is not None else None  # code names only, for leaders
figure = st.session_state["f_colour"] if colour_by and st.session_state["f_colour"] in mapdata.COLOUR_FIGURES else None
colour_period = (shown_period.period if shown_period else ui.period_now_due()) if figure else None
colours = ui.district_colours(figure, colour_period) if figure else None

city = summary.carrier_figures(carriers).iloc[0] if len(carriers) else None
kpis = st.columns(4) + (st.columns(4) if show_pipeline else [])
kpis[0].metric(ui.t("map.kpi.sites"), i18n.fmt_int(len(carriers), lang))
kpis[1].metric(ui.t("home.kpi.building_vacant"), i18n.fmt_area_large(city["building_vacant_m2"], lang) if city is not None else "–")
kpis[2].metric(ui.t("home.kpi.building_vacancy_rate"), i18n.fmt_percent(city["building_vacancy_rate"], lang) if city is not None else "–")
kpis[3].metric(ui.t("home.kpi.available_land"), i18n.fmt_mu(city["vacant_land_mu"], lang) if city is not None else "–")
if show_pipeline:
    pipe = summary.pipeline_figures(projects).iloc[0] if len(projects) else None
    kpis[4].metric(ui.t("map.kpi.projects"), i18n.fmt_int(len(projects), lang))
    kpis[5].metric(ui.t("home.kpi.investment"), i18n.fmt_cny_wan(pipe["investment_cny_wan"], lang, approx_eur=True) if pipe is not None else "–",
                   help=ui.eur_rate_note() or None)
    n_signed, signed_wan = ui.signed_in_year(projects, today.year)
    kpis[6].metric(ui.t("map.kpi.signed_year", year=today.year), i18n.fmt_int(n_signed, lang), help=ui.t("map.kpi.signed_help"))
    kpis[7].metric(ui.t("map.kpi.signed_amount_year", year=today.year), i18n.fmt_cny_wan(signed_wan, lang, approx_eur=True),
                   help=ui.eur_rate_note() or None)
    if shown_period:
        period_label = shown_period.period.label(lang)
        st.caption(ui.t("map.period_reported_caption", period=period_label))
        if shown_period.not_reported:
            st.caption(ui.t("map.period_not_reported", period=period_label,
                            districts=ui.t("map.list_separator").join(names[d] for d in shown_period.not_reported)))
if colours is not None:
    caption = "map.colour_caption_score" if figure in mapdata.SCORE_FIGURES else "map.colour_caption"
    st.caption(ui.t(caption, figure=ui.t(f"figure.{figure}"), period=colour_period.label(lang)))

built = mapview.build_map(mapview.MapContent(
    carriers=carriers, districts=districts, district_figures=figures, projects=shown, lang=lang, basemap=basemap,
    district_colours=colours,
))
if built.aggregated:
    st.info(ui.t("map.aggregated", n=len(carriers), limit=mapview.DETAIL_LIMIT))
elif carriers.empty:
    st.info(ui.t("map.none_selected"))
if projects is not None and len(projects) > mapview.DETAIL_LIMIT:
    st.info(ui.t("map.projects_heat_only", n=len(projects), limit=mapview.DETAIL_LIMIT))
if basemap.key != "offline":
    st.caption(ui.t("map.online_note") + (" " + ui.t("map.gcj_note") if basemap.gcj02 else ""))


def view_from_url():
    try:
        return (float(st.query_params["lat"]), float(st.query_params["lon"])), int(st.query_params["z"])
    except (KeyError, ValueError):
        return None, None


center, zoom = view_from_url()
map_column, record_column = st.columns([3, 1])
with map_column:
    clicked = st_folium(
        built.map, key="heatmap", height=mapview.MAP_HEIGHT, use_container_width=True,
        returned_objects=["last_object_clicked_tooltip"], center=center, zoom=zoom,
    )
project_key = mapview.key_column(shown) if shown is not None else "code"
candidates = list(carriers["code"]) + (list(shown[project_key]) if shown is not None else [])
code = mapview.clicked_code(clicked, candidates)
if code:
    st.session_state["selected_code"] = code

with record_column:
    selected = st.session_state.get("selected_code")
    carrier_rows = carriers[carriers["code"] == selected]
    project_rows = shown[shown[project_key] == selected] if shown is not None else pd.DataFrame()
    if len(carrier_rows):
        record = carrier_rows.iloc[0].to_dict()
        st.subheader(ui.t("map.record"))
        age = filters.verified_age_days(carrier_rows, today).iloc[0]
        if age != age or age > ui.stale_days():
            st.warning(ui.t("map.stale", days=ui.stale_days()))
        skip = ("geometry",) if ui.allowed(Action.VIEW_PRIVATE_CARRIERS) else ("geometry", "updated_by", "updated_at")
        st.table(display.record_table(record, "carrier", lang, names, skip=skip))
    elif len(project_rows):
        shown_record = project_rows.iloc[0].to_dict()
        st.subheader(ui.t("map.project_record"))
        st.table(display.record_table(shown_record, "project", lang, names))
        ui.record_viewed(shown_record[project_key], shown_record.get("district"), "map")  # a code name, in a code-name view
    else:
        st.caption(ui.t("map.click_hint"))

st.caption(ui.t("map.share"))
if districts["boundary"].notna().any():
    st.caption(ui.t("district.approximate") + " " + ui.t("attribution.outline"))

# --- downloads: built only when clicked ---
internal = ui.allowed(Action.VIEW_PRIVATE_CARRIERS)
st.caption(ui.t("map.downloads", n=len(carriers)))
stamp = today.strftime("%Y%m%d")


def excel_file() -> bytes:
    about = pd.DataFrame([
        (ui.t("export.about_date"), i18n.fmt_datetime(dt.datetime.now(dt.UTC).replace(tzinfo=None), lang)),
        (ui.t("export.about_filters"), "&".join(f"{k}={v}" for k, v in filters.to_query(chosen).items()) or ui.t("common.all")),
        (ui.t("export.about_crs"), ""),
    ] + ([(ui.t("export.about_sample"), "")] if ui.is_sample() else []), columns=["", " "])
    return export.to_excel({
        ui.t("export.sheet_sites"): export.carrier_table(carriers, lang, names, internal),
        ui.t("export.sheet_about"): about,
    })


def geojson_file() -> bytes:
    return export.to_geojson(carriers, sample=ui.is_sample(), internal=internal)


left, right, _ = st.columns([1, 1, 4])
# with private carriers in it, a download is confidential: recorded in the audit trail when fetched, and built
# only while the viewer may still see them
private = Action.VIEW_PRIVATE_CARRIERS if internal else None
ui.download(ui.t("map.download_excel"), excel_file, file_name=f"taicang-sites-{stamp}.xlsx", where=left, permission=private,
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", confidential=internal,
            detail={"carriers": len(carriers)})
ui.download(ui.t("map.download_geojson"), geojson_file, file_name=f"taicang-sites-{stamp}.geojson", where=right,
            permission=private, mime="application/geo+json", confidential=internal, detail={"carriers": len(carriers)})
