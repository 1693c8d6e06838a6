"""Administration over HTTP (``/api/v1``): centres, users, enrolment codes, revocation.

Each needs a console token with the admin role; the action is audited. The same
actions are on the command line (``kiosk-server``), for the first centre and admin.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from server import accounts
from server.db.models import Centre, Station
from server.deps import Console, Database, State, require_role
from server.errors import BODY_NOT_JSON, ApiError, error_responses

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["admin"])


class CentreIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    personal_data: bool = False


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    role: Literal["admin", "proctor"]
    password: str | None = Field(default=None, max_length=1000)


class CentreOut(BaseModel):
    id: str
    name: str
    personal_data: bool


class UserOut(BaseModel):
    id: str
    username: str
    centre_id: str
    role: str


class EnrolmentCodeOut(BaseModel):
    code: str = Field(description="one use, shown once")
    centre_id: str
    expires_at: str


class RevokedOut(BaseModel):
    station_id: str
    revoked_at: str


_ADMIN = error_responses(
    401, 403, 422, s401="not signed in, or the sign-in expired", s403="you are not its admin"
)


def _centre(db: Database, centre_id: str) -> Centre:
    centre = db.get(Centre, centre_id)
    if centre is None:
        raise ApiError(404, "centre_not_found", "there is no centre with that id")
    return centre


@router.post(
    "/centres",
    status_code=201,
    responses={
        **_ADMIN,
        **error_responses(400, 409, s400=BODY_NOT_JSON, s409="a centre of that name exists"),
    },
)
def create_centre(payload: CentreIn, principal: Console, db: Database) -> CentreOut:
    """A new centre; an admin of any centre may create one and becomes its admin."""
    require_role(principal, principal.centre_id, "admin")
    centre = accounts.create_centre(db, principal.username, payload.name, payload.personal_data)
    accounts.add_user(db, principal.username, centre, principal.username, "admin", None)
    db.commit()
    return CentreOut(id=centre.id, name=centre.name, personal_data=centre.personal_data)


@router.post(
    "/centres/{centre_id}/users",
    status_code=201,
    responses={**_ADMIN, **error_responses(400, 404, s400=BODY_NOT_JSON, s404="no such centre")},
)
def add_user(centre_id: str, payload: UserIn, principal: Console, db: Database) -> UserOut:
    centre = _centre(db, centre_id)
    require_role(principal, centre.id, "admin")
    user = accounts.add_user(
        db, principal.username, centre, payload.username, payload.role, payload.password
    )
    db.commit()
    return UserOut(id=user.id, username=user.username, centre_id=centre.id, role=payload.role)


@router.post(
    "/centres/{centre_id}/enrolment-codes",
    status_code=201,
    responses={**_ADMIN, **error_responses(404, s404="no such centre")},
)
def create_enrolment_code(centre_id: str, principal: Console, db: Database) -> EnrolmentCodeOut:
    centre = _centre(db, centre_id)
    require_role(principal, centre.id, "admin")
    code, expires = accounts.create_enrolment_code(db, principal.username, centre)
    db.commit()
    return EnrolmentCodeOut(code=code, centre_id=centre.id, expires_at=expires.isoformat())


@router.post(
    "/stations/{station_id}/revoke",
    responses={**_ADMIN, **error_responses(404, s404="your centre has no such station")},
)
def revoke_station(station_id: str, principal: Console, db: Database, state: State) -> RevokedOut:
    station = db.get(Station, station_id)
    if station is None or station.centre_id != principal.centre_id:
        raise ApiError(404, "station_not_found", "your centre has no station with that id")
    require_role(principal, station.centre_id, "admin")
    accounts.revoke_station(db, principal.username, station)
    state.fanout.notify(db, station.id)
    db.commit()
    assert station.revoked_at is not None
    return RevokedOut(
        station_id=station.id, revoked_at=accounts.as_utc(station.revoked_at).isoformat()
    )
