"""Matching (点对点精准对接): a project's needs against every available site, ranked and explained;
for staff also the other way round; for investors an inquiry to the site's district."""
import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from heatmap import display, i18n, matching, mapview, summary, ui
from heatmap.access import Action
from heatmap.model import CARRIER_FIELD, GRADES, INDUSTRIES, Category, CarrierKind, price_field
from heatmap.pipeline import library

lang = ui.lang()
ui.page_header("matching.title")
st.caption(ui.t("matching.caption"))
today = dt.date.today()
stale_days = ui.stale_days()
names = ui.district_names()
show_pipeline = ui.allowed(Action.VIEW_PIPELINE)
SHOWN = 50  # results listed (every eligible site is scored; these are the best)
EXPLAINED = 10  # of those, explained one by one

with st.expander(ui.t("matching.how")):
    st.write(ui.t("matching.how_text"))
    st.table(pd.DataFrame({"": [ui.t("matching.points", weight=w) for w in matching.WEIGHTS.values()]},
                          index=[ui.t(f"criterion.{k}") for k in matching.WEIGHTS]))
    st.caption(ui.t("matching.how_ties"))

tabs = st.tabs([ui.t("matching.tab_sites")] + ([ui.t("matching.tab_projects")] if show_pipeline else []))


def prefill_from_project():
    """Staff pick a pipeline project: its stated needs fill the form."""
    code = st.session_state.get("m_project")
    projects = ui.projects()
    rows = projects[projects["code"] == code]
    if rows.empty:
        return
    needs = matching.needs_from_project(rows.iloc[0].to_dict())
    st.session_state.update({
        "m_kind": needs.space_kind, "m_category": needs.category, "m_sector": needs.sector,
        "m_area_min": needs.area[0], "m_area_max": needs.area[1], "m_clear_height": needs.clear_height_m,
        "m_floor_load": needs.floor_load_kn_m2, "m_crane": needs.crane_t, "m_power": needs.power_kva,
        "m_budget": None, "m_districts": list(needs.districts),
        "m_wanted_by": dt.date.fromisoformat(str(needs.wanted_by)[:10]).replace(day=1) if needs.wanted_by else None,
    })


def optional_number(label, key, step=1.0):
    return st.number_input(label, min_value=0.0, value=None, step=step, key=key, placeholder=ui.t("matching.any"))


