"""Join the two schema changes of issue 10 made side by side: grading (0005) and transfers (0006), both on 0004.

Revision ID: 0007
Revises: 0005, 0006
"""
revision = "0007"
down_revision = ("0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # nothing of its own: a database at 0004 gets both, in either order


def downgrade() -> None:
    pass
