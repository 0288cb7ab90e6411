"""The one module of Streamlit glue: the shared store, cached data, the viewer, language and page chrome.

Everything else in the package runs without Streamlit. Pages import this and the pure modules.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Any, Callable

import geopandas as gpd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_run_context_attr import SCRIPT_RUN_CONTEXT_ATTR_NAME

from heatmap import access, assets, auth, bootstrap, config, i18n, inquiries, mapview, matching, vacancy
from heatmap.access import Action, Viewer
from heatmap.model import ValidationError
from heatmap.pipeline import mapdata, reports, scoreboard, scoreboard_inputs, workflow
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
    """The carriers this viewer may see (shared, read-only); for the public without stale records when
    an administrator chose so."""
    hide = None
    if hide_stale_from_public():
        days = stale_days()
        hide = lambda frame: vacancy.hide_stale(frame, dt.date.today(), days)  # noqa: E731
    return access.visible_carriers(viewer(), _carriers(data_version()), hide)


@st.cache_resource(show_spinner=False, max_entries=4)
def _matching_arrays(data_version: int, private: bool, hide_stale: bool, stale: int, today: dt.date) -> matching.Prepared:
    return matching.prepare(carriers(), today, stale)  # the arguments fix what carriers() returns


def matching_carriers() -> matching.Prepared:
    """The carriers this viewer may see, prepared for matching once per data version (a changed need is
    then answered in milliseconds)."""
    return _matching_arrays(data_version(), allowed(Action.VIEW_PRIVATE_CARRIERS), hide_stale_from_public(), stale_days(),
                            dt.date.today())


HISTORY_FIELDS = ("code", "name", "district", "kind", "area_m2", "leasable_m2", "vacant_m2", "is_public")


@st.cache_resource(show_spinner=False, max_entries=4)
def _carrier_history(data_version: int, moments: tuple[dt.datetime, ...]) -> list[dict]:
    return get_store().states_at("carrier", list(moments), fields=HISTORY_FIELDS)


def carrier_history(moments: list[dt.datetime]) -> list[tuple[dt.datetime, dict]]:
    """The carriers (a few fields) this viewer may see, as they stood at each moment."""
    states = _carrier_history(data_version(), tuple(moments))
    if not access.allowed(viewer(), Action.VIEW_PRIVATE_CARRIERS):
        states = [{code: rec for code, rec in state.items() if rec.get("is_public", True)} for state in states]
    return list(zip(moments, states))


def carrier_version_times() -> list[dt.datetime]:
    return get_store().version_dates("carrier")


def projects() -> gpd.GeoDataFrame:
    """The project records this viewer may read: empty for the public."""
    return access.visible_projects(viewer(), _projects(data_version()))


# --- the pipeline by reporting period (the data version grows with every submitted report too) ---------


@st.cache_resource(show_spinner=False, max_entries=2)
def _reported_periods(data_version: int) -> list[reports.Period]:
    store = get_store()
    return mapdata.reported_periods(store, workflow.rules(store))


def reported_periods() -> list[reports.Period]:
    """The reporting periods for which some district submitted, newest first (the map's period choices)."""
    return _reported_periods(data_version())


def period_of_key(key: str) -> reports.Period:
    return reports.period_from_key(key, workflow.rules(get_store()))


@st.cache_resource(show_spinner=False, max_entries=8)
def _period_projects(data_version: int, period_key: str) -> mapdata.PeriodProjects:
    period = period_of_key(period_key)
    codes = list(districts()["code"])
    return mapdata.period_projects(get_store(), period, codes, _projects_at(data_version, period.end))


def period_projects(period_key: str) -> mapdata.PeriodProjects:
    """What a reporting period shows of the pipeline, as far as this viewer may read it: staff their own
    district's records, and of the districts not reported only their own."""
    shown = _period_projects(data_version(), period_key)
    late = tuple(d for d in shown.not_reported if allowed(Action.VIEW_PIPELINE, d))
    return dataclasses.replace(shown, projects=access.visible_projects(viewer(), shown.projects), not_reported=late)


def projects_as_shown(projects: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The project records as a shared surface (the map) shows them to this viewer (code names for leaders)."""
    return mapdata.as_shown(projects, viewer(), workflow.project_rules(get_store()))


@st.cache_resource(show_spinner=False, max_entries=4)
def _city_report(data_version: int, period_key: str) -> reports.CityReport:
    store = get_store()
    return workflow.city_report(store, period_of_key(period_key), _projects(data_version), list(districts()["code"]),
                                workflow.rules(store))


def city_report(period: reports.Period) -> reports.CityReport:
    """The period's report for the whole city (for readers of every district), built once per data version."""
    return _city_report(data_version(), period.key)


@st.cache_resource(show_spinner=False, max_entries=16)
def _signed_in_year(data_version: int, codes: tuple[str, ...], year: int) -> tuple[int, float]:
    frame = _projects(data_version)
    return workflow.signed_in_year(get_store(), frame[frame["code"].isin(codes)], year)


def signed_in_year(projects: gpd.GeoDataFrame, year: int) -> tuple[int, float]:
    """Of these (visible) projects: how many were signed in `year` and for how much (万元 CNY), each once."""
    return _signed_in_year(data_version(), tuple(sorted(projects["code"])), year)


def colours_districts() -> bool:
    """Whether this viewer may colour the map's districts by a report figure: those who read every district's
    reports (leaders, the office, administrators; not staff, who read their own district's)."""
    return all(allowed(Action.VIEW_REPORTS, district) for district in districts()["code"])


def period_now_due() -> reports.Period:
    store = get_store()
    return workflow.period_to_report(workflow.today_in_taicang(), workflow.rules(store))


def district_colours(figure: str | None, period: reports.Period) -> mapview.DistrictColours | None:
    """The map's colouring of the districts by one figure of the period's city report or scoreboard (None:
    no figure chosen, or a viewer who may not colour the districts)."""
    if figure is None or not colours_districts():
        return None
    if figure in mapdata.SCORE_FIGURES:
        values = mapdata.score_figure(scoreboard_board(period.key), figure)
    else:
        values = mapdata.district_figure(city_report(period), figure)
    return mapview.DistrictColours(title=t("map.colour_title", figure=t(f"figure.{figure}"), period=period.label(lang())),
                                   values=values.to_dict(), money=figure in mapdata.MONEY_FIGURES,
                                   decimals=mapdata.figure_decimals(figure))


@st.cache_resource(show_spinner=False, max_entries=8)
def _scoreboard(data_version: int, rules_version: int | None, period_key: str, today: dt.date) -> scoreboard.Board:
    store = get_store()
    return scoreboard_inputs.board(store, period_of_key(period_key), list(districts()["code"]), today)


def scoreboard_rules_version() -> int | None:
    return scoreboard_inputs.rules(get_store())[0]


def scoreboard_board(period_key: str) -> scoreboard.Board:
    """The period's scoreboard, built once per data version, rules version and day (report status moves
    with the date). Every district's row: the ranking is shared with every signed-in reader of reports."""
    return _scoreboard(data_version(), scoreboard_rules_version(), period_key, workflow.today_in_taicang())


def districts() -> gpd.GeoDataFrame:
    return _districts(data_version())


def district_names() -> dict[str, str]:
    """District code -> name in the current language."""
    return {row["code"]: i18n.district_name(row, lang()) for _, row in districts().iterrows()}


def is_sample() -> bool:
    return get_store().get_meta("dataset") == "sample"


def stale_days() -> int:
    """How old a record may be before it is stale: the administrators' setting, else configuration."""
    value = get_store().get_meta("stale_days")
    return int(value) if value and value.isdigit() else config.stale_after_days()


def hide_stale_from_public() -> bool:
    return get_store().get_meta("hide_stale_from_public") == "1"


def save_freshness_settings(days: int, hide: bool) -> None:
    if allowed(Action.MANAGE_SETTINGS):
        get_store().set_meta("stale_days", str(int(days)))
        get_store().set_meta("hide_stale_from_public", "1" if hide else "0")


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


def refuse() -> None:
    """The notice of a page (or part of one) this viewer may not open, and nothing more (the script stops):
    the public is asked to sign in (the URL, with its parameters, is kept, so signing in shows the page);
    a signed-in account is told the page is not open to its role."""
    current = viewer()
    if current.signed_in:
        st.warning(t("access.not_for_role", role=label("role", current.role.value)), icon="🔒")
    else:
        st.info(t("projects.not_allowed"))
    st.stop()


def confidential_page(title_key: str, caption_key: str, action: Action) -> Viewer:
    """The top of a confidential page: its title, and for a viewer without `action` the refusal (`refuse`)
    and nothing more; otherwise its caption. Returns the viewer."""
    page_header(title_key)
    if not allowed(action):
        refuse()
    st.caption(t(caption_key))
    return viewer()


def confidential_nav_page(action: Action, path: str, title_key: str, icon: str, url_path: str) -> st.Page:
    """A confidential page for the navigation: listed for those allowed `action`; for anyone else only its
    URL reaches it, where `confidential_page` refuses (nothing of the pipeline is sent)."""
    return st.Page(path, title=t(title_key), icon=icon, url_path=url_path, visibility="visible" if allowed(action) else "hidden")


# --- downloads -------------------------------------------------------------------------------------


def download_button(label: str, build: Callable[[], Any], *, action: Action | None = None, district: str | None = None,
                    where: Any = None, **kwargs) -> None:
    """A download button whose file is built only when clicked (no rerun), for the viewer as they are then.

    Streamlit runs the build outside the script, in a worker thread without the session: here it runs with
    the session's context (its viewer and language, so a file's sheet names follow the page's language), and
    `allowed(action, district)` is asked again first. A viewer who lost the right since the page was drawn
    (signed out elsewhere, a session expired, a role changed) gets no file: the build is refused and
    Streamlit says the download failed. `action` None: a file anybody who sees the page may have (what it
    holds the build takes from what the page already filtered through access)."""
    ctx = get_script_run_ctx()

    def deferred():
        thread = threading.current_thread()
        before = get_script_run_ctx(suppress_warning=True)
        if ctx is not None:
            add_script_run_ctx(thread, ctx)
        try:
            if action is not None and not allowed(action, district):
                raise PermissionError(f"{viewer().username or 'public'} may no longer download this file ({action.value})")
            return build()
        finally:
            if ctx is not None:  # the worker thread serves other sessions next
                setattr(thread, SCRIPT_RUN_CONTEXT_ATTR_NAME, before)

    (where or st).download_button(label, data=deferred, on_click="ignore", **kwargs)


# --- online inquiries -----------------------------------------------------------------------------


def inquiry_form(carrier: dict, key: str) -> None:
    """The form an investor uses to ask the carrier's district about it (在线咨询)."""
    names = district_names()
    st.caption(t("inquiry.caption", district=names.get(carrier["district"], carrier["district"])))
    with st.form(f"inquiry_{key}", clear_on_submit=True):
        st.text_input(t("inquiry.site"), value=f"{carrier['code']} {carrier['name']}", disabled=True)
        name = st.text_input(t("inquiry.name"), max_chars=inquiries.LIMITS["name"])
        company = st.text_input(t("inquiry.company"), max_chars=inquiries.LIMITS["company"])
        contact = st.text_input(t("inquiry.contact"), max_chars=inquiries.LIMITS["contact"])
        message = st.text_area(t("inquiry.message"), max_chars=inquiries.LIMITS["message"])
        if not st.form_submit_button(t("inquiry.send")):
            return
    now = dt.datetime.now()
    recent = [moment for moment in st.session_state.get("inquiries_sent", []) if now - moment < dt.timedelta(hours=1)]
    if len(recent) >= inquiries.MAX_PER_SESSION_HOUR:
        st.error(t("inquiry.too_many"))
        return
    try:
        get_store().add_inquiry({"carrier_code": carrier["code"], "name": name, "company": company, "contact": contact,
                                 "message": message, "lang": lang()})
    except ValidationError as error:
        for problem in error.problems:
            field = "site" if problem.field == "carrier_code" else problem.field
            st.error(f"{t('inquiry.' + field)}: {t('problem.' + problem.key, **dict(problem.params))}")
        return
    st.session_state["inquiries_sent"] = recent + [now]
    st.success(t("inquiry.sent"))


def visible_inquiries():
    return access.visible_inquiries(viewer(), get_store().inquiries())


def mark_inquiry_answered(inquiry_id: int) -> None:
    """Only the staff of the inquiry's district (or an administrator) may answer it."""
    rows = visible_inquiries()
    if inquiry_id in set(rows["id"]):
        get_store().mark_answered(inquiry_id, viewer().username)


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
            role = label("role", current.role.value)
            if current.district:
                role = t("sidebar.role_of_district", role=role, district=district_names().get(current.district, current.district))
            st.caption(t("sidebar.signed_in_as", name=current.display_name or current.username, role=role))
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
