"""The scoreboard in a real Chromium on the sample: a leader opens it in Chinese and in English, downloads the
Excel and the one-page PDF (read back: the period and the districts), and colours the map's districts by the
scoreboard's total; screenshots at 1440×900 in both languages for review."""
import io
import os
from pathlib import Path

import openpyxl
import pypdf
import pytest
from playwright.sync_api import expect

from conftest import sign_in, wait_for_app
from test_browser_map import choose_in_sidebar, layer_control_labels, map_frame
from test_browser_upload import open_page

SHOTS = Path(os.environ.get("HEATMAP_SCREENSHOTS", "/tmp/scoreboard-shots"))


def leader_on(browser, app_server, lang):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN",  # signs in in Chinese, then switches
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, "leader")
    if lang == "en":
        page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
        wait_for_app(page)
    return context, page


@pytest.mark.parametrize("lang, nav, texts, districts, period", [
    ("zh", "区镇考核", ("区镇考核", "排名", "总分对比", "得分规则：默认规则"), ("太仓港经济技术开发区", "浏河镇"), "2026年9–10月"),
    ("en", "Scoreboard", ("District scoreboard", "Ranking", "Total points compared", "Points rules: the defaults"),
     ("Taicang Port Economic and Technological Development Zone", "Liuhe Town"), "Sep–Oct 2026"),
])
def test_a_leader_opens_the_scoreboard_and_downloads_it(app_server, browser, lang, nav, texts, districts, period):
    context, page = leader_on(browser, app_server, lang)
    open_page(page, nav)
    main = page.locator("[data-testid='stMain']")
    for text in texts:
        expect(main).to_contain_text(text)
    expect(main.locator("[data-testid='stDataFrame']").first).to_be_visible()
    expect(main.locator("[data-testid='stVegaLiteChart'], .vega-embed").first).to_be_visible(timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"scoreboard-{lang}.png"), full_page=True)
    with page.expect_download() as excel:
        main.get_by_role("button", name="下载 Excel" if lang == "zh" else "Download Excel").click()
    assert excel.value.suggested_filename == "taicang-scoreboard-2026-5.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(excel.value.path()).read_bytes()))
    # built on click in the reader's session: its sheets in the page's language, the last one saying what it is
    assert book.sheetnames[-1] == ("说明" if lang == "zh" else "About")
    assert book.worksheets[-1]["A2"].value == ("考核周期" if lang == "zh" else "Period")
    ranking = book.worksheets[0]
    cells = {str(c.value) for row in ranking.iter_rows() for c in row}
    assert set(districts) <= cells and "None" not in cells and "nan" not in cells
    with page.expect_download() as pdf:
        main.get_by_role("button", name="下载会议用一页简报（PDF）" if lang == "zh" else "Download the one-page summary (PDF)").click()
    reader = pypdf.PdfReader(io.BytesIO(Path(pdf.value.path()).read_bytes()))
    text = reader.pages[0].extract_text().replace("\n", " ")
    assert len(reader.pages) == 1 and period in text
    assert all(d.replace(" ", "") in text.replace(" ", "") for d in districts)
    context.close()


def test_a_leader_colours_the_map_by_the_scoreboard_total(app_server, browser):
    context, page = leader_on(browser, app_server, "zh")
    open_page(page, "投资热力图")
    map_frame(page)
    choose_in_sidebar(page, "报告期", "2026年9–10月")
    choose_in_sidebar(page, "区镇着色（报表或考核指标）", "考核得分·总分")
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("区镇按2026年9–10月区镇考核的“考核得分·总分”着色")
    frame = map_frame(page)
    frame.wait_for_function("() => document.querySelector('.heatmap-legend') && "
                            "document.querySelector('.heatmap-legend').innerText.includes('考核得分·总分（2026年9–10月）')")
    assert "区镇着色：考核得分·总分（2026年9–10月）" in layer_control_labels(frame)
    page.screenshot(path=str(SHOTS / "map-coloured-by-score-zh.png"))
    context.close()
