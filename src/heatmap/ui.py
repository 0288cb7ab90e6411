"""The one module of Streamlit glue: the shared store, cached data, the viewer, language and page chrome.

Everything else in the package runs without Streamlit. Pages import this and the pure modules.
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import streamlit as st

from heatmap import access, assets, auth, bootstrap, config, i18n
from heatmap.access import Action, Viewer
from heatmap.store import Store


# --- data ----------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """One store per server process; the database is created (and the sample loaded) on first use."""
    store = Store()
    bootstrap.ensure_database(store)
    return store


@st.cache_resource(show_spinner=False, max_entries=4)
def _carriers(data_version: int) -> gpd.GeoDataFrame:
    # cache_resource hands out the shared frame (no copy per rerun): callers must not mutate it.
    return get_store().carriers()


@st.cache_resource(show_spinner=False, max_entries=4)
def _projects(data_version: int) -> gpd.GeoDataFrame:
    return get_store().projects()


@st.cache_resource(show_spinner=False, max_entries=2)
def _districts(data_version: int) -> gpd.GeoDataFrame:
    return get_store().districts()


@st.cache_resource(show_spinner=False, max_entries=8)
def _projects_at(data_version: int, day: dt.date) -> gpd.GeoDataFrame:
    end_of_day = dt.datetime.combine(day, dt.time.max)
    return get_store().frame_at("project", end_of_day)


def data_version() -> int:
    return get_store().data_version()


def carriers() -> gpd.GeoDataFrame:
    """The carriers this viewer may see (shared, read-only)."""
    return access.visible_carriers(viewer(), _carriers(data_version()))


def projects() -> gpd.GeoDataFrame:
    """The project records this viewer may read: empty for the public."""
    return access.visible_projects(viewer(), _projects(data_version()))


def projects_as_of(day: dt.date | None) -> gpd.GeoDataFrame:
    """The project records this viewer may read, as they stood at the end of `day` (None: now)."""
    frame = _projects(data_version()) if day is None else _projects_at(data_version(), day)
    return access.visible_projects(viewer(), frame)


def report_dates() -> list[dt.date]:
    """The days on which project reports were saved, newest first (the choices of reporting period)."""
    return sorted({moment.date() for moment in get_store().version_dates("project")}, reverse=True)


def districts() -> gpd.GeoDataFrame:
    return _districts(data_version())


def district_names() -> dict[str, str]:
    """District code -> name in the current language."""
    return {row["code"]: i18n.district_name(row, lang()) for _, row in districts().iterrows()}


def is_sample() -> bool:
    return get_store().get_meta("dataset") == "sample"


def stale_days() -> int:
    return config.stale_after_days()


def data_date() -> dt.date | None:
    value = get_store().get_meta("data_date")
    return dt.date.fromisoformat(value) if value else None


# --- language and viewer -------------------------------------------------------------------------


def lang() -> str:
    """The session's language. A link's ?lang= sets it (a shared link opens in the sender's language);
    switching pages drops query parameters, so the session remembers it and puts it back in the URL."""
    if "lang" in st.query_params:
        st.session_state["lang"] = i18n.normalize_language(st.query_params["lang"])
    current = st.session_state.get("lang", i18n.DEFAULT_LANGUAGE)
    if current != i18n.DEFAULT_LANGUAGE and st.query_params.get("lang") != current:
        st.query_params["lang"] = current
    return current


def t(key: str, **params) -> str:
    return i18n.t(key, lang(), **params)


def label(vocabulary: str, value) -> str:
    return i18n.label(vocabulary, value, lang())


def viewer() -> Viewer:
    return st.session_state.get("viewer", access.PUBLIC)


def allowed(action: Action, district: str | None = None) -> bool:
    return access.allowed(viewer(), action, district)


# --- widgets bound to the URL -------------------------------------------------------------------


def init_widget(key: str, value) -> None:
    """Give a widget its first value (from the URL) once; afterwards the widget keeps its own state."""
    if key not in st.session_state:
        st.session_state[key] = value


def sync_query(params: dict[str, str], managed: tuple[str, ...]) -> None:
    """Make the URL hold exactly `params` among the `managed` keys (others, like lang, stay)."""
    for key in managed:
        if key not in params and key in st.query_params:
            del st.query_params[key]
    for key, value in params.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


# --- chrome --------------------------------------------------------------------------------------


def setup_page() -> None:
    """Page config and local map assets; call first in app.py."""
    _ensure_app_shell()
    st.set_page_config(page_title=i18n.t("app.page_title", lang()), page_icon="🗺️", layout="wide")
    assets.ensure_static_assets()


def _set_language() -> None:
    st.session_state["lang"] = st.session_state["language_choice"]
    st.query_params["lang"] = st.session_state["language_choice"]


def sidebar() -> None:
    """Language switch and sign-in, on every page."""
    with st.sidebar:
        st.radio(
            i18n.t("sidebar.language", lang()),
            options=list(i18n.LANGUAGES),
            format_func=lambda code: {"zh": "中文", "en": "English"}[code],
            index=list(i18n.LANGUAGES).index(lang()),
            key="language_choice",
            on_change=_set_language,
            horizontal=True,
        )
        current = viewer()
        if current.signed_in:
            st.caption(t("sidebar.signed_in_as", name=current.display_name, role=label("role", current.role.value)))
            if st.button(t("sidebar.signout"), key="signout"):
                del st.session_state["viewer"]
                st.rerun()
        else:
            st.caption(t("sidebar.public_view"))
            with st.expander(t("sidebar.signin")):
                with st.form("signin", clear_on_submit=True):
                    username = st.text_input(t("sidebar.username"))
                    password = st.text_input(t("sidebar.password"), type="password")
                    if st.form_submit_button(t("sidebar.signin_button")):
                        signed_in = auth.authenticate(get_store(), username, password)
                        if signed_in is None:
                            st.error(t("sidebar.signin_failed"))
                        else:
                            st.session_state["viewer"] = signed_in
                            st.rerun()


def sample_notice() -> None:
    """Every page that shows sample data says so, at the top."""
    if is_sample():
        st.warning(t("sample.notice"), icon="⚠️")


def _ensure_app_shell() -> None:
    """Run every page through app.py and st.navigation only.

    Streamlit still has its old `pages/` mode, on until some session has called st.navigation: then a
    page opened by its own URL (a shared link to /map, say) runs alone, without app.py, and even app.py
    runs wrapped in that mode, so its widgets get other ids than in every later run (the first form a
    new server shows would lose what was typed into it). Switch the process to st.navigation (what
    st.navigation itself does) and run again.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_header(title_key: str) -> None:
    """The top of every page: its title and, while the sample is loaded, the sample notice."""
    _ensure_app_shell()
    st.title(t(title_key))
    sample_notice()
