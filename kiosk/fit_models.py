"""Role-fit models on a station: labels in, audited versions out, approval before use.

Contract (Qt-free; every function that changes something takes an
:class:`~kiosk.access.auth.Actor` and requires :attr:`Action.MANAGE_FIT_MODELS`, an
admin's, and writes an audit entry in the same transaction):

* :func:`import_incumbents` reads a role's labels from CSV text with the header
  ``pseudonym,label`` (1: an incumbent, e.g. a top performer; 0: an explicit
  baseline person) and replaces that role's earlier import.  A bad file raises
  :class:`IncumbentsFileError` naming the line and what to do; nothing is stored.
* :func:`record_self_report` stores a candidate's voluntary answers (attribute →
  value) in ``candidate_demographics``, with their personal data: erasing the
  person erases them (:mod:`kiosk.privacy`).
* :func:`train` builds the training set, runs :func:`scoring.fit.debias` and stores
  the resulting :class:`scoring.fit.ModelVersion` as a ``draft``.
* :func:`approve` (a draft whose audit passed), :func:`activate` (an approved or
  retired version; the role's active version is retired) and :func:`retire`.
* :func:`history` lists a role's versions with their de-biasing steps.
* :func:`score_session` scores a session with every role's active version;
  :func:`shadow` compares a version with its role's active one on the station's
  candidates; :func:`active_model_audit` gives the adverse-impact audit and a
  threshold sweep of each active model (for the analytics view).

The training set
----------------
Features are the candidate's newest stored scores: traits (``trait:NAME``, the
z value) and, with ``features="all"``, game metrics (``metric:GAME.METRIC``).  A
candidate's values come from their newest completed session that has scores; a
feature missing for a candidate is NaN and :mod:`scoring.fit` imputes it with the
training median.  Features present for fewer than half the training rows are left
out.  Labelled people without a scored, completed session are left out too; the
record counts them (``extra.labelled_without_scores``).

Label 1 is every imported incumbent.  Label 0 is every imported baseline person
plus, with ``baseline="station"`` (the default), every other candidate on the
station with scores; with ``baseline="norms"``, a synthetic norm sample instead:
``sample_size`` rows drawn from the shipped norm table, independent normals with
each metric's norm mean and SD and N(0, 1) for the traits (trait values are z
against the same table).  The norm table holds no correlations and no groups, so
such a sample is an approximation, and only the station's own candidates take part
in the audit.

Groups
------
The audit uses the self-reported ``attributes`` (default ``("gender",)``, the
fixed-choice question of the candidate screen).  A candidate's answer is read from
``candidate_demographics`` and, when none is there, from the answers the candidate
screen keeps in ``candidate_personal.demographics``.  A candidate without an answer
takes no part in that attribute's audit.  Groups smaller than ``min_group_size``
(30) make the audit "too few to judge", which blocks approval.

Versions and their states
-------------------------
``draft`` → ``approved`` (needs an audit verdict of "pass") → ``active`` (one per
role) → ``retired``; a retired version can be activated again.  The stored record
is the canonical JSON of :class:`scoring.fit.ModelVersion`; every read checks its
content hash against the row's, and the row itself is sealed
(:mod:`kiosk.store.seals`), so an approval written outside kiosk fails ``kiosk
store check``.  A version is named by its id or a unique prefix (8+ characters) of
its content hash.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.models import (
    AssessmentSession,
    Candidate,
    CandidateDemographic,
    CandidatePersonal,
    FitModelStatus,
    FitModelVersion,
    RoleIncumbent,
    Score,
    SessionStatus,
    utcnow,
)
from scoring import fit
from scoring.fairness import ThresholdSweep, threshold_sweep

__all__ = [
    "DEFAULT_ATTRIBUTES",
    "ActiveModelAudit",
    "ImportResult",
    "IncumbentsFileError",
    "RoleScore",
    "StoredVersion",
    "TrainingSet",
    "activate",
    "active_model_audit",
    "approve",
    "history",
    "import_incumbents",
    "load_version",
    "record_self_report",
    "retire",
    "score_session",
    "shadow",
    "train",
    "training_set",
]

DEFAULT_ATTRIBUTES: tuple[str, ...] = ("gender",)
MIN_FEATURE_COVERAGE = 0.5
Baseline = Literal["station", "norms"]
FeatureSet = Literal["traits", "all"]
HISTORY_HINT = "`kiosk fit history ROLE` lists a role's versions"


class IncumbentsFileError(ValueError):
    """A labels file that cannot be imported; the message names the line and the fix."""


@dataclass(frozen=True)
class ImportResult:
    role: str
    incumbents: int
    baseline: int
    replaced: int  # rows of the role's earlier import


@dataclass(frozen=True)
class StoredVersion:
    """A stored version: the record plus its state on this station."""

    id: int
    version: fit.ModelVersion
    status: str
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None

    @property
    def content_hash(self) -> str:
        return self.version.content_hash

    @property
    def short(self) -> str:
        return self.version.content_hash[:12]


@dataclass(frozen=True)
class TrainingSet:
    session_ids: tuple[str, ...]
    pseudonyms: tuple[str | None, ...]  # None for a synthetic norm row
    features: np.ndarray
    labels: np.ndarray
    feature_names: tuple[str, ...]
    groups: dict[str, list[str | None]]
    unscored: int  # labelled people left out: no scored, completed session


@dataclass(frozen=True)
class RoleScore:
    role: str
    version: str  # content hash
    score: fit.CandidateScore


@dataclass(frozen=True)
class ActiveModelAudit:
    """What the analytics view shows for one role's active model."""

    role: str
    version: str
    threshold: float
    training_audit: Mapping[str, Any]  # the audit stored in the version's record
    current: tuple[fit.AttributeAudit, ...]  # decisions on the station's candidates now
    sweeps: Mapping[str, ThresholdSweep]  # per attribute, over the probabilities now
    n_candidates: int


