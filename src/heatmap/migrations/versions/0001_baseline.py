"""Baseline: the schema of release 2026-11 (commit a7f1a56), the last one made without migrations.

Databases of that release already hold these tables (made by `metadata.create_all`): they are stamped
with this revision and upgraded from here. There is nothing to create.

Revision ID: 0001
Revises:
"""

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
