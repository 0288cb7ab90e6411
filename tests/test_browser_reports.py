"""The bi-monthly report in a real Chromium, from open period to submission: a district's staffer sees what
the report would hold, submits it, then submits a correction; a leader then sees that district as reported
and the others as overdue; the public has no such page."""
import pytest
from playwright.sync_api import expect

from heatmap.pipeline import workflow
from heatmap.store import Store

from conftest import RunningApp, sign_in, wait_for_app
from test_browser_upload import open_page


@pytest.fixture(scope="module")
def reports_server(tmp_path_factory, browser):
    app = RunningApp(tmp_path_factory.mktemp("reports-app"))  # its own data: these tests submit reports
    yield app
    app.stop()


def test_staff_submit_and_correct_the_report_and_a_leader_sees_who_is_late(reports_server, browser):
    store = Store(f"sqlite:///{reports_server.data_dir / 'heatmap.sqlite'}")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(reports_server.url)
    wait_for_app(page)
    assert page.locator("[data-testid='stSidebarNav']").get_by_text("每两月上报", exact=True).count() == 0
    sign_in(page, "staff-liuhe")
    due = workflow.period_to_report(workflow.today_in_taicang(), workflow.rules(store)).key  # the page's first choice
    open_page(page, "每两月上报")
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("浏河镇本期报表：请核对变动")
    main.get_by_role("button", name="提交").filter(has_text="报表").first.click()
    wait_for_app(page)
    expect(main).to_contain_text("已提交", timeout=30_000)
    reports = store.reports("liuhe", due)  # the sample sent liuhe's report of the period before
    assert len(reports) == 1 and reports["submitted_by"].iloc[0] == "staff-liuhe"
    assert reports["n_projects"].iloc[0] == len(store.projects().query("district == 'liuhe'"))
    main.get_by_role("button").filter(has_text="更正").click()
    wait_for_app(page)
    expect(main).to_contain_text("已提交", timeout=30_000)
    reports = store.reports("liuhe", due)  # the sample sent liuhe's report of the period before
    assert len(reports) == 2 and reports["corrects_id"].iloc[1] == reports["id"].iloc[0]
    context.close()

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    leader = context.new_page()
    leader.goto(reports_server.url)
    wait_for_app(leader)
    sign_in(leader, "leader")
    open_page(leader, "每两月上报")
    table = leader.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first
    expect(table).to_be_visible()
    expect(leader.locator("[data-testid='stMain']")).to_contain_text("全市本期报表")
    with leader.expect_download() as download:
        leader.get_by_role("button", name="下载报表（Excel）").click()
    assert download.value.suggested_filename.startswith("taicang-report-")
    context.close()
