"""The landing page under Streamlit's AppTest: figures in both languages, the sample notice, and no
project data for the public."""
from streamlit.testing.v1 import AppTest

from heatmap.access import Role, Viewer
from heatmap.store import Store

from conftest import page_text, run_app


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_landing_page_in_chinese_shows_the_city_figures_and_the_sample_notice(app_data):
    at = run_app()
    assert at.title[0].value == "太仓投资热力图"
    assert any("样例数据" in w.value for w in at.warning)
    shown = metrics(at)
    assert set(shown) == {"载体总数", "楼宇空置面积", "楼宇空置率", "可供产业用地"}
    store = Store()
    public = store.carriers(public_only=True)
    assert shown["载体总数"] == f"{len(public):,}"
    assert shown["楼宇空置率"].endswith("%") and shown["可供产业用地"].endswith("亩")
    text = page_text(at)
    assert "数据日期：2026年10月31日" in text
    district_table = at.dataframe[1].value
    assert district_table.iloc[0, 0] == "全市合计"
    assert "太仓港经济技术开发区" in set(district_table.iloc[:, 0]) and "浏河镇" in set(district_table.iloc[:, 0])
    assert district_table.iloc[1:, 2].sum() == district_table.iloc[0, 2]  # districts add up to the city


def test_landing_page_in_english(app_data):
    at = run_app(lang="en")
    assert at.title[0].value == "Taicang Investment Heat Map"
    assert any("Sample data" in w.value for w in at.warning)
    assert set(metrics(at)) == {"Sites", "Vacant floor space", "Floor space vacancy", "Available industrial land"}
    assert "Liuhe Town" in set(at.dataframe[1].value.iloc[:, 0])
    assert "Industrial land" in set(at.dataframe[0].value.iloc[:, 0])


def test_public_viewers_get_no_project_field_from_the_landing_page(app_data):
    at = run_app()
    text = page_text(at)
    projects = Store().projects()
    assert len(projects) == 300
    leaked = [value for column in ("code", "name", "investor") for value in projects[column] if str(value) in text]
    assert not leaked
    assert "在谈" not in text and "投资" not in "".join(m.label for m in at.metric)
    assert any("保密" in i.value for i in at.info)


def test_leaders_see_the_pipeline(app_data):
    at = run_app(viewer=Viewer("leader", Role.LEADER, None, "市领导"))
    shown = metrics(at)
    assert shown["在库项目"] == "300"
    assert shown["项目计划总投资"].endswith("亿元")
    assert {"n_negotiating", "n_signed", "n_settled", "investment_yi"} <= set(at.dataframe[1].value.columns)
    stages = at.dataframe[2].value
    # the order, then on hold and dropped (none in the sample): a leader sees how many stopped
    assert list(stages.iloc[:, 0]) == ["首次接触", "在谈", "签约", "注册", "报批报建", "开工", "投产", "搁置", "放弃"]
    assert stages.iloc[:, 1].sum() == 300


def test_staff_see_only_their_districts_pipeline(app_data):
    at = run_app(viewer=Viewer("staff-liuhe", Role.STAFF, "liuhe", "浏河"))
    projects = Store().projects()
    mine = projects[(projects["district"] == "liuhe") | (projects["origin_district"] == "liuhe")]
    assert metrics(at)["在库项目"] == str(len(mine))
