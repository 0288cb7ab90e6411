"""The vacancy, matching, inquiries and map pages under AppTest: they run, in both languages, and the public
view of them holds no project field."""
import pytest

from heatmap.access import Role, Viewer
from heatmap.store import Store

from conftest import page_text, run_app

LEADER = Viewer("leader", Role.LEADER, None, "市领导")
STAFF = Viewer("staff-liuhe", Role.STAFF, "liuhe", "浏河")


def project_fields_in(text: str) -> list[str]:
    projects = Store().projects()
    return [v for column in ("code", "name", "investor") for v in projects[column] if isinstance(v, str) and v in text]


@pytest.mark.parametrize("page", ["pages/vacancy.py", "pages/matching.py"])
def test_public_pages_hold_no_project_field(app_data, page):
    at = run_app(page=page)
    assert not project_fields_in(page_text(at))


def test_vacancy_page_in_both_languages(app_data):
    at = run_app(page="pages/vacancy.py")
    assert at.title[0].value == "载体空置分析"
    assert {"各区镇、各类载体空置情况", "空置变化趋势", "数据新鲜度"} <= {h.value for h in at.subheader}
    table = at.dataframe[0].value
    assert table.index[0] == "全市合计"
    en = run_app(lang="en", page="pages/vacancy.py")
    assert en.title[0].value == "Vacant space" and en.dataframe[0].value.index[0] == "City total"


def test_vacancy_changes_since_the_previous_period(app_data):
    at = run_app(viewer=LEADER, page="pages/vacancy.py")
    compare = at.selectbox(key="v_compare")
    assert str(compare.value) == "2026-08-31"  # the sample's last report is Sep–Oct: compare with the end of Jul–Aug
    assert any("2026年8月31日" in c.value for c in at.caption)


def test_matching_ranks_and_explains(app_data):
    at = run_app(page="pages/matching.py")
    at.selectbox(key="m_kind").set_value("plant")
    at.number_input(key="m_area_min").set_value(5000.0)
    at.number_input(key="m_clear_height").set_value(9.0)
    at.number_input(key="m_budget").set_value(30.0)
    at.multiselect(key="m_districts").set_value(["hitech"])
    at.run()
    assert not at.exception
    results = at.dataframe[0].value  # the ranked list comes first
    assert len(results) > 0 and list(results["rank"]) == list(range(1, len(results) + 1))
    assert results["score"].is_monotonic_decreasing
    carriers = Store().carriers().set_index("code")
    for code in results["code"]:
        assert carriers.loc[code, "kind"] == "plant" and carriers.loc[code, "vacant_m2"] >= 5000
        assert carriers.loc[code, "clear_height_m"] >= 9
    expanders = [e.label for e in at.expander]
    assert any(label.startswith("#1 · ") for label in expanders)


def test_staff_prefill_from_a_project_and_see_projects_for_a_site(app_data):
    at = run_app(viewer=STAFF, page="pages/matching.py")
    visible = at.selectbox(key="m_project").options
    assert len(visible) > 1
    at.selectbox(key="m_project").select_index(1)
    at.run()
    assert not at.exception
    assert at.selectbox(key="m_kind").value in ("land", "plant", "office", "other")
    assert len(at.tabs) == 2
    assert at.dataframe[-1].value.shape[0] > 0  # projects that would fit the picked site


def test_inquiries_page_only_for_staff(app_data):
    public = run_app()
    assert "pages/inquiries.py" not in str(public._tree)  # not in the navigation
    at = run_app(viewer=STAFF, page="pages/inquiries.py")
    assert at.title[0].value == "投资者咨询"


@pytest.mark.parametrize("lang, notice", [
    ("en", "This link filters projects (stage, reporting period). Project information is confidential and needs a staff "
           "sign-in: sign in on the left and the map shows the link's filters."),
    ("zh", "此链接含项目筛选（推进阶段、报告期）。项目信息保密，需工作人员登录后查看：请在左侧登录，登录后地图即按链接显示这些筛选。"),
])
def test_a_map_link_with_pipeline_filters_tells_the_public_to_sign_in_and_keeps_them(app_data, lang, notice):
    from streamlit.testing.v1 import AppTest

    from conftest import REPO

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    link = {"lang": lang, "stg": "signed,approval", "per": "2026-5", "k": "plant"}
    for key, value in link.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/map.py")
    at.run()
    assert not at.exception
    assert [i.value for i in at.info if "sign" in i.value or "登录" in i.value] == [notice]
    assert dict(at.query_params) == link  # kept for after signing in (the public's own filter, k, stays as well)
    assert not project_fields_in(page_text(at))
