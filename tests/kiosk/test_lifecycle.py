"""Session lifecycle: allowed status moves, clock anchors, durable milestones."""

from __future__ import annotations

import json
import os
import time

import pytest
from sqlalchemy import select

from kiosk.lifecycle import (
    TRANSITIONS,
    TransitionError,
    end_game_run,
    end_session,
    set_status,
    start_game_run,
    start_session,
)
from kiosk.recorder import Recorder
from kiosk.store.check import check_store
from kiosk.store.models import AssessmentSession, Event, GameRun, SessionStatus
from tests.helpers import new_session


def status_of(store, sid: str) -> str:
    with store.reader() as s:
        return s.get(AssessmentSession, sid).status


def test_a_session_runs_from_check_in_to_completion_with_anchors(store, monkeypatch) -> None:
    (sid,) = new_session(store)
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    rec = Recorder(store)
    set_status(store, sid, SessionStatus.CHECKED_IN)
    t0 = time.time_ns()
    start_session(store, rec, sid)
    assert len(synced) == 1
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
    end_game_run(store, rec, run)
    assert len(synced) == 2
    end_session(store, rec, sid)
    rec.close()
    assert status_of(store, sid) == "completed"
    with store.reader() as s:
        events = s.scalars(select(Event).where(Event.session_id == sid).order_by(Event.seq)).all()
        game_run = s.get(GameRun, run)
        session = s.get(AssessmentSession, sid)
    anchors = [(e.game_run_id, json.loads(e.payload)) for e in events if e.kind == "clock_anchor"]
    assert [a[1]["reason"] for a in anchors] == ["session_start", "game_start"]
    assert anchors[1][0] == run and all(a[1]["utc_ns"] >= t0 for a in anchors)
    assert game_run.status == "completed" and game_run.ended_at is not None
    assert session.started_at is not None and session.ended_at is not None
    assert check_store(store).ok


@pytest.mark.parametrize("current", list(SessionStatus))
@pytest.mark.parametrize("new", list(SessionStatus))
def test_only_documented_transitions_are_allowed(store, current, new) -> None:
    (sid,) = new_session(store)
    with store.writer() as s, s.begin():
        s.get(AssessmentSession, sid).status = current.value
    if new in TRANSITIONS[current]:
        set_status(store, sid, new)
        assert status_of(store, sid) == new.value
    else:
        with pytest.raises(TransitionError, match=f"is {current.value}; it cannot become"):
            set_status(store, sid, new)
        assert status_of(store, sid) == current.value


def test_completed_and_voided_are_final() -> None:
    assert not TRANSITIONS[SessionStatus.COMPLETED]
    assert not TRANSITIONS[SessionStatus.VOIDED]
