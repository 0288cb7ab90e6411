"""A district's project list (项目库) through the upload machinery carriers use, on both stores: files as
staff keep them (GBK CSV, Excel with a title row; Chinese headers; 5亿元 / 3,000万美元 / USD 30 million;
stages as words) -> records in the model's terms, located errors in the user's language, a preview field
by field, one version per commit, rollback, no lost update, the template per category round-tripping, and
`python -m heatmap import FILE --entity project`."""
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from heatmap import auth
from heatmap.ingest import headers, pipeline, review, template, values
from heatmap.model import Category, ValidationError
from heatmap.store import Conflict
from test_cli import PASSWORD, env, run  # noqa: F401 - fixtures and helpers shared with the command-line tests
from test_ingest_pipeline import csv_bytes

TODAY = dt.date(2026, 11, 28)
CATEGORIES = [c.value for c in Category]


def liuhe_projects() -> list[dict]:
    """浏河镇's project list as its staff keep it: Chinese headers, amounts with their units, stages as words."""
    return [
        {"序号": 1, "项目编号": "LH-XM-2026-001", "项目代号": "浏河-精工-01", "项目名称": "德资精密轴承扩产项目",
         "投资方": "Beispiel Waelzlager GmbH", "统一社会信用代码": "91350100M000100Y43", "国别": "德国", "项目类别": "制造业",
         "行业": "精密机械", "投资额": "3,000万欧元", "币种": "欧元", "用地需求(亩)": "50", "面积需求(㎡)": "2万",
         "层高": "12米", "荷载": "3吨/㎡", "行车": "10吨", "用电需求": "2000kVA", "项目进展": "在谈", "所属区镇": "浏河镇",
         "首谈地": "沙溪镇", "首报人": "沙溪镇招商办", "首报日期": "2026年3月2日", "评级": "A级", "期望落地时间": "2027-06-30"},
        {"序号": 2, "项目编号": "LH-XM-2026-002", "项目代号": "浏河-物流-02", "项目名称": "港口冷链分拨中心",
         "投资方": "上海示例冷链物流有限公司", "统一社会信用代码": "", "国别": "中国", "项目类别": "物贸", "行业": "港口物流",
         "投资额": "5亿元", "币种": "", "用地需求(亩)": "80", "面积需求(㎡)": "", "层高": "", "荷载": "", "行车": "",
         "用电需求": "", "项目进展": "已签约", "所属区镇": "浏河镇", "首谈地": "浏河镇", "首报人": "浏河镇招商办",
         "首报日期": "2026/5/10", "评级": "B", "期望落地时间": ""},
        {"序号": 3, "项目编号": "LH-XM-2026-003", "项目代号": "浏河-研发-03", "项目名称": "汽车电子研发中心",
         "投资方": "Example Automotive Inc.", "统一社会信用代码": "", "国别": "美国", "项目类别": "研发", "行业": "电子信息",
         "投资额": "USD 30 million", "币种": "美元", "用地需求(亩)": "", "面积需求(㎡)": "3000", "层高": "", "荷载": "",
         "行车": "", "用电需求": "400", "项目进展": "首次接触", "所属区镇": "浏河", "首谈地": "", "首报人": "浏河镇招商办",
         "首报日期": "2026-09-01", "评级": "", "期望落地时间": ""},
    ]


def read(store, data: bytes, name: str, district: str | None = "liuhe", **kwargs):
    return pipeline.read_upload(data, name, entity="project", store=store, district=district, today=TODAY, **kwargs)


def located(upload) -> set[tuple]:
    return {(p.row, p.column, p.key) for p in upload.errors}


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "在谈项目"
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading -------------------------------------------------------------------------------------------


