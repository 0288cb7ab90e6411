"""A project's grade on SQLite and PostGIS: the staff of the project's district propose it from its indicator
values, the office confirms it (never its proposer) or returns it with a reason; every row names the standard
version it used and recomputes exactly; the confirmed grade becomes the project's `grade`; two people at
once cannot both write; B or better asking city support goes to the leading group's queue (会商), whose
decisions are appended; the standards editor previews an edit's effect and saves a new version."""
import pandas as pd
import pytest
import sqlalchemy as sa
from shapely.geometry import Point

from heatmap.access import Role, Viewer
from heatmap.pipeline import evaluations as ev
from heatmap.pipeline import grading as gr
from heatmap.pipeline import leading_group as lg
from heatmap.pipeline import rulebook
from heatmap.pipeline import standards as sd
from heatmap.store import Conflict

LIUHE = Viewer("staff-liuhe", Role.STAFF, "liuhe", "")
LIUHE_2 = Viewer("staff-liuhe-2", Role.STAFF, "liuhe", "")
SHAXI = Viewer("staff-shaxi", Role.STAFF, "shaxi", "")
OFFICE = Viewer("office", Role.OFFICE, None, "")
LEADER = Viewer("leader", Role.LEADER, None, "")
ADMIN = Viewer("admin", Role.ADMIN, None, "")
NAMES = {"liuhe": "浏河镇", "shaxi": "沙溪镇"}

FULL = {"investment_intensity_wan_mu": 500, "tax_per_mu_wan": 10, "output_per_mu_wan": 400, "investment_cny_wan": 20000,
        "rnd_share_pct": 3, "jobs": 200, "industry_fit": "encouraged", "investor_strength": "leading"}
# 17×0.6 + 20×0.5 + 18×0.5 + 10×0.5 + 5×(2/3) + 5×0.5 + 15×0.5 + 10×0.4 = 51.53…: grade D
MIDDLE = {"investment_intensity_wan_mu": 300, "tax_per_mu_wan": 5, "output_per_mu_wan": 200, "investment_cny_wan": 10000,
          "rnd_share_pct": 2, "jobs": 100, "industry_fit": "allowed", "investor_strength": "ordinary"}
DOCS = list(gr.DOCUMENTS)


def project(code, district="liuhe", **overrides):
    return {"code": code, "name": f"精密轴承项目{code[-1]}", "category": "manufacturing", "stage": "negotiating",
            "district": district, "investment_wan": 20000.0, "currency": "CNY", "code_name": f"TC-2026-{code[-3:]}",
            "geometry": Point(121.27, 31.52)} | overrides


@pytest.fixture
def pipeline(store):
    store.save("project", [project("TC-PJ-001", city_support_requested=True, city_support_wan=800.0),
                           project("TC-PJ-002"), project("TC-PJ-003", district="shaxi")], user="sample", source="form")
    return store


def latest(store, code):
    return ev.state_of(store, code).latest_id


def propose(store, viewer, code, values=FULL, documents=DOCS, vetoes=(), propose=True):
    return ev.record(store, viewer, code, "manufacturing", values, vetoes, documents, propose=propose,
                     seen_latest=latest(store, code))


def test_staff_propose_the_office_confirms_and_the_grade_becomes_the_projects(pipeline):
    row_id, result = propose(pipeline, LIUHE, "TC-PJ-001")
    assert result.grade == "A+" and result.score == 100 and result.version == 1  # the defaults saved as version 1
    assert pipeline.rules("grading")[0] == 1
    assert ev.state_of(pipeline, "TC-PJ-001").status == "proposed"
    assert pipeline.record("project", "TC-PJ-001").get("grade") is None  # proposed is not yet the grade
    ev.confirm(pipeline, OFFICE, "TC-PJ-001", seen_latest=row_id)
    state = ev.state_of(pipeline, "TC-PJ-001")
    assert state.status == "confirmed" and state.confirmed["grade"] == "A+" and state.confirmed["proposal_id"] == row_id
    assert pipeline.record("project", "TC-PJ-001")["grade"] == "A+"
    assert sorted(pipeline.versions("project")["source"]) == ["form", "grading"]
    assert "已确认评级 A+" in ev.status_text(state, "zh")


