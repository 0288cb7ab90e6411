"""Upload through the page in a real Chromium: a district's staff upload a GBK CSV, read the report and
the preview, commit, see the new sites on the map, and roll the version back."""
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from heatmap.store import Store

from conftest import RunningApp, sign_in, wait_for_app
from test_browser_map import wait_for_drawn
from test_ingest_pipeline import csv_bytes, plant_rows


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory, browser):
    # a server of its own: this test changes data that the other browser tests count
    app = RunningApp(tmp_path_factory.mktemp("upload-app"))
    yield app
    app.stop()


def open_page(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    wait_for_app(page)


def choose_kind(page, label: str, option: str) -> None:
    box = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has=page.get_by_text(label, exact=True))
    box.click()
    page.get_by_role("option", name=option).click()
    wait_for_app(page)


def test_staff_upload_commit_see_it_on_the_map_and_roll_back(upload_server, page, tmp_path):
    store = Store(f"sqlite:///{upload_server.data_dir / 'heatmap.sqlite'}")
    page.goto(upload_server.url)
    wait_for_app(page)
    nav = page.locator("[data-testid='stSidebarNav']")
    assert nav.get_by_text("数据上传", exact=True).count() == 0  # not for the public
    sign_in(page, "staff-liuhe")
    open_page(page, "数据上传")
    main = page.locator("[data-testid='stMain']")
    expect(main.locator("h1")).to_have_text("载体数据上传")

    choose_kind(page, "载体类型", "厂房")

    rows = plant_rows(3)
    for row in rows:
        row["载体编号"] = row["载体编号"].replace("LH-P", "UP-P")
    path = tmp_path / "浏河厂房.csv"
    path.write_bytes(csv_bytes(rows))
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_for_app(page)
    expect(main).to_contain_text("② 检查报告", timeout=60_000)
    expect(main).to_contain_text("③ 与已存数据比对")
    metrics = dict(zip(page.locator("[data-testid='stMetricLabel']").all_inner_texts(),
                       page.locator("[data-testid='stMetricValue']").all_inner_texts()))
    assert metrics["记录数"] == "3" and metrics["错误"] == "0" and metrics["新增"] == "3"
    # the file's sites on a small map before anything is written
    assert wait_for_drawn(page, "UP-P", 3) == 3
    assert store.record("carrier", "UP-P001") is None

    main.get_by_label("备注（可选，如：2026年11月核实）").fill("浏河厂房月度更新")
    main.get_by_role("button", name="提交为新版本").click()
    wait_for_app(page)
    expect(main).to_contain_text("已提交为版本")
    version = store.versions("carrier").iloc[0]
    assert (version["file_name"], version["note"], version["created_by"]) == ("浏河厂房.csv", "浏河厂房月度更新", "staff-liuhe")
    assert store.record("carrier", "UP-P001")["district"] == "liuhe"

    open_page(page, "投资热力图")
    assert wait_for_drawn(page, "UP-P", 3) == 3

    open_page(page, "数据上传")
    main.get_by_role("tab", name="版本历史").click()
    expect(main).to_contain_text(f"版本 {int(version['id'])} 的修改")
    main.get_by_role("button", name="回退此版本").click()
    wait_for_app(page)
    expect(main).to_contain_text(f"已回退版本 {int(version['id'])}")
    assert store.record("carrier", "UP-P001") is None

    open_page(page, "投资热力图")
    wait_for_drawn(page, "TC-", store.count("carrier"))
    assert wait_for_drawn(page, "UP-P", 0) == 0


def test_a_bad_file_gets_a_located_report_and_changes_nothing(upload_server, page, tmp_path):
    store = Store(f"sqlite:///{upload_server.data_dir / 'heatmap.sqlite'}")
    page.goto(upload_server.url)
    wait_for_app(page)
    sign_in(page, "staff-liuhe")
    page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    wait_for_app(page)
    open_page(page, "Upload")
    choose_kind(page, "Kind of carrier", "Plant building")
    before = len(store.versions())
    rows = plant_rows(2)
    rows[1]["空置面积"] = "99999"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    main = page.locator("[data-testid='stMain']")
    main.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_for_app(page)
    expect(main).to_contain_text("cannot be committed", timeout=60_000)
    report = main.locator("[data-testid='stDataFrame']").first
    expect(report).to_be_visible()
    assert main.get_by_role("button", name="Commit as a new version").count() == 0
    assert len(store.versions()) == before
    with page.expect_download() as download:
        main.get_by_role("button", name="Download the report (Excel)").click()
    assert download.value.suggested_filename == "bad.csv-report.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = [[c.value for c in row] for row in book.active.iter_rows()]
    assert cells[0] == ["Severity", "File", "Sheet", "Row", "Column", "Value", "Message"]
    assert any(row[3] == 3 and row[4] == "空置面积" for row in cells[1:])


