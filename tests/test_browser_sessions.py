"""Accounts that hold, in Chromium (issue 11): a sign-in survives a reload, a new tab and a colleague's link
(with its reporting period); the session cookie is HTTP-only; sign-out everywhere ends the other browsers'
sessions at their next click; staff idle too long are signed out; repeated wrong passwords lock the account,
the right password included; a sign-in form posted from another site is refused."""
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import RunningApp, sign_in, sign_out, wait_for_app

IDLE_S = 6  # staff on this server are signed out after six idle seconds (leaders keep the default)


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    app = RunningApp(tmp_path_factory.mktemp("sessions"), env={"HEATMAP_SESSION_IDLE_MINUTES_STAFF": str(IDLE_S / 60)})
    yield app
    app.stop()


@pytest.fixture
def store(server):
    from heatmap.store import Store

    s = Store(f"sqlite:///{server.data_dir / 'heatmap.sqlite'}")
    yield s
    s.engine.dispose()


def open_page(context, url):
    page = context.new_page()
    page.goto(url)
    wait_for_app(page)
    return page


def sidebar(page):
    return page.locator("[data-testid='stSidebar']")


def signed_in(page) -> bool:
    return sidebar(page).get_by_text("已登录").count() == 1


def test_a_sign_in_survives_a_reload_a_new_tab_and_a_colleagues_link(browser, server, store):
    from heatmap.pipeline import mapdata, workflow

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = open_page(context, f"{server.url}/map")
    sign_in(page, "leader")
    page.reload()
    wait_for_app(page)
    assert signed_in(page)
    period = mapdata.reported_periods(store, workflow.rules(store))[-1]  # the oldest: never the default
    link = f"{server.url}/map?per={period.key}"
    tab = open_page(context, link)
    assert signed_in(tab)
    assert f"per={period.key}" in tab.url
    assert tab.get_by_text(period.label("zh")).count() >= 1
    cookie = next(c for c in context.cookies() if c["name"] == "heatmap_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert "heatmap_session" not in tab.evaluate("document.cookie")
    context.close()


def test_sign_out_everywhere_ends_the_other_browsers_session_at_its_next_click(browser, server):
    office, home = (browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN") for _ in range(2))
    first, second = open_page(office, f"{server.url}/"), open_page(home, f"{server.url}/")
    sign_in(first, "admin")
    sign_in(second, "admin")
    sign_out(first, everywhere=True)
    assert not signed_in(first) and sidebar(first).get_by_text("已退出登录").count() == 1
    second.locator("[data-testid='stSidebarNavLink']").nth(1).click()
    wait_for_app(second)
    assert not signed_in(second)
    assert sidebar(second).get_by_text("登录已结束").count() == 1
    assert second.locator("[data-testid='stSidebarNavLink']").filter(has_text="账号管理").count() == 0
    office.close()
    home.close()


def test_idle_staff_are_signed_out(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = open_page(context, f"{server.url}/")
    sign_in(page, "staff-liuhe")
    page.wait_for_timeout((IDLE_S + 3) * 1000)
    page.locator("[data-testid='stSidebarNavLink']").nth(1).click()
    wait_for_app(page)
    assert not signed_in(page)
    assert sidebar(page).get_by_text("登录已过期").count() == 1
    context.close()


def test_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_too(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = open_page(context, f"{server.url}/")
    side = sidebar(page)
    for attempt in range(6):
        side.get_by_test_id("stExpander").filter(has_text="工作人员登录").get_by_text("工作人员登录").click()
        side.get_by_label("用户名").fill("office")
        side.get_by_label("密码").fill("taicang-demo" if attempt == 5 else f"wrong guess {attempt}")
        with page.expect_navigation(timeout=60000):
            side.get_by_role("button", name="登录", exact=True).click()
        wait_for_app(page)
        expected = "用户名或密码不正确" if attempt < 4 else "密码错误次数过多"
        assert side.get_by_text(expected).count() == 1, (attempt, side.inner_text())
    assert not signed_in(page)
    context.close()


def test_a_sign_in_form_posted_from_another_site_is_refused(server):
    body = urllib.parse.urlencode({"username": "admin", "password": "taicang-demo", "next": "/"}).encode()
    request = urllib.request.Request(f"{server.url}/auth/signin", data=body, method="POST",
                                     headers={"Origin": "http://elsewhere.example", "Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403 and "set-cookie" not in {k.lower() for k in refused.value.headers}
