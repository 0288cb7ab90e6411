"""Districts: name_de, their German names (the public pages are in German too), filled for Taicang's districts.

Revision ID: 0009
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

# The German names of Taicang's districts (as data/districts.csv has them at this revision). A district an
# administrator added under another code keeps no German name: pages show its English name in German.
GERMAN_NAMES = {
    "port": "Entwicklungszone Hafen Taicang",
    "hitech": "Hightech-Zone Taicang",
    "resort": "Tourismus-Ferienzone Taicang",
    "kejiao": "Wissenschafts- und Bildungsstadt",
    "loudong": "Stadtteil Loudong",
    "ludu": "Stadtteil Ludu",
    "chengxiang": "Großgemeinde Chengxiang",
    "shaxi": "Großgemeinde Shaxi",
    "liuhe": "Großgemeinde Liuhe",
    "fuqiao": "Großgemeinde Fuqiao",
    "huangjing": "Großgemeinde Huangjing",
    "shuangfeng": "Großgemeinde Shuangfeng",
}


def upgrade() -> None:
    op.add_column("districts", sa.Column("name_de", sa.String(120), nullable=True))
    districts = sa.table("districts", sa.column("code", sa.String), sa.column("name_de", sa.String))
    for code, name in GERMAN_NAMES.items():
        op.execute(districts.update().where(districts.c.code == code).values(name_de=name))


def downgrade() -> None:
    with op.batch_alter_table("districts") as batch:
        batch.drop_column("name_de")
