"""The bi-monthly reports page under AppTest: staff see their own district's status and what their next
report would change; leaders see every district's status and the city's report, named by code name only;
the public does not reach it. (Submitting is in tests/test_browser_reports.py, where forms are submitted.)"""
from heatmap.access import Role, Viewer
from heatmap.store import Store

from conftest import page_text, run_app

STAFF = Viewer("staff-liuhe", Role.STAFF, "liuhe", "浏河")
LEADER = Viewer("leader", Role.LEADER, None, "市领导")


def test_the_public_has_no_reports_page(app_data):
    assert "pages/reports.py" not in str(run_app()._tree)


def test_staff_see_their_district_and_what_their_report_would_hold(app_data):
    at = run_app(viewer=STAFF, page="pages/reports.py")
    assert at.title[0].value == "每两月上报"
    status = at.dataframe[0].value
    assert status.iloc[:, 0].tolist() == ["浏河镇"]  # their own district only
    prefill = at.dataframe[1].value
    mine = Store().projects().query("district == 'liuhe'")
    assert set(prefill["编号"]) == set(mine["code"]) and set(prefill["与上期相比"]) <= {"新增", "有变动", "无变动", "上期有、本期无（请说明去向）"}
    assert not prefill.astype(str).isin(["None", "nan", "NaN"]).any().any()


def test_leaders_see_every_district_and_the_city_report_without_names(app_data):
    at = run_app(viewer=LEADER, page="pages/reports.py")
    status = at.dataframe[0].value
    assert len(status) == len(Store().district_codes())
    projects = Store().projects()
    text = page_text(at)
    assert not [v for c in ("name", "investor") for v in projects[c] if isinstance(v, str) and v in text]
    en = run_app(lang="en", viewer=LEADER, page="pages/reports.py")
    assert en.title[0].value == "Bi-monthly reports"
    status_en = en.dataframe[0].value  # one language per page: no Chinese in the English status table
    cells = [str(c) for c in status_en.columns] + [str(v) for v in status_en.to_numpy().ravel()]
    assert not [c for c in cells if any("\u4e00" <= ch <= "\u9fff" for ch in c)]


def test_staffs_landing_page_reminds_them_of_an_unsubmitted_report(app_data):
    at = run_app(viewer=STAFF)
    assert any("报表：" in w.value and "每两月上报" in w.value for w in at.warning)
    leader = run_app(viewer=LEADER)
    assert not any("每两月上报" in w.value for w in leader.warning)
