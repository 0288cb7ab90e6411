"""The upload page under AppTest: who sees it, and the history of a district's versions."""
import pytest
from streamlit.testing.v1 import AppTest

from heatmap.access import Role, Viewer

from conftest import REPO, page_text, run_app

STAFF = Viewer("staff-liuhe", Role.STAFF, "liuhe", "浏河")
LEADER = Viewer("leader", Role.LEADER, None, "市领导")


def test_the_public_and_leaders_get_no_upload_page(app_data):
    for viewer in (None, LEADER):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            run_app(viewer=viewer, page="pages/upload.py")  # not in their navigation
    # and the page itself refuses them, however it is reached
    at = AppTest.from_file(str(REPO / "pages" / "upload.py"), default_timeout=60)
    at.session_state["viewer"] = LEADER
    at.run()
    assert [i.value for i in at.info] == ["请以区镇招商人员或管理员身份登录后上传数据。"]
    assert not at.get("file_uploader")


def test_staff_see_their_district_and_its_history(app_data):
    at = run_app(viewer=STAFF, page="pages/upload.py")
    assert at.title[0].value == "载体数据上传"
    assert any("浏河镇" in c.value for c in at.caption)
    history = at.dataframe[0].value
    assert len(history) > 0 and set(history["区镇"]) <= {"浏河镇", "全市"}  # their own district's and city-wide versions
    changes = at.dataframe[1].value
    assert list(changes.columns) == ["操作", "编号", "字段", "原值", "新值"] and len(changes) > 0
    # the sample's versions are city-wide: staff may read them but not roll them back
    assert not [b for b in at.button if b.label == "回退此版本"]
    assert "只有管理员可以回退" in page_text(at)


def test_the_page_in_english(app_data):
    at = run_app(lang="en", viewer=STAFF, page="pages/upload.py")
    assert at.title[0].value == "Upload carrier data"
    mode = at.radio(key="u_mode")
    assert mode.value == "update"
    assert mode.options == ["Add and update (carriers not in the file stay as they are)",
                            "Replace the district's carriers of this kind (those not in the file are removed)"]


OFFICE = Viewer("office", Role.OFFICE, None, "招商局")


def project_versions(store):
    """One form version each of a 浏河 and a 港区 project (the sample's own versions are city-wide)."""
    made = {}
    for district in ("liuhe", "port"):
        code = sorted(store.projects().query(f"district == '{district}'")["code"])[0]
        record = store.record("project", code)
        made[district], _ = store.save("project", [{**record, "tech_needs": f"{district} 的修改", "decision_level_visit": None}],
                                       user=f"staff-{district}", source="form", district=district)
    return made


def test_staff_read_and_may_roll_back_only_their_own_districts_project_versions(app_data):
    from heatmap.store import Store

    made = project_versions(Store())
    at = run_app(viewer=STAFF, page="pages/upload.py")
    at.radio(key="u_history_entity").set_value("project").run()
    history = at.dataframe[0].value
    assert history["版本"].tolist() == [made["liuhe"]] and set(history["区镇"]) == {"浏河镇"}  # not the port's, nor city-wide
    changes = at.dataframe[1].value
    assert set(changes["字段"]) == {"技术需求", "已与决策层洽谈"} and "–" in set(changes["新值"])  # labelled; "not known" shown
    assert not changes.astype(str).isin(["None", "nan", "NaN"]).any().any()
    assert [b.label for b in at.button if b.label == "回退此版本"] == ["回退此版本"]


def test_the_office_reads_every_project_version_and_has_no_carriers_here(app_data):
    at = run_app(viewer=OFFICE, page="pages/upload.py")
    assert at.title[0].value == "项目清单上传"
    assert not at.get("radio") or "u_history_entity" not in [r.key for r in at.radio]  # projects only: nothing to choose
    history = at.dataframe[0].value
    assert {"浏河镇", "太仓港经济技术开发区", "全市"} <= set(history["区镇"])
    assert [b.label for b in at.button if b.label == "回退此版本"] == ["回退此版本"]
    en = run_app(lang="en", viewer=OFFICE, page="pages/upload.py")
    assert en.title[0].value == "Upload project lists"
