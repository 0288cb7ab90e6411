"""One upload end to end on both stores: files as the real tools write them -> located problems,
records, preview, one version per commit, replace limited to a district's kind, rollback."""
import datetime as dt
import io

import pandas as pd
import pyogrio
import geopandas as gpd
import pytest
import shapely

from heatmap import geo
from heatmap.ingest import pipeline
from heatmap.model import ValidationError

TODAY = dt.date(2026, 11, 28)
LIUHE = (121.271956, 31.517044)  # 浏河镇's seat
SHAXI = (121.066545, 31.559024)


def plant_rows(n: int = 3, district: str = "浏河镇", lon_lat=LIUHE) -> list[dict]:
    return [
        {
            "载体编号": f"LH-P{i:03d}", "载体名称": f"浏河标准厂房{i}号", "所属区镇": district,
            "建筑面积(㎡)": f"{1 + i},200", "空置面积": "3.5万" if i == 99 else f"{600 + i}㎡", "状态": "可租售",
            "租金": "25元/㎡/月" if i % 2 else "1.2元/㎡/天", "层数": "２", "核实日期": "2026年7月6日",
            "经度": lon_lat[0] + i * 0.001, "纬度": lon_lat[1] + i * 0.001,
        }
        for i in range(1, n + 1)
    ]


def csv_bytes(rows: list[dict], encoding: str = "gbk") -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_csv(buffer, index=False, encoding=encoding)
    return buffer.getvalue()


def read(store, data: bytes, name: str, kind: str = "plant", district: str | None = "liuhe", **kwargs):
    return pipeline.read_upload(data, name, kind=kind, store=store, district=district, today=TODAY, **kwargs)


def test_a_gbk_csv_as_chinese_excel_saves_it_reads_into_model_units(store):
    upload = read(store, csv_bytes(plant_rows()), "浏河厂房.csv")
    assert not upload.errors, pipeline.report_frame(upload.errors, "en").to_dict("records")
    assert len(upload.records) == 3
    first = upload.records[0]
    assert first["code"] == "LH-P001" and first["district"] == "liuhe" and first["kind"] == "plant"
    assert first["area_m2"] == 2200 and first["vacant_m2"] == 601 and first["floors"] == 2
    assert first["rent_cny_m2_month"] == 25
    assert upload.records[1]["rent_cny_m2_month"] == pytest.approx(1.2 * 365 / 12)
    assert first["verified_on"] == dt.date(2026, 7, 6) and first["status"] == "available"
    assert first["geometry"].distance(shapely.Point(LIUHE[0] + 0.001, LIUHE[1] + 0.001)) < 1e-9


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(store):
    rows = plant_rows(6)
    rows[0]["空置面积"] = "9,999,999"  # vacant over area
    rows[1]["建筑面积(㎡)"] = "待定"  # text in a number column
    rows[2]["载体编号"] = "LH-P001"  # a code repeated
    rows[3]["载体名称"] = '=HYPERLINK("http://evil.example","点我")'
    rows[4]["载体名称"] = "<script>alert(1)</script>"
    rows[5]["经度"], rows[5]["纬度"] = rows[5]["纬度"], rows[5]["经度"]  # lat/lon swapped
    upload = read(store, csv_bytes(rows), "bad.csv")
    errors = {(p.row, p.column, p.key) for p in upload.errors}
    assert (2, "空置面积", "vacant_over_area") in errors  # row 2: the first data line under the header
    assert any(row == 3 and column == "建筑面积(㎡)" for row, column, _ in errors)
    assert (4, "载体编号", "duplicate_code_in_file") in errors
    assert any(row == 5 and column == "载体名称" for row, column, _ in errors)
    assert any(row == 6 and column == "载体名称" for row, column, _ in errors)
    assert any(row == 7 and key == "swapped_lat_lon" for row, _, key in errors)
    assert not upload.can_commit
    with pytest.raises(ValidationError):
        pipeline.commit(upload, store, user="staff-liuhe")
    assert store.count("carrier") == 0 and store.versions().empty
    report = pipeline.report_frame(upload.problems, "zh")
    assert list(report.columns) == ["级别", "文件", "工作表", "行", "列", "值", "说明"]
    assert report["说明"].str.len().min() > 3


