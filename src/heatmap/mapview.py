"""The heat map as a folium Map: basemaps, carrier layers, project layers, two heat layers, district
figures and a legend. Knows nothing of Streamlit.

Keeping the page light at every size:
- geometries are simplified and rounded to about a metre before they are sent;
- past `DETAIL_LIMIT` carriers the sites are drawn as H3 hexagons with their figures, not one by one;
- heat points are summed into ~200 m bins, so a heat layer never carries more points than bins;
- the Leaflet canvas renderer draws thousands of shapes without thousands of DOM nodes.
Every text that comes from data is HTML-escaped before it reaches a tooltip or the legend.
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import folium
import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.plugins import HeatMap
from jinja2 import Template

from heatmap import assets, config, display, geo, i18n
from heatmap.filters import carrier_price, price_negotiable, vacancy_percent
from heatmap.model import M2_PER_MU, STAGE_GROUP, CarrierKind, Stage
from heatmap.summary import investment_cny_wan

DETAIL_LIMIT = 4000  # carriers drawn one by one; above this they are aggregated into hexagons
HEX_RESOLUTION = 8  # H3 cells of about 0.74 km² (edge ≈ 460 m)
HEAT_BIN_DEGREES = 0.002  # ≈ 200 m
COORD_DECIMALS = 5  # ≈ 1 m
SIMPLIFY_DEGREES = 0.00003  # ≈ 3 m
MAP_HEIGHT = 640

STATUS_COLORS = {
    "available": "#1a9850", "partial": "#a6d96a", "reserved": "#fdae61", "occupied": "#9e9e9e", "planned": "#b3a2c7",
}
KIND_COLORS = {"land": "#8c510a", "plant": "#08519c", "office": "#6a3d9a", "other": "#01665e"}
STAGE_GROUP_COLORS = {"negotiating": "#fd8d3c", "signed": "#e31a1c", "settled": "#800026"}
NO_GROUP_COLOR = "#969696"  # on hold and dropped projects: in no reporting group
PIPELINE_GRADIENT = {0.2: "#ffffb2", 0.4: "#fecc5c", 0.6: "#fd8d3c", 0.8: "#f03b20", 1.0: "#bd0026"}
SUPPLY_GRADIENT = {0.2: "#edf8fb", 0.4: "#b3cde3", 0.6: "#8c96c6", 0.8: "#8856a7", 1.0: "#810f7c"}
HEX_COLORS = ("#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c")  # by vacant space, low to high
CHOROPLETH_COLORS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")  # districts by a report figure, low to high
LAND_FILL, RIVER_FILL, BACKGROUND = "#f4f1ea", "#b9d3ea", "#dfe6ec"


# --- basemaps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Basemap:
    key: str  # offline | osm | tianditu | amap | custom
    tiles: tuple[tuple[str, str, str], ...] = ()  # (url template, attribution, subdomains)
    gcj02: bool = False  # tiles drawn in GCJ-02: every WGS-84 geometry must be shifted onto them
    max_zoom: int = 18


OFFLINE = Basemap("offline")
OSM = Basemap("osm", (("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors", "abc"),), max_zoom=19)
AMAP = Basemap(
    "amap",
    (("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
      "© 高德地图 AutoNavi", "1234"),),
    gcj02=True,
)


def _tianditu(key: str) -> Basemap:
    base = "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}" \
           "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
    attribution = "© 天地图 Tianditu"
    return Basemap("tianditu", tuple(
        (base.format(s="{s}", layer=layer, key=key), attribution, "01234567") for layer in ("vec", "cva")
    ))


def available_basemaps(env: Mapping[str, str] | None = None) -> dict[str, Basemap]:
    """The basemaps this deployment offers: offline always; Tianditu with a key; any tile URL configured.

    HEATMAP_TIANDITU_KEY: a Tianditu key. HEATMAP_TILE_URL (+ HEATMAP_TILE_ATTRIBUTION): an intranet or
    other tile server in WGS-84/Web Mercator, e.g. http://tiles.gov.local/{z}/{x}/{y}.png.
    """
    env = config.settings() if env is None else env
    out = {"offline": OFFLINE, "osm": OSM}
    if env.get("HEATMAP_TIANDITU_KEY"):
        out["tianditu"] = _tianditu(env["HEATMAP_TIANDITU_KEY"])
    out["amap"] = AMAP
    if env.get("HEATMAP_TILE_URL"):
        out["custom"] = Basemap("custom", ((env["HEATMAP_TILE_URL"], env.get("HEATMAP_TILE_ATTRIBUTION", ""), ""),))
    return out


def default_basemap(env: Mapping[str, str] | None = None) -> str:
    """HEATMAP_BASEMAP if it names an available one; else the configured tile server; else offline."""
    env = config.settings() if env is None else env
    available = available_basemaps(env)
    wanted = env.get("HEATMAP_BASEMAP", "")
    if wanted in available:
        return wanted
    return "custom" if "custom" in available else "offline"


# --- geometry for display ----------------------------------------------------------------------------


def display_geometries(geoms, gcj02: bool = False) -> np.ndarray:
    """Simplified (≈3 m), rounded (≈1 m) and, for GCJ-02 tiles, shifted geometries."""
    geoms = np.asarray(geoms, dtype=object)
    if gcj02:
        geoms = geo.to_gcj02(geoms)
    geoms = shapely.simplify(geoms, SIMPLIFY_DEGREES, preserve_topology=True)
    return shapely.set_precision(geoms, 10 ** -COORD_DECIMALS)


def display_points(lon, lat, gcj02: bool = False) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if gcj02:
        lon, lat = geo.wgs84_to_gcj02(lon, lat)
    return np.round(lon, COORD_DECIMALS), np.round(lat, COORD_DECIMALS)


def feature_collection(geoms, properties: list[dict]) -> dict:
    """A GeoJSON FeatureCollection (ids are positions, so styles can refer to them)."""
    geometries = [json.loads(g) for g in shapely.to_geojson(np.asarray(geoms, dtype=object))]
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": i, "geometry": g, "properties": p} for i, (g, p) in enumerate(zip(geometries, properties))
        ],
    }


# --- heat --------------------------------------------------------------------------------------------


def heat_points(lon, lat, weight, gcj02: bool = False, bin_degrees: float = HEAT_BIN_DEGREES) -> list[list[float]]:
    """[lat, lon, intensity] per ~200 m bin: weights summed per bin, scaled so the 95th percentile is 1."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    weight = np.nan_to_num(np.asarray(weight, float), nan=0.0)
    keep = np.isfinite(lon) & np.isfinite(lat) & (weight > 0)
    if not keep.any():
        return []
    lon, lat, weight = lon[keep], lat[keep], weight[keep]
    if gcj02:
        lon, lat = geo.wgs84_to_gcj02(lon, lat)
    bins = pd.DataFrame({"x": np.round(lon / bin_degrees), "y": np.round(lat / bin_degrees), "w": weight})
    summed = bins.groupby(["x", "y"], sort=True)["w"].sum()
    scale = float(np.quantile(summed.to_numpy(), 0.95)) or float(summed.max())
    intensity = np.clip(summed.to_numpy() / scale, 0.05, 1.0)
    ys = summed.index.get_level_values("y").to_numpy() * bin_degrees
    xs = summed.index.get_level_values("x").to_numpy() * bin_degrees
    return [[round(y, COORD_DECIMALS), round(x, COORD_DECIMALS), round(float(w), 3)] for y, x, w in zip(ys, xs, intensity)]


