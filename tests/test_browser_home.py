"""The landing page in a real Chromium against `streamlit run` (Playwright, Debian's /usr/bin/chromium)."""
from playwright.sync_api import expect

from heatmap.store import Store

from conftest import sign_in, wait_for_app


def test_landing_page_renders_its_figures_without_error(app_server, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(app_server.url)
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0
    main = page.locator("[data-testid='stMain']")
    assert "太仓投资热力图" in main.locator("h1").first.inner_text()
    expect(main).to_contain_text("样例数据")
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    assert [label.strip() for label in labels] == ["载体总数", "楼宇空置面积", "楼宇空置率", "可供产业用地"]
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    assert values[0].replace(",", "").isdigit() and int(values[0].replace(",", "")) > 1000
    assert page.locator("[data-testid='stDataFrame']").count() >= 2
    assert not errors


def test_language_switch_to_english(app_server, page):
    page.goto(app_server.url)
    wait_for_app(page)
    page.get_by_text("English", exact=True).click()
    wait_for_app(page)
    assert "lang=en" in page.url
    assert "Taicang Investment Heat Map" in page.locator("h1").first.inner_text()
    assert "Sample data" in page.locator("[data-testid='stMain']").inner_text()


def test_public_page_holds_no_project_field(app_server, page):
    page.goto(app_server.url)
    wait_for_app(page)
    html = page.content()
    projects = Store(f"sqlite:///{app_server.data_dir / 'heatmap.sqlite'}").projects()
    assert len(projects) == 300
    leaked = [v for column in ("code", "name", "investor") for v in projects[column] if str(v) in html]
    assert not leaked


def test_staff_sign_in_shows_the_pipeline(app_server, page):
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, "leader")
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    assert "在库项目" in [label.strip() for label in labels]
