"""Signed-in sessions: what the browser's cookie means.

The browser holds one HTTP-only cookie, `heatmap_session`: a random token signed with the deployment's key
(itsdangerous, with the time of signing), so a forged or altered cookie is refused before the database is
asked. The store keeps only the token's SHA-256, with the account, when the session began and was last
used, and when it was revoked. A session ends when idle longer than its role allows, at its absolute
lifetime, or when revoked: sign-out, sign-out everywhere, a password change or reset, the account disabled
or its role changed. Each check reads the account afresh, so such a change holds at the user's next click.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from heatmap import auth, config
from heatmap.access import Viewer

COOKIE = "heatmap_session"
TOUCH_EVERY = dt.timedelta(seconds=60)  # how often a used session's last-seen time is written (at most)


def _signer() -> TimestampSigner:
    return TimestampSigner(config.cookie_key(), salt="heatmap-session")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=config.session_lifetime_hours())


def begin(store, viewer: Viewer, now: dt.datetime, client: str | None = None, user_agent: str | None = None) -> str:
    """A new session for a signed-in viewer: the cookie's value."""
    token = secrets.token_urlsafe(32)
    store.add_session(_hash(token), viewer.username, now, now + lifetime(), client, user_agent)
    return _signer().sign(token).decode()


@dataclass(frozen=True)
class Resolved:
    viewer: Viewer | None
    state: str  # "ok" | "invalid" (forged, altered, unknown) | "expired" (idle or too old) | "ended" (revoked, disabled)
    token_hash: str | None = None
    must_change_password: bool = False
    ended_at: dt.datetime | None = None  # for an expired or ended session: when it ended

    def ended_recently(self, now: dt.datetime, within: dt.timedelta = dt.timedelta(hours=1)) -> bool:
        """Whether the browser should be told its session ended (not, hours later, on every new tab)."""
        return self.ended_at is not None and now - self.ended_at < within


def resolve(store, cookie: str | None, now: dt.datetime) -> Resolved:
    """Who a cookie signs in, if anyone, now; a used session's last-seen time moves on."""
    if not cookie:
        return Resolved(None, "invalid")
    try:
        token = _signer().unsign(cookie, max_age=int(lifetime().total_seconds())).decode()
    except SignatureExpired:
        return Resolved(None, "expired", ended_at=now)
    except BadSignature:
        return Resolved(None, "invalid")
    token_hash = _hash(token)
    row = store.session(token_hash)
    if row is None:
        return Resolved(None, "invalid")
    if row["revoked_at"] is not None:
        return Resolved(None, "ended", token_hash, ended_at=row["revoked_at"])
    account = store.user(row["username"])
    if account is None or not account["active"]:
        return Resolved(None, "ended", token_hash, ended_at=row["last_seen_at"])
    idle = dt.timedelta(minutes=config.session_idle_minutes(account["role"]))
    if now >= row["expires_at"] or now - row["last_seen_at"] > idle:
        return Resolved(None, "expired", token_hash, ended_at=min(row["expires_at"], row["last_seen_at"] + idle))
    if now - row["last_seen_at"] >= min(TOUCH_EVERY, idle / 4):
        store.touch_session(token_hash, now)
    return Resolved(auth.viewer_of(account), "ok", token_hash, bool(account["must_change_password"]))


def end(store, cookie: str | None, now: dt.datetime, everywhere: bool = False) -> str | None:
    """Sign out: this session, or (everywhere) every session of its account. The account's name, if any."""
    resolved = resolve(store, cookie, now)
    if resolved.token_hash is None:
        return None
    row = store.session(resolved.token_hash)
    if everywhere:
        store.revoke_sessions(now, username=row["username"])
    else:
        store.revoke_sessions(now, token_hash=resolved.token_hash)
    return row["username"]


def token_hash_of(cookie: str | None) -> str | None:
    """The stored hash of a well-signed cookie's token (to keep the current session on a password change)."""
    try:
        return _hash(_signer().unsign(cookie or "").decode())
    except BadSignature:
        return None
