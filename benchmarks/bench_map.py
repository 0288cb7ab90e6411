"""How heavy is the heat map? Build time and bytes sent to the browser, the app's way and the naive way.

    .venv/bin/python benchmarks/bench_map.py                 # 1k, 10k, 100k carriers
    .venv/bin/python benchmarks/bench_map.py --sizes 1000 10000 --browser

For each size the sample generator makes that many carriers (and a tenth as many projects); then
- app: filter + district figures + `mapview.build_map` + the HTML streamlit-folium sends (script,
  header, html), as a signed-in leader sees it (every layer, both heat layers);
- naive: `folium.GeoJson(all features, all properties)` rendered the same way.
"Bytes" is the size of what the component receives; "gzip" what crosses the wire with
server.enableWebsocketCompression (zlib, as the websocket does).
With --browser, the app runs under `streamlit run` on a 10k sample and Chromium measures how long the
page takes to settle after a filter change (from the click to the new map drawn).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def sent_bytes(folium_map) -> bytes:
    """What st_folium hands the frontend for this map (the same calls it makes)."""
    import streamlit_folium as sf

    folium_map.get_root().render()
    payload = sf._get_map_string(folium_map) + sf._get_header(folium_map) + sf._get_html(folium_map)
    return payload.encode("utf-8")


def measure(n: int) -> dict:
    import geopandas as gpd
    import pandas as pd

    from heatmap import filters, mapview, sample, summary
    from heatmap.store import records_frame

    data = sample.generate(n, max(30, n // 10), history=False)
    carriers = records_frame("carrier", data.carriers)
    projects = records_frame("project", data.projects)
    districts = pd.DataFrame(data.districts)
    districts = gpd.GeoDataFrame(districts, geometry=gpd.GeoSeries(districts["seat"], crs=4326), crs=4326)

    started = time.perf_counter()
    chosen = filters.filter_carriers(carriers, filters.Filters(), dt.date.today())
    figures = summary.district_table(districts, chosen, projects)
    built = mapview.build_map(mapview.MapContent(carriers=chosen, districts=districts, district_figures=figures, projects=projects))
    app_payload = sent_bytes(built.map)
    app_seconds = time.perf_counter() - started

    started = time.perf_counter()
    naive_payload = sent_bytes(mapview.naive_map(carriers))
    naive_seconds = time.perf_counter() - started
    return {
        "carriers": n, "aggregated": built.aggregated,
        "app_s": app_seconds, "app_bytes": len(app_payload), "app_gzip": len(gzip.compress(app_payload, 6)),
        "naive_s": naive_seconds, "naive_bytes": len(naive_payload), "naive_gzip": len(gzip.compress(naive_payload, 6)),
    }


def browser_settle(n: int) -> list[tuple[str, float, int]]:
    """Seconds from a filter change to the new map drawn, in Chromium, with `n` carriers loaded."""
    import subprocess

    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM, CHROMIUM_ARGS, RunningApp, choose_option, wait_for_app

    data_dir = Path(tempfile.mkdtemp(prefix="bench-map-"))
    env = os.environ | {"HEATMAP_DATA_DIR": str(data_dir), "HEATMAP_DATABASE_URL": ""}
    subprocess.run([sys.executable, "-m", "heatmap", "sample", "--carriers", str(n), "--projects", str(n // 10),
                    "--no-history"], check=True, env=env, stdout=subprocess.DEVNULL)
    app = RunningApp(data_dir)
    results = []
    count_js = "() => { let k = 0; window.map && window.map.eachLayer(l => { if (l.feature) k += 1; }); return k; }"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            started = time.perf_counter()
            page.goto(f"{app.url}/map")
            wait_for_app(page, 180)
            frame = [f for f in page.frames if "streamlit_folium" in f.url][-1]
            frame.wait_for_function("() => window.map && document.querySelector('.leaflet-overlay-pane canvas')")
            results.append(("first load (server just started, nothing cached)", time.perf_counter() - started, frame.evaluate(count_js)))
            for district in ("浏河镇", "太仓港经济技术开发区"):
                started = time.perf_counter()
                choose_option(page, "区镇", district)
                frame = [f for f in page.frames if "streamlit_folium" in f.url and not f.is_detached()][-1]
                frame.wait_for_function("() => window.map && document.querySelector('.leaflet-overlay-pane canvas')")
                elapsed = time.perf_counter() - started
                results.append((f"+ district {district}", elapsed, frame.evaluate(count_js)))
            browser.close()
    finally:
        app.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--browser", action="store_true", help="also time a filter change in Chromium (10k carriers)")
    args = parser.parse_args()
    print(f"{'carriers':>9} | {'app build':>9} {'app bytes':>11} {'gzip':>9} | {'naive build':>11} {'naive bytes':>12} {'gzip':>10} | bytes ÷")
    for n in args.sizes:
        r = measure(n)
        mode = "hexagons" if r["aggregated"] else "one by one"
        print(f"{r['carriers']:>9,} | {r['app_s']:>8.2f}s {r['app_bytes']:>11,} {r['app_gzip']:>9,} | "
              f"{r['naive_s']:>10.2f}s {r['naive_bytes']:>12,} {r['naive_gzip']:>10,} | "
              f"{r['naive_bytes'] / r['app_bytes']:>5.1f}×  ({mode})", flush=True)
    if args.browser:
        for label, seconds, features in browser_settle(10_000):
            print(f"browser, 10k carriers, {label}: {seconds:.2f} s ({features:,} shapes on the map)")


if __name__ == "__main__":
    main()
