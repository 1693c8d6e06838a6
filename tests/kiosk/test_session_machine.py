"""The session state machine: the whole transition table, who may move, audit, anchors."""

from __future__ import annotations

import json
import os
import time

import pytest
from sqlalchemy import select

from kiosk.access.auth import Actor
from kiosk.access.permissions import PermissionDenied
from kiosk.recorder import Recorder
from kiosk.sessions.lifecycle import end_game_run, end_session, start_game_run, start_session
from kiosk.sessions.machine import (
    CANDIDATE,
    FINAL,
    RULES,
    WAYS_OUT,
    Move,
    TransitionError,
    apply,
    moves_from,
    status_of,
)
from kiosk.sessions.recovery import interrupt_orphaned_sessions
from kiosk.store.check import check_store
from kiosk.store.models import (
    AssessmentSession,
    AuditEntry,
    Event,
    GameRun,
    Role,
    SessionStatus,
)
from kiosk.store.seals import STATION_ACTIONS
from tests.helpers import new_session

S = SessionStatus
PROCTOR = Actor(None, "pat", Role.PROCTOR)
ADMIN = Actor(None, "ada", Role.ADMIN)


def force(store, sid: str, status: SessionStatus, started: bool = True) -> None:
    with store.writer() as s, s.begin():
        session = s.get(AssessmentSession, sid)
        session.status = status.value
        if started:
            from kiosk.store.models import utcnow

            session.started_at = utcnow()


def audit(store) -> list[AuditEntry]:
    with store.reader() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.not_in(STATION_ACTIONS))
                .order_by(AuditEntry.seq)
            )
        )


def test_a_session_runs_from_check_in_to_completion_with_anchors(store, monkeypatch) -> None:
    (sid,) = new_session(store)
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    rec = Recorder(store)
    apply(store, sid, Move.CHECK_IN, CANDIDATE)
    t0 = time.time_ns()
    start_session(store, rec, sid)
    # The start's events are synced (and the audit head, before it is anchored outside).
    assert len(synced) >= 1
    after_start = len(synced)
    run = start_game_run(
        store,
        rec,
        sid,
        position=0,
        game_id="balloons",
        game_version="1.0.0",
        seed=42,
        config={"n_balloons": 3},
    )
    rec.emit(sid, "trial_start", game_run_id=run, trial_index=0)
    before_end = len(synced)
    end_game_run(store, rec, run)
    assert after_start <= before_end < len(synced)
    end_session(store, rec, sid)
    rec.close()
    assert status_of(store, sid) is S.COMPLETED
    with store.reader() as s:
        events = s.scalars(select(Event).where(Event.session_id == sid).order_by(Event.seq)).all()
        game_run = s.get(GameRun, run)
        session = s.get(AssessmentSession, sid)
    anchors = [(e.game_run_id, json.loads(e.payload)) for e in events if e.kind == "clock_anchor"]
    assert [a[1]["reason"] for a in anchors] == ["session_start", "game_start"]
    assert anchors[1][0] == run and all(a[1]["utc_ns"] >= t0 for a in anchors)
    assert game_run.status == "completed" and game_run.ended_at is not None
    assert session.started_at is not None and session.ended_at is not None
    assert [e.action for e in audit(store)] == [
        "checked_in",
        "session_started",
        "session_completed",
    ]
    assert check_store(store).ok


@pytest.mark.slow
@pytest.mark.parametrize("current", list(SessionStatus))
@pytest.mark.parametrize("move", list(Move))
def test_the_whole_transition_table(store, current: SessionStatus, move: Move) -> None:
    """Every (status, move) pair: allowed ones land where the table says and are
    audited with both ends; every other one is refused and changes nothing."""
    (sid,) = new_session(store)
    force(store, sid, current)
    rule = RULES[move]
    actor = ADMIN  # may make every move; permissions are tested below
    before = len(audit(store))
    if current in rule.sources:
        done = apply(store, sid, move, actor, reason="test")
        assert done.source is current and done.target is rule.target
        assert status_of(store, sid) is rule.target
        (entry,) = audit(store)[before:]
        assert entry.action == rule.audit and entry.target == sid and entry.actor == "ada"
        assert json.loads(entry.details)["from"] == current.value
    else:
        with pytest.raises(TransitionError, match=f"is {current.value.replace('_', ' ')}"):
            apply(store, sid, move, actor, reason="test")
        assert status_of(store, sid) is current
        assert len(audit(store)) == before


def test_every_status_has_a_way_out_for_a_proctor_unless_final() -> None:
    for status in SessionStatus:
        ways = WAYS_OUT[status]
        assert set(ways) <= set(moves_from(status))
        if status in FINAL:
            assert not moves_from(status)
        else:
            assert Move.VOID in ways, status
            assert any(not RULES[m].by_station or m is Move.INTERRUPT for m in ways)
    # An interrupted session is never a dead end: it can be continued or voided.
    assert set(WAYS_OUT[S.INTERRUPTED]) == {Move.CONTINUE, Move.VOID}