def test_every_grade_recomputes_exactly_from_its_values_and_standard_version(pipeline):
    propose(pipeline, LIUHE, "TC-PJ-002", values=MIDDLE)
    [row] = pipeline.grade_evaluations("TC-PJ-002").to_dict("records")
    assert row["grade"] == "D" and row["standard_version"] == 1
    document = rulebook.defaults("grading")
    document["standards"]["manufacturing"]["cutoffs"] = {"A+": 95, "A": 85, "B": 75, "C": 65, "D": 55, "E": 45}
    rulebook.save(pipeline, "grading", document, user="admin", edited_from=1)
    again = ev.recompute(pipeline, row)  # under version 1, not the newer version 2
    assert again.grade == "D" and str(again.score) == row["score"] and again.version == 1
    assert gr.grade_with(ev.inputs_of(row), document, "manufacturing", 2).grade == "E"


def test_only_the_projects_district_proposes_and_never_with_values_missing(pipeline):
    for viewer in (SHAXI, OFFICE, LEADER):
        with pytest.raises(ev.GradingError) as refused:
            propose(pipeline, viewer, "TC-PJ-001")
        assert refused.value.reasons[0].key == "grading.refused.not_yours"
    partial = {k: v for k, v in FULL.items() if k != "jobs"}
    with pytest.raises(ev.GradingError) as refused:
        propose(pipeline, LIUHE, "TC-PJ-001", values=partial)
    assert ev.refusal_text(refused.value, "en") == ["TC-PJ-001 is not rated yet: a grade can be proposed once nothing is missing."]
    _, saved = propose(pipeline, LIUHE, "TC-PJ-001", values=partial, propose=False)  # saved as it is
    assert saved.grade is None and saved.missing == ("jobs",)
    assert ev.state_of(pipeline, "TC-PJ-001").status == "saved"
    assert pipeline.grade_evaluations().shape[0] == 1


def test_the_office_confirms_never_its_own_and_returns_with_a_reason(pipeline):
    row_id, _ = propose(pipeline, LIUHE, "TC-PJ-002")
    with pytest.raises(ev.GradingError) as refused:
        ev.confirm(pipeline, LIUHE, "TC-PJ-002", seen_latest=row_id)
    assert refused.value.reasons[0].key == "grading.refused.not_office"
    with pytest.raises(ev.GradingError):
        ev.send_back(pipeline, OFFICE, "TC-PJ-002", "  ", seen_latest=row_id)
    back = ev.send_back(pipeline, OFFICE, "TC-PJ-002", "投资强度数据需核实", seen_latest=row_id)
    state = ev.state_of(pipeline, "TC-PJ-002")
    assert state.status == "returned" and state.returned["note"] == "投资强度数据需核实"
    with pytest.raises(ev.GradingError) as refused:
        ev.confirm(pipeline, OFFICE, "TC-PJ-002", seen_latest=back)
    assert refused.value.reasons[0].key == "grading.refused.nothing_pending"
    assert pipeline.record("project", "TC-PJ-002").get("grade") is None
    # an administrator may propose and confirm, but not confirm their own proposal
    own, _ = propose(pipeline, ADMIN, "TC-PJ-002")
    with pytest.raises(ev.GradingError) as refused:
        ev.confirm(pipeline, ADMIN, "TC-PJ-002", seen_latest=own)
    assert refused.value.reasons[0].key == "grading.refused.own_proposal"