def test_a_gbk_csv_of_a_districts_projects_reads_into_the_models_terms(store):
    upload = read(store, csv_bytes(liuhe_projects()), "浏河镇项目库.csv")
    assert not upload.errors, pipeline.report_frame(upload.errors, "en").to_dict("records")
    assert [(p.column, p.key) for p in upload.warnings] == [("评级", "column_ignored_grade")]  # see the grading tests below
    first, second, third = upload.records
    assert first["code"] == "LH-XM-2026-001" and first["code_name"] == "浏河-精工-01"
    assert (first["investment_wan"], first["currency"]) == (3000, "EUR")
    assert first["investor_country"] == "DE" and first["credit_code"] == "91350100M000100Y43"
    assert first["category"] == "manufacturing" and first["sector"] == "precision_machinery"
    assert first["stage"] == "negotiating" and "grade" not in first  # the 评级 column is not read
    assert first["district"] == "liuhe" and first["origin_district"] == "shaxi"  # 首谈地 may be another district
    assert first["land_needed_mu"] == 50 and first["floor_area_needed_m2"] == 20000
    assert first["clear_height_needed_m"] == 12 and first["floor_load_needed_kn_m2"] == pytest.approx(29.4)
    assert first["crane_needed_t"] == 10 and first["power_needed_kva"] == 2000
    assert first["reported_on"] == dt.date(2026, 3, 2) and first["wanted_by"] == dt.date(2027, 6, 30)
    assert (second["investment_wan"], second["currency"], second["stage"]) == (50000, "CNY", "signed")
    assert second["category"] == "trade_logistics" and second["investor_country"] == "CN"
    assert (third["investment_wan"], third["currency"], third["stage"]) == (3000, "USD", "first_contact")
    assert third["district"] == "liuhe" and third["category"] == "rnd"
    assert not {"kind", "status"} & set().union(*upload.records)  # nothing of a carrier's


def test_an_excel_list_with_a_title_row_and_the_unit_in_the_header(store):
    data = xlsx_bytes([
        ["浏河镇在谈项目一览表（2026年第5期）"],
        ["项目编号", "项目名称", "投资主体", "项目类别", "总投资（万美元）", "阶段", "承接地", "首报日期"],
        ["LH-XM-2026-011", "新能源汽车零部件项目", "Example Parts Co., Ltd.", "制造业", 2500, "洽谈中", "浏河镇",
         dt.datetime(2026, 10, 8)],
        ["LH-XM-2026-012", "精密模具项目", "示例模具（苏州）有限公司", "制造业", "3,000万美元", "签约", "浏河镇", "2026年10月9日"],
        ["LH-XM-2026-013", "区域分拨中心", "示例物流有限公司", "物贸", "1.2亿", "报批报建", "浏河镇", "2026-10-10"],
    ])
    upload = read(store, data, "浏河在谈项目.xlsx")
    assert not upload.errors, [(p.row, p.column, p.key) for p in upload.errors]
    assert [(r["investment_wan"], r["currency"], r["stage"]) for r in upload.records] == [
        (2500, "USD", "negotiating"), (3000, "USD", "signed"), (12000, "USD", "approval")]
    assert upload.records[0]["reported_on"] == dt.date(2026, 10, 8)
    assert upload.origins[0].row == 3  # rows as Excel numbers them: the title, the header, then the data


@pytest.mark.parametrize("cell, header, expected", [
    ("5亿元", "投资额", (50000, "CNY")),
    ("5 亿", "投资额", (50000, None)),
    ("3000万元", "投资额", (3000, "CNY")),
    ("3,000万美元", "投资额", (3000, "USD")),
    ("USD 30 million", "Investment", (3000, "USD")),
    ("2000万欧元", "总投资", (2000, "EUR")),
    ("50000", "投资额(万元)", (50000, "CNY")),
    ("5", "投资额（亿元）", (50000, "CNY")),
    ("1,500", "投资总额（万美元）", (1500, "USD")),
    ("50000元", "投资额", (5, "CNY")),
    ("€ 20 Mio.", "Investment", (2000, "EUR")),
    ("１２００", "投资额（万） Investment (10k)", (1200, None)),  # full-width digits, the template's own header
])
def test_amounts_as_people_write_them(cell, header, expected):
    target = headers.match_header(header, entity="project")
    assert target.field == "investment_wan"
    parsed, problems = values.parse_amount_column(pd.Series([cell]), target.unit)
    assert problems == [] and parsed == [expected]


