"""Engines for the server's database: PostgreSQL (psycopg 3) or embedded SQLite.

SQLite connections begin every transaction with ``BEGIN IMMEDIATE``, so writers are
serialised by the database rather than failing halfway on a lock upgrade; WAL lets
readers go on meanwhile. On PostgreSQL, writers that must not interleave lock the
row they are about to change (``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "DATABASE_URL_ENV",
    "default_database_url",
    "make_engine",
    "make_sessionmaker",
    "normalise_url",
]

DATABASE_URL_ENV = "KIOSK_SERVER_DATABASE_URL"


def default_database_url() -> str:
    """``KIOSK_SERVER_DATABASE_URL``, else a SQLite file in the user data folder."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    folder = Path(platformdirs.user_data_dir("kiosk-server", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'server.sqlite3'}"


def normalise_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3 (SQLAlchemy would pick psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_pragmas(engine)
        return engine
    if backend != "postgresql":
        raise ValueError(f"unsupported database {backend!r}: use a postgresql:// or sqlite:/// URL")
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: object) -> None:
        # Let SQLAlchemy's "begin" hook below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
