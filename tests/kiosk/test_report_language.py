"""A German report from the station speaks German: games, metrics, units and statuses."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from games.engine.texts import texts_for
from kiosk.report_service import report_data
from kiosk.scoring_service import norms_for_session, score_stored_session
from kiosk.store.models import GameRun
from reports.build import build_report
from reports.labels import metric_name, unit_name
from tests.helpers import record_simulated_session
from tests.reports.test_build import pdf_text, squeeze


@pytest.mark.slow
def test_a_german_report_names_games_metrics_and_units_in_german(store) -> None:
    sid = record_simulated_session(store, "short", seed=6)
    with store.writer() as s, s.begin():  # one game ended by an interruption
        s.execute(
            update(GameRun)
            .where(GameRun.session_id == sid, GameRun.game_id == "cards")
            .values(status="interrupted")
        )
    norms = norms_for_session(store, sid)
    scores = score_stored_session(store, sid, norms, bootstrap=False)
    data = report_data(store, sid, scores, norms, "de")
    german = texts_for("de")
    assert [g.title for g in data.games] == [german.get(g.game_id, "title") for g in data.games]
    assert "Karten: Unterbrochen" in data.quality
    keys = [row.key for game in data.games for row in game.metrics]
    assert keys and all(
        k.startswith(f"{g.game_id}.") for g in data.games for k in (row.key for row in g.metrics)
    )
    shown = squeeze(pdf_text(build_report(data)))
    for game in data.games:
        assert game.title in shown
        for row in game.metrics:
            assert squeeze(metric_name("de", row.key) or "?") in shown, row.key
    # scoring's English words do not reach the German report
    for english in ("Money Exchange", "Balloons", "proportion of", "interrupted"):
        assert english not in shown, english
    assert not re.search(r"\b(you|your)\b", shown, re.IGNORECASE)
    units = {row.unit for game in data.games for row in game.metrics} - {"ms", "s", ""}
    assert units and all(unit_name("de", unit) != unit for unit in units)
