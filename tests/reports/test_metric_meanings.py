"""A German report says in German what each metric measures.

Scoring words its metric descriptions in English, addressing the candidate ("you"),
and the kiosk passes them on as they are, whatever the report's language.  The report
recognises them (:func:`reports.labels.metric_meaning`) and prints the wording of its
own language from ``resources/i18n/report-<language>.toml``.
"""

from __future__ import annotations

import dataclasses
import re
import string

import pytest

from reports.build import build_report, printable
from reports.labels import LANGUAGES, metric_descriptions, metric_meaning
from reports.model import GameSection, MetricRow
from reports.sample import sample_report_data
from scoring.metrics import SCORERS
from tests.reports.test_build import pdf_text, squeeze


def _scored_metrics() -> list[tuple[str, str, str]]:
    """(game, metric, description) of every metric scoring reports (empty tables: all NaN)."""
    return [
        (game, name, metric.description)
        for game, score in SCORERS.items()
        for name, metric in score({}, bootstrap=False).metrics.items()
    ]


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_both_languages_word_the_same_metrics_and_german_differs() -> None:
    english, german = metric_descriptions("en"), metric_descriptions("de")
    assert set(english) == set(german)
    for key, text in german.items():
        # No description is a proper name, so every German text differs from the English.
        assert text != english[key], key
        assert _fields(text) == _fields(english[key]), key
        assert printable(text) == text, key  # every character is in the embedded fonts
        assert not re.search(r"\b(you|your)\b", text, re.IGNORECASE), key
    shared: dict[str, set[str]] = {}
    for key, text in english.items():
        shared.setdefault(text, set()).add(german[key])
    assert all(len(texts) == 1 for texts in shared.values()), "same English, other German"


def test_every_metric_scoring_reports_has_german_wording() -> None:
    """Fails when scoring rewords a description: the English data must follow it."""
    scored = _scored_metrics()
    assert len(scored) > 90
    german = metric_descriptions("de")
    for game, name, description in scored:
        assert metric_meaning("en", description) == description, (game, name)
        shown = metric_meaning("de", description)
        assert shown != description, f"{game}.{name} has no German wording: {description!r}"
        key = f"{game}.{name}"
        if key in german:  # families ("..._block{block}") are checked by their numbers below
            assert shown == german[key], key


def test_metric_families_keep_their_numbers() -> None:
    picks = (
        "Within picks 121–140: picks from the decks that paid off minus picks from the "
        "decks that lost."
    )
    assert metric_meaning("de", picks).startswith("Bei den Karten 121 bis 140: ")
    offer = "The share of offers of 70% of the money that you accepted."
    assert metric_meaning("de", offer) == (
        "Der Anteil der Angebote über 70\u00a0% des Geldes, die Sie angenommen haben."
    )
    block = "How well you told the short and the long mouth apart in block 4."
    assert "in Block 4 " in metric_meaning("de", block)


@pytest.mark.parametrize("language", LANGUAGES)
def test_text_the_report_does_not_know_is_shown_as_given(language: str) -> None:
    for given in ("Mittlere Zahl der Pumpstöße.", "A metric of a new game.", ""):
        assert metric_meaning(language, given) == given


def test_german_report_has_no_english_metric_description() -> None:
    """A German report of every metric scoring has, its meanings as the kiosk passes them."""
    games = []
    for game, score in SCORERS.items():
        rows = tuple(
            MetricRow(
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
        games.append(GameSection(title=game, status="completed", metrics=rows))
    data = dataclasses.replace(sample_report_data("de"), games=tuple(games))
    shown = squeeze(pdf_text(build_report(data)))
    for game, name, description in _scored_metrics():
        assert squeeze(description) not in shown, (game, name)
        assert squeeze(metric_meaning("de", description)) in shown, (game, name)
    assert not re.findall(r"\b(?:you|your)\b", shown, re.IGNORECASE)