def test_staff_may_not_touch_another_district(store):
    upload = read(store, csv_bytes(plant_rows(2, district="沙溪镇", lon_lat=SHAXI)), "shaxi.csv")
    assert [(p.row, p.key) for p in upload.errors] == [(2, "other_district"), (3, "other_district")]
    # a code already stored for 沙溪 cannot be taken over from 浏河's file
    admin = read(store, csv_bytes(plant_rows(1, district="沙溪镇", lon_lat=SHAXI)), "shaxi.csv", district=None)
    pipeline.commit(admin, store, user="admin")
    mine = read(store, csv_bytes(plant_rows(1)), "liuhe.csv")
    assert [p.key for p in mine.errors] == ["code_of_other_district"]


def test_commit_preview_replace_and_rollback(store):
    first = read(store, csv_bytes(plant_rows(3)), "v1.csv")
    version, diff = pipeline.commit(first, store, user="staff-liuhe", note="首次上传")
    assert diff.counts["add"] == 3
    stored = store.version(version)
    assert stored["file_name"] == "v1.csv" and stored["file_hash"] == first.file_hash and stored["note"] == "首次上传"
    assert stored["created_by"] == "staff-liuhe" and stored["district"] == "liuhe" and stored["source"] == "upload"

    # an office tower of the same district must survive "replace my district's plant buildings"
    office = [{"载体编号": "LH-O001", "名称": "浏河商务中心", "区镇": "浏河镇", "建筑面积": "12000", "空置面积": "3000",
               "状态": "部分可用", "经度": LIUHE[0], "纬度": LIUHE[1]}]
    pipeline.commit(read(store, csv_bytes(office, "utf-8-sig"), "office.csv", kind="office"), store, user="staff-liuhe")

    rows = plant_rows(2)
    rows[0]["空置面积"] = "0"
    rows[0]["状态"] = "已满"
    second = read(store, csv_bytes(rows), "v2.csv")
    preview = pipeline.preview(second, store, replace=True)
    assert preview.counts == {"add": 0, "change": 1, "remove": 1, "same": 1}
    changed = preview.of("change")[0]
    assert changed.code == "LH-P001" and set(changed.fields) == {"vacant_m2", "status"}
    assert [c.code for c in preview.of("remove")] == ["LH-P003"]
    assert store.count("carrier") == 4  # a preview writes nothing
    v2, _ = pipeline.commit(second, store, user="staff-liuhe", replace=True)
    assert set(store.carriers()["code"]) == {"LH-P001", "LH-P002", "LH-O001"}
    assert store.record("carrier", "LH-P001")["vacant_m2"] == 0

    back = store.rollback(v2, user="staff-liuhe")
    assert store.version(back)["reverts_version_id"] == v2
    assert set(store.carriers()["code"]) == {"LH-P001", "LH-P002", "LH-P003", "LH-O001"}
    assert store.record("carrier", "LH-P001")["vacant_m2"] == 601


def test_unknown_headers_are_asked_for_and_remembered(store):
    rows = [dict(r, 占地规模="1200") for r in plant_rows(1)]
    for r in rows:
        del r["建筑面积(㎡)"]
    upload = read(store, csv_bytes(rows), "odd.csv")
    assert upload.unknown_columns == ["占地规模"]
    assert any(p.key == "required_column_missing" and p.field == "area_m2" for p in upload.errors)
    from heatmap.ingest.headers import normalize_header

    store.remember_header_mappings({normalize_header("占地规模"): "area_m2"}, "staff-liuhe")
    again = read(store, csv_bytes(rows), "odd.csv")
    assert not again.unknown_columns and not again.errors and again.records[0]["area_m2"] == 1200