@pytest.mark.parametrize("cell, header, key", [
    ("3000万美元（约2亿元）", "投资额", "amount_two_currencies"),
    ("3000万欧元", "投资额（万美元）", "amount_currency_differs_from_header"),
    ("5-8亿", "投资额", "number_range"),
    ("5亿立方米", "投资额", "unknown_amount_unit"),
    ("待定", "投资额", "not_an_amount"),
])
def test_amounts_that_would_be_a_guess_are_refused(cell, header, key):
    parsed, problems = values.parse_amount_column(pd.Series([cell]), headers.match_header(header, entity="project").unit)
    assert parsed == [None] and [p.key for p in problems] == [key]


def test_a_bare_amount_of_tens_of_billions_in_wan_is_questioned_not_changed():
    parsed, problems = values.parse_amount_column(pd.Series(["500000000"]), None)
    assert parsed == [(5e8, None)] and [(p.key, p.severity) for p in problems] == [("amount_looks_like_yuan", "warning")]


def test_project_headers_are_their_own_words_not_a_carriers():
    project = {h: headers.match_header(h, entity="project").field for h in ("层高", "类别", "等级", "状态", "行车")}
    carrier = {h: headers.match_header(h).field for h in ("层高", "类别", "等级", "状态", "行车")}
    assert project == {"层高": "clear_height_needed_m", "类别": "category", "等级": "grade", "状态": "stage",
                       "行车": "crane_needed_t"}
    assert carrier == {"层高": "clear_height_m", "类别": "kind", "等级": "office_grade", "状态": "status", "行车": "crane_t"}


def test_countries_and_credit_codes():
    assert [values.parse_country(v) for v in ("德国", "Germany", "DEU", "de", "中国香港", "Korea")] == \
        ["DE", "DE", "DE", "DE", "HK", "KR"]
    assert values.parse_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    with pytest.raises(values.ValueProblem) as wrong:
        values.parse_credit_code("91350100M000100Y44")  # one character mistyped: the check character tells
    assert wrong.value.key == "credit_code_check_failed"
    with pytest.raises(values.ValueProblem) as short:
        values.parse_credit_code("9135010")
    assert short.value.key == "credit_code_malformed"


# --- errors, located and in the user's language ---------------------------------------------------------


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(store):
    rows = liuhe_projects()
    rows[0]["项目进展"] = "跟踪中"  # not a stage
    rows[1]["投资额"] = "3000万美元（约2亿元）"  # two currencies in one cell
    rows[2]["币种"] = "欧元"  # the amount says USD
    rows.append(dict(rows[0], 项目编号="LH-XM-2026-004", 项目名称='=HYPERLINK("http://evil.example","点我")',
                     项目进展="在谈", 统一社会信用代码="91350100M000100Y44"))
    upload = read(store, csv_bytes(rows), "浏河镇项目库.csv")
    assert located(upload) == {
        (2, "项目进展", "unknown_choice"),
        (3, "投资额", "amount_two_currencies"),
        (4, "投资额", "amount_currency_conflict"),
        (5, "项目名称", "formula_cell"),
        (5, "统一社会信用代码", "credit_code_check_failed"),
    }
    with pytest.raises(ValidationError):
        pipeline.commit(upload, store, user="staff-liuhe")
    assert store.count("project") == 0 and store.versions().empty
    zh = pipeline.report_frame(upload.errors, "zh").set_index("行")["说明"]
    assert "首次接触" in zh[2] and "在谈" in zh[2]  # the stages to choose from, by their names
    assert "美元" in zh[4] and "欧元" in zh[4] and "USD" not in zh[4]
    en = pipeline.report_frame(upload.errors, "en").set_index("Row")["Message"]
    assert "USD" in en[4] and "EUR" in en[4] and "“币种”" in en[4]
    assert any("check character" in m for m in en[5])


