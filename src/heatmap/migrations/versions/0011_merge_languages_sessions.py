"""Join two schema changes of issue 11 made side by side, both on 0007: German district names (0009) and
sessions with sign-in attempts (0010).

Revision ID: 0011
Revises: 0009, 0010
"""
revision = "0011"
down_revision = ("0009", "0010")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # nothing of its own: a database at 0007 gets both, in either order


def downgrade() -> None:
    pass
