"""Hostile and absurd uploads: every limit answers with a located message in both languages, never a
traceback, a hang or an exhausted memory. Files are real, made in the test by the tools that make them
(openpyxl, zipfile, pyogrio), then tampered with the way an attacker would."""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from heatmap import export, i18n, model
from heatmap.ingest import files, pipeline, values
from heatmap.ingest.files import read_tables
from heatmap.ingest.problems import MAX_PROBLEMS_PER_SEVERITY, FileRejected
from heatmap.model import CARRIER_FIELD, CARRIER_FIELDS, CITY_AREA_M2, MAX_VERTICES, PROJECT_FIELDS, FieldType, ValidationError
from heatmap.store import records_frame

MB = 1024 * 1024


def rejected(data: bytes, name: str):
    """The problem read_tables refuses the file with; its message exists and fills in both languages."""
    with pytest.raises(FileRejected) as info:
        read_tables(data, name)
    problem = info.value.problem
    assert i18n.has(f"ingest.{problem.key}"), problem.key
    for lang in i18n.LANGUAGES:
        text = i18n.t(f"ingest.{problem.key}", lang, **problem.params)
        assert "{" not in text and "None" not in text, text
    return problem


def workbook(rows: int = 3, extra=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "厂房"
    sheet.append(["载体编号", "载体名称", "建筑面积"])
    for i in range(rows):
        sheet.append([f"LH-P{i:05d}", f"浏河厂房{i}号", 1200 + i])
    for row in extra:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, change) -> bytes:
    """The zip rewritten member by member: change(name, bytes) -> bytes, or a dict of members to add."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info)))
    return out.getvalue()


def padded_sheet(data: bytes, padding: int) -> bytes:
    """The workbook with `padding` bytes of whitespace between the sheet's elements: valid XML, a few KB
    compressed, any size uncompressed (what a decompression bomb looks like)."""

    def change(name: str, content: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return content.replace(b"<sheetData>", b"<sheetData>" + b" " * padding, 1)
        return content

    return rezip(data, change)


# --- decompression limits inside workbooks ------------------------------------------------------------


def test_a_workbook_expanding_past_the_limit_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setattr(files, "PARSED_MAX_TOTAL_BYTES", 4 * MB)
    data = padded_sheet(workbook(), 6 * MB)
    assert len(data) < 100_000  # a small upload …
    problem = rejected(data, "浏河厂房.xlsx")  # … refused on its directory, before openpyxl reads 6 MB of XML
    assert problem.key == "workbook_bomb" and problem.file == "浏河厂房.xlsx"
    assert problem.params["limit_mb"] == "4.0" and float(problem.params["size_mb"]) >= 6
    assert "6." in i18n.t("ingest.workbook_bomb", "zh", **problem.params)


def test_a_workbook_compressed_suspiciously_well_is_refused(monkeypatch):
    monkeypatch.setattr(files, "ZIP_RATIO_MIN_BYTES", 1 * MB)
    problem = rejected(padded_sheet(workbook(), 3 * MB), "bomb.xlsm")  # ratio of some thousands, under the total
    assert problem.key == "workbook_bomb"
    # the same workbook without the padding reads
    tables, _ = read_tables(workbook(), "good.xlsx")
    assert len(tables[0].frame) == 3


def test_a_workbook_with_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(files, "ZIP_MAX_MEMBERS", 40)
    data = workbook()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        source = zipfile.ZipFile(io.BytesIO(data))
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        for i in range(50):
            target.writestr(f"xl/media/junk{i}.bin", b"")
    problem = rejected(out.getvalue(), "many.xlsx")
    assert problem.key == "zip_too_many_members" and problem.params["members"] == "59"


def test_a_zip_directory_declaring_millions_of_members_is_refused_before_zipfile_reads_it():
    data = bytearray(workbook())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = (0xFFFF).to_bytes(2, "little") * 2  # entries on this disk and in all: 65,535
    problem = rejected(bytes(data), "lying.xlsx")
    assert problem.key == "zip_too_many_members" and problem.params["members"] == "65,535"


def test_a_kmz_whose_kml_expands_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(files, "PARSED_MAX_TOTAL_BYTES", 2 * MB)
    kml = (b'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
           + b" " * (3 * MB)
           + b"<Placemark><name>A</name><Point><coordinates>121.1,31.5</coordinates></Point></Placemark>"
             b"</Document></kml>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml)
    problem = rejected(out.getvalue(), "sites.kmz")
    assert problem.key == "zip_bomb"


def test_a_sheet_with_one_cell_far_to_the_right_on_every_row_is_refused(monkeypatch):
    monkeypatch.setattr(files, "SHEET_MAX_CELLS", 100_000)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "厂房"
    sheet.append(["载体编号", "载体名称"])
    for row in range(2, 40):
        sheet.cell(row=row, column=1, value=f"LH-{row}")
        sheet.cell(row=row, column=16384, value="x")  # column XFD
    buffer = io.BytesIO()
    book.save(buffer)
    problem = rejected(buffer.getvalue(), "wide.xlsx")
    assert problem.key == "sheet_too_large" and problem.sheet == "厂房"
    assert problem.params["columns"] == "16,384" and problem.params["rows"] == "7"
    # blank cells at the end of rows (formatting reaching far right) are no reason to refuse
    sheet = book.active
    for row in range(2, 40):
        sheet.cell(row=row, column=16384).value = None
    buffer = io.BytesIO()
    book.save(buffer)
    tables, _ = read_tables(buffer.getvalue(), "formatted.xlsx")
    assert list(tables[0].frame.columns) == ["载体编号", "载体名称"] and len(tables[0].frame) == 38


# --- numbers: overflow, infinity, absurd sizes ---------------------------------------------------------

TODAY = dt.date(2026, 11, 28)
LIUHE = (121.271956, 31.517044)  # 浏河镇's seat


def plant_rows(n: int = 3) -> list[dict]:
    return [
        {"载体编号": f"LH-P{i:03d}", "载体名称": f"浏河标准厂房{i}号", "所属区镇": "浏河镇", "建筑面积(㎡)": f"{1 + i},200",
         "状态": "可租售", "经度": LIUHE[0] + i * 0.001, "纬度": LIUHE[1] + i * 0.001}
        for i in range(1, n + 1)
    ]


def csv_bytes(rows: list[dict]) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_csv(buffer, index=False, encoding="utf-8")
    return buffer.getvalue()


def read(store, data: bytes, name: str, kind: str = "plant", district: str | None = "liuhe"):
    return pipeline.read_upload(data, name, kind=kind, store=store, district=district, today=TODAY)


def messages(upload, lang: str = "en") -> list[tuple]:
    """(row, column, message) of the upload's errors, as the report shows them."""
    return sorted((p.row, p.column, pipeline.problem_message(p, lang)) for p in upload.errors)