@pytest.mark.slow
def test_continue_returns_to_consent_when_no_game_had_started(store) -> None:
    (sid,) = new_session(store)
    force(store, sid, S.INTERRUPTED, started=False)
    assert apply(store, sid, Move.CONTINUE, PROCTOR).target is S.CHECKED_IN
    (other,) = new_session(store)
    force(store, other, S.INTERRUPTED, started=True)
    assert apply(store, other, Move.CONTINUE, PROCTOR).target is S.IN_PROGRESS


@pytest.mark.parametrize(
    ("move", "actor", "allowed"),
    [
        (Move.PAUSE, CANDIDATE, False),
        (Move.VOID, CANDIDATE, False),
        (Move.CONTINUE, CANDIDATE, False),
        (Move.PAUSE, PROCTOR, True),
        (Move.VOID, PROCTOR, True),
        (Move.CHECK_IN, CANDIDATE, True),
    ],
)
@pytest.mark.slow
def test_who_may_move(store, move: Move, actor: Actor, allowed: bool) -> None:
    (sid,) = new_session(store)
    force(store, sid, next(iter(RULES[move].sources)))
    if allowed:
        apply(store, sid, move, actor, reason="why")
    else:
        with pytest.raises(PermissionDenied):
            apply(store, sid, move, actor, reason="why")


def test_the_station_alone_cannot_make_a_proctors_move(store) -> None:
    (sid,) = new_session(store)
    force(store, sid, S.IN_PROGRESS)
    for move in (Move.PAUSE, Move.VOID):
        with pytest.raises(TransitionError, match="needs a signed-in proctor"):
            apply(store, sid, move, None, reason="x")
    apply(store, sid, Move.INTERRUPT, None)
    assert audit(store)[-1].actor == "station"


@pytest.mark.slow
def test_voiding_needs_a_reason_and_ends_the_session(store) -> None:
    (sid,) = new_session(store)
    force(store, sid, S.PAUSED)
    with pytest.raises(ValueError, match="needs a reason"):
        apply(store, sid, Move.VOID, PROCTOR, reason="  ")
    apply(store, sid, Move.VOID, PROCTOR, reason=" fire alarm ")
    with store.reader() as s:
        session = s.get(AssessmentSession, sid)
        assert session.void_reason == "fire alarm" and session.ended_at is not None


@pytest.mark.slow
def test_interrupting_interrupts_the_running_game(store) -> None:
    (sid,) = new_session(store)
    rec = Recorder(store)
    apply(store, sid, Move.CHECK_IN, CANDIDATE)
    start_session(store, rec, sid)
    run = start_game_run(
        store, rec, sid, position=0, game_id="cards", game_version="1", seed=1, config={}
    )
    rec.close()
    assert interrupt_orphaned_sessions(store) == [sid]
    with store.reader() as s:
        assert s.get(GameRun, run).status == "interrupted"
    assert status_of(store, sid) is S.INTERRUPTED
    assert interrupt_orphaned_sessions(store) == []


@pytest.mark.slow
def test_recovery_interrupts_checked_in_sessions_too(store) -> None:
    """A kill on the consent screen leaves a checked-in session: it is recovered."""
    (sid,) = new_session(store)
    apply(store, sid, Move.CHECK_IN, CANDIDATE)
    assert interrupt_orphaned_sessions(store) == [sid]
    assert apply(store, sid, Move.CONTINUE, PROCTOR).target is S.CHECKED_IN


@pytest.mark.slow
def test_elapsed_time_stands_still_while_paused(store, monkeypatch) -> None:
    """The console's elapsed time counts play, not pauses or interruptions."""
    from kiosk import services
    from kiosk.store import audit

    clock = [1_000 * 10**9]
    monkeypatch.setattr(audit.time, "time_ns", lambda: clock[0])
    (sid,) = new_session(store)
    apply(store, sid, Move.CHECK_IN, CANDIDATE)
    apply(store, sid, Move.START, CANDIDATE)
    clock[0] += 60 * 10**9
    apply(store, sid, Move.PAUSE, PROCTOR)
    clock[0] += 600 * 10**9  # ten minutes paused
    apply(store, sid, Move.RESUME, PROCTOR)
    clock[0] += 30 * 10**9
    apply(store, sid, Move.INTERRUPT, PROCTOR)
    clock[0] += 300 * 10**9  # five minutes interrupted
    apply(store, sid, Move.CONTINUE, PROCTOR)
    with store.reader() as s:
        session = s.get(AssessmentSession, sid)
        wall = (clock[0] - 1_000 * 10**9) / 1e9
        from datetime import UTC, datetime, timedelta

        start = datetime.fromtimestamp(1_000, UTC)
        stopped = services.stopped_seconds(s, sid, start + timedelta(seconds=wall))
    assert session.status == "in_progress"
    assert stopped == pytest.approx(900)
