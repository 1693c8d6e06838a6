"""The report's own wording, in English and German, read from the shared resources.

Contract
--------
* :func:`text` returns one piece of wording by key: ``text("de", "section_traits")``.
  Keyword arguments fill ``{placeholders}``.  An unknown language or key raises
  ``KeyError`` (a missing translation is a bug, not something to paper over);
  :data:`LANGUAGES` lists the languages, and both have the same keys.
* :func:`flag_name` and :func:`flag_explanation` put a scoring flag into words.
  Flags of the form ``"<kind>:<detail>"`` (``"clipped:stop.ssrt_ms"``) are looked
  up by kind and keep their detail, written readably (:func:`flag_detail`: no
  underscores, colons or dots); unknown flags come back verbatim, so a new flag
  in ``scoring`` still shows up in the report, just not explained.
  :func:`flag_names` gives a list of flags in words with each kind once and its
  details joined (``"condition not fitted: congruent switch, incongruent repeat"``).
* :data:`TRAIT_WORDS` gives the nine traits' display names and their two ends in
  both languages, keyed by the trait's name in ``scoring.traits`` – for the kiosk
  to fill :class:`reports.model.TraitRow`.
* :func:`metric_name` and :func:`metric_meaning` give a metric's printed name and
  what it measures in ``language``, by the metric's key as scoring names it
  (``"stop.ssrt_ms"``; a family such as ``"cards.net_score_block3"`` is found under
  ``"cards.net_score_block{block}"`` and keeps its number), or ``None`` for a
  metric they do not know; :func:`unit_name` puts a unit into words.
  :func:`metric_descriptions` and :func:`metric_names` list the wording by key.
* :func:`month_name` for dates written out in full.

The wording lives in one TOML file per language, ``i18n/report-<language>.toml`` of
the resources package ``kiosk_resources`` (read by package name, as the games read
theirs): ``months``, and the tables ``text``, ``traits``, ``flags``, ``metrics``,
``metric_names`` and ``units``.
Each file is read once, when first needed.

Wording rules: a style's two ends are never "good" or "bad"; an ability is said
plainly to be better when higher (working memory, stopping speed, planning, emotion
recognition are performances, not styles); a percentile compares with the reference
sample and is described that way; uncertainty and missing data are stated, not
hidden (a metric without a percentile says why).  The text uses only
characters that the embedded Bitstream Vera fonts contain (no "↔": the chart draws
the two ends apart instead).  German addresses the reader formally ("Sie").
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from reports.model import Language

__all__ = [
    "LANGUAGES",
    "TRAIT_WORDS",
    "flag_detail",
    "flag_explanation",
    "flag_name",
    "flag_names",
    "metric_descriptions",
    "metric_meaning",
    "metric_name",
    "metric_names",
    "month_name",
    "text",
    "unit_name",
]

LANGUAGES: tuple[Language, ...] = ("en", "de")

# The wording is package data of the shared resources, read by name: reports imports
# nothing of the station and needs no code of the resources package.
I18N: Traversable = files("kiosk_resources") / "i18n"


@cache
def _wording(language: str) -> dict[str, Any]:
    """The parsed ``report-<language>.toml``; ``KeyError`` for a language not offered."""
    if language not in LANGUAGES:
        raise KeyError(language)
    with (I18N / f"report-{language}.toml").open("rb") as fh:
        return tomllib.load(fh)


def text(language: str, key: str, **values: object) -> str:
    """The wording ``key`` in ``language``, with ``{placeholders}`` filled from ``values``."""
    template: str = _wording(language)["text"][key]
    return template.format(**values) if values else template


def month_name(language: str, month: int) -> str:
    """The full name of ``month`` (1–12) in ``language``."""
    name: str = _wording(language)["months"][month - 1]
    return name


def _trait_words() -> dict[str, dict[str, tuple[str, str, str]]]:
    words: dict[str, dict[str, tuple[str, str, str]]] = {}
    for language in LANGUAGES:
        for trait, entry in _wording(language)["traits"].items():
            words.setdefault(trait, {})[language] = (entry["name"], entry["low"], entry["high"])
    return words


#: Display name, low end, high end of each trait, by language; keyed like scoring.traits.
TRAIT_WORDS: Mapping[str, Mapping[str, tuple[str, str, str]]] = _trait_words()


def _flag_entry(language: str, flag: str) -> tuple[dict[str, str] | None, str]:
    # Keys ending in ":" match "<kind>:<detail>" flags; the detail is kept apart.
    table: dict[str, dict[str, str]] = _wording(language)["flags"]
    if flag in table:
        return table[flag], ""
    kind, sep, detail = flag.partition(":")
    if sep and kind + ":" in table:
        return table[kind + ":"], detail
    return None, ""


def flag_detail(detail: str) -> str:
    """A flag's detail made readable: ``"congruent:switch"`` -> ``"congruent switch"``."""
    return " ".join(part for part in re.split(r"[_:.\s]+", detail) if part)


