"""Where things live and the few settings an operator may change (all through environment variables)."""
from __future__ import annotations

import functools
import os
import secrets as _secrets
import tomllib
from pathlib import Path
from typing import Mapping

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


# --- settings and secrets: the environment, else Streamlit's secrets file, never the repository -------------


@functools.cache
def _secrets_file() -> dict[str, str]:
    """HEATMAP_* settings from Streamlit's secrets files (`.streamlit/secrets.toml` beside the app, which git
    ignores, or in the user's home), where Streamlit itself reads them: a key `database_url` under a table
    `[heatmap]` or a top-level `HEATMAP_DATABASE_URL` both give HEATMAP_DATABASE_URL."""
    out: dict[str, str] = {}
    for path in (Path.home() / ".streamlit" / "secrets.toml", REPO_ROOT / ".streamlit" / "secrets.toml"):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        for key, value in data.items():
            if key == "heatmap" and isinstance(value, dict):
                out.update({f"HEATMAP_{k.upper()}": str(v) for k, v in value.items() if not isinstance(v, dict)})
            elif key.startswith("HEATMAP_") and not isinstance(value, dict):
                out[key] = str(value)
    return out


def settings() -> Mapping[str, str]:
    """Every setting by its HEATMAP_* name: the environment wins over the secrets file."""
    return _secrets_file() | {k: v for k, v in os.environ.items() if k.startswith("HEATMAP_")}


def setting(name: str, default: str = "") -> str:
    return settings().get(name, default)


def database_url() -> str:
    """HEATMAP_DATABASE_URL names a shared PostgreSQL/PostGIS; otherwise one embedded SQLite file."""
    url = setting("HEATMAP_DATABASE_URL").strip()
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


# --- sessions and sign-in ------------------------------------------------------------------------------

# Minutes of inactivity after which a signed-in session ends, by role (HEATMAP_SESSION_IDLE_MINUTES for all,
# HEATMAP_SESSION_IDLE_MINUTES_<ROLE> for one). Leaders often keep the map open on a wall screen.
_IDLE_MINUTES = {"staff": 30, "office": 30, "admin": 30, "leader": 240}


def _int_setting(name: str, default: int, minimum: int = 1) -> int:
    try:
        return max(minimum, int(setting(name, str(default))))
    except ValueError:
        return default


def _float_setting(name: str, default: float, minimum: float = 0.01) -> float:
    try:
        return max(minimum, float(setting(name, str(default))))
    except ValueError:
        return default


def session_idle_minutes(role: str) -> float:
    default = _float_setting("HEATMAP_SESSION_IDLE_MINUTES", _IDLE_MINUTES.get(role, 30))
    return _float_setting(f"HEATMAP_SESSION_IDLE_MINUTES_{role.upper()}", default)


def session_lifetime_hours() -> int:
    """However active, a session ends this long after sign-in (HEATMAP_SESSION_HOURS, default 12)."""
    return _int_setting("HEATMAP_SESSION_HOURS", 12)


def cookie_secure() -> bool | None:
    """HEATMAP_COOKIE_SECURE=1 marks the session cookie Secure (HTTPS only); unset: Secure when the request
    came over HTTPS."""
    value = setting("HEATMAP_COOKIE_SECURE").strip().lower()
    return None if not value else value in ("1", "true", "yes")


def cookie_key() -> str:
    """The key that signs session cookies: HEATMAP_COOKIE_KEY (environment or secrets), else a random key
    made once and kept in the data directory (readable by the app's user only), never in the repository."""
    key = setting("HEATMAP_COOKIE_KEY").strip()
    if key:
        return key
    path = data_dir() / "cookie-key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = _secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(new)
        return new