def test_excel_with_title_rows_and_amap_coordinates(store, tmp_path):
    rows = plant_rows(2)
    gcj = [geo.wgs84_to_gcj02(r["经度"], r["纬度"]) for r in rows]
    for r, (lon, lat) in zip(rows, gcj):
        r["经度"], r["纬度"] = lon, lat
    path = tmp_path / "厂房.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(rows).to_excel(writer, sheet_name="厂房", startrow=2, index=False)
        writer.sheets["厂房"]["A1"] = "浏河镇标准厂房信息表（2026年11月）"
    upload = read(store, path.read_bytes(), path.name, gcj02=True)
    assert not upload.errors, [(p.row, p.key) for p in upload.errors]
    assert upload.origins[0].row == 4 and upload.origins[0].sheet == "厂房"
    point = upload.records[0]["geometry"]
    assert abs(point.x - (LIUHE[0] + 0.001)) < 1e-5 and abs(point.y - (LIUHE[1] + 0.001)) < 1e-5


def test_projected_land_parcels_from_a_geopackage(store, tmp_path):
    center = shapely.Point(LIUHE)
    parcels = gpd.GeoDataFrame(
        {"编号": ["LH-L001", "LH-L002"], "地块名称": ["浏河东地块", "浏河西地块"], "面积": ["12亩", "8000"],
         "地价": ["80万元/亩", "75"], "状态": ["可租售", "在建"], "区镇": ["浏河镇", "浏河镇"]},
        geometry=[center.buffer(0.002), shapely.Point(LIUHE[0] - 0.01, LIUHE[1]).buffer(0.002)], crs=4326,
    ).to_crs(4549)
    path = tmp_path / "land.gpkg"
    pyogrio.write_dataframe(parcels, path, layer="地块")
    upload = read(store, path.read_bytes(), path.name, kind="land")
    assert not upload.errors, [(p.row, p.key, dict(p.params)) for p in upload.errors]
    first = upload.records[0]
    assert first["area_m2"] == pytest.approx(12 * 10000 / 15) and first["land_price_wan_mu"] == 80
    assert first["geometry"].geom_type == "Polygon"
    assert first["geometry"].centroid.distance(center) < 1e-5  # back in WGS-84


def test_a_record_unverified_for_a_year_warns_but_does_not_block(store):
    rows = plant_rows(1)
    rows[0]["核实日期"] = "2024/7/6"
    upload = read(store, csv_bytes(rows), "old.csv")
    assert not upload.errors and [p.key for p in upload.warnings] == ["not_verified_for_a_year"]
    assert upload.can_commit


def test_a_broken_file_is_one_clear_problem(store):
    upload = read(store, b"PK\x03\x04 not really a zip", "厂房.xlsx")
    assert len(upload.errors) == 1 and upload.errors[0].file == "厂房.xlsx"
    assert pipeline.problem_message(upload.errors[0], "zh") != upload.errors[0].key
    empty = read(store, b"", "empty.csv")
    assert [p.key for p in empty.errors] == ["empty_file"]


# --- KML / KMZ: the code is the attribute, not the feature id -----------------------------------------

LIUHE_KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document><name>浏河镇厂房</name>
<Schema name="厂房" id="S_厂房"><SimpleField name="载体编号" type="string"/><SimpleField name="建筑面积" type="float"/></Schema>
<Folder><name>厂房</name>
<Placemark id="p.1"><name>浏河标准厂房1号</name>
  <ExtendedData><SchemaData schemaUrl="#S_厂房"><SimpleData name="载体编号">LH-P001</SimpleData>
  <SimpleData name="建筑面积">2200</SimpleData><SimpleData name="空置面积">601</SimpleData>
  <SimpleData name="状态">可租售</SimpleData><SimpleData name="所属区镇">浏河镇</SimpleData>
  <SimpleData name="核实日期">2026-07-06</SimpleData></SchemaData></ExtendedData>
  <Point><coordinates>121.272956,31.518044,0</coordinates></Point></Placemark>
