"""Local accounts (issue 11): strong passwords, sign-in slowed and then locked after repeated wrong passwords
per account and per client, an administrator's changes and resets, and a user's own password change."""
import datetime as dt

import pytest

from heatmap import auth
from heatmap.access import Role

STRONG = "lantern over quiet harbour"
T0 = dt.datetime(2026, 12, 2, 9, 0)


# --- password strength ----------------------------------------------------------------------------------


@pytest.mark.parametrize("password, username, problem", [
    ("short", "wang", "account.password_min_length"),
    ("123456789", "wang", "account.password_min_length"),
    ("password1234", "wang", "account.password_guessable"),
    ("taicang2026!", "wang", "account.password_guessable"),
    ("qwertyuiop123", "wang", "account.password_guessable"),
    ("wang-loves-the-harbour", "wang", "account.password_has_username"),
    ("Staff-Liuhe-secret-99", "staff-liuhe", "account.password_has_username"),
])
def test_a_weak_password_is_refused_saying_why(password, username, problem):
    assert auth.password_problem(password, username) == problem
    with pytest.raises(auth.AccountError, match=problem):
        auth.hash_password(password, username)


@pytest.mark.parametrize("password", [STRONG, "brass kettle sings at dawn", "Zq7!mV2#pL9x"])
def test_a_long_or_random_password_is_accepted(password):
    assert auth.password_problem(password, "wang") is None
    assert auth.hash_password(password, "wang").startswith("$argon2")


def test_the_samples_demo_accounts_may_keep_their_printed_password(sqlite_store):
    auth.create_user(sqlite_store, "demo", "taicang-demo", "leader", check_strength=False)
    assert auth.authenticate(sqlite_store, "demo", "taicang-demo").role is Role.LEADER
    with pytest.raises(auth.AccountError):
        auth.create_user(sqlite_store, "demo2", "taicang-demo", "leader")


def test_new_passwords_an_administrator_hands_on_are_strong():
    made = {auth.new_password() for _ in range(20)}
    assert len(made) == 20
    assert all(auth.password_problem(p, "wang") is None for p in made)


# --- the throttle, as a rule -------------------------------------------------------------------------------


def failures(n, start=T0, every=dt.timedelta(seconds=10)):
    return [start + i * every for i in range(n)]


def test_the_first_wrong_passwords_cost_nothing_then_each_waits_longer():
    policy = auth.Policy()
    delays = [auth.throttle(failures(n), [], T0 + dt.timedelta(minutes=1), policy).delay_s for n in range(5)]
    assert delays == [0.0, 0.0, 0.0, 1.0, 2.0]
    assert auth.throttle(failures(4), failures(4), T0 + dt.timedelta(minutes=1), policy).locked_until is None


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes_after_the_last():
    policy = auth.Policy()
    five = failures(5)
    now = five[-1] + dt.timedelta(seconds=1)
    assert auth.throttle(five, five, now, policy).locked_until == five[-1] + dt.timedelta(minutes=15)
    later = five[-1] + dt.timedelta(minutes=15, seconds=1)
    assert auth.throttle(five, five, later, policy).locked_until is None


def test_failures_older_than_the_window_do_not_count():
    policy = auth.Policy()
    old = failures(4, start=T0 - dt.timedelta(hours=1))
    assert auth.throttle(old + failures(1), [], T0 + dt.timedelta(minutes=1), policy) == auth.Throttle(None, 0.0)


def test_one_client_trying_many_accounts_is_locked_too():
    policy = auth.Policy()
    twenty = failures(20, every=dt.timedelta(seconds=5))
    now = twenty[-1] + dt.timedelta(seconds=1)
    verdict = auth.throttle([], twenty, now, policy)
    assert verdict.locked_until == twenty[-1] + dt.timedelta(minutes=15)
    assert auth.throttle([], twenty[:17], now, policy).delay_s == 0.0  # a shared office address is slowed late


# --- signing in, with the store -------------------------------------------------------------------------------


@pytest.fixture
def accounts(store):
    auth.create_user(store, "wang", STRONG, "staff", sorted(store.district_codes())[0], "王工")
    auth.create_user(store, "li", STRONG, "leader")
    return store


def test_a_right_password_signs_in_and_is_recorded(accounts):
    result = auth.sign_in(accounts, "wang", STRONG, "10.0.0.5", now=T0)
    assert result.viewer.username == "wang" and result.refusal is None and result.delay_s == 0
    assert accounts.sign_in_failures(T0 - dt.timedelta(hours=1), username="wang") == []