def test_staff_upload_only_their_own_districts_projects(store):
    shaxi = [dict(liuhe_projects()[0], 项目编号="SX-XM-2026-001", 所属区镇="沙溪镇", 首谈地="浏河镇")]
    admin = read(store, csv_bytes(shaxi), "沙溪.csv", district=None)
    pipeline.commit(admin, store, user="admin")
    assert store.record("project", "SX-XM-2026-001")["origin_district"] == "liuhe"

    rows = liuhe_projects()
    rows[1]["所属区镇"] = "沙溪镇"  # a row of another district
    rows[2]["项目编号"] = "SX-XM-2026-001"  # a code stored for 沙溪镇, taken over from 浏河's file
    upload = read(store, csv_bytes(rows), "浏河镇项目库.csv")
    assert located(upload) == {(3, "所属区镇", "other_district_project"), (4, "项目编号", "code_of_other_district")}
    messages = pipeline.report_frame(upload.errors, "zh")["说明"].tolist()
    assert any("项目" in m and "载体" not in m for m in messages)
    assert store.count("project") == 1


# --- preview, commit, rollback, concurrent writers -------------------------------------------------------


def test_commit_preview_field_by_field_replace_and_rollback(store):
    first = read(store, csv_bytes(liuhe_projects()), "v1.csv")
    version, diff = pipeline.commit(first, store, user="staff-liuhe", note="第5期")
    assert diff.counts["add"] == 3
    stored = store.version(version)
    assert (stored["entity"], stored["district"], stored["file_name"], stored["note"]) == ("project", "liuhe", "v1.csv", "第5期")
    assert store.record("project", "LH-XM-2026-002")["investment_wan"] == 50000
    assert store.record("project", "LH-XM-2026-002")["is_confidential"] is True  # the model's default

    again = read(store, csv_bytes(liuhe_projects()), "v1.csv")
    assert pipeline.preview(again, store).counts == {"add": 0, "change": 0, "remove": 0, "same": 3}

    rows = liuhe_projects()[:2]
    rows[0]["项目进展"] = "签约"
    rows[0]["投资额"] = "3500万欧元"
    second = read(store, csv_bytes(rows), "v2.csv")
    shown = pipeline.preview(second, store, replace=True)
    assert shown.counts == {"add": 0, "change": 1, "remove": 1, "same": 1}
    changed = shown.of("change")[0]
    assert changed.code == "LH-XM-2026-001" and set(changed.fields) == {"stage", "investment_wan"}
    assert [c.code for c in shown.of("remove")] == ["LH-XM-2026-003"]
    tables = review.diff_tables(shown, "zh", {"liuhe": "浏河镇"})
    assert set(tables["change"]["字段"]) == {"推进阶段", "投资额（万）"} and set(tables["change"]["新值"]) == {"签约", "3,500"}
    assert tables["remove"].iloc[0]["推进阶段"] == "首次接触" and "万美元" in tables["remove"].iloc[0]["投资额（万）"]
    assert store.count("project") == 3  # a preview writes nothing

    v2, _ = pipeline.commit(second, store, user="staff-liuhe", replace=True, previewed=shown)
    assert set(store.projects()["code"]) == {"LH-XM-2026-001", "LH-XM-2026-002"}
    assert store.record("project", "LH-XM-2026-001")["stage"] == "signed"

    back = store.rollback(v2, user="staff-liuhe")
    assert store.version(back)["reverts_version_id"] == v2
    assert set(store.projects()["code"]) == {"LH-XM-2026-001", "LH-XM-2026-002", "LH-XM-2026-003"}
    restored = store.record("project", "LH-XM-2026-001")
    assert (restored["stage"], restored["investment_wan"], restored["currency"]) == ("negotiating", 3000, "EUR")


def test_replace_leaves_other_districts_projects_alone_even_where_liuhe_was_the_origin(store):
    other = [dict(liuhe_projects()[0], 项目编号="SX-XM-2026-001", 所属区镇="沙溪镇", 首谈地="浏河镇")]
    pipeline.commit(read(store, csv_bytes(other), "沙溪.csv", district=None), store, user="admin")
    pipeline.commit(read(store, csv_bytes(liuhe_projects()), "v1.csv"), store, user="staff-liuhe")
    shown = pipeline.preview(read(store, csv_bytes(liuhe_projects()[:1]), "v2.csv"), store, replace=True)
    assert sorted(c.code for c in shown.of("remove")) == ["LH-XM-2026-002", "LH-XM-2026-003"]


