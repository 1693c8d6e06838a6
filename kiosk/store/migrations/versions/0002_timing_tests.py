"""Timing tests: each station keeps the results of `kiosk timing-test`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 11:56:43.506655
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "timing_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_timing_tests_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timing_tests")),
    )
    with op.batch_alter_table("timing_tests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timing_tests_station_id"), ["station_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("timing_tests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timing_tests_station_id"))

    op.drop_table("timing_tests")
