"""Who may see and change what (heatmap.access) and local accounts (heatmap.auth)."""
import pandas as pd
import pytest

from heatmap import access, auth
from heatmap.access import PUBLIC, Action, Role, Viewer

STAFF_PORT = Viewer("staff-port", Role.STAFF, "port")
LEADER = Viewer("leader", Role.LEADER)
ADMIN = Viewer("admin", Role.ADMIN)


def test_the_public_may_see_no_pipeline_and_change_nothing():
    for action in Action:
        assert not access.allowed(PUBLIC, action)
        assert not access.allowed(PUBLIC, action, "port")


def test_staff_edit_and_read_only_their_own_district():
    assert access.allowed(STAFF_PORT, Action.EDIT_CARRIERS, "port")
    assert not access.allowed(STAFF_PORT, Action.EDIT_CARRIERS, "liuhe")
    assert access.allowed(STAFF_PORT, Action.VIEW_PIPELINE, "port")
    assert not access.allowed(STAFF_PORT, Action.VIEW_PIPELINE, "liuhe")
    assert not access.allowed(STAFF_PORT, Action.MANAGE_ACCOUNTS)


def test_leaders_read_everything_and_change_nothing():
    assert access.allowed(LEADER, Action.VIEW_PIPELINE, "liuhe")
    assert access.allowed(LEADER, Action.VIEW_PRIVATE_CARRIERS)
    assert not access.allowed(LEADER, Action.EDIT_CARRIERS, "port")
    assert not access.allowed(LEADER, Action.MANAGE_ACCOUNTS)


def test_administrators_may_do_everything():
    assert all(access.allowed(ADMIN, action, "port") for action in Action)


PROJECTS = pd.DataFrame({
    "code": ["A", "B", "C"], "name": ["甲", "乙", "丙"], "investor": ["x", "y", "z"],
    "district": ["port", "liuhe", "liuhe"], "origin_district": ["port", "port", "liuhe"],
})
CARRIERS = pd.DataFrame({"code": ["P1", "P2"], "is_public": [True, False]})


def test_who_may_roll_back_which_version():
    staff = Viewer("staff-liuhe", Role.STAFF, "liuhe")
    assert access.may_roll_back(staff, "carrier", "liuhe") and access.may_roll_back(staff, "project", "liuhe")
    assert not access.may_roll_back(staff, "carrier", "port")
    assert not access.may_roll_back(staff, "carrier", None)  # city-wide versions are for administrators
    admin = Viewer("admin", Role.ADMIN)
    assert access.may_roll_back(admin, "carrier", None) and access.may_roll_back(admin, "project", "port")
    for viewer in (PUBLIC, Viewer("leader", Role.LEADER)):
        assert not access.may_roll_back(viewer, "carrier", "liuhe") and not access.may_roll_back(viewer, "carrier", None)


VERSIONS = pd.DataFrame({"id": [1, 2, 3, 4], "district": ["liuhe", "port", None, "liuhe"]})


def test_whose_versions_each_viewer_reads_in_the_history():
    staff = Viewer("staff-liuhe", Role.STAFF, "liuhe")
    assert access.visible_versions(staff, "carrier", VERSIONS)["id"].tolist() == [1, 3, 4]  # and the city-wide ones
    assert access.visible_versions(staff, "project", VERSIONS)["id"].tolist() == [1, 4]  # confidential: their own only
    office = Viewer("office", Role.OFFICE)
    assert access.visible_versions(office, "project", VERSIONS)["id"].tolist() == [1, 2, 3, 4]
    assert access.visible_versions(office, "carrier", VERSIONS).empty  # the office keeps no carriers
    assert access.visible_versions(ADMIN, "carrier", VERSIONS)["id"].tolist() == [1, 2, 3, 4]
    for viewer in (PUBLIC, LEADER):
        assert access.visible_versions(viewer, "project", VERSIONS).empty and access.visible_versions(viewer, "carrier", VERSIONS).empty
    assert access.may_roll_back(office, "project", "port") and access.may_roll_back(office, "project", None)
    assert not access.may_roll_back(office, "carrier", "port")


def test_visible_projects():
    assert access.visible_projects(PUBLIC, PROJECTS).empty
    assert list(access.visible_projects(STAFF_PORT, PROJECTS)["code"]) == ["A", "B"]  # destination or origin
    assert list(access.visible_projects(LEADER, PROJECTS)["code"]) == ["A", "B", "C"]


def test_visible_carriers():
    assert list(access.visible_carriers(PUBLIC, CARRIERS)["code"]) == ["P1"]
    assert list(access.visible_carriers(STAFF_PORT, CARRIERS)["code"]) == ["P1", "P2"]


def test_accounts_hash_with_argon2_and_sign_in(sqlite_store):
    auth.create_user(sqlite_store, "staff-port", "correct horse staple", "staff", "port", "港区招商")
    stored = sqlite_store.user("staff-port")
    assert stored["password_hash"].startswith("$argon2")
    assert "correct horse staple" not in stored["password_hash"]
    viewer = auth.authenticate(sqlite_store, "staff-port", "correct horse staple")
    assert viewer == Viewer("staff-port", Role.STAFF, "port", "港区招商")
    assert auth.authenticate(sqlite_store, "staff-port", "wrong") is None
    assert auth.authenticate(sqlite_store, "nobody", "correct horse staple") is None


@pytest.mark.parametrize("args, key", [
    (("a", "short", "leader"), "account.password_min_length"),
    (("has space", "lantern over quiet harbour", "leader"), "account.bad_username"),
    (("s", "lantern over quiet harbour", "staff"), "account.staff_needs_district"),
    (("s", "lantern over quiet harbour", "staff", "atlantis"), "account.staff_needs_district"),
    (("p", "lantern over quiet harbour", "public"), "account.public_is_not_an_account"),
])
def test_bad_accounts_are_refused(sqlite_store, args, key):
    with pytest.raises(auth.AccountError, match=key):
        auth.create_user(sqlite_store, *args)


def test_only_staff_are_bound_to_a_district(sqlite_store):
    auth.create_user(sqlite_store, "boss", "lantern over quiet harbour", "leader", "port")
    assert sqlite_store.user("boss")["district"] is None
