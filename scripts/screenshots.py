"""Take the screenshots README shows: the app on a fresh sample, in headless Chromium.

    .venv/bin/python scripts/screenshots.py        # writes docs/screenshot-*.png
"""
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS, RunningApp, sign_in, wait_for_app  # noqa: E402

SHOTS = [
    # (file, signed in as, path and query)
    ("screenshot-map-leader.png", "leader", "/map"),
    ("screenshot-map-public-zoomed.png", None, "/map?lang=en&lat=31.49500&lon=121.15000&z=14"),
]


def main() -> None:
    app = RunningApp(Path(tempfile.mkdtemp(prefix="screenshots-")))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, user, path in SHOTS:
                page = browser.new_page(viewport={"width": 1500, "height": 1150})
                page.goto(app.url)
                wait_for_app(page, 180)
                if user:
                    sign_in(page, user)
                    page.locator("[data-testid='stSidebarNav'] a").nth(1).click()
                else:
                    page.goto(app.url + path)
                wait_for_app(page, 180)
                time.sleep(3)
                page.screenshot(path=str(REPO / "docs" / name))
                print("wrote", REPO / "docs" / name)
                page.close()
            browser.close()
    finally:
        app.stop()


if __name__ == "__main__":
    main()
