"""太仓投资热力图 · Taicang Investment Heat Map — the Streamlit entry point: `streamlit run app.py`."""
import streamlit as st

from heatmap import ui
from heatmap.access import Action

ui.setup_page()
ui.sidebar()

# Pages arrive with their issues; each is a thin file in pages/ that calls the library.
pages = [
    st.Page("pages/home.py", title=ui.t("nav.home"), icon=":material/home:", default=True, url_path="home"),
    st.Page("pages/map.py", title=ui.t("nav.map"), icon=":material/map:", url_path="map"),
    st.Page("pages/vacancy.py", title=ui.t("nav.vacancy"), icon=":material/domain_disabled:", url_path="vacancy"),
    st.Page("pages/matching.py", title=ui.t("nav.matching"), icon=":material/join_inner:", url_path="matching"),
]
if ui.allowed(Action.VIEW_PIPELINE):
    pages.append(st.Page("pages/projects.py", title=ui.t("nav.projects"), icon=":material/work:", url_path="projects"))
if ui.allowed(Action.VIEW_REPORTS):
    pages.append(st.Page("pages/reports.py", title=ui.t("nav.reports"), icon=":material/event_note:", url_path="reports"))
# Confidential pages opened by their URL without the right show their refusal (hidden from the menu).
shown = "visible" if ui.allowed(Action.VIEW_PIPELINE) else "hidden"
pages.append(st.Page("pages/first_reports.py", title=ui.t("nav.first_reports"), icon=":material/flag:",
                     url_path="first-reports", visibility=shown))
pages.append(st.Page("pages/transfers.py", title=ui.t("nav.transfers"), icon=":material/swap_horiz:",
                     url_path="transfers", visibility=shown))
if ui.allowed(Action.RESOLVE_DUPLICATES):
    pages.append(st.Page("pages/duplicates.py", title=ui.t("nav.duplicates"), icon=":material/call_merge:",
                         url_path="duplicates"))
if ui.allowed(Action.EDIT_CARRIERS):
    pages.append(st.Page("pages/upload.py", title=ui.t("nav.upload"), icon=":material/upload_file:", url_path="upload"))
if ui.allowed(Action.HANDLE_INQUIRIES):
    pages.append(st.Page("pages/inquiries.py", title=ui.t("nav.inquiries"), icon=":material/mail:", url_path="inquiries"))
st.navigation(pages).run()
