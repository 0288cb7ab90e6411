"""The heat map's layers (heatmap.mapview): what is drawn, how it is weighted, escaped and shifted."""
import json
import re

import numpy as np
import pytest
import shapely
from branca.colormap import ColorMap
from shapely.geometry import Point

from heatmap import geo, mapview, model, summary
from heatmap.access import Role, Viewer
from heatmap.mapview import DistrictColours, MapContent
from heatmap.pipeline import mapdata
from heatmap.store import records_frame


@pytest.fixture(scope="module")
def frames(small_sample):
    carriers = records_frame("carrier", small_sample.carriers)
    projects = records_frame("project", small_sample.projects)
    import geopandas as gpd
    import pandas as pd

    districts = pd.DataFrame(small_sample.districts)
    districts = gpd.GeoDataFrame(districts, geometry=gpd.GeoSeries(districts["seat"], crs=4326), crs=4326)
    return carriers, projects, districts


def content(frames, projects=True, **kw):
    carriers, all_projects, districts = frames
    shown_projects = all_projects if projects else None
    figures = summary.district_table(districts, carriers, shown_projects)
    return MapContent(carriers=carriers, districts=districts, district_figures=figures, projects=shown_projects, **kw)


def html_of(built):
    return built.map.get_root().render()


def test_layers_for_a_leader(frames):
    built = mapview.build_map(content(frames))
    assert built.layers == ["outline", "boundaries", "districts", "carriers_land", "carriers_plant", "carriers_office",
                            "carriers_other", "supply_heat", "pipeline_heat", "projects"]
    assert not built.aggregated
    page = html_of(built)
    assert page.count("L.heatLayer(") == 2
    assert "L.control.layers" in page


def test_the_public_map_holds_no_project_field(frames):
    carriers, projects, _ = frames
    built = mapview.build_map(content(frames, projects=False))
    assert "projects" not in built.layers and "pipeline_heat" not in built.layers
    page = html_of(built)
    for column in ("code", "name", "investor"):
        leaked = [v for v in projects[column] if isinstance(v, str) and (v in page or v.encode("unicode_escape").decode() in page)]
        assert not leaked, column


def test_many_carriers_are_drawn_as_hexagons(frames):
    built = mapview.build_map(content(frames, detail_limit=50))
    assert built.aggregated and "hexagons" in built.layers
    assert not any(layer.startswith("carriers_") for layer in built.layers)
    assert "TC-P-" not in html_of(built)  # no single site is sent


def test_every_script_and_style_is_served_by_the_app(frames):
    built = mapview.build_map(content(frames))
    page = html_of(built)
    assert not re.findall(r"https?://", page), "the offline map must name no outside host"

    def walk(element):  # what streamlit-folium collects and loads into its frame
        yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    links = [url for el in walk(built.map) for _, url in getattr(el, "default_js", []) + getattr(el, "default_css", [])]
    assert links and all(url.startswith("/app/static/vendor/") for url in links)
    assert not any(isinstance(el, ColorMap) for el in walk(built.map))  # branca colormaps pull d3 from a CDN


def test_the_same_content_gives_the_same_map(frames):
    """streamlit-folium keeps the drawn map when the script is unchanged: a click must not redraw it."""
    from streamlit_folium import _get_map_string

    first = mapview.build_map(content(frames))
    second = mapview.build_map(content(frames))
    first.map.render(), second.map.render()
    assert _get_map_string(first.map) == _get_map_string(second.map)


def test_data_reaches_the_browser_as_data_never_as_markup(frames):
    """Sites travel as JSON rows and the browser escapes them when it builds a tooltip (the browser test
    shows that); texts built here, like district tooltips, are escaped here."""
    carriers, projects, districts = frames
    evil = "<img src=x onerror=alert(1)>"
    carriers = carriers.copy()
    carriers.loc[carriers.index[0], "name"] = evil
    rows = mapview.site_rows(carriers, "zh", {})
    assert rows[0][1] == evil  # kept verbatim, as data
    districts = districts.copy()
    districts.loc[districts.index[0], "name_zh"] = "<b>港区</b>"
    figures = summary.district_table(districts, carriers, projects)
    page = html_of(mapview.build_map(MapContent(carriers=carriers, districts=districts, district_figures=figures, projects=projects)))
    assert "<img src=x" not in page and r"<b>\u6e2f" not in page  # only escaped forms reach the page
    assert r"\u003cimg src=x onerror=alert(1)\u003e" in page  # inside a JSON string: text for esc()
    assert r"\u0026lt;b\u0026gt;\u6e2f\u533a\u0026lt;/b\u0026gt;" in page  # escaped here, then JSON-escaped


