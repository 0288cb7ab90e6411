"""The Excel template per carrier kind (heatmap.ingest.template): headers round-trip, the example row is valid."""
import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
import shapely

from heatmap import config
from heatmap.ingest.headers import match_headers
from heatmap.ingest.template import EXAMPLES, SHEET_CARRIERS, SHEET_INSTRUCTIONS, district_records, template_fields, template_workbook
from heatmap.ingest.values import parse_column, parse_coordinate_column, parse_wkt_column
from heatmap.model import CARRIER_FIELD, CarrierKind, validate_carrier

KINDS = [k.value for k in CarrierKind]


def districts() -> set[str]:
    with open(config.REPO_ROOT / "data" / "districts.csv", encoding="utf-8") as f:
        return {row["code"] for row in csv.DictReader(f)}


def open_template(kind, lang="zh"):
    data = template_workbook(kind, lang)
    assert data[:2] == b"PK"  # an .xlsx is a zip
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headers_round_trip(kind, lang):
    wb = open_template(kind, lang)
    assert wb.sheetnames == [SHEET_CARRIERS, SHEET_INSTRUCTIONS]
    ws = wb[SHEET_CARRIERS]
    headers = [c.value for c in ws[1]]
    match = match_headers(headers)
    assert match.unknown == [] and match.clashes == {}
    fields = [match.targets[h].field for h in headers]
    expected = [s.name for s in template_fields(kind)]
    assert fields == expected + ["lon", "lat", "wkt"]
    # exactly the fields that apply to the kind
    assert set(expected) == {s.name for s in CARRIER_FIELD.values() if kind in s.kinds and s.name != "geometry"}
    for h in headers:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in h) and any(ch.isascii() and ch.isalpha() for ch in h), h
    required = {s.name for s in template_fields(kind) if s.required}
    assert {match.targets[h].field for h in headers if h.startswith("*")} == required
    assert ws.freeze_panes == "A2"
    assert all(ws.column_dimensions[c.column_letter].width >= 12 for c in ws[1])


def test_kinds_get_their_own_fields():
    def fields(kind):
        headers = [c.value for c in open_template(kind)[SHEET_CARRIERS][1]]
        return {t.field for t in match_headers(headers).targets.values()}

    assert {"land_price_wan_mu", "plot_ratio", "land_use_code"} <= fields("land")
    assert not {"rent_cny_m2_month", "floors", "crane_t", "office_grade"} & fields("land")
    assert {"rent_cny_m2_month", "clear_height_m", "floor_load_kn_m2", "crane_t", "power_kva"} <= fields("plant")
    assert not {"office_grade", "land_price_wan_mu"} & fields("plant")
    assert {"office_grade", "property_fee_cny_m2_month", "floors"} <= fields("office")
    assert not {"crane_t", "plot_ratio"} & fields("office")


@pytest.mark.parametrize("kind", KINDS)
def test_example_row_is_a_valid_record(kind):
    ws = open_template(kind)[SHEET_CARRIERS]
    headers = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    match = match_headers(headers)
    record, coords, wkt = {}, {}, None
    for header, cell in zip(headers, row):
        target = match.targets[header]
        column = pd.Series([cell], dtype=object)
        if target.field in ("lon", "lat"):
            values, problems = parse_coordinate_column(column)
            coords[target.field] = values[0]
        elif target.field == "wkt":
            values, problems = parse_wkt_column(column)
            wkt = values[0]
        else:
            values, problems = parse_column(CARRIER_FIELD[target.field], column, target.unit, districts=district_records())
            if values[0] is not None:
                record[target.field] = values[0]
        assert problems == [], (header, cell, problems)
    record["geometry"] = wkt if wkt is not None else shapely.Point(coords["lon"], coords["lat"])
    assert record["kind"] == kind
    assert validate_carrier(record, districts=districts(), today=dt.date(2026, 1, 1)) == []
    assert record["district"] in districts()
    assert not ws[2][headers.index("*所属区镇 District")].value.isascii()  # written as staff write it: 城厢镇 …