def flag_name(language: str, flag: str) -> str:
    """A flag's short name in words (``"clipped (stop ssrt ms)"``); unknown flags verbatim."""
    entry, detail = _flag_entry(language, flag)
    if entry is None:
        return flag
    return f"{entry['name']} ({flag_detail(detail)})" if detail else entry["name"]


def flag_names(language: str, flags: Iterable[str]) -> list[str]:
    """Flags in words, each kind once, its details joined (in order of first appearance).

    ``["ez_condition_unfit:congruent:switch", "ez_condition_unfit:incongruent:repeat"]``
    gives ``["condition not fitted: congruent switch, incongruent repeat"]``; unknown
    flags come back verbatim, once each.
    """
    kinds: dict[str, list[str]] = {}
    for flag in flags:
        entry, detail = _flag_entry(language, flag)
        details = kinds.setdefault(flag if entry is None else entry["name"], [])
        shown = flag_detail(detail) if entry is not None else ""
        if shown and shown not in details:
            details.append(shown)
    separator = text(language, "flag_separator")
    return [f"{name}: {separator.join(d)}" if d else name for name, d in kinds.items()]


def flag_explanation(language: str, flag: str) -> str | None:
    """One sentence explaining a flag, or ``None`` for a flag this module does not know."""
    entry, _ = _flag_entry(language, flag)
    return None if entry is None else entry["explanation"]


def metric_descriptions(language: str) -> Mapping[str, str]:
    """What each metric measures in ``language``, by ``"<game>.<metric>"``.

    A key with ``{...}`` stands for a family of metrics (``"cards.net_score_block{block}"``);
    its wording has the same ``{placeholders}``.
    """
    descriptions: dict[str, str] = _wording(language)["metrics"]
    return descriptions


def metric_names(language: str) -> Mapping[str, str]:
    """Each metric's printed name in ``language``, keyed like :func:`metric_descriptions`."""
    names: dict[str, str] = _wording(language)["metric_names"]
    return names


@cache
def _families(language: str, table: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The family keys of ``table`` (``"lengths.log_b_block{block}"``) as patterns of keys."""
    families: list[tuple[re.Pattern[str], str]] = []
    for key in _wording(language)[table]:
        parts = list(string.Formatter().parse(key))
        if any(field for _, field, _, _ in parts):
            regex = "".join(
                re.escape(literal) + (rf"(?P<{field}>\d+)" if field else "")
                for literal, field, _, _ in parts
            )
            families.append((re.compile(regex), key))
    return tuple(families)


def _by_metric_key(language: str, table: str, key: str) -> str | None:
    wording: dict[str, str] = _wording(language)[table]
    if key in wording and "{" not in key:
        return wording[key]
    for pattern, family in _families(language, table):
        found = pattern.fullmatch(key)
        if found:
            return wording[family].format(**found.groupdict())
    return None


def metric_name(language: str, key: str) -> str | None:
    """The printed name of metric ``key`` (``"stop.ssrt_ms"``) in ``language``.

    ``None`` for a metric the wording does not know (the caller shows its own name).
    """
    return _by_metric_key(language, "metric_names", key)


def metric_meaning(language: str, key: str) -> str | None:
    """What metric ``key`` measures, in ``language``; ``None`` for a metric not known."""
    return _by_metric_key(language, "metrics", key)


def unit_name(language: str, unit: str) -> str:
    """``unit`` as scoring names it (``"proportion of trials"``) in ``language``.

    A unit the language's table does not list is printed as scoring names it.
    """
    units: dict[str, str] = _wording(language).get("units", {})
    return units.get(unit, unit)