def pipeline_weights(projects: pd.DataFrame) -> pd.Series:
    """A project's weight in the pipeline heat: its investment in 万元 CNY (none once it is dropped)."""
    weights = investment_cny_wan(projects)
    return weights.where(projects["stage"] != Stage.DROPPED.value, 0.0) if "stage" in projects else weights


def supply_weights(carriers: pd.DataFrame) -> pd.Series:
    """A carrier's weight in the supply heat: its vacant area in m²."""
    return carriers["vacant_m2"].fillna(0.0)


# --- tooltips ----------------------------------------------------------------------------------------


def _e(value: Any) -> str:
    """Data as text, never as markup."""
    return html.escape("" if value is None else str(value), quote=True)


def _line(label: str, value: str) -> str:
    return f"{_e(label)}: {_e(value)}"


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def point_radius(area_m2) -> np.ndarray:
    """Circle radius in pixels: grows with the square root of the area, 4 to 14 px."""
    return np.clip(3 + np.sqrt(np.nan_to_num(np.asarray(area_m2, float))) / 25, 4, 14).round(1)


# --- sites and projects, drawn in the browser from compact rows -----------------------------------


class _CompactLayer(MacroElement):
    """Sites or projects as compact rows (a few dozen bytes each, instead of a GeoJSON feature with an
    HTML tooltip). The browser draws them on the canvas and builds each tooltip, escaping every value
    from data; a tooltip starts with the code and a space (codes hold no whitespace), which is how the
    page reads back which one was clicked."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var text = {{ this.text|tojson }}, look = {{ this.look|tojson }}, rows = {{ this.rows|tojson }};
            function esc(v) {
                return String(v === null || v === undefined ? "" : v).replace(/[&<>"']/g, function (c) {
                    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
                });
            }
            function num(v, digits) { return Number(v).toLocaleString("en-US", {maximumFractionDigits: digits || 0}); }
            function line(label, value) { return esc(label) + ": " + esc(value); }
            function ring(flat) { var out = []; for (var i = 0; i < flat.length; i += 2) out.push([flat[i + 1], flat[i]]); return out; }
            {%- if this.mode == "sites" %}
            // row: code, name, kind, status, district, area m², vacant m², vacancy %, rent or land price (a number, null,
            // or "negotiable" for 面议), verified, radius, geometry
            function price(v, unit) { return v === "negotiable" ? text.negotiable : num(v, 1) + " " + unit; }
            function tip(r) {
                var lines = ["<b>" + esc(r[0]) + "</b> ", "<b>" + esc(r[1]) + "</b>",
                             esc(text.kinds[r[2]] + " · " + text.statuses[r[3]] + " · " + text.districts[r[4]])];
                if (text.kindCodes[r[2]] === "land") {
                    lines.push(line(text.landArea, num(r[5] / text.m2PerMu, 1) + " " + text.mu + " (" + num(r[5]) + " " + text.m2 + ")"));
                    if (r[8] !== null) lines.push(line(text.landPrice, price(r[8], text.priceUnit)));
                } else {
                    lines.push(line(text.floorArea, num(r[5]) + " " + text.m2));
                    lines.push(line(text.vacant, num(r[6]) + " " + text.m2 + (r[7] !== null ? " (" + num(r[7]) + "%)" : "")));
                    if (r[8] !== null) lines.push(line(text.rent, price(r[8], text.rentUnit)));
                }
                lines.push(line(text.verified, r[9]));
                return lines.join("<br>");
            }
            function style(r) {
                return {color: look.kinds[r[2]], weight: 1.5, fillColor: look.statuses[r[3]], fillOpacity: 0.75, radius: r[10]};
            }
            var geometryAt = 11;
            {%- elif this.mode == "projects" %}
            // row: code (a code name where the viewer sees no more), name, investor (both "" then), stage,
            // stage group, district, investment (text), grade, geometry
            function tip(r) {
                var lines = ["<b>" + esc(r[0]) + "</b> "];
                if (r[1]) lines.push("<b>" + esc(r[1]) + "</b>");
                if (r[2]) lines.push(esc(r[2]));
                lines.push(esc(text.stages[r[3]] + " · " + text.districts[r[5]]), line(text.investment, r[6]));
                if (r[7] !== null) lines.push(line(text.grade, r[7]));
                return lines.join("<br>");
            }
            function style(r) {
                return {color: "#ffffff", weight: 1.5, fillColor: look.groups[r[4]], fillOpacity: 0.95, radius: 6};
            }
            var geometryAt = 8;
            {%- else %}
            // row: sites, vacant floor space m², available land m², colour class, geometry
            function tip(r) {
                return [esc(text.sites.replace("{n}", r[0])), line(text.vacantFloor, num(r[1]) + " " + text.m2),
                        line(text.availableLand, num(r[2] / text.m2PerMu, 1) + " " + text.mu), esc(text.zoom)].join("<br>");
            }
            function style(r) {
                return {color: "#31a354", weight: 0.6, fillColor: look.classes[r[3]], fillOpacity: 0.7};
            }
            var geometryAt = 4;
            {%- endif %}
            rows.forEach(function (r) {
                var g = r[geometryAt], options = style(r), shape;
                if (typeof g[0] === "number") {
                    shape = L.circleMarker([g[1], g[0]], options);
                } else {
                    shape = L.polygon(g.map(function (polygon) { return polygon.map(ring); }), options);
                }
                shape.feature = {type: "Feature", properties: {code: r[0]}};
                var html = tip(r);
                shape.bindTooltip(html, {sticky: true});
                shape.bindPopup(html);  // taps on touch screens, where there is no hover
                shape.on("mouseover", function () { this.setStyle({weight: 3}); });
                shape.on("mouseout", function () { this.setStyle({weight: options.weight}); });
                group.addLayer(shape);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, mode: str, rows: list, text: dict, look: dict):
        super().__init__()
        self._name = "CompactLayer"
        self.mode, self.rows, self.text, self.look = mode, rows, text, look


def _geometry_row(geom: shapely.Geometry) -> list:
    """[lon, lat] for a point; else polygons as lists of flat rings [lon, lat, lon, lat, …]."""
    if geom.geom_type == "Point":
        return [geom.x, geom.y]
    polygons = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    return [[np.asarray(r.coords)[:, :2].ravel().tolist() for r in (p.exterior, *p.interiors)] for p in polygons]


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 2)


NEGOTIABLE = "negotiable"  # a site row's price when it is 面议 (the tooltip shows the word in the user's language)


def site_rows(carriers: pd.DataFrame, lang: str, district_index: Mapping[str, int], gcj02: bool = False) -> list[list]:
    """The compact rows `_CompactLayer` draws sites from (data, not markup)."""
    kinds, statuses = [k.value for k in CarrierKind], list(STATUS_COLORS)
    names = display.names_of(carriers, lang)
    price = carrier_price(carriers).astype(object).where(~price_negotiable(carriers), NEGOTIABLE)
    geometries = display_geometries(carriers.geometry.values, gcj02)
    return [
        [code, name, kinds.index(kind), statuses.index(status), district_index.get(district, 0), _number(area),
         _number(vacant) or 0, None if pct != pct else round(float(pct)), p if p == NEGOTIABLE else _number(p),
         i18n.fmt_date(verified, lang),
         float(radius), _geometry_row(geom)]
        for code, name, kind, status, district, area, vacant, pct, p, verified, radius, geom in zip(
            carriers["code"], names, carriers["kind"], carriers["status"], carriers["district"], carriers["area_m2"],
            carriers["vacant_m2"], vacancy_percent(carriers), price, carriers["verified_on"],
            point_radius(carriers["area_m2"]), geometries,
        )
    ]


def key_column(projects: pd.DataFrame) -> str:
    """The column that names a project on the map (its tooltip starts with it; a click reads it back): the
    code where the records are whole, else the code name (a code-name view, `mapdata.as_shown`, has no code)."""
    return "code" if "code" in projects.columns else "code_name"


def project_rows(projects: pd.DataFrame, lang: str, district_index: Mapping[str, int], gcj02: bool = False) -> list[list]:
    """The compact rows `_CompactLayer` draws projects from. Each names its project by the frame's key
    column (`key_column`: the code, or the code name in a code-name view, which has no name and
    no investor either: those fields are then empty)."""
    stages, groups = [s.value for s in Stage], list(STAGE_GROUP_COLORS)
    group_at = {stage: groups.index(group.value) for stage, group in STAGE_GROUP.items()}  # else: NO_GROUP_COLOR, last
    lon, lat = display_points(projects["lon"], projects["lat"], gcj02)

    def column(name: str) -> pd.Series:
        return projects[name] if name in projects.columns else pd.Series(None, index=projects.index, dtype=object)

    return [
        [code, _text(name), _text(investor), stages.index(stage), group_at.get(stage, len(groups)),
         district_index.get(district, 0), i18n.fmt_money_wan(amount, currency, lang), grade if isinstance(grade, str) else None,
         [float(x), float(y)]]
        for code, name, investor, stage, district, amount, currency, grade, x, y in zip(
            projects[key_column(projects)], column("name"), column("investor"), projects["stage"], projects["district"],
            projects["investment_wan"], projects["currency"], column("grade"), lon, lat,
        )
    ]


def _text(value) -> str:
    return value if isinstance(value, str) else ""


# --- the map --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictColours:
    """A figure per district to colour the district areas by (a choropleth): a report figure for a period."""

    title: str  # what the figure is, in the page's language (the legend's heading, the tooltips' label)
    values: Mapping[str, float]  # district code -> value
    money: bool = False  # an amount in 万元 CNY; else a count
    decimals: int = 0  # a number that is no count (points, percentage points) keeps these decimals

    def text(self, value: float, lang: str) -> str:
        if self.money:
            return i18n.fmt_cny_wan(value, lang)
        return i18n.fmt_decimal(value, lang, self.decimals) if self.decimals else i18n.fmt_int(value, lang)


def choropleth_classes(values, k: int = len(CHOROPLETH_COLORS)) -> list[tuple[float, float]]:
    """Classes (low, high) of the values, low to high: one per value when there are at most `k` different
    ones (counts of a few projects), else `k` quantile classes (fewer where quantiles coincide)."""
    finite = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    distinct = np.unique(finite)
    if len(distinct) <= k:
        return [(float(v), float(v)) for v in distinct]
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, k + 1)))
    return [(float(low), float(high)) for low, high in zip(edges[:-1], edges[1:])]


def class_colours(n: int) -> list[str]:
    """`n` colours of the choropleth scale, spread from its lightest to its darkest."""
    if n <= 1:
        return list(CHOROPLETH_COLORS[-2:-1]) * n
    return [CHOROPLETH_COLORS[int(round(i))] for i in np.linspace(0, len(CHOROPLETH_COLORS) - 1, n)]


def class_of(value: float, classes: list[tuple[float, float]]) -> int:
    """The index of the class a value falls in (the first whose upper bound holds it)."""
    return next((i for i, (_, high) in enumerate(classes) if value <= high), len(classes) - 1)


@dataclass
class MapContent:
    """What to draw. `projects` is None when the viewer may not see the pipeline."""

    carriers: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    district_figures: pd.DataFrame  # summary.district_table, indexed by district code
    projects: gpd.GeoDataFrame | None = None
    lang: str = i18n.DEFAULT_LANGUAGE
    basemap: Basemap = OFFLINE
    detail_limit: int = DETAIL_LIMIT
    show: Mapping[str, bool] = field(default_factory=dict)  # layer key -> shown at start
    district_colours: DistrictColours | None = None  # colour the district areas by a figure (leaders)


@dataclass
class BuiltMap:
    map: folium.Map
    aggregated: bool  # carriers drawn as hexagons (too many to draw one by one)
    layers: list[str]  # keys of the layers on the map, in order


class _Css(MacroElement):
    _template = Template("")

    def __init__(self, css: str):
        super().__init__()
        self.css = css

    def render(self, **kwargs):
        self.get_root().header.add_child(Element(f"<style>{self.css}</style>"), name="heatmap_css")
        super().render(**kwargs)


class _Legend(MacroElement):
    """A Leaflet control with our own (escaped) HTML, folded into a <details> so it can be closed."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "heatmap-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str):
        super().__init__()
        self.html = html_text