def test_two_people_at_once_the_second_is_refused_and_nothing_is_half_written(pipeline):
    seen = latest(pipeline, "TC-PJ-001")
    ev.record(pipeline, LIUHE, "TC-PJ-001", "manufacturing", FULL, (), DOCS, propose=True, seen_latest=seen)
    with pytest.raises(Conflict):
        ev.record(pipeline, LIUHE_2, "TC-PJ-001", "manufacturing", MIDDLE, (), DOCS, propose=True, seen_latest=seen)
    proposal = latest(pipeline, "TC-PJ-001")
    ev.record(pipeline, LIUHE_2, "TC-PJ-001", "manufacturing", MIDDLE, (), DOCS, propose=True, seen_latest=proposal)
    versions = len(pipeline.versions("project"))
    with pytest.raises(Conflict):  # the office read the first proposal; a newer one came in
        ev.confirm(pipeline, OFFICE, "TC-PJ-001", seen_latest=proposal)
    assert len(pipeline.versions("project")) == versions and pipeline.record("project", "TC-PJ-001").get("grade") is None
    # the project changed meanwhile between the office's reading and its write: refused, nothing written
    newer = latest(pipeline, "TC-PJ-001")
    pipeline.save("project", [project("TC-PJ-001", city_support_requested=True, city_support_wan=900.0)], user="x", source="form")
    ev.confirm(pipeline, OFFICE, "TC-PJ-001", seen_latest=newer)  # the record is re-read inside confirm
    assert pipeline.record("project", "TC-PJ-001")["grade"] == "D"
    assert pipeline.record("project", "TC-PJ-001")["city_support_wan"] == 900.0


def test_the_tables_are_append_only(pipeline):
    propose(pipeline, LIUHE, "TC-PJ-001")
    with pytest.raises(sa.exc.DatabaseError):
        with pipeline.engine.begin() as conn:
            conn.execute(sa.text("UPDATE grade_evaluations SET grade = 'A+'"))


def test_a_veto_gives_f_with_its_explanation(pipeline):
    _, result = propose(pipeline, LIUHE, "TC-PJ-002", vetoes=["environment"])
    assert result.grade == "F"
    frame = ev.explanation_frame(result, "zh")
    assert "环保问题无法解决" in frame["指标值"].tolist() and frame.iloc[-1]["指标值"] == "F"


def confirmed(store, code, values=FULL):
    row_id, _ = propose(store, LIUHE if code != "TC-PJ-003" else SHAXI, code, values=values)
    ev.confirm(store, OFFICE, code, seen_latest=row_id)


def test_b_or_better_asking_city_support_is_in_the_leading_groups_queue(pipeline):
    confirmed(pipeline, "TC-PJ-001")
    confirmed(pipeline, "TC-PJ-002")  # A+, but asks for no support
    pipeline.save("project", [project("TC-PJ-003", district="shaxi", city_support_requested=True, city_support_wan=50.0)],
                  user="x", source="form")
    confirmed(pipeline, "TC-PJ-003", values=MIDDLE)  # asks, but D
    items = lg.queue(pipeline.projects(), pipeline.grade_evaluations(), pipeline.support_decisions())
    assert [i.code for i in items] == ["TC-PJ-001"] and items[0].status == "pending"
    table = lg.table(items, OFFICE, "zh", NAMES, rulebook.rules(pipeline, "projects"))
    assert table.iloc[0].tolist() == ["TC-PJ-001 · 精密轴承项目1", "浏河镇", "A+", "100", "800 万元", "待会商", "–"]
    leaders = lg.table(items, LEADER, "en", NAMES, rulebook.rules(pipeline, "projects"))
    assert leaders.iloc[0]["Project"] == "TC-2026-001"  # code name only
    assert lg.explanation(pipeline, items[0]).grade == "A+"
    with pytest.raises(ev.GradingError):
        lg.decide(pipeline, LEADER, items[0], "approved", "", seen_latest=None)
    lg.decide(pipeline, OFFICE, items[0], "deferred", "待补充材料", seen_latest=None)
    with pytest.raises(Conflict):
        lg.decide(pipeline, OFFICE, items[0], "approved", "", seen_latest=None)
    [item] = lg.queue(pipeline.projects(), pipeline.grade_evaluations(), pipeline.support_decisions())
    assert item.status == "deferred" and item.decision["support_wan"] == 800.0
    lg.decide(pipeline, OFFICE, item, "approved", "同意", seen_latest=item.latest_decision_id)
    assert pipeline.support_decisions()["outcome"].tolist() == ["deferred", "approved"]