def test_twenty_wrong_passwords_then_the_right_one_is_still_refused(accounts):
    """Today's bug: 20 wrong passwords in a row, then the right one worked at once."""
    refusals = [auth.sign_in(accounts, "wang", f"guess {i}", "10.0.0.5", now=T0 + dt.timedelta(seconds=i)).refusal
                for i in range(20)]
    assert refusals[:4] == ["failed"] * 4 and refusals[4:] == ["locked"] * 16
    right = auth.sign_in(accounts, "wang", STRONG, "10.0.0.5", now=T0 + dt.timedelta(seconds=21))
    assert right.viewer is None and right.refusal == "locked"
    assert right.locked_until == T0 + dt.timedelta(seconds=4, minutes=15)  # the fifth failure locked it
    # the lock holds against another client too (per account) …
    assert auth.sign_in(accounts, "wang", STRONG, "10.9.9.9", now=T0 + dt.timedelta(minutes=5)).refusal == "locked"
    # … and lifts by itself
    assert auth.sign_in(accounts, "wang", STRONG, "10.0.0.5", now=T0 + dt.timedelta(minutes=20)).viewer.username == "wang"


def test_a_locked_account_does_not_lock_its_colleagues(accounts):
    for i in range(6):
        auth.sign_in(accounts, "wang", f"guess {i}", "10.0.0.5", now=T0 + dt.timedelta(seconds=i))
    assert auth.sign_in(accounts, "li", STRONG, "10.0.0.6", now=T0 + dt.timedelta(seconds=10)).viewer.role is Role.LEADER


def test_a_client_guessing_many_accounts_is_locked_for_every_account(accounts):
    policy = auth.Policy(client_failures=6)
    for i in range(6):
        auth.sign_in(accounts, f"user{i}", "guess", "10.6.6.6", now=T0 + dt.timedelta(seconds=i), policy=policy)
    assert auth.sign_in(accounts, "li", STRONG, "10.6.6.6", now=T0 + dt.timedelta(seconds=10), policy=policy).refusal == "locked"
    assert auth.sign_in(accounts, "li", STRONG, "10.7.7.7", now=T0 + dt.timedelta(seconds=10), policy=policy).viewer is not None


def test_a_success_clears_the_account_count(accounts):
    for i in range(4):
        auth.sign_in(accounts, "wang", "guess", "10.0.0.5", now=T0 + dt.timedelta(seconds=i))
    assert auth.sign_in(accounts, "wang", STRONG, "10.0.0.5", now=T0 + dt.timedelta(seconds=5)).viewer is not None
    after = auth.sign_in(accounts, "wang", "guess", "10.0.0.5", now=T0 + dt.timedelta(seconds=6))
    assert after.refusal == "failed" and after.delay_s == 0


def test_a_disabled_account_cannot_sign_in_and_an_enabled_one_can(accounts):
    auth.change_account(accounts, "wang", active=False)
    assert auth.sign_in(accounts, "wang", STRONG, "10.0.0.5", now=T0).refusal == "failed"
    auth.change_account(accounts, "wang", active=True)
    assert auth.sign_in(accounts, "wang", STRONG, "10.0.0.5", now=T0 + dt.timedelta(seconds=1)).viewer is not None


# --- administrators and users change accounts ------------------------------------------------------------------


def test_an_administrator_sets_role_and_district(accounts):
    district = sorted(accounts.district_codes())[1]
    auth.change_account(accounts, "li", role="staff", district=district)
    row = accounts.user("li")
    assert (row["role"], row["district"]) == ("staff", district)
    auth.change_account(accounts, "li", role="office", district=district)
    assert accounts.user("li")["district"] is None  # only staff are bound to a district
    with pytest.raises(auth.AccountError, match="account.staff_needs_district"):
        auth.change_account(accounts, "li", role="staff", district=None)
    with pytest.raises(auth.AccountError, match="account.unknown"):
        auth.change_account(accounts, "nobody", active=False)


def test_a_reset_gives_a_new_password_the_user_must_replace(accounts):
    password = auth.reset_password(accounts, "wang")
    assert auth.authenticate(accounts, "wang", STRONG) is None
    assert auth.authenticate(accounts, "wang", password).username == "wang"
    assert accounts.user("wang")["must_change_password"]
    auth.change_own_password(accounts, "wang", password, "brass kettle sings at dawn")
    assert not accounts.user("wang")["must_change_password"]
    assert auth.authenticate(accounts, "wang", "brass kettle sings at dawn") is not None


def test_changing_ones_own_password_needs_the_current_one_and_a_strong_new_one(accounts):
    with pytest.raises(auth.AccountError, match="account.current_password_wrong"):
        auth.change_own_password(accounts, "wang", "not it", "brass kettle sings at dawn")
    with pytest.raises(auth.AccountError, match="account.password_guessable"):
        auth.change_own_password(accounts, "wang", STRONG, "password1234")
    with pytest.raises(auth.AccountError, match="account.password_unchanged"):
        auth.change_own_password(accounts, "wang", STRONG, STRONG)
    assert auth.authenticate(accounts, "wang", STRONG) is not None
