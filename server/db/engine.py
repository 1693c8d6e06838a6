"""Engines for the server's database: PostgreSQL (psycopg 3) or embedded SQLite.

SQLite connections begin every transaction with ``BEGIN IMMEDIATE``, so writers are
serialised by the database rather than failing halfway on a lock upgrade; WAL lets
readers go on meanwhile. On PostgreSQL, writers that must not interleave lock the
row they are about to change (``SELECT ... FOR UPDATE``).

:class:`DatabaseLimits` bounds how long a request waits for the database: for
SQLite's writer lock (its busy timeout) and for a pooled PostgreSQL connection (the
pool's timeout). A request that waits longer fails, and the server answers it 503
with ``Retry-After`` (:mod:`server.errors`). The wait is shorter than a station's
request timeout (15 s), so that a station hears "busy" rather than nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "DATABASE_URL_ENV",
    "DatabaseLimits",
    "default_database_url",
    "make_engine",
    "make_sessionmaker",
    "normalise_url",
]

DATABASE_URL_ENV = "KIOSK_SERVER_DATABASE_URL"
WAIT_ENV = "KIOSK_SERVER_DB_WAIT_S"
POOL_SIZE_ENV = "KIOSK_SERVER_DB_POOL_SIZE"


@dataclass(frozen=True)
class DatabaseLimits:
    """How long a request waits for the database (its lock, or a pooled connection),
    and how many connections one server process pools and may open beyond those
    (PostgreSQL, and a SQLite file)."""

    wait_s: float = 10.0
    pool_size: int = 5
    max_overflow: int = 10

    def __post_init__(self) -> None:
        if not self.wait_s > 0:
            raise ValueError(f"the database wait must be above 0 seconds, not {self.wait_s}")
        if self.pool_size < 1 or self.max_overflow < 0:
            raise ValueError(
                f"a pool of {self.pool_size} connections (+{self.max_overflow}) cannot serve"
            )

    @classmethod
    def from_env(cls) -> DatabaseLimits:
        """``KIOSK_SERVER_DB_WAIT_S`` (seconds) and ``KIOSK_SERVER_DB_POOL_SIZE``, else
        the defaults."""
        defaults = cls()
        wait_text = os.environ.get(WAIT_ENV)
        size_text = os.environ.get(POOL_SIZE_ENV)
        try:
            wait_s = float(wait_text) if wait_text else defaults.wait_s
        except ValueError:
            raise ValueError(f"{WAIT_ENV}={wait_text!r} is not a number of seconds") from None
        try:
            pool_size = int(size_text) if size_text else defaults.pool_size
        except ValueError:
            raise ValueError(f"{POOL_SIZE_ENV}={size_text!r} is not a whole number") from None
        return cls(wait_s=wait_s, pool_size=pool_size, max_overflow=defaults.max_overflow)


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


def make_engine(url: str, limits: DatabaseLimits | None = None) -> Engine:
    """An engine on ``url`` whose waits are bounded by ``limits`` (default: from the
    environment, :meth:`DatabaseLimits.from_env`)."""
    if limits is None:
        limits = DatabaseLimits.from_env()
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        # A file database is pooled (QueuePool) and bounded like PostgreSQL's pool; an
        # in-memory one keeps one connection per thread and has no pool to wait for.
        database = make_url(url).database
        pooled = (
            {
                "pool_size": limits.pool_size,
                "max_overflow": limits.max_overflow,
                "pool_timeout": limits.wait_s,
            }
            if database and database != ":memory:"
            else {}
        )
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": limits.wait_s},
            **pooled,
        )
        _sqlite_pragmas(engine, limits.wait_s)
        return engine
    if backend != "postgresql":
        raise ValueError(f"unsupported database {backend!r}: use a postgresql:// or sqlite:/// URL")
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=limits.pool_size,
        max_overflow=limits.max_overflow,
        pool_timeout=limits.wait_s,
    )


def _sqlite_pragmas(engine: Engine, wait_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: object) -> None:
        # Let SQLAlchemy's "begin" hook below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={max(1, round(wait_s * 1000))}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