@pytest.mark.parametrize("cell, key", [
    ("1e400", "number_too_large"), ("-1e400", "number_too_large"), ("1e308万㎡", "number_too_large"),
    ("inf", "not_a_number"), ("Infinity", "not_a_number"), ("-Infinity", "formula_cell"), ("nan", "not_a_number"), ("NaN㎡", "not_a_number"),
])
def test_overflowing_and_infinite_numbers_are_cell_errors(cell, key):
    values_out, problems = values.parse_column(CARRIER_FIELD["area_m2"], pd.Series(["1200", cell]))
    assert values_out == [1200.0, None]
    assert [(p.index, p.key) for p in problems] == [(1, key)]
    for lang in i18n.LANGUAGES:
        assert cell in values.problem_text(problems[0], lang)


def test_a_header_unit_making_a_number_infinite_is_a_cell_error():
    values_out, problems = values.parse_column(CARRIER_FIELD["area_m2"], pd.Series([1e306, "1e306"]), "wan_m2")
    assert values_out == [None, None] and [p.key for p in problems] == ["number_too_large"] * 2


def test_every_number_field_has_a_plausible_maximum():
    for spec in CARRIER_FIELDS + PROJECT_FIELDS:
        if spec.type in (FieldType.NUMBER, FieldType.INTEGER):
            assert spec.maximum is not None and math.isfinite(spec.maximum), spec.name
    for name in ("area_m2", "leasable_m2", "vacant_m2"):
        assert CARRIER_FIELD[name].maximum == CITY_AREA_M2  # a carrier larger than Taicang is not a carrier
    assert 800e6 < CITY_AREA_M2 < 820e6


