"""Coordinates to WGS-84: from the CRS the file declares, or recognised by the coordinates' range.

Taicang data arrives in three shapes:
- degrees (WGS-84 or CGCS2000, which agree to under a metre here; or GCJ-02 when copied from AMap,
  which only the user can tell us: `gcj02=True`);
- CGCS2000 3-degree Gauss-Krüger, central meridian 120°E (EPSG:4549), eastings of a few hundred
  kilometres and northings around 3.5 million metres;
- the same with the zone number 40 in front of the easting (EPSG:4528, false easting 40 500 000).

Without a declared CRS the range of the numbers decides; the ranges are Taicang's bounding box grown
by `RECOGNITION_MARGIN_M`, projected with pyproj (not typed in by hand). Everything is vectorised.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyproj
import shapely

from heatmap import geo
from heatmap.ingest.problems import FileRejected, UploadProblem

WGS84 = pyproj.CRS.from_epsg(4326)
CGCS2000 = pyproj.CRS.from_epsg(4490)
GK_CM120 = pyproj.CRS.from_epsg(4549)  # CGCS2000 / 3-degree Gauss-Kruger CM 120E
GK_ZONE40 = pyproj.CRS.from_epsg(4528)  # CGCS2000 / 3-degree Gauss-Kruger zone 40 (easting with "40" in front)

RECOGNITION_MARGIN_M = 50_000  # Taicang's bounds grown by this much count as "Taicang" when recognising metres
SWAP_MARGIN_DEGREES = 0.5  # about 50 km: how near Taicang a swapped pair must land to count as swapped

_DEGREE_DATUMS = ("World Geodetic System 1984", "China 2000")


@dataclass(frozen=True)
class CrsDecision:
    source: str  # "file" | "assumed_wgs84" | "gauss_kruger_cm120" | "gauss_kruger_cm120_zone" | "gcj02"
    crs: pyproj.CRS  # the CRS the input was taken to be in
    note: UploadProblem | None  # a warning for the report, or None


def crs_label(crs: pyproj.CRS) -> str:
    """'CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549)' — the name and, when known, the EPSG code."""
    try:
        code = crs.to_epsg(min_confidence=70)
    except pyproj.exceptions.CRSError:  # pragma: no cover - defensive
        code = None
    return f"{crs.name} (EPSG:{code})" if code else crs.name


def is_degrees(crs: pyproj.CRS) -> bool:
    """True for geographic WGS-84 and CGCS2000 (EPSG:4326, 4490, CRS84, 3-D variants): no transformation needed."""
    if not crs.is_geographic:
        return False
    datum = crs.datum.name if crs.datum is not None else ""
    return any(name in datum for name in _DEGREE_DATUMS)


@dataclass(frozen=True)
class _Ranges:
    degrees_box: tuple[float, float, float, float]  # Taicang's bounds ± SWAP_MARGIN_DEGREES
    gk: tuple[float, float, float, float]  # EPSG:4549 easting min/max, northing min/max
    gk_zone: tuple[float, float, float, float]  # EPSG:4528


@lru_cache(maxsize=1)
def ranges() -> _Ranges:
    """The coordinate ranges that mean "Taicang" in each recognised CRS (computed once with pyproj)."""
    west, south, east, north = geo.outline().bounds
    to_gk = pyproj.Transformer.from_crs(WGS84, GK_CM120, always_xy=True)
    e_min, n_min, e_max, n_max = to_gk.transform_bounds(west, south, east, north, densify_pts=21)
    m = RECOGNITION_MARGIN_M
    gk = (e_min - m, e_max + m, n_min - m, n_max + m)
    zone_offset = _false_easting(GK_ZONE40) - _false_easting(GK_CM120)  # 40 000 000
    gk_zone = (gk[0] + zone_offset, gk[1] + zone_offset, gk[2], gk[3])
    d = SWAP_MARGIN_DEGREES
    return _Ranges((west - d, east + d, south - d, north + d), gk, gk_zone)


def _false_easting(crs: pyproj.CRS) -> float:
    return next(p.value for p in crs.coordinate_operation.params if p.name == "False easting")


def _in(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (x >= box[0]) & (x <= box[1]) & (y >= box[2]) & (y <= box[3])


def _near_any(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = ranges()
    return _in(x, y, r.degrees_box) | _in(x, y, r.gk) | _in(x, y, r.gk_zone)


def points_from_xy(x, y) -> np.ndarray:
    """Shapely points from two arrays of numbers; None where x or y is missing (NaN/None)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    points = np.asarray(shapely.points(x, y), dtype=object).reshape(x.shape)
    points[np.isnan(x) | np.isnan(y)] = None
    return points


