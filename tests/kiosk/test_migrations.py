"""The migrations produce exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from kiosk.store import open_store, schema_head
from kiosk.store.database import _alembic_config
from kiosk.store.models import NAMING_CONVENTION, Base
from kiosk.store.revisions import known_revisions


@pytest.mark.slow
def test_migrated_store_matches_models(store_path: Path) -> None:
    with open_store(store_path) as store, store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"migrations and models differ: {diff}"


def test_migrations_form_one_line_ending_at_head() -> None:
    script = ScriptDirectory.from_config(_alembic_config())
    assert script.get_heads() == [schema_head()]
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    # kiosk reads the same chain from the files without alembic (kiosk.store.revisions)
    assert known_revisions() == {r.revision: r.down_revision for r in revisions}


def test_every_constraint_is_named(store_path: Path) -> None:
    assert set(NAMING_CONVENTION) >= {"pk", "fk", "uq", "ck", "ix"}
    with open_store(store_path):
        pass
    inspector = inspect(create_engine(f"sqlite:///{store_path}"))
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            assert fk["name"], f"unnamed foreign key on {table}"
        for uq in inspector.get_unique_constraints(table):
            assert uq["name"], f"unnamed unique constraint on {table}"
        for ck in inspector.get_check_constraints(table):
            assert ck["name"], f"unnamed check constraint on {table}"


def test_the_comparison_sees_a_difference(store_path: Path) -> None:
    """Guards the first test: a model change without a migration must show up."""
    from sqlalchemy import Column, Integer, MetaData, Table

    changed = MetaData(naming_convention=NAMING_CONVENTION)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    Table("not_migrated", changed, Column("id", Integer, primary_key=True))
    with open_store(store_path) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), changed)
    assert [d[0] for d in diff] == ["add_table"]


def test_an_older_store_is_backed_up_then_migrated_keeping_its_data(store_path: Path) -> None:
    """A store left at the first revision (as an older kiosk wrote it) is upgraded."""
    from alembic import command

    from kiosk.store.database import make_engine
    from tests.helpers import new_session

    store_path.parent.mkdir(parents=True)
    engine = make_engine(store_path)
    cfg = _alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.commit()
    engine.dispose()
    with open_store(store_path) as store:
        assert store.schema_version() == schema_head() != "0001"
        (sid,) = new_session(store)
    backup = store_path.with_name(f"{store_path.name}.before-0001.bak")
    assert backup.exists()
    with open_store(store_path) as store, store.reader() as s:
        from kiosk.store.models import AssessmentSession

        assert s.get(AssessmentSession, sid) is not None
