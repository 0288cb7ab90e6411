"""The store's tables: records (one table per entity, built from the model's fields), their versions and
field-by-field history, districts, accounts, inquiries, header mappings and meta. Geometries are PostGIS
`geometry(Geometry, 4326)` on PostgreSQL and WKB bytes on SQLite. Every change to these tables after the
first release is a migration in heatmap.migrations."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import shapely
import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator, UserDefinedType

from heatmap.model import CARRIER_FIELDS, PROJECT_FIELDS, FieldSpec, FieldType

SRID = 4326


class _PostGISGeometry(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw):
        return f"geometry(Geometry,{SRID})"


class Geometry(TypeDecorator):
    """A shapely geometry: PostGIS `geometry` on PostgreSQL, WKB bytes on SQLite."""

    impl = sa.LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_PostGISGeometry())
        return dialect.type_descriptor(sa.LargeBinary())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, _Encoded):
            return value.value
        if dialect.name == "postgresql":
            return shapely.to_wkb(shapely.set_srid(value, SRID), hex=True, include_srid=True)
        return shapely.to_wkb(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return shapely.from_wkb(bytes(value) if isinstance(value, memoryview) else value)


metadata = sa.MetaData()

_SQL_TYPES: dict[FieldType, Callable[[FieldSpec], Any]] = {
    FieldType.TEXT: lambda s: sa.Text() if s.max_length > 400 else sa.String(s.max_length),
    FieldType.NUMBER: lambda s: sa.Float(),
    FieldType.INTEGER: lambda s: sa.Integer(),
    FieldType.DATE: lambda s: sa.Date(),
    FieldType.BOOL: lambda s: sa.Boolean(),
    FieldType.CHOICE: lambda s: sa.String(40),
    FieldType.LIST: lambda s: sa.Text(),
    FieldType.GEOMETRY: lambda s: Geometry(),
}


def _record_table(name: str, specs: Sequence[FieldSpec]) -> sa.Table:
    columns = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)]
    for spec in specs:
        kwargs = {"unique": True, "nullable": False} if spec.name == "code" else {}
        columns.append(sa.Column(spec.name, _SQL_TYPES[spec.type](spec), **kwargs))
    columns += [
        sa.Column("lon", sa.Float),  # a point on the geometry, for fast maps and bounding-box queries
        sa.Column("lat", sa.Float),
        sa.Column("updated_by", sa.String(80)),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("version_id", sa.Integer),
    ]
    table = sa.Table(name, metadata, *columns)
    sa.Index(f"ix_{name}_district", table.c.district)
    sa.Index(f"ix_{name}_lonlat", table.c.lon, table.c.lat)
    # A GiST index on PostGIS; SQLite has no spatial index and uses lon/lat instead.
    sa.event.listen(
        table,
        "after_create",
        sa.DDL(f"CREATE INDEX IF NOT EXISTS ix_{name}_geometry ON {name} USING GIST (geometry)").execute_if(
            dialect="postgresql"
        ),
    )
    return table


carriers_table = _record_table("carriers", CARRIER_FIELDS)
sa.Index("ix_carriers_kind", carriers_table.c.kind)
projects_table = _record_table("projects", PROJECT_FIELDS)
sa.Index("ix_projects_stage", projects_table.c.stage)

districts_table = sa.Table(
    "districts",
    metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name_zh", sa.String(80), nullable=False),
    sa.Column("name_en", sa.String(120), nullable=False),
    sa.Column("name_de", sa.String(120)),  # German (public pages); none: the English name is shown
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("aliases", sa.Text),  # ;-separated other names people write in files
    sa.Column("seat", Geometry),
    sa.Column("seat_note", sa.Text),
    sa.Column("boundary", Geometry),
    sa.Column("boundary_approximate", sa.Boolean, nullable=False, default=True),
    sa.Column("contact", sa.Text),
    sa.Column("sort_order", sa.Integer, nullable=False, default=0),
)

versions_table = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("entity", sa.String(20), nullable=False),  # carrier | project
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),  # sample | upload | cli | form | rollback
    sa.Column("file_name", sa.Text),
    sa.Column("file_hash", sa.String(64)),
    sa.Column("note", sa.Text),
    sa.Column("district", sa.String(40)),
    sa.Column("reverts_version_id", sa.Integer),
    sa.Column("n_added", sa.Integer, nullable=False, default=0),
    sa.Column("n_changed", sa.Integer, nullable=False, default=0),
    sa.Column("n_removed", sa.Integer, nullable=False, default=0),
)

changes_table = sa.Table(
    "changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
    sa.Column("entity", sa.String(20), nullable=False),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("op", sa.String(10), nullable=False),  # add | change | remove
    sa.Column("before", sa.Text),  # JSON: the whole record (remove) or the changed fields (change)
    sa.Column("after", sa.Text),  # JSON: the whole record (add) or the changed fields (change)
    sa.Index("ix_changes_entity_code", "entity", "code"),
)

users_table = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("district", sa.String(40)),
    sa.Column("display_name", sa.String(120)),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_sign_in_at", sa.DateTime),
    sa.Column("password_changed_at", sa.DateTime),
    sa.Column("must_change_password", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
)

# Signed-in sessions: the browser holds a signed, HTTP-only cookie naming one row (by the SHA-256 of its
# token, so the table alone signs nobody in). A session ends when idle too long, at its absolute lifetime,
# or when revoked (sign-out, sign-out everywhere, a password change, an account disabled).
sessions_table = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("revoked_at", sa.DateTime),
    sa.Column("client", sa.String(64)),
    sa.Column("user_agent", sa.String(300)),
)

# Every sign-in attempt, for slowing and locking repeated wrong passwords per account and per client.
sign_in_attempts_table = sa.Table(
    "sign_in_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Index("ix_sign_in_attempts_username_at", "username", "at"),
    sa.Index("ix_sign_in_attempts_client_at", "client", "at"),
)

inquiries_table = sa.Table(
    "inquiries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("carrier_code", sa.String(40), nullable=False),
    sa.Column("district", sa.String(40), nullable=False, index=True),  # the carrier's, when asked
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("company", sa.String(120)),
    sa.Column("contact", sa.String(120), nullable=False),  # the investor's: staff only
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("lang", sa.String(5)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, default="open"),  # open | answered
    sa.Column("answered_by", sa.String(80)),
    sa.Column("answered_at", sa.DateTime),
)

# Headers a user mapped to a field by hand on the upload page, so the next file with them needs no asking.
header_mappings_table = sa.Table(
    "header_mappings",
    metadata,
    sa.Column("header", sa.String(200), primary_key=True),  # normalized (ingest.headers.normalize_header)
    sa.Column("field", sa.String(40), nullable=False),  # a carrier field, a special (lon, lat, …) or "ignore"
    sa.Column("saved_by", sa.String(80)),
    sa.Column("saved_at", sa.DateTime),
)

meta_table = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", sa.Text),
)


# --- the pipeline's own tables (issue 9): events, reports, the first-report ledger, duplicate decisions,
# transfer proposals and the rules they follow. Events, ledger entries, decisions and report submissions are
# only ever added (a correction is a new row that points at the one it corrects); the database refuses an
# UPDATE or DELETE of them (append_only_ddl), so not even a bug in the app can rewrite that history.

project_events_table = sa.Table(
    "project_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_code", sa.String(40), nullable=False, index=True),
    sa.Column("stage", sa.String(40), nullable=False),
    sa.Column("happened_on", sa.Date, nullable=False),  # when the project reached the stage (as reported)
    sa.Column("reason", sa.String(40)),  # on hold / dropped: a reason key
    sa.Column("note", sa.Text),
    sa.Column("corrects_id", sa.Integer),  # a correction of an earlier event
    sa.Column("recorded_by", sa.String(80), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

reports_table = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("district", sa.String(40), nullable=False),
    sa.Column("period", sa.String(10), nullable=False),  # "2026-6": the sixth bi-monthly period of 2026
    sa.Column("snapshot", sa.Text, nullable=False),  # JSON: the district's project records as submitted
    sa.Column("n_projects", sa.Integer, nullable=False),
    sa.Column("corrects_id", sa.Integer),  # a correction after submission: the report it replaces
    sa.Column("note", sa.Text),
    sa.Column("submitted_by", sa.String(80), nullable=False),
    sa.Column("submitted_at", sa.DateTime, nullable=False),
    sa.Index("ix_reports_district_period", "district", "period"),
)

first_reports_table = sa.Table(
    "first_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_code", sa.String(40), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # register | correction | confirm | withdraw
    sa.Column("registrant_kind", sa.String(20)),  # district | department | partner | individual
    sa.Column("registrant", sa.String(200)),
    sa.Column("state_employee", sa.Boolean),  # 德州: the award goes to the unit
    sa.Column("unit", sa.String(200)),
    sa.Column("shares", sa.Text),  # JSON: several referrers and their parts (summing to 1)
    sa.Column("merged_from", sa.String(40)),  # a correction made by a duplicate merge: the code before
    sa.Column("note", sa.Text),
    sa.Column("corrects", sa.Integer),  # the entry this one corrects, confirms or withdraws
    sa.Column("recorded_by", sa.String(80), nullable=False),  # the account that entered it
    sa.Column("registered_at", sa.DateTime, nullable=False),  # set by the store, never by a user
)

duplicate_decisions_table = sa.Table(
    "duplicate_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code_a", sa.String(40), nullable=False),  # the pair, the smaller code first
    sa.Column("code_b", sa.String(40), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),  # same | different
    sa.Column("hosting_district", sa.String(40)),
    sa.Column("first_contact_district", sa.String(40)),
    sa.Column("note", sa.Text),
    sa.Column("decided_by", sa.String(80), nullable=False),
    sa.Column("decided_at", sa.DateTime, nullable=False),
    sa.Index("ix_duplicate_decisions_pair", "code_a", "code_b"),
)

transfer_proposals_table = sa.Table(
    "transfer_proposals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_code", sa.String(40), nullable=False, index=True),
    sa.Column("from_district", sa.String(40), nullable=False),
    sa.Column("to_district", sa.String(40)),  # None: the office's pool
    sa.Column("reason", sa.String(40), nullable=False),  # no_land | no_space | wrong_industry | investor_wish | other
    sa.Column("note", sa.Text),
    sa.Column("proposed_by", sa.String(80), nullable=False),
    sa.Column("proposed_at", sa.DateTime, nullable=False),
)

# What happened to a proposal after it was made (issue 10): the receiver's acceptance or refusal, the office's
# referral of a pool proposal or of a stale one to a district, the origin's withdrawal, the office's edit of
# the credit split. Each row names the proposal and is only ever added.
transfer_events_table = sa.Table(
    "transfer_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("proposal_id", sa.Integer, nullable=False, index=True),  # transfer_proposals.id
    sa.Column("project_code", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # accept | decline | refer | withdraw | credit_change
    sa.Column("to_district", sa.String(40)),  # refer: the district referred to; accept: the destination
    sa.Column("reason", sa.String(40)),  # decline: a reason key of the rules
    sa.Column("note", sa.Text),
    sa.Column("origin_percent", sa.Float),  # accept / credit_change: the origin's share of the credit, in %
    sa.Column("credit_years", sa.Integer),  # accept / credit_change: how long the split holds
    sa.Column("recorded_by", sa.String(80), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

rules_table = sa.Table(
    "rules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(40), nullable=False),  # reports | duplicates | ledger | counting | …
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("document", sa.Text, nullable=False),  # JSON
    sa.Column("note", sa.Text),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("name", "version", name="uq_rules_name_version"),
)

# Pre-evaluation (issue 10): every step of a project's grade — indicator values saved, a grade proposed by the
# district, confirmed or returned by the office — is a row; so is each decision of the leading group's queue.
grade_evaluations_table = sa.Table(
    "grade_evaluations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_code", sa.String(40), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # save | propose | confirm | return
    sa.Column("proposal_id", sa.Integer),  # confirm / return: the proposal decided on
    sa.Column("standard", sa.String(40), nullable=False),  # the category whose standard graded it
    sa.Column("standard_version", sa.Integer, nullable=False),  # the version of the "grading" rules document
    sa.Column("inputs", sa.Text, nullable=False),  # JSON: indicator values, vetoes, documents provided
    sa.Column("grade", sa.String(4)),  # None: not rated yet
    sa.Column("score", sa.String(40)),  # the exact score as a fraction ("167/2"), None while not rated
    sa.Column("explanation", sa.Text),  # JSON: why (the reasons), as computed then
    sa.Column("note", sa.Text),  # a return's reason; a proposal's remark
    sa.Column("recorded_by", sa.String(80), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)

support_decisions_table = sa.Table(
    "support_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_code", sa.String(40), nullable=False, index=True),
    sa.Column("evaluation_id", sa.Integer, nullable=False),  # the confirmed grade it was decided on
    sa.Column("outcome", sa.String(20), nullable=False),  # approved | declined | deferred
    sa.Column("support_wan", sa.Float),  # the support requested when decided, 万元
    sa.Column("note", sa.Text),
    sa.Column("decided_by", sa.String(80), nullable=False),
    sa.Column("decided_at", sa.DateTime, nullable=False),
)

# The audit trail (issue 11): who did what, when and from where — sign-ins, uploads and their commits, edits,
# rollbacks, exports and downloads of confidential data, views of a project's record, grades, standards, rules,
# transfers, account changes. Written by the store in the same transaction as the change it records (heatmap.audit
# names the actions); only ever added, like the pipeline's tables, and on PostgreSQL not even TRUNCATE empties it.
audit_events_table = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),  # UTC, the store's clock
    sa.Column("actor", sa.String(80)),  # the account (None: a public viewer, or nobody signed in)
    sa.Column("role", sa.String(20)),  # the actor's role then
    sa.Column("district", sa.String(40)),  # the actor's district then (staff)
    sa.Column("action", sa.String(40), nullable=False),  # a code of heatmap.audit.ACTIONS
    sa.Column("target", sa.Text),  # what it was done to: a project code, a version, a file name, an account …
    sa.Column("target_district", sa.String(40)),  # the district of what it was done to
    sa.Column("detail", sa.Text),  # JSON: counts, fields, outcome …
    sa.Column("client", sa.String(200)),  # from where: the IP address, "localhost", "cli"
    sa.Column("user_agent", sa.Text),
    sa.Index("ix_audit_events_at", "at"),
    sa.Index("ix_audit_events_actor", "actor"),
    sa.Index("ix_audit_events_action", "action"),
)

APPEND_ONLY_TABLES = ("project_events", "reports", "first_reports", "duplicate_decisions", "transfer_proposals", "rules",
                      "transfer_events", "grade_evaluations", "support_decisions", "audit_events")


def append_only_ddl(table: str, dialect: str) -> list[str]:
    """Statements that make the database refuse UPDATE and DELETE on a table (triggers on both backends), and on
    PostgreSQL TRUNCATE too (a statement-level trigger; SQLite has no TRUNCATE). Running them again is harmless."""
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION heatmap_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION USING MESSAGE = 'heatmap: ' || TG_TABLE_NAME || ' is append-only', "
            "ERRCODE = 'integrity_constraint_violation'; END $$",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION heatmap_append_only()",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION heatmap_append_only()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'heatmap: {table} is append-only'); END",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'heatmap: {table} is append-only'); END",
    ]


def _guard(table: sa.Table) -> None:
    def after_create(target, connection, **kw):
        for statement in append_only_ddl(target.name, connection.dialect.name):
            connection.exec_driver_sql(statement)

    sa.event.listen(table, "after_create", after_create)


for _name in APPEND_ONLY_TABLES:
    _guard(metadata.tables[_name])


class _Encoded:
    """A geometry already in the database's form (Geometry passes it through unchanged)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value
