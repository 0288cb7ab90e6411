"""The pipeline as a working process (issue 9): projects get a code name (代号) and the investor's unified
social credit code; new tables for stage events, bi-monthly reports, the first-report ledger, duplicate
decisions, transfer proposals and versioned rules, all append-only (the database refuses UPDATE and DELETE).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from heatmap.store.schema import append_only_ddl

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = ("project_events", "reports", "first_reports", "duplicate_decisions", "transfer_proposals", "rules")


def upgrade() -> None:
    op.add_column("projects", sa.Column("code_name", sa.String(40)))
    op.add_column("projects", sa.Column("credit_code", sa.String(18)))
    op.create_table(
        "project_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(40), nullable=False, index=True),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("happened_on", sa.Date, nullable=False),
        sa.Column("reason", sa.String(40)),
        sa.Column("note", sa.Text),
        sa.Column("corrects_id", sa.Integer),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("district", sa.String(40), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("snapshot", sa.Text, nullable=False),
        sa.Column("n_projects", sa.Integer, nullable=False),
        sa.Column("corrects_id", sa.Integer),
        sa.Column("note", sa.Text),
        sa.Column("submitted_by", sa.String(80), nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_reports_district_period", "reports", ["district", "period"])
    op.create_table(
        "first_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(40), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("registrant_kind", sa.String(20)),
        sa.Column("registrant", sa.String(200)),
        sa.Column("state_employee", sa.Boolean),
        sa.Column("unit", sa.String(200)),
        sa.Column("shares", sa.Text),
        sa.Column("merged_from", sa.String(40)),
        sa.Column("note", sa.Text),
        sa.Column("corrects", sa.Integer),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("registered_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "duplicate_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code_a", sa.String(40), nullable=False),
        sa.Column("code_b", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("hosting_district", sa.String(40)),
        sa.Column("first_contact_district", sa.String(40)),
        sa.Column("note", sa.Text),
        sa.Column("decided_by", sa.String(80), nullable=False),
        sa.Column("decided_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_duplicate_decisions_pair", "duplicate_decisions", ["code_a", "code_b"])
    op.create_table(
        "transfer_proposals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(40), nullable=False, index=True),
        sa.Column("from_district", sa.String(40), nullable=False),
        sa.Column("to_district", sa.String(40)),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("proposed_by", sa.String(80), nullable=False),
        sa.Column("proposed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "rules",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_rules_name_version"),
    )
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in append_only_ddl(table, dialect):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("credit_code")
        batch.drop_column("code_name")