<Placemark id="p.2"><name>浏河标准厂房2号</name>
  <ExtendedData><Data name="载体编号"><value>LH-P002</value></Data><Data name="建筑面积"><value>3200</value></Data>
  <Data name="空置面积"><value>602</value></Data><Data name="状态"><value>部分可用</value></Data>
  <Data name="所属区镇"><value>浏河镇</value></Data><Data name="核实日期"><value>2026-07-06</value></Data></ExtendedData>
  <Polygon><outerBoundaryIs><LinearRing><coordinates>121.2730,31.5190,0 121.2745,31.5190,0 121.2745,31.5200,0 121.2730,31.5200,0 121.2730,31.5190,0</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark id="p.3"><name>浏河标准厂房3号</name>
  <description><![CDATA[<html><body><table border="1"><tr><th colspan="2">厂房</th></tr>
  <tr><td>载体编号</td><td>LH-P003</td></tr><tr><td>建筑面积</td><td>4,200</td></tr><tr><td>空置面积</td><td>0</td></tr>
  <tr><td>状态</td><td>已满</td></tr><tr><td>所属区镇</td><td>浏河镇</td></tr><tr><td>核实日期</td><td>2026-07-06</td></tr>
  </table></body></html>]]></description>
  <Point><coordinates>121.274956,31.520044,0</coordinates></Point></Placemark>
