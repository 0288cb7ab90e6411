"""The heat map page in a real Chromium against `streamlit run` (Playwright, Debian's /usr/bin/chromium)."""
import datetime as dt
import time
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from shapely.geometry import Point

from heatmap import bootstrap
from heatmap.store import Store

from conftest import choose_option, sign_in, wait_for_app

EVIL_NAME = "<img src=x onerror=alert(1)>"
EVIL_CODE = "TC-P-XSS001"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'

# JavaScript run inside the map's frame. Sites and projects are drawn on a canvas; their tooltips start
# with their code, and each shape carries it in feature.properties.code.
DRAWN = """(prefix) => { let n = 0; window.map.eachLayer(l => {
    if (l.feature && (l.getLatLng || l.getLatLngs) && String(l.feature.properties.code || '').startsWith(prefix)) n += 1; }); return n; }"""
WHERE = """(code) => { const m = window.map, size = m.getSize(), box = m.getContainer().getBoundingClientRect();
  const shapes = [];  // everything clickable, to find a site that nothing drawn later (on top) covers
  m.eachLayer(l => { if (l.feature && l.options.interactive !== false && (l.getLatLng || l.getBounds)) shapes.push(l); });
  const covered = (l, p) => shapes.some(o => o._leaflet_id > l._leaflet_id && (o.getLatLng
      ? m.latLngToContainerPoint(o.getLatLng()).distanceTo(p) < (o.getRadius ? o.getRadius() : 0) + l.getRadius() + 2
      : o.getBounds().pad(0.05).contains(l.getLatLng())));
  for (const l of shapes) {
    if (!l.getLatLng || !String(l.feature.properties.code || '').startsWith(code)) continue;
    const p = m.latLngToContainerPoint(l.getLatLng());
    if (p.x < 12 || p.y < 12 || p.x > size.x - 12 || p.y > size.y - 12 || covered(l, p)) continue;
    const hit = document.elementFromPoint(p.x + box.left, p.y + box.top);
    if (hit && hit.tagName === 'CANVAS') return {x: p.x + box.left, y: p.y + box.top,
        code: l.feature.properties.code};
  }
  return null; }"""


@pytest.fixture(scope="module")
def app_store(app_server):
    """The app's own database, with one carrier whose name is a script injection attempt."""
    store = Store(f"sqlite:///{app_server.data_dir / 'heatmap.sqlite'}")
    bootstrap.ensure_database(store, sample_if_empty=True)
    evil = {
        "code": EVIL_CODE, "kind": "plant", "name": EVIL_NAME, "name_en": EVIL_NAME, "district": "liuhe",
        "geometry": Point(121.262, 31.505), "area_m2": 9000.0, "leasable_m2": 9000.0, "vacant_m2": 9000.0,
        "status": "available", "rent_cny_m2_month": 22.0, "verified_on": dt.date.today(), "is_public": True,
    }
    store.save("carrier", [evil], user="test", source="cli", note="an injection attempt, for the browser tests")
    return store


def open_map(page, app_server, query=""):
    page.goto(f"{app_server.url}/map{query}")
    wait_for_app(page)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    frame = map_frame(page)
    frame.wait_for_function("() => window.map && Object.keys(window.map._layers).length > 10", timeout=30000)
    return frame


