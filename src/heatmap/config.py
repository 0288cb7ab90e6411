"""Where things live and the few settings an operator may change (all through environment variables)."""
from __future__ import annotations

import os
from pathlib import Path

# src/heatmap/config.py -> the repository root holds data/, static/ and app.py.
REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    return Path(os.environ.get("HEATMAP_DATA_DIR", REPO_ROOT / "data"))


def geo_dir() -> Path:
    """Geometry shipped with the repository (read-only); see data/geo/README.md."""
    return REPO_ROOT / "data" / "geo"


def static_dir() -> Path:
    """Streamlit serves this folder at /app/static/ (server.enableStaticServing)."""
    return REPO_ROOT / "static"


def database_url() -> str:
    """HEATMAP_DATABASE_URL names a shared PostgreSQL/PostGIS; otherwise one embedded SQLite file."""
    url = os.environ.get("HEATMAP_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / 'heatmap.sqlite'}"


def auto_sample() -> bool:
    """Fill an empty database with the sample on first start (the embedded default)."""
    return os.environ.get("HEATMAP_AUTO_SAMPLE", "1") not in ("0", "false", "no")


def stale_after_days() -> int:
    """Records not verified for longer than this are flagged as stale."""
    return int(os.environ.get("HEATMAP_STALE_DAYS", "90"))


def demo_accounts() -> bool:
    """The sample creates the demo accounts README lists, unless this says no."""
    return os.environ.get("HEATMAP_DEMO_ACCOUNTS", "1") not in ("0", "false", "no")


def lock_wait_seconds() -> float:
    """How long a write waits for another writer (an upload, a rollback) to finish before it gives up and
    says the data is busy (HEATMAP_LOCK_WAIT_S, default 30 s)."""
    try:
        return max(0.1, float(os.environ.get("HEATMAP_LOCK_WAIT_S", "30")))
    except ValueError:
        return 30.0
