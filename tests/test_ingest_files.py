"""heatmap.ingest.files: real files made by the tools that make them, good and bad."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from heatmap import i18n
from heatmap.ingest import files
from heatmap.ingest.files import RawTable, find_header_row, read_tables
from heatmap.ingest.problems import FileRejected

NAMES = ["娄东工业园 A 地块", "浏河镇厂房 3 号", "科教新城研发楼"]


def _read(path: Path, **kw) -> tuple[list[RawTable], list]:
    return read_tables(path.read_bytes(), path.name, **kw)


def _rejected(data: bytes, name: str) -> str:
    with pytest.raises(FileRejected) as info:
        read_tables(data, name)
    problem = info.value.problem
    assert i18n.has(f"ingest.{problem.key}"), problem.key
    # every message fills with the params given
    for lang in i18n.LANGUAGES:
        i18n.t(f"ingest.{problem.key}", lang, **problem.params)
    return problem


def _gdf(n: int = 3, crs=4326) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"名称": NAMES[:n], "面积": [1200.5, 3.5, 800.0][:n], "编号": ["TC-001", "TC-002", "TC-003"][:n]},
        geometry=[shapely.Point(121.10 + i * 0.01, 31.50 + i * 0.01) for i in range(n)],
        crs=crs,
    )


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _shapefile_members(tmp_path: Path, stem: str, gdf: gpd.GeoDataFrame, encoding: str | None = None, drop=()) -> dict[str, bytes]:
    folder = tmp_path / f"shp_{stem}"
    folder.mkdir()
    pyogrio.write_dataframe(gdf, folder / f"{stem}.shp", encoding=encoding)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix not in drop}


# --- Excel ------------------------------------------------------------------------------------------


def test_excel_title_rows_two_sheets_formula_and_hidden_sheet(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "厂房"
    ws["A1"] = "太仓市存量厂房清单（2025 年 6 月）"
    ws.merge_cells("A1:D1")
    ws["A2"] = "填报单位：浏河镇"
    ws.append(["名称", "面积（㎡）", "租金", "名称"])  # row 3, the repeated header becomes "名称 (2)"
    ws.append(["  A 厂房 ", 1200, 25.5, "别名"])  # row 4
    ws.append([None, None, None, None])  # row 5: empty, dropped
    ws.append(["B 厂房", 3000.5, "=C4*2", None])  # row 6: formula kept as text
    ws["B7"] = dt.datetime(2024, 7, 6)  # row 7: a date cell
    second = wb.create_sheet("土地")
    second.append(["地块编号", "面积（亩）"])
    second.append(["TC-01", 12])
    hidden = wb.create_sheet("字典")
    hidden.append(["状态", "可租售"])
    hidden.append(["x", "y"])
    hidden.sheet_state = "hidden"
    wb.create_sheet("空表")
    path = tmp_path / "载体.xlsx"
    wb.save(path)

    tables, notes = _read(path)
    assert notes == []
    assert [t.sheet for t in tables] == ["厂房", "土地"]
    plant, land = tables
    assert plant.file == "载体.xlsx"
    assert plant.header_row == 3
    assert list(plant.frame.columns) == ["名称", "面积（㎡）", "租金", "名称 (2)"]
    assert plant.row_numbers == [4, 6, 7]
    assert plant.frame.iloc[0].tolist() == ["  A 厂房 ", 1200, 25.5, "别名"]  # cells as read
    assert plant.frame.iloc[1]["租金"] == "=C4*2"
    assert plant.frame.iloc[2]["面积（㎡）"] == dt.datetime(2024, 7, 6)
    assert plant.frame.iloc[2]["名称"] is None
    assert plant.geometry is None and plant.crs is None
    assert land.header_row == 1 and land.row_numbers == [2]
    assert land.frame.to_dict("records") == [{"地块编号": "TC-01", "面积（亩）": 12}]


def test_excel_written_by_pandas_with_header_score(tmp_path):
    path = tmp_path / "projects.xlsx"
    df = pd.DataFrame({"项目名称": ["甲", "乙"], "投资额（万元）": ["1,200", "3.5万"]})
    with pd.ExcelWriter(path) as writer:
        df.to_excel(writer, sheet_name="项目", startrow=2, index=False)
    # a scorer that only likes the row naming 投资额
    tables, _ = _read(path, header_score=lambda row: sum("投资" in str(v) for v in row if v is not None))
    (table,) = tables
    assert table.header_row == 3
    assert table.row_numbers == [4, 5]
    assert table.frame["投资额（万元）"].tolist() == ["1,200", "3.5万"]


def test_header_row_heuristic():
    rows = [["标题", None, None, None], [None, None, None, None], ["填报：", "浏河", None, None],
            ["名称", "面积", "租金", None], ["a", "1", "2", None]]
    # row 2 has 2 text cells but the widest row has 3 filled cells: 2 >= 0.6 * 3, so it would win…
    assert find_header_row(rows) == 2
    rows[2] = ["填报：浏河", None, None, None]
    assert find_header_row(rows) == 3
    assert find_header_row([[None], [""]]) is None
    # numbers are not header text
    assert find_header_row([["1", "2", "3"], ["名称", "面积", "租金"]]) == 1
    # ties go to the earliest row
    assert find_header_row([["a", "b"], ["c", "d"]], header_score=lambda row: 1.0) == 0


# --- CSV --------------------------------------------------------------------------------------------


def test_csv_gbk_from_pandas(tmp_path):
    path = tmp_path / "厂房.csv"
    pd.DataFrame({"名称": NAMES, "面积": ["1,200", "", "800"]}).to_csv(path, index=False, encoding="gbk")
    tables, notes = _read(path)
    (table,) = tables
    assert [n.key for n in notes] == ["encoding_detected"]
    assert notes[0].params == {"encoding": "GB18030"} and not notes[0].is_error
    assert table.sheet is None and table.header_row == 1
    assert table.frame["名称"].tolist() == NAMES
    assert table.frame["面积"].tolist() == ["1,200", "", "800"]  # every cell a str, "" for empty
    assert table.row_numbers == [2, 3, 4]


def test_csv_utf8_bom_with_title_rows_and_blank_lines(tmp_path):
    text = "太仓市载体清单,,\n,,\n名称,面积,备注\n甲,100,\"含, 逗号\"\n\n乙,200,\"两\n行\"\n丙,300,\n"
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    tables, notes = _read(path)
    assert notes == []  # UTF-8 (with BOM) needs no note
    (table,) = tables
    assert table.header_row == 3
    assert list(table.frame.columns) == ["名称", "面积", "备注"]
    assert table.frame["备注"].tolist() == ["含, 逗号", "两\n行", ""]
    assert table.row_numbers == [4, 6, 7]


def test_csv_semicolon_and_tab(tmp_path):
    semicolon = tmp_path / "semi.csv"
    pd.DataFrame({"名称": NAMES, "租金": ["25,5", "30", "18,0"]}).to_csv(semicolon, sep=";", index=False)
    (table,), _ = _read(semicolon)
    assert list(table.frame.columns) == ["名称", "租金"]
    assert table.frame["租金"].tolist() == ["25,5", "30", "18,0"]

    tab = tmp_path / "export.txt"  # Excel "Unicode text": UTF-16 with BOM, tab separated
    tab.write_bytes("名称\t面积\n甲\t1,200\n乙\t3,000\n".encode("utf-16"))
    (table,), notes = _read(tab)
    assert [n.params["encoding"] for n in notes] == ["UTF-16"]
    assert table.frame.to_dict("records") == [{"名称": "甲", "面积": "1,200"}, {"名称": "乙", "面积": "3,000"}]


def test_csv_ragged_rows_and_unnamed_columns(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("名称,面积\n甲,1,额外\n乙\n", encoding="utf-8")
    (table,), _ = _read(path)
    assert list(table.frame.columns) == ["名称", "面积", "(C)"]
    assert table.frame.values.tolist() == [["甲", "1", "额外"], ["乙", "", ""]]
    assert table.row_numbers == [2, 3]


def test_csv_undecodable(tmp_path):
    problem = _rejected("名称\n".encode("utf-8") + b"\xff\xfe\xfd\x80\x80\n", "x.csv")
    assert problem.key == "bad_encoding" and problem.params["line"] == 2


# --- whole-file rejections ----------------------------------------------------------------------------


def test_rejections_by_size_and_type(monkeypatch):
    assert _rejected(b"", "a.xlsx").key == "empty_file"
    monkeypatch.setenv("HEATMAP_MAX_UPLOAD_MB", "1")
    problem = _rejected(b"a,b\n" * 300_000, "big.csv")
    assert problem.key == "too_large" and problem.params == {"size_mb": "1.1", "limit_mb": "1.0"}
    monkeypatch.delenv("HEATMAP_MAX_UPLOAD_MB")
    problem = _rejected(b"%PDF-1.7 ...", "report.pdf")
    assert problem.key == "unsupported_type" and problem.params["ext"] == ".pdf" and ".xlsx" in problem.params["supported"]
    assert _rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls").key == "broken_excel"  # read, but damaged
    assert _rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "wps.et").key == "old_excel"
    assert _rejected(b"whatever", "roads.shp").key == "shapefile_not_zipped"


def test_wrong_content(tmp_path):
    csv_as_xlsx = _rejected("名称,面积\n甲,1\n".encode("utf-8"), "载体.xlsx")
    assert csv_as_xlsx.key == "wrong_content" and csv_as_xlsx.params == {"ext": ".xlsx", "looks_like": "CSV"}
    html = _rejected(b"<html><body><table><tr><td>1</td></tr></table></body></html>", "export.xlsx")
    assert html.params["looks_like"] == "HTML"
    assert _rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "protected.xlsx").key == "excel_old_or_encrypted"
    wb = openpyxl.Workbook()
    wb.active.append(["名称", "面积"])
    buffer = io.BytesIO()
    wb.save(buffer)
    xlsx_as_csv = _rejected(buffer.getvalue(), "list.csv")
    assert xlsx_as_csv.params["looks_like"] == "XLSX"
    assert _rejected(b"SQLite format 3\x00" + b"\0" * 100, "a.geojson").params["looks_like"] == "GPKG"
    assert _rejected(b"\x00\x01\x02\x03garbage", "a.gpkg").key == "wrong_content_unknown"


def test_broken_files():
    assert _rejected(b"PK\x03\x04" + b"\x00" * 50, "data.zip").key == "broken_zip"
    assert _rejected(b"PK\x03\x04" + b"\x00" * 50, "data.xlsx").key == "broken_excel"
    assert _rejected(b"name\n\n  \n", "only_header.csv").key == "no_rows"


# --- GeoPackage, GeoJSON, KML -----------------------------------------------------------------------


def test_geopackage_layers(tmp_path):
    path = tmp_path / "carriers.gpkg"
    pyogrio.write_dataframe(_gdf(3, crs=4549).set_geometry(gpd.GeoSeries.from_xy([600000, 610000, 620000], [3490000, 3491000, 3492000], crs=4549)), path, layer="厂房")
    pyogrio.write_dataframe(_gdf(2), path, layer="土地", append=False)
    empty = _gdf(1).iloc[:0]
    pyogrio.write_dataframe(empty, path, layer="空图层")
    tables, notes = _read(path)
    assert notes == []
    by_layer = {t.sheet: t for t in tables}
    assert set(by_layer) == {"厂房", "土地"}
    plant = by_layer["厂房"]
    assert plant.header_row is None and plant.row_numbers == [1, 2, 3]
    assert list(plant.frame.columns) == ["名称", "面积", "编号"]
    assert plant.frame["名称"].tolist() == NAMES
    assert plant.crs.to_epsg() == 4549
    assert plant.geometry.iloc[1].x == 610000
    assert by_layer["土地"].crs.to_epsg() == 4326 and len(by_layer["土地"].geometry) == 2


def test_geojson_and_json(tmp_path):
    path = tmp_path / "地块.geojson"
    pyogrio.write_dataframe(_gdf(), path)
    (table,), _ = _read(path)
    assert table.sheet == "地块" and table.file == "地块.geojson"
    assert table.frame["编号"].tolist() == ["TC-001", "TC-002", "TC-003"]
    assert table.geometry.iloc[2].equals(shapely.Point(121.12, 31.52))
    (table,), _ = read_tables(path.read_bytes(), "export.json")
    assert table.sheet == "export" and len(table.frame) == 3
    assert _rejected(b'{"hello": "world"}', "x.geojson").key in ("broken_geodata", "no_rows")


def test_kml_and_kmz(tmp_path):
    path = tmp_path / "points.kml"
    pyogrio.write_dataframe(_gdf(), path, driver="KML")
    tables, _ = _read(path)
    assert len(tables) == 1
    table = tables[0]
    assert table.frame["名称"].tolist() == NAMES
    assert "altitudeMode" not in table.frame.columns and "tessellate" not in table.frame.columns
    assert [round(g.x, 2) for g in table.geometry] == [121.10, 121.11, 121.12]
    (kmz_table,), _ = read_tables(_zip({"doc.kml": path.read_bytes()}), "points.kmz")
    assert kmz_table.file == "points.kmz/doc.kml" and kmz_table.frame["名称"].tolist() == NAMES


def test_kml_with_entities_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&b;</name></Placemark></kml>'
    assert _rejected(bomb, "evil.kml").key == "unsafe_xml"


# --- zipped Shapefiles ------------------------------------------------------------------------------


def test_zipped_shapefile_with_cpg_and_gbk_without(tmp_path):
    utf8 = _shapefile_members(tmp_path, "厂房", _gdf())
    assert "厂房.cpg" in utf8
    gbk = _shapefile_members(tmp_path, "land", _gdf(2), encoding="GBK", drop=(".cpg",))
    assert "land.cpg" not in gbk
    members = {f"data/{k}": v for k, v in utf8.items()} | {f"gbk/{k}": v for k, v in gbk.items()}
    tables, notes = read_tables(_zip(members), "上传.zip")
    by_file = {t.file: t for t in tables}
    assert set(by_file) == {"上传.zip/data/厂房.shp", "上传.zip/gbk/land.shp"}
    plant = by_file["上传.zip/data/厂房.shp"]
    assert plant.sheet == "厂房" and plant.row_numbers == [1, 2, 3]
    assert plant.frame["名称"].tolist() == NAMES
    assert plant.crs.to_epsg() == 4326
    land = by_file["上传.zip/gbk/land.shp"]
    assert list(land.frame.columns) == ["名称", "面积", "编号"]  # GBK field names decoded too
    assert land.frame["名称"].tolist() == NAMES[:2]
    assert [(n.key, n.file, n.params) for n in notes] == [("shapefile_encoding_assumed", "上传.zip/gbk/land.shp", {"encoding": "GB18030"})]


def test_zip_member_names_in_gbk(tmp_path):
    """Zips made on Chinese Windows store names in GBK without the UTF-8 flag."""
    members = _shapefile_members(tmp_path, "plant", _gdf())
    data = _zip({f"XXXX/{name}": content for name, content in members.items()})
    assert len("厂房".encode("gbk")) == 4
    data = data.replace(b"XXXX/", "厂房".encode("gbk") + b"/")  # raw GBK bytes, no UTF-8 flag
    (table,), _ = read_tables(data, "a.zip")
    assert table.file == "a.zip/厂房/plant.shp"


def test_shapefile_missing_dbf_and_empty_zip(tmp_path):
    members = _shapefile_members(tmp_path, "plant", _gdf(), drop=(".dbf",))
    problem = _rejected(_zip(members), "plant.zip")
    assert problem.key == "shapefile_incomplete" and problem.params == {"missing": ".dbf"}
    assert problem.file == "plant.zip/plant.shp"
    problem = _rejected(_zip({"readme.md": b"hello"}), "x.zip")
    assert problem.key == "zip_no_shapefile" and problem.params["files"] == "readme.md"


@pytest.mark.parametrize("evil", ["../evil.shp", "/abs/evil.shp", "C:/windows/evil.shp", "a/../../evil.shp", "..\\evil.shp"])
def test_zip_unsafe_paths(tmp_path, evil):
    members = _shapefile_members(tmp_path, "plant", _gdf())
    members[evil] = b"x"
    problem = _rejected(_zip(members), "evil.zip")
    assert problem.key == "zip_unsafe_path" and problem.params["name"] == evil
    assert not (tmp_path / "evil.shp").exists() and not Path("/abs/evil.shp").exists()


def test_zip_bomb_by_ratio_and_by_stream(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "ZIP_RATIO_MIN_BYTES", 1024 * 1024)
    members = _shapefile_members(tmp_path, "plant", _gdf())
    members["plant.dbf"] = members["plant.dbf"] + b" " * (8 * 1024 * 1024)  # 8 MB of padding: ratio ≫ 100
    problem = _rejected(_zip(members), "bomb.zip")
    assert problem.key == "zip_bomb"

    # a member whose central directory understates its size: extraction stops at the declared size
    monkeypatch.setattr(files, "ZIP_MAX_TOTAL_BYTES", 4 * 1024 * 1024)
    good = _shapefile_members(tmp_path, "land", _gdf())
    good["land.dbf"] = good["land.dbf"] + b"\x00" * (3 * 1024 * 1024)
    data = bytearray(_zip(good))
    offset = data.find(b"PK\x01\x02")
    while offset >= 0:  # rewrite every central-directory "uncompressed size" to 100 bytes
        data[offset + 24:offset + 28] = (100).to_bytes(4, "little")
        offset = data.find(b"PK\x01\x02", offset + 4)
    problem = _rejected(bytes(data), "liar.zip")
    # zipfile stops at the declared 100 bytes, and the CRC then fails: nothing larger reaches the disk
    assert problem.key == "broken_zip" and "CRC" in problem.params["reason"]


# --- legacy .xls and OpenDocument .ods (python-calamine) ------------------------------------------------


def _xls(hidden_sheet: bool = True) -> bytes:
    """An .xls as WPS or Excel 2003 save it (written with xlwt): a title, an empty row, the header on row 4."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("厂房")
    sheet.write(0, 0, "浏河镇标准厂房信息表（2026年11月）")
    for j, header in enumerate(["载体编号", "载体名称", "建筑面积(㎡)", "核实日期", "层数"]):
        sheet.write(3, j, header)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for i in range(3):
        sheet.write(4 + i, 0, f"LH-P00{i + 1}")
        sheet.write(4 + i, 1, NAMES[i])
        sheet.write(4 + i, 2, [1200.5, 3.5, 800.0][i])
        sheet.write(4 + i, 3, dt.date(2026, 7, 6 + i), date_style)
        sheet.write(4 + i, 4, 2)
    if hidden_sheet:
        hidden = book.add_sheet("旧数据")
        hidden.write(0, 0, "不要读")
        hidden.visibility = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_legacy_xls_is_read_with_row_numbers_dates_and_visible_sheets_only():
    data = _xls()
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the real OLE2 container, not an xlsx renamed
    (table,), notes = read_tables(data, "浏河厂房.xls")
    assert notes == [] and table.sheet == "厂房" and table.header_row == 4 and table.row_numbers == [5, 6, 7]
    assert list(table.frame.columns) == ["载体编号", "载体名称", "建筑面积(㎡)", "核实日期", "层数"]
    assert table.frame["载体名称"].tolist() == NAMES and table.frame["建筑面积(㎡)"].tolist() == [1200.5, 3.5, 800.0]
    assert table.frame["核实日期"].tolist()[0] in (dt.date(2026, 7, 6), dt.datetime(2026, 7, 6))
    # an .xls that someone renamed .xlsx is read all the same
    (renamed,), _ = read_tables(data, "浏河厂房.xlsx")
    assert renamed.frame["载体编号"].tolist() == ["LH-P001", "LH-P002", "LH-P003"]


