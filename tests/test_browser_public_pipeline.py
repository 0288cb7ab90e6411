"""The public sees none of the pipeline, checked in the DOM of a real Chromium (signed out): the navigation
lists no confidential page; opening one by its URL shows the refusal and no project code, code name or name;
the map page (its HTML, every frame's, and every feature the map draws) and the home page hold none either.
A colleague's link with the pipeline's filters, opened by the public, says that part needs a sign-in and keeps
them in the URL, so that signing in shows them.

In Chinese, every page (those added later too: found from the navigation) and every websocket frame are
walked for every role by tests/test_browser_roles.py; here the same in English, for the pages of
CONFIDENTIAL_PAGES (a confidential page added later is covered by adding its URL and navigation names)."""
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from heatmap import bootstrap
from heatmap.store import Store

from conftest import sign_in, wait_for_app, sign_out
from test_browser_map import MAP_IFRAME, map_frame

# url path -> its names in the navigation (zh, en)
CONFIDENTIAL_PAGES = {
    "projects": ("项目库", "Projects"),
    "reports": ("每两月上报", "Reports"),
    "duplicates": ("统一窗口", "One window"),
    "rules": ("规则设置", "Rules"),
    "first-reports": ("信息首报", "First reports"),
    "transfers": ("项目流转", "Transfers"),
    "scoreboard": ("区镇考核", "Scoreboard"),
    "grading": ("项目评价", "Grading"),
    "standards": ("评价标准", "Grading standards"),
    "leading-group": ("会商", "Leading group"),
    "audit": ("审计日志", "Audit trail"),
}
REFUSAL = {"zh": "项目信息保密：请工作人员登录后查看。", "en": "Project information is confidential: staff sign in to see it."}
PROJECT_CODE = re.compile(r"TC-PJ-\d+")
PIPELINE_FIGURES = ("在库项目", "项目计划总投资", "Pipeline projects", "Planned investment")
# Every feature's properties the map holds in memory (drawn on a canvas, so not in the DOM)
FEATURES = "() => { const out = []; window.map.eachLayer(l => { if (l.feature) out.push(l.feature.properties); }); return JSON.stringify(out); }"


@pytest.fixture(scope="module")
def secrets(app_server):
    """What must never reach the public: every project's code, code name, name and investor."""
    store = Store(f"sqlite:///{app_server.data_dir / 'heatmap.sqlite'}")
    bootstrap.ensure_database(store, sample_if_empty=True)  # as the app does on first use
    projects = store.projects()
    assert len(projects) > 0  # the sample has a pipeline: the checks below are not vacuous
    return {str(v) for c in ("code", "code_name", "name", "investor") for v in projects[c].dropna() if len(str(v)) >= 4}


def everything(page) -> str:
    """The page's HTML and every frame's (srcdoc frames and components included)."""
    return "\n".join([page.content()] + [f.content() for f in page.frames if f is not page.main_frame and not f.is_detached()])


def assert_no_pipeline(text: str, secrets: set[str]) -> None:
    assert not PROJECT_CODE.search(text), PROJECT_CODE.search(text).group(0)
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked, leaked[:5]


@pytest.mark.parametrize("lang", ["en"])  # zh: test_browser_roles walks the public's navigation
def test_the_navigation_lists_no_confidential_page(app_server, page, lang):
    page.goto(f"{app_server.url}/?lang={lang}")
    wait_for_app(page)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert nav.strip()  # the public pages are listed
    for names in CONFIDENTIAL_PAGES.values():
        for name in names:
            assert name not in nav, name


@pytest.mark.parametrize("lang", ["en"])  # zh, with the websocket frames: test_browser_roles
@pytest.mark.parametrize("path", list(CONFIDENTIAL_PAGES))
def test_a_confidential_page_opened_by_its_url_refuses_and_shows_nothing(app_server, page, secrets, path, lang):
    page.goto(f"{app_server.url}/{path}?lang={lang}")
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    main.get_by_text(REFUSAL[lang], exact=True).wait_for(timeout=30_000)
    assert main.locator("[data-testid='stDataFrame'], [data-testid='stForm'], [data-testid='stTabs']").count() == 0
    assert_no_pipeline(everything(page), secrets)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert not [n for names in CONFIDENTIAL_PAGES.values() for n in names if n in nav]  # still not listed


def test_the_map_holds_no_project(app_server, page, secrets):
    page.goto(f"{app_server.url}/map")
    wait_for_app(page)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    frame = map_frame(page)
    frame.wait_for_function("() => window.map && Object.keys(window.map._layers).length > 10", timeout=30_000)
    features = json.loads(frame.evaluate(FEATURES))
    assert features and all(not PROJECT_CODE.match(str(f.get("code", ""))) for f in features)  # carriers only
    assert_no_pipeline(everything(page) + json.dumps(features, ensure_ascii=False), secrets)


def test_the_home_page_shows_no_pipeline_figure(app_server, page, secrets):
    for lang in ("zh", "en"):
        page.goto(f"{app_server.url}/?lang={lang}")
        wait_for_app(page)
        page.locator("[data-testid='stMetric']").first.wait_for(timeout=30_000)
        text = page.locator("[data-testid='stMain']").inner_text()
        assert not [f for f in PIPELINE_FIGURES if f in text]
        assert_no_pipeline(everything(page), secrets)


def test_a_link_with_the_pipelines_filters_asks_the_public_to_sign_in_and_keeps_them(app_server, page, secrets):
    """A leader's link to the map with stages, grades and a reporting period, opened signed out: the public map,
    a notice that those filters need a staff sign-in, the filters still in the URL, nothing of the pipeline;
    signing in there applies them. A link to the projects page: the refusal, then the page after signing in."""
    link = {"stg": "signed", "grd": "A", "per": "2026-5", "d": "liuhe"}
    page.goto(f"{app_server.url}/map?" + "&".join(f"{k}={v}" for k, v in link.items()))
    wait_for_app(page)
    main, sidebar = page.locator("[data-testid='stMain']"), page.locator("[data-testid='stSidebar']")
    expect(main).to_contain_text("此链接含项目筛选（推进阶段、评级、报告期）。项目信息保密，需工作人员登录后查看：请在左侧登录")
    assert {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()} == link  # kept, not dropped
    assert sidebar.get_by_text("计入的推进阶段").count() == 0  # the public has no pipeline filters
    assert_no_pipeline(everything(page), secrets)

    sign_in(page, "leader")
    expect(main).not_to_contain_text("此链接含项目筛选")
    for label, chosen in (("计入的推进阶段", "签约"), ("评级", "A")):
        box = sidebar.locator("[data-testid='stMultiSelect']").filter(has=page.get_by_text(label, exact=True))
        expect(box.locator("[data-tag]", has_text=chosen)).to_be_visible()
    period = sidebar.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text("报告期", exact=True))
    expect(period.get_by_role("combobox")).to_have_value("2026年9–10月")
    expect(main).to_contain_text("项目为各区镇报送的2026年9–10月报表")
    assert {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()} == link

    sign_out(page)  # the sign-in holds across page loads: a public viewer again
    page.goto(f"{app_server.url}/projects")
    wait_for_app(page)
    expect(main).to_contain_text(REFUSAL["zh"])
    sign_in(page, "staff-liuhe")
    expect(main).not_to_contain_text(REFUSAL["zh"])
    expect(main.locator("[data-testid='stDataFrame']").first).to_be_visible()
    assert urlparse(page.url).path == "/projects"
