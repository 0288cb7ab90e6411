"""The rules page in a real Chromium: two administrators open it at once; the first changes the reports' due
days and saves (version 1, which the app then uses), the second, whose form was filled from the defaults, is
refused and shown version 1; an invalid change is refused naming the settings, and nothing is saved. The page
is in the navigation for administrators only."""
import pytest
from playwright.sync_api import expect

from heatmap.pipeline import rulebook, workflow
from heatmap.store import Store

from conftest import RunningApp, sign_in, wait_for_app
from test_browser_upload import open_page

DUE_DAYS = "报表截止：期末后天数"


@pytest.fixture(scope="module")
def rules_server(tmp_path_factory, browser):
    app = RunningApp(tmp_path_factory.mktemp("rules-app"))  # its own data: these tests save rules
    yield app
    app.stop()


def admin_on_rules_page(browser, url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(url)
    wait_for_app(page)
    sign_in(page, "admin")
    open_page(page, "规则设置")
    expect(page.locator("[data-testid='stMain']")).to_contain_text("当前生效：默认规则（尚未修改）")
    return context, page


def save(page):
    page.locator("[data-testid='stMain']").get_by_role("button", name="保存规则").first.click()
    wait_for_app(page)


def test_two_administrators_at_once_the_second_is_refused_and_shown_the_newer_version(rules_server, browser):
    store = Store(f"sqlite:///{rules_server.data_dir / 'heatmap.sqlite'}")
    first_context, first = admin_on_rules_page(browser, rules_server.url)
    second_context, second = admin_on_rules_page(browser, rules_server.url)  # read the defaults, too

    first.get_by_role("spinbutton", name=DUE_DAYS).fill("20")
    first.get_by_role("textbox", name="修改说明").first.fill("春节后延期")
    save(first)
    main = first.locator("[data-testid='stMain']")
    expect(main).to_contain_text("已保存“每两月上报”第 1 版。", timeout=30_000)
    expect(main).to_contain_text("当前生效：第 1 版")
    expect(main).to_contain_text("第 1 版 · admin ·")  # the history's entry
    assert rulebook.current(store, "reports")[0] == 1
    assert workflow.rules(store)["due_days_after_end"] == 20
    assert store.rules_history("reports")[["created_by", "note"]].values.tolist() == [["admin", "春节后延期"]]

    second.get_by_role("spinbutton", name=DUE_DAYS).fill("15")
    save(second)
    main = second.locator("[data-testid='stMain']")
    expect(main).to_contain_text("未保存：他人已将“每两月上报”保存为第 1 版", timeout=30_000)
    expect(second.get_by_role("spinbutton", name=DUE_DAYS)).to_have_value("20")  # the form now shows version 1
    assert rulebook.current(store, "reports")[0] == 1 and workflow.rules(store)["due_days_after_end"] == 20

    second.get_by_role("spinbutton", name="停滞：连续无进展的期数").fill("")  # and stalled days are empty: nothing could be stalled
    save(second)
    expect(main).to_contain_text("“停滞：连续无进展的期数”和“停滞：无进展的天数”不能都留空", timeout=30_000)
    assert rulebook.current(store, "reports")[0] == 1 and workflow.rules(store)["stalled_periods"] == 2
    assert main.locator("[data-testid='stException']").count() == 0
    first_context.close()
    second_context.close()


@pytest.mark.parametrize("username", [None, "staff-liuhe", "leader", "office"])
def test_only_administrators_have_the_page(rules_server, browser, username):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(rules_server.url)
    wait_for_app(page)
    if username:
        sign_in(page, username)
    nav = page.locator("[data-testid='stSidebarNav']")
    expect(nav).to_contain_text("概览")
    assert nav.get_by_text("规则设置", exact=True).count() == 0
    assert "/rules" not in page.content()
    context.close()
