"""Batch bodies compressed with lz4 on PostgreSQL (where the server has it).

A batch's body is kept as received (a few hundred kB for 5,000 events) and PostgreSQL
compresses values that large; its default, pglz, took about a fifth of the
database's time for a batch of events, lz4 a third of that. Values stored before
keep their compression. SQLite, and a PostgreSQL without lz4 (before 14, or built
without it), keep what they had.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HAS_LZ4 = (
    "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
)


def _compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if bind.exec_driver_sql(_HAS_LZ4).first() is None:
        return
    op.execute(f"ALTER TABLE batches ALTER COLUMN body SET COMPRESSION {method}")


def upgrade() -> None:
    _compression("lz4")


def downgrade() -> None:
    _compression("pglz")