def test_overflow_and_absurd_areas_are_located_errors_and_nothing_reaches_the_totals(store):
    rows = plant_rows(4)
    rows[0]["建筑面积(㎡)"] = "1e400"
    rows[1]["建筑面积(㎡)"] = "1e308"
    rows[2]["建筑面积(㎡)"] = "inf"
    upload = read(store, csv_bytes(rows), "浏河厂房.csv")
    found = messages(upload)
    assert [(row, column) for row, column, _ in found] == [(2, "建筑面积(㎡)"), (3, "建筑面积(㎡)"), (4, "建筑面积(㎡)")]
    assert "1e400" in found[0][2] and "above the limit 810000000" in found[1][2] and "“inf” is not a number" in found[2][2]
    assert "超过上限" in messages(upload, "zh")[1][2]
    assert not upload.can_commit
    with pytest.raises(ValidationError):
        pipeline.commit(upload, store, user="staff")
    assert store.count("carrier") == 0


def test_an_excel_number_cell_of_1e308_is_refused(store):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["载体编号", "载体名称", "所属区镇", "建筑面积", "状态", "经度", "纬度"])
    sheet.append(["LH-P001", "浏河厂房", "浏河镇", 1e308, "可租售", *LIUHE])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = read(store, buffer.getvalue(), "厂房.xlsx")
    assert [(p.row, p.column, p.key) for p in upload.errors] == [(2, "建筑面积", "too_large")]


# --- formulas that start with a digit or a sign; exports stay inert --------------------------------------

PAYLOADS = ["-2+3+cmd|' /C calc'!A0", "1+cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "=cmd|' /C calc'!A0", "3*HYPERLINK(\"http://evil.example\")*0+cmd|calc!A0", "-1-1+HYPERLINK(\"x\")"]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["name", "area_m2", "status", "verified_on", "floors", "is_public", "industries"])
def test_formula_payloads_starting_with_a_digit_or_a_sign_are_refused_in_every_field(field, payload):
    parsed, problems = values.parse_column(CARRIER_FIELD[field], pd.Series(["", payload]))
    assert parsed == [None, None]
    assert [(p.index, p.key) for p in problems] == [(1, "formula_cell")]


@pytest.mark.parametrize("text", ["+86 512-5353 0000", "2024-A01", "3-B栋 2F", "精密机械|电子信息", "1 + 2 层"])
def test_text_that_only_looks_like_arithmetic_is_kept(text):
    parsed, problems = values.parse_column(CARRIER_FIELD["address"], pd.Series([text]))
    assert parsed == [text] and problems == []


def test_payloads_in_coordinates_and_wkt_are_refused():
    _, problems = values.parse_coordinate_column(pd.Series(["121.1", PAYLOADS[0]]))
    assert [(p.index, p.key) for p in problems] == [(1, "formula_cell")]
    _, problems = values.parse_wkt_column(pd.Series([PAYLOADS[1]]))
    assert [p.key for p in problems] == ["formula_cell"]


