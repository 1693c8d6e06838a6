"""Events kept in their batches' bodies, found through spans: ``event_spans`` replaces
the ``events`` table.

Every batch's body is stored byte for byte (``batches.body``), so writing each of its
events again as a row of its own (an id, the (session_id, seq) key, a station index, a
foreign key: 500 rows for a batch) was most of what storing a batch cost the database.
A span is one run of consecutive seqs of one session that were new in one batch: the
batch that holds them and their hashes (raw 32-byte SHA-256 digests, concatenated in
seq order), which is all the server compares later events with.

Upgrade: the rows of ``events``, read in (session_id, seq) order, become spans, one
cut wherever a seq does not follow the one before or the batch (or station) that
brought it changes; then ``events`` is dropped. Downgrade: ``events`` as 0001 made it,
refilled from the spans and the bodies of their batches, then ``event_spans`` dropped.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIGEST_SIZE = 32
PAGE = 10_000  # events read at a time
CHUNK = 1_000  # spans written at a time
BODIES = 50  # batch bodies read at a time (a few hundred kB each)

_events = sa.table(
    "events",
    sa.column("id", sa.BigInteger()),
    sa.column("session_id", sa.String()),
    sa.column("seq", sa.Integer()),
    sa.column("station_id", sa.String()),
    sa.column("batch_seq", sa.Integer()),
    sa.column("t_ns", sa.BigInteger()),
    sa.column("game_run_id", sa.String()),
    sa.column("trial_index", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("payload", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
_spans = sa.table(
    "event_spans",
    sa.column("session_id", sa.String()),
    sa.column("first_seq", sa.Integer()),
    sa.column("last_seq", sa.Integer()),
    sa.column("station_id", sa.String()),
    sa.column("batch_seq", sa.Integer()),
    sa.column("hashes", sa.LargeBinary()),
)
_batches = sa.table(
    "batches",
    sa.column("station_id", sa.String()),
    sa.column("batch_seq", sa.Integer()),
    sa.column("body", sa.LargeBinary()),
)


def upgrade() -> None:
    op.create_table(
        "event_spans",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("first_seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("batch_seq", sa.Integer(), nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["enrolled_stations.id"],
            name=op.f("fk_event_spans_station_id_enrolled_stations"),
        ),
        sa.PrimaryKeyConstraint("session_id", "first_seq", name=op.f("pk_event_spans")),
    )
    op.create_index(op.f("ix_event_spans_station_id"), "event_spans", ["station_id"])
    bind = op.get_bind()
    spans: list[dict[str, Any]] = []
    for span in _runs(bind):
        spans.append(span)
        if len(spans) == CHUNK:
            bind.execute(_spans.insert(), spans)
            spans = []
    if spans:
        bind.execute(_spans.insert(), spans)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_station_id"))
    op.drop_table("events")


def _event_pages(bind: sa.Connection) -> Iterator[Any]:
    """The rows of ``events`` in (session_id, seq) order, read a page at a time along
    their unique key."""
    c = _events.c
    query = sa.select(c.session_id, c.seq, c.station_id, c.batch_seq, c.hash).order_by(
        c.session_id, c.seq
    )
    after: tuple[str, int] | None = None
    while True:
        page = query.limit(PAGE)
        if after is not None:
            page = page.where(sa.tuple_(c.session_id, c.seq) > sa.tuple_(*after))
        rows = bind.execute(page).all()
        yield from rows
        if len(rows) < PAGE:
            return
        after = (rows[-1].session_id, rows[-1].seq)


def _runs(bind: sa.Connection) -> Iterator[dict[str, Any]]:
    """The spans of the rows of ``events``: runs of consecutive seqs of one session
    brought by one batch of one station."""
    span: dict[str, Any] | None = None
    digests: list[bytes] = []
    for row in _event_pages(bind):
        if (
            span is None
            or row.session_id != span["session_id"]
            or row.seq != span["last_seq"] + 1
            or (row.station_id, row.batch_seq) != (span["station_id"], span["batch_seq"])
        ):
            if span is not None:
                yield {**span, "hashes": b"".join(digests)}
            span = {
                "session_id": row.session_id,
                "first_seq": row.seq,
                "last_seq": row.seq,
                "station_id": row.station_id,
                "batch_seq": row.batch_seq,
            }
            digests = []
        span["last_seq"] = row.seq
        digests.append(bytes.fromhex(row.hash))
    if span is not None:
        yield {**span, "hashes": b"".join(digests)}


def downgrade() -> None:
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

    bind = op.get_bind()
    rows: list[dict[str, Any]] = []
    for row in _span_events(bind):
        rows.append(row)
        if len(rows) == PAGE:
            bind.execute(_events.insert(), rows)
            rows = []
    if rows:
        bind.execute(_events.insert(), rows)
    op.drop_index(op.f("ix_event_spans_station_id"), table_name="event_spans")
    op.drop_table("event_spans")


def _span_events(bind: sa.Connection) -> Iterator[dict[str, Any]]:
    """The events the spans name, as rows of ``events``: read from their batches'
    bodies as ingest reads a batch, a station's batches in order, each event where
    its batch placed it (the first of a (session, seq) sent twice in one batch)."""
    from server.batch_schema import parse_batch

    s = _spans.c
    named: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for station_id, batch_seq, session_id, first, last in bind.execute(
        sa.select(s.station_id, s.batch_seq, s.session_id, s.first_seq, s.last_seq).order_by(
            s.station_id, s.batch_seq
        )
    ):
        keys = named.setdefault((station_id, batch_seq), set())
        keys.update((session_id, seq) for seq in range(first, last + 1))
    batches = list(named)
    b = _batches.c
    for start in range(0, len(batches), BODIES):
        chunk = batches[start : start + BODIES]
        bodies = {
            (station_id, batch_seq): body
            for station_id, batch_seq, body in bind.execute(
                sa.select(b.station_id, b.batch_seq, b.body).where(
                    sa.tuple_(b.station_id, b.batch_seq).in_(chunk)
                )
            )
        }
        for station_id, batch_seq in chunk:
            wanted = named[station_id, batch_seq]
            for event in parse_batch(bodies[station_id, batch_seq])["events"]:
                key = (event["session_id"], event["seq"])
                if key not in wanted:
                    continue
                wanted.discard(key)
                yield {
                    "session_id": event["session_id"],
                    "seq": event["seq"],
                    "station_id": station_id,
                    "batch_seq": batch_seq,
                    "t_ns": event["t_ns"],
                    "game_run_id": event["game_run_id"],
                    "trial_index": event["trial_index"],
                    "kind": event["kind"],
                    "payload": event["payload"],
                    "prev_hash": event["prev_hash"],
                    "hash": event["hash"],
                }
