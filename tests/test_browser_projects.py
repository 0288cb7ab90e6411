"""The project library in a real Chromium: district staff add a project through the form (its stage is
recorded as an event), and a form filled from an older version is refused and shows the project as it is."""
import pytest
from playwright.sync_api import expect

from heatmap.store import Store

from conftest import RunningApp, sign_in, wait_for_app
from test_browser_upload import open_page


@pytest.fixture(scope="module")
def projects_server(tmp_path_factory, browser):
    app = RunningApp(tmp_path_factory.mktemp("projects-app"))  # its own data: these tests write
    yield app
    app.stop()


def open_form(page, server) -> None:
    page.goto(server.url)
    wait_for_app(page)
    sign_in(page, "staff-liuhe")
    open_page(page, "项目库")
    page.locator("[data-testid='stMain']").get_by_role("tab", name="新增 / 修改").click()


def test_staff_add_a_project_and_its_stage_is_recorded(projects_server, page):
    store = Store(f"sqlite:///{projects_server.data_dir / 'heatmap.sqlite'}")
    open_form(page, projects_server)
    form = page.locator("[data-testid='stForm']").filter(has=page.get_by_text("项目代号"))
    form.get_by_label("编号", exact=True).fill("LH-PJ-NEW-1")
    form.get_by_label("名称", exact=True).fill("浏河新材料项目")
    form.get_by_label("投资方", exact=True).fill("太仓市某新材料科技有限公司")
    form.get_by_label("投资额（万）").fill("30000")
    form.get_by_role("button", name="保存").click()
    wait_for_app(page)
    expect(page.locator("[data-testid='stMain']")).to_contain_text("项目 LH-PJ-NEW-1 已保存为版本", timeout=30_000)
    stored = store.record("project", "LH-PJ-NEW-1")
    assert stored["district"] == "liuhe" and stored["investment_wan"] == 30000 and stored["investor"].startswith("太仓市")
    events = store.stage_events(["LH-PJ-NEW-1"])
    assert events["stage"].tolist() == [stored["stage"]] and events["recorded_by"].tolist() == ["staff-liuhe"]
    page.locator("[data-testid='stMain']").get_by_role("tab", name="项目列表").click()
    expect(page.locator("[data-testid='stMain']")).to_contain_text("LH-PJ-NEW-1")


def test_a_form_filled_from_an_older_version_is_refused(projects_server, page):
    store = Store(f"sqlite:///{projects_server.data_dir / 'heatmap.sqlite'}")
    code = sorted(store.projects().query("district == 'liuhe'")["code"])[0]
    open_form(page, projects_server)
    main = page.locator("[data-testid='stMain']")
    box = main.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text("要修改的项目", exact=True))
    box.click()
    page.get_by_role("option").filter(has_text=code).first.click()
    wait_for_app(page)
    form = page.locator("[data-testid='stForm']").filter(has=page.get_by_text("项目代号"))
    form.get_by_label("技术需求").fill("需要 10 吨行车")
    record = store.record("project", code)
    store.save("project", [{**record, "tech_needs": "同事的修改"}], user="colleague", source="form")  # saved first
    form.get_by_role("button", name="保存").click()
    wait_for_app(page)
    expect(main).to_contain_text("他人已修改此项目", timeout=30_000)
    assert store.record("project", code)["tech_needs"] == "同事的修改"  # not overwritten
    expect(page.locator("[data-testid='stForm']").get_by_label("技术需求")).to_have_value("同事的修改")