def test_a_file_of_payloads_is_refused_and_the_report_downloads_inert(store, tmp_path):
    rows = plant_rows(len(PAYLOADS))
    for row, payload in zip(rows, PAYLOADS):
        row["载体名称"] = payload
    upload = read(store, csv_bytes(rows), "evil.csv")
    assert sorted((p.row, p.key) for p in upload.errors) == [(i + 2, "formula_cell") for i in range(len(PAYLOADS))]
    for lang in i18n.LANGUAGES:
        report = pipeline.report_frame(upload.problems, lang)
        # the page's table downloads as CSV: a spreadsheet opening it must see text, not formulas
        path = tmp_path / f"report-{lang}.csv"
        report.to_csv(path, index=False, encoding="utf-8-sig")
        with open(path, encoding="utf-8-sig", newline="") as f:
            cells = [cell for row in csv.reader(f) for cell in row]
        assert not [c for c in cells if c and c[0] in "=+-@\t\r"], "a CSV cell a spreadsheet would evaluate"
        shown = set(report[i18n.t("upload.col.value", lang)])
        assert all(("'" + p if p[0] in "=+-@" else p)[:60] in {s[:60] for s in shown} for p in PAYLOADS)
        # and as an Excel download: every cell a string, no formula anywhere in the sheet's XML
        data = export.to_excel({"report": report})
        sheet = openpyxl.load_workbook(io.BytesIO(data))["report"]
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def test_carrier_exports_keep_payload_text_exact_and_inert(small_sample):
    records = [dict(small_sample.carriers[0], name=PAYLOADS[0], address=PAYLOADS[1], contact=PAYLOADS[2],
                    source=PAYLOADS[3])] + small_sample.carriers[1:3]
    table = export.carrier_table(records_frame("carrier", records), "zh", {}, internal=False)
    data = export.to_excel({"载体": table})
    sheet = openpyxl.load_workbook(io.BytesIO(data))["载体"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {c.value for c in cells} >= set(PAYLOADS[:4])  # exactly as stored, typed as text
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert export.formula_safe(PAYLOADS[0]) == "'" + PAYLOADS[0] and export.formula_safe("-5") == "-5"
    assert export.formula_safe("1+cmd|' /C calc'!A0") == "1+cmd|' /C calc'!A0"  # no spreadsheet evaluates it


# --- coordinates out of range -------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 4])
def test_a_latitude_of_310_5_is_out_of_range_on_its_row_not_an_unknown_crs(store, n):
    rows = plant_rows(n)
    rows[-1]["纬度"] = 310.5
    upload = read(store, csv_bytes(rows), "浏河厂房.csv")
    assert [(p.row, p.column, p.key) for p in upload.errors] == [(n + 1, "纬度", "latitude_out_of_range")]
    assert pipeline.problem_message(upload.errors[0], "zh").startswith("纬度 310.5 超出范围")
    assert "latitude 310.5 is out of range" in pipeline.problem_message(upload.errors[0], "en")
    assert not any(p.key == "crs_unknown" for p in upload.problems)
    assert len(upload.records) == n and "geometry" not in upload.records[-1]


def test_a_longitude_beyond_180_is_out_of_range_on_its_row(store):
    rows = plant_rows(3)
    rows[1]["经度"] = -1e308
    rows[2]["经度"] = "181"
    upload = read(store, csv_bytes(rows), "浏河厂房.csv")
    found = sorted((p.row, p.column, p.key, p.value) for p in upload.errors)
    assert found == [(3, "经度", "longitude_out_of_range", "-1e+308"), (4, "经度", "longitude_out_of_range", "181")]


def test_gauss_krueger_metres_under_longitude_latitude_headers_are_still_recognised(store):
    import pyproj
    to_gk = pyproj.Transformer.from_crs(4326, 4549, always_xy=True)
    rows = plant_rows(3)
    for row in rows:
        row["经度"], row["纬度"] = (round(v, 2) for v in to_gk.transform(row["经度"], row["纬度"]))
    upload = read(store, csv_bytes(rows), "浏河厂房.csv")
    assert not upload.errors and upload.crs.source == "gauss_kruger_cm120"


# --- a polygon with an absurd number of vertices ---------------------------------------------------------


def ring(n: int, centre=LIUHE, radius=0.004) -> shapely.Polygon:
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return shapely.Polygon(np.column_stack([centre[0] + radius * np.cos(angles), centre[1] + radius * np.sin(angles)]))


def test_a_polygon_over_the_vertex_limit_is_refused_on_its_row(store, tmp_path):
    frame = gpd.GeoDataFrame(
        {"载体编号": ["LH-L001", "LH-L002"], "载体名称": ["浏河地块一", "浏河地块二"], "所属区镇": ["浏河镇"] * 2,
         "用地面积": [50_000, 50_000], "状态": ["可租售"] * 2},
        geometry=[ring(200), ring(MAX_VERTICES + 50, (LIUHE[0] + 0.01, LIUHE[1]))], crs=4326)
    path = tmp_path / "地块.gpkg"
    pyogrio.write_dataframe(frame, path, layer="地块")
    upload = read(store, path.read_bytes(), path.name, kind="land")
    assert [(p.row, p.sheet, p.key) for p in upload.errors] == [(2, "地块", "too_many_vertices")]
    assert upload.errors[0].params == {"vertices": "100,051", "limit": "100,000"}
    assert "100,051" in pipeline.problem_message(upload.errors[0], "zh")
    assert "geometry" in upload.records[0] and "geometry" not in upload.records[1]


def test_a_wkt_cell_over_the_vertex_limit_is_refused(store, monkeypatch):
    for module in (model, pipeline):  # a WKT cell of 100,000 vertices is over the CSV module's field limit
        monkeypatch.setattr(module, "MAX_VERTICES", 1000)
    rows = [{"载体编号": "LH-L001", "载体名称": "浏河地块", "所属区镇": "浏河镇", "用地面积": "50000", "状态": "可租售",
             "WKT": ring(1001).wkt}]
    upload = read(store, csv_bytes(rows), "地块.csv", kind="land")
    assert [(p.row, p.column, p.key) for p in upload.errors] == [(2, "WKT", "too_many_vertices")]


def test_the_model_refuses_a_huge_geometry_whoever_stores_it(small_sample):
    record = dict(next(c for c in small_sample.carriers if c["kind"] == "land"), geometry=ring(MAX_VERTICES + 1))
    for found in (model.validate_carrier(record, districts=["liuhe", record["district"]]),
                  model.validate_carriers([record], districts=["liuhe", record["district"]])[0]):
        assert [(p.field, p.key) for p in found] == [("geometry", "too_many_vertices")]
    assert not model.validate_carrier(dict(record, geometry=ring(MAX_VERTICES - 1, radius=0.001)), districts=[record["district"]])


# --- a code repeated across layers ---------------------------------------------------------------------


def land_layer(codes: list[str], lon: float) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"编号": codes, "名称": [f"浏河地块{c}" for c in codes], "区镇": ["浏河镇"] * len(codes),  # DBF names: 10 bytes
         "面积": [50_000] * len(codes), "状态": ["可租售"] * len(codes)},
        geometry=[ring(40, (lon + i * 0.005, LIUHE[1])) for i in range(len(codes))], crs=4326)


