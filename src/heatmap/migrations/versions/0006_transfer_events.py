"""Transfers after the proposal (issue 10): what happened to each proposal — accepted or declined by the
receiver, referred by the office to a district, withdrawn by the origin, its credit split edited — in a new
append-only table (the database refuses UPDATE and DELETE).

Revision ID: 0006
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from heatmap.store.schema import append_only_ddl

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfer_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", sa.Integer, nullable=False, index=True),
        sa.Column("project_code", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("to_district", sa.String(40)),
        sa.Column("reason", sa.String(40)),
        sa.Column("note", sa.Text),
        sa.Column("origin_percent", sa.Float),
        sa.Column("credit_years", sa.Integer),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    for statement in append_only_ddl("transfer_events", op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("transfer_events")
