"""A report prints each metric's name, meaning and unit in its own language.

Scoring names a metric by its key (``"stop.ssrt_ms"``) and words its description and
unit in English; the kiosk passes the key on with them.  The report looks the key up
in ``resources/i18n/report-<language>.toml`` (:func:`reports.labels.metric_name`,
:func:`reports.labels.metric_meaning`, :func:`reports.labels.unit_name`) and prints
the row's own words only for a metric its wording does not know.
"""

from __future__ import annotations

import dataclasses
import re
import string

import pytest

from reports.build import build_report, printable
from reports.labels import (
    LANGUAGES,
    metric_descriptions,
    metric_meaning,
    metric_name,
    metric_names,
    unit_name,
)
from reports.model import GameSection, MetricRow
from reports.sample import sample_report_data
from reports.sections import metric_words
from scoring.metrics import SCORERS
from tests.reports.test_build import pdf_text, squeeze
from tools.build_provisional_norms import simulate_tables

#: Units that are the same words in German.
_SAME_IN_GERMAN = {"ms", "s"}


def _scored_metrics() -> list[tuple[str, str, str, str]]:
    """(game, metric, description, unit) of every metric scoring reports (empty tables)."""
    return [
        (game, name, metric.description, metric.unit)
        for game, score in SCORERS.items()
        for name, metric in score({}, bootstrap=False).metrics.items()
    ]


def _played_metrics() -> list[tuple[str, str, str, str]]:
    """The same from played games: families ("..._block3") exist only with trials."""
    tables = simulate_tables(candidate=7, seed=11)
    found = {
        (game, name, metric.description, metric.unit)
        for game, table in tables.items()
        for name, metric in SCORERS[game](table, bootstrap=False, halves=False).metrics.items()
    }
    return sorted(found | set(_scored_metrics()))


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("table", [metric_descriptions, metric_names])
def test_both_languages_word_the_same_metrics_and_german_differs(table) -> None:
    english, german = table("en"), table("de")
    assert set(english) == set(german)
    for key, text in german.items():
        # No description or name is a proper name, so every German text differs.
        assert text != english[key], key
        assert _fields(text) == _fields(english[key]) == _fields(key), key
        assert printable(text) == text, key  # every character is in the embedded fonts
        assert not re.search(r"\b(you|your)\b", text, re.IGNORECASE), key


def test_every_metric_scoring_reports_is_worded_in_both_languages() -> None:
    """Fails when scoring adds or rewords a metric: the wording must follow it."""
    scored = _played_metrics()
    assert len(scored) > 95
    for game, name, description, unit in scored:
        key = f"{game}.{name}"
        # The English wording is scoring's own, word for word.
        assert metric_meaning("en", key) == description, key
        german = metric_meaning("de", key)
        assert german and german != description, f"{key} has no German wording"
        assert metric_name("en", key) and metric_name("de", key), f"{key} has no name"
        assert unit_name("en", unit) == unit
        assert unit_name("de", unit) != unit or unit in _SAME_IN_GERMAN, unit


def test_metric_families_keep_their_numbers() -> None:
    assert metric_meaning("de", "cards.net_score_block3").startswith("In Block 3 (je 20 Karten): ")
    assert metric_meaning("de", "exchange_split.acceptance_rate_70pct") == (
        "Der Anteil der Angebote über 70\u00a0% des Geldes, die Sie angenommen haben."
    )
    assert "in Block 4 " in metric_meaning("de", "lengths.log_d_block4")
    assert metric_name("de", "lengths.log_b_block2") == "Antworttendenz (log b), Block 2"
    assert metric_name("en", "hard_or_easy.proportion_hard_p88") == "Hard task chosen, 88% chance"
    # a family key matches only its numbers, not any text
    assert metric_name("en", "lengths.log_b_blockX") is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_metric_the_wording_does_not_know_is_shown_with_its_own_words(language: str) -> None:
    assert metric_name(language, "newgame.speed") is None
    assert metric_meaning(language, "newgame.speed") is None
    row = MetricRow(
        name="speed",
        meaning="A metric of a new game.",
        value=1.0,
        unit="furlongs",
        ci_low=0.5,
        ci_high=1.5,
        percentile=50.0,
        n=10,
        key="newgame.speed",
    )
    assert metric_words(language, row) == ("speed", "A metric of a new game.", "furlongs")
    keyless = dataclasses.replace(row, key="", name="ssrt ms", meaning="Given.")
    assert metric_words(language, keyless)[:2] == ("ssrt ms", "Given.")


@pytest.mark.slow
def test_german_report_has_no_english_metric_words() -> None:
    """A German report of every metric scoring has, with the rows as the kiosk fills them."""
    games = []
    for game, score in SCORERS.items():
        rows = tuple(
            MetricRow(
                key=f"{game}.{name}",
                name=name.replace("_", " "),
                meaning=metric.description,
                value=0.5,
                unit=metric.unit,
                ci_low=0.4,
                ci_high=0.6,
                percentile=50.0,
                n=20,
            )
            for name, metric in score({}, bootstrap=False).metrics.items()
        )
        games.append(GameSection(title=game, status="completed", metrics=rows, game_id=game))
    data = dataclasses.replace(sample_report_data("de"), games=tuple(games))
    shown = squeeze(pdf_text(build_report(data)))
    for game, name, description, unit in _scored_metrics():
        key = f"{game}.{name}"
        assert squeeze(description) not in shown, key
        assert squeeze(metric_meaning("de", key) or "") in shown, key
        assert squeeze(metric_name("de", key) or "") in shown, key
        # a unit wraps in its narrow column, so the text of the next cell may split it
        words = re.split(r"[\s-]+", unit_name("de", unit))
        assert all(word in shown for word in words), unit
    assert not re.findall(r"\b(?:you|your|proportion of)\b", shown, re.IGNORECASE)
