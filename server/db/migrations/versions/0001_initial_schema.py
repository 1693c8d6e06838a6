"""Initial schema: centres, users and their roles, sign-in tokens, enrolment codes,
stations, batches, events and chain heads, station audit entries, flags, commands,
the server's audit log and the records stations send.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "centres",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("personal_data", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centres")),
        sa.UniqueConstraint("name", name=op.f("uq_centres_name")),
    )
    op.create_table(
        "console_users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("username", name=op.f("uq_console_users_username")),
    )
    op.create_table(
        "server_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_audit")),
    )
    op.create_table(
        "session_chains",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("head_seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("broken", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_chains")),
    )
    op.create_table(
        "auth_tokens",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("centre_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_auth_tokens_centre_id_centres")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name=op.f("fk_auth_tokens_user_id_console_users")
        ),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_auth_tokens")),
    )
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "enrolled_stations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("centre_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("store_id", sa.String(length=80), nullable=True),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_through", sa.Integer(), nullable=False),
        sa.Column("last_batch_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_heartbeat", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outbox_pending", sa.Integer(), nullable=False),
        sa.Column("live", sa.JSON(), nullable=True),
        sa.Column("audit_head_seq", sa.Integer(), nullable=False),
        sa.Column("audit_head_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_enrolled_stations_centre_id_centres")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolled_stations")),
    )
    with op.batch_alter_table("enrolled_stations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrolled_stations_centre_id"), ["centre_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enrolled_stations_fingerprint"), ["fingerprint"], unique=False
        )

    op.create_table(
        "enrolment_codes",
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("centre_id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("station_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_enrolment_codes_centre_id_centres")
        ),
        sa.PrimaryKeyConstraint("code_sha256", name=op.f("pk_enrolment_codes")),
    )
    with op.batch_alter_table("enrolment_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrolment_codes_centre_id"), ["centre_id"], unique=False
        )

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("centre_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_memberships_centre_id_centres")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name=op.f("fk_memberships_user_id_console_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("user_id", "centre_id", name=op.f("uq_memberships_user_id_centre_id")),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_centre_id"), ["centre_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memberships_user_id"), ["user_id"], unique=False)

    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("batch_seq", sa.Integer(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_batches_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint(
            "station_id", "batch_seq", name=op.f("uq_batches_station_id_batch_seq")
        ),
    )
    op.create_table(
        "commands",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("issued_by", sa.String(length=80), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_commands_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commands")),
    )
    with op.batch_alter_table("commands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commands_station_id"), ["station_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("batch_seq", sa.Integer(), nullable=False),
        sa.Column("t_ns", sa.BigInteger(), nullable=False),
        sa.Column("game_run_id", sa.String(length=36), nullable=True),
        sa.Column("trial_index", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_events_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("session_id", "seq", name=op.f("uq_events_session_id_seq")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_station_id"), ["station_id"], unique=False)

    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("batch_seq", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_flags_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flags")),
    )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flags_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_flags_station_id"), ["station_id"], unique=False)

    op.create_table(
        "received_candidate_personal",
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("local_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_received_candidate_personal_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint(
            "station_id", "local_id", name=op.f("pk_received_candidate_personal")
        ),
    )
    op.create_table(
        "received_candidates",
        sa.Column("pseudonym", sa.Text(), nullable=True),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("local_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_received_candidates_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("station_id", "local_id", name=op.f("pk_received_candidates")),
    )
    op.create_table(
        "received_game_runs",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_received_game_runs_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_game_runs")),
    )
    with op.batch_alter_table("received_game_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_received_game_runs_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_received_game_runs_station_id"), ["station_id"], unique=False
        )

    op.create_table(
        "received_incident_notes",
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("local_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_received_incident_notes_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("station_id", "local_id", name=op.f("pk_received_incident_notes")),
    )
    with op.batch_alter_table("received_incident_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_received_incident_notes_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "received_reports",
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.Column("sha256", sa.Text(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("local_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_received_reports_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("station_id", "local_id", name=op.f("pk_received_reports")),
    )
    with op.batch_alter_table("received_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_received_reports_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "received_scores",
        sa.Column("session_id", sa.Text(), nullable=True),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("local_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_received_scores_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("station_id", "local_id", name=op.f("pk_received_scores")),
    )
    with op.batch_alter_table("received_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_received_scores_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "received_sessions",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("candidate_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_received_sessions_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_sessions")),
    )
    with op.batch_alter_table("received_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_received_sessions_station_id"), ["station_id"], unique=False
        )

    op.create_table(
        "received_timing_tests",
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("local_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_received_timing_tests_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("station_id", "local_id", name=op.f("pk_received_timing_tests")),
    )
    op.create_table(
        "station_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at_utc_ns", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("key_id", sa.String(length=64), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_station_audit_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_audit")),
        sa.UniqueConstraint("station_id", "seq", name=op.f("uq_station_audit_station_id_seq")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("station_audit")
    op.drop_table("received_timing_tests")
    with op.batch_alter_table("received_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_sessions_station_id"))

    op.drop_table("received_sessions")
    with op.batch_alter_table("received_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_scores_session_id"))

    op.drop_table("received_scores")
    with op.batch_alter_table("received_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_reports_session_id"))

    op.drop_table("received_reports")
    with op.batch_alter_table("received_incident_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_incident_notes_session_id"))

    op.drop_table("received_incident_notes")
    with op.batch_alter_table("received_game_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_game_runs_station_id"))
        batch_op.drop_index(batch_op.f("ix_received_game_runs_session_id"))

    op.drop_table("received_game_runs")
    op.drop_table("received_candidates")
    op.drop_table("received_candidate_personal")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flags_station_id"))
        batch_op.drop_index(batch_op.f("ix_flags_session_id"))

    op.drop_table("flags")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_station_id"))

    op.drop_table("events")
    with op.batch_alter_table("commands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commands_station_id"))

    op.drop_table("commands")
    op.drop_table("batches")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_user_id"))
        batch_op.drop_index(batch_op.f("ix_memberships_centre_id"))

    op.drop_table("memberships")
    with op.batch_alter_table("enrolment_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_codes_centre_id"))

    op.drop_table("enrolment_codes")
    with op.batch_alter_table("enrolled_stations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolled_stations_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_enrolled_stations_centre_id"))

    op.drop_table("enrolled_stations")
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_tokens_user_id"))

    op.drop_table("auth_tokens")
    op.drop_table("session_chains")
    op.drop_table("server_audit")
    op.drop_table("console_users")
    op.drop_table("centres")
