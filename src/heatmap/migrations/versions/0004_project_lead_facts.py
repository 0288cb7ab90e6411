"""Projects: the valid-lead facts (has_feasibility_study, decision_level_visit, is_technical_upgrade) and the investment actually
formed once settled (actual_investment_wan), for the valid-lead test and the first-report award.

Projects stored before carry no such facts: the columns start blank ("not known"), never a guessed no.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (
    ("has_feasibility_study", sa.Boolean()),
    ("decision_level_visit", sa.Boolean()),
    ("is_technical_upgrade", sa.Boolean()),
    ("actual_investment_wan", sa.Float()),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("projects", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
