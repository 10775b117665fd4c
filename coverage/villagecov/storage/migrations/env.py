"""Alembic environment: runs on the connection handed in by PostGISStore.initialize, or on
``-x url=…`` / ``VILLAGECOV_STORE`` from the command line (``alembic.ini`` here).

``alembic revision --autogenerate`` compares the database with :data:`villagecov.storage.metadata.METADATA`
(derived from ``villagecov.schema``) and writes the difference out as explicit operations: the
revision is frozen from then on and never imports the live schema.
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from alembic import context
from alembic.script import ScriptDirectory
from geoalchemy2 import Geometry

from villagecov.storage.metadata import METADATA, include_object

target_metadata = METADATA


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Geometry columns written out without GeoAlchemy2's implicit index: the GiST index is its own
    ``op.create_index`` line (from the metadata), so the revision says everything it creates."""
    if type_ == "type" and isinstance(obj, Geometry):
        autogen_context.imports.add("from geoalchemy2 import Geometry")
        gtype = "geometry_type=None" if obj.geometry_type is None else repr(obj.geometry_type)
        return f"Geometry({gtype}, srid={obj.srid}, spatial_index=False)"
    return False


def process_revision_directives(ctx: Any, revision: Any, directives: list[Any]) -> None:
    """Number new revisions 0001, 0002, … (unless ``--rev-id`` gives digits); ``alembic revision
    --autogenerate`` that finds no difference writes no file (``alembic check`` says so instead)."""
    script = directives[0]
    if getattr(ctx.config.cmd_opts, "autogenerate", False) and script.upgrade_ops.is_empty():
        directives[:] = []
        print("the database already matches villagecov.schema: no revision written")
        return
    if not str(script.rev_id).isdigit():
        head = ScriptDirectory.from_config(ctx.config).get_current_head()
        script.rev_id = f"{int(head or 0) + 1:04d}"


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, include_object=include_object,
                      render_item=render_item, process_revision_directives=process_revision_directives,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("VILLAGECOV_STORE", "")
    engine = sa.create_engine(url or context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
else:
    _run(connection)
