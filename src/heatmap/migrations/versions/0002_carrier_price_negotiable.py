"""Carriers: price_negotiable, for a rent or land price written as 面议 / 待定 / 协商 ("negotiable").

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Carriers stored before had no word for it: their prices were numbers or blank, so not negotiable.
    op.add_column("carriers", sa.Column("price_negotiable", sa.Boolean(), nullable=True, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("carriers") as batch:
        batch.drop_column("price_negotiable")