</Folder></Document></kml>
"""


@pytest.mark.parametrize("name", ["浏河厂房.kml", "浏河厂房.kmz"])
def test_kml_and_kmz_codes_come_from_the_code_attribute(store, name):
    """Google Earth writes <Data>, GDAL and most GIS <SchemaData>, ArcGIS a table in the description; the
    Placemark's id (p.1 …) is the file's, not the carrier's: a code taken from it would duplicate records
    on the next upload and let --replace delete the real ones."""
    import zipfile

    data = LIUHE_KML.encode("utf-8")
    if name.endswith(".kmz"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as kmz:
            kmz.writestr("doc.kml", data)
        data = buffer.getvalue()
    upload = read(store, data, name)
    assert upload.errors == [], [pipeline.problem_message(p, "en") for p in upload.errors]
    assert not [p for p in upload.warnings if p.key == "column_not_recognised"], [p.column for p in upload.warnings]
    assert [r["code"] for r in upload.records] == ["LH-P001", "LH-P002", "LH-P003"]
    assert [r["area_m2"] for r in upload.records] == [2200, 3200, 4200]
    assert [r["status"] for r in upload.records] == ["available", "partial", "occupied"]
    assert upload.records[1]["geometry"].geom_type == "Polygon" and upload.records[0]["name"] == "浏河标准厂房1号"
    pipeline.commit(upload, store, user="staff-liuhe")
    assert sorted(store.carriers()["code"]) == ["LH-P001", "LH-P002", "LH-P003"]
    again = read(store, data, name)
    assert pipeline.preview(again, store, replace=True).counts == {"add": 0, "change": 0, "remove": 0, "same": 3}


# --- a required column the file lacks ------------------------------------------------------------------


def test_a_missing_required_column_is_one_message_naming_the_field(store):
    rows = plant_rows(5)
    for row in rows:
        del row["载体名称"]
    upload = read(store, csv_bytes(rows), "无名称.csv")
    assert [(p.key, p.row, p.field) for p in upload.errors] == [("required_column_missing", None, "name")]
    message = {lang: pipeline.problem_message(upload.errors[0], lang) for lang in ("zh", "en")}
    assert "名称" in message["zh"] and "5" in message["zh"]
    assert "Name" in message["en"] and "name" not in message["en"].replace("Name", "")
    frame = pipeline.report_frame(upload.problems, "en")
    assert (frame["Column"] == "Name").sum() == 1  # the report names the field too
    # a row whose cell is there but empty is still its own, located problem
    rows = plant_rows(2)
    rows[1]["载体名称"] = ""
    upload = read(store, csv_bytes(rows), "空名称.csv")
    assert [(p.key, p.row, p.column) for p in upload.errors] == [("required", 3, "载体名称")]


def test_status_is_derived_from_the_vacant_area_and_said_once(store):
    rows = plant_rows(3)
    for row, vacant in zip(rows, ["0", "2,200", "500"]):  # areas: 2,200 / 3,200 / 4,200 m²
        del row["状态"]
        row["空置面积"] = vacant
    rows[1]["建筑面积(㎡)"] = "2,200"
    upload = read(store, csv_bytes(rows), "无状态.csv")
    assert upload.errors == [], [pipeline.problem_message(p, "en") for p in upload.errors]
    assert [r["status"] for r in upload.records] == ["occupied", "available", "partial"]
    notes = [p for p in upload.notes if p.key == "status_derived"]
    assert len(notes) == 1 and "3" in pipeline.problem_message(notes[0], "en")
    assert "推算" in pipeline.problem_message(notes[0], "zh")
    # a status stored before is kept by a file that does not say it
    pipeline.commit(upload, store, user="staff-liuhe")
    store.save("carrier", [dict(store.stored_records("carrier", ["LH-P001"])["LH-P001"], status="reserved")], user="t", source="test")
    again = read(store, csv_bytes(rows), "无状态.csv")
    assert again.records[0]["status"] == "reserved" and again.records[2]["status"] == "partial"


def test_a_legacy_xls_imports(store):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("厂房")
    rows = plant_rows(3)
    for j, header in enumerate(rows[0]):
        sheet.write(0, j, header)
        for i, row in enumerate(rows, start=1):
            sheet.write(i, j, row[header])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = read(store, buffer.getvalue(), "浏河厂房.xls")
    assert upload.errors == [], [pipeline.problem_message(p, "en") for p in upload.errors]
    assert [r["code"] for r in upload.records] == ["LH-P001", "LH-P002", "LH-P003"]
    assert upload.records[0]["area_m2"] == 2200 and upload.records[0]["verified_on"] == dt.date(2026, 7, 6)
    assert pipeline.commit(upload, store, user="staff-liuhe")[1].counts["add"] == 3


# --- a CSV cell over the csv module's field limit ----------------------------------------------------


@pytest.mark.parametrize("row_index", [0, 40])  # within the rows searched for the header, and past them
def test_a_csv_cell_over_the_field_limit(store, row_index):
    from heatmap.ingest import files

    rows = [dict(r, 备注="") for r in plant_rows(50)]
    rows[row_index]["备注"] = "长" * (files.CSV_FIELD_LIMIT + 10)
    upload = read(store, csv_bytes(rows, "utf-8"), "备注很长.csv")
    assert upload.errors == [] and len(upload.records) == 50  # an ignored column: warned, and the import goes on
    (warning,) = [p for p in upload.warnings if p.key == "cell_too_long_ignored"]
    assert (warning.row, warning.column) == (row_index + 2, "备注")
    assert "备注" in pipeline.problem_message(warning, "zh") and "quote" not in pipeline.problem_message(warning, "en")

    rows = plant_rows(50)
    rows[row_index]["载体名称"] = "长" * (files.CSV_FIELD_LIMIT + 10)
    upload = read(store, csv_bytes(rows, "utf-8"), "名称很长.csv")
    assert [(p.key, p.row, p.column) for p in upload.errors] == [("cell_too_long", row_index + 2, "载体名称")]
    message = pipeline.problem_message(upload.errors[0], "en")
    assert f"row {row_index + 2}" in message and "载体名称" in message and "quote" not in message
