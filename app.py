"""太仓投资热力图 · Taicang Investment Heat Map — the Streamlit entry point: `streamlit run app.py`."""
import streamlit as st

from heatmap import ui

ui.setup_page()
ui.sidebar()

# Pages arrive with their issues; each is a thin file in pages/ that calls the library.
pages = [
    st.Page("pages/home.py", title=ui.t("nav.home"), icon=":material/home:", default=True, url_path="home"),
    st.Page("pages/map.py", title=ui.t("nav.map"), icon=":material/map:", url_path="map"),
]
st.navigation(pages).run()
