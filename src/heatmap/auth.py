"""Local accounts: argon2 password hashes, password strength, and sign-in slowed and then locked after
repeated wrong passwords, per account and per client. (A deployment with an identity provider signs in
through OIDC instead: README, "Sign-in".)"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from heatmap import config
from heatmap.access import Role, Viewer

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
# zxcvbn's estimate of how hard a password is to guess, 0 (top-10 common) to 4; 3 is "safely unguessable:
# moderate protection from an offline attack" — what a password that guards confidential projects needs.
MIN_PASSWORD_SCORE = 3
_CONTEXT_WORDS = ("taicang", "heatmap", "太仓", "zhaoshang")


class AccountError(ValueError):
    """An account could not be created or changed; the message key says why (see i18n `account.*`)."""


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is too weak (an i18n key), or None: too short, containing the username, or easy to
    guess (common passwords, words, dates, keyboard patterns, the city's name)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "account.password_min_length"
    name = username.strip().lower()
    if name and name in password.lower():
        return "account.password_has_username"
    if zxcvbn(password[:100], user_inputs=[name, *_CONTEXT_WORDS])["score"] < MIN_PASSWORD_SCORE:
        return "account.password_guessable"
    return None


def hash_password(password: str, username: str = "", check_strength: bool = True) -> str:
    problem = password_problem(password, username) if check_strength else None
    if problem:
        raise AccountError(problem)
    return _hasher.hash(password)


def new_password() -> str:
    """A strong random password an administrator hands on after a reset (the user then chooses their own)."""
    return "-".join(secrets.token_urlsafe(5) for _ in range(3))


def create_user(store, username: str, password: str, role: str, district: str | None = None, display_name: str | None = None,
                *, check_strength: bool = True, must_change_password: bool = False) -> None:
    """Create or replace a local account. Staff must be bound to a known district; others must not be.
    `check_strength=False` only for the sample's demo accounts, whose shared password README prints."""
    username = username.strip()
    if not username or any(c.isspace() for c in username) or len(username) > 80:
        raise AccountError("account.bad_username")
    role, district = _role_and_district(store, role, district)
    store.add_user(username, hash_password(password, username, check_strength), role.value, district,
                   (display_name or "").strip() or None, must_change_password=must_change_password)


def _role_and_district(store, role: str, district: str | None) -> tuple[Role, str | None]:
    try:
        role = Role(role)
    except ValueError:
        raise AccountError("account.bad_role") from None
    if role is Role.PUBLIC:
        raise AccountError("account.public_is_not_an_account")
    if role is Role.STAFF and district not in store.district_codes():
        raise AccountError("account.staff_needs_district")
    return role, district if role is Role.STAFF else None


def change_account(store, username: str, *, role: str | None = None, district: str | None = None,
                   display_name: str | None = None, active: bool | None = None) -> None:
    """An administrator changes an account's role and district, its name, or disables / re-enables it. A
    disabled account, or one whose role changed, is signed out everywhere at once."""
    row = store.user(username)
    if row is None:
        raise AccountError("account.unknown")
    values: dict = {}
    if role is not None:
        new_role, new_district = _role_and_district(store, role, district)
        values |= {"role": new_role.value, "district": new_district}
    if display_name is not None:
        values["display_name"] = display_name.strip() or username
    if active is not None:
        values["active"] = bool(active)
    store.update_user(username, **values)
    if values.get("active") is False or values.get("role", row["role"]) != row["role"] \
            or values.get("district", row["district"]) != row["district"]:
        store.revoke_sessions(_utcnow(), username=username)


def reset_password(store, username: str) -> str:
    """An administrator's reset: a new random password (returned, to hand on), which the user must replace
    at their next sign-in; every open session of the account ends."""
    if store.user(username) is None:
        raise AccountError("account.unknown")
    password = new_password()
    now = _utcnow()
    store.update_user(username, password_hash=_hasher.hash(password), must_change_password=True, password_changed_at=now)
    store.revoke_sessions(now, username=username)
    return password


