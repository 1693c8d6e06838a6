"""The event recorder: stamp and enqueue on the caller's thread, commit on one writer.

``emit()`` does only what must happen at once: take ``time.perf_counter_ns()`` (unless
the caller passes the input's own stamp), copy the payload's top level and append a
tuple to a queue. No disk I/O, no JSON, no hashing on the calling (GUI) thread.

One writer thread drains the queue in batches. Per batch, in one ``BEGIN IMMEDIATE``
transaction, it numbers each session's events contiguously, serialises payloads
canonically, chains hashes (:mod:`kiosk.store.chain`), inserts them with one Core
``executemany`` and moves each session's chain head. A flush request is a marker in
the same queue: it is answered after every event queued before it is committed, so
``flush()`` returning means "all emitted so far is on disk". A durable flush also
syncs the write-ahead log (game end, session end), surviving power loss; an ordinary
commit survives the process dying.

Errors on the writer are never dropped: the first one is kept, every pending and
later flush raises :class:`RecorderError` carrying it, so does every later ``emit``,
and the events that were not written stay in :attr:`Recorder.unwritten`.

A station that must ride out a full disk creates its recorder with
``keep_on_error=True``: after a failure ``emit`` keeps accepting events (they join
:attr:`Recorder.unwritten`, in order, in memory) while flushes still raise, so the
caller knows nothing new is durable; :meth:`Recorder.retry` writes everything kept,
in order, once the cause is gone, and recording goes on.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, update

from kiosk.store.chain import GENESIS_HASH, canonical_payload, event_hash
from kiosk.store.database import Store
from kiosk.store.models import AssessmentSession, Event

__all__ = ["FlushTicket", "Recorder", "RecorderError", "RecorderSink"]

_events = Event.__table__
_sessions = AssessmentSession.__table__
_EVENT_COLUMNS = (
    "session_id",
    "seq",
    "t_ns",
    "game_run_id",
    "trial_index",
    "kind",
    "payload",
    "prev_hash",
    "hash",
)
# A positional executemany straight to the driver: the hot path of the whole recorder.
_INSERT_EVENTS = (
    f"INSERT INTO {Event.__tablename__} ({', '.join(_EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _EVENT_COLUMNS)})"
)

# (session_id, t_ns, game_run_id, trial_index, kind, payload)
_Queued = tuple[str, int, str | None, int | None, str, dict[str, Any] | None]


class RecorderError(RuntimeError):
    """The writer could not commit; nothing after the failure was written."""


@dataclass(eq=False)
class FlushTicket:
    """A flush request; :meth:`wait` returns once it is answered."""

    durable: bool
    _done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = 30.0) -> None:
        if not self._done.wait(timeout):
            raise RecorderError(f"the store did not confirm a flush within {timeout} s")
        if self.error is not None:
            raise RecorderError(f"recording failed: {self.error}") from self.error


class _Stop:
    pass


@dataclass(eq=False)
class _Retry:
    ticket: FlushTicket


class Recorder:
    """Records events for any number of sessions into one store."""

    def __init__(
        self,
        store: Store,
        *,
        batch_max: int = 4096,
        idle_wait_s: float = 0.02,
        on_error: Callable[[BaseException], None] | None = None,
        keep_on_error: bool = False,
    ) -> None:
        self._store = store
        self._keep_on_error = keep_on_error
        self._batch_max = batch_max
        self._idle_wait_s = idle_wait_s
        self._on_error = on_error
        self._queue: deque[_Queued | FlushTicket | _Stop | _Retry] = deque()
        self._wake = threading.Event()
        self._heads: dict[str, tuple[int, str]] = {}
        self._error: BaseException | None = None
        self.unwritten: list[_Queued] = []
        self.committed = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="kiosk-recorder", daemon=True)
        self._thread.start()

    # -- the calling thread ------------------------------------------------------------

    def emit(
        self,
        session_id: str,
        kind: str,
        payload: Mapping[str, Any] | None = None,
        *,
        game_run_id: str | None = None,
        trial_index: int | None = None,
        t_ns: int | None = None,
    ) -> None:
        """Stamp (unless ``t_ns`` is given) and enqueue one event. Never touches disk."""
        if t_ns is None:
            t_ns = time.perf_counter_ns()
        if self._closed or (self._error is not None and not self._keep_on_error):
            self._raise_unusable()
        self._queue.append(
            (
                session_id,
                t_ns,
                game_run_id,
                trial_index,
                kind,
                None if payload is None else dict(payload),
            )
        )

    def anchor(self, session_id: str, reason: str, *, game_run_id: str | None = None) -> None:
        """Record a clock anchor: a monotonic and a UTC stamp taken back to back."""
        mono = time.perf_counter_ns()
        utc = time.time_ns()
        self.emit(
            session_id,
            "clock_anchor",
            {"utc_ns": utc, "reason": reason},
            game_run_id=game_run_id,
            t_ns=mono,
        )

    def request_flush(self, durable: bool = False) -> FlushTicket:
        """Ask for everything emitted so far to be committed; returns at once."""
        if self._closed or (self._error is not None and not self._keep_on_error):
            self._raise_unusable()
        ticket = FlushTicket(durable)
        self._queue.append(ticket)
        self._wake.set()
        return ticket

    def flush(self, durable: bool = False, timeout: float | None = 30.0) -> None:
        """Return once every event emitted so far is committed (and synced if durable)."""
        self.request_flush(durable).wait(timeout)

    def retry(self, timeout: float | None = 30.0) -> None:
        """After a failure: write every kept event, in order, then record as before.

        Raises :class:`RecorderError` (keeping everything) if it fails again.
        """
        if self._closed:
            self._raise_unusable()
        ticket = FlushTicket(durable=True)
        self._queue.append(_Retry(ticket))
        self._wake.set()
        ticket.wait(timeout)

    def sink(self, session_id: str, game_run_id: str | None = None) -> RecorderSink:
        """An :class:`games.api.EventSink` bound to one session and game run."""
        return RecorderSink(self, session_id, game_run_id)

    def close(self, timeout: float | None = 30.0) -> None:
        """Flush durably and stop the writer. Raises if anything could not be written."""
        if self._closed:
            return
        try:
            if self._error is None:
                self.flush(durable=True, timeout=timeout)
        finally:
            self._closed = True
            self._queue.append(_Stop())
            self._wake.set()
            self._thread.join(timeout)
        if self._error is not None:
            raise RecorderError(f"recording failed: {self._error}") from self._error

    @property
    def error(self) -> BaseException | None:
        return self._error

    def _raise_unusable(self) -> None:
        if self._error is not None:
            raise RecorderError(f"recording failed: {self._error}") from self._error
        raise RecorderError("the recorder is closed")

    # -- the writer thread -------------------------------------------------------------

    def _run(self) -> None:
        conn = self._store.engine.connect()
        try:
            while True:
                if not self._queue:
                    self._wake.wait(self._idle_wait_s)
                    self._wake.clear()
                    continue
                batch: list[_Queued] = []
                tickets: list[FlushTicket] = []
                stop = False
                while self._queue and len(batch) < self._batch_max:
                    item = self._queue.popleft()
                    if isinstance(item, FlushTicket):
                        tickets.append(item)
                    elif isinstance(item, _Stop):
                        stop = True
                        break
                    elif isinstance(item, _Retry):
                        # Everything queued before the retry joins the kept events.
                        self.unwritten.extend(batch)
                        batch = []
                        self._retry(conn, item.ticket)
                    else:
                        batch.append(item)
                if self._error is None:
                    try:
                        if batch:
                            self._commit(conn, batch)
                        if any(t.durable for t in tickets):
                            self._store.make_durable()
                    except BaseException as exc:  # kept and raised to every caller
                        self._fail(exc, batch)
                else:
                    self.unwritten.extend(batch)
                for ticket in tickets:
                    ticket.error = self._error
                    ticket._done.set()
                if stop:
                    return
        finally:
            conn.close()

    def _retry(self, conn: Connection, ticket: FlushTicket) -> None:
        kept, self.unwritten = self.unwritten, []
        done = 0
        try:
            while done < len(kept):
                chunk = kept[done : done + self._batch_max]
                self._commit(conn, chunk)
                done += len(chunk)
            self._store.make_durable()
        except BaseException as exc:  # still failing: keep what is not written
            self.unwritten = kept[done:]
            self._error = exc
        else:
            self._error = None
        ticket.error = self._error
        ticket._done.set()

    def _fail(self, exc: BaseException, batch: list[_Queued]) -> None:
        self._error = exc
        self.unwritten.extend(batch)
        if self._on_error is not None:
            self._on_error(exc)

    def _head(self, conn: Connection, session_id: str) -> tuple[int, str]:
        head = self._heads.get(session_id)
        if head is None:
            row = conn.execute(
                _sessions.select()
                .with_only_columns(_sessions.c.chain_head_seq, _sessions.c.chain_head_hash)
                .where(_sessions.c.id == session_id)
            ).first()
            if row is None:
                raise RecorderError(f"no session {session_id!r} in the store")
            head = (int(row[0]), str(row[1]) or GENESIS_HASH)
        return head

    def _commit(self, conn: Connection, batch: list[_Queued]) -> None:
        heads: dict[str, tuple[int, str]] = {}
        rows: list[tuple[Any, ...]] = []
        with conn.begin():
            for session_id, t_ns, game_run_id, trial_index, kind, payload in batch:
                seq, prev = heads.get(session_id) or self._head(conn, session_id)
                seq += 1
                try:
                    text = canonical_payload(payload)
                except (TypeError, ValueError) as exc:
                    raise RecorderError(
                        f"event {kind!r} of session {session_id} has a payload that is not "
                        f"plain JSON ({exc})"
                    ) from exc
                digest = event_hash(
                    prev, session_id, seq, t_ns, game_run_id, trial_index, kind, text
                )
                rows.append(
                    (session_id, seq, t_ns, game_run_id, trial_index, kind, text, prev, digest)
                )
                heads[session_id] = (seq, digest)
            conn.exec_driver_sql(_INSERT_EVENTS, rows)
            for session_id, (seq, digest) in heads.items():
                conn.execute(
                    update(AssessmentSession)
                    .where(AssessmentSession.id == session_id)
                    .values(chain_head_seq=seq, chain_head_hash=digest)
                )
        self._heads.update(heads)
        self.committed += len(rows)


@dataclass
class RecorderSink:
    """The :class:`games.api.EventSink` a game is handed: one session, one game run.

    With ``on_failure``, a flush that fails calls it (on the calling thread, before
    the game goes on: the host pauses the game there) instead of raising into the
    game's code; without it, the failure is raised.
    """

    recorder: Recorder
    session_id: str
    game_run_id: str | None = None
    on_failure: Callable[[BaseException], None] | None = None

    def emit(
        self,
        kind: str,
        payload: Mapping[str, Any] | None = None,
        *,
        trial_index: int | None = None,
        t_ns: int | None = None,
    ) -> None:
        self.recorder.emit(
            self.session_id,
            kind,
            payload,
            game_run_id=self.game_run_id,
            trial_index=trial_index,
            t_ns=t_ns,
        )

    def flush(self, durable: bool = False) -> None:
        try:
            self.recorder.flush(durable)
        except RecorderError as exc:
            if self.on_failure is None:
                raise
            self.on_failure(exc)