# -- labels and answers -----------------------------------------------------------------


def _clean_role(role: str) -> str:
    name = role.strip()
    if not name or len(name) > 80:
        raise ValueError(f"a role name is 1 to 80 characters, got {role!r}")
    return name


def _parse_labels(text: str) -> list[tuple[int, str, int]]:
    """(line number, pseudonym, label) for every row; raises naming the line."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise IncumbentsFileError(
            "line 1: the file is empty; it needs the header `pseudonym,label` "
            "and one row per person"
        )
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip().lower() for cell in rows[0]]
    if header != ["pseudonym", "label"]:
        raise IncumbentsFileError(
            f"line 1: the header must be `pseudonym,label`, found `{','.join(rows[0])}`; "
            "add that line at the top"
        )
    parsed: list[tuple[int, str, int]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise IncumbentsFileError(
                f"line {number}: expected 2 fields (pseudonym,label), found {len(row)}; "
                "remove the extra commas or add the missing label"
            )
        pseudonym, label_text = row[0].strip(), row[1].strip()
        if not pseudonym:
            raise IncumbentsFileError(f"line {number}: the pseudonym is empty; fill it in")
        if label_text not in ("0", "1"):
            raise IncumbentsFileError(
                f"line {number}: the label of {pseudonym} is {label_text!r}; "
                "write 1 for an incumbent or 0 for a baseline person"
            )
        if pseudonym in seen:
            raise IncumbentsFileError(
                f"line {number}: {pseudonym} is already on line {seen[pseudonym]}; "
                "keep one line per person"
            )
        seen[pseudonym] = number
        parsed.append((number, pseudonym, int(label_text)))
    if not parsed:
        raise IncumbentsFileError(
            "line 2: the file has a header but no rows; add one `pseudonym,label` line per person"
        )
    return parsed


def import_incumbents(store: Store, actor: Actor, role: str, text: str) -> ImportResult:
    """Replace ``role``'s labels with those in ``text`` (CSV ``pseudonym,label``)."""
    require(actor.role, Action.MANAGE_FIT_MODELS)
    name = _clean_role(role)
    parsed = _parse_labels(text)
    with store.writer() as s, s.begin():
        ids: dict[str, int] = {
            pseudonym: cid
            for pseudonym, cid in s.execute(
                select(Candidate.pseudonym, Candidate.id).where(
                    Candidate.pseudonym.in_([p for _, p, _ in parsed])
                )
            )
        }
        for number, pseudonym, _ in parsed:
            if pseudonym not in ids:
                raise IncumbentsFileError(
                    f"line {number}: no candidate with the pseudonym {pseudonym!r} on this "
                    "station; check the spelling (`kiosk candidates list` shows them) "
                    "or remove the line"
                )
        old = s.scalars(select(RoleIncumbent).where(RoleIncumbent.role == name)).all()
        for row in old:
            s.delete(row)
        s.flush()
        s.add_all(
            RoleIncumbent(
                role=name, candidate_id=ids[pseudonym], label=label, imported_by=actor.username
            )
            for _, pseudonym, label in parsed
        )
        incumbents = sum(label for _, _, label in parsed)
        result = ImportResult(name, incumbents, len(parsed) - incumbents, len(old))
        append_audit(
            s,
            actor.username,
            "fit_incumbents_imported",
            target=name,
            details={
                "incumbents": result.incumbents,
                "baseline": result.baseline,
                "replaced": result.replaced,
            },
        )
    return result