def map_frame(page):
    """The frame of the map now on the page (a changed map may replace its frame)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        frames = [f for f in page.frames if "streamlit_folium" in f.url and not f.is_detached()]
        if frames:
            return frames[-1]
        page.wait_for_timeout(200)
    raise AssertionError("no map frame")


def wait_for_drawn(page, prefix, expected, timeout_s=20):
    """Poll until the map shows `expected` features whose code starts with `prefix`; return the count."""
    deadline, count = time.time() + timeout_s, None
    while time.time() < deadline:
        try:
            count = map_frame(page).evaluate(DRAWN, prefix)
        except Exception:  # noqa: BLE001 - the frame was replaced while we asked
            count = None
        if count == expected:
            return count
        page.wait_for_timeout(250)
    return count


def layer_control_labels(frame):
    return [label.strip() for label in frame.locator(".leaflet-control-layers-overlays label").all_inner_texts()]


def test_map_renders_its_layers_and_legend(app_server, app_store, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    frame = open_map(page, app_server)
    labels = layer_control_labels(frame)
    for name in ("市界", "区镇边界（近似）", "区镇数据", "空置热力（按空置面积）"):
        assert name in labels
    for kind in ("产业用地", "厂房", "商务楼宇", "其他载体"):
        assert any(label.startswith(kind) for label in labels), kind
    assert frame.locator("canvas.leaflet-heatmap-layer").count() == 1
    assert "图例" in frame.locator(".heatmap-legend").inner_text()
    public = app_store.carriers(public_only=True)
    drawn = frame.evaluate(DRAWN, "TC-")
    assert drawn == len(public)
    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors


def test_a_layer_can_be_switched_off(app_server, app_store, page):
    frame = open_map(page, app_server)
    plants = frame.evaluate(DRAWN, "TC-P-")
    assert plants > 100
    frame.locator(".leaflet-control-layers-overlays label", has_text="厂房").locator("input").uncheck()
    page.wait_for_timeout(300)
    assert frame.evaluate(DRAWN, "TC-P-") == 0
    assert frame.evaluate(DRAWN, "TC-L-") > 0  # the other layers stay


def test_a_filter_changes_what_is_drawn_and_lands_in_the_url(app_server, app_store, page):
    open_map(page, app_server)
    choose_option(page, "区镇", "浏河镇")
    public = app_store.carriers(public_only=True)
    liuhe = public[public["district"] == "liuhe"]
    assert wait_for_drawn(page, "TC-", len(liuhe)) == len(liuhe)
    assert parse_qs(urlparse(page.url).query)["d"] == ["liuhe"]
    assert page.locator("[data-testid='stMetricValue']").first.inner_text().replace(",", "") == str(len(liuhe))


def test_a_shared_link_opens_the_same_filters_and_view(app_server, app_store, page):
    frame = open_map(page, app_server, "?d=port&k=land,plant&lat=31.60000&lon=121.21000&z=13")
    public = app_store.carriers(public_only=True)
    expected = public[(public["district"] == "port") & public["kind"].isin(["land", "plant"])]
    assert wait_for_drawn(page, "TC-", len(expected)) == len(expected)
    assert frame.evaluate("window.map.getZoom()") == 13
    center = frame.evaluate("(() => { const c = window.map.getCenter(); return [c.lat, c.lng]; })()")
    assert center == pytest.approx([31.6, 121.21], abs=1e-3)
    chips = page.locator("[data-testid='stSidebar'] .react-aria-ComboBox [data-tag]").all_inner_texts()
    assert {c.strip() for c in chips} == {"太仓港经济技术开发区", "产业用地", "厂房"}


def test_panning_writes_the_view_to_the_url_without_a_rerun(app_server, app_store, page):
    frame = open_map(page, app_server)
    page.evaluate("""() => { window.__states = []; const app = document.querySelector("[data-testid='stApp']");
        new MutationObserver(() => window.__states.push(app.getAttribute('data-test-script-state')))
            .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }""")
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.move(box["x"] + 350, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 220, steps=8)
    page.mouse.up()
    frame.evaluate("() => { window.map.zoomIn(); }")
    page.wait_for_timeout(2000)
    assert "running" not in page.evaluate("window.__states")
    query = parse_qs(page.evaluate("location.search")[1:])
    assert query["z"] == ["12"] and float(query["lat"][0]) != 31.53


def test_a_click_shows_the_record_without_redrawing_the_map(app_server, app_store, page):
    frame = open_map(page, app_server)
    frame.evaluate("window.__not_redrawn = true")
    target = frame.evaluate(WHERE, "TC-P-")
    assert target, "no plant building visible to click"
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_timeout(500)
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("载体详情").wait_for()
    record = app_store.record("carrier", target["code"])
    panel = main.locator("[data-testid='stTable']").last
    panel_text = panel.inner_text()
    assert target["code"] in panel_text and record["name"] in panel_text
    assert frame.evaluate("window.__not_redrawn") is True


def test_data_is_shown_as_text_and_runs_nothing(app_server, app_store, page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    frame = open_map(page, app_server, "?d=liuhe&k=plant")
    target = frame.evaluate(WHERE, EVIL_CODE)
    assert target
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.move(box["x"] + target["x"], box["y"] + target["y"])
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert EVIL_NAME in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    wait_for_app(page)
    page.locator("[data-testid='stMain']").get_by_text("载体详情").wait_for()
    assert EVIL_NAME in page.locator("[data-testid='stMain'] [data-testid='stTable']").last.inner_text()
    page.wait_for_timeout(500)
    assert not dialogs


def test_the_public_view_holds_no_project_field(app_server, app_store, page):
    frame = open_map(page, app_server)
    projects = app_store.projects()
    everything = page.content() + frame.content() + frame.evaluate("document.documentElement.outerHTML")
    scripts = frame.evaluate("Array.from(document.scripts).map(s => s.text).join('\\n')")
    for column in ("code", "name", "investor"):
        leaked = [v for v in projects[column] if isinstance(v, str) and (v in everything or v in scripts)]
        assert not leaked, column
    assert "项目（按阶段）" not in layer_control_labels(frame)


TOOLTIPS = """(prefix) => { const out = []; window.map.eachLayer(l => {
    if (l.feature && l.getTooltip && l.getTooltip() && String(l.feature.properties.code || '').startsWith(prefix))
        out.push(l.getTooltip().getContent()); }); return out; }"""
CODE_NAMES = "TC-20"  # the sample's code names (代号) read TC-2026-001; carriers' codes TC-L-…, TC-P-…


def open_map_as(page, app_server, username):
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, username)
    page.locator("[data-testid='stSidebarNav']").get_by_text("投资热力图").click()  # the session keeps the sign-in
    wait_for_app(page)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    frame = map_frame(page)
    frame.wait_for_function("() => window.map && Object.keys(window.map._layers).length > 10")
    return frame


def choose_in_sidebar(page, label, option):
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has=page.get_by_text(label, exact=True))
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=option).first.click()
    wait_for_app(page)


def test_leaders_see_the_pipeline_layers_by_code_name_only(app_server, app_store, page):
    frame = open_map_as(page, app_server, "leader")
    labels = layer_control_labels(frame)
    assert any(label.startswith("项目（按阶段）") for label in labels)
    assert "项目热力（按投资额）" in labels
    projects = app_store.projects()
    assert frame.evaluate(DRAWN, CODE_NAMES) == len(projects) and frame.evaluate(DRAWN, "TC-PJ-") == 0
    assert frame.locator("canvas.leaflet-heatmap-layer").count() == 2
    tooltips = frame.evaluate(TOOLTIPS, CODE_NAMES)
    assert len(tooltips) == len(projects)
    assert sorted(t.split("</b>")[0].removeprefix("<b>") for t in tooltips) == sorted(projects["code_name"])
    everything = frame.evaluate("document.documentElement.outerHTML") + "\n".join(tooltips) + page.content()
    for column in ("name", "investor", "code"):
        leaked = [v for v in projects[column] if isinstance(v, str) and v in everything]
        assert not leaked, column
    target = frame.evaluate(WHERE, CODE_NAMES)
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("项目详情").wait_for()
    project = projects[projects["code_name"] == target["code"]].iloc[0]
    record = main.locator("[data-testid='stTable']").last.inner_text()
    assert target["code"] in record and project["name"] not in record and project["investor"] not in record
    assert project["code"] not in record


def test_the_office_sees_the_whole_record(app_server, app_store, page):
    frame = open_map_as(page, app_server, "office")
    target = frame.evaluate(WHERE, "TC-PJ-")
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("项目详情").wait_for()
    project = app_store.record("project", target["code"])
    record = main.locator("[data-testid='stTable']").last.inner_text()
    assert project["name"] in record and project["investor"] in record


def test_a_leader_picks_a_reporting_period_and_colours_the_districts_by_a_report_figure(app_server, app_store, page):
    frame = open_map_as(page, app_server, "leader")
    choose_in_sidebar(page, "报告期", "2026年9–10月")
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("项目为各区镇报送的2026年9–10月报表")
    expect(main).to_contain_text("未报送2026年9–10月报表的区镇：浏河镇、双凤镇")  # the sample leaves two late
    assert parse_qs(urlparse(page.url).query)["per"] == ["2026-5"]
    choose_in_sidebar(page, "区镇着色（报表或考核指标）", "新增项目")
    expect(main).to_contain_text("区镇按2026年9–10月全市报表的“新增项目”着色")
    frame = map_frame(page)
    frame.wait_for_function("() => document.querySelector('.heatmap-legend') && "
                            "document.querySelector('.heatmap-legend').innerText.includes('新增项目（2026年9–10月）')")
    assert "区镇着色：新增项目（2026年9–10月）" in layer_control_labels(frame)
    assert "按区镇边界（近似示意）着色" in frame.locator(".heatmap-legend").inner_text()


def test_the_offline_basemap_asks_no_other_host(app_server, app_store, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    hosts = set()
    context.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page = context.new_page()
    frame = open_map(page, app_server)
    frame.evaluate("() => { window.map.setZoom(14); }")
    page.wait_for_timeout(1500)
    context.close()
    assert hosts == {urlparse(app_server.url).netloc}


def test_the_selection_downloads_as_excel_and_geojson(app_server, app_store, page, tmp_path):
    import json

    import openpyxl

    open_map(page, app_server, "?d=liuhe&k=plant")
    public = app_store.carriers(public_only=True)
    expected = public[(public["district"] == "liuhe") & (public["kind"] == "plant")]
    main = page.locator("[data-testid='stMain']")
    with page.expect_download() as excel:
        main.get_by_role("button", name="下载 Excel").click()
    path = tmp_path / "sites.xlsx"
    excel.value.save_as(path)
    sheet = openpyxl.load_workbook(path)["载体"]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == sorted(expected["code"])
    with page.expect_download() as geojson:
        main.get_by_role("button", name="下载 GeoJSON").click()
    path = tmp_path / "sites.geojson"
    geojson.value.save_as(path)
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    assert sorted(f["properties"]["code"] for f in features) == sorted(expected["code"])
