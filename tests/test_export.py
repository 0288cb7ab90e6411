"""Excel and GeoJSON exports (heatmap.export): readable, complete, and harmless whatever the data says."""
import datetime as dt
import io
import json

import geopandas as gpd
import openpyxl
import pandas as pd
import shapely

from heatmap import export
from heatmap.store import records_frame

NAMES = {"port": "太仓港经济技术开发区", "hitech": "太仓高新区"}


def carriers(small_sample, **overrides):
    records = [dict(small_sample.carriers[0], **overrides)] + small_sample.carriers[1:5]
    return records_frame("carrier", records)


def test_excel_has_localized_headers_labels_and_mu(small_sample):
    frame = carriers(small_sample)
    table = export.carrier_table(frame, "zh", NAMES, internal=False)
    assert "编号" in table.columns and "用地面积（亩）" in table.columns and "经度" in table.columns
    assert "修改人" not in table.columns  # internal fields stay internal
    book = openpyxl.load_workbook(io.BytesIO(export.to_excel({"载体": table})))
    sheet = book["载体"]
    header = [c.value for c in sheet[1]]
    assert header == list(table.columns)
    kinds = {row[header.index("载体类型")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert kinds <= {"产业用地", "厂房", "商务楼宇", "其他载体"}
    english = export.carrier_table(frame, "en", NAMES, internal=True)
    assert "Changed by" in english.columns and "Vacancy (%)" in english.columns


def test_formulas_and_markup_in_data_stay_inert_text(small_sample):
    evil = ["=HYPERLINK(\"http://evil.example\",\"click\")", "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)",
            "<img src=x onerror=alert(1)>"]
    frame = carriers(small_sample, name=evil[0], address=evil[1], contact=evil[2], source=evil[3], name_en=evil[4])
    data = export.to_excel({"s": export.carrier_table(frame, "en", NAMES, internal=False)})
    sheet = openpyxl.load_workbook(io.BytesIO(data))["s"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell became a formula"
    values = {c.value for c in cells}
    assert all(e in values for e in evil), "the text must be kept exactly, as text"


def test_geojson_round_trips_through_gdal(small_sample, tmp_path):
    frame = carriers(small_sample)
    path = tmp_path / "sites.geojson"
    path.write_bytes(export.to_geojson(frame, sample=True, internal=False))
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["sample_data"] is True and "updated_by" not in collection["features"][0]["properties"]
    read = gpd.read_file(path)
    assert list(read["code"]) == list(frame["code"])
    assert read.crs.to_epsg() == 4326
    assert read.geometry.iloc[0].equals_exact(frame.geometry.iloc[0], 1e-9)
    assert json.loads(path.read_text())["features"][0]["properties"]["industries"] == list(frame["industries"].iloc[0])
    assert pd.notna(read["area_m2"]).all()


def test_an_export_uploaded_again_unchanged_changes_nothing(store, small_sample):
    """The map page's Excel and GeoJSON downloads, one kind at a time, re-uploaded as they are: 0 changed.
    Points and boundaries come back to the last digit (the export writes them at full precision)."""
    from heatmap.ingest import pipeline

    store.save("carrier", small_sample.carriers, user="seed", source="sample")
    carriers = store.carriers()
    names = dict(zip(store.districts()["code"], store.districts()["name_zh"]))
    today = max(carriers["verified_on"]) + dt.timedelta(days=1)
    for kind in ("land", "plant", "office", "other"):
        chosen = carriers[carriers["kind"] == kind]
        files = {
            "zh.xlsx": export.to_excel({"载体": export.carrier_table(chosen, "zh", names, internal=True),
                                        "说明": pd.DataFrame([("导出时间", "2026-11-28")], columns=["", " "])}),
            "en.xlsx": export.to_excel({"Sites": export.carrier_table(chosen, "en", NAMES | names, internal=False)}),
            "sites.geojson": export.to_geojson(chosen, sample=True, internal=False),
        }
        for name, data in files.items():
            upload = pipeline.read_upload(data, name, kind=kind, store=store, district=None, today=today)
            assert upload.errors == [], (kind, name, [pipeline.problem_message(p, "en") for p in upload.errors[:3]])
            assert not [p for p in upload.warnings if p.key == "column_not_recognised"], (kind, name)
            diff = pipeline.preview(upload, store)
            changed = {c.code: c.fields for c in diff.changes if c.op == "change"}
            assert diff.counts["same"] == len(chosen) and not changed, (kind, name, list(changed.items())[:3])


def test_boundaries_are_written_in_full_and_points_left_to_lon_lat():
    square = shapely.from_wkt("POLYGON((121.11701234567891 31.454, 121.1186 31.454, 121.1186 31.4552, 121.11701234567891 31.454))")
    assert shapely.from_wkt(export.boundary_wkt(square)).equals_exact(square, 0)
    assert export.boundary_wkt(shapely.Point(121.1, 31.5)) is None and export.boundary_wkt(None) is None
    ring = shapely.Point(121.1, 31.5).buffer(0.01, quad_segs=300)  # 1,200 vertices: too long for one cell in full
    text = export.boundary_wkt(ring)
    assert len(text) <= export.EXCEL_CELL_CHARS
    assert shapely.from_wkt(text).equals_exact(ring, 1e-7)  # to survey precision, about a centimetre
