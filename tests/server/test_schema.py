"""The schema: migrations build what the models say, and nothing the station's own
hooks would take for one of its tables."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kiosk.store.seals import SEALED
from server.db import make_engine, upgrade
from server.db.models import Base


def test_no_server_table_is_named_like_a_sealed_station_table() -> None:
    assert set(Base.metadata.tables).isdisjoint(SEALED)


@pytest.mark.slow
def test_the_migrations_build_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        upgrade(engine)  # a second run changes nothing
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    # Tables only a later migration knows about are not this module's concern.
    ours = [
        d
        for d in differences
        if not (d[0] == "remove_table" and d[1].name not in Base.metadata.tables)
    ]
    assert ours == []
