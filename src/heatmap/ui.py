"""The one module of Streamlit glue: the shared store, cached data, the viewer, language and page chrome.

Everything else in the package runs without Streamlit. Pages import this and the pure modules.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from html import escape
from urllib.parse import urlencode, urlsplit
import threading
from typing import Any, Callable

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_run_context_attr import SCRIPT_RUN_CONTEXT_ATTR_NAME

from heatmap import access, assets, audit, auth, bootstrap, config, i18n, inquiries, mapview, matching, routes, sessions, vacancy
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
        get_store().audit("settings_change", target="freshness", detail={"stale_days": int(days), "hide_stale": bool(hide)})


def data_date() -> dt.date | None:
    value = get_store().get_meta("data_date")
    return dt.date.fromisoformat(value) if value else None


# --- language and viewer -------------------------------------------------------------------------


def browser_language() -> str:
    """The language the browser asks for (Accept-Language, else its locale): one of the app's, English for
    a browser that asks only for others, Chinese when it says nothing (not a browser)."""
    if "browser_lang" not in st.session_state:
        try:
            header, locale = st.context.headers.get("Accept-Language"), st.context.locale
        except Exception:  # noqa: BLE001 - no request behind this run (a bare script): nothing asked
            header, locale = None, None
        st.session_state["browser_lang"] = i18n.choose_language(None, header, locale)
    return st.session_state["browser_lang"]


def lang() -> str:
    """The session's language. A link's ?lang= sets it (a shared link opens in the sender's language); without
    one (or with a language the app does not have) the browser's languages choose it. Switching pages drops
    query parameters, so the session remembers it and puts it back in the URL whenever the URL must say it:
    always, except for Chinese to a Chinese browser (today's links)."""
    asked = st.query_params.get("lang")
    if i18n.known_language(asked):
        st.session_state["lang"] = i18n.known_language(asked)
    elif "lang" not in st.session_state:
        st.session_state["lang"] = browser_language()
    current = st.session_state["lang"]
    if current == i18n.DEFAULT_LANGUAGE and browser_language() == i18n.DEFAULT_LANGUAGE:
        if "lang" in st.query_params and asked != current:  # ?lang=xx of no language: the link is cleaned
            del st.query_params["lang"]
    elif asked != current:
        st.query_params["lang"] = current
    return current


def t(key: str, **params) -> str:
    return i18n.t(key, lang(), **params)


# --- formatting ----------------------------------------------------------------------------------


def eur_rate() -> i18n.ReferenceRate:
    """The reference rate foreign readers see amounts in euros at: the administrators' setting (CNY per EUR
    and its date), else the documented default."""
    store = get_store()
    try:
        return i18n.ReferenceRate(float(store.get_meta("eur_rate")), dt.date.fromisoformat(store.get_meta("eur_rate_date")))
    except (TypeError, ValueError):
        return i18n.DEFAULT_EUR_RATE


def save_eur_rate(cny_per_eur: float, as_of: dt.date) -> bool:
    """An administrator sets the reference rate (a positive number of CNY per EUR, with the day it is of)."""
    if not allowed(Action.MANAGE_SETTINGS) or not cny_per_eur or cny_per_eur <= 0:
        return False
    get_store().set_meta("eur_rate", repr(float(cny_per_eur)))
    get_store().set_meta("eur_rate_date", as_of.isoformat())
    i18n.set_eur_rate(eur_rate())
    return True


def eur_rate_note() -> str:
    """What a foreign reader is told about amounts in euros ("" for Chinese readers, who see none)."""
    if lang() == "zh":
        return ""
    rate = eur_rate()
    return t("money.eur_rate_note", rate=i18n.fmt_decimal(rate.cny_per_eur, lang(), 2), date=i18n.fmt_date(rate.as_of, lang()))


def label(vocabulary: str, value) -> str:
    return i18n.label(vocabulary, value, lang())


def viewer() -> Viewer:
    return st.session_state.get("viewer", access.PUBLIC)


def _resolve_viewer() -> None:
    """Who this browser is, from its session cookie, on every script run: a sign-out elsewhere, an expired
    session or a disabled account holds at the next click. (Without a cookie the session keeps the viewer a
    test put into it; nothing in the app does that.)"""
    cookie = st.context.cookies.get(sessions.COOKIE)
    if not isinstance(cookie, str) or not cookie:  # no cookie (AppTest's stand-in client gives a non-string)
        if st.session_state.get("viewer_from_cookie"):
            st.session_state.pop("viewer", None)
        return
    now = auth._utcnow()
    resolved = sessions.resolve(get_store(), cookie, now)
    st.session_state["viewer_from_cookie"] = True
    st.session_state["session_token_hash"] = resolved.token_hash
    st.session_state["must_change_password"] = resolved.must_change_password
    if resolved.viewer is None:
        was = st.session_state.pop("viewer", None)
        was_signed_in = was is not None
        if was_signed_in and resolved.state == "expired":
            get_store().audit("session_expired", actor=was.username, role=was.role.value, district=was.district)
        told = st.session_state.get("session_end_told") == resolved.token_hash
        if resolved.state in ("expired", "ended") and (was_signed_in or (resolved.ended_recently(now) and not told)):
            st.session_state["session_notice"] = resolved.state
            st.session_state["session_end_told"] = resolved.token_hash
        return
    st.session_state["viewer"] = resolved.viewer


def current_path() -> str:
    """This page's path and query, for the sign-in and sign-out forms to come back to."""
    url = st.context.url or "/"
    path = urlsplit(url).path or "/"
    query = urlencode([(k, v) for k, v in st.query_params.items() if k != routes.NOTICE_PARAM])
    return f"{path}?{query}" if query else path


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


# --- the audit trail: who acts from where, downloads and record views ----------------------------


def audit_context() -> audit.Context:
    """Who this session is and from where, for the audit trail: the viewer, the address Streamlit saw (a reverse
    proxy's named beside it) and the browser's user agent."""
    current = viewer()
    try:
        headers = st.context.headers
        ip, forwarded, agent = st.context.ip_address, headers.get("X-Forwarded-For"), headers.get("User-Agent")
    except Exception:  # noqa: BLE001 - no browser connection (a bare script run): nothing to say where from
        ip, forwarded, agent = None, None, None
    ip, forwarded, agent = (value if isinstance(value, str) else None for value in (ip, forwarded, agent))  # AppTest: mocks
    return audit.Context(actor=current.username, role=current.role.value, district=current.district,
                         client=audit.client_of(ip, forwarded), user_agent=agent)


def _start_run() -> None:
    """At the start of every script run: the audit context for what the run writes, and the run's number
    (`record_viewed` tells a record still open from one opened again)."""
    audit.set_context(audit_context())
    st.session_state["_audit_run"] = st.session_state.get("_audit_run", 0) + 1


def download(label: str, build: Callable[[], Any], *, file_name: str, mime: str, key: str | None = None,
             permission: Action | None = None, district: str | None = None, confidential: bool = True,
             action: str = "export", target_district: str | None = None, detail: dict | None = None, where=None) -> None:
    """A download button whose file `build()` makes only when it is clicked (no rerun).

    Streamlit runs the build outside the script, in a worker thread without the session: here it runs with
    the session's context (its viewer and language, so a file's sheet names follow the page's language), and
    `allowed(permission, district)` is asked again first: a viewer who lost the right since the page was drawn
    (signed out elsewhere, a session expired, a role changed) gets no file. `permission` None: a file anybody
    who sees the page may have. A confidential file (pipeline data, private carriers, the audit trail) is
    recorded in the audit trail as `action` when it is actually fetched, with this session's who and from where
    (captured now)."""
    ctx = get_script_run_ctx()
    captured = audit_context()
    store = get_store()

    def fetch():
        thread = threading.current_thread()
        before = get_script_run_ctx(suppress_warning=True)
        if ctx is not None:
            add_script_run_ctx(thread, ctx)
        try:
            if permission is not None and not allowed(permission, district):
                raise PermissionError(f"{viewer().username or 'public'} may no longer download this file ({permission.value})")
            data = build()
        finally:
            if ctx is not None:  # the worker thread serves other sessions next
                setattr(thread, SCRIPT_RUN_CONTEXT_ATTR_NAME, before)
        if confidential:
            size = len(data) if isinstance(data, (bytes, str)) else None
            with audit.acting(captured):
                store.audit(action, target=file_name, target_district=target_district,
                            detail={"file": file_name, "bytes": size, **(detail or {})})
        return data

    (where or st).download_button(label, data=fetch, file_name=file_name, mime=mime, key=key, on_click="ignore")


def record_viewed(code: str, district: str | None, where: str) -> None:
    """Record in the audit trail that this viewer opened a project's full record on page `where`: once per
    opening, not again on each rerun while it stays open (it was shown in the run before), but again when it is
    opened anew (another project, or the same one after something else was shown)."""
    run = st.session_state.get("_audit_run", 0)
    key = f"_audit_viewed_{where}"
    last = st.session_state.get(key)
    st.session_state[key] = (code, run)
    if last is not None and last[0] == code and last[1] in (run, run - 1):
        return
    get_store().audit("project_view", target=code, target_district=district, detail={"page": where})


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
    """Page config, local map assets and the run's audit context; call first in app.py."""
    _ensure_app_shell()
    _resolve_viewer()  # first: the run's audit context names the viewer the session cookie signs in
    _start_run()
    st.set_page_config(page_title=i18n.t("app.page_title", lang()), page_icon="🗺️", layout="wide")
    i18n.set_eur_rate(eur_rate())  # amounts in euros for foreign readers, at the administrators' rate
    assets.ensure_static_assets()


# Each language by its own name, the same on every page.
LANGUAGE_NAMES = {"zh": "中文", "en": "English", "de": "Deutsch"}


def _set_language() -> None:
    st.session_state["lang"] = st.session_state["language_choice"]
    st.query_params["lang"] = st.session_state["language_choice"]


def sidebar() -> None:
    """Language switch and sign-in, on every page."""
    with st.sidebar:
        st.radio(
            i18n.t("sidebar.language", lang()),
            options=list(i18n.LANGUAGES),
            format_func=LANGUAGE_NAMES.get,
            index=list(i18n.LANGUAGES).index(lang()),
            key="language_choice",
            on_change=_set_language,
            horizontal=True,
            help=i18n.t("sidebar.language_help", lang()),
        )
        _sign_in_notice()
        current = viewer()
        if current.signed_in:
            role = label("role", current.role.value)
            if current.district:
                role = t("sidebar.role_of_district", role=role, district=district_names().get(current.district, current.district))
            st.caption(t("sidebar.signed_in_as", name=current.display_name or current.username, role=role))
            st.html(_sign_out_form())
        else:
            st.caption(t("sidebar.public_view"))
            with st.expander(t("sidebar.signin")):
                st.html(_sign_in_form())


_FORM_STYLE = """<style>
.hm-auth label{display:block;font-size:.875rem;margin:.4rem 0 .2rem}
.hm-auth input[type=text],.hm-auth input[type=password]{box-sizing:border-box;width:100%;padding:.45rem .6rem;
 border:1px solid rgba(49,51,63,.2);border-radius:.5rem;background:#fff;font:inherit;font-size:.95rem}
.hm-auth input:focus{outline:2px solid #c0392b;outline-offset:0}
.hm-auth button{margin-top:.6rem;margin-right:.4rem;padding:.35rem .8rem;border-radius:.5rem;font:inherit;cursor:pointer;
 border:1px solid rgba(49,51,63,.2);background:#fff}
.hm-auth button.hm-primary{background:#c0392b;border-color:#c0392b;color:#fff}
.hm-auth .hm-row{display:flex;flex-wrap:wrap;gap:.2rem}
</style>"""


def _sign_in_form() -> str:
    """The sign-in form: a plain HTML form posted to the sign-in route, which sets the HTTP-only cookie and
    brings the browser back to this page (with its query: a colleague's link keeps its reporting period)."""
    return (_FORM_STYLE + f'<form class="hm-auth" method="post" action="{routes.SIGN_IN_PATH}">'
            f'<label for="hm-username">{escape(t("sidebar.username"))}</label>'
            '<input type="text" id="hm-username" name="username" autocomplete="username" autocapitalize="none" '
            'spellcheck="false" maxlength="80" required>'
            f'<label for="hm-password">{escape(t("sidebar.password"))}</label>'
            '<input type="password" id="hm-password" name="password" autocomplete="current-password" maxlength="200" required>'
            f'<input type="hidden" name="next" value="{escape(current_path())}">'
            f'<button type="submit" class="hm-primary">{escape(t("sidebar.signin_button"))}</button></form>')


def _sign_out_form() -> str:
    return (_FORM_STYLE + f'<form class="hm-auth" method="post" action="{routes.SIGN_OUT_PATH}">'
            f'<input type="hidden" name="next" value="{escape(current_path())}"><div class="hm-row">'
            f'<button type="submit" name="everywhere" value="0">{escape(t("sidebar.signout"))}</button>'
            f'<button type="submit" name="everywhere" value="1">{escape(t("sidebar.signout_everywhere"))}</button>'
            '</div></form>')


def _sign_in_notice() -> None:
    """What the sign-in route or the session check has to say: a refusal, a lock, a sign-out, an expiry."""
    notice = st.query_params.get(routes.NOTICE_PARAM)
    if notice is not None:
        del st.query_params[routes.NOTICE_PARAM]
        st.session_state["session_notice"] = notice
    notice = st.session_state.pop("session_notice", None)
    if notice == "failed":
        st.error(t("sidebar.signin_failed"))
    elif notice == "locked":
        st.error(t("signin.locked", minutes=auth.Policy.configured().lock.seconds // 60))
    elif notice == "out":
        st.success(t("signin.signed_out"))
    elif notice == "expired":
        st.warning(t("signin.expired"))
    elif notice == "ended":
        st.warning(t("signin.ended"))
    if viewer().signed_in and st.session_state.get("must_change_password"):
        st.warning(t("signin.must_change_password"))


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
    """The top of every page: its title and, while the sample is loaded, the sample notice. The audit context
    is taken again: the sidebar may have signed someone in or out since the run began."""
    _ensure_app_shell()
    audit.set_context(audit_context())
    st.title(t(title_key))
    sample_notice()


# --- accounts: one's own, and the administrator's -----------------------------------------------------


def _account_event(action: str, *, target: str | None = None, target_district: str | None = None,
                   detail: dict | None = None) -> None:
    """Record an account change in the audit trail (who and from where: the run's audit context)."""
    get_store().audit(action, target=target, target_district=target_district, detail=detail)


def account_problem(error: auth.AccountError) -> str:
    return t(str(error), n=auth.MIN_PASSWORD_LENGTH)


def change_own_password(current: str, new: str, repeat: str) -> None:
    """The signed-in user replaces their password; other sessions of the account end, this one stays."""
    if new != repeat:
        raise auth.AccountError("account.passwords_differ")
    auth.change_own_password(get_store(), viewer().username, current, new, keep_session=st.session_state.get("session_token_hash"))
    st.session_state["must_change_password"] = False
    _account_event("account_password_change", target=viewer().username)


def own_sessions() -> list[dict]:
    return get_store().open_sessions(viewer().username, auth._utcnow())


def _require_accounts() -> None:
    if not allowed(Action.MANAGE_ACCOUNTS):
        raise auth.AccountError("projects.not_allowed")


def accounts() -> pd.DataFrame:
    _require_accounts()
    return get_store().users()


def create_account(username: str, display_name: str, role: str, district: str | None, password: str) -> None:
    _require_accounts()
    if get_store().user(username.strip()) is not None:
        raise auth.AccountError("account.exists")
    auth.create_user(get_store(), username, password, role, district, display_name, must_change_password=True)
    _account_event("account_create", target=username.strip(), target_district=district, detail={"role": role, "district": district})


def change_account(username: str, role: str, district: str | None, display_name: str) -> None:
    _require_accounts()
    before = get_store().user(username)
    if username == viewer().username and role != before["role"]:
        raise auth.AccountError("account.not_yourself")
    auth.change_account(get_store(), username, role=role, district=district, display_name=display_name)
    after = get_store().user(username)
    fields = ("role", "district", "display_name")
    _account_event("account_update", target=username, target_district=after["district"],
          detail={f: {"before": before[f], "after": after[f]} for f in fields if before[f] != after[f]})


def set_account_active(username: str, active: bool) -> None:
    _require_accounts()
    if username == viewer().username:
        raise auth.AccountError("account.not_yourself")
    auth.change_account(get_store(), username, active=active)
    _account_event("account_enable" if active else "account_disable", target=username)


def reset_account_password(username: str) -> str:
    _require_accounts()
    password = auth.reset_password(get_store(), username)
    _account_event("account_password_reset", target=username)
    return password
