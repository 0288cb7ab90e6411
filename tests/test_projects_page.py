"""The project library (项目库) under AppTest: staff see and edit their own district's projects only, the
office all; a leader sees code names, never names or investors; the public does not reach the page; a form
filled from an older version is refused (tests/test_browser_projects.py, where forms are really submitted)."""

from heatmap.access import Role, Viewer
from heatmap.store import Store

from conftest import page_text, run_app

STAFF = Viewer("staff-liuhe", Role.STAFF, "liuhe", "浏河")
LEADER = Viewer("leader", Role.LEADER, None, "市领导")
OFFICE = Viewer("office", Role.OFFICE, None, "招商局")


def test_the_public_does_not_reach_the_project_library(app_data):
    public = run_app()
    assert "pages/projects.py" not in str(public._tree)  # not in the navigation, so no URL reaches it
    projects = Store().projects()
    text = page_text(public)
    assert not [v for c in ("name", "investor") for v in projects[c] if isinstance(v, str) and v in text]


def test_staff_see_their_own_districts_projects_in_both_languages(app_data):
    projects = Store().projects()
    mine = projects[(projects["district"] == "liuhe") | (projects["origin_district"] == "liuhe")]
    at = run_app(viewer=STAFF, page="pages/projects.py")
    assert at.title[0].value == "项目库"
    table = at.dataframe[0].value
    assert len(table) == len(mine) and "名称" in table.columns and "投资方" in table.columns
    assert set(table["编号"]) == set(mine["code"])
    assert not table.astype(str).isin(["None", "nan", "NaN"]).any().any()
    en = run_app(lang="en", viewer=STAFF, page="pages/projects.py")
    assert en.title[0].value == "Project pipeline" and "Stage" in en.dataframe[0].value.columns
    stages = set(en.dataframe[0].value["Stage"])
    assert stages <= {"First contact", "Negotiating", "Signed", "Registered", "Permits", "Construction", "In production",
                      "On hold", "Dropped"}


def test_a_leader_sees_code_names_and_no_names_or_investors(app_data):
    at = run_app(viewer=LEADER, page="pages/projects.py")
    table = at.dataframe[0].value
    assert "名称" not in table.columns and "投资方" not in table.columns and "项目代号" in table.columns
    projects = Store().projects()
    text = page_text(at)
    assert not [v for c in ("name", "investor") for v in projects[c] if isinstance(v, str) and v in text]


def test_the_office_sees_every_districts_projects(app_data):
    at = run_app(viewer=OFFICE, page="pages/projects.py")
    assert len(at.dataframe[0].value) == len(Store().projects())


def test_only_the_office_has_the_one_window_and_it_runs_in_both_languages(app_data):
    assert "pages/duplicates.py" not in str(run_app(viewer=STAFF)._tree)
    assert "pages/duplicates.py" not in str(run_app(viewer=LEADER)._tree)
    at = run_app(viewer=OFFICE, page="pages/duplicates.py")
    assert at.title[0].value == "统一窗口：疑似同一项目"
    assert at.subheader[0].value.startswith("待认定：")
    en = run_app(lang="en", viewer=OFFICE, page="pages/duplicates.py")
    assert en.title[0].value == "One window: likely the same project" and en.subheader[0].value.startswith("To decide:")
