"""The audit trail (issue 11): a new append-only table of who did what, when and from where. The database
refuses UPDATE and DELETE of its rows on both backends, and on PostgreSQL TRUNCATE as well — a guard this
revision also gives every earlier append-only table (events, reports, the ledger, decisions, proposals, rules,
grades), which until now a TRUNCATE could empty.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from heatmap.store.schema import append_only_ddl

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

EARLIER_APPEND_ONLY = ("project_events", "reports", "first_reports", "duplicate_decisions", "transfer_proposals", "rules",
                       "transfer_events", "grade_evaluations", "support_decisions")


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(80)),
        sa.Column("role", sa.String(20)),
        sa.Column("district", sa.String(40)),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("target_district", sa.String(40)),
        sa.Column("detail", sa.Text),
        sa.Column("client", sa.String(200)),
        sa.Column("user_agent", sa.Text),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_actor", "audit_events", ["actor"])
    op.create_index("ix_audit_events_action", "audit_events", ["action"])
    dialect = op.get_bind().dialect.name
    for table in ("audit_events",) + (EARLIER_APPEND_ONLY if dialect == "postgresql" else ()):
        for statement in append_only_ddl(table, dialect):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("audit_events")
