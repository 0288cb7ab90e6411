"""Bi-monthly reports (每两月上报): each district submits its pipeline for the period that has ended — nothing
typed again, only what changed is shown to confirm — and leaders see which districts are late and the city's
report, with an Excel download. Confidential: staff see their own district, the office and leaders all."""
import streamlit as st

from heatmap import export, i18n, ui
from heatmap.access import Action
from heatmap.model import ValidationError
from heatmap.pipeline import library, reports, rulebook, workflow
from heatmap.store import Conflict

lang = ui.lang()
viewer = ui.confidential_page("reports.title", "reports.caption", Action.VIEW_REPORTS)

store = ui.get_store()
names = ui.district_names()
rules = workflow.rules(store)
today = workflow.today_in_taicang()
due_now = workflow.period_to_report(today, rules)
choices = [due_now.shifted(-n, rules) for n in range(0, 6)]
period = st.selectbox(ui.t("reports.period"), choices, format_func=lambda p: f"{p.label(lang)} · "
                      f"{ui.t('reports.due', due=i18n.fmt_date(p.due, lang))}", key="r_period")
districts = [d for d in names if ui.allowed(Action.VIEW_REPORTS, d)]  # staff: their own district
status = reports.status(period, workflow.submissions(store), districts, today)

st.subheader(ui.t("reports.status"))
st.dataframe(reports.status_table(status, lang, names), hide_index=True, width="stretch")
projects = ui.projects()

if viewer.district and ui.allowed(Action.SUBMIT_REPORTS, viewer.district):
    district = viewer.district
    st.subheader(ui.t("reports.to_confirm", district=names.get(district, district)))
    last = workflow.reported_snapshot(store, district, period) or workflow.previous_reported(store, district, period, rules)
    mine = projects[projects["district"] == district]
    rows = reports.prefill(mine, last)
    st.dataframe(library.prefill_table(rows, lang, names), hide_index=True, width="stretch")
    submitted = workflow.latest_report_id(store, district, period) is not None
    if "r_done" in st.session_state:
        st.success(st.session_state.pop("r_done"))
    with st.form("r_submit"):
        note = st.text_input(ui.t("reports.note"), max_chars=500)
        label = ui.t("reports.correct" if submitted else "reports.submit", period=period.label(lang))
        if st.form_submit_button(label, type="primary"):
            try:
                report_id = workflow.submit(store, district, period, projects, user=viewer.username, note=note or None)
            except Conflict:
                st.warning(ui.t("reports.changed_meanwhile"))
            except ValidationError as error:
                for problem in error.problems[:20]:
                    st.error(i18n.problem_text(problem, lang))
            else:
                st.session_state["r_done"] = ui.t("reports.submitted", n=len(mine), period=period.label(lang))
                st.rerun()
    diff = workflow.district_diff(store, district, period, projects, rules)
    tables = reports.report_tables(diff, lang, names, show_names=True, rules=rulebook.rules(store, "projects"))
else:
    st.subheader(ui.t("reports.city"))
    city = ui.city_report(period)
    tables = reports.report_tables(city, lang, names, show_names=library.sees_names(viewer),
                                   rules=rulebook.rules(store, "projects"))

st.subheader(ui.t("reports.changes"))
for title, table in tables.items():
    with st.expander(f"{title} ({len(table)})", expanded=title == next(iter(tables))):
        st.dataframe(table, hide_index=True, width="stretch")
ui.download(ui.t("reports.download"), lambda: export.to_excel(tables), key="r_download",
            permission=Action.VIEW_REPORTS, district=viewer.district,
            file_name=f"taicang-report-{period.key}.xlsx", target_district=viewer.district,
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", detail={"period": period.key})