@pytest.mark.parametrize("lang, first", [("zh", "请在"), ("en", "Fill in")])
def test_instructions_sheet(lang, first):
    wb = open_template("plant", lang)
    info = wb[SHEET_INSTRUCTIONS]
    rows = [r for r in info.iter_rows(values_only=True)]
    assert rows[0][0].startswith(first)  # the chosen language first, the other after
    text = "\n".join(str(v) for r in rows for v in r if v)
    assert "WGS-84" in text and "CGCS2000" in text and "GCJ-02" in text
    headers = [c.value for c in wb[SHEET_CARRIERS][1]]
    explained = [r[0] for r in rows]
    assert all(h in explained for h in headers)  # every column explained
    assert "元/㎡/天" in text and "亩" in text and "chengxiang" in text and "可租售" in text


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        template_workbook("castle", "zh")


# --- the round trip: the page's template, filled in, imports -------------------------------------------

ROUND_TRIP_TODAY = dt.date(2025, 7, 1)


def filled_template(kind: str, lang: str, verified_on: dt.date | None = None) -> bytes:
    """The template as the page hands it out, with a second carrier typed in below the example row (a copy
    of it under a new code, as staff fill it in); plants, offices and others get a point a little further
    east and leave the boundary (WKT) column empty, as the template's own example does. `verified_on`
    replaces the example's verification date on both rows."""
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(kind, lang)))
    ws = wb[SHEET_CARRIERS]
    headers = [c.value for c in ws[1]]
    for j, cell in enumerate(ws[2], start=1):
        value = cell.value
        if headers[j - 1] == "*编号 Code":
            value = value[:-3] + "002"
        elif headers[j - 1] == "经度 Longitude" and value is not None:
            value = value + 0.002
        elif headers[j - 1] == "最近核实日期 Last verified" and verified_on is not None:
            value = ws.cell(row=2, column=j).value = verified_on
        ws.cell(row=3, column=j, value=value).number_format = cell.number_format
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_filled_template_imports_through_the_pages_pipeline(store, kind, lang):
    from heatmap.ingest import pipeline

    data = filled_template(kind, lang)
    upload = pipeline.read_upload(data, f"模板-{kind}.xlsx", kind=kind, store=store, district=None, today=ROUND_TRIP_TODAY)
    assert upload.errors == [] and upload.warnings == [], [pipeline.problem_message(p, "en") for p in upload.problems]
    skipped = [p for p in upload.notes if p.key == "instructions_sheet_skipped"]
    assert [p.sheet for p in skipped] == [SHEET_INSTRUCTIONS]  # said once, as a note: never read as data
    assert [r["code"] for r in upload.records] == [EXAMPLES[kind]["code"], EXAMPLES[kind]["code"][:-3] + "002"]
    example = EXAMPLES[kind]
    for record in upload.records:
        geometry = record["geometry"]
        if example["wkt"]:
            assert geometry.equals(shapely.from_wkt(example["wkt"]))
        else:  # the empty boundary column does not hide the lon/lat beside it
            assert geometry.geom_type == "Point" and geometry.y == pytest.approx(example["lat"])
    assert upload.records[1]["geometry"].x == pytest.approx(example["lon"] + 0.002) if example["lon"] else True
    diff = pipeline.preview(upload, store)
    assert diff.counts["add"] == 2
    version, applied = pipeline.commit(upload, store, user="staff")
    assert version is not None and applied.counts["add"] == 2
    stored = store.carriers().set_index("code")
    assert stored.loc[example["code"], "area_m2"] == example["area_m2"] and stored.loc[example["code"], "kind"] == kind

    again = pipeline.read_upload(data, f"模板-{kind}.xlsx", kind=kind, store=store, district=None, today=ROUND_TRIP_TODAY)
    assert pipeline.preview(again, store).counts == {"add": 0, "change": 0, "remove": 0, "same": 2}


