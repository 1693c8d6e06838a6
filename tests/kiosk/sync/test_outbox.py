"""Batches: built once from the cursors, kept byte for byte, pruned once acknowledged."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from kiosk import services
from kiosk.store.models import OutboxItem
from kiosk.sync.client import ServerUnavailable
from kiosk.sync.enrolment import sync_settings
from kiosk.sync.outbox import build_batch, mark_acked, outbox_status, pending_batches
from tests.kiosk.sync.conftest import (
    admin_actor,
    enrol_with,
    finish,
    open_session,
    play_game,
    steps_over,
    stored_audit,
    stored_events,
)
from tests.kiosk.sync.fake_server import FakeServer, transport


def bodies(store) -> list[dict]:
    return [json.loads(b.body) for b in pending_batches(store)]


@pytest.mark.slow
def test_nothing_to_send_builds_nothing(enrolled, server) -> None:
    syncer = steps_over(enrolled, transport(server))
    assert len(syncer.build()) == 1  # the enrolment's own audit entries
    assert syncer.build() == []
    assert outbox_status(enrolled).pending == 1


@pytest.mark.slow
def test_batches_follow_the_cursors_without_gaps_or_repeats(enrolled, server, recorder) -> None:
    syncer = steps_over(enrolled, transport(server))
    sid = open_session(enrolled, recorder)
    play_game(enrolled, recorder, sid, 0, trials=30)
    first = syncer.build()
    play_game(enrolled, recorder, sid, 1, trials=20)
    finish(enrolled, recorder, sid)
    second = syncer.build()
    assert [b.batch_seq for b in first + second] == [1, 2]
    sent = bodies(enrolled)
    events = [(e["session_id"], e["seq"], e["hash"]) for b in sent for e in b["events"]]
    assert events == stored_events(enrolled)
    audit = [(a["seq"], a["hash"]) for b in sent for a in b["audit"]]
    assert audit == stored_audit(enrolled)
    # The second batch starts where the first stopped.
    assert sent[1]["events"][0]["seq"] == sent[0]["events"][-1]["seq"] + 1
    assert {b["station_id"] for b in sent} == {sync_settings(enrolled).station_id}
    # Records: the current rows of sealed units, the session as it ended.
    sessions = [r for b in sent for r in b["records"]["sessions"] if r["id"] == sid]
    assert sessions[-1]["status"] == "completed"
    assert sessions[-1]["chain_head_seq"] == len(events)
    assert {r["position"] for r in sent[1]["records"]["game_runs"]} == {0, 1}
    assert all(r["ended_at"].endswith("+00:00") for r in sent[1]["records"]["game_runs"])


@pytest.mark.slow
def test_the_body_is_canonical_and_kept_byte_for_byte(enrolled, server, recorder) -> None:
    from server.protocol import canonical_json

    syncer = steps_over(enrolled, transport(server))
    sid = open_session(enrolled, recorder)
    play_game(enrolled, recorder, sid, 0, trials=5)
    syncer.build()
    (batch,) = pending_batches(enrolled)
    assert canonical_json(json.loads(batch.body)) == batch.body
    assert pending_batches(enrolled)[0].body == batch.body  # read again: the same bytes
    server.down = True
    for _ in range(3):
        with pytest.raises(ServerUnavailable):
            syncer.send()
    server.down = False
    syncer.send()
    assert server.bodies_seen[1] == [batch.body]
    assert outbox_status(enrolled).acked_through == 1


@pytest.mark.slow
def test_acknowledged_batches_are_pruned_and_the_cursors_kept(enrolled, server, recorder) -> None:
    syncer = steps_over(enrolled, transport(server))
    sid = open_session(enrolled, recorder)
    for position in range(3):
        play_game(enrolled, recorder, sid, position, trials=4)
        syncer.build()
    assert outbox_status(enrolled).pending == 3
    assert mark_acked(enrolled, 2) == 2
    with enrolled.reader() as s:
        rows = s.scalars(select(OutboxItem).where(OutboxItem.kind == "batch")).all()
    assert [(r.ref_id, "body" in r.payload) for r in rows] == [("3", True)]
    assert mark_acked(enrolled, 3) == 1
    assert mark_acked(enrolled, 1) == 0  # a late, older answer changes nothing
    with enrolled.reader() as s:
        (newest,) = s.scalars(select(OutboxItem).where(OutboxItem.kind == "batch")).all()
    assert newest.ref_id == "3" and "body" not in newest.payload
    assert newest.payload["events_through"] > 0 and newest.sent_at is not None
    status = outbox_status(enrolled)
    assert (status.acked_through, status.pending, status.built_through) == (3, 0, 3)
    play_game(enrolled, recorder, sid, 3, trials=2)
    (next_batch,) = syncer.build()
    assert next_batch.batch_seq == 4
    (body,) = bodies(enrolled)
    # After the session anchor and three games of an anchor and 4 trials each: 17 on.
    assert [e["seq"] for e in body["events"]] == [17, 18, 19]


@pytest.mark.slow
def test_many_events_are_split_and_checkpoints_wait_for_their_events(
    enrolled, server, recorder
) -> None:
    syncer = steps_over(enrolled, transport(server), max_events=7)
    sid = open_session(enrolled, recorder)
    for position in range(3):
        play_game(enrolled, recorder, sid, position, trials=9)
    finish(enrolled, recorder, sid)
    built = syncer.build()
    assert len(built) >= 5
    sent = bodies(enrolled)
    assert all(len(b["events"]) <= 7 for b in sent)
    assert [(e["session_id"], e["seq"], e["hash"]) for b in sent for e in b["events"]] == (
        stored_events(enrolled)
    )
    assert [(a["seq"], a["hash"]) for b in sent for a in b["audit"]] == stored_audit(enrolled)
    syncer.send()
    assert server.applied_through == len(built)
    assert server.flags == []  # every checkpoint met an event the server already held


@pytest.mark.slow
def test_personal_data_is_withheld_unless_the_centre_enabled_it(store, recorder) -> None:
    server = FakeServer(personal_data=False)
    enrol_with(store, server)
    actor = admin_actor(store)
    services.create_candidate(store, actor, full_name="Grace Hopper", external_ref="HR-1906")
    syncer = steps_over(store, transport(server))
    syncer.build()
    syncer.send()
    assert server.records.get("candidate_personal", {}) == {}
    assert b"Grace Hopper" not in server.kept[1][1] and b"HR-1906" not in server.kept[1][1]
    assert len(server.records["candidates"]) == 1


@pytest.mark.slow
def test_personal_data_goes_when_enabled_without_its_salt(store) -> None:
    server = FakeServer(personal_data=True)
    enrol_with(store, server)
    actor = admin_actor(store)
    created = services.create_candidate(store, actor, full_name="Grace Hopper")
    syncer = steps_over(store, transport(server))
    syncer.build()
    syncer.send()
    (row,) = server.records["candidate_personal"].values()
    assert row["candidate_id"] == created.id and row["full_name"] == "Grace Hopper"
    assert "salt" not in row


@pytest.mark.slow
def test_a_report_travels_as_its_file_not_its_path(enrolled, server, tmp_path) -> None:
    import base64

    from kiosk.store.models import Report
    from tests.helpers import new_session

    (sid,) = new_session(enrolled)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7 a signed report")
    with enrolled.writer() as s, s.begin():
        s.add(Report(session_id=sid, path=str(pdf), sha256="ab" * 32, signer="Station"))
    syncer = steps_over(enrolled, transport(server))
    syncer.build()
    syncer.send()
    (report,) = server.records["reports"].values()
    assert report["file_name"] == "report.pdf" and "path" not in report
    assert base64.b64decode(report["pdf_b64"]) == pdf.read_bytes()


def test_no_batch_before_enrolment_and_build_needs_nothing_from_the_network(store) -> None:
    assert sync_settings(store) is None
    assert build_batch(store, "station", personal_data=False) is not None  # local only