def test_compact_rows_hold_what_the_tooltips_show(frames):
    carriers, projects, _ = frames
    land = carriers[carriers["kind"] == "land"].iloc[:1]
    (row,) = mapview.site_rows(land, "en", {land["district"].iloc[0]: 3})
    assert row[0] == land["code"].iloc[0] and row[1] == land["name_en"].iloc[0]
    assert row[2] == 0 and row[4] == 3 and row[8] == land["land_price_wan_mu"].iloc[0]
    assert isinstance(row[11][0][0], list) and len(row[11][0][0]) % 2 == 0  # a polygon of flat rings
    (project,) = mapview.project_rows(projects.iloc[:1], "zh", {})
    assert project[0] == projects["code"].iloc[0] and project[6].endswith(("万元", "亿元", "万美元", "万欧元"))


def test_legend_and_tooltips_follow_the_language(frames):
    zh = html_of(mapview.build_map(content(frames, lang="zh")))
    en = html_of(mapview.build_map(content(frames, lang="en")))
    assert "Legend" in en and "Industrial land" in en
    assert "\\u56fe\\u4f8b" in zh  # 图例, JSON-escaped inside the script


def test_pipeline_heat_is_weighted_by_investment_in_cny():
    import pandas as pd

    projects = pd.DataFrame({"investment_wan": [100.0, 100.0, None], "currency": ["CNY", "USD", "EUR"]})
    assert list(mapview.pipeline_weights(projects)) == [100.0, 710.0, 0.0]


def test_a_dropped_project_weighs_nothing_in_the_pipeline_heat_one_on_hold_keeps_its_weight():
    import pandas as pd

    projects = pd.DataFrame({"investment_wan": [100.0, 100.0, 100.0], "currency": ["CNY", "CNY", "CNY"],
                             "stage": ["signed", "on_hold", "dropped"]})
    assert list(mapview.pipeline_weights(projects)) == [100.0, 100.0, 0.0]


def test_projects_on_hold_or_dropped_are_drawn_grey_with_their_stage_named(frames):
    carriers, projects, districts = frames
    two = projects.iloc[:2].copy()
    two["stage"] = ["on_hold", "dropped"]
    rows = mapview.project_rows(two, "zh", {})
    stages = [s.value for s in model.Stage]
    assert [r[3] for r in rows] == [stages.index("on_hold"), stages.index("dropped")]
    assert [r[4] for r in rows] == [len(mapview.STAGE_GROUP_COLORS)] * 2  # the colour after the three groups: grey
    page = html_of(mapview.build_map(MapContent(carriers=carriers, districts=districts, projects=two,
                                                district_figures=summary.district_table(districts, carriers, two))))
    assert mapview.NO_GROUP_COLOR in page
    assert "\\u6401\\u7f6e" in page  # 搁置, the stage's name, JSON-escaped inside the script


def test_heat_points_are_binned_and_scaled():
    lon = [121.10, 121.1001, 121.20, 121.30]
    lat = [31.50, 31.5001, 31.60, 31.55]
    points = mapview.heat_points(lon, lat, [1.0, 3.0, 2.0, 0.0])
    assert len(points) == 2  # two points share a ~200 m bin; a zero weight adds nothing
    intensities = sorted(p[2] for p in points)
    assert intensities[-1] == 1.0 and intensities[0] == pytest.approx(2 / 3.9, rel=0.05)
    assert mapview.heat_points([], [], []) == []


def test_gcj02_matches_the_published_reference():
    lon, lat = geo.wgs84_to_gcj02(120.0, 40.0)
    assert float(lon) == pytest.approx(120.00567568355486, abs=1e-9)
    assert float(lat) == pytest.approx(40.0013047896019, abs=1e-9)
    # at Taicang the shift is about 440 m east and 195 m south
    lon, lat = geo.wgs84_to_gcj02(121.1, 31.45)
    assert float(lon) - 121.1 == pytest.approx(0.00464, abs=0.0002)
    assert float(lat) - 31.45 == pytest.approx(-0.00176, abs=0.0002)
    back = geo.gcj02_to_wgs84(lon, lat)
    assert np.allclose(back, (121.1, 31.45), atol=1e-7)
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # outside China: unchanged


def test_the_town_seats_published_in_gcj02_line_up():
    for seat in geo.town_points():
        if "lon_gcj02" in seat:
            lon, lat = geo.wgs84_to_gcj02(seat["lon_wgs84"], seat["lat_wgs84"])
            assert float(lon) == pytest.approx(seat["lon_gcj02"], abs=2e-5) and float(lat) == pytest.approx(seat["lat_gcj02"], abs=2e-5)


def test_amap_basemap_shifts_everything(frames):
    carriers = frames[0]
    shifted = mapview.display_geometries(carriers.geometry.values[:5], gcj02=True)
    plain = mapview.display_geometries(carriers.geometry.values[:5])
    dx = shapely.get_x(shapely.centroid(shifted)) - shapely.get_x(shapely.centroid(plain))
    assert np.all((dx > 0.004) & (dx < 0.0052))
    built = mapview.build_map(content(frames, basemap=mapview.AMAP))
    assert "autonavi.com" in html_of(built)


def test_display_geometries_are_rounded():
    geom = mapview.display_geometries([Point(121.123456789, 31.987654321)])[0]
    assert (geom.x, geom.y) == (121.12346, 31.98765)