def test_a_commit_over_a_preview_someone_else_overtook_is_refused(store):
    pipeline.commit(read(store, csv_bytes(liuhe_projects()), "v1.csv"), store, user="staff-liuhe")
    mine_rows, theirs_rows = liuhe_projects(), liuhe_projects()
    mine_rows[0]["项目进展"], theirs_rows[0]["项目进展"] = "签约", "注册"
    mine = read(store, csv_bytes(mine_rows), "mine.csv")
    shown = pipeline.preview(mine, store)
    theirs = read(store, csv_bytes(theirs_rows), "theirs.csv")
    pipeline.commit(theirs, store, user="colleague")
    with pytest.raises(Conflict):
        pipeline.commit(mine, store, user="staff-liuhe", previewed=shown)
    assert store.record("project", "LH-XM-2026-001")["stage"] == "registered"  # the colleague's stands
    _, version, _ = pipeline.commit_current(lambda: read(store, csv_bytes(mine_rows), "mine.csv"), store, user="staff-liuhe")
    assert version is not None and store.record("project", "LH-XM-2026-001")["stage"] == "signed"


def test_a_file_of_stages_alone_keeps_what_it_does_not_say(store):
    pipeline.commit(read(store, csv_bytes(liuhe_projects()), "v1.csv"), store, user="staff-liuhe")
    stages = [{"项目编号": "LH-XM-2026-001", "项目进展": "签约"}, {"项目编号": "LH-XM-2026-003", "项目进展": "在谈"}]
    upload = read(store, csv_bytes(stages), "进展.csv")
    assert not upload.errors, [(p.row, p.key) for p in upload.errors]
    shown = pipeline.preview(upload, store)
    assert {c.code: set(c.fields) for c in shown.of("change")} == {"LH-XM-2026-001": {"stage"}, "LH-XM-2026-003": {"stage"}}
    pipeline.commit(upload, store, user="staff-liuhe", previewed=shown)
    kept = store.record("project", "LH-XM-2026-001")
    assert (kept["investment_wan"], kept["currency"], kept["origin_district"]) == (3000, "EUR", "shaxi")


# --- the grade is the office's: an upload never sets it ------------------------------------------------


def confirm_grade(store, code: str, grade_values: dict) -> str:
    """The district proposes the project's grade on the grading page's path and the office confirms it."""
    from heatmap.access import Role, Viewer
    from heatmap.pipeline import evaluations as ev
    from heatmap.pipeline import grading as gr

    staff, office = Viewer("staff-liuhe", Role.STAFF, "liuhe"), Viewer("office", Role.OFFICE)
    row_id, result = ev.record(store, staff, code, "manufacturing", grade_values, [], list(gr.DOCUMENTS), propose=True,
                               seen_latest=ev.state_of(store, code).latest_id)
    ev.confirm(store, office, code, seen_latest=row_id)
    return result.grade


A_PLUS = {"investment_intensity_wan_mu": 500, "tax_per_mu_wan": 10, "output_per_mu_wan": 400, "investment_cny_wan": 20000,
          "rnd_share_pct": 3, "jobs": 200, "industry_fit": "encouraged", "investor_strength": "leading"}


