"""Pre-evaluation in Chromium: a district's staff complete a project's missing indicator values, see the grade
with its explanation and propose it (zh); the office confirms it (en) and it becomes the project's grade; the
leading group's queue lists a B-or-better project asking for city support, leaders by code name, and the office
records a decision; an administrator edits a standard, sees the effect on the projects' grades and saves it."""
from playwright.sync_api import expect

from heatmap.pipeline import evaluations as ev
from heatmap.pipeline import grading as gr
from heatmap.pipeline import leading_group as lg

from conftest import writing_app, sign_in, wait_for_app


server, store = writing_app("grading-app")  # its own data: these tests write


def open_as(browser, server, user, page_name, english=False):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url)
    wait_for_app(page, 180)
    sign_in(page, user)
    if english:
        page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
        wait_for_app(page)
    page.locator("[data-testid='stSidebarNav']").get_by_text(page_name, exact=True).click()
    wait_for_app(page)
    return context, page


def pick(page, label, text):
    box = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has=page.get_by_text(label, exact=True)).first
    box.click()
    page.keyboard.type(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    wait_for_app(page)


def no_codes_on_screen(main):
    text = main.inner_text()
    assert "None" not in text and "nan" not in text.split() and "grading." not in text


def test_staff_complete_the_values_see_the_explanation_and_propose_then_the_office_confirms(server, browser, store):
    context, page = open_as(browser, server, "staff-liuhe", "项目评价")  # the app makes its database on first use
    states = ev.states(store.grade_evaluations())
    projects = store.projects().set_index("code")
    code = next(c for c, s in sorted(states.items()) if s.status == "saved" and projects.loc[c, "district"] == "liuhe"
                and not ev.inputs_of(s.values)["vetoes"])
    state = states[code]
    _, rules = ev.standards(store)
    missing = [i["indicator"] for i in rules["standards"][state.values["standard"]]["indicators"]
               if i["indicator"] not in ev.inputs_of(state.values)["values"]]
    main = page.locator("[data-testid='stMain']")
    pick(page, "项目", code)
    expect(main).to_contain_text("已保存指标值，计算结果 暂未评级")
    expect(main).to_contain_text("暂未评级：缺少" + "、".join(gr.indicator_label(m, "zh") for m in missing))
    expect(main.get_by_role("button", name="提交评级")).to_be_disabled()
    for name in missing:
        if name in gr.CHOICE_INDICATORS:
            pick(page, gr.indicator_label(name, "zh"), gr.option_label(name, gr.CHOICE_INDICATORS[name][0], "zh"))
        else:
            label = f"{gr.indicator_label(name, 'zh')}（{gr.i18n.t(f'grading.unit_short.{name}', 'zh')}）"
            box = main.locator("[data-testid='stNumberInput']").filter(has=page.get_by_text(label, exact=True)).locator("input")
            box.fill("1000")
            box.press("Enter")
            wait_for_app(page)
    expect(main).to_contain_text("得分")
    explanation = main.locator("[data-testid='stTable']").first
    expect(explanation).to_contain_text("合计")
    for name in missing:
        expect(explanation).to_contain_text(gr.indicator_label(name, "zh"))
    main.get_by_role("button", name="提交评级").click()
    wait_for_app(page)
    expect(main).to_contain_text(f"{code} 已提交评级", timeout=30_000)
    no_codes_on_screen(main)
    proposal = ev.state_of(store, code).proposal
    assert proposal["recorded_by"] == "staff-liuhe" and proposal["grade"] in gr.GRADES
    context.close()

    context, page = open_as(browser, server, "office", "Grading", english=True)
    main = page.locator("[data-testid='stMain']")
    main.get_by_role("tab", name="Waiting for the office").click()
    wait_for_app(page)
    pick(page, "Project to decide", code)
    expect(main).to_contain_text(f"staff-liuhe proposed {proposal['grade']}")
    expect(main.locator("[data-testid='stTable']").first).to_contain_text("Total")
    main.get_by_role("button", name="Confirm the grade").click()
    wait_for_app(page)
    expect(main).to_contain_text(f"{code}'s grade {proposal['grade']} is confirmed.", timeout=30_000)
    no_codes_on_screen(main)
    assert store.record("project", code)["grade"] == proposal["grade"]
    assert ev.state_of(store, code).confirmed["recorded_by"] == "office"
    context.close()


def test_the_leading_group_queue_shows_b_or_better_asking_support_and_the_office_records_a_decision(server, browser, store):
    context, page = open_as(browser, server, "leader", "会商")
    items = lg.queue(store.projects(), store.grade_evaluations(), store.support_decisions())
    assert items and all(gr.at_least(i.confirmed["grade"], "B") and lg.asks_support(i.project) for i in items)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text(f"待会商及已会商的项目：{len(items)} 个。")
    expect(main.get_by_role("combobox", name="项目")).to_have_value(items[0].project["code_name"])
    assert items[0].project["name"] not in main.inner_text()  # leaders: code names only
    expect(main.locator("[data-testid='stTable']").first).to_contain_text("合计")
    assert main.get_by_role("button", name="记录").count() == 0  # leaders read; the office records
    context.close()

    context, page = open_as(browser, server, "office", "会商")
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_role("combobox", name="项目")).to_have_value(f"{items[0].code} · {items[0].project['name']}")
    main.get_by_text("暂缓", exact=True).click()
    wait_for_app(page)
    main.get_by_role("textbox", name="说明").fill("请补充近两年财务报表")
    main.get_by_role("button", name="记录").click()
    wait_for_app(page)
    expect(main).to_contain_text("会商结果已记录：暂缓。", timeout=30_000)
    decision = store.support_decisions().iloc[-1]
    assert (decision["project_code"], decision["outcome"], decision["note"]) == (items[0].code, "deferred", "请补充近两年财务报表")
    context.close()


def test_an_administrator_edits_a_standard_sees_the_effect_and_saves_it(server, browser, store):
    context, page = open_as(browser, server, "admin", "评价标准")
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("个项目中有 0 个的等级会改变")
    cut = main.locator("[data-testid='stNumberInput']").filter(has=page.get_by_text("A+", exact=True)).locator("input")
    cut.fill("99")
    cut.press("Enter")
    wait_for_app(page)
    version, before = ev.standards(store)
    edited = dict(before, standards={**before["standards"], "manufacturing": {
        **before["standards"]["manufacturing"], "cutoffs": {**before["standards"]["manufacturing"]["cutoffs"], "A+": 99}}})
    from heatmap.pipeline import standards as sd

    effect = sd.preview(store.grade_evaluations(), before, edited)
    moved = int((effect["before"].fillna("") != effect["after"].fillna("")).sum())
    assert moved > 0
    expect(main).to_contain_text(f"{len(effect)} 个项目中有 {moved} 个的等级会改变。")
    expect(main.locator("[data-testid='stTable']").first).to_contain_text("修改后")
    main.get_by_role("button", name="保存为新版本").click()
    wait_for_app(page)
    expect(main).to_contain_text(f"评价标准已保存为第 {version + 1} 版。", timeout=30_000)
    assert store.rules("grading")[1]["standards"]["manufacturing"]["cutoffs"]["A+"] == 99
    no_codes_on_screen(main)
    context.close()
