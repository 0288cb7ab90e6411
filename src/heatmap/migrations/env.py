"""Alembic's entry: runs the migrations on the connection `heatmap.migrations.upgrade` hands over (the
app never reads an alembic.ini; `[tool.alembic]` in pyproject.toml lets the `alembic` command find this
folder for developers, with HEATMAP_DATABASE_URL naming the database)."""
from alembic import context

from heatmap import config as heatmap_config
from heatmap.store import metadata

import sqlalchemy as sa

connection = context.config.attributes.get("connection")
if connection is None:  # the `alembic` command line: connect to the app's database
    engine = sa.create_engine(heatmap_config.database_url())
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