def looks_swapped(x, y) -> np.ndarray:
    """True where (x, y) is not near Taicang but (y, x) is: latitude written in the longitude column
    (or northing in the easting column). NaN gives False."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return ~_near_any(x, y) & _near_any(y, x)


def outside_degrees(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Where a longitude/latitude pair is plainly wrong: (longitude outside -180..180, latitude outside -90..90),
    except pairs that are Gauss-Krüger metres around Taicang (columns headed 经度/纬度 sometimes hold them;
    the range test then recognises them). NaN gives False."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    r = ranges()
    metres = _in(x, y, r.gk) | _in(x, y, r.gk_zone)
    with np.errstate(invalid="ignore"):
        return (np.abs(x) > 180) & ~metres, (np.abs(y) > 90) & ~metres


# classes of a coordinate, by range
_UNKNOWN, _DEGREES, _GK, _GK_ZONE = 0, 1, 2, 3


def _classify(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = ranges()
    cls = np.full(x.shape, _UNKNOWN, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        cls[(np.abs(x) <= 180) & (np.abs(y) <= 90)] = _DEGREES
    cls[_in(x, y, r.gk)] = _GK
    cls[_in(x, y, r.gk_zone)] = _GK_ZONE
    return cls


def _centres(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bounds = shapely.bounds(geoms)  # NaN for None / empty
    return (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2


def _recognise(geoms: np.ndarray, file: str) -> int:
    """The class most geometries fall in; FileRejected("crs_unknown") when most fall in none."""
    x, y = _centres(geoms)
    valid = ~(np.isnan(x) | np.isnan(y))
    cls = _classify(x[valid], y[valid])
    counts = np.bincount(cls, minlength=4)
    best = int(np.argmax(counts[1:]) + 1)
    if counts[best] == 0 or counts[best] < counts[_UNKNOWN]:
        idx = np.flatnonzero(cls == _UNKNOWN)[:3]
        sample = "; ".join(f"({_fmt(x[valid][i])}, {_fmt(y[valid][i])})" for i in idx)
        raise FileRejected(UploadProblem(file=file, key="crs_unknown", params={"sample": sample}))
    return best


def _fmt(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:.1f}"


def shown_number(v: float) -> str:
    """A coordinate as a message shows it: up to 6 decimals, and absurd magnitudes short (1e+308)."""
    return _fmt(v) if abs(v) < 1e9 else f"{v:.6g}"


def _transform(geoms: np.ndarray, source: pyproj.CRS) -> np.ndarray:
    transformer = pyproj.Transformer.from_crs(source, WGS84, always_xy=True)

    def fn(xy: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return np.asarray(shapely.transform(geoms, fn), dtype=object)


_RECOGNISED = {_GK: ("gauss_kruger_cm120", GK_CM120), _GK_ZONE: ("gauss_kruger_cm120_zone", GK_ZONE40)}


def to_wgs84(geoms, file_crs: pyproj.CRS | None, *, gcj02: bool, file: str) -> tuple[np.ndarray, CrsDecision]:
    """Geometries (array-like of shapely geometries, None allowed) -> 2-D shapely array in EPSG:4326.

    - A declared projected CRS (or a geographic one other than WGS-84/CGCS2000) is transformed.
    - A declared geographic CRS whose numbers are plainly metres (GeoJSON without a "crs" member is
      read as EPSG:4326 by GDAL) is overruled by the range test, with a note.
    - No CRS: recognised by range (degrees / GK CM 120E / GK zone 40), with a note; raises
      FileRejected("crs_unknown") when the numbers fit none.
    - gcj02=True shifts degree coordinates from GCJ-02 to WGS-84 (not applied to metres; a note says so).
    """
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    present = ~shapely.is_missing(arr) & ~shapely.is_empty(arr)

    def note(key: str, **params) -> UploadProblem:
        # what was assumed or done is information; a contradiction or a request not carried out is a warning
        severity = "warning" if key in ("crs_file_contradicted", "gcj02_not_applied") else "info"
        return UploadProblem(file=file, key=key, params=params, severity=severity)

    if not present.any():
        return arr, CrsDecision("file" if file_crs is not None else "assumed_wgs84", file_crs or WGS84, None)

    degrees = False
    if file_crs is not None:
        if file_crs.is_geographic:
            cls = _recognise(arr, file) if _mostly_outside_degrees(arr) else _DEGREES
            if cls in _RECOGNISED:
                source, crs = _RECOGNISED[cls]
                out = _transform(arr, crs)
                decision = CrsDecision(source, crs, note("crs_file_contradicted", file_crs=crs_label(file_crs), crs=crs_label(crs)))
            elif is_degrees(file_crs):
                out, degrees = shapely.force_2d(arr), True
                decision = CrsDecision("file", file_crs, None)
            else:
                out, degrees = _transform(arr, file_crs), True
                decision = CrsDecision("file", file_crs, note("crs_transformed", crs=crs_label(file_crs)))
        else:
            out = _transform(arr, file_crs)
            decision = CrsDecision("file", file_crs, note("crs_transformed", crs=crs_label(file_crs)))
    else:
        cls = _recognise(arr, file)
        if cls == _DEGREES:
            out, degrees = shapely.force_2d(arr), True
            decision = CrsDecision("assumed_wgs84", WGS84, None if gcj02 else note("crs_assumed_wgs84"))
        else:
            source, crs = _RECOGNISED[cls]
            out = _transform(arr, crs)
            decision = CrsDecision(source, crs, note("crs_recognised", crs=crs_label(crs)))

    if gcj02:
        if degrees:
            out = np.asarray(geo.from_gcj02(out), dtype=object)
            decision = CrsDecision("gcj02", decision.crs, note("gcj02_converted"))
        else:
            decision = CrsDecision(decision.source, decision.crs, note("gcj02_not_applied", crs=crs_label(decision.crs)))
    return np.asarray(out, dtype=object), decision


def _mostly_outside_degrees(arr: np.ndarray) -> bool:
    x, y = _centres(arr)
    valid = ~(np.isnan(x) | np.isnan(y))
    inside = (np.abs(x[valid]) <= 180) & (np.abs(y[valid]) <= 90)
    return inside.sum() * 2 < valid.sum()
