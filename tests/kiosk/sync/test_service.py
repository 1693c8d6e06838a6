"""The sync thread: wakes on commits, retries with backoff, stops when revoked or when
history diverged, and never makes the calling (GUI) thread wait on the network."""

from __future__ import annotations

import itertools
import threading
import time

import httpx
import pytest

from kiosk.sessions.machine import Transition
from kiosk.store import open_store
from kiosk.sync.client import backoff_delay
from kiosk.sync.outbox import outbox_status
from kiosk.sync.service import SyncService
from tests.kiosk.sync.conftest import finish, open_session, play_game, stored_events, until
from tests.kiosk.sync.fake_server import FakeServer, faulty, transport


def service(store, handler: httpx.BaseTransport, **options) -> SyncService:
    defaults = {
        "transport": handler,
        "keepalive": False,
        "heartbeat_s": 0.05,
        "backoff_base_s": 0.01,
        "backoff_cap_s": 0.05,
        "build_interval_s": 0.02,
    }
    return SyncService(store, **{**defaults, **options})


def arrived(server: FakeServer) -> list[tuple[str, int, str]]:
    return [(e["session_id"], e["seq"], e["hash"]) for e in server.events]


def test_backoff_is_full_jitter_doubling_to_the_cap() -> None:
    highs = [backoff_delay(n, uniform=lambda low, high: high) for n in range(9)]
    assert highs == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert backoff_delay(3, uniform=lambda low, high: low) == 0.0
    assert all(0 <= backoff_delay(n) <= 30.0 for n in range(100))


@pytest.mark.slow
def test_the_thread_syncs_what_commits_through_a_faulty_network(enrolled, server, recorder):
    sync = service(enrolled, faulty(server, seed=7, rate=0.4), max_events=40)
    sync.start()
    try:
        sid = open_session(enrolled, recorder)
        for position in range(6):
            play_game(enrolled, recorder, sid, position, trials=15)
            time.sleep(0.03)
        finish(enrolled, recorder, sid)
        until(lambda: arrived(server) == stored_events(enrolled) and not sync.status().pending)
        until(lambda: len(server.heartbeats) >= 3)
    finally:
        sync.stop()
    assert server.flags == []
    assert not sync.status().running
    assert all(len(set(b)) == 1 for b in server.bodies_seen.values())


@pytest.mark.slow
def test_failures_back_off_and_a_success_resets_them(enrolled, server) -> None:
    server.down = True
    sync = service(enrolled, transport(server))
    sync.start()
    try:
        until(lambda: sync.attempt >= 4)
        status = sync.status()
        assert status.last_error is not None and "refused" in status.last_error
        assert outbox_status(enrolled).last_error == status.last_error  # remembered
        server.down = False
        until(lambda: sync.attempt == 0 and sync.status().last_error is None)
        until(lambda: sync.status().pending == 0 and sync.status().acked_through >= 1)
    finally:
        sync.stop()
    assert outbox_status(enrolled).last_error is None


@pytest.mark.slow
def test_a_revoked_station_stops_syncing_and_stays_stopped(store_path, store, server) -> None:
    from tests.kiosk.sync.conftest import enrol_with

    enrol_with(store, server)
    server.revoked = True
    problems: list[str] = []
    sync = service(store, transport(server), on_problem=problems.append)
    sync.start()
    until(lambda: not sync.status().running)
    sync.stop()
    assert sync.status().halted == "revoked"
    assert problems and "refuses this station" in problems[0]
    assert outbox_status(store).halted == "revoked"
    requests = server.requests
    store.close()
    with open_store(store_path) as reopened:  # after a restart it stays stopped
        again = service(reopened, transport(server))
        again.start()
        until(lambda: not again.status().running)
        again.stop()
        assert server.requests == requests


