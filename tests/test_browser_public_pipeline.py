"""The public sees none of the pipeline, checked in the DOM of a real Chromium (signed out): the navigation
lists no confidential page; opening one by its URL shows the refusal and no project code, code name or name;
the map page (its HTML, every frame's, and every feature the map draws) and the home page hold none either.

A confidential page added later is covered by adding its URL and navigation names to CONFIDENTIAL_PAGES."""
import json
import re

import pytest

from heatmap.store import Store

from conftest import wait_for_app
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
    projects = Store(f"sqlite:///{app_server.data_dir / 'heatmap.sqlite'}").projects()
    assert len(projects) > 0  # the sample has a pipeline: the checks below are not vacuous
    return {str(v) for c in ("code", "code_name", "name", "investor") for v in projects[c].dropna() if len(str(v)) >= 4}


def everything(page) -> str:
    """The page's HTML and every frame's (srcdoc frames and components included)."""
    return "\n".join([page.content()] + [f.content() for f in page.frames if f is not page.main_frame and not f.is_detached()])


def assert_no_pipeline(text: str, secrets: set[str]) -> None:
    assert not PROJECT_CODE.search(text), PROJECT_CODE.search(text).group(0)
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked, leaked[:5]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_navigation_lists_no_confidential_page(app_server, page, lang):
    page.goto(f"{app_server.url}/?lang={lang}")
    wait_for_app(page)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert nav.strip()  # the public pages are listed
    for names in CONFIDENTIAL_PAGES.values():
        for name in names:
            assert name not in nav, name


@pytest.mark.parametrize("lang", ["zh", "en"])
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