def record_self_report(store: Store, pseudonym: str, answers: Mapping[str, str]) -> None:
    """Store a candidate's voluntary answers (attribute → value) with their personal data.

    Empty answers are left out; an answer replaces an earlier one for the same attribute.
    """
    given = {k.strip(): v.strip() for k, v in answers.items() if k.strip() and v.strip()}
    if not given:
        return
    with store.writer() as s, s.begin():
        cid = s.scalar(select(Candidate.id).where(Candidate.pseudonym == pseudonym))
        if cid is None:
            raise ValueError(f"no candidate with the pseudonym {pseudonym!r} on this station")
        if s.get(CandidatePersonal, cid) is None:
            s.add(CandidatePersonal(candidate_id=cid))
            s.flush()
        for attribute, value in given.items():
            row = s.get(CandidateDemographic, (cid, attribute))
            if row is None:
                s.add(CandidateDemographic(candidate_id=cid, attribute=attribute, value=value))
            else:
                row.value = value
                row.recorded_at = utcnow()


def _answers(s: Session, candidate_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    wanted = list(candidate_ids)
    answers: dict[int, dict[str, str]] = {cid: {} for cid in wanted}
    for cid, given in s.execute(
        select(CandidatePersonal.candidate_id, CandidatePersonal.demographics).where(
            CandidatePersonal.candidate_id.in_(wanted)
        )
    ):
        for key, value in (given or {}).items():
            if isinstance(value, str) and value.strip():
                answers[cid][str(key)] = value.strip()
    for cid, attribute, value in s.execute(
        select(
            CandidateDemographic.candidate_id,
            CandidateDemographic.attribute,
            CandidateDemographic.value,
        ).where(CandidateDemographic.candidate_id.in_(wanted))
    ):
        answers[cid][attribute] = value  # the table wins over the screen's answers
    return answers


# -- features ---------------------------------------------------------------------------


def _feature_name(scope: str, name: str) -> str:
    return f"{scope}:{name}"


def _scored_sessions(s: Session) -> dict[int, str]:
    """Each candidate's newest completed session with scores: candidate id → session id."""
    rows = s.execute(
        select(AssessmentSession.candidate_id, AssessmentSession.id)
        .where(
            AssessmentSession.status == SessionStatus.COMPLETED.value,
            AssessmentSession.id.in_(select(Score.session_id)),
        )
        .order_by(AssessmentSession.ended_at, AssessmentSession.created_at, AssessmentSession.id)
    )
    newest: dict[int, str] = {}
    for cid, sid in rows:
        newest[cid] = sid
    return newest


def _session_features(
    s: Session, session_ids: Sequence[str], feature_set: FeatureSet
) -> dict[str, dict[str, float]]:
    scopes = ("trait",) if feature_set == "traits" else ("trait", "metric")
    values: dict[str, dict[str, float]] = {sid: {} for sid in session_ids}
    for sid, scope, name, value in s.execute(
        select(Score.session_id, Score.scope, Score.name, Score.value)
        .where(Score.session_id.in_(list(session_ids)), Score.scope.in_(scopes))
        .order_by(Score.computed_at, Score.id)
    ):
        if value is not None and math.isfinite(value):
            values[sid][_feature_name(scope, name)] = float(value)  # newest wins
    return values


def _norm_sample(feature_names: Sequence[str], seed: str) -> np.ndarray:
    from kiosk.scoring_service import default_norms

    table = default_norms()
    rng = np.random.default_rng(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16))
    columns = []
    for name in feature_names:
        scope, _, key = name.partition(":")
        norm = table.metrics.get(key) if scope == "metric" else None
        if scope == "trait":
            columns.append(rng.standard_normal(table.sample_size))
        elif norm is not None and math.isfinite(norm.mean) and math.isfinite(norm.sd):
            columns.append(rng.normal(norm.mean, norm.sd, table.sample_size))
        else:
            columns.append(np.full(table.sample_size, np.nan))
    return np.column_stack(columns)


