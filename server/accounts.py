"""Centres, people, enrolment codes, sign-in tokens and revocation: the server's
administrative actions, shared by the CLI and the admin endpoints. Each writes an
entry to the server's audit log in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db.models import (
    AuthToken,
    Centre,
    EnrolmentCode,
    Membership,
    ServerAudit,
    Station,
    User,
    utcnow,
)
from server.errors import ApiError
from server.security import (
    hash_password,
    new_enrolment_code,
    new_token,
    normalise_code,
    secret_digest,
    verify_password,
)

__all__ = [
    "ENROLMENT_CODE_TTL",
    "ROLES",
    "TOKEN_TTL",
    "Principal",
    "add_user",
    "as_utc",
    "audit",
    "centre_by_name",
    "claim_enrolment_code",
    "create_centre",
    "create_enrolment_code",
    "issue_token",
    "principal_for_token",
    "revoke_station",
    "user_exists",
]

ROLES: Final = ("admin", "proctor")
ENROLMENT_CODE_TTL: Final = dt.timedelta(hours=24)
TOKEN_TTL: Final = dt.timedelta(hours=12)


@dataclass(frozen=True)
class Principal:
    """Who a console request acts as: a user, in one centre, with one role there."""

    user_id: str
    username: str
    centre_id: str
    role: str


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; everything the server stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def audit(
    db: Session,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    db.add(ServerAudit(actor=actor, action=action, target=target, details=details or {}))


def centre_by_name(db: Session, name: str) -> Centre:
    centre = db.scalars(select(Centre).where(Centre.name == name)).first()
    if centre is None:
        raise ApiError(
            404, "centre_not_found", f"there is no centre named {name!r}: check its name"
        )
    return centre


def user_exists(db: Session, username: str) -> bool:
    return db.scalars(select(User.id).where(User.username == username.strip())).first() is not None


def create_centre(db: Session, actor: str, name: str, personal_data: bool = False) -> Centre:
    name = name.strip()
    if not name:
        raise ApiError(422, "invalid_name", "a centre needs a name")
    if db.scalars(select(Centre).where(Centre.name == name)).first() is not None:
        raise ApiError(409, "centre_exists", f"a centre named {name!r} exists already")
    centre = Centre(name=name, personal_data=personal_data)
    db.add(centre)
    db.flush()
    audit(db, actor, "centre_created", centre.id, {"name": name, "personal_data": personal_data})
    return centre


def add_user(
    db: Session, actor: str, centre: Centre, username: str, role: str, password: str | None
) -> User:
    """Give ``username`` ``role`` in ``centre``, creating the user (with ``password``)
    when they are new. A user's password is set once here; a known user keeps theirs."""
    if role not in ROLES:
        raise ApiError(422, "invalid_role", f"role must be one of {', '.join(ROLES)}, not {role!r}")
    username = username.strip()
    if not username:
        raise ApiError(422, "invalid_name", "a user needs a name")
    user = db.scalars(select(User).where(User.username == username)).first()
    if user is None:
        if not password:
            raise ApiError(422, "password_required", f"{username!r} is new: give a password")
        if len(password) < 8:
            raise ApiError(422, "password_too_short", "a password needs at least 8 characters")
        user = User(username=username, password_hash=hash_password(password))
        db.add(user)
        db.flush()
        audit(db, actor, "user_created", user.id, {"username": username})
    membership = db.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.centre_id == centre.id)
    ).first()
    if membership is None:
        db.add(Membership(user_id=user.id, centre_id=centre.id, role=role))
    else:
        membership.role = role
    audit(db, actor, "role_granted", user.id, {"centre": centre.name, "role": role})
    return user


def create_enrolment_code(db: Session, actor: str, centre: Centre) -> tuple[str, dt.datetime]:
    """A new one-time code for ``centre`` and when it expires; only its digest is kept."""
    code = new_enrolment_code()
    expires = utcnow() + ENROLMENT_CODE_TTL
    db.add(
        EnrolmentCode(
            code_sha256=secret_digest(code),
            centre_id=centre.id,
            created_by=actor,
            expires_at=expires,
        )
    )
    audit(db, actor, "enrolment_code_created", centre.id, {"expires_at": expires.isoformat()})
    return code, expires


def claim_enrolment_code(db: Session, code: str, station_id: str) -> Centre:
    """Use ``code`` up for ``station_id`` (one atomic update), or refuse it with 403."""
    digest = secret_digest(normalise_code(code))
    now = utcnow()
    claimed = db.execute(
        update(EnrolmentCode)
        .where(
            EnrolmentCode.code_sha256 == digest,
            EnrolmentCode.used_at.is_(None),
            EnrolmentCode.expires_at > now,
        )
        .values(used_at=now, station_id=station_id)
        .returning(EnrolmentCode.centre_id)
    ).first()
    if claimed is None:
        raise ApiError(
            403,
            "enrolment_code_invalid",
            "this enrolment code is unknown, used or expired: ask the centre's admin "
            "for a new one (kiosk-server enrol-code --centre NAME)",
        )
    centre = db.get(Centre, claimed[0])
    assert centre is not None
    return centre


def issue_token(
    db: Session, username: str, password: str, centre_name: str
) -> tuple[str, dt.datetime, Principal]:
    user = db.scalars(select(User).where(User.username == username)).first()
    ok = verify_password(user.password_hash if user else None, password)
    centre = db.scalars(select(Centre).where(Centre.name == centre_name)).first()
    membership = (
        db.scalars(
            select(Membership).where(
                Membership.user_id == user.id, Membership.centre_id == centre.id
            )
        ).first()
        if user is not None and centre is not None
        else None
    )
    if not ok or user is None or not user.active or membership is None or centre is None:
        raise ApiError(
            401,
            "bad_credentials",
            "wrong user name, password or centre: check them (a user signs in to a centre "
            "where they have a role)",
        )
    token = new_token()
    expires = utcnow() + TOKEN_TTL
    db.add(
        AuthToken(
            token_sha256=secret_digest(token),
            user_id=user.id,
            centre_id=centre.id,
            role=membership.role,
            expires_at=expires,
        )
    )
    audit(db, username, "signed_in", user.id, {"centre": centre.name, "role": membership.role})
    principal = Principal(user.id, user.username, centre.id, membership.role)
    return token, expires, principal


def principal_for_token(db: Session, token: str) -> Principal | None:
    row = db.execute(
        select(AuthToken, User)
        .join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_sha256 == secret_digest(token))
    ).first()
    if row is None:
        return None
    stored, user = row
    if as_utc(stored.expires_at) <= utcnow() or not user.active:
        return None
    return Principal(user.id, user.username, stored.centre_id, stored.role)


def revoke_station(db: Session, actor: str, station: Station) -> None:
    if station.revoked_at is None:
        station.revoked_at = utcnow()
        audit(db, actor, "station_revoked", station.id, {"name": station.name})
