"""Commands from the centre: applied once through the state machine, acknowledged once
applied or refused, however often they are delivered, across a restart too."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from kiosk.incidents import list_incidents
from kiosk.sessions.machine import Move, apply, status_of
from kiosk.store import open_store
from kiosk.store.models import AuditEntry, SessionStatus
from kiosk.sync.client import ServerUnavailable
from kiosk.sync.enrolment import sync_settings
from tests.kiosk.sync.conftest import admin_actor, finish, open_session, steps_over
from tests.kiosk.sync.fake_server import FakeServer, transport


def acks_fail_once(server: FakeServer) -> httpx.MockTransport:
    """The first acknowledgement of each command is lost on the way: the server delivers
    the command again with the next heartbeat."""
    lost: set[str] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/ack") and path not in lost:
            lost.add(path)
            raise httpx.ConnectError("connection refused (injected)")
        return server.handle(request)

    return httpx.MockTransport(handler)


def audit_actions(store, action: str) -> list[AuditEntry]:
    with store.reader() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.slow
def test_a_pause_delivered_twice_is_applied_once(enrolled, server, recorder) -> None:
    sid = open_session(enrolled, recorder)
    cid = server.command("pause", sid)
    syncer = steps_over(enrolled, acks_fail_once(server))
    with pytest.raises(ServerUnavailable):
        syncer.heartbeat()  # applied; its acknowledgement lost
    assert status_of(enrolled, sid) is SessionStatus.PAUSED
    (again,) = syncer.heartbeat()  # delivered again
    assert again.repeated and again.outcome == "applied"
    assert syncer.heartbeat() == []  # acknowledged: no longer delivered
    assert len(audit_actions(enrolled, "session_paused")) == 1
    (record,) = audit_actions(enrolled, "remote_command")
    assert record.target == cid and record.actor == "remote:pat"
    assert [a["outcome"] for a in server.acks[cid]] == ["applied"]


@pytest.mark.slow
def test_a_command_is_not_applied_again_after_a_restart(
    store_path, store, server, recorder
) -> None:
    from tests.kiosk.sync.conftest import enrol_with

    enrol_with(store, server)
    sid = open_session(store, recorder)
    cid = server.command("pause", sid)
    with pytest.raises(ServerUnavailable):
        steps_over(store, acks_fail_once(server)).heartbeat()
    # A proctor resumes at the station; a second pause would be wrong now.
    apply(store, sid, Move.RESUME, admin_actor(store))
    recorder.close()
    store.close()
    with open_store(store_path) as reopened:
        (outcome,) = steps_over(reopened, transport(server)).heartbeat()
        assert outcome.repeated and outcome.outcome == "applied"
        assert status_of(reopened, sid) is SessionStatus.IN_PROGRESS
        assert len(audit_actions(reopened, "session_paused")) == 1
    assert [a["outcome"] for a in server.acks[cid]] == ["applied"]


@pytest.mark.slow
def test_a_move_made_just_before_a_crash_is_recognised(enrolled, server, recorder) -> None:
    sid = open_session(enrolled, recorder)
    cid = server.command("void", sid, reason="fire alarm")
    # The move committed, then the process died before it wrote remote_command.
    apply(
        enrolled,
        sid,
        Move.VOID,
        admin_actor(enrolled),
        reason="fire alarm",
        details={"remote_command": cid},
    )
    (outcome,) = steps_over(enrolled, transport(server)).heartbeat()
    assert outcome.repeated and outcome.outcome == "applied"
    assert server.acks[cid][0]["outcome"] == "applied"
    assert len(audit_actions(enrolled, "session_voided")) == 1


@pytest.mark.slow
def test_a_void_needs_and_keeps_its_reason(enrolled, server, recorder) -> None:
    sid = open_session(enrolled, recorder)
    bare = server.command("void", sid)
    (refused,) = steps_over(enrolled, transport(server)).heartbeat()
    assert refused.command_id == bare and refused.outcome == "refused"
    assert "reason" in server.acks[bare][0]["detail"]
    assert status_of(enrolled, sid) is SessionStatus.IN_PROGRESS
    given = server.command("void", sid, reason="candidate unwell")
    (applied,) = steps_over(enrolled, transport(server)).heartbeat()
    assert applied.command_id == given and applied.outcome == "applied"
    (voided,) = audit_actions(enrolled, "session_voided")
    assert json.loads(voided.details)["reason"] == "candidate unwell"


@pytest.mark.slow
def test_what_the_machine_refuses_is_acknowledged_refused(enrolled, server, recorder) -> None:
    sid = open_session(enrolled, recorder)
    finish(enrolled, recorder, sid)
    cid = server.command("resume", sid)
    unknown = server.command("reboot", sid)
    syncer = steps_over(enrolled, transport(server))
    outcomes = {o.command_id: o for o in syncer.heartbeat()}
    assert outcomes[cid].outcome == "refused"
    assert server.acks[cid] == [
        {
            "protocol": 1,
            "station_id": sync_settings(enrolled).station_id,
            "outcome": "refused",
            "detail": outcomes[cid].detail,
        }
    ]
    assert "completed" in outcomes[cid].detail and "cannot resume" in outcomes[cid].detail
    assert server.acks[unknown][0]["outcome"] == "refused"
    assert status_of(enrolled, sid) is SessionStatus.COMPLETED
    assert syncer.heartbeat() == []


@pytest.mark.slow
def test_a_note_is_added_once(enrolled, server, recorder) -> None:
    sid = open_session(enrolled, recorder)
    cid = server.command("note", sid, text="Candidate asked for water at 10:12.")
    syncer = steps_over(enrolled, acks_fail_once(server))
    with pytest.raises(ServerUnavailable):
        syncer.heartbeat()
    syncer.heartbeat()
    notes = list_incidents(enrolled, admin_actor(enrolled), sid)
    assert [(n.author, n.text) for n in notes] == [
        ("remote:pat", "Candidate asked for water at 10:12.")
    ]
    assert [a["outcome"] for a in server.acks[cid]] == ["applied"]
    live = server.heartbeats[-1]["live"]
    assert live["session_id"] == sid and live["incidents"] == 1


@pytest.mark.slow
def test_the_heartbeat_carries_the_live_session(enrolled, server, recorder) -> None:
    from tests.kiosk.sync.conftest import play_game

    syncer = steps_over(enrolled, transport(server))
    syncer.heartbeat()
    assert server.heartbeats[-1]["live"] is None
    sid = open_session(enrolled, recorder)
    play_game(enrolled, recorder, sid, 0, trials=3)
    syncer.build()
    syncer.heartbeat()
    beat = server.heartbeats[-1]
    assert beat["station_id"] == sync_settings(enrolled).station_id
    assert beat["outbox_pending"] == 1 and beat["acked_through"] == 0
    live = beat["live"]
    assert live["session_id"] == sid and live["status"] == "in_progress"
    assert live["game_index"] == 1 and live["incidents"] == 0
    assert live["elapsed_s"] >= 0 and live["quality_flags"] == []


@pytest.mark.slow
def test_the_heartbeat_carries_engagement_flags_while_the_session_runs(
    enrolled, server, monkeypatch
) -> None:
    """A candidate pressing one key at 80 ms in Arrows shows on the centre console
    before the session ends, so a proctor can step in."""
    from games.catalog import TaskGame
    from tests.kiosk.engagement_helpers import StuckFastPlayer, record_games

    monkeypatch.setattr(TaskGame("arrows").bot, "Bot", StuckFastPlayer)
    sid = record_games(enrolled, ["arrows"])
    syncer = steps_over(enrolled, transport(server))
    syncer.heartbeat()
    live = server.heartbeats[-1]["live"]
    assert live["session_id"] == sid and live["status"] == "in_progress"
    assert {"too_fast_responding", "same_response"} <= set(live["quality_flags"])