def training_set(
    store: Store,
    role: str,
    *,
    baseline: Baseline = "station",
    features: FeatureSet = "traits",
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
) -> TrainingSet:
    """The rows a :func:`train` would fit on (see the module docstring)."""
    if baseline not in ("station", "norms"):
        raise ValueError(f"the baseline is 'station' or 'norms', not {baseline!r}")
    name = _clean_role(role)
    with store.reader() as s:
        labels: dict[int, int] = {
            cid: label
            for cid, label in s.execute(
                select(RoleIncumbent.candidate_id, RoleIncumbent.label).where(
                    RoleIncumbent.role == name
                )
            )
        }
        if not labels:
            raise ValueError(
                f"no labels imported for the role {name!r}; "
                f"run `kiosk fit import-incumbents {name} FILE` first"
            )
        sessions = _scored_sessions(s)
        unscored = [cid for cid in labels if cid not in sessions]
        # The station baseline is everyone scored; the norm baseline adds rows below.
        chosen = sorted(cid for cid in sessions if baseline == "station" or cid in labels)
        pseudonyms: dict[int, str] = {
            cid: pseudonym
            for cid, pseudonym in s.execute(
                select(Candidate.id, Candidate.pseudonym).where(Candidate.id.in_(chosen))
            )
        }
        session_ids = [sessions[cid] for cid in chosen]
        values = _session_features(s, session_ids, features)
        answers = _answers(s, chosen)
    if unscored and len(unscored) == len(labels):
        raise ValueError(
            f"none of the {len(labels)} labelled people of {name!r} has a scored, completed "
            "session; score their sessions first (`kiosk score`)"
        )
    counts: dict[str, int] = {}
    for sid in session_ids:
        for key in values[sid]:
            counts[key] = counts.get(key, 0) + 1
    names = tuple(
        sorted(k for k, n in counts.items() if n >= MIN_FEATURE_COVERAGE * len(session_ids))
    )
    if not names:
        raise ValueError(
            f"the candidates of {name!r} have no scores to fit on; score their sessions first"
        )
    x = np.array([[values[sid].get(k, np.nan) for k in names] for sid in session_ids], dtype=float)
    y = np.array([labels.get(cid, 0) for cid in chosen], dtype=np.int64)
    groups: dict[str, list[str | None]] = {
        a: [answers[cid].get(a) for cid in chosen] for a in attributes
    }
    ids: list[str] = list(session_ids)
    who: list[str | None] = [pseudonyms[cid] for cid in chosen]
    if baseline == "norms":
        extra = _norm_sample(names, f"{name}:norms")
        x = np.vstack([x, extra])
        y = np.concatenate([y, np.zeros(extra.shape[0], dtype=np.int64)])
        ids += [f"norm-sample:{i}" for i in range(extra.shape[0])]
        who += [None] * extra.shape[0]
        for a in groups:
            groups[a] = groups[a] + [None] * extra.shape[0]
    return TrainingSet(tuple(ids), tuple(who), x, y, names, groups, len(unscored))


