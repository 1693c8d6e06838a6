"""The integration API (``/api/v1``) for applicant-tracking and HR systems.

Authenticated by scoped API keys (:mod:`server.api_keys`), limited per key and per
address (:mod:`server.ratelimit`), paginated by an opaque cursor, and confined to
the key's centre. Every error has the one shape ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from reports.verify import NotSignedPdf, verify_pdf
from server.accounts import as_utc
from server.api_keys import SCOPES, ApiKey, KeyPrincipal, create_api_key, key_for, revoke_api_key
from server.db.models import Candidate, Centre, Flag, Report, Score, SessionChain, SessionRecord
from server.db.models import Station as StationRow
from server.deps import Console, Database, bearer_token, require_role
from server.errors import BODY_NOT_JSON, ApiError, error_responses
from server.ratelimit import RateLimiter, limits_from_env

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["integration"])

MAX_LIMIT = 500
MAX_PDF_BYTES = 20 * 1024 * 1024
_ERRORS = error_responses(
    401,
    403,
    422,
    429,
    s401="no key, or a key that is unknown, revoked or malformed",
    s403="the key lacks the scope this needs",
)
_NOT_FOUND = error_responses(404, s404="your centre has no such session (or report)")
_PAGED = error_responses(400, s400="a cursor this server did not make")
_CONSOLE = error_responses(
    401,
    403,
    404,
    422,
    s401="not signed in, or the sign-in expired",
    s403="you are not an admin of that centre",
)


# -- authentication and limits ---------------------------------------------------------


def limiter_of(request: Request) -> RateLimiter:
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "rate_limiter", None)
    if limiter is None:
        limiter = RateLimiter(limits_from_env())
        state.rate_limiter = limiter
    return limiter


def _too_many(wait: int, who: str) -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        f"too many requests from this {who}: wait {wait} s (Retry-After) and try again",
        headers={"Retry-After": str(wait)},
    )


def api_key(request: Request, db: Database) -> KeyPrincipal:
    limiter = limiter_of(request)
    address = request.client.host if request.client else "unknown"
    wait = limiter.for_address(address)
    if wait:
        raise _too_many(wait, "address")
    text = bearer_token(request)
    principal = key_for(db, text) if text else None
    if principal is None:
        raise ApiError(
            401,
            "invalid_api_key",
            "send Authorization: Bearer kk_<id>_<secret> with a live key of your centre "
            "(an admin makes one: POST /api/v1/centres/{id}/api-keys)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    wait = limiter.for_key(principal.key_id)
    if wait:
        raise _too_many(wait, "key")
    return principal


Key = Annotated[KeyPrincipal, Depends(api_key)]


def need(principal: KeyPrincipal, scope: str) -> None:
    if scope not in principal.scopes:
        raise ApiError(
            403,
            "missing_scope",
            f"this key lacks the scope {scope} ({SCOPES[scope]}); ask an admin for a key with it",
        )


# -- pagination ------------------------------------------------------------------------


class Page(BaseModel):
    next_cursor: str | None = Field(
        description="pass as ?cursor= for the next page; null on the last page"
    )


def _encode_cursor(moment: dt.datetime, *keys: str | int) -> str:
    text = json.dumps([as_utc(moment).isoformat(), *keys])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, keys: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != keys + 1:
            raise ValueError("wrong length")
        moment = dt.datetime.fromisoformat(values[0])
        if moment.tzinfo is None:
            raise ValueError("naive time")
        return [moment, *values[1:]]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            400,
            "bad_cursor",
            "that cursor was not made by this server: use next_cursor from the previous page",
        ) from None


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")]
Cursor = Annotated[str | None, Query(max_length=400, description="next_cursor of a page")]


_Query = TypeVar("_Query", bound=Select)  # type: ignore[type-arg]


def _page(query: _Query, order: list[Any], cursor: str | None, limit: int) -> _Query:
    """``query`` ordered by last change (``order[0]``) then its keys, from after
    ``cursor``: a row changed while a client pages comes again on a later page, so
    polling with the last cursor misses nothing."""
    if cursor is not None:
        values = _decode_cursor(cursor, len(order) - 1)
        query = query.where(tuple_(*order) > tuple_(*values))
    return query.order_by(*order).limit(limit + 1)


# -- sessions --------------------------------------------------------------------------


class SessionOut(BaseModel):
    id: str
    station_id: str
    candidate_pseudonym: str | None
    status: str | None
    battery: str | None
    created_at: str | None
    started_at: str | None
    ended_at: str | None
    void_reason: str | None
    events_verified_through: int = Field(description="the last event seq the server verified")
    chain_broken: bool
    flags: list[str] = Field(description="codes of problems found when verifying its data")
    updated_at: str


class SessionPage(Page):
    items: list[SessionOut]


def _centre_sessions(principal: KeyPrincipal) -> Select[Any]:
    return (
        select(SessionRecord)
        .join(StationRow, StationRow.id == SessionRecord.station_id)
        .where(StationRow.centre_id == principal.centre_id)
    )


def _session_out(db: Session, record: SessionRecord) -> SessionOut:
    data = record.data or {}
    candidate = (
        db.get(Candidate, (record.station_id, record.candidate_id))
        if record.candidate_id is not None
        else None
    )
    chain = db.get(SessionChain, record.id)
    flags = db.scalars(select(Flag.code).where(Flag.session_id == record.id)).all()
    battery = data.get("battery")
    return SessionOut(
        id=record.id,
        station_id=record.station_id,
        candidate_pseudonym=candidate.pseudonym if candidate else None,
        status=record.status,
        battery=str(battery) if battery is not None else None,
        created_at=data.get("created_at"),
        started_at=data.get("started_at"),
        ended_at=data.get("ended_at"),
        void_reason=data.get("void_reason"),
        events_verified_through=chain.head_seq if chain else 0,
        chain_broken=bool(chain and chain.broken),
        flags=sorted(set(flags)),
        updated_at=as_utc(record.updated_at).isoformat(),
    )


@router.get("/sessions", responses={**_ERRORS, **_PAGED})
def list_sessions(
    principal: Key,
    db: Database,
    limit: Limit = 100,
    cursor: Cursor = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> SessionPage:
    """The centre's sessions, oldest change first (``sessions:read``)."""
    need(principal, "sessions:read")
    query = _centre_sessions(principal)
    if status is not None:
        query = query.where(SessionRecord.status == status)
    rows = db.scalars(
        _page(query, [SessionRecord.updated_at, SessionRecord.id], cursor, limit)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor(rows[-1].updated_at, rows[-1].id) if more else None
    return SessionPage(items=[_session_out(db, r) for r in rows], next_cursor=next_cursor)


def _session(db: Session, principal: KeyPrincipal, session_id: str) -> SessionRecord:
    record: SessionRecord | None = db.scalar(
        _centre_sessions(principal).where(SessionRecord.id == session_id)
    )
    if record is None:
        raise ApiError(404, "session_not_found", "your centre has no session with that id")
    return record


@router.get("/sessions/{session_id}", responses={**_ERRORS, **_NOT_FOUND})
def get_session(session_id: str, principal: Key, db: Database) -> SessionOut:
    """One session (``sessions:read``)."""
    need(principal, "sessions:read")
    return _session_out(db, _session(db, principal, session_id))


# -- scores and traits -----------------------------------------------------------------


class ScoreOut(BaseModel):
    scope: str = Field(description="metric or trait")
    name: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    percentile: float | None
    n: int | None
    flags: dict[str, Any]
    scoring_version: str | None
    norm_version: str | None


class ScoresOut(BaseModel):
    session_id: str
    items: list[ScoreOut]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _score_out(row: Score) -> ScoreOut:
    data = row.data or {}
    n = data.get("n")
    flags = data.get("flags")
    return ScoreOut(
        scope=str(data.get("scope", "")),
        name=str(data.get("name", "")),
        value=_number(data.get("value")),
        ci_low=_number(data.get("ci_low")),
        ci_high=_number(data.get("ci_high")),
        percentile=_number(data.get("percentile")),
        n=int(n) if isinstance(n, int) else None,
        flags=flags if isinstance(flags, dict) else {},
        scoring_version=data.get("scoring_version"),
        norm_version=data.get("norm_version"),
    )


def _scores(db: Session, record: SessionRecord, scope: str | None) -> list[ScoreOut]:
    rows = db.scalars(
        select(Score)
        .where(Score.station_id == record.station_id, Score.session_id == record.id)
        .order_by(Score.local_id)
    ).all()
    items = [_score_out(r) for r in rows]
    return [s for s in items if scope is None or s.scope == scope]


@router.get("/sessions/{session_id}/scores", responses={**_ERRORS, **_NOT_FOUND})
def get_scores(session_id: str, principal: Key, db: Database) -> ScoresOut:
    """Every metric and trait of a session, with CIs and percentiles (``scores:read``)."""
    need(principal, "scores:read")
    record = _session(db, principal, session_id)
    return ScoresOut(session_id=record.id, items=_scores(db, record, None))


@router.get("/sessions/{session_id}/traits", responses={**_ERRORS, **_NOT_FOUND})
def get_traits(session_id: str, principal: Key, db: Database) -> ScoresOut:
    """The session's traits only (``scores:read``)."""
    need(principal, "scores:read")
    record = _session(db, principal, session_id)
    return ScoresOut(session_id=record.id, items=_scores(db, record, "trait"))


# -- reports ---------------------------------------------------------------------------


def _latest_report(db: Session, record: SessionRecord) -> Report | None:
    return db.scalar(
        select(Report)
        .where(Report.station_id == record.station_id, Report.session_id == record.id)
        .where(Report.pdf.is_not(None))
        .order_by(Report.local_id.desc())
        .limit(1)
    )


@router.get(
    "/sessions/{session_id}/report",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the signed PDF"},
        **_ERRORS,
        **_NOT_FOUND,
    },
)
def get_report(session_id: str, principal: Key, db: Database) -> Response:
    """The session's newest signed report, as the station signed it (``reports:read``)."""
    need(principal, "reports:read")
    record = _session(db, principal, session_id)
    report = _latest_report(db, record)
    if report is None or report.pdf is None:
        raise ApiError(404, "report_not_found", "no report of that session has reached the server")
    name = str((report.data or {}).get("file_name") or f"{record.id}.pdf")
    safe = "".join(c for c in name if c.isalnum() or c in "._-") or "report.pdf"
    return Response(
        report.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "X-Report-SHA256": report.pdf_sha256 or "",
        },
    )


