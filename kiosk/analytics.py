"""What the admins' analytics view shows, read from the store (no Qt).

:func:`load_analytics` gathers, for a user allowed to manage the station:

* each trait's and each primary metric's values for the station's scored
  sessions, with the norm table's mean and SD to draw them against (traits are
  z-scores, so their norm is 0 and 1);
* trends: per day, the number of completed sessions and each trait's mean;
* completion and flag rates: sessions by status, the share of started sessions
  that were completed, and the share of completed ones with engagement flags
  (:mod:`kiosk.engagement_service`);
* the station's timing health over time (the ``timing_tests`` table:
  input-to-stamp latency, timer error, frame intervals);
* the adverse-impact audit of each active role-fit model with its threshold sweep
  (``kiosk.fit_models.active_model_audit``), as plain :class:`AuditView` values.

Audits reach the view and the exports only as :class:`AuditView`, built by
:func:`audit_view` from any object with the shape of
``kiosk.fit_models.ActiveModelAudit`` (role, version, threshold, n_candidates,
``current`` attribute audits, ``sweeps`` per attribute), so the view and the
exports do not depend on how the models are stored.  :func:`audit_csv` and
:func:`export_audit` write an audit as CSV and as a signed PDF
(:mod:`reports.audit_report`, signed by the station identity like reports).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.database import make_private_folders
from kiosk.store.models import AssessmentSession, Score, SessionStatus, TimingTest
from reports.audit_report import AuditGroupRow, AuditReportData, AuditSweepPoint, build_audit_report

__all__ = [
    "AnalyticsData",
    "AuditView",
    "Distribution",
    "TimingPoint",
    "audit_csv",
    "audit_view",
    "export_audit",
    "load_analytics",
]


@dataclass(frozen=True)
class Distribution:
    """The station's values of one trait or metric, and the norm to compare them with."""

    name: str
    values: tuple[float, ...]
    norm_mean: float
    norm_sd: float
    unit: str = ""


@dataclass(frozen=True)
class TimingPoint:
    """One ``kiosk timing-test`` run: when, and its medians and 99th percentiles."""

    at: dt.datetime
    input_median_us: float
    input_p99_us: float
    timer_error_median_ms: float
    frame_interval_p99_ms: float


@dataclass(frozen=True)
class AuditView:
    """One active model's adverse-impact audit in plain values.

    ``groups`` has one row per attribute and group; ``verdicts`` the verdict per
    attribute; ``sweeps`` per attribute the points (percentile, cut, impact ratio,
    whether a rule failed) lowest cut first.
    """

    role: str
    version: str
    threshold: float
    n_candidates: int
    groups: tuple[AuditGroupRow, ...]
    verdicts: Mapping[str, str]
    sweeps: Mapping[str, tuple[AuditSweepPoint, ...]]

    def report_data(self, station: str, centre: str) -> AuditReportData:
        return AuditReportData(
            role=self.role,
            version=self.version,
            threshold=self.threshold,
            n_candidates=self.n_candidates,
            groups=self.groups,
            verdicts=dict(self.verdicts),
            sweeps={k: tuple(v) for k, v in self.sweeps.items()},
            station=station,
            centre=centre,
            created=dt.datetime.now(dt.UTC),
        )


@dataclass(frozen=True)
class AnalyticsData:
    """Everything the analytics view draws."""

    traits: tuple[Distribution, ...]
    metrics: tuple[Distribution, ...]
    sessions_per_day: tuple[tuple[dt.date, int], ...]
    trait_trends: Mapping[str, tuple[tuple[dt.date, float], ...]]
    status_counts: Mapping[str, int]
    completion_rate: float
    flag_rate: float
    flagged_sessions: int
    flag_counts: Mapping[str, int]
    timing: tuple[TimingPoint, ...]
    audits: tuple[AuditView, ...] = field(default=())
    audit_note: str = ""


