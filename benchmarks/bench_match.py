"""How fast is matching? One project against 10k and 100k carriers; 1,000 projects against 10k carriers.

    .venv/bin/python benchmarks/bench_match.py
    .venv/bin/python benchmarks/bench_match.py --browser     # also: the page answering a changed need

Carriers and projects come from the sample generator; each project's needs are the ones it states
(`matching.needs_from_project`). A time is what the page does when a need changes: every carrier scored
(`matching.rank` on carriers prepared once per data version), the best 50 ranked, the first 10 explained.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def frames(n_carriers: int, n_projects: int):
    from heatmap import sample
    from heatmap.store import records_frame

    data = sample.generate(n_carriers, n_projects, history=False)
    return records_frame("carrier", data.carriers), records_frame("project", data.projects)


def one_project(prepared, project, repeat: int = 7) -> float:
    """Seconds to score every carrier for one project's needs, rank the best 50 and explain the first 10
    (what the page does when a need changes)."""
    from heatmap import matching

    needs = matching.needs_from_project(project)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        ranked = matching.rank(prepared, needs, limit=50)
        for _, row in ranked.head(10).iterrows():
            matching.explain(row, needs)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def browser_change(n: int) -> float:
    """Seconds from changing the minimum floor area on the matching page to the new ranking shown."""
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM, CHROMIUM_ARGS, RunningApp, wait_for_app

    data_dir = Path(tempfile.mkdtemp(prefix="bench-match-"))
    env = os.environ | {"HEATMAP_DATA_DIR": str(data_dir), "HEATMAP_DATABASE_URL": ""}
    subprocess.run([sys.executable, "-m", "heatmap", "sample", "--carriers", str(n), "--projects", "100", "--no-history"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    app = RunningApp(data_dir)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(f"{app.url}/matching")
            wait_for_app(page, 180)
            field = page.locator("[data-testid='stNumberInput']").filter(has=page.get_by_text("建筑面积（㎡） · 至少", exact=True)).locator("input")
            heading = page.locator("h3", has_text="处符合全部硬性条件")
            timings = []
            for value in ("3000", "8000", "15000"):
                before = heading.inner_text()
                field.fill(value)
                started = time.perf_counter()
                field.press("Enter")  # answered: the count of eligible sites in the heading has changed
                page.wait_for_function("([text]) => { const h = Array.from(document.querySelectorAll('h3'))"
                                       ".find(e => e.innerText.includes('处符合全部硬性条件')); return h && h.innerText !== text; }",
                                       arg=[before], timeout=60000)
                timings.append(time.perf_counter() - started)
                wait_for_app(page, 120)
            browser.close()
    finally:
        app.stop()
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    today = dt.date(2026, 11, 1)
    from heatmap import matching

    for n in (10_000, 100_000):
        carriers, projects = frames(n, 50)
        started = time.perf_counter()
        prepared = matching.prepare(carriers, today)
        prepare_ms = (time.perf_counter() - started) * 1000
        seconds = statistics.median(one_project(prepared, row.to_dict(), 3) for _, row in projects.head(10).iterrows())
        print(f"one project against {n:>7,} carriers: {seconds * 1000:7.1f} ms (median of 10 projects; "
              f"preparing the carriers once per data version: {prepare_ms:.0f} ms)", flush=True)
    carriers, projects = frames(10_000, 1_000)
    started = time.perf_counter()
    prepared = matching.prepare(carriers, today)
    for _, row in projects.iterrows():
        one_project(prepared, row.to_dict(), 1)
    total = time.perf_counter() - started
    print(f"1,000 projects against 10,000 carriers: {total:6.1f} s in all, {total:.1f} ms a project", flush=True)  # s/1000 = ms
    if args.browser:
        print(f"browser, 10k carriers, a changed need answered in {browser_change(10_000):.2f} s (median of 3)")


if __name__ == "__main__":
    main()
