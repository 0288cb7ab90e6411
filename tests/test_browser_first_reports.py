"""First reports and transfer proposals in a real Chromium: a district's staffer registers a first report in
Chinese and sees it named first; the office reads the award list in English and downloads it; a staffer
proposes a transfer and the office finds it listed; the public sees neither page and is refused at their URLs."""
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from heatmap.pipeline import firstreports as fr

from conftest import writing_app, sign_in, wait_for_app
from test_browser_upload import open_page


server, store = writing_app("first-reports-app")  # its own data: these tests write


def signed_in_page(browser, server, user):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url)
    wait_for_app(page)
    sign_in(page, user)
    return context, page


def pick(page, label: str, text: str) -> None:
    """Choose the option holding `text` in the main area's selectbox labelled `label` (typing filters it)."""
    box = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has=page.get_by_text(label, exact=True)).first
    box.click()
    page.keyboard.type(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    wait_for_app(page)


def test_staff_register_a_first_report_in_chinese_and_see_it_named_first(server, browser, store):
    context, page = signed_in_page(browser, server, "staff-liuhe")  # the app makes its database on first use
    book = fr.entries(store)
    code = next(c for c in sorted(store.projects().query("district == 'liuhe'")["code"]) if fr.seen_id(book, c) == 0)
    open_page(page, "信息首报")
    main = page.locator("[data-testid='stMain']")
    pick(page, "项目", code)
    expect(main).to_contain_text(f"项目 {code} 尚无有效的首报登记")
    main.get_by_text("个人", exact=True).click()
    wait_for_app(page)
    form = main.locator("[data-testid='stForm']").first
    form.get_by_label("推荐人姓名").fill("周敏")
    form.get_by_label("所在单位", exact=True).fill("太仓市科技局")
    form.get_by_text("公职人员（奖励归所在单位）").click()
    form.get_by_role("button", name="登记", exact=True).click()
    wait_for_app(page)
    expect(main).to_contain_text("首报（" + code + "），登记时间由系统记录", timeout=30_000)
    expect(main).to_contain_text("周敏（个人）于")
    expect(main).to_contain_text("是唯一的首报登记")
    entry = fr.entries(store)[-1]
    assert (entry.project_code, entry.registrant, entry.unit, entry.state_employee, entry.recorded_by) == (
        code, "周敏", "太仓市科技局", True, "staff-liuhe")
    assert "None" not in main.inner_text() and "nan" not in main.inner_text().split()
    context.close()


def test_the_office_reads_the_award_list_in_english_and_downloads_it(server, browser):
    context, page = signed_in_page(browser, server, "office")
    open_page(page, "信息首报")
    page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    main.get_by_role("tab", name="Award list").click()
    wait_for_app(page)
    expect(main).to_contain_text("projects in production")
    expect(main).to_contain_text("Rules in force: up to CNY 100.0 m at 3‰")
    panel = main.locator("[role='tabpanel']:visible")
    assert not any("\u3400" <= ch <= "\u9fff" for ch in panel.inner_text()), panel.inner_text()  # one language
    with page.expect_download() as download:
        main.get_by_role("button", name="Download the award list (Excel)").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = list(book.active.values)
    assert rows[0][:3] == ("Project", "Name", "Host district") and len(rows) > 1
    cells = [str(v) for row in rows[1:] for v in row]
    assert not {"None", "nan", "NaN", "liuhe", "port"} & set(cells)
    assert "yes" in cells and any(c.endswith("Town") for c in cells)
    context.close()


def test_a_staffer_proposes_a_transfer_and_the_office_finds_it_listed(server, browser, store):
    context, page = signed_in_page(browser, server, "staff-liuhe")
    open_page(page, "项目流转")
    main = page.locator("[data-testid='stMain']")
    sample = set(store.transfer_proposals()["project_code"])  # the sample's own transfers
    candidates = store.projects().query("district == 'liuhe' and stage in ['negotiating', 'first_contact']")["code"]
    code = min(c for c in candidates if c not in sample)
    pick(page, "项目", code)
    pick(page, "拟流转至", "沙溪镇")
    pick(page, "理由", "产业定位不符")
    main.get_by_role("button", name="上报", exact=True).click()
    wait_for_app(page)
    expect(main).to_contain_text(f"已上报：{code} 拟流转至沙溪镇", timeout=30_000)
    rows = store.transfer_proposals().query("project_code == @code")
    assert rows[["project_code", "from_district", "to_district", "reason", "proposed_by"]].values.tolist() == [
        [code, "liuhe", "shaxi", "wrong_industry", "staff-liuhe"]]
    context.close()

    context, page = signed_in_page(browser, server, "office")
    open_page(page, "项目流转")
    expect(page.locator("[data-testid='stMain']")).to_contain_text(f"共 {len(store.transfer_proposals())} 条")
    expect(page.locator("[data-testid='stMain'] [data-testid='stDataFrame']")).to_be_visible()
    context.close()


@pytest.mark.parametrize("path", ["first-reports", "transfers"])
def test_the_public_sees_neither_page_and_is_refused_at_the_url(server, page, path):
    page.goto(server.url)
    wait_for_app(page)
    nav = page.locator("[data-testid='stSidebarNav']")
    expect(nav).to_contain_text("投资热力图")
    assert nav.get_by_text("信息首报", exact=True).count() == 0 and nav.get_by_text("项目流转", exact=True).count() == 0
    page.goto(f"{server.url}/{path}")
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("项目信息保密：请工作人员登录后查看。")
    assert main.locator("[data-testid='stDataFrame']").count() == 0 and main.locator("[data-testid='stForm']").count() == 0
    assert page.locator("[data-testid='stSidebarNav']").get_by_text("信息首报", exact=True).count() == 0