@pytest.mark.slow
def test_a_conflict_stops_batches_but_not_heartbeats(enrolled, server, recorder) -> None:
    server.kept[1] = (b"another digest", b"{}")  # the server holds another batch 1
    problems: list[str] = []
    sync = service(enrolled, transport(server), on_problem=problems.append)
    sync.start()
    try:
        until(lambda: sync.status().halted == "conflict")
        sent = len(server.bodies_seen.get(1, []))
        sid = open_session(enrolled, recorder)
        play_game(enrolled, recorder, sid, 0, trials=3)
        beats = len(server.heartbeats)
        until(lambda: len(server.heartbeats) > beats + 2)
    finally:
        sync.stop()
    assert len(server.bodies_seen.get(1, [])) == sent  # nothing sent since
    assert problems and "diverged" in problems[0]
    assert outbox_status(enrolled).halted == "conflict"
    assert server.heartbeats[-1]["outbox_pending"] >= 1


@pytest.mark.slow
def test_commands_reach_the_shell_as_transitions(enrolled, server, recorder) -> None:
    seen: list[Transition] = []
    sid = open_session(enrolled, recorder)
    server.command("pause", sid)
    sync = service(enrolled, transport(server), on_transition=seen.append)
    sync.start()
    try:
        until(lambda: bool(seen))
    finally:
        sync.stop()
    assert seen[0].session_id == sid and seen[0].target.value == "paused"


@pytest.mark.slow
def test_the_calling_thread_never_waits_on_the_network(enrolled, server, recorder) -> None:
    release = threading.Event()
    entered = threading.Event()

    def slow(request: httpx.Request) -> httpx.Response:
        entered.set()
        release.wait(10)  # a server that takes its time
        return server.handle(request)

    sync = service(enrolled, httpx.MockTransport(slow))
    server.request_threads.clear()  # the enrolment was the caller's own request
    caller = threading.get_ident()
    started = time.monotonic()
    sync.start()
    assert entered.wait(10)  # the thread is inside a request now
    sid = open_session(enrolled, recorder)  # the station writes meanwhile (commits wake it)
    play_game(enrolled, recorder, sid, 0, trials=5)
    sync.wake()
    status = sync.status()
    assert time.monotonic() - started < 5.0
    assert status.running
    release.set()
    try:
        until(lambda: arrived(server) == stored_events(enrolled))
    finally:
        sync.stop()
    assert server.request_threads and caller not in server.request_threads


def test_a_busy_server_s_retry_after_is_the_least_wait(enrolled, server) -> None:
    """503 with Retry-After: the station waits at least that long, though its own
    backoff (capped at 0.05 s here) would come back sooner."""
    asked: list[float] = []
    busy = {"left": 3}
    real = transport(server)

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(time.monotonic())
        if busy["left"] > 0:
            busy["left"] -= 1
            return httpx.Response(
                503,
                headers={"Retry-After": "0.4"},
                json={"error": {"code": "server_busy", "message": "database busy"}},
            )
        return real.handle_request(request)

    sync = service(enrolled, httpx.MockTransport(handler))
    sync.start()
    try:
        until(lambda: busy["left"] == 0 and sync.status().last_error is None)
    finally:
        sync.stop()
    gaps = [later - earlier for earlier, later in itertools.pairwise(asked[:4])]
    assert len(gaps) == 3 and min(gaps) >= 0.38, gaps


def test_retry_after_is_read_as_seconds_and_capped() -> None:
    from kiosk.sync.client import BACKOFF_CAP_S, _retry_after

    def answer(status: int, value: str | None) -> httpx.Response:
        headers = {"Retry-After": value} if value is not None else {}
        return httpx.Response(status, headers=headers)

    assert _retry_after(answer(503, "3")) == 3.0
    assert _retry_after(answer(429, "1.5")) == 1.5
    assert _retry_after(answer(503, "3600")) == BACKOFF_CAP_S
    assert _retry_after(answer(503, "Wed, 21 Oct 2026 07:28:00 GMT")) is None  # a date: ignored
    assert _retry_after(answer(503, "-2")) is None
    assert _retry_after(answer(503, None)) is None
    assert _retry_after(answer(500, "3")) is None  # only busy answers ask for a wait