def test_two_people_preview_then_commit_the_second_is_told_and_sees_the_fresh_preview(upload_server, browser, tmp_path):
    store = Store(f"sqlite:///{upload_server.data_dir / 'heatmap.sqlite'}")
    pages = []
    for name, rent in (("first", "20"), ("second", "30")):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        pg = context.new_page()
        pg.goto(upload_server.url)
        wait_for_app(pg)
        sign_in(pg, "staff-liuhe")
        open_page(pg, "数据上传")
        choose_kind(pg, "载体类型", "厂房")
        rows = plant_rows(3)
        for row in rows:
            row["载体编号"] = row["载体编号"].replace("LH-P", "TWO-P")
            row["租金"] = rent
        path = tmp_path / f"{name}.csv"
        path.write_bytes(csv_bytes(rows))
        pg.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
        wait_for_app(pg)
        expect(pg.locator("[data-testid='stMain']")).to_contain_text("③ 与已存数据比对", timeout=60_000)
        pages.append(pg)

    def metrics(pg) -> dict:
        return dict(zip(pg.locator("[data-testid='stMetricLabel']").all_inner_texts(),
                        pg.locator("[data-testid='stMetricValue']").all_inner_texts()))

    first, second = pages
    assert metrics(first)["新增"] == "3" and metrics(second)["新增"] == "3"  # both previews: three new sites
    first.get_by_role("button", name="提交为新版本").click()
    wait_for_app(first)
    expect(first.locator("[data-testid='stMain']")).to_contain_text("已提交为版本")
    versions = len(store.versions())

    second.get_by_role("button", name="提交为新版本").click()
    wait_for_app(second)
    main = second.locator("[data-testid='stMain']")
    expect(main).to_contain_text("已被他人修改")
    expect(main).to_contain_text("下面的预览已按当前数据重新比较")
    assert len(store.versions()) == versions  # nothing written
    assert store.record("carrier", "TWO-P001")["rent_cny_m2_month"] == 20
    shown = metrics(second)
    assert shown["新增"] == "0" and shown["修改"] == "3"  # the preview now compares with the first one's commit

    second.get_by_role("button", name="提交为新版本").click()
    wait_for_app(second)
    expect(main).to_contain_text("已提交为版本")
    assert store.record("carrier", "TWO-P001")["rent_cny_m2_month"] == 30
    for pg in pages:
        pg.context.close()


def test_staff_upload_their_districts_project_list_through_the_same_page(upload_server, page, tmp_path):
    from test_ingest_projects import liuhe_projects

    store = Store(f"sqlite:///{upload_server.data_dir / 'heatmap.sqlite'}")
    port = {"code": "GQ-BT-9", "name": "港口冷链分拨中心项目", "investor": "上海示例冷链物流有限公司", "category": "trade_logistics",
            "sector": "port_logistics", "stage": "negotiating", "district": "port", "investment_wan": 50000.0, "currency": "CNY"}
    page.goto(upload_server.url)
    wait_for_app(page)  # the app has made its database
    store.save("project", [port], user="staff-port", source="form", district="port")  # the port has it too
    sign_in(page, "staff-liuhe")
    open_page(page, "数据上传")
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("本区镇项目清单", exact=True).click()
    wait_for_app(page)
    expect(main).to_contain_text("模板的项目类别")
    path = tmp_path / "浏河项目清单.csv"
    path.write_bytes(csv_bytes(liuhe_projects()))
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_for_app(page)
    expect(main).to_contain_text("③ 与已存数据比对", timeout=60_000)
    notice = "项目 LH-XM-2026-002：其他区镇可能已登记同一项目（疑似1条）。招商局将统筹核实"
    expect(main).to_contain_text(notice)  # told after the check, as the form tells it
    assert store.record("project", "LH-XM-2026-002") is None
    main.get_by_role("button", name="提交为新版本").click()
    wait_for_app(page)
    expect(main).to_contain_text("已提交为版本", timeout=30_000)
    expect(main).to_contain_text(notice)  # and again after the commit
    assert "GQ-BT-9" not in page.content() and "太仓港经济技术开发区" not in main.inner_text()  # nothing of the port's record
    stored = store.record("project", "LH-XM-2026-002")
    assert stored["district"] == "liuhe" and stored["investment_wan"] == 50000 and stored["stage"] == "signed"
    assert store.stage_events(["LH-XM-2026-002"])["stage"].tolist() == ["signed"]  # the stage, as an event
    assert main.locator("iframe[title='streamlit_folium.st_folium']").count() == 0  # no map of projects

    # the version in the project history, what it changed, and its rollback
    version = int(store.versions("project").iloc[0]["id"])
    main.get_by_role("tab", name="版本历史").click()
    main.locator("[data-testid='stRadio']").filter(has_text="查看哪类数据的版本").get_by_text("项目", exact=True).click()
    wait_for_app(page)
    expect(main).to_contain_text(f"版本 {version} 的修改")
    main.get_by_role("button", name="回退此版本").click()
    wait_for_app(page)
    expect(main).to_contain_text(f"已回退版本 {version}", timeout=30_000)
    assert store.record("project", "LH-XM-2026-002") is None and store.record("project", "GQ-BT-9") is not None
