"""The one place that speaks SQL: SQLite (embedded default) or PostgreSQL with PostGIS.

Carriers and projects are written only through `save_*`, which validates every record first and then
writes all of them, a new version and its history in one transaction: a change is whole or absent.
History keeps, per version, what each record was before and after, so any earlier state can be shown
(`state_at`) and any version undone (`rollback`), the undoing being itself a new version.

The package keeps one small interface, `Store`, over modules split by concern: `schema` (tables),
`rows` (entities, values, bulk rows), `records` (the versioned-record engine: diff, save, history,
rollback), `reference` (meta, districts, header mappings), `accounts` (users, inquiries), `sessions` (signed-in
sessions, sign-in attempts) and `pipeline` (stage events, reports, the first-report ledger, duplicate decisions,
transfer proposals, rules), `grades` (grade evaluations, the leading group's decisions) and `audit` (the audit
trail, which every write above adds its row to in its own transaction).
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from heatmap import config
from heatmap.store.accounts import Accounts
from heatmap.store.audit import Audit
from heatmap.store.records import Conflict, Diff, RecordChange, Records, StoreBusy, conflict
from heatmap.store.grades import Grades
from heatmap.store.pipeline import Pipeline
from heatmap.store.reference import Reference
from heatmap.store.sessions import Sessions
from heatmap.store.rows import ENTITIES, PREVIOUS_GEOMETRY, Entity, records_frame
from heatmap.store.schema import (
    SRID,
    Geometry,
    audit_events_table,
    carriers_table,
    changes_table,
    districts_table,
    header_mappings_table,
    inquiries_table,
    meta_table,
    metadata,
    projects_table,
    users_table,
    versions_table,
)

__all__ = [
    "Store", "Conflict", "StoreBusy", "conflict", "Diff", "RecordChange", "ENTITIES", "Entity", "records_frame",
    "metadata", "SRID", "Geometry", "carriers_table", "projects_table", "changes_table", "versions_table",
    "districts_table", "users_table", "inquiries_table", "header_mappings_table", "meta_table", "PREVIOUS_GEOMETRY",
    "audit_events_table",
]


class Store(Records, Reference, Accounts, Sessions, Pipeline, Grades, Audit):
    """The database behind the app. Create one per process; it is safe to share between threads."""

    def __init__(self, url: str | None = None):
        self.url = url or config.database_url()
        parsed = sa.engine.make_url(self.url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(self.url, future=True, pool_pre_ping=True)
        if self.backend == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self._district_cache: set[str] | None = None

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # --- schema ----------------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create a new database, or upgrade an existing one in place to the newest schema through its
        migrations (heatmap.migrations; idempotent). On PostgreSQL PostGIS is enabled first."""
        from heatmap import migrations

        migrations.upgrade(self.engine, metadata)

    def drop_schema(self) -> None:
        with self.engine.begin() as conn:
            metadata.drop_all(conn)
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        self._district_cache = None

    def clear_records(self) -> None:
        """Delete every carrier, project and their history, and the pipeline's events, reports, ledger,
        decisions and proposals (districts, accounts, rules, meta and the audit trail stay): the sample's reset."""
        with self.engine.begin() as conn:
            for table in (changes_table, versions_table, carriers_table, projects_table):
                conn.execute(sa.delete(table))
            self._clear_pipeline(conn)

    def is_empty(self) -> bool:
        insp = sa.inspect(self.engine)
        if not insp.has_table("meta"):
            return True
        return self.get_meta("initialized") is None


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={int(config.lock_wait_seconds() * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
