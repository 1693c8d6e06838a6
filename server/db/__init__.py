"""The server's database: models, engines, migrations."""

from server.db.engine import (
    DATABASE_URL_ENV,
    DatabaseLimits,
    default_database_url,
    make_engine,
    make_sessionmaker,
    normalise_url,
)
from server.db.migrate import is_current, upgrade

__all__ = [
    "DATABASE_URL_ENV",
    "DatabaseLimits",
    "default_database_url",
    "is_current",
    "make_engine",
    "make_sessionmaker",
    "normalise_url",
    "upgrade",
]
