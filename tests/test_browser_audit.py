"""The audit trail in a real Chromium: an administrator opens a project's record and downloads a report, finds
both in the audit trail with who, when and from where (this browser), filters the trail, and exports the
filtered list as CSV — an export the trail records in its turn. No one else finds the page."""
import io
import re

import pandas as pd
from playwright.sync_api import expect

from conftest import sign_in, wait_for_app, writing_app
from test_browser_upload import open_page

server, store = writing_app("audit-app")


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the page's multiselect labelled `label`, and wait until it shows as chosen."""
    box = page.locator("[data-testid='stMain'] [data-testid='stMultiSelect']").filter(has=page.get_by_text(label, exact=True))
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


def test_an_administrator_reads_filters_and_exports_the_audit_trail(server, store, page):
    page.goto(server.url)
    wait_for_app(page)
    nav = page.locator("[data-testid='stSidebarNav']")
    assert nav.get_by_text("审计日志", exact=True).count() == 0  # the public: not listed
    sign_in(page, "admin")
    main = page.locator("[data-testid='stMain']")

    # what an administrator does that the trail must hold: a project's record opened, a report downloaded
    open_page(page, "项目库")
    assert store.audit_events(action="project_view").empty  # the list alone opens no record
    main.get_by_role("tab", name="项目记录").click()
    wait_for_app(page)
    expect(main).to_contain_text("选择项目", timeout=30_000)
    opened = store.audit_events(action="project_view")
    assert len(opened) == 1 and opened.iloc[0]["actor"] == "admin" and opened.iloc[0]["detail"] == {"page": "projects"}
    code = opened.iloc[0]["target"]
    open_page(page, "每两月上报")
    with page.expect_download() as report:
        main.get_by_role("button", name="下载报表（Excel）").click()
    report_name = report.value.suggested_filename
    exported = store.audit_events(action="export")
    assert exported["target"].tolist() == [report_name]
    entry = exported.iloc[0]
    assert (entry["actor"], entry["role"], entry["client"]) == ("admin", "admin", "localhost")
    assert "Chrome" in entry["user_agent"]  # the browser that fetched it

    open_page(page, "审计日志")
    expect(main).to_contain_text("谁在何时、从何处做了什么")
    grid = main.locator("[data-testid='stDataFrame']")
    expect(grid).to_contain_text("查看项目档案")
    expect(grid).to_contain_text("导出数据")
    expect(grid).to_contain_text(report_name)
    expect(grid).to_contain_text("localhost")

    choose(page, "操作", "查看项目档案")
    expect(main).to_contain_text("共 1 条记录")
    expect(grid).to_contain_text(code)
    expect(grid).not_to_contain_text(report_name)

    with page.expect_download() as csv:
        main.get_by_role("button", name="导出 CSV").click()
    assert re.fullmatch(r"taicang-audit-\d{8}-\d{8}\.csv", csv.value.suggested_filename)
    listed = pd.read_csv(io.BytesIO(open(csv.value.path(), "rb").read()), encoding="utf-8-sig", dtype=str)
    assert listed.columns[:5].tolist() == ["时间", "账号", "角色", "所属区镇", "操作"]
    assert listed[["账号", "操作", "对象", "来源地址"]].values.tolist() == [["admin", "查看项目档案", code, "localhost"]]
    [audit_export] = store.audit_events(action="export").query("target.str.endswith('.csv')").to_dict("records")
    assert audit_export["actor"] == "admin" and audit_export["detail"]["format"] == "csv"
    assert audit_export["detail"]["rows"] == 1 and audit_export["detail"]["actions"] == ["project_view"]
