"""A transfer in a real Chromium, from proposal to acceptance to settlement: a district's staffer proposes a
project for another district; the receiving district's staffer accepts it on the page and the project moves
there; once it settles, both districts' credit rows show on the page (in English for the office) and in the
store; the public is refused at the page's URL."""
import datetime as dt

from playwright.sync_api import expect

from heatmap.pipeline import transfercredit, transferflow

from conftest import writing_app, wait_for_app
from test_browser_first_reports import pick, signed_in_page
from test_browser_upload import open_page


server, store = writing_app("transfers-app")  # its own data: these tests write


def test_a_transfer_goes_from_proposal_to_acceptance_and_after_settlement_both_districts_have_credit(server, browser, store):
    context, page = signed_in_page(browser, server, "staff-chengxiang")  # the app makes its database on first use
    in_transfers = set(store.transfer_proposals()["project_code"])  # the sample's own
    candidates = store.projects().query("district == 'chengxiang' and stage in ['negotiating', 'first_contact']")
    project = candidates[~candidates["code"].isin(in_transfers)].sort_values("code").iloc[0]
    code, code_name = project["code"], project["code_name"]
    open_page(page, "项目流转")
    main = page.locator("[data-testid='stMain']")
    pick(page, "项目", code)
    pick(page, "拟流转至", "沙溪镇")
    pick(page, "理由", "无合适用地")
    main.get_by_role("button", name="上报", exact=True).click()
    wait_for_app(page)
    expect(main).to_contain_text(f"已上报：{code} 拟流转至沙溪镇", timeout=30_000)
    context.close()

    context, page = signed_in_page(browser, server, "staff-shaxi")
    open_page(page, "项目流转")
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("待本区镇决定的流转")
    pick(page, "流转项目", code_name)  # another district's project: by its code name
    form = main.locator("[data-testid='stForm']").filter(has_text="提交决定")
    assert code not in form.inner_text()
    form.get_by_text("接收（项目转入本区镇）").click()
    form.get_by_role("button", name="提交决定").click()
    wait_for_app(page)
    expect(main).to_contain_text(f"已接收：{code} 已转入沙溪镇，分成 首谈地 50% · 承接地 50% · 5 年", timeout=30_000)
    moved = store.record("project", code)
    assert (moved["district"], moved["origin_district"]) == ("shaxi", "chengxiang")
    accepted = next(t for t in transferflow.load(store) if t.project_code == code)
    assert (accepted.status, accepted.accepted.by, accepted.split) == ("accepted", "staff-shaxi", (50.0, 5))
    context.close()

    # the destination reports the project registered (settled): both districts get their credit
    today = dt.date.today()
    store.save("project", [{**moved, "stage": "registered"}], user="staff-shaxi", source="form",
               stage_events={code: {"on": today}})
    rows = transfercredit.transfer_credits(store).query("project_code == @code")
    assert sorted(rows[["district", "role", "share"]].values.tolist()) == [["chengxiang", "origin", 0.5], ["shaxi", "destination", 0.5]]

    context, page = signed_in_page(browser, server, "office")
    open_page(page, "项目流转")
    page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    credit = main.locator("[data-testid='stTable']")
    expect(credit).to_contain_text(code)
    rows_text = [r.inner_text() for r in credit.locator("tr").filter(has_text=code).all()]
    assert len(rows_text) == 2
    assert any("Chengxiang" in r and "Origin" in r and "50.0%" in r for r in rows_text), rows_text
    assert any("Shaxi" in r and "Destination" in r for r in rows_text), rows_text
    text = main.inner_text()
    for name in store.projects()["name"].dropna():  # the projects' own names are data, in the language they were given
        text = text.replace(name, "")
    assert not any("\u3400" <= ch <= "\u9fff" for ch in text), [ch for ch in text if "\u3400" <= ch <= "\u9fff"][:20]
    assert "None" not in text and "nan" not in text.split()
    context.close()


def test_the_public_is_refused_at_the_url(server, page):
    page.goto(f"{server.url}/transfers")
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("项目信息保密：请工作人员登录后查看。")
    assert main.locator("[data-testid='stTable']").count() == 0 and main.locator("[data-testid='stForm']").count() == 0
