"""What a report shows: plain frozen dataclasses that the kiosk fills in.

Contract
--------
:class:`ReportData` is everything :func:`reports.build.build_report` needs, and
nothing else: the builder does no look-ups, no scoring and no I/O.  The kiosk turns
its score objects (``scoring``), session records and station facts into these
classes; nothing here imports ``scoring`` or ``kiosk``, so a report can be built
from any source (tests use :func:`reports.sample.sample_report_data`).

Conventions the builder relies on:

* All free text (names, meanings, units, notes) is already in the report's
  ``language`` ("en" or "de"); the builder translates only its own wording
  (:mod:`reports.labels`).  Trait and game names are shown as given.
* Numbers are plain floats.  ``float("nan")`` means "not estimated" (shown as a
  dash); ``None`` means "not applicable" where a field says so.
* Percentiles are on 0–100, against the norm table in :class:`NormInfo`; the
  confidence bounds of a trait are percentiles too (``ci_low_pct <= ci_high_pct``).
* Flags are short machine names from ``scoring`` (``"omissions"``,
  ``"clipped:stop.ssrt_ms"`` ...); the report shows known ones in words and
  explains them in the data-quality section, and unknown ones verbatim.
* Datetimes should be timezone-aware; naive ones are printed without a zone.

Neither end of a trait is "good": :class:`TraitRow` names both ends, and the
report draws them symmetrically.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "GameSection",
    "GameStatus",
    "Incident",
    "Language",
    "LatencyMeasurement",
    "MetricRow",
    "NormInfo",
    "ReportData",
    "TimingInfo",
    "TraitRow",
]

GameStatus = Literal["completed", "interrupted", "omitted"]
Language = Literal["en", "de"]


@dataclass(frozen=True, slots=True)
class TraitRow:
    """One of the nine bi-directional traits, placed against the norms.

    ``z`` and ``percentile`` describe the same position (``percentile = 100·Φ(z)``);
    the chart uses ``z``.  ``ci_low_pct``/``ci_high_pct`` are the 95% interval in
    percentiles (NaN when no error estimate exists).  ``n_metrics`` is how many
    metrics entered the composite; ``flags`` come from ``scoring.traits``.
    """

    name: str
    low_end: str
    high_end: str
    z: float
    percentile: float
    ci_low_pct: float
    ci_high_pct: float
    n_metrics: int
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One metric of one game: value with its 95% CI, percentile and trial count.

    ``meaning`` is one plain sentence a lay reader understands.  ``percentile`` is
    ``None`` when the norm table has no entry for the metric.  ``decimals`` fixes
    how many decimals the value and CI are printed with; ``None`` picks a sensible
    number from the size of the value.
    """

    name: str
    meaning: str
    value: float
    unit: str
    ci_low: float
    ci_high: float
    percentile: float | None
    n: int
    flags: tuple[str, ...] = ()
    decimals: int | None = None


@dataclass(frozen=True, slots=True)
class GameSection:
    """One game of the battery as played in this session.

    ``status`` is ``"completed"``, ``"interrupted"`` (scores rest on the trials
    played before the interruption) or ``"omitted"`` (not played; ``metrics`` is
    usually empty).  ``flags`` are game-level quality flags (``"incomplete"`` ...).
    """

    title: str
    status: GameStatus
    metrics: tuple[MetricRow, ...]
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LatencyMeasurement:
    """The station's measured input-to-stamp latency (software part only), in µs."""

    p50_us: float
    p99_us: float
    measured_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class TimingInfo:
    """How stimuli and responses were timed in this session.

    ``stamping_methods`` names the onset-stamping methods that were used (e.g.
    ``"frameSwapped (OpenGL, vsync)"``, ``"end of paint"``).  ``frames`` and
    ``dropped_frames`` are totals over all game runs; ``refresh_hz`` is ``None``
    when unknown.  ``latency`` is ``None`` if the station was never measured.
    """

    stamping_methods: tuple[str, ...]
    refresh_hz: float | None
    frames: int
    dropped_frames: int
    latency: LatencyMeasurement | None


@dataclass(frozen=True, slots=True)
class Incident:
    """A proctor's note about the session."""

    at: datetime.datetime
    author: str
    text: str


@dataclass(frozen=True, slots=True)
class NormInfo:
    """The norm table the percentiles refer to."""

    version: str
    provisional: bool
    provenance: str
    sample_size: int


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything one session's report shows.

    ``quality`` holds ready-made sentences about the session's data quality
    (omitted or interrupted games, notable flags); the builder adds a glossary of
    the flags that appear in the tables.  ``chain_head`` is the hex SHA-256 head
    of the session's event chain; ``event_count`` the number of chained events.
    ``signature_note`` is printed beside the reserved signature box, e.g.
    ``"Signed by Station 3, Centre Zurich West"``.
    """

    language: Language
    candidate_pseudonym: str
    session_id: str
    centre_name: str
    station_name: str
    session_date: datetime.datetime
    battery_name: str
    battery_version: str
    traits: tuple[TraitRow, ...]
    games: tuple[GameSection, ...]
    quality: tuple[str, ...]
    timing: TimingInfo
    incidents: tuple[Incident, ...]
    norms: NormInfo
    scoring_version: str
    event_count: int
    chain_head: str
    signature_note: str