def test_an_uploaded_grade_column_is_ignored_and_the_district_is_told(store):
    """Grades are proposed and confirmed on the grading page only: a list's 评级 column neither gives a new
    project a grade nor overwrites the office's confirmed grade of a stored one, and the report says so."""
    first = read(store, csv_bytes(liuhe_projects()), "v1.csv")
    [ignored] = [p for p in first.problems if p.key == "column_ignored_grade"]
    assert (ignored.column, ignored.severity, ignored.row) == ("评级", "warning", None)
    zh = pipeline.report_frame([ignored], "zh").iloc[0]
    en = pipeline.report_frame([ignored], "en").iloc[0]
    assert zh["列"] == "评级" and "已忽略" in zh["说明"] and "项目评价" in zh["说明"] and "{" not in zh["说明"]
    assert "is ignored" in en["Message"] and "Grading page" in en["Message"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en["Message"].replace("评级", ""))
    pipeline.commit(first, store, user="staff-liuhe")
    assert [store.record("project", c).get("grade") for c in ("LH-XM-2026-001", "LH-XM-2026-002", "LH-XM-2026-003")] \
        == [None, None, None]  # new projects: no grade until one is confirmed

    assert confirm_grade(store, "LH-XM-2026-001", A_PLUS) == "A+"
    rows = liuhe_projects()
    rows[0]["评级"], rows[0]["项目进展"] = "C", "签约"  # a new list says C, and a real change of stage
    rows[1]["评级"] = "A+"
    again = read(store, csv_bytes(rows), "v2.csv")
    assert not again.errors and any(p.key == "column_ignored_grade" for p in again.warnings)
    shown = pipeline.preview(again, store)
    assert {c.code: set(c.fields) for c in shown.of("change")} == {"LH-XM-2026-001": {"stage"}}  # the grade is no change
    pipeline.commit(again, store, user="staff-liuhe", previewed=shown)
    assert store.record("project", "LH-XM-2026-001")["grade"] == "A+"  # the office's confirmed grade stands
    assert store.record("project", "LH-XM-2026-001")["stage"] == "signed"
    assert store.record("project", "LH-XM-2026-002").get("grade") is None


def test_a_grade_column_the_user_maps_is_ignored_too_and_bad_grades_do_not_block(store):
    rows = [{k: v for k, v in r.items() if k != "评级"} | {"Rating (office)": "优秀"} for r in liuhe_projects()]
    upload = read(store, csv_bytes(rows), "v1.csv", mappings={"rating (office)": "grade"})
    assert not upload.errors, [(p.column, p.key) for p in upload.errors]  # 优秀 is no grade, but it is not read at all
    assert [(p.column, p.key) for p in upload.warnings] == [("Rating (office)", "column_ignored_grade")]
    assert all("grade" not in r for r in upload.records)


def test_the_command_line_says_the_grade_column_was_ignored(db, tmp_path, capsys):
    path = tmp_path / "浏河镇项目库.csv"
    path.write_bytes(csv_bytes(liuhe_projects()))
    code, _, err = run(capsys, "import", str(path), "--entity", "project", "--user", "staff-liuhe", "--lang", "zh")
    assert code == 0 and "评级列 “评级” 已忽略" in err and "网页" in err
    code, _, err = run(capsys, "import", str(path), "--entity", "project", "--user", "staff-liuhe", "--lang", "en")
    assert code == 0 and "The grade column “评级” is ignored" in err
    assert db.projects()["grade"].isna().all()


# --- the template per category -------------------------------------------------------------------------


@pytest.mark.parametrize("category", CATEGORIES)
def test_the_template_round_trips(store, category):
    data = template.template_workbook(category, "zh", entity="project")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [template.SHEET_PROJECTS, template.SHEET_INSTRUCTIONS]
    header = [c.value for c in wb[template.SHEET_PROJECTS][1]]
    match = headers.match_headers(header, entity="project")
    assert match.unknown == [] and match.clashes == {}
    expected = [s.name for s in template.template_fields(category, "project")] + ["lon", "lat"]
    assert "grade" not in expected  # graded on the grading page, never in a list
    assert [match.targets[h].field for h in header] == expected
    assert {match.targets[h].field for h in header if h.startswith("*")} == {"code", "name", "category", "stage", "district"}

    upload = read(store, data, f"项目模板-{category}.xlsx", district=None)
    assert not upload.errors and not upload.warnings, [(p.column, p.key) for p in upload.problems]
    assert any(p.key == "instructions_sheet_skipped" for p in upload.notes)
    (rec,) = upload.records
    assert rec["category"] == category and rec["code"] == template.PROJECT_EXAMPLES[category]["code"]
    version, diff = pipeline.commit(upload, store, user="admin")
    assert version is not None and diff.counts["add"] == 1
    again = read(store, data, f"项目模板-{category}.xlsx", district=None)
    assert pipeline.preview(again, store).counts == {"add": 0, "change": 0, "remove": 0, "same": 1}


