"""Flags and trait notes read as words: grouped, readable, never broken inside a word."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest
from reportlab.platypus import Paragraph

from reports import sections
from reports.labels import (
    LANGUAGES,
    flag_detail,
    flag_names,
    metric_name,
    text,
)
from reports.model import GameSection, MetricRow, ReportData, TraitRow
from reports.sample import sample_report_data

UNFIT = (
    "ez_condition_unfit:congruent:switch",
    "ez_condition_unfit:incongruent:repeat",
    "ez_condition_unfit:incongruent:switch",
)


def _metric(name: str, meaning: str = "", flags: tuple[str, ...] = ()) -> MetricRow:
    nan = math.nan
    return MetricRow(name, meaning, nan, "", nan, nan, None, 6, flags, None, "undefined")


def _trait(name: str, flags: tuple[str, ...], kind: str = "style") -> TraitRow:
    nan = math.nan
    return TraitRow(name, "low", "high", nan, nan, nan, nan, 0, flags, kind)  # type: ignore[arg-type]


def _games() -> tuple[GameSection, ...]:
    same = "How much information you gathered before giving a arrow response."
    return (
        GameSection(
            "Arrows",
            "completed",
            (
                _metric("flanker effect ms"),
                _metric("flanker effect errors"),
                _metric("ez boundary", same, ("invalid_rt_variance", *UNFIT)),
            ),
        ),
        GameSection("Stop", "completed", (_metric("ssrt ms"), _metric("ez boundary", same))),
        GameSection("Hard or Easy", "completed", (_metric("proportion hard"),)),
    )


def _data(language: str, traits: tuple[TraitRow, ...]) -> ReportData:
    return dataclasses.replace(sample_report_data(language), games=_games(), traits=traits)


def test_flags_of_one_kind_are_shown_once_with_readable_details() -> None:
    shown = flag_names("en", ("invalid_rt_variance", *UNFIT, "invalid_rt_variance"))
    assert shown == [
        "RT spread unusable",
        "condition not fitted: congruent switch, incongruent repeat, incongruent switch",
    ]
    assert flag_detail("stop.ssrt_ms") == "stop ssrt ms"
    assert flag_names("de", ("something_new",)) == ["something_new"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_flags_column_never_breaks_a_word(language: str) -> None:
    table = sections._game_table(_games()[0], language)
    table.wrap(sections.FRAME_W, 10_000)
    (cell,) = table._cellvalues[3][-1]
    assert isinstance(cell, Paragraph)
    lines = [" ".join(frag.text for frag in line.words).split() for line in cell.blPara.lines]
    source = " ".join(flag_names(language, _games()[0].metrics[2].flags)).split()
    assert [word for line in lines for word in line] == source  # whole words on every line
    assert len(lines) >= 3


def test_metrics_are_named_as_the_games_tables_name_them() -> None:
    data = _data("en", ())
    flanker = sections.metric_label(data, "arrows.flanker_effect_ms")
    assert flanker == ("Arrows", "flanker effect ms")
    assert sections.metric_label(data, "stop.ez_boundary") == ("Stop", "ez boundary")
    assert sections.metric_label(data, "arrows.ez_boundary") == ("Arrows", "ez boundary")
    assert sections.metric_label(data, "hard_or_easy.proportion_hard")[0] == "Hard or Easy"
    # not in any table: named in the report's wording
    assert sections.metric_label(data, "towers.total_score") == ("Towers", "Total score")
    # A row with a key is found by it and named in the report's wording.
    for language, name in (("en", "Stop-signal reaction time (SSRT)"), ("de", "Stoppsignal-")):
        keyed = dataclasses.replace(_metric("Stop-signal RT"), key="stop.ssrt_ms")
        stop = GameSection("Stopp", "completed", (keyed,), game_id="stop")
        named = dataclasses.replace(_data(language, ()), games=(stop,))
        title, shown = sections.metric_label(named, "stop.ssrt_ms")
        assert title == "Stopp" and shown.startswith(name)
        # a metric no table shows: the game the key names, the metric in the wording
        assert sections.metric_label(named, "stop.go_rt_ms")[0] == "Stopp"
        assert sections.metric_label(named, "stop.go_rt_ms")[1] == metric_name(
            language, "stop.go_rt_ms"
        )


def _readable(note: str) -> None:
    assert "_" not in note and not re.search(r"\w\.\w", note), note


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_style_missing_for_one_reason_is_said_once(language: str) -> None:
    traits = (
        _trait(
            "Attention",
            (
                "low_data:arrows.flanker_effect_ms",
                "low_data:arrows.flanker_effect_errors",
                "no_metrics",
            ),
        ),
        _trait(
            "Decision making",
            ("undefined:arrows.ez_boundary", "low_data:stop.ez_boundary", "no_metrics"),
        ),
    )
    notes = sections.trait_notes(_data(language, traits), traits, ability=False)
    expected = text(
        language,
        "traits_none",
        none=text(language, "traits_none_style"),
        reason=text(language, "trait_all_low_data"),
    )
    assert notes[0] == expected
    if language == "en":
        assert notes[0] == (
            "None of the styles could be estimated: every game in this battery was too "
            "short for a stable value (fewer trials than the design needs)."
        )
    # The metric that was not computable at all is still named, as the table names it.
    assert notes[1:] == [text(language, "trait_metrics_undefined", metrics="Arrows (ez boundary)")]
    for note in notes:
        _readable(note)
        assert "Attention" not in note


@pytest.mark.parametrize("language", LANGUAGES)
def test_trait_notes_are_grouped_by_reason(language: str) -> None:
    traits = (
        _trait(
            "Working memory",
            ("low_data:arrows.flanker_effect_ms", "no_metrics"),
            "ability",
        ),
        _trait("Stopping speed", ("undefined:stop.ssrt_ms", "no_metrics"), "ability"),
        _trait("Planning", ("low_data:arrows.flanker_effect_errors", "no_metrics"), "ability"),
        dataclasses.replace(
            _trait("Emotion recognition", ("clipped:stop.ssrt_ms", "split_half_reliability")),
            percentile=40.0,
            kind="ability",
        ),
    )
    notes = sections.trait_notes(_data(language, traits), traits, ability=True)
    separator = text(language, "flag_separator")
    assert notes == [
        text(
            language,
            "traits_not_estimated",
            reason=text(language, "trait_reason_low_data"),
            traits=separator.join(["Working memory", "Planning"]),
        ),
        text(
            language,
            "traits_not_estimated",
            reason=text(language, "trait_reason_undefined"),
            traits="Stopping speed",
        ),
        text(
            language,
            "trait_metrics_low_data",
            metrics=f"Arrows (flanker effect ms{separator}flanker effect errors)",
        ),
        text(language, "trait_metrics_undefined", metrics="Stop (ssrt ms)"),
        text(language, "trait_metrics_clipped", metrics="Stop (ssrt ms)"),
        text(
            language,
            "trait_flag_traits",
            flag=flag_names(language, ["split_half_reliability"])[0],
            traits="Emotion recognition",
        ),
    ]
    for note in notes:
        _readable(note)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_quality_note_that_is_a_bare_flag_is_said_in_words(language: str) -> None:
    said = sections._quality_item(language, "provisional_norms")
    assert "_" not in said and said.endswith(".")
    assert sections._quality_item(language, "Balloons: interrupted") == "Balloons: interrupted"