with tabs[0]:
    st.subheader(ui.t("matching.needs"))
    if show_pipeline:
        visible = {r["code"]: r for r in ui.projects().to_dict("records")}
        st.selectbox(ui.t("matching.prefill"), [None, *visible], key="m_project", on_change=prefill_from_project,
                     format_func=lambda c: ui.t("matching.prefill_none") if c is None else
                     library.project_label(visible[c], ui.viewer(), lang))
    ui.init_widget("m_kind", CarrierKind.PLANT.value)
    first, second, third = st.columns(3)
    kind = first.selectbox(ui.t("matching.space_kind"), [k.value for k in CarrierKind], key="m_kind",
                           format_func=lambda k: ui.label("kind", k))
    is_land = kind == CarrierKind.LAND.value
    category = second.selectbox(ui.t("matching.category"), [None] + [c.value for c in Category], key="m_category",
                                format_func=lambda c: ui.t("matching.any") if c is None else ui.label("category", c))
    sector = third.selectbox(ui.t("matching.sector"), [None, *INDUSTRIES], key="m_sector",
                             format_func=lambda s: ui.t("matching.any") if s is None else ui.label("industry", s))
    first, second, third = st.columns(3)
    area_label = ui.t("matching.area_land" if is_land else "matching.area_building")
    area_min = first.number_input(f"{area_label} · {ui.t('matching.min')}", min_value=0.0, value=None, key="m_area_min",
                                  placeholder=ui.t("matching.any"))
    area_max = second.number_input(f"{area_label} · {ui.t('matching.max')}", min_value=0.0, value=None, key="m_area_max",
                                   placeholder=ui.t("matching.any"))
    budget = third.number_input(ui.t("matching.budget_land" if is_land else "matching.budget_building"), min_value=0.0,
                                value=None, key="m_budget", placeholder=ui.t("matching.any"))
    clear_height = floor_load = crane = power = None
    if kind in (CarrierKind.PLANT.value, CarrierKind.OTHER.value):
        first, second, third, fourth = st.columns(4)
        with first:
            clear_height = optional_number(ui.t("matching.clear_height"), "m_clear_height", 0.5)
        with second:
            floor_load = optional_number(ui.t("matching.floor_load"), "m_floor_load", 5.0)
        with third:
            crane = optional_number(ui.t("matching.crane"), "m_crane", 1.0)
        with fourth:
            power = optional_number(ui.t("matching.power"), "m_power", 100.0)
    first, second = st.columns([3, 1])
    preferred = first.multiselect(ui.t("matching.districts"), list(names), key="m_districts", format_func=names.get,
                                  placeholder=ui.t("matching.any"), select_all=False)
    # by month, from lists in the reader's language (a date picker would name the months in English)
    months = matching.months_ahead(today, 36, st.session_state.get("m_wanted_by"))
    wanted_by = second.selectbox(ui.t("matching.wanted_by"), [None, *months], key="m_wanted_by",
                                 format_func=lambda m: ui.t("matching.any") if m is None else i18n.fmt_month(m, lang))

    needs = matching.Needs(
        space_kind=kind, category=category, sector=sector, area=(area_min or None, area_max or None),
        clear_height_m=clear_height, floor_load_kn_m2=floor_load, crane_t=crane, power_kva=power, budget=budget or None,
        districts=tuple(preferred), wanted_by=wanted_by,
    )
    eligible = matching.rank(ui.matching_carriers(), needs, limit=SHOWN)

    def misses(row) -> str:
        return "；".join(display.reason_text(r, lang, names) for r in matching.explain(row, needs) if not r.met)

    def result_table(frame: pd.DataFrame) -> pd.DataFrame:
        unit = ui.t("unit.mu") if is_land else ui.t("unit.m2")
        return pd.DataFrame({
            "rank": frame["rank"], "code": frame["code"],
            "name": display.names_of(frame, lang),
            "district": frame["district"].map(names), "score": frame["score"],
            "offered": frame["fact_offered"].map(lambda v: f"{i18n.fmt_decimal(v, lang, 1 if is_land else 0)} {unit}"),
            "price": [display.carrier_value_text(r, CARRIER_FIELD[price_field(r["kind"])], lang, names)
                      for _, r in frame.iterrows()],
            "misses": [misses(r) for _, r in frame.iterrows()],
        })

    columns = {"rank": ui.t("matching.col.rank"), "code": ui.t("field.code"), "name": ui.t("field.name"),
               "district": ui.t("field.district"),
               "score": st.column_config.ProgressColumn(ui.t("matching.col.score"), min_value=0, max_value=100, format="%.1f"),
               "offered": ui.t("matching.col.offered"),
               "price": ui.t("matching.col.price"),
               "misses": ui.t("matching.col.misses")}

    def explain_block(row):
        title = ui.t("matching.why_for", code=row["code"], name=display.name_of(row, lang), score=f"{row['score']:.1f}")
        with st.expander(f"#{row['rank']} · {title}"):
            for reason in matching.explain(row, needs):
                st.markdown(("✅ " if reason.met else "❌ ") + display.reason_text(reason, lang, names).replace("*", "\\*"))
            if not ui.viewer().signed_in:
                st.markdown(f"**{ui.t('inquiry.title')}**")
                ui.inquiry_form(row.to_dict(), key=row["code"])

    if len(eligible):
        st.subheader(ui.t("matching.results", n=eligible.attrs["eligible"]))
        st.dataframe(result_table(eligible), hide_index=True, column_config=columns, key="m_results")
        st.markdown(f"**{ui.t('matching.why')}**")
        for _, row in eligible.head(EXPLAINED).iterrows():
            explain_block(row)
    else:
        st.warning(ui.t("matching.no_results"))
        nearest = matching.near_misses(ui.matching_carriers(), needs, limit=EXPLAINED)
        st.subheader(ui.t("matching.near_misses"))
        st.dataframe(result_table(nearest), hide_index=True, column_config=columns)
        for _, row in nearest.iterrows():
            explain_block(row)

    if len(eligible):
        st.subheader(ui.t("matching.map"))
        top = eligible
        districts = ui.districts()
        built = mapview.build_map(mapview.MapContent(
            carriers=top, districts=districts, district_figures=summary.district_table(districts, top, None), lang=lang,
            basemap=mapview.available_basemaps()[mapview.default_basemap()], show={"supply_heat": False},
        ))
        st_folium(built.map, key="matching_map", height=480, use_container_width=True, returned_objects=[])

        st.subheader(ui.t("matching.compare"))
        picked = st.multiselect(ui.t("matching.compare_pick"), list(top["code"]), max_selections=3, key="m_compare",
                                default=list(top["code"][:2]), select_all=False)
        if picked:
            compared = top.assign(name=display.names_of(top, lang)).set_index("code").loc[picked]
            fields = ["name", "kind", "district", "status", "area_m2", "vacant_m2",
                      "land_price_wan_mu" if is_land else "rent_cny_m2_month", "clear_height_m", "floor_load_kn_m2", "crane_t",
                      "power_kva", "industries", "verified_on"]
            table = pd.DataFrame(
                {code: [display.carrier_value_text(compared.loc[code], CARRIER_FIELD[f], lang, names) for f in fields]
                 + [f"{compared.loc[code, 'score']:.1f}"] for code in picked},
                index=[ui.t(f"field.{f}") for f in fields] + [ui.t("matching.col.score")],
            )
            st.table(table)