def test_categories_get_the_needs_that_apply_to_them():
    def fields(category):
        return {s.name for s in template.template_fields(category, "project")}

    assert {"crane_needed_t", "floor_load_needed_kn_m2", "clear_height_needed_m"} <= fields("manufacturing")
    assert "crane_needed_t" not in fields("trade_logistics") and "clear_height_needed_m" in fields("trade_logistics")
    assert not {"crane_needed_t", "floor_load_needed_kn_m2", "clear_height_needed_m"} & fields("rnd")
    assert "power_needed_kva" in fields("rnd") and "power_needed_kva" not in fields("other")


@pytest.mark.parametrize("lang, words", [("zh", ("项目", "万", "币种")), ("en", ("project", "10k", "currency"))])
def test_the_instructions_explain_amounts_in_the_language_first(lang, words):
    wb = openpyxl.load_workbook(io.BytesIO(template.template_workbook("manufacturing", lang, entity="project")))
    info = wb[template.SHEET_INSTRUCTIONS]
    first_rows = " ".join(str(info.cell(row=r, column=1).value) for r in (1, 3))
    assert all(w in first_rows for w in words)
    helps = {row[0].value: row[2].value for row in info.iter_rows(min_row=7)}
    amount = next(text for header, text in helps.items() if "Investment" in header)
    assert "USD 30 million" in amount and "{" not in amount


# --- the command line ----------------------------------------------------------------------------------


@pytest.fixture
def db(store, env):  # noqa: F811 - the command line pointed at a real store, with staff of two districts and the office
    env.setenv("HEATMAP_DATABASE_URL", store.url)
    for username, role, district in (("staff-liuhe", "staff", "liuhe"), ("staff-shaxi", "staff", "shaxi"),
                                     ("office", "office", None), ("leader", "leader", None)):
        auth.create_user(store, username, PASSWORD, role, district)
    return store


def test_the_command_line_imports_a_districts_projects(db, tmp_path, capsys):
    path = tmp_path / "浏河镇项目库.csv"
    path.write_bytes(csv_bytes(liuhe_projects()))
    code, out, err = run(capsys, "import", str(path), "--entity", "项目", "--user", "staff-liuhe", "--dry-run", "--lang", "zh")
    assert code == 0 and "新增 3" in out and db.count("project") == 0
    code, out, _ = run(capsys, "import", str(path), "--entity", "project", "--user", "staff-liuhe", "--note", "第5期")
    assert code == 0 and "3 added" in out and db.count("project") == 3
    version = db.versions("project").iloc[0]
    assert (version["source"], version["created_by"], version["district"], version["note"]) == ("cli", "staff-liuhe", "liuhe", "第5期")

    code, _, err = run(capsys, "import", str(path), "--entity", "project", "--user", "staff-shaxi", "--lang", "zh")
    assert code == 1 and "只能上传本区镇（沙溪镇）的项目" in err and "liuhe" not in err
    code, _, err = run(capsys, "import", str(path), "--entity", "project", "--user", "leader")
    assert code == 2 and "may not change project data" in err
    code, _, err = run(capsys, "import", str(path), "--entity", "project", "--user", "staff-liuhe", "--district", "沙溪镇")
    assert code == 2 and "only its projects" in err
    code, out, _ = run(capsys, "import", str(path), "--entity", "project", "--user", "office")  # the office: any district
    assert code == 0 and "0 changed" in out


def test_the_command_line_says_which_of_kind_and_entity_it_needs(db, tmp_path, capsys):
    path = tmp_path / "projects.csv"
    path.write_bytes(csv_bytes(liuhe_projects()))
    code, _, err = run(capsys, "import", str(path), "--lang", "zh")
    assert code == 2 and "--kind" in err and "--entity project" in err and "未写入任何数据" in err
    code, _, err = run(capsys, "import", str(path), "--entity", "project", "--kind", "plant")
    assert code == 2 and "leave out --kind" in err
    rows = liuhe_projects()
    rows[2]["币种"] = "欧元"
    path.write_bytes(csv_bytes(rows))
    code, _, err = run(capsys, "import", str(path), "--entity", "project", "--district", "浏河镇", "--lang", "zh")
    assert code == 1 and "第 4 行" not in err and "行 4" in err and "美元" in err and "欧元" in err
    assert db.count("project") == 0