# -- versions ---------------------------------------------------------------------------


def _stored(row: FitModelVersion) -> StoredVersion:
    version = fit.version_from_json(row.record)
    if version.content_hash != row.content_hash:
        raise ValueError(
            f"model version {row.id}: its record hashes to {version.content_hash[:12]} but the "
            f"row says {row.content_hash[:12]}; the store was altered (run `kiosk store check`)"
        )
    return StoredVersion(
        id=row.id,
        version=version,
        status=row.status,
        created_by=row.created_by,
        created_at=row.created_at,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
    )


def _find(s: Session, ref: str) -> FitModelVersion:
    text = ref.strip().lower()
    row: FitModelVersion | None = None
    if text.isdigit():
        row = s.get(FitModelVersion, int(text))
    elif len(text) >= 8:
        found = s.scalars(
            select(FitModelVersion).where(FitModelVersion.content_hash.startswith(text))
        ).all()
        if len(found) > 1:
            raise ValueError(f"{ref!r} names {len(found)} versions; give more of the hash")
        row = found[0] if found else None
    if row is None:
        raise ValueError(
            f"no model version {ref!r} (an id, or 8+ characters of its hash); {HISTORY_HINT}"
        )
    return row


def load_version(store: Store, ref: str) -> StoredVersion:
    with store.reader() as s:
        return _stored(_find(s, ref))


def train(
    store: Store,
    actor: Actor,
    role: str,
    *,
    baseline: Baseline = "station",
    features: FeatureSet = "traits",
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
    min_group_size: int = 30,
    threshold: float | None = None,
    seed: int = 0,
) -> StoredVersion:
    """Fit, audit and de-bias a model for ``role``; stored as a draft and returned."""
    require(actor.role, Action.MANAGE_FIT_MODELS)
    name = _clean_role(role)
    data = training_set(store, name, baseline=baseline, features=features, attributes=attributes)
    result = fit.debias(
        data.features,
        data.labels,
        data.feature_names,
        data.groups,
        min_group_size=min_group_size,
        threshold=threshold,
        seed=seed,
    )
    now = datetime.now(UTC)
    version = fit.make_version(
        name,
        result,
        ids=data.session_ids,
        labels=data.labels,
        created_at=now.isoformat(),
        baseline=baseline,
        extra={
            "attributes": list(attributes),
            "features": features,
            "labelled_without_scores": data.unscored,
        },
    )
    with store.writer() as s, s.begin():
        existing = s.scalar(
            select(FitModelVersion).where(FitModelVersion.content_hash == version.content_hash)
        )
        if existing is not None:
            raise ValueError(f"this model is already stored as version {existing.id}")
        row = FitModelVersion(
            content_hash=version.content_hash,
            role=name,
            record=version.to_json(),
            status=FitModelStatus.DRAFT.value,
            created_by=actor.username,
            created_at=now,
        )
        s.add(row)
        s.flush()
        append_audit(
            s,
            actor.username,
            "fit_model_trained",
            target=version.content_hash,
            details={
                "role": name,
                "id": row.id,
                "baseline": baseline,
                "auc": version.record["cv"]["auc"],
                "verdict": version.audit_verdict,
                "debiasing": result.status,
                "removed": [step.removed for step in result.history if step.removed],
            },
        )
        return _stored(row)