if show_pipeline:
    with tabs[1]:
        vacant = ui.carriers()
        vacant = vacant[(vacant["vacant_m2"].fillna(0) > 0) & (vacant["status"] != "occupied")]
        if ui.viewer().district:  # staff start from their own district's sites
            own = vacant[vacant["district"] == ui.viewer().district]
            vacant = own if len(own) else vacant
        labels = dict(zip(vacant["code"], vacant["name"]))
        code = st.selectbox(ui.t("matching.pick_carrier"), list(vacant["code"]), key="m_carrier",
                            format_func=lambda c: f"{c} {labels[c]}")
        projects = ui.projects()
        if code and len(projects):
            carrier = vacant[vacant["code"] == code].iloc[0].to_dict()
            fitting = matching.projects_for_carrier(carrier, projects, today, stale_days)
            st.subheader(ui.t("matching.projects_for", code=code))
            # names and investors for those who work the projects; a leader reads code names (as on every page)
            named = {"name": fitting["name"], "investor": fitting["investor"]} if library.sees_names(ui.viewer()) \
                else {"code_name": fitting["code_name"]}
            st.dataframe(pd.DataFrame({
                "rank": fitting["rank"], "code": fitting["code"], **named,
                "stage": fitting["stage"].map(lambda s: ui.label("stage", s)), "district": fitting["district"].map(names),
                "grade": fitting["grade"], "eligible": fitting["eligible"], "score": fitting["score"],
            }), hide_index=True, column_config={
                "rank": ui.t("matching.col.rank"), "code": ui.t("field.code"), "name": ui.t("field.name"),
                "investor": ui.t("field.investor"), "code_name": ui.t("field.code_name"), "stage": ui.t("field.stage"), "district": ui.t("field.district"),
                "grade": st.column_config.SelectboxColumn(ui.t("field.grade"), options=list(GRADES)),
                "eligible": st.column_config.CheckboxColumn(ui.t("matching.col.project_eligible")),
                "score": st.column_config.ProgressColumn(ui.t("matching.col.score"), min_value=0, max_value=100, format="%.1f"),
            })
        elif not len(projects):
            st.info(ui.t("matching.no_projects"))