def test_a_code_repeated_in_two_shapefiles_of_one_zip_names_both_layers(store, tmp_path):
    members = {}
    for stem, codes, lon in (("一期地块", ["LH-L001", "LH-L002"], LIUHE[0]), ("二期地块", ["LH-L003", "LH-L001"], LIUHE[0] - 0.02)):
        folder = tmp_path / stem
        folder.mkdir()
        pyogrio.write_dataframe(land_layer(codes, lon), folder / f"{stem}.shp", encoding="UTF-8")
        members.update({p.name: p.read_bytes() for p in folder.iterdir()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    upload = read(store, buffer.getvalue(), "浏河地块.zip", kind="land")
    [problem] = upload.errors
    assert (problem.key, problem.sheet, problem.row) == ("duplicate_code_in_other_sheet", "二期地块", 2)
    assert pipeline.problem_message(problem, "zh") == "编号 LH-L001 重复：在“二期地块”中再次出现，首次出现在“一期地块”第 1 行。"
    assert "first in “一期地块”, row 1" in pipeline.problem_message(problem, "en")


def test_a_code_repeated_in_two_geopackage_layers_names_both(store, tmp_path):
    path = tmp_path / "地块.gpkg"
    pyogrio.write_dataframe(land_layer(["LH-L001", "LH-L002"], LIUHE[0]), path, layer="已出让")
    pyogrio.write_dataframe(land_layer(["LH-L002"], LIUHE[0] - 0.02), path, layer="待出让", append=True)
    upload = read(store, path.read_bytes(), path.name, kind="land")
    [problem] = upload.errors
    assert problem.params == {"code": "LH-L002", "sheet": "待出让", "first_sheet": "已出让", "first_row": 2}
    # within one layer the message stays the short one
    same = read(store, pyogrio_bytes(tmp_path, land_layer(["LH-L001", "LH-L001"], LIUHE[0])), "one.gpkg", kind="land")
    assert [p.key for p in same.errors] == ["duplicate_code_in_file"]


def pyogrio_bytes(tmp_path, frame) -> bytes:
    path = tmp_path / "single.gpkg"
    pyogrio.write_dataframe(frame, path, layer="地块")
    return path.read_bytes()


# --- how many problems one file may produce -----------------------------------------------------------


def test_a_file_with_a_bad_value_in_every_cell_lists_the_first_thousand_and_counts_them_all(store):
    n = 3000
    rows = [{"载体编号": f"LH-P{i:05d}", "载体名称": f"厂房{i}", "所属区镇": "浏河镇", "建筑面积(㎡)": f"{i}亩厂房",
             "状态": f"状态{i}", "经度": LIUHE[0], "纬度": LIUHE[1]} for i in range(n)]
    upload = read(store, csv_bytes(rows), "浏河厂房.csv")
    assert upload.error_count == 2 * n  # a bad area and a bad status on every row
    listed = [p for p in upload.errors if p.key != "problems_omitted"]
    assert len(listed) == MAX_PROBLEMS_PER_SEVERITY and listed[0].row == 2
    [summary] = [p for p in upload.errors if p.key == "problems_omitted"]
    assert summary.params == {"shown": "1,000", "total": "6,000", "omitted": "5,000"}
    assert "共有 6,000 条" in pipeline.problem_message(summary, "zh")
    assert "has 6,000 problems" in pipeline.problem_message(summary, "en")
    assert not upload.can_commit
    with pytest.raises(ValidationError) as refused:
        pipeline.commit(upload, store, user="staff")
    assert refused.value.problems[0].params == {"n": 6000}
    # the report lists what is kept and says how many more there are
    report = pipeline.report_frame(upload.problems, "en")
    assert len(report) == MAX_PROBLEMS_PER_SEVERITY + 1 + len(upload.warnings) + len(upload.notes)


def test_the_bounded_list_counts_every_problem_and_survives_pickling():
    import pickle

    from heatmap.ingest.problems import ProblemList, UploadProblem
    problems = ProblemList(limit=2)
    problems += [UploadProblem("f.csv", "not_a_number", row=r, field="area_m2") for r in range(2, 7)]
    problems.append(UploadProblem("f.csv", "approximate_value", severity="warning"))
    assert len(problems) == 3 and problems.counts == {"error": 5, "warning": 1} and problems.omitted("error") == 3
    assert (None, 6, "area_m2") in problems.cells  # remembered though not listed
    problems.close("f.csv")
    problems.close("f.csv")
    assert [p.key for p in problems].count("problems_omitted") == 1
    copy = pickle.loads(pickle.dumps(problems))
    assert list(copy) == list(problems) and copy.counts == problems.counts and copy.cells == problems.cells


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "gpkg"])
def test_a_file_of_more_rows_than_the_limit_is_refused_unread(monkeypatch, tmp_path, fmt):
    monkeypatch.setattr(files, "MAX_ROWS", 50)
    rows = plant_rows(51)
    if fmt == "csv":
        data = csv_bytes(rows)
        assert read_tables(csv_bytes(rows[:50]), "ok.csv")[0][0].frame.shape[0] == 50
    elif fmt == "xlsx":
        buffer = io.BytesIO()
        pd.DataFrame(rows).to_excel(buffer, index=False, sheet_name="厂房")
        data = buffer.getvalue()
    else:
        path = tmp_path / "plants.gpkg"
        frame = pd.DataFrame(rows)
        pyogrio.write_dataframe(gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["经度"], frame["纬度"]), crs=4326),
                                path, layer="厂房")
        data = path.read_bytes()
    problem = rejected(data, f"plants.{fmt}")
    assert problem.key == "too_many_rows" and problem.params == {"limit": "50"}
