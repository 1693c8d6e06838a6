"""Engagement flags read from stored sessions (:mod:`kiosk.engagement_service`)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from games.catalog import GAME_IDS, TaskGame
from kiosk import engagement_service
from kiosk.access import auth
from kiosk.access.permissions import PermissionDenied
from kiosk.store.models import Role
from tests.kiosk.engagement_helpers import StuckFastPlayer, record_games


@pytest.fixture
def stuck_arrows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TaskGame("arrows").bot, "Bot", StuckFastPlayer)


@pytest.mark.slow
def test_live_flags_of_a_session_in_progress(store, stuck_arrows) -> None:
    sid = record_games(store, ["balloons", "arrows"])
    assert engagement_service.live_flags(store, sid) == [
        "too_fast_responding",
        "same_response",
        "chance_accuracy",
    ]
    result = engagement_service.session_engagement(store, sid)
    assert {f.game for f in result.flags} == {"arrows"}
    assert all(f.message.startswith("Arrows: ") for f in result.flags)
    assert result.outlier is None  # the battery is not played to its end


@pytest.mark.slow
def test_a_normal_session_has_no_flags(store) -> None:
    sid = record_games(store, ["arrows", "stop", "cards"])
    assert engagement_service.live_flags(store, sid) == []


@pytest.mark.slow
def test_a_whole_battery_gets_an_outlier_score(store, stuck_arrows, monkeypatch) -> None:
    for game_id in ("lengths", "stop"):
        monkeypatch.setattr(TaskGame(game_id).bot, "Bot", StuckFastPlayer)
    sid = record_games(store, GAME_IDS, end=True)
    result = engagement_service.session_engagement(store, sid)
    assert result.outlier is not None and result.outlier.atypical
    assert "atypical_session" in result.codes
    assert result.all_flags[-1].code == "atypical_session"


@pytest.mark.slow
def test_console_view_needs_the_right_to_view_sessions(store, stuck_arrows) -> None:
    sid = record_games(store, ["arrows"])
    auth.create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    ada = auth.authenticate(store, "ada", "correct horse")
    flags = engagement_service.flags_for_sessions(store, ada, [sid])
    assert [f.code for f in flags[sid]] == [
        "too_fast_responding",
        "same_response",
        "chance_accuracy",
    ]
    with pytest.raises(PermissionDenied):
        engagement_service.flags_for_sessions(store, auth.CANDIDATE, [sid])


@pytest.mark.slow
def test_report_notes_name_the_game(store, stuck_arrows) -> None:
    sid = record_games(store, ["arrows"])
    notes = engagement_service.report_notes(store, sid)
    assert [(n.code, n.game) for n in notes] == [
        ("too_fast_responding", "Arrows"),
        ("same_response", "Arrows"),
        ("chance_accuracy", "Arrows"),
    ]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_signed_report_shows_the_flags(store, stuck_arrows, tmp_path) -> None:
    from kiosk.outcome.pipeline import produce

    sid = record_games(store, ["arrows"], end=True)
    (path,) = produce(store, sid, report_dir=tmp_path).reports
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert "Engagement" in flat
    message = engagement_service.session_engagement(store, sid).flags[0].message
    assert " ".join(message.split()) in flat
