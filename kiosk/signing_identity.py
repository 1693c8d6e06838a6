"""The station's signing identity: a local centre authority, or an imported PKCS#12.

On first use a store gets a centre authority (a self-signed CA) and a station
certificate it issues, with non-repudiation. Both private keys are stored in the
station's settings encrypted (PKCS#8) under a random passphrase kept *outside* the
store, in a file beside it (``NAME.keypass``, mode 0600): a copy of the store alone
does not carry a usable key. Admins export the authority's certificate (PEM) for
anyone who verifies reports, or import an organisation's own PKCS#12 instead.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.models import Station
from reports.pki import (
    Identity,
    create_centre_authority,
    import_pkcs12,
    issue_station_certificate,
)

__all__ = ["centre_certificate_pem", "centre_name", "import_identity", "station_identity"]

DEFAULT_CENTRE = "Assessment Centre"


def _passphrase(store: Store) -> bytes:
    path = Path(f"{store.path}.keypass")
    if path.exists():
        return path.read_bytes().strip()
    secret = secrets.token_urlsafe(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
    return secret


def _settings(store: Store) -> dict[str, Any]:
    return dict(store.station().settings or {})


def _save(store: Store, actor: str, action: str, signing: dict[str, Any]) -> None:
    with store.writer() as s, s.begin():
        station = s.scalars(select(Station).order_by(Station.id)).first()
        assert station is not None
        settings = dict(station.settings or {})
        settings["signing"] = signing
        station.settings = settings
        append_audit(
            s, actor, action, target=station.name, details={"subject": signing.get("subject", "")}
        )


def centre_name(store: Store) -> str:
    return str(_settings(store).get("centre", DEFAULT_CENTRE))


def station_identity(store: Store) -> Identity:
    """The identity reports are signed with; created with a local authority if none."""
    signing = _settings(store).get("signing")
    password = _passphrase(store)
    if signing:
        chain = [c.encode() for c in signing.get("chain", [])]
        return Identity.from_pem(signing["key"].encode(), password, signing["cert"].encode(), chain)
    centre = centre_name(store)
    authority = create_centre_authority(f"{centre} Authority", organisation=centre)
    identity = issue_station_certificate(authority, store.station().name)
    key_pem, cert_pem, chain_pem = identity.to_pem_bundle(password)
    ca_key, ca_cert = authority.to_pem_bundle(password)
    _save(
        store,
        "system",
        "signing_identity_created",
        {
            "key": key_pem.decode(),
            "cert": cert_pem.decode(),
            "chain": [chain_pem.decode()] if chain_pem else [],
            "ca_key": ca_key.decode(),
            "ca_cert": ca_cert.decode(),
            "subject": identity.common_name,
        },
    )
    return identity


def centre_certificate_pem(store: Store) -> bytes | None:
    """The authority verifiers should trust (the imported chain's root if imported)."""
    signing = _settings(store).get("signing")
    if not signing:
        return None
    if signing.get("ca_cert"):
        return str(signing["ca_cert"]).encode()
    chain = signing.get("chain") or []
    return "".join(chain).encode() if chain else None


def import_identity(store: Store, actor: str, data: bytes, passphrase: bytes | None) -> Identity:
    """Use an organisation's PKCS#12 from now on (checked for signing use)."""
    identity = import_pkcs12(data, passphrase)
    password = _passphrase(store)
    key_pem, cert_pem, chain_pem = identity.to_pem_bundle(password)
    chain = [chain_pem.decode()] if chain_pem else []
    _save(
        store,
        actor,
        "signing_identity_imported",
        {
            "key": key_pem.decode(),
            "cert": cert_pem.decode(),
            "chain": chain,
            "subject": identity.common_name,
        },
    )
    return identity
