"""Signed-in sessions (issue 11): a signed cookie names a stored session; it ends when idle too long, at its
lifetime, on sign-out (here or everywhere), when the password changes or the account is disabled; a forged
or altered cookie signs nobody in."""
import datetime as dt

import pytest

from heatmap import auth, sessions
from heatmap.access import Role

STRONG = "lantern over quiet harbour"
T0 = dt.datetime(2026, 12, 2, 9, 0)
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def wang(store, monkeypatch, tmp_path):
    monkeypatch.setenv("HEATMAP_COOKIE_KEY", "a test key that is long enough to sign cookies")
    auth.create_user(store, "wang", STRONG, "staff", sorted(store.district_codes())[0])
    auth.create_user(store, "li", STRONG, "leader")
    return store


def begin(store, username="wang", at=T0):
    return sessions.begin(store, auth.authenticate(store, username, STRONG), at, "10.0.0.5", "Chromium")


def test_a_cookie_signs_its_user_in_and_the_store_holds_no_token(wang):
    cookie = begin(wang)
    resolved = sessions.resolve(wang, cookie, T0 + MIN)
    assert resolved.state == "ok" and resolved.viewer.username == "wang" and resolved.viewer.role is Role.STAFF
    token = cookie.split(".")[0]
    stored = wang.open_sessions("wang", T0)
    assert len(stored) == 1 and token not in str(stored[0]) and stored[0]["client"] == "10.0.0.5"
    assert wang.user("wang")["last_sign_in_at"] == T0


@pytest.mark.parametrize("tamper", [lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),
                                    lambda c: "x" + c, lambda c: "", lambda c: "not-a-cookie"])
def test_a_forged_or_altered_cookie_signs_nobody_in(wang, tamper):
    cookie = begin(wang)
    assert sessions.resolve(wang, tamper(cookie), T0 + MIN).viewer is None


def test_a_cookie_signed_with_another_key_is_refused(wang, monkeypatch):
    cookie = begin(wang)
    monkeypatch.setenv("HEATMAP_COOKIE_KEY", "another deployment's key, also long enough")
    assert sessions.resolve(wang, cookie, T0 + MIN).state == "invalid"


def test_staff_are_signed_out_after_thirty_idle_minutes_but_use_keeps_them_in(wang):
    cookie = begin(wang)
    for minute in range(1, 120, 10):  # a click every ten minutes for two hours
        assert sessions.resolve(wang, cookie, T0 + minute * MIN).state == "ok"
    assert sessions.resolve(wang, cookie, T0 + 111 * MIN + 31 * MIN).state == "expired"


def test_the_idle_time_is_configurable_per_role(wang, monkeypatch):
    monkeypatch.setenv("HEATMAP_SESSION_IDLE_MINUTES", "5")
    staff, leader = begin(wang), begin(wang, "li")
    assert sessions.resolve(wang, staff, T0 + 6 * MIN).state == "expired"
    monkeypatch.setenv("HEATMAP_SESSION_IDLE_MINUTES_LEADER", "60")
    assert sessions.resolve(wang, leader, T0 + 59 * MIN).state == "ok"


def test_no_session_outlives_its_lifetime(wang, monkeypatch):
    monkeypatch.setenv("HEATMAP_SESSION_HOURS", "2")
    cookie = begin(wang)
    for minute in range(10, 120, 10):
        assert sessions.resolve(wang, cookie, T0 + minute * MIN).state == "ok"
    assert sessions.resolve(wang, cookie, T0 + 121 * MIN).state == "expired"


def test_sign_out_ends_this_session_and_everywhere_ends_all(wang):
    first, second, third = begin(wang), begin(wang), begin(wang)
    assert sessions.end(wang, first, T0 + MIN) == "wang"
    assert sessions.resolve(wang, first, T0 + 2 * MIN).state == "ended"
    assert sessions.resolve(wang, second, T0 + 2 * MIN).state == "ok"
    sessions.end(wang, second, T0 + 3 * MIN, everywhere=True)
    assert sessions.resolve(wang, third, T0 + 4 * MIN).state == "ended"
    assert wang.open_sessions("wang", T0 + 4 * MIN) == []


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(wang):
    here, there = begin(wang), begin(wang)
    auth.change_own_password(wang, "wang", STRONG, "brass kettle sings at dawn", keep_session=sessions.token_hash_of(here))
    now = auth._utcnow()
    assert sessions.resolve(wang, there, now).state == "ended"
    assert sessions.resolve(wang, here, now).state in ("ok", "expired")  # T0 is in the past: only not revoked matters
    assert wang.session(sessions.token_hash_of(here))["revoked_at"] is None


def test_disabling_an_account_or_changing_its_role_ends_its_sessions_at_once(wang):
    cookie = begin(wang)
    auth.change_account(wang, "wang", active=False)
    assert sessions.resolve(wang, cookie, T0 + MIN).state == "ended"
    auth.change_account(wang, "wang", active=True)
    assert sessions.resolve(wang, cookie, T0 + MIN).state == "ended"  # re-enabling signs nobody back in
    cookie = begin(wang, at=T0 + MIN)
    auth.change_account(wang, "wang", role="leader")
    assert sessions.resolve(wang, cookie, T0 + 2 * MIN).state == "ended"


def test_a_reset_signs_the_user_out_everywhere(wang):
    cookie = begin(wang)
    auth.reset_password(wang, "wang")
    assert sessions.resolve(wang, cookie, T0 + MIN).state == "ended"
