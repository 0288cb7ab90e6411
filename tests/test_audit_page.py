"""The audit trail's page under AppTest: only an administrator reaches it (for anyone else it is not listed, and
its URL shows a refusal and nothing of the trail); the administrator reads it in Chinese and English and filters
it by account, action and district; the page offers no way to change an entry, only to export the list."""
from heatmap import i18n
from heatmap.access import PUBLIC, Action, Role, Viewer, allowed
from heatmap.pipeline import reports
from heatmap.store import Store

from conftest import page_text, run_app

ADMIN = Viewer("admin", Role.ADMIN, None, "管理员")
OTHERS = (PUBLIC, Viewer("staff-liuhe", Role.STAFF, "liuhe", "浏河"), Viewer("leader", Role.LEADER, None, "市领导"),
          Viewer("office", Role.OFFICE, None, "招商局"))


def test_only_an_administrator_reaches_the_audit_trail(app_data):
    store = Store()
    run_app()  # the app's database, with the sample, made by its first run
    store.audit("signin", "staff-liuhe", role="staff", district="liuhe", client="203.0.113.77")
    for viewer in OTHERS:
        assert not allowed(viewer, Action.VIEW_AUDIT)  # what lists the page (ui.confidential_nav_page) and opens it
        refused = run_app(viewer=viewer, page="pages/audit.py")
        notice = refused.warning[-1].value if viewer.signed_in else refused.info[0].value
        expected = (i18n.t("access.not_for_role", "zh", role=i18n.label("role", viewer.role.value, "zh")) if viewer.signed_in
                    else i18n.t("projects.not_allowed", "zh"))
        assert refused.title[0].value == "审计日志" and notice == expected
        assert not refused.dataframe and "203.0.113.77" not in page_text(refused)
    assert allowed(ADMIN, Action.VIEW_AUDIT)


def test_the_administrator_reads_and_filters_the_trail_in_both_languages(app_data):
    store = Store()
    run_app()
    store.audit("export", "office", role="office", target="taicang-report-2026-5.xlsx",
                detail={"file": "taicang-report-2026-5.xlsx", "period": "2026-5"}, client="198.51.100.4")
    store.audit("project_view", "staff-liuhe", role="staff", district="liuhe", target="TC-PJ-00007",
                target_district="liuhe", detail={"page": "projects"}, client="203.0.113.7")
    at = run_app(viewer=ADMIN, page="pages/audit.py")
    assert at.title[0].value == "审计日志"
    table = at.dataframe[0].value
    assert list(table.columns) == ["时间", "账号", "角色", "所属区镇", "操作", "对象", "对象所属区镇", "详情", "来源地址", "客户端"]
    assert {"导出数据", "查看项目档案", "载入示例数据"} <= set(table["操作"])
    assert not table.astype(str).isin(["None", "nan", "NaN"]).any().any()
    assert not at.main.button and not at.main.text_input and not at.main.data_editor  # nothing here edits an entry

    at.multiselect(key="a_actions").set_value(["project_view"]).run()
    viewed = at.dataframe[0].value
    assert set(viewed["操作"]) == {"查看项目档案"} and "TC-PJ-00007" in set(viewed["对象"])
    at.multiselect(key="a_actions").set_value([]).run()
    at.selectbox(key="a_actor").set_value("office").run()
    assert set(at.dataframe[0].value["账号"]) == {"office"}
    at.selectbox(key="a_actor").set_value(None).run()
    at.selectbox(key="a_district").set_value("liuhe").run()
    by_district = at.dataframe[0].value
    assert "查看项目档案" in set(by_district["操作"]) and "导出数据" not in set(by_district["操作"])

    en = run_app(lang="en", viewer=ADMIN, page="pages/audit.py")
    assert en.title[0].value == "Audit trail"
    english = en.dataframe[0].value
    assert {"Data exported", "Project record opened", "Sample data loaded"} <= set(english["Action"])
    assert f"period: {reports.period_from_key('2026-5').label('en')}" in set(english["Details"])
    assert not [c for c in english["Action"] if any("\u3400" <= ch <= "\u9fff" for ch in c)]
