"""The map's scripts and styles, served by the app itself (no CDN).

They come from registry packages installed by requirements.txt — Leaflet from django-js-lib-leaflet,
Leaflet.heat from folium's own templates — and are copied into static/vendor/ (not committed), which
Streamlit serves at /app/static/vendor/ (server.enableStaticServing in .streamlit/config.toml).
"""
from __future__ import annotations

import shutil
from functools import lru_cache
from importlib import resources
from pathlib import Path

from heatmap import config

STATIC_URL = "/app/static/vendor"

# file name under static/vendor -> (package, path inside the package)
_SOURCES = {
    "leaflet.js": ("js_lib_leaflet", "static/js_lib_leaflet/leaflet.js"),
    "leaflet.css": ("js_lib_leaflet", "static/js_lib_leaflet/leaflet.css"),
    "images/layers.png": ("js_lib_leaflet", "static/js_lib_leaflet/images/layers.png"),
    "images/layers-2x.png": ("js_lib_leaflet", "static/js_lib_leaflet/images/layers-2x.png"),
    "images/marker-icon.png": ("js_lib_leaflet", "static/js_lib_leaflet/images/marker-icon.png"),
    "images/marker-icon-2x.png": ("js_lib_leaflet", "static/js_lib_leaflet/images/marker-icon-2x.png"),
    "images/marker-shadow.png": ("js_lib_leaflet", "static/js_lib_leaflet/images/marker-shadow.png"),
    "leaflet-heat.js": ("folium", "templates/leaflet_heat.min.js"),
}


def vendor_dir() -> Path:
    return config.static_dir() / "vendor"


def url(name: str) -> str:
    """The URL the browser loads a vendored file from."""
    return f"{STATIC_URL}/{name}"


@lru_cache(maxsize=1)
def ensure_static_assets() -> Path:
    """Copy the vendored files into static/vendor once per process (and whenever one is missing)."""
    target = vendor_dir()
    for name, (package, inner) in _SOURCES.items():
        source = resources.files(package).joinpath(inner)
        dest = target / name
        if dest.exists() and dest.stat().st_size == source.stat().st_size:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        with resources.as_file(source) as path:
            shutil.copyfile(path, dest)
    return target
