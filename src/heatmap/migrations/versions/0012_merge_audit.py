"""Join the audit trail (0008, on 0007) with the languages and sessions changes (0011): all three schema
changes of issue 11.

Revision ID: 0012
Revises: 0008, 0011
"""
revision = "0012"
down_revision = ("0008", "0011")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # nothing of its own: a database at 0007 gets every change of issue 11, in any order


def downgrade() -> None:
    pass
