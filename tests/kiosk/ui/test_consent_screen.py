"""Consent states the length of the battery actually scheduled, in every language."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from kiosk import services
from kiosk.access import auth
from kiosk.battery import load_battery, scheduled_length
from kiosk.shell.texts import LANGUAGES, consent, consent_text
from kiosk.store.models import AssessmentSession, Battery, Candidate


def _schedule(store, battery: str) -> str:
    candidate = services.create_candidate(store, auth.SYSTEM)
    return services.schedule_session(store, auth.SYSTEM, candidate.id, load_battery(battery))


def _open(window, qtbot, session_id: str, language: str = "en"):
    window.context.state.session_id = session_id
    window.context.state.language = language
    screen = window.open("consent")
    qtbot.waitUntil(lambda: screen.text.toPlainText() != "", timeout=10_000)
    return screen


@pytest.mark.parametrize(
    ("battery", "language", "says"),
    [
        ("short", "en", "13 short games. It takes about 10 minutes."),
        ("standard", "en", "13 short games. It takes about 61 minutes."),
        ("short", "de", "in 13 kurzen Spielen. Sie dauert etwa 10 Minuten."),
        ("standard", "de", "in 13 kurzen Spielen. Sie dauert etwa 61 Minuten."),
    ],
)
def test_consent_states_the_scheduled_batterys_length(
    window, qtbot, store, artefacts, battery, language, says
) -> None:
    consent_screen = _open(window, qtbot, _schedule(store, battery), language)
    text = consent_screen.text.toPlainText()
    assert says in text
    other = "50" if battery == "short" else "10"
    assert f" {other} " not in text
    assert "{" not in text and "}" not in text
    window.grab().save(str(artefacts / f"consent-{battery}-{language}.png"))


@pytest.mark.slow
def test_agreeing_records_the_version_of_the_wording(window, qtbot, store) -> None:
    sid = _schedule(store, "short")
    consent_screen = _open(window, qtbot, sid)
    consent_screen.agree.click()
    qtbot.waitUntil(lambda: window.current_screen().name == "demographics", timeout=10_000)
    with store.reader() as s:
        assert s.get(AssessmentSession, sid).consent_version == "en-2026.3"


def test_a_battery_without_a_stated_length_sends_the_candidate_to_the_proctor(
    window, qtbot, store
) -> None:
    """Sessions scheduled before batteries stated their length."""
    definition = load_battery("short").definition()
    del definition["expected_minutes"]
    with store.writer() as s, s.begin():
        row = Battery(name="old", version="0.9", source_sha256="0" * 64, definition=definition)
        candidate = Candidate(pseudonym=f"C-{uuid.uuid4().hex[:4]}-OLD0")
        s.add_all([row, candidate])
        s.flush()
        sid = str(uuid.uuid4())
        s.add(AssessmentSession(id=sid, candidate_id=candidate.id, battery_id=row.id))
    assert scheduled_length(store, sid).expected_minutes is None
    text = _open(window, qtbot, sid).text.toPlainText()
    assert "Your proctor can tell you how long it takes." in text
    assert "minutes" not in text


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_consent_text_fills_in_for_one_game_and_for_many(language: str) -> None:
    texts = consent(language)
    assert texts["version"].startswith(f"{language}-")
    for games, minutes in ((1, None), (3, 7), (12, 50)):
        text = consent_text(texts, games=games, expected_minutes=minutes)
        assert "{" not in text and "}" not in text
        assert (str(minutes) in text) is (minutes is not None)


def test_scheduled_length_reads_the_stored_battery(store) -> None:
    sid = _schedule(store, "standard")
    length = scheduled_length(store, sid)
    assert (length.games, length.expected_minutes) == (13, 61)
    with store.reader() as s:
        stored = s.scalar(select(Battery.definition).where(Battery.name == "standard"))
    assert stored["expected_minutes"] == 61


@pytest.mark.parametrize("minutes", ["50", "0", "true", "12.5", '"about 50"'])
def test_battery_length_must_be_whole_minutes(tmp_path, minutes: str) -> None:
    from kiosk.battery import BatteryError

    path = tmp_path / "mine.toml"
    path.write_text(
        f'[battery]\nname = "mine"\nversion = "1"\nexpected_minutes = {minutes}\n'
        '[[games]]\nid = "cards"\n'
    )
    if minutes == "50":
        assert load_battery(path).expected_minutes == 50
        return
    with pytest.raises(BatteryError, match="expected_minutes must be a whole number"):
        load_battery(path)