def history(store: Store, actor: Actor, role: str) -> list[StoredVersion]:
    """A role's versions, oldest first."""
    require(actor.role, Action.MANAGE_FIT_MODELS)
    with store.reader() as s:
        rows = s.scalars(
            select(FitModelVersion)
            .where(FitModelVersion.role == _clean_role(role))
            .order_by(FitModelVersion.id)
        ).all()
        return [_stored(r) for r in rows]


def _change(
    store: Store,
    actor: Actor,
    ref: str,
    action: str,
    allowed_from: tuple[FitModelStatus, ...],
    to: FitModelStatus,
) -> StoredVersion:
    require(actor.role, Action.MANAGE_FIT_MODELS)
    with store.writer() as s, s.begin():
        row = _find(s, ref)
        stored = _stored(row)
        if row.status not in {st.value for st in allowed_from}:
            raise ValueError(
                f"version {row.id} is {row.status}; only a version that is "
                f"{' or '.join(st.value for st in allowed_from)} can be {to.value}"
            )
        now = utcnow()
        details: dict[str, Any] = {"role": row.role, "id": row.id, "from": row.status}
        if to is FitModelStatus.APPROVED:
            verdict = stored.version.audit_verdict
            if verdict != "pass":
                reason = (
                    "some groups are too few to judge"
                    if verdict == "too_few_to_judge"
                    else "it fails the adverse-impact audit"
                )
                raise ValueError(
                    f"version {row.id} cannot be approved: {reason} (verdict {verdict}); "
                    "collect more self-reported answers or retrain"
                )
            row.approved_by, row.approved_at = actor.username, now
        if to is FitModelStatus.ACTIVE:
            for other in s.scalars(
                select(FitModelVersion).where(
                    FitModelVersion.role == row.role,
                    FitModelVersion.status == FitModelStatus.ACTIVE.value,
                )
            ):
                other.status, other.retired_at = FitModelStatus.RETIRED.value, now
                details["retired"] = other.id
            row.activated_at = now
        if to is FitModelStatus.RETIRED:
            row.retired_at = now
        row.status = to.value
        append_audit(s, actor.username, action, target=row.content_hash, details=details)
        s.flush()
        return _stored(row)


def approve(store: Store, actor: Actor, ref: str) -> StoredVersion:
    """Approve a draft whose audit passed."""
    return _change(
        store, actor, ref, "fit_model_approved", (FitModelStatus.DRAFT,), FitModelStatus.APPROVED
    )


def activate(store: Store, actor: Actor, ref: str) -> StoredVersion:
    """Make an approved (or retired, once approved) version its role's active one."""
    return _change(
        store,
        actor,
        ref,
        "fit_model_activated",
        (FitModelStatus.APPROVED, FitModelStatus.RETIRED),
        FitModelStatus.ACTIVE,
    )


def retire(store: Store, actor: Actor, ref: str) -> StoredVersion:
    return _change(
        store,
        actor,
        ref,
        "fit_model_retired",
        (FitModelStatus.ACTIVE, FitModelStatus.APPROVED),
        FitModelStatus.RETIRED,
    )


def _active(s: Session, role: str | None = None) -> list[StoredVersion]:
    query = select(FitModelVersion).where(FitModelVersion.status == FitModelStatus.ACTIVE.value)
    if role is not None:
        query = query.where(FitModelVersion.role == role)
    rows = s.scalars(query.order_by(FitModelVersion.role)).all()
    active = [_stored(r) for r in rows]
    for version in active:
        # Activation checked this; a row edited behind kiosk's back is refused here too.
        if version.approved_by is None or version.version.audit_verdict != "pass":
            raise ValueError(
                f"version {version.id} is active without an approved, passing audit; "
                "the store was altered (run `kiosk store check`)"
            )
    return active


# -- scoring ----------------------------------------------------------------------------


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)


