"""Alembic environment: the caller hands over a connection (server.db.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from server.db.engine import normalise_url
from server.db.models import Base

config = context.config
connection = config.attributes.get("connection")


def _run(conn: object) -> None:
    context.configure(
        connection=conn,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # `alembic -x url=...` from a shell, for writing new revisions
    url = context.get_x_argument(as_dictionary=True)["url"]
    with create_engine(normalise_url(url)).begin() as conn:
        _run(conn)