@pytest.mark.parametrize("kind", KINDS)
def test_the_filled_template_imports_through_the_command_line(store, kind, tmp_path, monkeypatch, capsys):
    from heatmap import cli

    path = tmp_path / f"{kind}-template.xlsx"
    path.write_bytes(filled_template(kind, "en", verified_on=dt.date.today()))
    monkeypatch.setenv("HEATMAP_DATABASE_URL", store.engine.url.render_as_string(hide_password=False))
    assert cli.main(["import", str(path), "--kind", kind, "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    assert "2 records: 2 added, 0 changed" in out
    assert "Error" not in err and "Warning" not in err, err
    assert store.count("carrier") == 2


def test_a_blank_boundary_cell_falls_back_to_the_rows_lon_lat(store):
    """Any file: the boundary where a row has one, the row's lon/lat where it has not."""
    from heatmap.ingest import pipeline

    boundary = "POLYGON((121.117 31.454, 121.1186 31.454, 121.1186 31.4552, 121.117 31.4552, 121.117 31.454))"
    rows = [
        {"编号": "LH-1", "名称": "一号厂房", "所属区镇": "浏河镇", "面积": 1000, "空置面积": 0, "状态": "已满",
         "经度": 121.27, "纬度": 31.51, "范围": ""},
        {"编号": "LH-2", "名称": "二号厂房", "所属区镇": "浏河镇", "面积": 1000, "空置面积": 0, "状态": "已满",
         "经度": 121.28, "纬度": 31.52, "范围": boundary},
        {"编号": "LH-3", "名称": "三号厂房", "所属区镇": "浏河镇", "面积": 1000, "空置面积": 0, "状态": "已满",
         "经度": "", "纬度": "", "范围": boundary},
    ]
    data = pd.DataFrame(rows).to_csv(index=False).encode("utf-8")
    upload = pipeline.read_upload(data, "mixed.csv", kind="plant", store=store, district="liuhe", today=ROUND_TRIP_TODAY)
    assert upload.errors == [], [pipeline.problem_message(p, "en") for p in upload.errors]
    first, second, third = (r["geometry"] for r in upload.records)
    assert first.equals(shapely.Point(121.27, 31.51))
    assert second.equals(shapely.from_wkt(boundary)) and third.equals(shapely.from_wkt(boundary))


# --- the project template: the valid-lead facts and the investment actually formed --------------------


@pytest.mark.parametrize("lang, empty, settled", [("zh", "留空为“不详”", "落户"), ("en", "never “no”", "once the project has settled")])
def test_the_project_template_explains_the_valid_lead_facts_and_the_actual_investment(lang, empty, settled):
    from heatmap.ingest.template import SHEET_PROJECTS, column_help

    for fact in ("has_feasibility_study", "decision_level_visit"):
        text = column_help(fact, lang, entity="project")
        assert empty in text and "{" not in text and "公开" not in text and "public" not in text  # not the carriers' "empty: public"
    actual = column_help("actual_investment_wan", lang, entity="project")
    assert settled in actual and "{" not in actual
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook("manufacturing", lang, entity="project")))
    headers = [c.value for c in wb[SHEET_PROJECTS][1]]
    explained = {r[0]: r[2] for r in wb[SHEET_INSTRUCTIONS].iter_rows(values_only=True) if r and r[0]}
    assert {h for h in headers if "Feasibility" in h or "Decision-level" in h or "Actual investment" in h} <= set(explained)
    assert explained[next(h for h in headers if "Actual investment" in h)] == actual


def test_the_project_template_round_trips_with_its_facts_yes_no_and_not_known(store):
    """Export then upload again: the facts arrive as yes, no and not known (never "no" for a blank), and a
    second upload of the same file changes nothing."""
    from heatmap.ingest import pipeline

    for category, facts in (("manufacturing", (False, True)), ("rnd", (None, False))):
        data = template_workbook(category, "zh", entity="project")
        upload = pipeline.read_upload(data, f"项目模板-{category}.xlsx", entity="project", store=store, district=None)
        assert not upload.errors and not upload.warnings, [(p.column, p.key) for p in upload.problems]
        (record,) = upload.records
        assert (record.get("has_feasibility_study"), record.get("decision_level_visit")) == facts
        pipeline.commit(upload, store, user="admin")
        stored = store.record("project", record["code"])
        assert (stored["has_feasibility_study"], stored["decision_level_visit"]) == facts
        again = pipeline.read_upload(data, f"项目模板-{category}.xlsx", entity="project", store=store, district=None)
        assert pipeline.preview(again, store).counts == {"add": 0, "change": 0, "remove": 0, "same": 1}