def _finite(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def audit_view(active: Any) -> AuditView:
    """An :class:`AuditView` of an object shaped like ``fit_models.ActiveModelAudit``."""
    rows: list[AuditGroupRow] = []
    verdicts: dict[str, str] = {}
    for attribute_audit in active.current:
        audit = attribute_audit.audit
        verdicts[attribute_audit.attribute] = str(audit.verdict)
        for group in audit.groups:
            rows.append(
                AuditGroupRow(
                    attribute=attribute_audit.attribute,
                    group=str(group),
                    n_total=int(audit.n_total[group]),
                    n_pass=int(audit.n_pass[group]),
                    selection_rate=_finite(audit.selection_rates[group]),
                    impact_ratio=_finite(audit.impact_ratios[group]),
                )
            )
    sweeps = {
        attribute: tuple(
            AuditSweepPoint(
                percentile=_finite(point.percentile),
                cut=_finite(point.cut),
                impact_ratio=_finite(point.audit.impact_ratio),
                failed=bool(point.audit.failed_rules),
            )
            for point in sweep.points
        )
        for attribute, sweep in active.sweeps.items()
    }
    return AuditView(
        role=str(active.role),
        version=str(active.version),
        threshold=_finite(active.threshold),
        n_candidates=int(active.n_candidates),
        groups=tuple(rows),
        verdicts=verdicts,
        sweeps=sweeps,
    )


def _active_audits(store: Store) -> tuple[tuple[AuditView, ...], str]:
    """The active models' audits, or none and a sentence saying why."""
    try:
        from kiosk.fit_models import active_model_audit
    except ImportError:
        return (), "No active model: role-fit models are not available on this station."
    audits = tuple(audit_view(a) for a in active_model_audit(store))
    return audits, "" if audits else "No active model."


def _distributions(
    store: Store,
) -> tuple[
    tuple[Distribution, ...], tuple[Distribution, ...], dict[str, list[tuple[dt.date, float]]]
]:
    from kiosk.scoring_service import default_norms

    norms = default_norms()
    with store.reader() as s:
        rows = s.execute(
            select(
                Score.session_id,
                Score.scope,
                Score.name,
                Score.value,
                Score.flags,
                Score.norm_version,
                Score.computed_at,
                AssessmentSession.ended_at,
            )
            .join(AssessmentSession, AssessmentSession.id == Score.session_id)
            .where(AssessmentSession.status == SessionStatus.COMPLETED.value)
            .order_by(Score.computed_at)
        ).all()
    # One value per session and score: the latest computed (rescoring adds rows).
    latest: dict[tuple[str, str, str], tuple[float, bool, dt.datetime | None]] = {}
    for sid, scope, name, value, flags, _norm, _at, ended in rows:
        primary = bool((flags or {}).get("primary", False))
        latest[(sid, scope, name)] = (_finite(value), primary, ended)
    traits: dict[str, list[float]] = defaultdict(list)
    metrics: dict[str, list[float]] = defaultdict(list)
    trends: dict[str, list[tuple[dt.date, float]]] = defaultdict(list)
    for (_sid, scope, name), (value, primary, ended) in latest.items():
        if not math.isfinite(value):
            continue
        if scope == "trait":
            traits[name].append(value)
            if ended is not None:
                trends[name].append((ended.date(), value))
        elif scope == "metric" and primary:
            metrics[name].append(value)
    trait_rows = tuple(
        Distribution(name, tuple(values), 0.0, 1.0, "z") for name, values in sorted(traits.items())
    )
    metric_rows = []
    for name, values in sorted(metrics.items()):
        game_id, _, metric = name.partition(".")
        norm = norms.metric(game_id, metric)
        metric_rows.append(
            Distribution(
                name,
                tuple(values),
                _finite(getattr(norm, "mean", math.nan)),
                _finite(getattr(norm, "sd", math.nan)),
            )
        )
    return trait_rows, tuple(metric_rows), trends


def _timing(store: Store) -> tuple[TimingPoint, ...]:
    with store.reader() as s:
        tests = s.execute(select(TimingTest.run_at, TimingTest.results).order_by(TimingTest.run_at))
        found = [(at, dict(results or {})) for at, results in tests]

    def figure(results: Mapping[str, Any], key: str, stat: str) -> float:
        part = results.get(key)
        return _finite(part.get(stat)) if isinstance(part, Mapping) else math.nan

    return tuple(
        TimingPoint(
            at=at if at.tzinfo else at.replace(tzinfo=dt.UTC),
            input_median_us=figure(results, "input_to_stamp_us", "median"),
            input_p99_us=figure(results, "input_to_stamp_us", "p99"),
            timer_error_median_ms=figure(results, "timer_error_ms", "median"),
            frame_interval_p99_ms=figure(results, "frame_interval_ms", "p99"),
        )
        for at, results in found
    )


def load_analytics(store: Store, actor: Actor) -> AnalyticsData:
    """Everything the analytics view shows (admins only: it covers every candidate)."""
    from kiosk.engagement_service import session_engagement

    require(actor.role, Action.MANAGE_USERS)
    traits, metrics, trends = _distributions(store)
    with store.reader() as s:
        sessions = s.execute(
            select(AssessmentSession.id, AssessmentSession.status, AssessmentSession.ended_at)
        ).all()
    status_counts = Counter(status for _sid, status, _ended in sessions)
    completed = [(sid, ended) for sid, status, ended in sessions if status == "completed"]
    started = sum(
        n for status, n in status_counts.items() if status not in ("scheduled", "checked_in")
    )
    per_day = Counter(ended.date() for _sid, ended in completed if ended is not None)
    flag_counts: Counter[str] = Counter()
    flagged = 0
    for sid, _ended in completed:
        codes = session_engagement(store, sid).codes
        flagged += bool(codes)
        flag_counts.update(codes)
    trait_trends = {
        name: tuple(
            (day, sum(v for d, v in points if d == day) / sum(1 for d, _ in points if d == day))
            for day in sorted({d for d, _ in points})
        )
        for name, points in sorted(trends.items())
    }
    audits, note = _active_audits(store)
    return AnalyticsData(
        traits=traits,
        metrics=metrics,
        sessions_per_day=tuple(sorted(per_day.items())),
        trait_trends=trait_trends,
        status_counts=dict(status_counts),
        completion_rate=len(completed) / started if started else math.nan,
        flag_rate=flagged / len(completed) if completed else math.nan,
        flagged_sessions=flagged,
        flag_counts=dict(flag_counts),
        timing=_timing(store),
        audits=audits,
        audit_note=note,
    )


def audit_csv(audit: AuditView) -> str:
    """The audit as CSV: one row per group, then one row per sweep point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["role", "version", "threshold", "candidates"])
    writer.writerow([audit.role, audit.version, f"{audit.threshold:.6g}", audit.n_candidates])
    writer.writerow([])
    writer.writerow(
        ["attribute", "group", "candidates", "passed", "selection_rate", "impact_ratio", "verdict"]
    )
    for row in audit.groups:
        writer.writerow(
            [
                row.attribute,
                row.group,
                row.n_total,
                row.n_pass,
                _csv_number(row.selection_rate),
                _csv_number(row.impact_ratio),
                audit.verdicts.get(row.attribute, ""),
            ]
        )
    writer.writerow([])
    writer.writerow(["attribute", "percentile", "cut", "impact_ratio", "rule_failed"])
    for attribute, points in audit.sweeps.items():
        for point in points:
            writer.writerow(
                [
                    attribute,
                    _csv_number(point.percentile),
                    _csv_number(point.cut),
                    _csv_number(point.impact_ratio),
                    "yes" if point.failed else "no",
                ]
            )
    return out.getvalue()


def _csv_number(value: float) -> str:
    return f"{value:.6g}" if math.isfinite(value) else ""


def _write_private(path: Path, data: bytes) -> None:
    make_private_folders(path.parent)
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    tmp.replace(path)


def export_audit(store: Store, actor: Actor, audit: AuditView, folder: Path) -> tuple[Path, Path]:
    """Write the audit as a signed PDF and as CSV into ``folder``; returns both paths."""
    from kiosk.trust.keys import centre_name, station_identity
    from reports.audit_report import AUDIT_SIGNATURE_BOX
    from reports.signing import sign_pdf

    require(actor.role, Action.EXPORT_REPORTS)
    station, centre = store.station().name, centre_name(store)
    pdf = build_audit_report(audit.report_data(station, centre))
    signed = sign_pdf(
        pdf,
        station_identity(store),
        reason="Adverse-impact audit",
        location=station,
        signer_label=f"{station}, {centre}",
        visible_box=AUDIT_SIGNATURE_BOX,
    )
    stem = f"audit-{_safe(audit.role)}-{audit.version[:8]}"
    pdf_path, csv_path = folder / f"{stem}.pdf", folder / f"{stem}.csv"
    _write_private(pdf_path, signed)
    _write_private(csv_path, audit_csv(audit).encode("utf-8"))
    return pdf_path, csv_path


def _safe(text: str) -> str:
    from kiosk.outcome.pipeline import safe_name_part

    return safe_name_part(text, "role")


def sample_points(points: Sequence[tuple[dt.date, float]]) -> tuple[list[float], list[float]]:
    """Days as POSIX seconds (for a date axis) and values, from ``(date, value)`` pairs."""
    xs = [dt.datetime.combine(d, dt.time(12), dt.UTC).timestamp() for d, _ in points]
    return xs, [v for _, v in points]
