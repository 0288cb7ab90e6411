"""The duplicate notice after a district uploads its project list (heatmap.pipeline.intake.upload_notices),
on both stores: each new or changed project that likely matches another district's project gets the notice
the form gives — a count, nothing of the other district's record — after the preview and again after the
commit; an unrelated project, an unchanged one and a pair the office has decided get none; the stored
projects are prepared for matching once per upload, not once per row."""
import pandas as pd
import pytest
from shapely.geometry import Point

from heatmap.ingest import pipeline
from heatmap.pipeline import duplicates, intake

from test_office import project


def csv_of(rows: list[dict]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")


LIUHE_LIST = [
    # the port's project under another legal form of the investor's name and the place in front
    {"项目编号": "LH-XM-1", "项目名称": "华能新材料生产基地项目", "投资方": "太仓市华能新材料科技有限公司", "项目类别": "制造业",
     "行业": "新材料", "投资额": "5亿元", "项目进展": "在谈", "所属区镇": "浏河镇"},
    # nothing like it anywhere else
    {"项目编号": "LH-XM-2", "项目名称": "汽车电子研发中心", "投资方": "Example Automotive Inc.", "项目类别": "研发",
     "行业": "电子信息", "投资额": "USD 30 million", "项目进展": "首次接触", "所属区镇": "浏河镇"},
]


@pytest.fixture
def others(store):
    """Two other districts' projects: the port's 华能 project and 沙溪's bearing plant."""
    store.save("project", [project("PT-1", "port", investor="华能新材料科技（太仓）有限公司", geometry=Point(121.2, 31.6))],
               user="staff-port", source="form", district="port")
    store.save("project", [project("SX-9", "shaxi", name="精密轴承项目", investor="舍弗勒（中国）有限公司")],
               user="staff-shaxi", source="form", district="shaxi")
    return store


def read(store, rows):
    upload = pipeline.read_upload(csv_of(rows), "浏河镇项目库.csv", entity="project", store=store, district="liuhe")
    assert not upload.errors, [pipeline.problem_message(p, "en") for p in upload.errors]
    return upload


def test_a_new_project_like_another_districts_is_noticed_after_preview_and_commit(others):
    upload = read(others, LIUHE_LIST)
    diff = pipeline.preview(upload, others)
    notices = intake.upload_notices(others, intake.new_or_changed(upload.records, diff))
    assert [(code, n.matches_elsewhere) for code, n in notices] == [("LH-XM-1", 1)]  # LH-XM-2: no match, no notice
    told = " ".join(intake.notice_text(code, n, lang) for code, n in notices for lang in ("zh", "en"))
    assert "LH-XM-1" in told and "招商局" in told and "investment office" in told
    for secret in ("PT-1", "port", "港", "华能新材料科技（太仓）"):  # nothing of the port's record
        assert secret not in repr(notices) and secret not in told.replace("LH-XM-1", "")
    _, applied = pipeline.commit(upload, others, user="staff-liuhe", previewed=diff)
    after = intake.upload_notices(others, intake.new_or_changed(upload.records, applied))
    assert [(code, n.matches_elsewhere) for code, n in after] == [("LH-XM-1", 1)]  # not matched with itself either


def test_unchanged_projects_and_decided_pairs_are_not_raised_again(others):
    first = read(others, LIUHE_LIST)
    pipeline.commit(first, others, user="staff-liuhe")
    again = read(others, LIUHE_LIST)
    assert intake.upload_notices(others, intake.new_or_changed(again.records, pipeline.preview(again, others))) == []
    changed = [dict(LIUHE_LIST[0], 项目进展="已签约"), LIUHE_LIST[1]]
    upload = read(others, changed)
    codes = [code for code, _ in intake.upload_notices(others, intake.new_or_changed(upload.records, pipeline.preview(upload, others)))]
    assert codes == ["LH-XM-1"]  # a changed project is matched again
    others.decide_duplicate("LH-XM-1", "PT-1", "different", user="office")
    assert intake.upload_notices(others, intake.new_or_changed(upload.records, pipeline.preview(upload, others))) == []


def test_the_stored_projects_are_prepared_once_per_upload(others, monkeypatch):
    built = []
    original = duplicates.MatchIndex.build.__func__

    def counted(cls, stored, rules=duplicates.DEFAULT_RULES):
        built.append(len(stored))
        return original(cls, stored, rules)

    monkeypatch.setattr(duplicates.MatchIndex, "build", classmethod(counted))
    rows = LIUHE_LIST + [dict(LIUHE_LIST[1], 项目编号=f"LH-XM-{n}", 项目名称=f"研发中心 {n} 期") for n in range(3, 23)]
    upload = read(others, rows)
    notices = intake.upload_notices(others, upload.records)
    assert built == [2] and [code for code, _ in notices] == ["LH-XM-1"]
    assert intake.upload_notices(others, []) == [] and built == [2]  # nothing to match: nothing built
