"""The audit trail's store, on SQLite and PostGIS: an act is recorded with who (account, role, district), when
(UTC), what (an action, its target and the target's district, details) and from where (address, client); what a
caller does not say comes from the current context (heatmap.audit); it is read back newest first, filtered by
time, account, action and district; written inside a change's transaction it stands or falls with it; and the
database refuses to change or remove it — UPDATE, DELETE and (PostgreSQL) TRUNCATE, by the app's own connection
and by a database role that is granted every privilege on the table but does not own it."""
import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from heatmap import audit, bootstrap
from heatmap.store import Store

STAFF = audit.Context(actor="staff-liuhe", role="staff", district="liuhe", client="203.0.113.7",
                      user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0")


def utcnow():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def test_an_act_is_recorded_with_who_when_what_and_from_where(store):
    before = utcnow()
    row_id = store.audit("export", "office", role="office", target="taicang-report-2026-5.xlsx", target_district="liuhe",
                         detail={"file": "taicang-report-2026-5.xlsx", "rows": 12, "period": "2026-5", "none": None},
                         client="198.51.100.4", user_agent="Firefox/140.0")
    [event] = store.audit_events().to_dict("records")
    assert event["id"] == row_id
    assert {k: event[k] for k in ("actor", "role", "district", "action", "target", "target_district", "client",
                                  "user_agent")} == {
        "actor": "office", "role": "office", "district": None, "action": "export", "target": "taicang-report-2026-5.xlsx",
        "target_district": "liuhe", "client": "198.51.100.4", "user_agent": "Firefox/140.0"}
    assert event["detail"] == {"file": "taicang-report-2026-5.xlsx", "rows": 12, "period": "2026-5"}  # None: not kept
    assert before - dt.timedelta(seconds=1) <= event["at"] <= utcnow() + dt.timedelta(seconds=1)  # UTC, naive


def test_what_the_caller_does_not_say_comes_from_the_current_context(store):
    with audit.acting(STAFF):
        store.audit("project_view", target="TC-PJ-001", target_district="liuhe")
        store.audit("upload_commit", "cli", target="a.csv")  # another actor: not staff-liuhe's role or district
    store.audit("inquiry_receive", target="LH-P001")  # outside: nobody, from nowhere known
    rows = store.audit_events().sort_values("id").to_dict("records")
    who = [(r["actor"], r["role"], r["district"], r["client"], r["user_agent"]) for r in rows]
    assert who == [("staff-liuhe", "staff", "liuhe", STAFF.client, STAFF.user_agent),
                   ("cli", None, None, STAFF.client, STAFF.user_agent),
                   (None, None, None, None, None)]


def test_the_context_is_restored_after_acting_and_is_its_own_in_each_thread(store):
    import threading

    seen = {}
    with audit.acting(STAFF):
        thread = threading.Thread(target=lambda: seen.setdefault("other", audit.current()))
        thread.start()
        thread.join()
        assert audit.current() == STAFF
    assert audit.current() == audit.Context() and seen["other"] == audit.Context()


def test_the_trail_reads_newest_first_and_filters_by_time_account_action_and_district(store):
    day = dt.datetime(2026, 11, 2, 1, 0)
    store.audit("signin", "staff-liuhe", role="staff", district="liuhe", at=day)
    store.audit("project_edit", "staff-liuhe", role="staff", district="liuhe", target="TC-PJ-001", target_district="liuhe",
                at=day + dt.timedelta(hours=1))
    store.audit("transfer_accept", "staff-shaxi", role="staff", district="shaxi", target="TC-PJ-001",
                target_district="shaxi", at=day + dt.timedelta(hours=2))
    store.audit("export", "office", role="office", target="report.xlsx", target_district="liuhe",
                at=day + dt.timedelta(days=1))
    trail = store.audit_events()
    assert trail["action"].tolist() == ["export", "transfer_accept", "project_edit", "signin"]
    assert store.audit_events(since=day + dt.timedelta(hours=1), until=day + dt.timedelta(days=1))["action"].tolist() == [
        "transfer_accept", "project_edit"]  # since: included; until: excluded
    assert store.audit_events(actor="staff-liuhe")["action"].tolist() == ["project_edit", "signin"]
    assert store.audit_events(action="export")["actor"].tolist() == ["office"]
    assert store.audit_events(action=["signin", "export"])["action"].tolist() == ["export", "signin"]
    # a district: what its people did, and what was done to its things
    assert store.audit_events(district="liuhe")["action"].tolist() == ["export", "project_edit", "signin"]
    assert store.audit_events(district="shaxi")["action"].tolist() == ["transfer_accept"]
    assert store.audit_events(limit=2)["action"].tolist() == ["export", "transfer_accept"]
    assert store.audit_actors() == ["office", "staff-liuhe", "staff-shaxi"]
    empty = store.audit_events(actor="nobody")
    assert empty.empty and "detail" in empty.columns


def test_an_action_without_a_name_is_refused_and_nothing_is_written(store):
    with pytest.raises(ValueError, match="unknown audit action 'delete_everything'"):
        store.audit("delete_everything", "admin")
    assert store.audit_events().empty
    from heatmap import i18n

    for code in audit.ACTIONS:  # every action the trail may hold has a name in both languages
        assert i18n.has(f"audit.action.{code}"), code
        assert i18n.t(f"audit.action.{code}", "zh") != i18n.t(f"audit.action.{code}", "en")


def test_written_inside_a_transaction_it_stands_or_falls_with_it(store):
    with pytest.raises(RuntimeError):
        with store.engine.begin() as conn:
            store.audit("rules_change", "admin", target="reports", conn=conn)
            raise RuntimeError("the change it records failed")
    assert store.audit_events().empty
    with store.engine.begin() as conn:
        store.audit("rules_change", "admin", target="reports", conn=conn)
    assert store.audit_events()["target"].tolist() == ["reports"]


def test_loading_the_sample_is_one_entry_and_the_reset_keeps_the_trail(store):
    store.audit("signin", "admin", role="admin")
    with audit.acting(actor="admin", role="admin", client="cli"):
        bootstrap.load_sample(store, 200, 40, accounts=False)
        bootstrap.load_sample(store, 200, 40, accounts=False)  # the sample again: the reset empties the pipeline, not this
    trail = store.audit_events().sort_values("id")
    assert trail["action"].tolist() == ["signin", "sample_load", "sample_load"]  # none of the sample's made-up history
    assert trail.iloc[1]["actor"] == "admin" and trail.iloc[1]["detail"]["carriers"] == 200
    assert len(store.versions()) > 2 and len(store.reports()) > 0  # which was written all the same


def test_nothing_is_written_while_unrecorded_and_recording_resumes_after(store):
    with audit.unrecorded():
        assert store.audit("signin", "admin") is None
    assert store.audit("signin", "admin") is not None
    assert len(store.audit_events()) == 1


def _refused(engine, statement):
    with pytest.raises(sa.exc.DatabaseError, match="audit_events is append-only"):
        with engine.begin() as conn:
            conn.execute(sa.text(statement))


def test_the_database_refuses_to_change_or_remove_an_entry(store):
    store.audit("signin", "admin", role="admin", client="203.0.113.7")
    _refused(store.engine, "UPDATE audit_events SET actor = 'someone-else'")
    _refused(store.engine, "DELETE FROM audit_events")
    if store.backend == "postgresql":
        _refused(store.engine, "TRUNCATE audit_events")
    [event] = store.audit_events().to_dict("records")
    assert (event["actor"], event["client"]) == ("admin", "203.0.113.7")


def test_truncate_is_refused_on_every_append_only_table(postgis_url):
    from heatmap.store.schema import APPEND_ONLY_TABLES

    store = Store(postgis_url)
    store.drop_schema()
    store.create_schema()
    try:
        for table in APPEND_ONLY_TABLES:
            with pytest.raises(sa.exc.DatabaseError, match=f"{table} is append-only"):
                with store.engine.begin() as conn:
                    conn.execute(sa.text(f"TRUNCATE {table}"))
    finally:
        store.engine.dispose()


@pytest.fixture
def app_role(postgis_url):
    """A database role as a deployment gives the app when another role owns the tables: allowed to connect, to
    read and write every table (UPDATE, DELETE and TRUNCATE included) and to use the sequences — no superuser,
    no owner. Dropped afterwards."""
    owner = Store(postgis_url)
    owner.drop_schema()
    owner.create_schema()
    name = f"heatmap_app_{uuid.uuid4().hex[:8]}"
    database = owner.engine.url.database
    with owner.engine.begin() as conn:
        conn.execute(sa.text(f"CREATE ROLE {name} LOGIN PASSWORD 'app-role' NOSUPERUSER NOCREATEDB NOCREATEROLE"))
        conn.execute(sa.text(f'GRANT CONNECT ON DATABASE "{database}" TO {name}'))
        conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {name}"))
        conn.execute(sa.text(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {name}"))
        conn.execute(sa.text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}"))
    url = owner.engine.url.set(username=name, password="app-role").render_as_string(hide_password=False)
    yield owner, url, name
    with owner.engine.begin() as conn:
        conn.execute(sa.text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{name}'"))
        conn.execute(sa.text(f"DROP OWNED BY {name}"))
        conn.execute(sa.text(f"DROP ROLE {name}"))
    owner.engine.dispose()


def test_the_apps_database_role_cannot_change_remove_or_unguard_audit_rows(app_role):
    owner, url, name = app_role
    app = Store(url)
    try:
        with app.engine.connect() as conn:  # truly a role of its own, not a superuser
            assert conn.execute(sa.text("SELECT current_user, usesuper FROM pg_user WHERE usename = current_user")).one() == (
                name, False)
        app.create_schema()  # what every start of the app does: the database is at the newest revision already
        app.audit("signin", "staff-liuhe", role="staff", district="liuhe", client="203.0.113.7")  # it writes the trail
        assert app.audit_events()["actor"].tolist() == ["staff-liuhe"]  # and reads it
        for statement in ("UPDATE audit_events SET actor = 'someone-else'", "DELETE FROM audit_events",
                          "TRUNCATE audit_events"):
            _refused(app.engine, statement)
        for statement in ("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
                          "DROP TRIGGER audit_events_append_only ON audit_events",
                          "DROP TRIGGER audit_events_no_truncate ON audit_events", "DROP TABLE audit_events"):
            with pytest.raises(sa.exc.ProgrammingError, match="must be owner"):
                with app.engine.begin() as conn:
                    conn.execute(sa.text(statement))
        # the owner, through the app's own connection, is refused the same
        for statement in ("UPDATE audit_events SET actor = 'someone-else'", "DELETE FROM audit_events",
                          "TRUNCATE audit_events"):
            _refused(owner.engine, statement)
        [event] = owner.audit_events().to_dict("records")
        assert (event["actor"], event["client"]) == ("staff-liuhe", "203.0.113.7")
    finally:
        app.engine.dispose()
