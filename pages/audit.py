"""Audit trail (审计日志): who did what, when and from where — administrators only. Filter by dates (Taicang
time), account, action and district; export the filtered list as CSV or Excel (the export is itself recorded).
Nothing here edits or removes an entry: the store offers no way to, and the database refuses it."""
import streamlit as st

from heatmap import auditview, i18n, ui
from heatmap.access import Action
from heatmap.pipeline import workflow

lang = ui.lang()
viewer = ui.confidential_page("audit.title", "audit.caption", Action.VIEW_AUDIT)
store = ui.get_store()
names = ui.district_names()
today = workflow.today_in_taicang()

dates_column, actor_column, action_column, district_column = st.columns([2, 1, 2, 1])
dates = dates_column.date_input(ui.t("audit.filter.dates"), value=auditview.default_dates(today), max_value=today,
                                format="YYYY-MM-DD", key="a_dates")
actor = actor_column.selectbox(ui.t("audit.filter.actor"), [None, *store.audit_actors()], key="a_actor",
                               format_func=lambda a: a or ui.t("audit.filter.any_actor"))
actions = action_column.multiselect(ui.t("audit.filter.action"), auditview.action_choices(), key="a_actions",
                                    format_func=lambda a: auditview.action_name(a, lang), placeholder=ui.t("common.all"))
district = district_column.selectbox(ui.t("audit.filter.district"), [None, *names], key="a_district",
                                     format_func=lambda d: names[d] if d else ui.t("audit.filter.any_district"),
                                     help=ui.t("audit.filter.district_help"))
if not (isinstance(dates, tuple) and len(dates) == 2):  # the first day picked, the last not yet
    st.info(ui.t("audit.filter.bad_dates"))
    st.stop()

first, last = dates
since, until = auditview.utc_range(first, last)
events = store.audit_events(since=since, until=until, actor=actor, action=actions or None, district=district,
                            limit=auditview.SHOWN_AT_MOST + 1)
if len(events) > auditview.SHOWN_AT_MOST:
    st.warning(ui.t("audit.count_limited", limit=i18n.fmt_int(auditview.SHOWN_AT_MOST, lang)))
    events = events.iloc[:auditview.SHOWN_AT_MOST]
else:
    st.caption(ui.t("audit.count", n=i18n.fmt_int(len(events), lang)))
if events.empty:
    st.info(ui.t("audit.none"))
    st.stop()

shown = auditview.table(events, lang, names)
st.dataframe(shown, hide_index=True, width="stretch")

filters = auditview.filters_detail(first, last, actor, actions, district)
csv_column, excel_column, _ = st.columns([1, 1, 4])
ui.download(ui.t("audit.download_csv"), lambda: auditview.to_csv(shown), where=csv_column, key="a_csv",
            file_name=auditview.file_name(first, last, "csv"), mime="text/csv",
            detail={"format": "csv", "rows": len(shown), **filters})
ui.download(ui.t("audit.download_excel"), lambda: auditview.to_excel(shown, lang), where=excel_column, key="a_excel",
            file_name=auditview.file_name(first, last, "xlsx"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            detail={"format": "xlsx", "rows": len(shown), **filters})
st.caption(ui.t("audit.export_note"))
