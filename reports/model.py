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
  ``language`` ("en" or "de"), except a metric's: a :class:`MetricRow` with a
  ``key`` (``"stop.ssrt_ms"``) is printed with the name, meaning and unit the
  report's wording gives that key in its language (:mod:`reports.labels`), and
  with its own ``name``, ``meaning`` and ``unit`` only where the wording does not
  know the metric.  Trait and game names are shown as given.
* Numbers are plain floats.  ``float("nan")`` means "not estimated" (shown as a
  dash); ``None`` means "not applicable" where a field says so.
* Percentiles are on 0–100, against the norm table in :class:`NormInfo`; the
  confidence bounds of a trait are percentiles too (``ci_low_pct <= ci_high_pct``).
* Flags are short machine names from ``scoring`` (``"omissions"``,
  ``"clipped:stop.ssrt_ms"`` ...); the report shows known ones in words and
  explains them in the data-quality section, and unknown ones verbatim.
* Datetimes should be timezone-aware; naive ones are printed without a zone.
* Free text is shown as text, never as markup: the builder escapes it, drops control
  characters and shortens incident notes to :data:`MAX_NOTE_CHARS` characters.

Evidence
--------
:class:`ReportEvidence` ties a report to its session and to the station's audit log:
the session, the head of its event chain, the audit-log entry that seals the session
(its hash and the station key's signature over it) and the key's certificate
fingerprint.  When :attr:`ReportData.evidence` is set, the report shows it and carries
it machine-readable inside the signed content (see :mod:`reports.build`), and
:func:`reports.verify.verify_pdf` returns it as a dict.  The dict is
:meth:`ReportEvidence.as_dict`; :func:`evidence_from_dict` reads one back (strictly:
exactly the format-1 keys, each of its type), :func:`evidence_json` is its canonical
JSON (sorted keys, no spaces, ASCII only) as embedded in the PDF, and
:func:`evidence_from_json` parses it.  ``demo=True`` marks a report of a simulated
candidate: every page then says DEMO, and ``kiosk verify`` says it is not an
assessment.

Two kinds of score, read differently (:attr:`TraitRow.kind`): **styles**, where
neither end is "good" (:class:`TraitRow` names both ends and the report draws them
symmetrically), and **abilities** (working memory, stopping speed, planning,
emotion recognition), where higher is better and the report says so.

Weak data is shown as weak: a metric without a percentile says why
(:attr:`MetricRow.percentile_note`: ``"pinned"``, ``"low_data"``, ``"undefined"``,
``"no_norm"`` ...), and :attr:`NormInfo.other_design` lists the games whose norms
come from another battery design.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

__all__ = [
    "EVIDENCE_FILE_NAME",
    "EVIDENCE_FORMAT",
    "MAX_NOTE_CHARS",
    "GameSection",
    "GameStatus",
    "Incident",
    "Language",
    "LatencyMeasurement",
    "MetricRow",
    "NormInfo",
    "QualityNote",
    "ReportData",
    "ReportEvidence",
    "TimingInfo",
    "TraitRow",
    "evidence_from_dict",
    "evidence_from_json",
    "evidence_json",
    "new_report_id",
]

GameStatus = Literal["completed", "interrupted", "omitted"]
Language = Literal["en", "de"]

#: The version of :class:`ReportEvidence`'s dict and JSON form.
EVIDENCE_FORMAT = 1

#: The name of the file, embedded in a report PDF, that holds its evidence as JSON.
EVIDENCE_FILE_NAME = "kiosk-evidence.json"

#: Incident notes longer than this many characters are cut and marked as shortened.
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class TraitRow:
    """One of the nine bi-directional traits, placed against the norms.

    ``percentile`` is the mid-rank percentile rank in the norm sample and ``z`` the
    standardised composite; the chart places the bar at the percentile.
    ``ci_low_pct``/``ci_high_pct`` are the 95% interval in percentiles (NaN when no
    error estimate exists).  ``n_metrics`` is how many metrics entered the composite;
    ``flags`` come from ``scoring.traits`` (``insufficient_coverage``: not reported).
    ``kind`` is ``"style"`` (two ends, neither better) or ``"ability"`` (higher is
    better).
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
    kind: Literal["style", "ability"] = "style"


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One metric of one game: value with its 95% CI, percentile and trial count.

    ``key`` is the metric as scoring names it, ``"<game>.<metric>"``: the report
    prints the name, meaning and unit its wording gives that key in the report's
    language, and ``name``, ``meaning`` (one plain sentence a lay reader
    understands) and ``unit`` where it does not know the metric.  ``percentile`` is
    ``None`` when there is none, and ``percentile_note`` then says why:
    ``"pinned"`` (the design holds the metric near a target), ``"low_data"`` (fewer
    trials than the design's minimum), ``"undefined"`` (no value), ``"no_norm"`` or
    ``"small_norm_sample"``.
    ``decimals`` fixes how many decimals the value and CI are printed with; ``None``
    picks a sensible number from the size of the value.
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
    percentile_note: str | None = None
    key: str = ""


@dataclass(frozen=True, slots=True)
class GameSection:
    """One game of the battery as played in this session.

    ``status`` is ``"completed"``, ``"interrupted"`` (scores rest on the trials
    played before the interruption) or ``"omitted"`` (not played; ``metrics`` is
    usually empty).  ``flags`` are game-level quality flags (``"incomplete"`` ...).
    ``game_id`` is the game as scoring names it (``"hard_or_easy"``), to find the
    game of a metric key.
    """

    title: str
    status: GameStatus
    metrics: tuple[MetricRow, ...]
    flags: tuple[str, ...] = ()
    game_id: str = ""


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
    """A proctor's note about the session.

    ``text`` is shown as written (line breaks kept), never interpreted as markup;
    control characters are dropped and notes longer than :data:`MAX_NOTE_CHARS`
    characters are cut, with a "shortened" mark.
    """

    at: datetime.datetime
    author: str
    text: str


@dataclass(frozen=True, slots=True)
class NormInfo:
    """The norm table the percentiles refer to.

    ``design`` names the battery design the norm sample played (e.g. ``"standard
    1.2"``; empty when the table records none); ``other_design`` lists the games of
    this session (display names) whose design differs from it: their percentiles
    compare with people who played another version, and the report says so.
    """

    version: str
    provisional: bool
    provenance: str
    sample_size: int
    design: str = ""
    other_design: tuple[str, ...] = ()


_HEX_64 = re.compile(r"[0-9a-f]{64}")
_REPORT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def new_report_id() -> str:
    """A fresh random report id: 32 lower-case hex digits (128 bits)."""
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportEvidence:
    """What ties a report to its session, its event chain and the station's audit log.

    ``chain_head_seq``/``chain_head_hash`` are the sequence number and hex SHA-256 of
    the last event of the session's chain; ``checkpoint_seq``/``checkpoint_hash`` the
    audit-log entry that seals the session, ``checkpoint_signature`` the station key's
    signature over that hash (standard base64), ``key_id`` the hex SHA-256 fingerprint
    of the certificate of the key that signed it.  ``report_id`` is random per report
    (:func:`new_report_id`, the default).  ``demo`` marks a simulated candidate.

    Hashes and ``key_id`` are 64 lower-case hex digits; sequence numbers are integers
    ``>= 0``; ``format`` is :data:`EVIDENCE_FORMAT`.  A checkpoint written while the
    station key was locked is unsigned: then ``checkpoint_signature`` and ``key_id``
    are both empty (the report says so).  Anything else raises ``ValueError`` (a
    malformed record is a bug, never something to print).
    """

    format: int = EVIDENCE_FORMAT
    session_id: str
    candidate_pseudonym: str
    station_name: str
    chain_head_seq: int
    chain_head_hash: str
    checkpoint_seq: int
    checkpoint_hash: str
    checkpoint_signature: str
    key_id: str
    demo: bool = False
    report_id: str = field(default_factory=new_report_id)

    def __post_init__(self) -> None:
        if type(self.format) is not int or self.format != EVIDENCE_FORMAT:
            raise ValueError(f"unsupported evidence format {self.format!r}")
        for name in ("session_id", "candidate_pseudonym", "station_name"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"evidence {name} must be a non-empty string, not {value!r}")
        for name in ("chain_head_seq", "checkpoint_seq"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise ValueError(f"evidence {name} must be an integer >= 0, not {value!r}")
        signed = bool(self.checkpoint_signature) or bool(self.key_id)
        for name in ("chain_head_hash", "checkpoint_hash", "key_id"):
            value = getattr(self, name)
            if name == "key_id" and not signed and value == "":
                continue
            if not isinstance(value, str) or not _HEX_64.fullmatch(value):
                raise ValueError(f"evidence {name} must be 64 lower-case hex digits, not {value!r}")
        signature = self.checkpoint_signature
        try:
            if not isinstance(signature, str) or (signed and not signature):
                raise ValueError
            base64.b64decode(signature.encode("ascii"), validate=True)
        except (ValueError, binascii.Error, UnicodeEncodeError):
            raise ValueError(
                f"evidence checkpoint_signature must be base64 text (empty only together "
                f"with key_id), not {signature!r}"
            ) from None
        if type(self.demo) is not bool:
            raise ValueError(f"evidence demo must be true or false, not {self.demo!r}")
        if not isinstance(self.report_id, str) or not _REPORT_ID.fullmatch(self.report_id):
            raise ValueError(
                f"evidence report_id must be 8-64 letters, digits, '-' or '_', "
                f"not {self.report_id!r}"
            )

    def as_dict(self) -> dict[str, Any]:
        """The plain dict form (the keys of format 1, JSON types only)."""
        return asdict(self)


_EVIDENCE_KEYS = frozenset(f.name for f in fields(ReportEvidence))


def evidence_from_dict(data: Mapping[str, Any]) -> ReportEvidence:
    """The :class:`ReportEvidence` of a dict made by :meth:`ReportEvidence.as_dict`.

    Raises ``ValueError`` unless ``data`` has exactly the format-1 keys with valid values.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"evidence must be a JSON object, not {type(data).__name__}")
    if data.get("format") != EVIDENCE_FORMAT:
        raise ValueError(f"unsupported evidence format {data.get('format')!r}")
    keys = set(data)
    if keys != _EVIDENCE_KEYS:
        missing, unknown = (
            sorted(_EVIDENCE_KEYS - keys),
            sorted(str(k) for k in keys - _EVIDENCE_KEYS),
        )
        raise ValueError(
            f"evidence keys do not match format 1 (missing {missing}, unknown {unknown})"
        )
    return ReportEvidence(**dict(data))


def evidence_json(evidence: ReportEvidence) -> bytes:
    """The canonical JSON of ``evidence``: sorted keys, no spaces, ASCII, UTF-8 bytes."""
    return json.dumps(
        evidence.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=True
    ).encode("ascii")


def evidence_from_json(blob: bytes) -> ReportEvidence:
    """Parse :func:`evidence_json` output; ``ValueError`` if it is not valid evidence."""
    try:
        data = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"evidence is not JSON: {exc}") from None
    return evidence_from_dict(data)


@dataclass(frozen=True, slots=True)
class QualityNote:
    """A sign of invalid responding (``scoring.engagement``): flag code, game, message.

    ``game`` is the game's display name ("" for the whole session); ``message`` is
    one plain sentence with the figures behind the flag.
    """

    code: str
    game: str
    message: str


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything one session's report shows.

    ``quality`` holds ready-made sentences about the session's data quality
    (omitted or interrupted games, notable flags); the builder adds a glossary of
    the flags that appear in the tables.  ``chain_head`` is the hex SHA-256 head
    of the session's event chain; ``event_count`` the number of chained events.
    ``signature_note`` is printed beside the reserved signature box, e.g.
    ``"Signed by Station 3, Centre Zurich West"``.  ``evidence`` (optional: reports
    built before it existed have none) adds the Evidence block and the signed,
    machine-readable copy; with ``evidence.demo`` every page says DEMO.
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
    evidence: ReportEvidence | None = None
    #: Signs of invalid responding, shown in the data-quality section.
    engagement: tuple[QualityNote, ...] = ()
