"""heatmap.ingest.crs: declared, recognised and GCJ-02 coordinates all end in WGS-84 near Taicang."""
from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import pytest
import shapely

from heatmap import geo, i18n
from heatmap.ingest import crs as crs_mod
from heatmap.ingest.crs import looks_swapped, points_from_xy, to_wgs84
from heatmap.ingest.files import read_tables
from heatmap.ingest.problems import FileRejected

# WGS-84 points spread over Taicang's land (lon, lat)
LON = np.array([121.15, 121.10, 121.20, 121.02, 121.25])
LAT = np.array([31.53, 31.45, 31.60, 31.50, 31.55])


def _project(epsg: int):
    return pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(LON, LAT)


def _xy(geoms):
    return np.array([[g.x, g.y] for g in geoms])


def _note_text(decision):
    note = decision.note
    assert note is not None and note.severity in ("info", "warning")
    assert i18n.has(f"ingest.{note.key}")
    return i18n.t(f"ingest.{note.key}", "en", **note.params)


def test_gauss_kruger_cm120_recognised_by_range():
    east, north = _project(4549)
    assert east.min() > 540_000 and north.min() > 3_480_000  # metres, no zone number
    out, decision = to_wgs84(points_from_xy(east, north), None, gcj02=False, file="plots.csv")
    assert decision.source == "gauss_kruger_cm120" and decision.crs.to_epsg() == 4549
    assert decision.note.key == "crs_recognised"
    assert decision.note.params == {"crs": "CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549)"}
    assert decision.note.file == "plots.csv"
    assert "EPSG:4549" in _note_text(decision)
    np.testing.assert_allclose(_xy(out), np.column_stack([LON, LAT]), atol=1e-7)
    assert geo.near_taicang_many(out).all()


def test_gauss_kruger_with_zone_number_recognised():
    east, north = _project(4528)
    assert (east > 40_000_000).all()
    out, decision = to_wgs84(points_from_xy(east, north), None, gcj02=False, file="f")
    assert decision.source == "gauss_kruger_cm120_zone" and decision.crs.to_epsg() == 4528
    np.testing.assert_allclose(_xy(out), np.column_stack([LON, LAT]), atol=1e-7)
    # the centre of the map lands where it should
    centre_e, centre_n = pyproj.Transformer.from_crs(4326, 4528, always_xy=True).transform(geo.CENTER[1], geo.CENTER[0])
    (centre,), _ = to_wgs84(points_from_xy([centre_e], [centre_n]), None, gcj02=False, file="f")
    assert centre.distance(shapely.Point(geo.CENTER[1], geo.CENTER[0])) < 1e-7


def test_polygons_and_missing_geometries_keep_their_places():
    east, north = _project(4549)
    square = shapely.box(east[0], north[0], east[0] + 100, north[0] + 100)
    out, decision = to_wgs84([square, None, shapely.Point(east[1], north[1])], None, gcj02=False, file="f")
    assert decision.source == "gauss_kruger_cm120"
    assert out[1] is None
    assert out[0].geom_type == "Polygon" and geo.near_taicang(out[0])
    assert out[0].area == pytest.approx(100 * 100 / (111_320 ** 2 * np.cos(np.radians(31.53))), rel=0.02)


def test_degrees_assumed_and_gcj02_removed():
    gcj_lon, gcj_lat = geo.wgs84_to_gcj02(LON, LAT)
    assert np.abs(gcj_lon - LON).max() > 0.003  # the offset is several hundred metres
    points = points_from_xy(gcj_lon, gcj_lat)

    out, decision = to_wgs84(points, None, gcj02=True, file="amap.csv")
    assert decision.source == "gcj02" and decision.note.key == "gcj02_converted"
    np.testing.assert_allclose(_xy(out), np.column_stack([LON, LAT]), atol=1e-6)

    out, decision = to_wgs84(points, None, gcj02=False, file="amap.csv")
    assert decision.source == "assumed_wgs84" and decision.crs.to_epsg() == 4326
    assert decision.note.key == "crs_assumed_wgs84"
    np.testing.assert_allclose(_xy(out), np.column_stack([gcj_lon, gcj_lat]))  # unchanged


def test_gcj02_is_not_applied_to_metres():
    east, north = _project(4549)
    out, decision = to_wgs84(points_from_xy(east, north), None, gcj02=True, file="f")
    assert decision.source == "gauss_kruger_cm120" and decision.note.key == "gcj02_not_applied"
    np.testing.assert_allclose(_xy(out), np.column_stack([LON, LAT]), atol=1e-7)