def change_own_password(store, username: str, current: str, new: str, keep_session: str | None = None) -> None:
    """A user replaces their password, proving the current one; their other sessions end."""
    row = store.user(username)
    if row is None or not _verify(row["password_hash"], current):
        raise AccountError("account.current_password_wrong")
    if new == current:
        raise AccountError("account.password_unchanged")
    now = _utcnow()
    store.update_user(username, password_hash=hash_password(new, username), must_change_password=False, password_changed_at=now)
    store.revoke_sessions(now, username=username, keep=keep_session)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --- slowing and locking repeated wrong passwords ---------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """After `slow_after` failures an attempt waits 1, 2, 4 … (at most `max_delay_s`) seconds before its answer;
    `account_failures` failures of one account, or `client_failures` of one client, within `window` lock that
    account (or client) until `lock` has passed since the last of them."""

    slow_after: int = 3
    max_delay_s: float = 8.0
    account_failures: int = 5
    client_failures: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)
    lock: dt.timedelta = dt.timedelta(minutes=15)

    @classmethod
    def configured(cls) -> Policy:
        minutes = config._int_setting("HEATMAP_LOCKOUT_MINUTES", 15)
        return cls(account_failures=config._int_setting("HEATMAP_LOCKOUT_ACCOUNT_FAILURES", 5),
                   client_failures=config._int_setting("HEATMAP_LOCKOUT_CLIENT_FAILURES", 20),
                   window=dt.timedelta(minutes=minutes), lock=dt.timedelta(minutes=minutes))


@dataclass(frozen=True)
class Throttle:
    locked_until: dt.datetime | None  # no attempt is tried before then (not even the right password)
    delay_s: float  # how long the answer to this attempt waits


def throttle(account_failures: list[dt.datetime], client_failures: list[dt.datetime], now: dt.datetime,
             policy: Policy = Policy()) -> Throttle:
    """What the failures so far (within the policy's window, oldest first) mean for the next attempt."""
    recent_account = [at for at in account_failures if now - at < policy.window]
    recent_client = [at for at in client_failures if now - at < policy.window]
    locks = []
    if len(recent_account) >= policy.account_failures:
        locks.append(recent_account[-1] + policy.lock)
    if len(recent_client) >= policy.client_failures:
        locks.append(recent_client[-1] + policy.lock)
    locked_until = max((until for until in locks if until > now), default=None)
    excess = max(len(recent_account), len(recent_client) - policy.client_failures + policy.slow_after) - policy.slow_after
    delay = 0.0 if excess < 0 else min(policy.max_delay_s, 2.0 ** excess)
    return Throttle(locked_until, delay)


@dataclass(frozen=True)
class SignIn:
    viewer: Viewer | None  # None: refused
    refusal: str | None = None  # "failed" (wrong name or password, or a disabled account) | "locked"
    delay_s: float = 0.0
    locked_until: dt.datetime | None = None


def sign_in(store, username: str, password: str, client: str, now: dt.datetime | None = None,
            policy: Policy | None = None) -> SignIn:
    """Try a sign-in from `client` (an IP address), recording the attempt. A locked account or client is
    refused without trying the password; failures past the policy's threshold answer more slowly."""
    now = now or _utcnow()
    policy = policy or Policy.configured()
    name = username.strip()[:80]
    since = now - policy.window
    before = throttle(store.sign_in_failures(since, username=name), store.sign_in_failures(since, client=client), now, policy)
    if before.locked_until is not None:
        _hasher.hash("spend-the-same-time")
        return SignIn(None, "locked", before.delay_s, before.locked_until)
    viewer = authenticate(store, name, password)
    store.add_sign_in_attempt(name, client, viewer is not None, now)
    if viewer is not None:
        return SignIn(viewer)
    after = throttle(store.sign_in_failures(since, username=name), store.sign_in_failures(since, client=client), now, policy)
    return SignIn(None, "locked" if after.locked_until else "failed", before.delay_s, after.locked_until)


def authenticate(store, username: str, password: str) -> Viewer | None:
    """The viewer for a correct username and password of an active account, else None (no throttling: use
    `sign_in` for anything a user types)."""
    row = store.user(username.strip())
    if row is None or not row["active"]:
        _hasher.hash("spend-the-same-time")  # do not reveal which usernames exist by timing
        return None
    if not _verify(row["password_hash"], password):
        return None
    return viewer_of(row)


def viewer_of(row) -> Viewer:
    return Viewer(username=row["username"], role=Role(row["role"]), district=row["district"],
                  display_name=row["display_name"] or row["username"])
