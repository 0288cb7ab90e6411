"""Take the screenshots README shows: the app on a fresh sample, in headless Chromium.

    .venv/bin/python scripts/screenshots.py        # writes docs/screenshot-*.png
"""
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS, RunningApp, sign_in, wait_for_app  # noqa: E402
from test_browser_upload import choose_kind, open_page  # noqa: E402

SHOTS = [
    # (file, signed in as, path and query)
    ("screenshot-map-leader.png", "leader", "/map"),
    ("screenshot-map-public-zoomed.png", None, "/map?lang=en&lat=31.49500&lon=121.15000&z=14"),
]


def district_file(app: RunningApp, folder: Path) -> tuple[Path, Path]:
    """A month's update of 浏河镇's plant buildings as staff would save it from Excel (GBK CSV): six stored
    sites with new figures and one new building; and the same file with three mistakes in it."""
    import pandas as pd

    from heatmap.store import Store

    carriers = Store(f"sqlite:///{app.data_dir / 'heatmap.sqlite'}").carriers()
    mine = carriers[(carriers["district"] == "liuhe") & (carriers["kind"] == "plant")].head(6)
    rows = [{
        "载体编号": r["code"], "载体名称": r["name"], "所属区镇": "浏河镇", "建筑面积(㎡)": f"{r['area_m2']:,.0f}",
        "空置面积": f"{(r['vacant_m2'] or 0) * (0.5 if i < 3 else 1):.0f}㎡", "状态": "部分可用" if i < 3 else "可租售",
        "租金": f"{r['rent_cny_m2_month'] or 25:.0f}元/㎡/月", "核实日期": "2026年11月20日", "经度": r["lon"], "纬度": r["lat"],
    } for i, (_, r) in enumerate(mine.iterrows())]
    rows.append({"载体编号": "LH-NEW-01", "载体名称": "浏河新建标准厂房A栋", "所属区镇": "浏河镇", "建筑面积(㎡)": "1.2万",
                 "空置面积": "12000", "状态": "可租售", "租金": "1.1元/㎡/天", "核实日期": "2026/11/20",
                 "经度": 121.2751, "纬度": 31.5202})
    good, bad = folder / "浏河厂房2026年11月.csv", folder / "浏河厂房（有误）.csv"
    pd.DataFrame(rows).to_csv(good, index=False, encoding="gbk")
    mistakes = [dict(rows[3], 空置面积="99999"), dict(rows[4], **{"建筑面积(㎡)": "待定"}),
                dict(rows[5], 载体名称='=HYPERLINK("http://x","y")')]
    pd.DataFrame(rows[:3] + mistakes).to_csv(bad, index=False, encoding="gbk")
    return good, bad


def upload_shots(browser, app: RunningApp) -> None:
    good, bad = district_file(app, Path(tempfile.mkdtemp(prefix="upload-")))
    for name, lang, file in (("screenshot-upload-preview-en.png", "en", good), ("screenshot-upload-report-zh.png", "zh", bad)):
        page = browser.new_page(viewport={"width": 1400, "height": 2600})  # the whole page: Streamlit scrolls inside
        page.goto(app.url)
        wait_for_app(page, 180)
        sign_in(page, "staff-liuhe")
        if lang == "en":
            page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
            wait_for_app(page)
        open_page(page, {"zh": "数据上传", "en": "Upload"}[lang])
        choose_kind(page, {"zh": "载体类型", "en": "Kind of carrier"}[lang], {"zh": "厂房", "en": "Plant building"}[lang])
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(file))
        wait_for_app(page)
        time.sleep(3)
        page.screenshot(path=str(REPO / "docs" / name))
        print("wrote", REPO / "docs" / name)
        page.close()


def main() -> None:
    app = RunningApp(Path(tempfile.mkdtemp(prefix="screenshots-")))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, user, path in SHOTS:
                page = browser.new_page(viewport={"width": 1500, "height": 1150})
                page.goto(app.url)
                wait_for_app(page, 180)
                if user:
                    sign_in(page, user)
                    page.locator("[data-testid='stSidebarNav'] a").nth(1).click()
                else:
                    page.goto(app.url + path)
                wait_for_app(page, 180)
                time.sleep(3)
                page.screenshot(path=str(REPO / "docs" / name))
                print("wrote", REPO / "docs" / name)
                page.close()
            upload_shots(browser, app)
            browser.close()
    finally:
        app.stop()


if __name__ == "__main__":
    main()