def test_geopackage_in_web_mercator_is_transformed(tmp_path):
    x, y = _project(3857)
    path = tmp_path / "mercator.gpkg"
    gdf = gpd.GeoDataFrame({"name": list("abcde")}, geometry=gpd.points_from_xy(x, y), crs=3857)
    pyogrio.write_dataframe(gdf, path)
    (table,), _ = read_tables(path.read_bytes(), path.name)
    assert table.crs.to_epsg() == 3857
    out, decision = to_wgs84(table.geometry, table.crs, gcj02=False, file=table.file)
    assert decision.source == "file" and decision.note.key == "crs_transformed"
    assert "EPSG:3857" in decision.note.params["crs"]
    np.testing.assert_allclose(_xy(out), np.column_stack([LON, LAT]), atol=1e-7)


def test_zipped_shapefile_with_prj_in_cgcs2000_gk(tmp_path):
    east, north = _project(4549)
    gdf = gpd.GeoDataFrame({"名称": list("甲乙丙丁戊")}, geometry=gpd.points_from_xy(east, north), crs=4549)
    pyogrio.write_dataframe(gdf, tmp_path / "plots.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for part in tmp_path.glob("plots.*"):
            zf.write(part, part.name)
    (table,), _ = read_tables(buffer.getvalue(), "plots.zip")
    out, decision = to_wgs84(table.geometry, table.crs, gcj02=False, file=table.file)
    assert decision.source == "file" and decision.crs.to_epsg() == 4549
    np.testing.assert_allclose(_xy(out), np.column_stack([LON, LAT]), atol=1e-7)


def test_geojson_without_crs_in_metres_is_recognised(tmp_path):
    """GDAL reads a GeoJSON without "crs" as EPSG:4326 even when its numbers are metres."""
    east, north = _project(4549)
    features = ",".join(
        f'{{"type":"Feature","properties":{{"n":{i}}},"geometry":{{"type":"Point","coordinates":[{e},{n}]}}}}'
        for i, (e, n) in enumerate(zip(east, north))
    )
    data = f'{{"type":"FeatureCollection","features":[{features}]}}'.encode()
    (table,), _ = read_tables(data, "plots.geojson")
    assert table.crs.to_epsg() == 4326
    out, decision = to_wgs84(table.geometry, table.crs, gcj02=False, file=table.file)
    assert decision.source == "gauss_kruger_cm120" and decision.note.key == "crs_file_contradicted"
    np.testing.assert_allclose(_xy(out), np.column_stack([LON, LAT]), atol=1e-7)


def test_declared_wgs84_passes_through_and_drops_z():
    points = [shapely.Point(lon, lat, 12.0) for lon, lat in zip(LON, LAT)]
    out, decision = to_wgs84(points, pyproj.CRS.from_epsg(4490), gcj02=False, file="f")
    assert decision.source == "file" and decision.note is None
    assert not shapely.has_z(out).any()
    np.testing.assert_allclose(_xy(out), np.column_stack([LON, LAT]))


def test_unknown_range_is_rejected():
    with pytest.raises(FileRejected) as info:
        to_wgs84(points_from_xy([250_000.0, 251_000.0], [1_000.0, 2_000.0]), None, gcj02=False, file="odd.csv")
    problem = info.value.problem
    assert problem.key == "crs_unknown" and problem.file == "odd.csv"
    assert problem.params["sample"] == "(250000.0, 1000.0); (251000.0, 2000.0)"
    assert "250000.0" in i18n.t("ingest.crs_unknown", "zh", **problem.params)


def test_swapped_latitude_and_longitude():
    east, north = _project(4549)
    x = np.array([31.53, 121.15, np.nan, north[0], east[0], 0.0])
    y = np.array([121.15, 31.53, 31.5, east[0], north[0], 0.0])
    assert looks_swapped(x, y).tolist() == [True, False, False, True, False, False]


def test_points_from_xy_marks_missing():
    points = points_from_xy([121.1, np.nan, 121.2], [31.5, 31.6, None])
    assert points[0].equals(shapely.Point(121.1, 31.5))
    assert points[1] is None and points[2] is None


def test_ranges_come_from_taicang_bounds():
    r = crs_mod.ranges()
    west, south, east, north = geo.outline().bounds
    e, n = pyproj.Transformer.from_crs(4326, 4549, always_xy=True).transform((west + east) / 2, (south + north) / 2)
    assert r.gk[0] < e < r.gk[1] and r.gk[2] < n < r.gk[3]
    assert r.gk_zone[0] - r.gk[0] == pytest.approx(40_000_000)
    # ±50 km around the city: a point 60 km east is not Taicang
    assert not (r.gk[0] < e + 150_000 < r.gk[1])