def score_session(store: Store, actor: Actor, session_id: str) -> list[RoleScore]:
    """The session's fit for every role with an active version (none active: empty)."""
    require(actor.role, Action.MANAGE_FIT_MODELS)
    with store.reader() as s:
        if s.get(AssessmentSession, session_id) is None:
            raise ValueError(f"no session {session_id} on this station")
        active = _active(s)
        values = _session_features(s, [session_id], "all")[session_id]
    if not values:
        raise ValueError(f"session {session_id} has no scores; score it first (`kiosk score`)")
    return [
        RoleScore(v.version.role, v.content_hash, fit.score_version(v.version, values))
        for v in active
    ]


def _station_candidates(
    store: Store, attributes: Sequence[str]
) -> tuple[list[dict[str, float | None]], dict[str, list[str | None]]]:
    with store.reader() as s:
        sessions = _scored_sessions(s)
        chosen = sorted(sessions)
        values = _session_features(s, [sessions[c] for c in chosen], "all")
        answers = _answers(s, chosen)
    rows: list[dict[str, float | None]] = [dict(values[sessions[c]]) for c in chosen]
    groups = {a: [answers[c].get(a) for c in chosen] for a in attributes}
    return rows, groups


def _attributes(version: fit.ModelVersion) -> tuple[str, ...]:
    given = version.record.get("extra", {}).get("attributes")
    return tuple(str(a) for a in given) if given else DEFAULT_ATTRIBUTES


def shadow(
    store: Store, actor: Actor, ref: str
) -> tuple[StoredVersion, StoredVersion | None, fit.ShadowComparison | None]:
    """Compare version ``ref`` with its role's active version on the station's candidates.

    Returns (the version, the active one or None, the comparison or None when no version
    of the role is active).  The candidates are everyone with a scored, completed session.
    """
    require(actor.role, Action.MANAGE_FIT_MODELS)
    with store.reader() as s:
        candidate = _stored(_find(s, ref))
        active = _active(s, candidate.version.role)
    if not active:
        return candidate, None, None
    rows, groups = _station_candidates(store, _attributes(candidate.version))
    if not rows:
        raise ValueError("no candidate on this station has scores to compare the versions on")
    comparison = fit.shadow_compare(active[0].version, candidate.version, rows, groups)
    return candidate, active[0], comparison


def active_model_audit(store: Store, role: str | None = None) -> list[ActiveModelAudit]:
    """The adverse-impact audit of each active model (or ``role``'s), for the analytics view.

    For each active version: the audit stored with it at training, the audit of its
    decisions on the station's candidates now, and per attribute a threshold sweep
    (:func:`scoring.fairness.threshold_sweep`) over their probabilities; a sweep needs
    two groups among the candidates, so an attribute with fewer has none.  Reading only;
    the caller checks who may see it.
    """
    with store.reader() as s:
        active = _active(s, None if role is None else _clean_role(role))
    results: list[ActiveModelAudit] = []
    for stored in active:
        version = stored.version
        attributes = _attributes(version)
        rows, groups = _station_candidates(store, attributes)
        params = version.params
        matrix = [[_number(r.get(n)) for n in params.feature_names] for r in rows]
        probabilities = fit.score_rows(params, matrix) if rows else np.empty(0)
        current = fit.audit_decisions(probabilities >= params.threshold, groups) if rows else ()
        sweeps: dict[str, ThresholdSweep] = {}
        for attribute, labels in groups.items():
            present = [i for i, g in enumerate(labels) if g is not None]
            if len({labels[i] for i in present}) >= 2:
                sweeps[attribute] = threshold_sweep(
                    probabilities[present], [str(labels[i]) for i in present]
                )
        results.append(
            ActiveModelAudit(
                role=version.role,
                version=version.content_hash,
                threshold=params.threshold,
                training_audit=version.record["audit"],
                current=current,
                sweeps=sweeps,
                n_candidates=len(rows),
            )
        )
    return results