class _ShareView(MacroElement):
    """Writes the view (lat, lon, zoom) into the page's URL as the user pans, without a rerun, so that a
    copied link opens the same view. The map runs in a same-origin component iframe."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            map.on("moveend", function () {
                try {
                    var c = map.getCenter();
                    var top = window.parent;
                    var params = new URLSearchParams(top.location.search);
                    params.set("lat", c.lat.toFixed(5));
                    params.set("lon", c.lng.toFixed(5));
                    params.set("z", String(map.getZoom()));
                    top.history.replaceState(top.history.state, "", top.location.pathname + "?" + params.toString());
                } catch (e) { /* not embedded in the app: nothing to share */ }
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


def _use_local_assets(element, js: list[tuple[str, str]], css: list[tuple[str, str]] = ()) -> None:
    """Point an element's scripts and styles at the app's own copies (instance attributes: folium's
    class defaults, which name CDNs, stay untouched)."""
    element.default_js = [(name, assets.url(file)) for name, file in js]
    element.default_css = [(name, assets.url(file)) for name, file in css]


def new_map(basemap: Basemap, lang: str) -> folium.Map:
    m = folium.Map(
        location=list(geo.CENTER), zoom_start=11, min_zoom=9, max_zoom=basemap.max_zoom, tiles=None,
        prefer_canvas=True, control_scale=True,
    )
    _use_local_assets(m, [("leaflet", "leaflet.js")], [("leaflet_css", "leaflet.css")])
    css = (
        f".leaflet-container {{ background: {BACKGROUND}; font-family: 'Noto Sans CJK SC', 'PingFang SC', sans-serif; }}"
        ".heatmap-legend { background: rgba(255,255,255,.92); padding: 4px 8px; border-radius: 6px; font-size: 11px;"
        " line-height: 1.35; width: 210px; max-height: 300px; overflow-y: auto; box-shadow: 0 1px 4px rgba(0,0,0,.3); }"
        ".heatmap-legend summary { cursor: pointer; }"
        ".heatmap-legend h4 { margin: 4px 0 1px; font-size: 11px; }"
        ".heatmap-legend .items { display: flex; flex-wrap: wrap; }"
        ".heatmap-legend .item { width: 50%; }"
        ".heatmap-legend .sw { display: inline-block; width: 9px; height: 9px; margin-right: 4px; vertical-align: -1px;"
        " border-radius: 50%; border: 2px solid transparent; }"
        ".heatmap-legend .bar { display: inline-block; width: 90px; height: 8px; margin-right: 4px; vertical-align: 0; }"
        ".leaflet-control-layers { font-size: 12px; }"
        # the heat canvas lies above the sites' canvas: let clicks and hovers pass through it
        ".leaflet-heatmap-layer { pointer-events: none; opacity: 0.65; }"
        ".district-label { font-size: 12px; font-weight: 600; color: #333; text-shadow: 0 0 3px #fff, 0 0 3px #fff;"
        " white-space: nowrap; }"
    )
    _Css(css).add_to(m)
    for url, attribution, subdomains in basemap.tiles:
        folium.TileLayer(tiles=url, attr=attribution, name=basemap.key, subdomains=subdomains or "abc",
                         max_zoom=basemap.max_zoom, control=False).add_to(m)
    return m


def _offline_ground(m: folium.Map, basemap: Basemap, lang: str, show_outline: bool) -> list[str]:
    """The offline basemap (land and the approximate river inside the outline), and the city outline as
    a layer of its own."""
    gcj = basemap.gcj02
    land, river, outline = display_geometries([geo.land(), geo.river(), geo.outline().boundary], gcj)
    attribution = i18n.t("attribution.outline", lang)
    if basemap.key == "offline":
        folium.GeoJson(
            feature_collection([land, river], [{}, {}]),
            style_function=lambda f: {"fillColor": LAND_FILL if f["id"] == 0 else RIVER_FILL, "fillOpacity": 1,
                                      "stroke": False},
            control=False, interactive=False, attribution=attribution,
        ).add_to(m)
    folium.GeoJson(
        feature_collection([outline], [{}]), name=i18n.t("layer.outline", lang),
        style_function=lambda f: {"color": "#444", "weight": 2, "dashArray": "6 4", "fill": False},
        interactive=False, show=show_outline, attribution=None if basemap.key == "offline" else attribution,
    ).add_to(m)
    return ["outline"]


def _carrier_layers(m, carriers: gpd.GeoDataFrame, content: MapContent, names: Mapping[str, str]) -> list[str]:
    lang = content.lang
    district_index = {code: i for i, code in enumerate(names)}
    text = {
        "kinds": [i18n.label("kind", k.value, lang) for k in CarrierKind], "kindCodes": [k.value for k in CarrierKind],
        "statuses": [i18n.label("status", s, lang) for s in STATUS_COLORS], "districts": list(names.values()),
        "landArea": i18n.t("tip.land_area", lang), "landPrice": i18n.t("tip.land_price", lang),
        "floorArea": i18n.t("tip.floor_area", lang), "vacant": i18n.t("tip.vacant", lang), "rent": i18n.t("tip.rent", lang),
        "verified": i18n.t("field.verified_on", lang), "m2": i18n.t("unit.m2", lang), "mu": i18n.t("unit.mu", lang),
        "priceUnit": i18n.t("unit.wan_cny_mu", lang), "rentUnit": i18n.t("unit.cny_m2_month", lang), "m2PerMu": M2_PER_MU,
        "negotiable": i18n.t("common.negotiable", lang),
    }
    look = {"kinds": [KIND_COLORS[k.value] for k in CarrierKind], "statuses": list(STATUS_COLORS.values())}
    added = []
    for kind in CarrierKind:
        subset = carriers[carriers["kind"] == kind.value]
        if subset.empty:
            continue
        key = f"carriers_{kind.value}"
        group = folium.FeatureGroup(name=f"{i18n.label('kind', kind.value, lang)} ({len(subset):,})",
                                    show=content.show.get(key, True))
        _CompactLayer("sites", site_rows(subset, lang, district_index, content.basemap.gcj02), text, look).add_to(group)
        group.add_to(m)
        added.append(key)
    return added


def _hexagon_layer(m, carriers: gpd.GeoDataFrame, content: MapContent) -> list[str]:
    """Too many sites to draw one by one: H3 hexagons with the number of sites and the vacant space."""
    lang = content.lang
    cells = [h3.latlng_to_cell(lat, lon, HEX_RESOLUTION) for lon, lat in zip(carriers["lon"], carriers["lat"])]
    is_land = carriers["kind"] == CarrierKind.LAND.value
    frame = pd.DataFrame({
        "cell": cells,
        "n": 1,
        "vacant_floor": carriers["vacant_m2"].fillna(0.0).where(~is_land, 0.0).to_numpy(),
        "vacant_land": carriers["vacant_m2"].fillna(0.0).where(is_land, 0.0).to_numpy(),
    })
    per_cell = frame.groupby("cell", sort=True).sum()
    total_vacant = per_cell["vacant_floor"] + per_cell["vacant_land"]
    edges = np.quantile(total_vacant, [0.2, 0.4, 0.6, 0.8]) if len(per_cell) else []
    shapes = display_geometries(
        [shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in per_cell.index], content.basemap.gcj02
    )
    rows = [
        [int(n), round(floor), round(land), int(np.searchsorted(edges, vacant)), _geometry_row(shape)]
        for n, floor, land, vacant, shape in zip(per_cell["n"], per_cell["vacant_floor"], per_cell["vacant_land"], total_vacant, shapes)
    ]
    text = {"sites": i18n.t("tip.hex_sites", lang), "vacantFloor": i18n.t("tip.vacant_floor", lang),
            "availableLand": i18n.t("tip.available_land", lang), "zoom": i18n.t("tip.hex_zoom", lang),
            "m2": i18n.t("unit.m2", lang), "mu": i18n.t("unit.mu", lang), "m2PerMu": M2_PER_MU}
    group = folium.FeatureGroup(name=f"{i18n.t('layer.hexagons', lang)} ({len(carriers):,})", show=True)
    _CompactLayer("hexagons", rows, text, {"classes": list(HEX_COLORS)}).add_to(group)
    group.add_to(m)
    return ["hexagons"]


def _project_layer(m, projects: gpd.GeoDataFrame, content: MapContent, names: Mapping[str, str]) -> list[str]:
    lang = content.lang
    located = projects[projects["lon"].notna()]
    if located.empty:
        return []
    text = {"stages": [i18n.label("stage", s.value, lang) for s in Stage], "districts": list(names.values()),
            "investment": i18n.t("field.investment_wan", lang), "grade": i18n.t("field.grade", lang)}
    look = {"groups": list(STAGE_GROUP_COLORS.values()) + [NO_GROUP_COLOR]}
    group = folium.FeatureGroup(name=f"{i18n.t('layer.projects', lang)} ({len(located):,})", show=content.show.get("projects", True))
    district_index = {code: i for i, code in enumerate(names)}
    _CompactLayer("projects", project_rows(located, lang, district_index, content.basemap.gcj02), text, look).add_to(group)
    group.add_to(m)
    return ["projects"]


def _heat_layer(m, key: str, name: str, points: list, gradient: dict, show: bool) -> list[str]:
    if not points:
        return []
    layer = HeatMap(points, name=name, radius=18, blur=16, min_opacity=0.25, max_zoom=13, gradient=gradient, show=show)
    _use_local_assets(layer, [("leaflet-heat.js", "leaflet-heat.js")])
    layer.add_to(m)
    return [key]


def _district_layers(m, content: MapContent, names: Mapping[str, str], show_pipeline: bool) -> list[str]:
    lang, gcj = content.lang, content.basemap.gcj02
    districts = content.districts
    added = []
    bounded = districts[districts["boundary"].notna()]
    if len(bounded):
        group = folium.FeatureGroup(name=i18n.t("layer.boundaries", lang), show=content.show.get("boundaries", True))
        folium.GeoJson(
            feature_collection(display_geometries(bounded["boundary"].values, gcj),
                               [{"tip": _e(names[c]) + "<br>" + _e(i18n.t("district.approximate", lang))} for c in bounded["code"]]),
            style_function=lambda f: {"color": "#6b6b6b", "weight": 1.2, "dashArray": "3 4", "fill": False},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False), interactive=False,
        ).add_to(group)
        group.add_to(m)
        added.append("boundaries")

    figures = content.district_figures
    vacant = (figures["building_vacant_m2"].fillna(0) + figures["vacant_land_mu"].fillna(0) * M2_PER_MU).reindex(districts["code"]).fillna(0)
    largest = float(vacant.max()) or 1.0
    lon, lat = display_points([p.x for p in districts.geometry], [p.y for p in districts.geometry], gcj)
    group = folium.FeatureGroup(name=i18n.t("layer.districts", lang), show=content.show.get("districts", True))
    properties = []
    for code in districts["code"]:
        row = figures.loc[code] if code in figures.index else None
        lines = [f"<b>{_e(names[code])}</b>"]
        if row is not None:
            lines += [
                _e(i18n.t("tip.district_sites", lang, n=int(row["carriers"]))),
                _line(i18n.t("tip.vacant_floor", lang), i18n.fmt_area_m2(row["building_vacant_m2"], lang)),
                _line(i18n.t("col.building_vacancy_rate", lang), i18n.fmt_percent(row["building_vacancy_rate"], lang)),
                _line(i18n.t("tip.available_land", lang), i18n.fmt_mu(row["vacant_land_mu"], lang)),
            ]
            if show_pipeline and "projects" in row:
                lines += [
                    _e(i18n.t("tip.district_projects", lang, n=int(row["projects"]), negotiating=int(row["n_negotiating"]),
                              signed=int(row["n_signed"]), settled=int(row["n_settled"]))),
                    _line(i18n.t("home.kpi.investment", lang), i18n.fmt_cny_wan(row["investment_cny_wan"], lang, approx_eur=True)),
                ]
        lines += _colour_line(content, code)
        properties.append({"tip": "<br>".join(lines), "r": round(6 + 28 * math.sqrt(vacant[code] / largest), 1)})
    folium.GeoJson(
        feature_collection(shapely.points(lon, lat), properties),
        style_function=lambda f: {"color": "#2b2b2b", "weight": 1.5, "fillColor": "#ffffff", "fillOpacity": 0.35,
                                  "radius": f["properties"]["r"]},
        marker=folium.CircleMarker(radius=8),
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(group)
    short = {row["code"]: i18n.district_short_name(row, lang) for _, row in districts.iterrows()}
    for x, y, code in zip(lon, lat, districts["code"]):
        folium.Marker(
            [y, x], icon=folium.DivIcon(html=f'<div class="district-label">{_e(short[code])}</div>',
                                         icon_size=(120, 16), icon_anchor=(-8, 8)),
            interactive=False,
        ).add_to(group)
    group.add_to(m)
    added.append("districts")
    return added


def _colour_line(content: MapContent, code: str) -> list[str]:
    """The district's figure of the colouring, as a tooltip line (none without a colouring or a value)."""
    colours = content.district_colours
    if colours is None or not _present(colours.values.get(code)):
        return []
    return [_line(colours.title, colours.text(colours.values[code], content.lang))]


