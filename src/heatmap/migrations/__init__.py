"""The store's schema history as Alembic migrations: every schema change after the first release is one
revision here, so a deployment's database is upgraded in place (`python -m heatmap init`, or any start of
the app) and keeps every record and version.

- A new, empty database gets today's tables at once (`metadata.create_all`) and is stamped with the newest
  revision, as Alembic's cookbook advises ("building an up to date database from scratch").
- A database made before migrations existed (release 2026-11, commit a7f1a56) has the tables but no
  `alembic_version`: it is stamped with the baseline, which is that release's schema, then upgraded.
- Any other database is upgraded from the revision it records.

On PostgreSQL the upgrade holds a transaction-level advisory lock, so two app processes starting at once
do not both migrate; SQLite takes its write lock (BEGIN IMMEDIATE) for the same reason.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

BASELINE = "0001"
_ADVISORY_KEY = 0x7463_6870  # "tchp": the heat map's schema lock on a shared PostgreSQL


def config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head()


def current(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, metadata: sa.MetaData) -> str | None:
    """Bring the database to the newest schema; returns the revision it had before (None: it was new or
    made before migrations)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
        cfg = config(conn)
        before = current(conn)
        if before is None:
            if sa.inspect(conn).has_table("carriers"):  # made by the release before migrations
                command.stamp(cfg, BASELINE)
                command.upgrade(cfg, "head")
            else:
                metadata.create_all(conn)
                command.stamp(cfg, "head")
        elif before != head():
            command.upgrade(cfg, "head")
        conn.commit()
    return before
