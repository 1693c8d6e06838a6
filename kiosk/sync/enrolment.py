"""Enrolling the station with a centre server, and what enrolment left in its settings.

``kiosk sync enrol URL CODE`` (or the admin screen) posts the station's certificate and
a one-time code to ``URL/sync/v1/enrol`` (see ``server/PROTOCOL.md``). The answer is
kept in the station settings under ``sync`` as ``{url, station_id, centre_id,
centre_name, personal_data, heartbeat_s}`` and audited as ``sync_enrolled``.
Enrolling again (``replace=True``) starts afresh: the new server gets the whole history
from batch 1, so the outbox is emptied in the same transaction.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from sqlalchemy import delete, select

from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.models import OutboxItem, Station
from kiosk.sync.outbox import OUTBOX_KINDS
from kiosk.sync.settings import (
    DEFAULT_HEARTBEAT_S,
    SETTINGS_KEY,
    SyncSettings,
    sync_settings,
)
from server.protocol import PROTOCOL_VERSION, canonical_json

__all__ = [
    "DEFAULT_HEARTBEAT_S",
    "CodeRefused",
    "EnrolmentError",
    "SyncSettings",
    "check_url",
    "enrol",
    "sync_settings",
]


class EnrolmentError(Exception):
    """Enrolment did not happen; the message says what was wrong and what to do."""


class CodeRefused(EnrolmentError):
    """The server refused the code (used, expired or unknown)."""


def check_url(url: str) -> str:
    """The server's base URL without a trailing slash; ValueError names what is wrong."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{url!r} is not a server address; give one like https://kiosk.example.org"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{url!r} has a query or fragment; give the server's base address only")
    return url.rstrip("/")


_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,63}$")


def _check_code(code: str) -> str:
    code = re.sub(r"\s+", "", code).upper()
    if not _CODE.match(code):
        raise ValueError(
            "that is not an enrolment code; codes look like K7QF-2M9X-... (ask the centre "
            "admin for a new one with `kiosk-server enrol-code`)"
        )
    return code


def _server_message(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error") or {}
        return str(error.get("code", "")), str(error.get("message", ""))
    except (ValueError, AttributeError):
        return "", ""


def enrol(
    store: Store,
    actor: Actor,
    url: str,
    code: str,
    *,
    replace: bool = False,
    transport: httpx.BaseTransport | None = None,
    timeout_s: float = 15.0,
) -> SyncSettings:
    """Enrol with the server at ``url`` using a one-time ``code``; keep and audit the result.

    Raises ``ValueError`` for a bad address or code (nothing sent), :class:`EnrolmentError`
    when the server cannot be reached or refuses, ``PermissionError`` for a role that may
    not change the station's settings.
    """
    from kiosk.trust.keys import station_identity, store_id

    require(actor.role, Action.STATION_SETTINGS)
    base = check_url(url)
    code = _check_code(code)
    current = sync_settings(store)
    if current is not None and not replace:
        raise ValueError(
            f"this station is already enrolled with {current.url} (centre "
            f"{current.centre_name!r}, station {current.station_id}); to enrol anew, and "
            "send the whole history to the new server, ask to replace the enrolment"
        )
    identity = station_identity(store)
    request = {
        "protocol": PROTOCOL_VERSION,
        "code": code,
        "name": store.station().name,
        "store_id": store_id(store),
        "certificate_pem": identity.certificate.public_bytes(serialization.Encoding.PEM).decode(),
    }
    try:
        with httpx.Client(transport=transport, timeout=timeout_s) as client:
            response = client.post(
                f"{base}/sync/v1/enrol",
                content=canonical_json(request),
                headers={"Content-Type": "application/json"},
            )
    except httpx.HTTPError as exc:
        raise EnrolmentError(
            f"cannot reach {base} ({exc.__class__.__name__}: {exc}); check the address and "
            "the network, then try again (nothing was changed)"
        ) from None
    if response.status_code != 201:
        what, message = _server_message(response)
        if what == "enrolment_code_invalid" or response.status_code == 403:
            raise CodeRefused(
                f"the server refused the code: {message or 'used, expired or unknown'}; ask "
                "the centre admin for a new code (nothing was changed)"
            )
        raise EnrolmentError(
            f"{base} answered {response.status_code}"
            + (f" ({what}: {message})" if what else "")
            + "; is this the centre server's address? (nothing was changed)"
        )
    try:
        answer = response.json()
        settings = SyncSettings(
            url=base,
            station_id=str(answer["station_id"]),
            centre_id=str(answer["centre_id"]),
            centre_name=str(answer.get("centre_name", "")),
            personal_data=bool(answer.get("personal_data", False)),
            heartbeat_s=float(answer.get("heartbeat_s", DEFAULT_HEARTBEAT_S)),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise EnrolmentError(
            f"{base} did not answer as a kiosk centre server; check the address "
            "(nothing was changed)"
        ) from None
    if not settings.station_id or settings.heartbeat_s <= 0:
        raise EnrolmentError(f"{base} gave no usable station id; nothing was changed")
    with store.writer() as s, s.begin():
        station = s.scalars(select(Station).order_by(Station.id)).first()
        if station is None:
            raise ValueError(f"{store.path} has no station row; run `kiosk store check`")
        kept = dict(station.settings or {})
        kept[SETTINGS_KEY] = settings.as_dict()
        station.settings = kept
        if current is not None:
            # A new server knows nothing yet: batches restart at 1 from the beginning.
            s.execute(delete(OutboxItem).where(OutboxItem.kind.in_(OUTBOX_KINDS)))
        append_audit(
            s,
            actor.username,
            "sync_enrolled",
            target=settings.station_id,
            details={
                "url": base,
                "centre_id": settings.centre_id,
                "centre_name": settings.centre_name,
                "personal_data": settings.personal_data,
                "replaced": None if current is None else current.station_id,
            },
        )
    return settings