def test_basemaps_from_configuration():
    assert set(mapview.available_basemaps({})) == {"offline", "osm", "amap"}
    assert mapview.default_basemap({}) == "offline"
    env = {"HEATMAP_TIANDITU_KEY": "k123", "HEATMAP_TILE_URL": "http://tiles.gov.local/{z}/{x}/{y}.png",
           "HEATMAP_TILE_ATTRIBUTION": "市测绘院"}
    available = mapview.available_basemaps(env)
    assert "tk=k123" in available["tianditu"].tiles[0][0] and len(available["tianditu"].tiles) == 2
    assert available["custom"].tiles[0][1] == "市测绘院"
    assert mapview.default_basemap(env) == "custom"
    assert mapview.default_basemap(env | {"HEATMAP_BASEMAP": "tianditu"}) == "tianditu"


def test_a_click_is_read_back_from_the_tooltip():
    clicked = {"last_object_clicked_tooltip": "\n   TC-P-000571 沙溪工业园42号厂房厂房 · 部分可用"}
    assert mapview.clicked_code(clicked, ["TC-P-000571", "TC-P-1"]) == "TC-P-000571"
    assert mapview.clicked_code(clicked, ["TC-P-1"]) is None
    assert mapview.clicked_code({"last_object_clicked_tooltip": None}, ["x"]) is None
    assert mapview.clicked_code(None, ["x"]) is None


def leaked(page, values):
    return [v for v in values if isinstance(v, str) and (v in page or v.encode("unicode_escape").decode() in page)]


def test_a_leaders_map_names_projects_by_code_name_only(frames):
    carriers, projects, districts = frames
    projects = projects.assign(code_name=[f"TC-2026-{i:03d}" for i in range(1, len(projects) + 1)])  # as the store gives them
    shown = mapdata.as_shown(projects, Viewer("leader", Role.LEADER))
    rows = mapview.project_rows(shown, "zh", {})
    assert [r[0] for r in rows] == list(projects["code_name"])  # a tooltip starts with the code name: a click reads it back
    assert all(r[1] == "" and r[2] == "" for r in rows)  # no name, no investor
    figures = summary.district_table(districts, carriers, projects)
    page = html_of(mapview.build_map(MapContent(carriers=carriers, districts=districts, district_figures=figures, projects=shown)))
    assert "projects" in mapview.build_map(MapContent(carriers=carriers, districts=districts, district_figures=figures,
                                                      projects=shown)).layers
    assert not leaked(page, projects["name"]) and not leaked(page, projects["investor"])
    assert not leaked(page, projects["code"])
    assert all(name in page for name in projects["code_name"])
    clicked = {"last_object_clicked_tooltip": f"{rows[0][0]} 在谈 · 浏河镇"}
    assert mapview.clicked_code(clicked, shown[mapview.key_column(shown)]) == rows[0][0]


def test_the_office_map_shows_the_whole_record(frames):
    carriers, projects, districts = frames
    shown = mapdata.as_shown(projects, Viewer("office", Role.OFFICE))
    (row,) = mapview.project_rows(shown.iloc[:1], "zh", {})
    assert row[:3] == [projects["code"].iloc[0], projects["name"].iloc[0], projects["investor"].iloc[0]]


def test_choropleth_classes():
    assert mapview.choropleth_classes([0, 2, 2, 1, float("nan")]) == [(0, 0), (1, 1), (2, 2)]  # few values: one class each
    classes = mapview.choropleth_classes(list(range(100)))
    assert len(classes) == 5 and classes[0][0] == 0 and classes[-1][1] == 99
    assert [mapview.class_of(v, classes) for v in (0, 50, 99)] == [0, 2, 4]
    assert mapview.class_colours(3) == [mapview.CHOROPLETH_COLORS[0], mapview.CHOROPLETH_COLORS[2], mapview.CHOROPLETH_COLORS[4]]
    assert mapview.choropleth_classes([]) == []


def test_districts_coloured_by_a_report_figure(frames):
    carriers, projects, districts = frames
    values = {code: float(i % 3) for i, code in enumerate(districts["code"])}
    colours = DistrictColours(title="新增项目（2026年9–10月）", values=values)
    built = mapview.build_map(content(frames, district_colours=colours))
    assert built.layers[1] == "choropleth"  # under everything else but the ground
    page = html_of(built)
    for colour in mapview.class_colours(3):
        assert colour in page
    assert r"\u65b0\u589e\u9879\u76ee" in page  # 新增项目, in the legend (JSON-escaped inside the script)
    assert json.dumps("新增项目（2026年9–10月）: 2")[1:-1] in page  # in a district's tooltip (JSON-escaped)
    en = DistrictColours(title="Change in amounts (Sep–Oct 2026)", values={c: 1500.0 * (i - 3) for i, c in enumerate(districts["code"])},
                         money=True)
    legend = mapview.choropleth_legend(en, "en")
    assert "Change in amounts (Sep–Oct 2026)" in legend and "CNY" in legend and "approximate" in legend
    assert not re.search(r"[\u3400-\u9fff]", legend)
    assert "choropleth" not in mapview.build_map(content(frames)).layers
