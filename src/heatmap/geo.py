"""Coordinates and geometry of Taicang: the outline, the land, the Chinese map datums.

Everything stored is WGS-84 (EPSG:4326, which CGCS2000 matches to under a metre). Conversions to and
from other datums live here and nowhere else.
"""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import Polygon, shape

from heatmap import config

OUTLINE_FILE = "taicang_outline_wgs84.geojson"
OUTLINE_ATTRIBUTION = "Boundary: Vonng/adcode (CC BY 4.0), from Amap data 2016"

# "Near Taicang" for validation: the outline grown by about 2 km (0.02° ≈ 1.9 km east-west here).
NEAR_TAICANG_DEGREES = 0.02

# The outline runs through the middle of the Yangtze. This line approximates the south bank, drawn by
# the team from the port (七丫口, on the bank) and the mouth of the Liuhe; it separates land from water
# for the offline basemap and keeps sample sites out of the river. It is not survey data.
APPROX_YANGTZE_BANK = ((121.080, 31.740), (121.160, 31.695), (121.235, 31.622), (121.300, 31.545), (121.325, 31.500))

CENTER = (31.53, 121.15)  # lat, lon: the middle of the city's land, for the initial map view


def _read_geojson(name: str) -> dict:
    return json.loads((config.geo_dir() / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def outline() -> shapely.Geometry:
    """The administrative outline of Taicang (adcode 320585), Yangtze water area included."""
    return shape(_read_geojson(OUTLINE_FILE)["features"][0]["geometry"])


@lru_cache(maxsize=1)
def _near_region() -> shapely.Geometry:
    region = outline().buffer(NEAR_TAICANG_DEGREES)
    shapely.prepare(region)
    return region


def near_taicang(geom: shapely.Geometry) -> bool:
    """True when the geometry lies inside Taicang or within about 2 km of its outline."""
    return bool(_near_region().contains(geom))


def near_taicang_many(geoms) -> np.ndarray:
    return shapely.contains(_near_region(), np.asarray(geoms, dtype=object))


@lru_cache(maxsize=1)
def river() -> shapely.Geometry:
    """The Yangtze water inside the outline (approximate, see APPROX_YANGTZE_BANK)."""
    beyond = Polygon(list(APPROX_YANGTZE_BANK) + [(121.6, 31.45), (121.6, 31.95), (121.0, 31.95)])
    return outline().intersection(beyond)


@lru_cache(maxsize=1)
def land() -> shapely.Geometry:
    """Taicang's land: the outline without the river (approximate bank)."""
    region = outline().difference(river())
    shapely.prepare(region)
    return region


def on_land_many(geoms) -> np.ndarray:
    return shapely.contains(land(), np.asarray(geoms, dtype=object))


def town_points() -> list[dict]:
    """The seats of towns, sub-districts and zones shipped in data/geo (WGS-84)."""
    return [
        {**f["properties"], "geometry": shape(f["geometry"])}
        for f in _read_geojson("taicang_town_points_wgs84.geojson")["features"]
    ]


def approximate_district_cells() -> dict[str, shapely.Geometry]:
    """Voronoi cells of the township seats: NOT real boundaries, only placeholders labelled as such."""
    data = _read_geojson("taicang_districts_approximate_SYNTHETIC_wgs84.geojson")
    return {f["properties"]["name"]: shape(f["geometry"]) for f in data["features"]}


# --- GCJ-02 (the datum of AMap/Gaode and Tencent tiles) -------------------------------------------
# The published forward transform; the inverse is found by fixed-point iteration (error < 1e-7°).
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def _in_china(lon, lat):
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _d_lat(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    r += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return r


def _d_lon(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    r += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon, lat):
    """WGS-84 → GCJ-02 for scalars or arrays; points outside China are returned unchanged."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    d_lat = _d_lat(lon - 105.0, lat - 35.0)
    d_lon = _d_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * np.pi
    magic = 1 - _GCJ_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, lon + d_lon, lon), np.where(inside, lat + d_lat, lat)


def gcj02_to_wgs84(lon, lat, iterations: int = 8):
    """GCJ-02 → WGS-84 by iterating the forward transform (converges to < 1e-7° in a few steps)."""
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(iterations):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        w_lon = w_lon - (f_lon - g_lon)
        w_lat = w_lat - (f_lat - g_lat)
    return w_lon, w_lat


def _apply(geoms, fn):
    def coords_fn(xy):
        x, y = fn(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, coords_fn)


def to_gcj02(geoms):
    """Shift WGS-84 geometries (one or an array) onto GCJ-02, for drawing over AMap tiles."""
    return _apply(geoms, wgs84_to_gcj02)


def from_gcj02(geoms):
    """Shift GCJ-02 geometries (data copied from AMap) back to WGS-84."""
    return _apply(geoms, gcj02_to_wgs84)
