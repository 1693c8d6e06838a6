"""Turning a scored session into a signed PDF report, and remembering its hash.

The kiosk gathers what a report shows — the session and candidate pseudonym, the
scores (:class:`scoring.session.SessionScores`), data-quality flags, timing figures
from the stored ``stimulus_onset`` and ``frame_stats`` events and the station's last
``kiosk timing-test``, incidents, norm and scoring versions, the event count and
chain head — into :class:`reports.model.ReportData`; :mod:`reports` builds the PDF;
the station identity signs it (PAdES, visible stamp); the file's SHA-256 goes into
the store with the report row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from pathlib import Path

from sqlalchemy import func, select

from games.engine.texts import texts_for
from kiosk.battery import battery_from_definition
from kiosk.engagement_service import report_notes
from kiosk.scoring_service import session_design
from kiosk.store import Store
from kiosk.store.database import make_private_folders
from kiosk.store.models import (
    AssessmentSession,
    Candidate,
    Event,
    GameRun,
    IncidentNote,
    Report,
    TimingTest,
)
from kiosk.store.models import (
    Battery as BatteryRow,
)
from kiosk.trust.evidence import session_evidence
from kiosk.trust.keys import centre_name, station_identity
from reports.build import SIGNATURE_BOX, build_report
from reports.labels import TRAIT_WORDS, text
from reports.model import (
    GameSection,
    Incident,
    LatencyMeasurement,
    MetricRow,
    NormInfo,
    ReportData,
    TimingInfo,
    TraitRow,
    evidence_from_dict,
)
from reports.signing import sha256_hex, sign_pdf
from scoring.norms import NormTable
from scoring.session import SessionScores

__all__ = ["report_data", "write_report"]


def _aware(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _timing(store: Store, session_id: str) -> TimingInfo:
    with store.reader() as s:
        onsets = (
            s.execute(
                select(Event.payload).where(
                    Event.session_id == session_id, Event.kind == "stimulus_onset"
                )
            )
            .scalars()
            .all()
        )
        stats = (
            s.execute(
                select(Event.payload).where(
                    Event.session_id == session_id, Event.kind == "frame_stats"
                )
            )
            .scalars()
            .all()
        )
        test = s.scalars(select(TimingTest).order_by(TimingTest.run_at.desc()).limit(1)).first()
    import json

    methods = sorted({json.loads(p).get("method", "?") for p in onsets})
    frames = [json.loads(p) for p in stats]
    refresh = [f["refresh_ns"] for f in frames if f.get("refresh_ns")]
    latency = None
    if test is not None and test.results.get("input_to_stamp_us", {}).get("n"):
        lat = test.results["input_to_stamp_us"]
        latency = LatencyMeasurement(float(lat["median"]), float(lat["p99"]), _aware(test.run_at))
    return TimingInfo(
        stamping_methods=tuple(methods),
        refresh_hz=round(1e9 / refresh[0], 1) if refresh else None,
        frames=sum(int(f.get("frames", 0)) for f in frames),
        dropped_frames=sum(int(f.get("dropped", 0)) for f in frames),
        latency=latency,
    )


def report_data(
    store: Store, session_id: str, scores: SessionScores, norms: NormTable, language: str = "en"
) -> ReportData:
    with store.reader() as s:
        session = s.get(AssessmentSession, session_id)
        if session is None:
            raise ValueError(f"no session {session_id} in {store.path}")
        candidate = s.get(Candidate, session.candidate_id)
        battery_row = s.get(BatteryRow, session.battery_id) if session.battery_id else None
        runs = {
            r.position: r
            for r in s.scalars(select(GameRun).where(GameRun.session_id == session_id))
        }
        incidents = s.scalars(
            select(IncidentNote)
            .where(IncidentNote.session_id == session_id)
            .order_by(IncidentNote.at)
        ).all()
        event_count = (
            s.scalar(select(func.count()).select_from(Event).where(Event.session_id == session_id))
            or 0
        )
        chain_head, started = session.chain_head_hash, session.started_at
        incident_rows = tuple(Incident(_aware(n.at), n.author, n.text) for n in incidents)
    battery = battery_from_definition(battery_row.definition) if battery_row else None
    sections: list[GameSection] = []
    quality: list[str] = list(scores.flags)
    game_texts = texts_for(language)
    for game in battery.games if battery else ():
        title = game_texts.get(game.game_id, "title")
        run = runs.get(game.position)
        scored = scores.games.get(game.game_id)
        status = (
            "completed"
            if run is not None and run.status == "completed"
            else "interrupted"
            if run is not None
            else "omitted"
        )
        if status != "completed":
            quality.append(f"{title}: {text(language, 'game_status_' + status)}")
        rows = []
        if scored is not None:
            for name, metric in scored.metrics.items():
                rows.append(
                    MetricRow(
                        key=f"{game.game_id}.{name}",
                        name=name.replace("_", " "),
                        meaning=metric.description,
                        value=metric.value,
                        unit=metric.unit,
                        ci_low=metric.ci_low,
                        ci_high=metric.ci_high,
                        percentile=metric.percentile if math.isfinite(metric.percentile) else None,
                        n=metric.n,
                        flags=tuple(metric.flags),
                        percentile_note=metric.percentile_withheld or None,
                    )
                )
        sections.append(
            GameSection(
                title=title,
                game_id=game.game_id,
                status=status,  # type: ignore[arg-type]
                metrics=tuple(rows),
                flags=tuple(scored.flags) if scored else (),
            )
        )
    traits = []
    for name, trait in scores.traits.traits.items():
        words = TRAIT_WORDS.get(name, {}).get(language) or (name, trait.low_end, trait.high_end)
        traits.append(
            TraitRow(
                name=words[0],
                low_end=words[1],
                high_end=words[2],
                z=trait.z,
                percentile=trait.percentile,
                ci_low_pct=trait.ci_low,
                ci_high_pct=trait.ci_high,
                n_metrics=trait.n_metrics,
                flags=tuple(trait.flags),
                kind=trait.kind,
            )
        )
    identity_note = f"Signed by {store.station().name}, {centre_name(store)}"
    return ReportData(
        language=language,  # type: ignore[arg-type]
        candidate_pseudonym=candidate.pseudonym if candidate else "?",
        session_id=session_id,
        centre_name=centre_name(store),
        station_name=store.station().name,
        session_date=_aware(started),
        battery_name=battery.name if battery else "",
        battery_version=battery.version if battery else "",
        traits=tuple(traits),
        games=tuple(sections),
        quality=tuple(quality),
        timing=_timing(store, session_id),
        incidents=incident_rows,
        norms=_norm_info(store, session_id, norms, language),
        scoring_version=scores.scoring_version,
        event_count=int(event_count),
        chain_head=chain_head,
        signature_note=identity_note,
        engagement=report_notes(store, session_id),
    )


def _norm_info(store: Store, session_id: str, norms: NormTable, language: str) -> NormInfo:
    """The norm table, its design, and the games whose norms come from another design."""
    titles = texts_for(language)
    design = norms.design
    shown = f"{design.battery} {design.battery_version}" if design is not None else ""
    other: list[str] = []
    session = session_design(store, session_id)
    if design is not None and session is not None:
        other = [titles.get(g, "title") for g in design.mismatched_games(session)]
    elif session is not None and session.battery != "standard":
        # A table that records no design was built on the standard battery.
        other = [titles.get(g, "title") for g in session.games]
    return NormInfo(
        norms.version,
        norms.provisional,
        norms.provenance,
        norms.sample_size,
        design=shown,
        other_design=tuple(other),
    )


def _with_evidence(data: ReportData, evidence: dict[str, object]) -> ReportData:
    """The report data carrying the session's evidence (in its signed content)."""
    return dataclasses.replace(data, evidence=evidence_from_dict(evidence))


def write_report(
    store: Store,
    session_id: str,
    scores: SessionScores,
    norms: NormTable,
    out: Path,
    *,
    language: str = "en",
) -> Path:
    """Build, sign and write the report; store its SHA-256. Returns the path.

    Refuses (:class:`~kiosk.trust.evidence.UntrustedSession`, a ValueError) when the
    session's events, the audit log or any row the report reads does not hold.
    """
    identity = station_identity(store)
    evidence = session_evidence(store, session_id)
    data = report_data(store, session_id, scores, norms, language)
    data = _with_evidence(data, evidence)
    signed = sign_pdf(
        build_report(data),
        identity,
        reason="Assessment report",
        location=data.station_name,
        signer_label=f"{data.station_name}, {data.centre_name}",
        visible_box=SIGNATURE_BOX,
    )
    make_private_folders(out.parent)
    tmp = out.with_name(out.name + ".part")
    # Reports name a candidate's results: readable by the station's account only.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(signed)
    tmp.replace(out)
    with store.writer() as s, s.begin():
        s.add(
            Report(
                session_id=session_id,
                path=str(out),
                sha256=sha256_hex(signed),
                signer=identity.common_name,
            )
        )
    return out
