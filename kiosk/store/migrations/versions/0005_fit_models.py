"""Role-fit models: imported incumbents, self-reported demographics, model versions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "role_incumbents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=80), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=80), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("label IN (0, 1)", name=op.f("ck_role_incumbents_label")),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_role_incumbents_candidate_id_candidates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_incumbents")),
        sa.UniqueConstraint(
            "role", "candidate_id", name=op.f("uq_role_incumbents_role_candidate_id")
        ),
    )
    with op.batch_alter_table("role_incumbents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_incumbents_role"), ["role"], unique=False)

    op.create_table(
        "candidate_demographics",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("attribute", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate_personal.candidate_id"],
            name=op.f("fk_candidate_demographics_candidate_id_candidate_personal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "candidate_id", "attribute", name=op.f("pk_candidate_demographics")
        ),
    )

    op.create_table(
        "fit_model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=80), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'active', 'retired')",
            name=op.f("ck_fit_model_versions_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fit_model_versions")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_fit_model_versions_content_hash")),
    )
    with op.batch_alter_table("fit_model_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fit_model_versions_role"), ["role"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fit_model_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fit_model_versions_role"))
    op.drop_table("fit_model_versions")
    op.drop_table("candidate_demographics")
    with op.batch_alter_table("role_incumbents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_incumbents_role"))
    op.drop_table("role_incumbents")
