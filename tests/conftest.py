"""Shared fixtures: stores on both backends, a small loaded sample, the app under `streamlit run`, a browser.

Tests that need PostgreSQL/PostGIS or Chromium skip, saying why, when those are missing — except when
HEATMAP_REQUIRE_FULL_SUITE=1 (set by .ci/run), where a missing service is a failure.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("HEATMAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHROMIUM = os.environ.get("HEATMAP_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REQUIRE_FULL = os.environ.get("HEATMAP_REQUIRE_FULL_SUITE") == "1"


def skip_or_fail(reason: str):
    if REQUIRE_FULL:
        pytest.fail(f"HEATMAP_REQUIRE_FULL_SUITE=1 but {reason}")
    pytest.skip(reason)


# --- stores ----------------------------------------------------------------------------------------


def _postgis_reason() -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "not available here"
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"no PostgreSQL with PostGIS at {POSTGRES_URL} ({first_line})"
    return None


@pytest.fixture(scope="session")
def postgis_url() -> str:
    reason = _postgis_reason()
    if reason:
        skip_or_fail(reason)
    return POSTGRES_URL


def _fresh_store(url: str):
    from heatmap import sample
    from heatmap.store import Store

    store = Store(url)
    store.drop_schema()
    store.create_schema()
    store.save_districts(sample.district_records())
    return store


@pytest.fixture(params=["sqlite", "postgis"])
def store(request, tmp_path):
    """An empty store (districts loaded) on each backend in turn."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite'}"
    else:
        url = request.getfixturevalue("postgis_url")
    s = _fresh_store(url)
    yield s
    s.engine.dispose()


@pytest.fixture
def sqlite_store(tmp_path):
    s = _fresh_store(f"sqlite:///{tmp_path / 'test.sqlite'}")
    yield s
    s.engine.dispose()


@pytest.fixture(scope="session")
def small_sample():
    from heatmap import sample

    return sample.generate(200, 40)


# --- the app under `streamlit run`, and a browser ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningApp:
    def __init__(self, data_dir: Path, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        environment = os.environ | {"HEATMAP_DATA_DIR": str(data_dir), "HEATMAP_DATABASE_URL": ""} | (env or {})
        self.log = open(data_dir / "streamlit.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1"],
            cwd=REPO, env=environment, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not start; log: {(data_dir / 'streamlit.log').read_text()[-2000:]}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def writing_app(name: str):
    """The fixtures of a test module whose tests write: `server`, an app of its own (its own data directory),
    for the module, and `store`, the store it uses. In the module: `server, store = writing_app("my-app")`."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory, browser):
        app = RunningApp(tmp_path_factory.mktemp(name))
        yield app
        app.stop()

    @pytest.fixture
    def store(server):
        from heatmap.store import Store

        s = Store(f"sqlite:///{server.data_dir / 'heatmap.sqlite'}")
        yield s
        s.engine.dispose()

    return server, store

@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app on its embedded default (a new SQLite database, filled with the sample on first use)."""
    app = RunningApp(tmp_path_factory.mktemp("app-data"))
    yield app
    app.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"no Chromium at {CHROMIUM} (Debian package `chromium`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (requirements-dev.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def wait_for_app(page, timeout_s: float = 90) -> None:
    """Wait until the script run has finished (as Streamlit's own e2e tests do) and stays finished.

    On a fresh server the first run reruns itself (ui._ensure_app_shell), so one "notRunning" moment
    is not enough: the state must hold for a short while with no skeleton left on the page.
    """
    deadline = time.time() + timeout_s
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_s * 1000)
    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    quiet_since = None
    while time.time() < deadline:
        settled = page.locator(idle).count() == 1 and page.locator("[data-testid='stSkeleton']").count() == 0
        if not settled:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since >= 0.6:
            return
        page.wait_for_timeout(150)
    raise TimeoutError(f"the app did not settle within {timeout_s} s")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.fixturenames or "page" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        if "postgis_url" in item.fixturenames or "[postgis]" in item.nodeid:
            item.add_marker(pytest.mark.postgis)


DEMO_PASSWORD = "taicang-demo"


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the sidebar form as a user would (Chinese UI): the form posts to the sign-in route,
    which sets the session cookie and brings the browser back to the same page. A refusal fails at once."""
    sidebar = page.locator("[data-testid='stSidebar']")
    if not sidebar.is_visible():
        page.locator("[data-testid='stExpandSidebarButton']").click()
    if sidebar.get_by_text("已登录").count():  # the browser is still signed in (the session cookie): sign out first
        sign_out(page)
    expander = sidebar.get_by_test_id("stExpander").filter(has_text="工作人员登录")
    if not expander.get_by_label("用户名").is_visible():
        expander.get_by_text("工作人员登录").click()
    sidebar.get_by_label("用户名").fill(username)
    sidebar.get_by_label("密码").fill(password)
    with page.expect_navigation():
        sidebar.get_by_role("button", name="登录", exact=True).click()
    wait_for_app(page)
    signed_in = sidebar.get_by_text("已登录")
    refused = sidebar.get_by_text("用户名或密码不正确").or_(sidebar.get_by_text("密码错误次数过多"))
    signed_in.or_(refused).first.wait_for(timeout=30000)
    assert refused.count() == 0, f"sign-in as {username!r} was refused: {sidebar.inner_text()!r}"


def sign_out(page, everywhere: bool = False) -> None:
    sidebar = page.locator("[data-testid='stSidebar']")
    with page.expect_navigation():
        sidebar.get_by_role("button", name="在所有设备上退出" if everywhere else "退出登录", exact=True).click()
    wait_for_app(page)


# --- the app under Streamlit's AppTest ------------------------------------------------------------


@pytest.fixture(scope="session")
def app_data(tmp_path_factory):
    """A fresh embedded database for the app (filled with the sample on first run)."""
    data_dir = tmp_path_factory.mktemp("apptest-data")
    patcher = pytest.MonkeyPatch()
    patcher.setenv("HEATMAP_DATA_DIR", str(data_dir))
    patcher.delenv("HEATMAP_DATABASE_URL", raising=False)
    import streamlit as st

    st.cache_resource.clear()
    yield data_dir
    st.cache_resource.clear()
    patcher.undo()


def run_app(lang=None, viewer=None, page=None):
    """The app under AppTest, optionally switched to a page (its path under the repo)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    if lang:
        at.query_params["lang"] = lang
    if viewer:
        at.session_state["viewer"] = viewer
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_text(at) -> str:
    """Everything the page sends to the browser, as text: element protos and the cells of data frames."""
    from google.protobuf import text_format

    parts = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        if getattr(node, "type", None) in ("arrow_data_frame", "dataframe"):
            parts.append(node.value.to_csv())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def choose_option(page, label: str, option: str) -> None:
    """Pick `option` in the sidebar multiselect labelled `label`, and wait until it shows as chosen."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has=page.get_by_text(label, exact=True))
    for _ in range(3):
        box.locator("input").click()
        box.locator("input").fill(option)
        page.get_by_role("option", name=option).first.click()
        page.keyboard.press("Escape")
        try:
            box.locator("[data-tag]", has_text=option).wait_for(timeout=5000)
            break
        except Exception:  # noqa: BLE001 - the list closed before the click landed: try again
            continue
    wait_for_app(page)
