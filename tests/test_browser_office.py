"""The investment office's one window (统一窗口) in a real Chromium: the office signs in, opens the queue and
decides a pair "the same project" with a hosting district — the pair leaves the queue, the retired record is
gone from the project library and the kept one carries the other district as its first contact; a second
pair decided "different" is not raised again."""
import datetime as dt

import pytest
from playwright.sync_api import expect
from shapely.geometry import Point

from heatmap import bootstrap
from heatmap.pipeline import duplicates
from heatmap.store import Store

from conftest import RunningApp, sign_in, wait_for_app
from test_browser_upload import open_page


def credit_code(first17: str) -> str:
    return first17 + duplicates.credit_code_check_char(first17)


def planted(code, district, investor, credit, reported_on, name):
    """A project whose pair scores 100 (one valid credit code on both sides) and, by its code, comes first
    among the sample's pairs of equal score."""
    return {"code": code, "name": name, "investor": investor, "credit_code": credit, "category": "manufacturing",
            "sector": "new_materials", "stage": "negotiating", "district": district, "investment_wan": 30000.0,
            "currency": "CNY", "reported_on": reported_on, "geometry": Point(121.2, 31.5)}


SAME = ("AA-OFF-1", "AA-OFF-2")  # 浏河 heard of it first; it settles in the port
DIFFERENT = ("AB-OFF-1", "AB-OFF-2")


@pytest.fixture(scope="module")
def office_server(tmp_path_factory, browser):
    app = RunningApp(tmp_path_factory.mktemp("office-app"))  # its own data: these tests decide pairs
    store = Store(f"sqlite:///{app.data_dir / 'heatmap.sqlite'}")
    bootstrap.ensure_database(store, sample_if_empty=True)
    same, different = credit_code("91320585MA1TC0101"), credit_code("91320585MA1TC0202")
    for record, district in (
        (planted(SAME[0], "liuhe", "太仓市鸿鹄精密机械有限公司", same, dt.date(2026, 3, 1), "鸿鹄精密机械生产基地项目"), "liuhe"),
        (planted(SAME[1], "port", "鸿鹄精密机械（太仓）有限公司", same, dt.date(2026, 5, 1), "鸿鹄精密机械项目"), "port"),
        (planted(DIFFERENT[0], "shaxi", "苏州青鸾新材料有限公司", different, dt.date(2026, 4, 1), "青鸾新材料项目"), "shaxi"),
        (planted(DIFFERENT[1], "ludu", "青鸾新材料科技有限公司", different, dt.date(2026, 4, 2), "青鸾新材料二期项目"), "ludu"),
    ):
        store.save("project", [record], user=f"staff-{district}", source="form", district=district)
    yield app, store
    app.stop()


def pair_expander(page, codes):
    return page.locator("[data-testid='stMain'] [data-testid='stExpander']").filter(has_text=f"{codes[0]} ↔ {codes[1]}")


def decide(page, codes, outcome: str, hosting: str | None = None) -> None:
    wait_for_app(page)  # the page after the previous decision has finished drawing
    expander = pair_expander(page, codes)
    expander.locator("summary").click()
    form = expander.locator("[data-testid='stForm']")
    form.get_by_text(outcome, exact=True).click()
    expect(form.get_by_role("radio", name=outcome, exact=True)).to_be_checked()
    if hosting:
        option = page.get_by_role("option").filter(has_text=hosting).first
        for _ in range(3):  # the list may close again while the expander settles: open it once more
            form.locator("[data-testid='stSelectbox'] input").click()
            try:
                option.wait_for(timeout=5000)
                break
            except Exception:  # noqa: BLE001
                page.keyboard.press("Escape")
        option.click()
        expect(form.locator("[data-testid='stSelectbox'] input")).to_have_value(hosting)
    form.get_by_role("button", name="确认认定").click()
    wait_for_app(page)


def test_the_office_decides_one_pair_the_same_and_another_different(office_server, page):
    server, store = office_server
    page.goto(server.url)
    wait_for_app(page)
    sign_in(page, "office")
    open_page(page, "统一窗口")
    main = page.locator("[data-testid='stMain']")
    expect(main.locator("h1")).to_have_text("统一窗口：疑似同一项目")
    expect(pair_expander(page, SAME)).to_have_count(1)
    expect(pair_expander(page, DIFFERENT)).to_have_count(1)

    decide(page, SAME, "同一项目", "太仓港经济技术开发区")
    expect(main.locator("[data-testid='stAlert']").filter(has_text=SAME[1])).to_have_count(1, timeout=30_000)
    expect(pair_expander(page, SAME)).to_have_count(0)  # left the queue
    kept = store.record("project", SAME[1])
    assert store.record("project", SAME[0]) is None and kept["district"] == "port" and kept["origin_district"] == "liuhe"
    assert kept["reported_on"] == dt.date(2026, 3, 1)  # the earlier registration wins

    decide(page, DIFFERENT, "不同项目")
    expect(pair_expander(page, DIFFERENT)).to_have_count(0, timeout=60_000)
    assert store.record("project", DIFFERENT[0]) is not None and store.record("project", DIFFERENT[1]) is not None
    assert sorted(store.duplicate_decisions()["outcome"]) == ["different", "same"]

    open_page(page, "项目库")  # the retired record is gone, the kept one names 浏河 as first contact
    main.get_by_role("tab", name="新增 / 修改").click()
    box = main.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text("要修改的项目", exact=True))
    box.click()
    page.keyboard.type("AA-OFF")
    options = page.get_by_role("option")
    expect(options.filter(has_text=SAME[1])).to_have_count(1)
    expect(options.filter(has_text=SAME[0])).to_have_count(0)
    options.filter(has_text=SAME[1]).click()
    wait_for_app(page)
    form = page.locator("[data-testid='stForm']").filter(has=page.get_by_text("项目代号"))
    for label, district in (("所属区镇", "太仓港经济技术开发区"), ("首谈地", "浏河镇")):
        box = form.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text(label, exact=True))
        expect(box.locator("input")).to_have_value(district)

    open_page(page, "统一窗口")  # decided pairs are not raised again
    expect(main.locator("h1")).to_have_text("统一窗口：疑似同一项目")
    expect(pair_expander(page, SAME)).to_have_count(0)
    expect(pair_expander(page, DIFFERENT)).to_have_count(0)
