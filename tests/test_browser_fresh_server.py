"""A server just started: the first visitor may arrive by a shared link to a page, and what they type
into the first form must count (Streamlit's old pages/ mode must never take over)."""
import pytest

from conftest import RunningApp, sign_in, wait_for_app


@pytest.fixture
def fresh_server(tmp_path):
    """A server of its own for each test: each test is the first visit."""
    app = RunningApp(tmp_path)
    yield app
    app.stop()


def test_the_first_visit_by_a_shared_link_gets_the_whole_app(fresh_server, page):
    page.goto(f"{fresh_server.url}/map?lang=en")
    wait_for_app(page, 180)
    sidebar = page.locator("[data-testid='stSidebar']")
    nav = sidebar.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Overview" in nav and "Heat map" in nav and "app" not in nav.split()
    assert "Language" in sidebar.inner_text() and "Staff sign-in" in sidebar.inner_text()
    assert "Taicang investment heat map" in page.locator("h1").first.inner_text()


def test_signing_in_on_the_first_page_works(fresh_server, page):
    page.goto(fresh_server.url)
    wait_for_app(page, 180)
    sign_in(page, "leader")
