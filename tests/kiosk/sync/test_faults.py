"""A network that drops, fails, cuts short and repeats: every event arrives exactly once,
in order, and a batch's bytes never change however often it is sent."""

from __future__ import annotations

import pytest

from kiosk.store import open_store
from kiosk.store.audit import append_audit
from kiosk.sync.client import ServerUnavailable
from kiosk.sync.outbox import outbox_status, pending_batches
from tests.kiosk.sync.conftest import (
    finish,
    open_session,
    play_game,
    steps_over,
    stored_audit,
    stored_events,
)
from tests.kiosk.sync.fake_server import FakeServer, faulty, transport


def arrived(server: FakeServer) -> list[tuple[str, int, str]]:
    return [(e["session_id"], e["seq"], e["hash"]) for e in server.events]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_many_faulty_rounds_deliver_every_event_once_in_order(
    enrolled, server, recorder, seed
) -> None:
    syncer = steps_over(enrolled, faulty(server, seed), max_events=25)
    failures = 0
    sessions = [open_session(enrolled, recorder) for _ in range(2)]
    for round_ in range(12):
        for sid in sessions:
            play_game(enrolled, recorder, sid, round_, trials=7)
        syncer.build()
        try:
            syncer.send()
            syncer.heartbeat()
        except ServerUnavailable:
            failures += 1
    for sid in sessions:
        finish(enrolled, recorder, sid)
    syncer.build()
    for _ in range(200):  # the network heals only by chance: keep sending until it has all
        try:
            syncer.send()
        except ServerUnavailable:
            failures += 1
            continue
        if outbox_status(enrolled).pending == 0:
            break
    assert failures > 5  # the faults did happen
    assert outbox_status(enrolled).pending == 0
    assert arrived(server) == stored_events(enrolled)
    assert [(a["seq"], a["hash"]) for a in server.audit] == stored_audit(enrolled)
    assert server.flags == []
    built = outbox_status(enrolled).built_through
    assert sorted(server.kept) == list(range(1, built + 1))
    # Sent again and again, a batch is the same bytes every time (else the server says 409).
    assert all(len(set(bodies)) == 1 for bodies in server.bodies_seen.values())
    assert max(len(bodies) for bodies in server.bodies_seen.values()) > 1


@pytest.mark.slow
def test_a_restart_resumes_from_the_outbox_with_the_same_bytes(
    store_path, server, recorder, store
) -> None:
    from tests.kiosk.sync.conftest import enrol_with

    enrol_with(store, server)
    sid = open_session(store, recorder)
    play_game(store, recorder, sid, 0, trials=12)
    server.down = True
    syncer = steps_over(store, transport(server), max_events=10)
    syncer.build()
    with pytest.raises(ServerUnavailable):
        syncer.send()
    before = [b.body for b in pending_batches(store)]
    assert len(before) >= 2
    recorder.close()
    store.close()

    server.down = False
    with open_store(store_path) as reopened:
        again = steps_over(reopened, transport(server), max_events=10)
        assert [b.body for b in pending_batches(reopened)] == before
        assert again.build() == []  # nothing new: the cursors were kept
        again.send()
        assert outbox_status(reopened).pending == 0
        assert arrived(server) == stored_events(reopened)
        assert [server.kept[i + 1][1] for i in range(len(before))] == before


@pytest.mark.slow
def test_the_server_acknowledging_batches_never_built_stops_syncing(enrolled, server) -> None:
    from kiosk.sync.client import BatchConflict

    syncer = steps_over(enrolled, transport(server))
    syncer.build()
    # As if this station had sent a batch 2 before its store was restored from a backup.
    server.kept[2] = (b"x", b'{"events":[],"audit":[],"records":{}}')
    with pytest.raises(BatchConflict, match="diverged"):
        syncer.send()


@pytest.mark.slow
def test_a_server_that_forgot_acknowledged_batches_stops_syncing(enrolled, server) -> None:
    from kiosk.sync.client import BatchConflict

    syncer = steps_over(enrolled, transport(server))
    syncer.build()
    syncer.send()
    assert outbox_status(enrolled).acked_through == 1
    server.kept.clear()  # the server's database restored from an older backup
    server.applied_through = 0
    with enrolled.writer() as s, s.begin():
        append_audit(s, "ada", "something_happened")  # something new to send
    syncer.build()
    with pytest.raises(BatchConflict, match="lost data"):
        syncer.send()
