"""Alembic environment: runs on the connection handed in by PostGISStore.initialize."""

from __future__ import annotations

from alembic import context

from villagecov.storage.postgis import METADATA

target_metadata = METADATA
connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line: use sqlalchemy.url from the config
    import sqlalchemy as sa

    engine = sa.create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
