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
