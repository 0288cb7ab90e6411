"""The administrator's accounts page and one's own account, in Chromium (issue 11): an administrator creates
a district staff account, the new user signs in and is asked to replace the initial password, does so on
"My account"; the administrator moves the account to another district, disables it (its open session ends),
re-enables it and resets its password; a weak password is refused saying why."""
from conftest import sign_in, sign_out, wait_for_app, writing_app

server, store = writing_app("accounts")

INITIAL = "harbour lantern 7 quiet"
OWN = "brass kettle sings at dawn"


def new_page(browser, server, path="/"):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server.url}{path}")
    wait_for_app(page)
    return context, page


def main(page):
    return page.locator("[data-testid='stMain']")


def select(page, label, option, scope=None):
    (scope or main(page)).get_by_role("combobox", name=label).click()
    page.keyboard.type(option)
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_for_app(page)


def test_an_administrator_manages_an_account_from_creation_to_reset(browser, server, store):
    admin_ctx, admin = new_page(browser, server)
    sign_in(admin, "admin")
    admin.goto(f"{server.url}/accounts")
    wait_for_app(admin)
    assert main(admin).get_by_text("staff-liuhe", exact=True).count() >= 1  # the list, with last sign-in
    assert main(admin).get_by_text("从未登录").count() >= 1

    create = main(admin).get_by_test_id("stForm").filter(has_text="新建账号")
    create.get_by_role("textbox", name="用户名", exact=True).fill("zhang")
    create.get_by_role("textbox", name="姓名", exact=True).fill("张工")
    select(admin, "角色", "区镇招商人员", create)
    select(admin, "区镇", "浏河镇", create)
    create.get_by_role("textbox", name="初始密码", exact=True).fill("password1234")
    create.get_by_role("button", name="创建账号").click()
    wait_for_app(admin)
    assert main(admin).get_by_text("密码太容易被猜到").count() == 1
    assert store.user("zhang") is None
    create.get_by_role("textbox", name="用户名", exact=True).fill("zhang")
    create.get_by_role("textbox", name="姓名", exact=True).fill("张工")
    select(admin, "角色", "区镇招商人员", create)
    select(admin, "区镇", "浏河镇", create)
    create.get_by_role("textbox", name="初始密码", exact=True).fill(INITIAL)
    create.get_by_role("button", name="创建账号").click()
    wait_for_app(admin)
    account = store.user("zhang")
    assert (account["role"], account["district"], account["must_change_password"]) == ("staff", "liuhe", True)

    # the new user signs in, is asked to choose their own password, and does
    user_ctx, user = new_page(browser, server)
    sign_in(user, "zhang", INITIAL)
    assert user.get_by_text("管理员已重置您的密码").count() == 1
    user.goto(f"{server.url}/account")
    wait_for_app(user)
    form = main(user).get_by_test_id("stForm")
    form.get_by_role("textbox", name="当前密码", exact=True).fill(INITIAL)
    form.get_by_role("textbox", name="新密码", exact=True).fill(OWN)
    form.get_by_role("textbox", name="再次输入新密码", exact=True).fill(OWN)
    form.get_by_role("button", name="保存新密码").click()
    wait_for_app(user)
    assert main(user).get_by_text("密码已修改").count() == 1
    assert not store.user("zhang")["must_change_password"]
    assert main(user).get_by_text("（本会话）").count() == 1

    # the administrator moves the account to another district, then disables it: the user's session ends
    admin.reload()
    wait_for_app(admin)
    select(admin, "账号", "zhang")
    edit = main(admin).get_by_test_id("stForm").filter(has_text="保存修改")
    select(admin, "区镇", "沙溪镇", edit)
    edit.get_by_role("button", name="保存修改").click()
    wait_for_app(admin)
    assert store.user("zhang")["district"] == "shaxi"
    main(admin).get_by_role("button", name="停用账号").click()
    wait_for_app(admin)
    assert not store.user("zhang")["active"]
    user.reload()
    wait_for_app(user)
    assert user.get_by_text("登录已结束").count() == 1
    assert user.locator("[data-testid='stSidebar']").get_by_text("已登录").count() == 0

    # re-enabled and reset: the old password no longer works, the new one does and must be replaced
    main(admin).get_by_role("button", name="恢复账号").click()
    wait_for_app(admin)
    main(admin).get_by_role("button", name="重置密码").click()
    wait_for_app(admin)
    password = main(admin).locator("[data-testid='stCode'] code").inner_text().strip()
    assert len(password) >= 10 and store.user("zhang")["active"]
    sign_in(user, "zhang", password)
    assert user.get_by_text("管理员已重置您的密码").count() == 1
    sign_out(user)
    user_ctx.close()
    admin_ctx.close()


def test_an_administrator_cannot_disable_their_own_account(browser, server, store):
    context, page = new_page(browser, server)
    sign_in(page, "admin")
    page.goto(f"{server.url}/accounts")
    wait_for_app(page)
    select(page, "账号", "admin")
    main(page).get_by_role("button", name="停用账号").click()
    wait_for_app(page)
    assert main(page).get_by_text("不能停用或降级自己的账号").count() == 1
    assert store.user("admin")["active"]
    context.close()
