"""Scoped API keys for the systems that consume results (applicant tracking, HR).

A key is ``kk_<id>_<secret>``: ``id`` is public (it names the key in logs and in the
rate limiter), ``secret`` has 256 random bits and only its SHA-256 is stored. A key
belongs to one centre and carries scopes; it is shown once, when it is made.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from typing import Final

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.accounts import as_utc, audit
from server.db.models import UTC, Base, Centre, utcnow
from server.security import secret_digest

__all__ = ["SCOPES", "ApiKey", "KeyPrincipal", "create_api_key", "key_for", "revoke_api_key"]

SCOPES: Final = {
    "sessions:read": "sessions, their status and chain verification",
    "scores:read": "metric and trait scores with their confidence intervals",
    "reports:read": "signed report download and report verification",
    "export:read": "the centre's scores as one flat, paginated export",
}
_PREFIX: Final = "kk"


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTC)


@dataclass(frozen=True)
class KeyPrincipal:
    """Who an integration request acts as: one key of one centre, with its scopes."""

    key_id: str
    centre_id: str
    scopes: frozenset[str]


def create_api_key(
    db: Session, actor: str, centre: Centre, name: str, scopes: list[str]
) -> tuple[str, ApiKey]:
    """A new key for ``centre``; returns ``(the full key, shown once, its row)``."""
    unknown = sorted(set(scopes) - SCOPES.keys())
    if unknown or not scopes:
        raise ValueError(
            f"unknown scope(s) {', '.join(unknown)}: choose from {', '.join(sorted(SCOPES))}"
            if unknown
            else f"a key needs at least one scope: choose from {', '.join(sorted(SCOPES))}"
        )
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = ApiKey(
        id=key_id,
        centre_id=centre.id,
        name=name,
        scopes=sorted(set(scopes)),
        secret_sha256=secret_digest(secret),
        created_by=actor,
    )
    db.add(row)
    audit(db, actor, "api_key_created", key_id, {"centre": centre.name, "scopes": row.scopes})
    return f"{_PREFIX}_{key_id}_{secret}", row


def revoke_api_key(db: Session, actor: str, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit(db, actor, "api_key_revoked", key.id, {})


def parse_key(text: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a key as presented, or None when it is not shaped like one."""
    prefix, _, rest = text.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != _PREFIX or not key_id or not secret:
        return None
    return key_id, secret


def key_for(db: Session, text: str) -> KeyPrincipal | None:
    """The live key ``text`` names, or None (unknown, wrong secret or revoked)."""
    parsed = parse_key(text)
    if parsed is None:
        return None
    key_id, secret = parsed
    row = db.scalar(select(ApiKey).where(ApiKey.id == key_id))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_sha256, secret_digest(secret)):
        return None
    now = utcnow()
    if row.last_used_at is None or now - as_utc(row.last_used_at) > dt.timedelta(minutes=1):
        row.last_used_at = now  # at most once a minute: reads stay cheap
        db.commit()
    return KeyPrincipal(row.id, row.centre_id, frozenset(row.scopes))