class VerificationOut(BaseModel):
    valid: bool = Field(description="signed, intact, whole file covered and trusted")
    intact: bool
    trusted: bool = Field(description="signed by a station enrolled in your centre")
    signer: str | None
    signed_at: str | None
    problems: list[str]
    known: bool = Field(description="this exact file reached the server from a station")
    session_id: str | None
    station_id: str | None
    sha256: str


@router.post(
    "/reports/verify",
    responses={**_ERRORS, **error_responses(413, 415)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def verify_report(request: Request, principal: Key, db: Database) -> VerificationOut:
    """Check a report file: its signature against your centre's stations, and whether
    this exact file is one the server holds (``reports:read``)."""
    need(principal, "reports:read")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/pdf":
        raise ApiError(
            415, "not_a_pdf", "send the report's bytes with Content-Type: application/pdf"
        )
    data = await request.body()
    if len(data) > MAX_PDF_BYTES:
        raise ApiError(413, "too_large", f"a report is at most {MAX_PDF_BYTES // 2**20} MiB")
    return await run_in_threadpool(_verify, db, principal, data)


def _verify(db: Session, principal: KeyPrincipal, data: bytes) -> VerificationOut:
    digest = hashlib.sha256(data).hexdigest()
    stations = db.scalars(
        select(StationRow).where(StationRow.centre_id == principal.centre_id)
    ).all()
    known = db.scalar(
        select(Report)
        .where(Report.pdf_sha256 == digest)
        .where(Report.station_id.in_([s.id for s in stations]))
        .limit(1)
    )
    try:
        verdict = verify_pdf(data, _trust_roots(data, stations))
    except NotSignedPdf as exc:
        return VerificationOut(
            valid=False,
            intact=False,
            trusted=False,
            signer=None,
            signed_at=None,
            problems=[str(exc)],
            known=known is not None,
            session_id=known.session_id if known else None,
            station_id=known.station_id if known else None,
            sha256=digest,
        )
    return VerificationOut(
        valid=verdict.valid,
        intact=verdict.intact,
        trusted=verdict.trusted,
        signer=verdict.signer,
        signed_at=verdict.signed_at.isoformat() if verdict.signed_at else None,
        problems=list(verdict.problems),
        known=known is not None,
        session_id=known.session_id if known else None,
        station_id=known.station_id if known else None,
        sha256=digest,
    )


def _trust_roots(data: bytes, stations: Sequence[StationRow]) -> list[bytes]:
    """The anchors to validate ``data``'s signatures with: for each signature whose
    signer certificate is one of the centre's enrolled stations', that certificate's
    issuer as embedded (or the certificate itself when it issued itself). A signature by
    any other key finds no anchor here and is reported untrusted."""
    enrolled = {s.fingerprint for s in stations}
    roots: list[bytes] = []
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError):
        return roots  # verify_pdf says what is wrong with the file
    for signature in signatures:
        signer = x509.load_der_x509_certificate(signature.signer_cert.dump())
        if signer.fingerprint(hashes.SHA256()).hex() not in enrolled:
            continue
        embedded = [
            x509.load_der_x509_certificate(c.dump()) for c in signature.other_embedded_certs
        ]
        issuers = [c for c in embedded if _issued(signer, c)] or [signer]
        roots += [c.public_bytes(Encoding.PEM) for c in issuers]
    return roots


def _issued(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


# -- export ----------------------------------------------------------------------------


class ExportRow(BaseModel):
    session_id: str
    station_id: str
    candidate_pseudonym: str | None
    session_status: str | None
    score: ScoreOut


class ExportPage(Page):
    items: list[ExportRow]


@router.get("/export/scores", responses={**_ERRORS, **_PAGED})
def export_scores(
    principal: Key, db: Database, limit: Limit = 500, cursor: Cursor = None
) -> ExportPage:
    """Every score of the centre as flat rows, by last change (``export:read``)."""
    need(principal, "export:read")
    query = (
        select(Score, SessionRecord)
        .join(SessionRecord, SessionRecord.id == Score.session_id)
        .join(StationRow, StationRow.id == Score.station_id)
        .where(StationRow.centre_id == principal.centre_id)
    )
    order = [Score.updated_at, Score.station_id, Score.local_id]
    rows = db.execute(_page(query, order, cursor, limit)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    pseudonyms: dict[tuple[str, int], str | None] = {}
    for score, record in rows:
        ident = (record.station_id, record.candidate_id or -1)
        if ident not in pseudonyms:
            candidate = db.get(Candidate, ident) if record.candidate_id is not None else None
            pseudonyms[ident] = candidate.pseudonym if candidate else None
        items.append(
            ExportRow(
                session_id=record.id,
                station_id=record.station_id,
                candidate_pseudonym=pseudonyms[ident],
                session_status=record.status,
                score=_score_out(score),
            )
        )
    last = rows[-1][0] if rows else None
    next_cursor = (
        _encode_cursor(last.updated_at, last.station_id, last.local_id)
        if more and last is not None
        else None
    )
    return ExportPage(items=items, next_cursor=next_cursor)


# -- managing keys (a centre admin, signed in) -----------------------------------------


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    scopes: list[str] = Field(min_length=1, max_length=len(SCOPES))


class ApiKeyOut(BaseModel):
    id: str
    name: str
    centre_id: str
    scopes: list[str]
    created_at: str
    revoked_at: str | None
    key: str | None = Field(default=None, description="the full key: shown once, at creation")


def _key_out(row: ApiKey, full: str | None = None) -> ApiKeyOut:
    return ApiKeyOut(
        id=row.id,
        name=row.name,
        centre_id=row.centre_id,
        scopes=list(row.scopes),
        created_at=as_utc(row.created_at).isoformat(),
        revoked_at=as_utc(row.revoked_at).isoformat() if row.revoked_at else None,
        key=full,
    )


@router.post(
    "/centres/{centre_id}/api-keys",
    status_code=201,
    responses={**_CONSOLE, **error_responses(400, s400=BODY_NOT_JSON)},
)
def create_key(centre_id: str, payload: ApiKeyIn, principal: Console, db: Database) -> ApiKeyOut:
    """A new API key for the centre (admin); the full key is in this answer only."""
    centre = db.get(Centre, centre_id)
    if centre is None or centre.id != principal.centre_id:
        raise ApiError(404, "centre_not_found", "you are signed in to no centre with that id")
    require_role(principal, centre.id, "admin")
    try:
        full, row = create_api_key(db, principal.username, centre, payload.name, payload.scopes)
    except ValueError as exc:
        raise ApiError(422, "invalid_scope", str(exc)) from None
    db.commit()
    return _key_out(row, full)


@router.post("/api-keys/{key_id}/revoke", responses=_CONSOLE)
def revoke_key(key_id: str, principal: Console, db: Database) -> ApiKeyOut:
    """Revoke a key at once (admin of its centre)."""
    row = db.get(ApiKey, key_id)
    if row is None or row.centre_id != principal.centre_id:
        raise ApiError(404, "api_key_not_found", "your centre has no API key with that id")
    require_role(principal, row.centre_id, "admin")
    revoke_api_key(db, principal.username, row)
    db.commit()
    return _key_out(row)
