"""Local accounts: argon2 password hashes and sign-in. (Single sign-on may come later; this is the default.)"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from heatmap.access import Role, Viewer

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """An account could not be created; the message key says why (see i18n `account.*`)."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("account.password_too_short")
    return _hasher.hash(password)


def create_user(store, username: str, password: str, role: str, district: str | None = None, display_name: str | None = None) -> None:
    """Create or replace a local account. Staff must be bound to a known district; others must not be."""
    username = username.strip()
    if not username or any(c.isspace() for c in username):
        raise AccountError("account.bad_username")
    role = Role(role)
    if role is Role.PUBLIC:
        raise AccountError("account.public_is_not_an_account")
    if role is Role.STAFF and district not in store.district_codes():
        raise AccountError("account.staff_needs_district")
    if role is not Role.STAFF:
        district = None
    store.add_user(username, hash_password(password), role.value, district, display_name)


def authenticate(store, username: str, password: str) -> Viewer | None:
    """The viewer for a correct username and password of an active account, else None."""
    row = store.user(username.strip())
    if row is None or not row["active"]:
        _hasher.hash("spend-the-same-time")  # do not reveal which usernames exist by timing
        return None
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    return Viewer(username=row["username"], role=Role(row["role"]), district=row["district"], display_name=row["display_name"] or row["username"])
