"""Matching, vacancy and inquiries in a real Chromium against `streamlit run`."""
import re

import pytest
from playwright.sync_api import expect

from heatmap.store import Store

from conftest import sign_in, wait_for_app


@pytest.fixture(scope="module")
def app_store(app_server):
    from heatmap import bootstrap

    store = Store(f"sqlite:///{app_server.data_dir / 'heatmap.sqlite'}")
    bootstrap.ensure_database(store, sample_if_empty=True)
    return store


def open_page(page, app_server, name, user=None):
    page.goto(app_server.url)
    wait_for_app(page, 180)
    if user:
        sign_in(page, user)
    page.locator("[data-testid='stSidebarNav']").get_by_text(name, exact=True).click()
    wait_for_app(page, 120)


def number_input(page, label):
    return page.locator("[data-testid='stNumberInput']").filter(has=page.get_by_text(label, exact=True)).locator("input")


def ranked_expanders(page):
    """(rank, code, score) from the explanation headers, in page order."""
    labels = page.locator("[data-testid='stExpander'] summary").all_inner_texts()
    found = [re.search(r"#(\d+) · (\S+) .*：([\d.]+) 分", label) for label in labels]
    return [(int(m[1]), m[2], float(m[3])) for m in found if m]


def test_the_needs_form_ranks_sites_that_meet_them(app_server, app_store, page):
    open_page(page, app_server, "精准匹配")
    number_input(page, "建筑面积（㎡） · 至少").fill("5000")
    number_input(page, "建筑面积（㎡） · 至少").press("Enter")
    wait_for_app(page)
    number_input(page, "层高至少（米）").fill("9")
    number_input(page, "层高至少（米）").press("Enter")
    wait_for_app(page)
    number_input(page, "租金预算（元/㎡/月）").fill("30")
    number_input(page, "租金预算（元/㎡/月）").press("Enter")
    wait_for_app(page)
    heading = page.locator("h3", has_text="处符合全部硬性条件").inner_text()
    assert re.search(r"(\d[\d,]*) 处符合全部硬性条件", heading)
    ranked = ranked_expanders(page)
    assert [r for r, _, _ in ranked] == list(range(1, len(ranked) + 1)) and len(ranked) == 10
    scores = [s for _, _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    carriers = app_store.carriers().set_index("code")
    for _, code, _ in ranked:
        site = carriers.loc[code]
        assert site["kind"] == "plant" and site["vacant_m2"] >= 5000 and site["clear_height_m"] >= 9 and site["status"] != "occupied"
    page.locator("[data-testid='stExpander'] summary").filter(has_text="#1 · ").click()
    body = page.locator("[data-testid='stExpander']").filter(has_text="#1 · ").inner_text()
    assert "✅" in body and "层高" in body and "价格" in body


def test_an_investor_asks_and_the_districts_staff_see_it(app_server, app_store, browser, page):
    open_page(page, app_server, "精准匹配")
    first = page.locator("[data-testid='stExpander']").filter(has_text="#1 · ")
    first.locator("summary").click()
    code = ranked_expanders(page)[0][1]
    district = app_store.record("carrier", code)["district"]
    form = first.locator("[data-testid='stForm']")
    form.get_by_label("姓名").fill("Anna Weber")
    form.get_by_label("公司").fill("Rhein <Antriebstechnik> GmbH")
    form.get_by_label("联系方式（电话或邮箱）").fill("anna.weber@example.de")
    form.get_by_label("留言").fill("Ist ein 10-t-Kran möglich? <script>alert(1)</script>")
    form.get_by_role("button", name="发送").click()
    wait_for_app(page)
    expect(first.get_by_text("已发送")).to_have_count(1, timeout=30_000)  # a loaded machine may take seconds to rerun
    stored = app_store.inquiries(district)
    assert stored.iloc[0]["contact"] == "anna.weber@example.de" and stored.iloc[0]["carrier_code"] == code

    staff_context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    staff = staff_context.new_page()
    dialogs = []
    staff.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_page(staff, app_server, "在线咨询", user=f"staff-{district}")
    main = staff.locator("[data-testid='stMain']")
    text = main.inner_text()
    assert code in text and "anna.weber@example.de" in text and "<script>alert(1)</script>" in text
    staff.get_by_role("button", name="标记为已答复").first.click()
    wait_for_app(staff)
    assert app_store.inquiries(district).iloc[0]["status"] == "answered"
    assert not dialogs
    staff_context.close()

    other_district = "port" if district != "port" else "liuhe"
    other_context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    other = other_context.new_page()
    open_page(other, app_server, "在线咨询", user=f"staff-{other_district}")
    other.get_by_text("只看未答复").click()  # show answered ones too
    wait_for_app(other)
    assert "anna.weber@example.de" not in other.locator("[data-testid='stMain']").inner_text()
    other_context.close()


@pytest.mark.parametrize("name", ["精准匹配", "空置分析"])
def test_the_public_view_holds_no_project_field(app_server, app_store, page, name):
    open_page(page, app_server, name)
    everything = page.content() + "".join(frame.content() for frame in page.frames if frame != page.main_frame)
    projects = app_store.projects()
    leaked = [v for column in ("code", "name", "investor") for v in projects[column] if isinstance(v, str) and v in everything]
    assert not leaked
    assert page.locator("[data-testid='stException']").count() == 0
    assert "按载体找项目" not in page.locator("[data-testid='stMain']").inner_text()


def test_vacancy_page_renders_for_staff(app_server, app_store, page):
    open_page(page, app_server, "空置分析", user="staff-port")
    main = page.locator("[data-testid='stMain']")
    for heading in ("各区镇、各类载体空置情况", "空置载体分布", "空置载体清单", "空置变化趋势", "与上一双月报告期相比的变化", "数据新鲜度"):
        assert main.get_by_text(heading, exact=True).count() == 1, heading
    assert page.locator("iframe[title='streamlit_folium.st_folium']").count() == 1
    assert page.locator("[data-testid='stException']").count() == 0
