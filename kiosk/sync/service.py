"""Sync in the background: build batches as data commits, send them, beat, obey commands.

:class:`Syncer` does one step at a time on the calling thread (``kiosk sync push`` uses
it directly); :class:`SyncService` runs it on its own thread for the station window, so
the GUI thread never waits on the network or on the store for sync. The thread wakes
when any transaction on the store's engine commits (a ``commit`` listener sets a
:class:`threading.Event`; building takes ``BEGIN IMMEDIATE``, so it sees that commit
once it is done) and on a timer: the heartbeat, a retry, or at the latest every
:data:`IDLE_WAKE_S`. Everything it sends comes from the outbox, so after a restart it
simply carries on where the outbox stands.

Failures: a network error, 5xx or an answer that is not the protocol's JSON is retried
with exponential backoff and full jitter (base 0.5 s, cap 30 s, reset by the next
success), and never sooner than a 503's or 429's ``Retry-After`` asks; batches keep
being built meanwhile. A revoked station (401/403) stops
syncing altogether; a batch conflict (409) stops sending batches (heartbeats go on, so
the centre sees the station and its growing outbox). Both are remembered in the
outbox's state row, logged as errors and passed to ``on_problem``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import event

from kiosk.sessions.machine import Transition
from kiosk.store import Store
from kiosk.sync.client import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    BatchConflict,
    ServerUnavailable,
    StationRevoked,
    SyncClient,
    SyncHalted,
    backoff_delay,
)
from kiosk.sync.commands import CommandOutcome, apply_command
from kiosk.sync.enrolment import SyncSettings, sync_settings
from kiosk.sync.live import live_status
from kiosk.sync.outbox import (
    BuiltBatch,
    OutboxStatus,
    build_batch,
    mark_acked,
    outbox_status,
    pending_batches,
    remember_halt,
    save_state,
)
from kiosk.sync.settings import CANNOT_START, readable_sync_settings

__all__ = [
    "IDLE_WAKE_S",
    "ServiceStatus",
    "SyncOverview",
    "SyncService",
    "Syncer",
    "request_signer",
    "start_if_enrolled",
    "start_syncing",
    "sync_overview",
]

log = logging.getLogger(__name__)

IDLE_WAKE_S = 30.0


def request_signer(store: Store) -> Callable[[bytes], str]:
    """Signs request digests with the station key (the one that signs the audit log)."""
    from kiosk.trust.keys import StationSigner, station_identity, vault_of

    signer = StationSigner(station_identity(store), vault_of(store), store.path)
    return signer.sign


class Syncer:
    """One enrolled station's sync steps, on whatever thread calls them."""

    def __init__(
        self,
        store: Store,
        settings: SyncSettings,
        client: SyncClient,
        *,
        max_events: int | None = None,
        on_transition: Callable[[Transition], object] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.client = client
        self.max_events = max_events
        self.on_transition = on_transition

    @classmethod
    def open(
        cls,
        store: Store,
        settings: SyncSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        keepalive: bool = True,
        timeout_s: float = 15.0,
        **options: Any,
    ) -> Syncer:
        client = SyncClient(
            settings.url,
            settings.station_id,
            request_signer(store),
            transport=transport,
            keepalive=keepalive,
            timeout_s=timeout_s,
        )
        return cls(store, settings, client, **options)

    def close(self) -> None:
        self.client.close()

    def build(self) -> list[BuiltBatch]:
        """Build every batch that committed data calls for (none when nothing is new)."""
        built: list[BuiltBatch] = []
        while True:
            batch = build_batch(
                self.store,
                self.settings.station_id,
                personal_data=self.settings.personal_data,
                max_events=self.max_events,
            )
            if batch is None:
                return built
            built.append(batch)

    def send(self, progress: Callable[[int, int], object] | None = None) -> int:
        """Send unacknowledged batches in order; returns the server's ``acked_through``.

        ``progress(batch_seq, acked_through)`` is called after each answer.
        """
        acked = outbox_status(self.store).acked_through
        for batch in pending_batches(self.store):
            known = acked
            acked = self.client.send_batch(batch.body)
            built = outbox_status(self.store).built_through
            if acked < known:
                raise BatchConflict(
                    f"the server now holds batches only up to {acked} after acknowledging "
                    f"{known}: it lost data (was it restored from a backup?), and this station "
                    "no longer keeps acknowledged batches; syncing has stopped: call the centre "
                    "admin"
                )
            if acked > built:
                raise BatchConflict(
                    f"the server acknowledges batches up to {acked} but this station built "
                    f"only {built}: its history diverged (was the store restored from a "
                    "backup?); syncing has stopped: keep this store as it is and call the "
                    "centre admin"
                )
            mark_acked(self.store, acked)
            if progress is not None:
                progress(batch.batch_seq, acked)
            if acked < batch.batch_seq:
                break  # the server waits for an earlier batch: try again from it later
        return acked

    def heartbeat(self) -> list[CommandOutcome]:
        """Tell the centre how the station stands; apply and acknowledge its commands."""
        status = outbox_status(self.store)
        commands = self.client.heartbeat(
            {
                "sent_at": datetime.now(UTC).isoformat(),
                "acked_through": status.acked_through,
                "outbox_pending": status.pending,
                "live": live_status(self.store),
            }
        )
        outcomes = []
        for command in commands:
            outcome = apply_command(self.store, command, self.on_transition)
            if not outcome.repeated:
                log.info(
                    "command %s (%s) from the centre: %s, %s",
                    outcome.command_id,
                    command.get("kind"),
                    outcome.outcome,
                    outcome.detail,
                )
            self.client.ack(outcome.command_id, outcome.outcome, outcome.detail)
            outcomes.append(outcome)
        return outcomes


@dataclass(frozen=True)
class ServiceStatus:
    running: bool
    acked_through: int
    pending: int
    last_error: str | None
    halted: str | None
    last_success: datetime | None


class SyncService:
    """The station's sync thread: ``start()`` once enrolled, ``stop()`` at close."""

    def __init__(
        self,
        store: Store,
        settings: SyncSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        keepalive: bool = True,
        timeout_s: float = 15.0,
        heartbeat_s: float | None = None,
        backoff_base_s: float = BACKOFF_BASE_S,
        backoff_cap_s: float = BACKOFF_CAP_S,
        build_interval_s: float = 0.5,
        uniform: Callable[[float, float], float] = random.uniform,
        max_events: int | None = None,
        on_transition: Callable[[Transition], object] | None = None,
        on_problem: Callable[[str], object] | None = None,
    ) -> None:
        settings = settings or sync_settings(store)
        if settings is None:
            raise ValueError("this station is not enrolled: run `kiosk sync enrol URL CODE`")
        self.store = store
        self.settings = settings
        self._client_options: dict[str, Any] = {
            "transport": transport,
            "keepalive": keepalive,
            "timeout_s": timeout_s,
            "max_events": max_events,
            "on_transition": on_transition,
        }
        self.heartbeat_s = heartbeat_s or settings.heartbeat_s
        self._backoff = (backoff_base_s, backoff_cap_s, uniform)
        self._build_interval_s = build_interval_s
        self._on_problem = on_problem
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        kept = outbox_status(store)
        self._acked, self._pending = kept.acked_through, kept.pending
        self._last_error, self._halted = kept.last_error, kept.halted
        self._last_success: datetime | None = None
        self.attempt = 0  # consecutive failures: the backoff's exponent
        self.rounds = 0  # network rounds tried (for status and tests)

    # -- the GUI thread's side: none of these waits on the network or the store -----------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the sync service is already running")
        event.listen(self.store.engine, "commit", self._on_commit)
        self._thread = threading.Thread(target=self._run, name="kiosk-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        if event.contains(self.store.engine, "commit", self._on_commit):
            event.remove(self.store.engine, "commit", self._on_commit)
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.warning("the sync thread is still waiting on the network; leaving it")

    def wake(self) -> None:
        self._wake.set()

    def status(self) -> ServiceStatus:
        with self._lock:
            return ServiceStatus(
                running=self._thread is not None and self._thread.is_alive(),
                acked_through=self._acked,
                pending=self._pending,
                last_error=self._last_error,
                halted=self._halted,
                last_success=self._last_success,
            )

    def _on_commit(self, _conn: object) -> None:
        if threading.current_thread() is not self._thread:
            self._wake.set()

    # -- the sync thread ----------------------------------------------------------------

    def _run(self) -> None:
        try:
            syncer = Syncer.open(self.store, self.settings, **self._client_options)
        except Exception as exc:  # the key is locked, say: nothing can be signed
            self._problem(f"sync cannot start: {exc}", persist=False)
            return
        try:
            self._loop(syncer)
        finally:
            syncer.close()

    def _loop(self, syncer: Syncer) -> None:
        retry_at = 0.0  # no request before this (backoff)
        heartbeat_at = 0.0
        built_at = -self._build_interval_s
        while not self._stopping.is_set() and self._halted != StationRevoked.reason:
            self._wake.clear()
            wait = built_at + self._build_interval_s - time.monotonic()
            if wait > 0 and self._stopping.wait(wait):
                break  # commits close together make one batch, not one each
            try:
                syncer.build()
            except Exception:
                log.exception("building a sync batch failed; trying again at the next wake")
            built_at = time.monotonic()
            self._refresh()
            now = time.monotonic()
            sendable = self._pending and self._halted is None
            if now >= retry_at and (sendable or now >= heartbeat_at):
                self.rounds += 1
                try:
                    if sendable:
                        syncer.send()
                    if now >= heartbeat_at:
                        syncer.heartbeat()
                        heartbeat_at = time.monotonic() + self.heartbeat_s
                except SyncHalted as exc:
                    self._halt(exc)
                except Exception as exc:
                    if not isinstance(exc, ServerUnavailable):
                        log.exception("sync round failed")
                    base, cap, uniform = self._backoff
                    delay = backoff_delay(self.attempt, base=base, cap=cap, uniform=uniform)
                    asked = exc.retry_after_s if isinstance(exc, ServerUnavailable) else None
                    if asked is not None:
                        delay = max(delay, asked)  # never sooner than the server asked
                    self.attempt += 1
                    retry_at = time.monotonic() + delay
                    self._failed(str(exc))
                else:
                    self.attempt, retry_at = 0, 0.0
                    self._succeeded()
                self._refresh()
            now = time.monotonic()
            due = max(min(heartbeat_at, now + IDLE_WAKE_S), retry_at)
            self._wake.wait(max(0.0, due - now))

    def _refresh(self) -> None:
        kept = outbox_status(self.store)
        with self._lock:
            self._acked, self._pending = kept.acked_through, kept.pending

    def _failed(self, message: str) -> None:
        with self._lock:
            changed = message != self._last_error
            self._last_error = message
        if changed:
            log.warning("sync: %s (retrying, attempt %d)", message, self.attempt)
            save_state(self.store, last_error=message)

    def _succeeded(self) -> None:
        with self._lock:
            cleared = self._last_error is not None
            self._last_error = None
            self._last_success = datetime.now(UTC)
        if cleared:
            save_state(self.store, last_error=None)

    def _halt(self, exc: SyncHalted) -> None:
        with self._lock:
            self._halted = exc.reason
        remember_halt(self.store, exc.reason, str(exc))
        self._problem(str(exc), persist=False)

    def _problem(self, message: str, *, persist: bool) -> None:
        log.error("sync: %s", message)
        with self._lock:
            self._last_error = message
        if persist:
            save_state(self.store, last_error=message)
        if self._on_problem is not None:
            self._on_problem(message)


def start_if_enrolled(
    store: Store,
    *,
    on_transition: Callable[[Transition], object] | None = None,
    on_problem: Callable[[str], object] | None = None,
) -> SyncService | None:
    """Start syncing in the background when the station is enrolled (else None).

    The station works without its server: sync that cannot start (also because its
    settings cannot be read) is logged with its cause, and the window opens all the same.
    """
    settings = readable_sync_settings(store)
    if settings is None:
        return None
    return start_syncing(store, settings, on_transition=on_transition, on_problem=on_problem)


def start_syncing(
    store: Store,
    settings: SyncSettings,
    *,
    on_transition: Callable[[Transition], object] | None = None,
    on_problem: Callable[[str], object] | None = None,
) -> SyncService | None:
    """Start syncing with the enrolment ``settings`` already read; None (logged) when it
    cannot start."""
    try:
        service = SyncService(store, settings, on_transition=on_transition, on_problem=on_problem)
        service.start()
    except Exception:
        log.exception(CANNOT_START)
        return None
    log.info("syncing with %s as station %s", settings.url, settings.station_id)
    return service


@dataclass(frozen=True)
class SyncOverview:
    """Enrolment and outbox, for ``kiosk sync status`` and the admin screen."""

    settings: SyncSettings | None
    outbox: OutboxStatus


def sync_overview(store: Store) -> SyncOverview:
    return SyncOverview(sync_settings(store), outbox_status(store))
