"""Pre-evaluation (issue 10): the grade evaluations of projects (indicator values saved, grades proposed by the
district, confirmed or returned by the office) and the leading group's decisions on city support, both
append-only; projects say whether they ask for city-level fiscal support and how much (blank: not known).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from heatmap.store.schema import append_only_ddl

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = (("city_support_requested", sa.Boolean()), ("city_support_wan", sa.Float()))
APPEND_ONLY = ("grade_evaluations", "support_decisions")


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("projects", sa.Column(name, type_, nullable=True))
    op.create_table(
        "grade_evaluations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(40), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("proposal_id", sa.Integer),
        sa.Column("standard", sa.String(40), nullable=False),
        sa.Column("standard_version", sa.Integer, nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("grade", sa.String(4)),
        sa.Column("score", sa.String(40)),
        sa.Column("explanation", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "support_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_code", sa.String(40), nullable=False, index=True),
        sa.Column("evaluation_id", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("support_wan", sa.Float),
        sa.Column("note", sa.Text),
        sa.Column("decided_by", sa.String(80), nullable=False),
        sa.Column("decided_at", sa.DateTime, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for statement in append_only_ddl(table, dialect):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)
    with op.batch_alter_table("projects") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