def test_ods_is_read_like_a_workbook():
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="odf") as writer:
        pd.DataFrame({"编号": ["TC-001", "TC-002"], "名称": NAMES[:2], "面积": [1200.5, 3.5],
                      "核实日期": [dt.date(2026, 7, 6), dt.date(2026, 7, 7)]}).to_excel(writer, sheet_name="载体", startrow=2, index=False)
        writer.sheets["载体"]  # noqa: B018 - the sheet exists
    (table,), _ = read_tables(buffer.getvalue(), "载体.ods")
    assert table.sheet == "载体" and table.header_row == 3 and table.row_numbers == [4, 5]
    assert table.frame["编号"].tolist() == ["TC-001", "TC-002"] and table.frame["面积"].tolist() == [1200.5, 3.5]
    assert table.frame["核实日期"].tolist()[1] in (dt.date(2026, 7, 7), dt.datetime(2026, 7, 7))
    assert _rejected(b"PK\x03\x04 broken", "broken.ods").key in ("broken_excel", "wrong_content")


def test_a_workbook_read_by_calamine_keeps_the_row_limit_as_its_own_message(monkeypatch):
    """The cell budget and row limit apply to .ods/.xls as to .xlsx, and say so (not "broken workbook")."""
    from heatmap.ingest import files

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="odf") as writer:
        pd.DataFrame({"编号": [f"TC-{i:03d}" for i in range(40)], "面积": range(40)}).to_excel(writer, index=False)
    monkeypatch.setattr(files, "MAX_ROWS", 5)
    assert _rejected(buffer.getvalue(), "载体.ods").key == "too_many_rows"
