"""The landing page in a real Chromium against `streamlit run` (Playwright, Debian's /usr/bin/chromium)."""
import pytest
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


def test_language_switch_to_german(app_server, page):
    page.goto(app_server.url)
    wait_for_app(page)
    page.get_by_text("Deutsch", exact=True).click()
    wait_for_app(page)
    assert "lang=de" in page.url
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Beispieldaten")
    labels = [label.strip() for label in page.locator("[data-testid='stMetricLabel']").all_inner_texts()]
    assert labels == ["Gewerbeflächen", "Leerstehende Gebäudefläche", "Leerstandsquote Gebäude", "Verfügbare Industriegrundstücke"]
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    assert "." in values[0] and "," not in values[0]  # German thousands separator: 1.386
    assert values[3].endswith("m²)") and " Mu (" in values[3]  # 亩 with m² in brackets


@pytest.mark.parametrize("browser_locale, query, title, sample_notice", [
    ("de-DE", "", "Taicang Investment Heat Map", "Beispieldaten"),  # a German browser: German
    ("fr-FR", "", "Taicang Investment Heat Map", "Sample data"),  # a foreign browser: English, not Chinese
    ("en-US", "", "Taicang Investment Heat Map", "Sample data"),
    ("zh-CN", "", "太仓投资热力图", "样例数据"),
    ("de-DE", "?lang=en", "Taicang Investment Heat Map", "Sample data"),  # the link's language first
    ("de-DE", "?lang=xx", "Taicang Investment Heat Map", "Beispieldaten"),  # no such language: the browser's
])
def test_the_browser_language_picks_the_first_language(app_server, browser, browser_locale, query, title, sample_notice):
    context = browser.new_context(locale=browser_locale, viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(app_server.url + query)
        wait_for_app(page)
        main = page.locator("[data-testid='stMain']")
        assert title in main.locator("h1").first.inner_text()
        expect(main).to_contain_text(sample_notice)
        if browser_locale != "zh-CN" and "lang=en" not in query:  # the URL says the language, for a shared link
            assert f"lang={'de' if browser_locale == 'de-DE' else 'en'}" in page.url
    finally:
        context.close()


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