def test_the_standards_preview_shows_old_and_new_grades_and_saving_refuses_over_a_newer_version(pipeline):
    confirmed(pipeline, "TC-PJ-001")
    propose(pipeline, LIUHE, "TC-PJ-002", values=MIDDLE)
    version, document = ev.standards(pipeline)
    table = sd.rows(document["standards"]["manufacturing"], "zh")
    table[1]["points"] = "0:0, 4:100"  # tax per 亩 full marks at 4 instead of 10
    indicators, problems = sd.read_rows(table, "manufacturing", "zh")
    assert problems == []
    standard = document["standards"]["manufacturing"]
    after = sd.edited(document, "manufacturing", indicators, standard["vetoes"], standard["documents"], standard["cutoffs"])
    assert gr.validate_rules(after) == []
    effect = sd.preview(pipeline.grade_evaluations(), document, after)
    assert effect.to_dict("records") == [
        {"code": "TC-PJ-001", "standard": "manufacturing", "before": "A+", "after": "A+"},
        {"code": "TC-PJ-002", "standard": "manufacturing", "before": "D", "after": "C"}]
    changes = sd.changes_table(effect, pipeline.projects(), "en", document)
    assert changes.values.tolist() == [["TC-PJ-002 · 精密轴承项目2", "Manufacturing", "D", "C"]]
    counts = sd.counts_table(effect, "en").set_index("Grade")
    assert counts.loc["D"].tolist() == [1, 0] and counts.loc["C"].tolist() == [0, 1]
    assert sd.summary(effect, "en") == "1 of 2 projects would change grade."
    saved = rulebook.save(pipeline, "grading", after, user="admin", edited_from=version)
    assert saved == version + 1
    other = sd.edited(document, "manufacturing", indicators, standard["vetoes"], standard["documents"],
                      {**standard["cutoffs"], "A+": 95})
    with pytest.raises(Conflict):  # edited from the version before: someone saved since
        rulebook.save(pipeline, "grading", other, user="admin", edited_from=version)


def test_editor_rows_read_back_and_say_what_they_cannot_read():
    standard = gr.DEFAULT_RULES["standards"]["manufacturing"]
    for lang in ("zh", "en"):
        read, problems = sd.read_rows(sd.rows(standard, lang), "manufacturing", lang)
        assert problems == [] and read == standard["indicators"]
    rows = sd.rows(standard, "en")
    rows[0]["points"] = "zero to full"
    _, [problem] = sd.read_rows(rows, "manufacturing", "en")
    assert gr.problem_text(problem, "en").startswith("Manufacturing · row 1 (Investment intensity): At least two points")


def test_an_administrator_adds_a_category(pipeline):
    _, document = ev.standards(pipeline)
    added, problems = sd.new_category(document, "headquarters", "总部经济", "Headquarters")
    assert problems == [] and added["standards"]["headquarters"] == document["standards"]["other"]
    _, [taken] = sd.new_category(added, "headquarters", "总部", "HQ")
    assert taken.key == "grading.rules.category_taken"
    _, [unnamed] = sd.new_category(document, "hq", "总部", " ")
    assert unnamed.key == "grading.rules.category_unnamed"
    rulebook.save(pipeline, "grading", added, user="admin", edited_from=None)
    _, result = ev.record(pipeline, LIUHE, "TC-PJ-001", "headquarters", FULL, (), DOCS, propose=True, seen_latest=None)
    assert result.standard == "headquarters" and result.grade == "A+"


def test_the_samples_grades_come_from_its_evaluations(sqlite_store):
    from heatmap import bootstrap

    bootstrap.load_sample(sqlite_store, 200, 120, accounts=False)
    rows = sqlite_store.grade_evaluations()
    assert set(rows["kind"]) == {"save", "propose", "confirm"}
    for row in rows[rows["kind"] != "save"].to_dict("records"):
        assert ev.recompute(sqlite_store, row).grade == row["grade"] and row["standard_version"] == 1
    graded = ev.states(rows)
    for project in sqlite_store.projects().to_dict("records"):
        state = graded.get(project["code"])
        expected = state.confirmed["grade"] if state is not None and state.confirmed is not None else None
        assert (None if pd.isna(project["grade"]) else project["grade"]) == expected, project["code"]
    assert any(s.status == "saved" and pd.isna(s.values["grade"]) for s in graded.values())  # not rated yet
    assert any(s.status == "proposed" for s in graded.values())
    assert lg.queue(sqlite_store.projects(), rows, sqlite_store.support_decisions())  # some ask for city support