def _choropleth_layer(m, content: MapContent, names: Mapping[str, str]) -> list[str]:
    """The district areas (approximate boundaries) filled by the colouring's classes, with the figure in
    their tooltips; districts without a boundary keep it in their circle's tooltip only."""
    colours, lang = content.district_colours, content.lang
    districts = content.districts
    bounded = districts[districts["boundary"].notna() & districts["code"].map(lambda c: _present(colours.values.get(c)))]
    if bounded.empty:
        return []
    classes = choropleth_classes(list(colours.values.values()))
    fills = class_colours(len(classes))
    properties = [{
        "tip": "<br>".join([f"<b>{_e(names[code])}</b>", *_colour_line(content, code), _e(i18n.t("district.approximate", lang))]),
        "fill": fills[class_of(colours.values[code], classes)],
    } for code in bounded["code"]]
    group = folium.FeatureGroup(name=i18n.t("layer.choropleth", lang, figure=colours.title), show=content.show.get("choropleth", True))
    folium.GeoJson(
        feature_collection(display_geometries(bounded["boundary"].values, content.basemap.gcj02), properties),
        style_function=lambda f: {"color": "#4a6fa5", "weight": 0.8, "fillColor": f["properties"]["fill"], "fillOpacity": 0.55},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(group)
    group.add_to(m)
    return ["choropleth"]


def choropleth_legend(colours: DistrictColours, lang: str) -> str:
    """The colouring's part of the legend: its title, each class's colour and range, and that the
    boundaries are approximate."""
    classes = choropleth_classes(list(colours.values.values()))
    parts = [f"<h4>{_e(colours.title)}</h4><div>"]
    for (low, high), fill in zip(classes, class_colours(len(classes))):
        label = colours.text(low, lang) if low == high else f"{colours.text(low, lang)} – {colours.text(high, lang)}"
        parts.append(f'<div><span class="sw" style="background:{fill};border-radius:2px"></span>{_e(label)}</div>')
    parts.append(f"</div>{_e(i18n.t('legend.choropleth_note', lang))}")
    return "".join(parts)


def legend_html(lang: str, layers: list[str], aggregated: bool, colours: DistrictColours | None = None) -> str:
    """The legend of the layers on the map, in the user's language (compact, and it folds away)."""
    t = lambda key, **kw: _e(i18n.t(key, lang, **kw))  # noqa: E731

    def item(fill: str, stroke: str, text: str) -> str:
        return f'<span class="item"><span class="sw" style="background:{fill};border-color:{stroke}"></span>{text}</span>'

    def bar(gradient: dict, note: str) -> str:
        stops = ", ".join(f"{color} {int(stop * 100)}%" for stop, color in sorted(gradient.items()))
        return f'<span class="bar" style="background:linear-gradient(to right, {stops})"></span>{note}'

    parts = [f"<details open><summary><b>{t('legend.title')}</b></summary>"]
    if "choropleth" in layers and colours is not None:
        parts.append(choropleth_legend(colours, lang))
    kinds = [k.split("_", 1)[1] for k in layers if k.startswith("carriers_")]
    if aggregated:
        parts.append(f"<h4>{t('layer.hexagons')}</h4>" + bar({i / 4: c for i, c in enumerate(HEX_COLORS)}, t("legend.hex_scale")))
    elif kinds:
        parts.append(f"<h4>{t('legend.kind')}</h4><div class='items'>")
        parts += [item("#fff", KIND_COLORS[kind], t(f"kind.{kind}")) for kind in kinds]
        parts.append(f"</div><h4>{t('legend.status')}</h4><div class='items'>")
        parts += [item(color, "transparent", t(f"status.{status}")) for status, color in STATUS_COLORS.items()]
        parts.append(f"</div>{t('legend.size')}")
    if "projects" in layers:
        parts.append(f"<h4>{t('layer.projects')}</h4><div class='items'>")
        parts += [item(color, "#fff", t(f"stage_group.{group}")) for group, color in STAGE_GROUP_COLORS.items()]
        parts.append(item(NO_GROUP_COLOR, "#fff", f"{t('stage.on_hold')} / {t('stage.dropped')}"))
        parts.append("</div>")
    if "pipeline_heat" in layers:
        parts.append(f"<h4>{t('layer.pipeline_heat')}</h4>{bar(PIPELINE_GRADIENT, t('legend.heat_scale'))}")
    if "supply_heat" in layers:
        parts.append(f"<h4>{t('layer.supply_heat')}</h4>{bar(SUPPLY_GRADIENT, t('legend.heat_scale'))}")
    if "districts" in layers:
        parts.append(f"<h4>{t('layer.districts')}</h4>{item('rgba(255,255,255,.4)', '#2b2b2b', t('legend.district_circle'))}")
    if "boundaries" in layers:
        parts.append(f"<div><span style='color:#6b6b6b'>- - -</span> {t('legend.boundaries')}</div>")
    parts.append("</details>")
    return "".join(parts)


def build_map(content: MapContent) -> BuiltMap:
    """The whole map for what the filters selected. Deterministic: the same content gives the same map
    (streamlit-folium then keeps the drawn map instead of drawing it again)."""
    lang = content.lang
    names = {row["code"]: i18n.district_name(row, lang) for _, row in content.districts.iterrows()}
    m = new_map(content.basemap, lang)
    layers = _offline_ground(m, content.basemap, lang, content.show.get("outline", True))
    show_pipeline = content.projects is not None
    if content.district_colours is not None:
        layers += _choropleth_layer(m, content, names)
    layers += _district_layers(m, content, names, show_pipeline)
    carriers = content.carriers
    aggregated = len(carriers) > content.detail_limit
    layers += _hexagon_layer(m, carriers, content) if aggregated else _carrier_layers(m, carriers, content, names)
    layers += _heat_layer(
        m, "supply_heat", i18n.t("layer.supply_heat", lang),
        heat_points(carriers["lon"], carriers["lat"], supply_weights(carriers), content.basemap.gcj02),
        SUPPLY_GRADIENT, content.show.get("supply_heat", True),
    )
    if show_pipeline and len(content.projects):
        projects = content.projects
        layers += _heat_layer(
            m, "pipeline_heat", i18n.t("layer.pipeline_heat", lang),
            heat_points(projects["lon"], projects["lat"], pipeline_weights(projects), content.basemap.gcj02),
            PIPELINE_GRADIENT, content.show.get("pipeline_heat", True),
        )
        if len(projects) <= content.detail_limit:  # beyond that the pipeline heat alone shows them
            layers += _project_layer(m, projects, content, names)
    _Legend(legend_html(lang, layers, aggregated, content.district_colours)).add_to(m)
    _ShareView().add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return BuiltMap(m, aggregated, layers)


# --- reading a click back ---------------------------------------------------------------------------


def clicked_code(clicked: Mapping[str, Any] | None, candidates) -> str | None:
    """The code of the clicked site or project: the first word of its tooltip's text, if we drew it."""
    tooltip = (clicked or {}).get("last_object_clicked_tooltip") or ""
    words = tooltip.split()
    return words[0] if words and words[0] in set(candidates) else None


def naive_map(carriers: gpd.GeoDataFrame) -> folium.Map:
    """The approach benchmarks compare against: every feature with every property, as folium makes it."""
    m = folium.Map(location=list(geo.CENTER), zoom_start=11, tiles=None, max_zoom=18)
    frame = carriers.drop(columns=[c for c in ("updated_at",) if c in carriers]).copy()
    for column in frame.columns:
        if column != "geometry" and frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: v if isinstance(v, (str, int, float, type(None))) else str(v))
    folium.GeoJson(frame.to_json(default=str), tooltip=folium.GeoJsonTooltip(fields=["code", "name"])).add_to(m)
    return m
