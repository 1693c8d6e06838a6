"""The station key: unlocking it, signing the audit log with it, and which keys to trust.

On a store's first unlock a centre authority is created, issues the station's
certificate, and its private key is thrown away at once: no station holds an
authority key, so nobody with a station's files can issue a "rogue" certificate.
(An organisation that wants one authority for many stations imports its own PKCS#12
per station with ``kiosk signing import``.) The station's private key is stored
encrypted in the station settings; its passphrase comes from the key folder
(:mod:`kiosk.trust.vault`), never from beside the store.

Stores written by older versions kept the passphrase beside the store
(``NAME.keypass``) and the authority's key in the settings: the first unlock moves the
passphrase into the key folder, deletes the file, drops the authority key from the
settings (audited) and seals every row as it then stands (the *baseline*). A key
whose passphrase ever lay beside the store should be replaced by importing a new
identity.

Every certificate the station has signed with stays in ``signing.certs`` and every
authority it has trusted in ``signing.anchors``, so reports and audit entries signed
before an import still verify. Which of them are really this station's is decided by
the fingerprints pinned in the key folder, not by what the (editable) store says.
"""

from __future__ import annotations

import base64
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from sqlalchemy import select

from kiosk.store import Store
from kiosk.store import seals as _seals
from kiosk.store.audit import append_audit, set_signer
from kiosk.store.models import AuditEntry, Station
from kiosk.trust.vault import KeyLocked, Vault, key_source
from reports.pki import (
    Identity,
    create_centre_authority,
    import_pkcs12,
    issue_station_certificate,
)

__all__ = [
    "DEFAULT_CENTRE",
    "KeyLocked",
    "StationSigner",
    "centre_certificate_pem",
    "centre_name",
    "fingerprint",
    "holds_real_data",
    "import_identity",
    "is_demo_session",
    "is_demo_store",
    "known_certificates",
    "mark_demo_store",
    "station_identity",
    "unlock_store",
    "vault_of",
    "verify_signature",
]

DEFAULT_CENTRE = "Assessment Centre"
_LOCK = threading.Lock()
# Unlocked identities by store id; the key stays in this process's memory only.
_UNLOCKED: dict[str, Identity] = {}


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _settings(store: Store) -> dict[str, Any]:
    return dict(store.station().settings or {})


def centre_name(store: Store) -> str:
    return str(_settings(store).get("centre", DEFAULT_CENTRE))


def is_demo_store(store: Store) -> bool:
    """A store made by ``kiosk demo`` for simulated candidates: its reports say DEMO."""
    return _settings(store).get("purpose") == "demo"


def mark_demo_store(store: Store) -> None:
    _update_settings(store, "system", "demo_store_marked", {"purpose": "demo"})


def holds_real_data(store: Store) -> bool:
    """Whether the store has users or candidates (a demo store's own excepted)."""
    from sqlalchemy import func

    from kiosk.store.models import Candidate, User

    with store.reader() as s:
        users = s.scalar(select(func.count()).select_from(User)) or 0
        candidates = s.scalar(select(func.count()).select_from(Candidate)) or 0
    return bool(users or candidates)


def is_demo_session(store: Store, session_id: str) -> bool:
    """A session a demo bot played: on a demo store, or checked in by the demo."""
    if is_demo_store(store):
        return True
    with store.reader() as s:
        return (
            s.scalar(
                select(AuditEntry.seq)
                .where(AuditEntry.target == session_id, AuditEntry.actor == "demo")
                .limit(1)
            )
            is not None
        )


def _update_settings(store: Store, actor: str, action: str, changes: dict[str, Any]) -> None:
    with store.writer() as s, s.begin():
        station = s.scalars(select(Station).order_by(Station.id)).first()
        assert station is not None
        settings = dict(station.settings or {})
        for key, value in changes.items():
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = value
        station.settings = settings
        if action:
            subject = (changes.get("signing") or {}).get("subject", "")
            append_audit(s, actor, action, target=station.name, details={"subject": subject})


def store_id(store: Store) -> str:
    existing = _settings(store).get("store_id")
    if existing:
        return str(existing)
    import uuid

    new = uuid.uuid4().hex
    _update_settings(store, "system", "", {"store_id": new})
    return new


def vault_of(store: Store) -> Vault:
    return Vault.of(store.path, store_id(store))


@dataclass
class StationSigner:
    """Signs audit entries with the station key and anchors the audit head outside."""

    identity: Identity
    vault: Vault
    store_path: Path

    @property
    def key_id(self) -> str:
        return fingerprint(self.identity.certificate)

    def sign(self, digest: bytes) -> str:
        key = self.identity.private_key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            raw = key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        else:
            raw = key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        return base64.b64encode(raw).decode()

    def record_head(self, seq: int, digest: str) -> None:
        # Make the commit durable first: an anchor ahead of a commit lost in a power cut
        # would look like deleted entries.
        wal = Path(f"{self.store_path}-wal")
        target = wal if wal.exists() else self.store_path
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        self.vault.record_head(seq, digest)


def verify_signature(cert: x509.Certificate, digest: bytes, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        public = cert.public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(raw, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        elif isinstance(public, rsa.RSAPublicKey):
            public.verify(raw, digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def known_certificates(store: Store) -> tuple[dict[str, x509.Certificate], list[x509.Certificate]]:
    """``(station certificates by fingerprint, authorities)`` the store names."""
    signing = _settings(store).get("signing") or {}
    certs: dict[str, x509.Certificate] = {}
    for pem in [signing.get("cert", ""), *signing.get("certs", [])]:
        for cert in x509.load_pem_x509_certificates(pem.encode()) if pem else []:
            certs[fingerprint(cert)] = cert
    anchors: list[x509.Certificate] = []
    for pem in [*signing.get("anchors", []), signing.get("ca_cert", "")]:
        anchors.extend(x509.load_pem_x509_certificates(pem.encode()) if pem else [])
    return certs, anchors


def _move_passphrase(store: Store, vault: Vault) -> None:
    """Move a passphrase kept beside the store (older versions) into the key folder."""
    beside = Path(f"{store.path}.keypass")
    if beside.exists():
        if vault.passphrase() is None:
            vault.new_passphrase(beside.read_bytes().strip())
        beside.unlink()


def _drop_authority_key(store: Store) -> None:
    """Older versions kept the authority's private key in the store: drop it (signed)."""
    signing = _settings(store).get("signing")
    if signing and "ca_key" in signing:
        kept = {k: v for k, v in signing.items() if k not in ("ca_key", "ca_cert")}
        kept.setdefault("anchors", [signing["ca_cert"]] if signing.get("ca_cert") else [])
        kept.setdefault("certs", [signing["cert"]])
        _update_settings(store, "system", "authority_key_removed", {"signing": kept})


def _create(store: Store, vault: Vault) -> Identity:
    centre = centre_name(store)
    authority = create_centre_authority(f"{centre} Authority", organisation=centre)
    identity = issue_station_certificate(authority, store.station().name)
    # The authority's key is not kept: it has issued the one certificate it had to.
    del authority
    password = vault.passphrase() or vault.new_passphrase()  # "prompt": the typed one
    key_pem, cert_pem, chain_pem = identity.to_pem_bundle(password)
    signing = {
        "key": key_pem.decode(),
        "cert": cert_pem.decode(),
        "chain": [chain_pem.decode()] if chain_pem else [],
        "certs": [cert_pem.decode()],
        "anchors": [chain_pem.decode()],
        "subject": identity.common_name,
    }
    vault.pin(
        certs=[fingerprint(identity.certificate)],
        anchors=[fingerprint(c) for c in identity.chain],
    )
    # The new key signs its own creation (and vouches for what the store held before).
    set_signer(str(store.engine.url), StationSigner(identity, vault, store.path))
    _update_settings(store, "system", "signing_identity_created", {"signing": signing})
    return identity


def _baseline(store: Store, vault: Vault) -> None:
    """Seal every row of a store this machine has never signed for, as it stands (once).

    Only when the key folder has no record of this store's audit log: a store whose
    signatures were stripped after the station signed it is not vouched for anew.
    """
    if vault.head() is not None:
        return
    with store.writer() as s, s.begin():
        conn = s.connection()
        rows = sorted([t, k, d] for (t, k), d in _seals.all_digests(conn).items())
        s.info["kiosk_sealing"] = True
        try:
            append_audit(s, "system", "baseline", details={"seals": rows})
        finally:
            s.info.pop("kiosk_sealing", None)


def unlock_store(store: Store, *, create: bool = True) -> Identity:
    """Unlock the station key for this process; create it on a store that has none.

    Raises :class:`KeyLocked` (with what to do) when the passphrase is not available.
    """
    with _LOCK:
        vault = vault_of(store)
        known = _UNLOCKED.get(vault.store_id)
        if known is not None:
            set_signer(str(store.engine.url), StationSigner(known, vault, store.path))
            return known
        _move_passphrase(store, vault)
        signing = _settings(store).get("signing")
        if not signing:
            if not create:
                raise KeyLocked(f"{store.path} has no station key yet")
            identity = _create(store, vault)
        else:
            password = vault.passphrase()
            if password is None:
                raise KeyLocked(
                    f"the station key of {store.path} is locked: its passphrase is not in the "
                    f"key folder {vault.folder} (key source {key_source()}); run this on the "
                    "station that holds it, or type the passphrase when asked"
                )
            chain = [c.encode() for c in signing.get("chain", [])]
            try:
                identity = Identity.from_pem(
                    signing["key"].encode(), password, signing["cert"].encode(), chain
                )
            except ValueError as exc:
                raise KeyLocked(f"cannot unlock the station key of {store.path}: {exc}") from None
            if not vault.pinned_certs():
                # First unlock of a store written before pins: trust what it holds now.
                certs, anchors = known_certificates(store)
                vault.pin(certs=certs, anchors=[fingerprint(a) for a in anchors])
        _UNLOCKED[vault.store_id] = identity
        set_signer(str(store.engine.url), StationSigner(identity, vault, store.path))
    _baseline(store, vault)
    _drop_authority_key(store)
    return identity


def forget(store: Store) -> None:
    """Lock the key again in this process (tests, and after a store is closed for good)."""
    with _LOCK:
        _UNLOCKED.pop(store_id(store), None)
        set_signer(str(store.engine.url), None)


def station_identity(store: Store) -> Identity:
    """The identity reports are signed with (unlocking it if it can be)."""
    return unlock_store(store)


def centre_certificate_pem(store: Store) -> bytes | None:
    """The authorities verifiers should trust: every one this station has used and pinned.

    Only authorities pinned in this machine's key folder count, so one written into
    the store by someone else is not offered; None when there is none here.
    """
    try:
        pinned = vault_of(store).pinned_anchors()
    except KeyLocked:
        return None
    _certs, anchors = known_certificates(store)
    pems = [_pem(a) for a in anchors if fingerprint(a) in pinned]
    return "".join(dict.fromkeys(pems)).encode() if pems else None


def import_identity(store: Store, actor: str, data: bytes, passphrase: bytes | None) -> Identity:
    """Sign with an organisation's PKCS#12 from now on; earlier anchors stay trusted."""
    identity = import_pkcs12(data, passphrase)
    if not identity.chain:
        raise ValueError(
            "the PKCS#12 holds no certificate of the authority that issued it; export it "
            "with its chain (e.g. openssl pkcs12 -export -chain) so verifiers have an anchor"
        )
    unlock_store(store)  # the old key signs the change
    vault = vault_of(store)
    password = vault.passphrase()
    if password is None:
        raise KeyLocked("the station key is locked; unlock it before importing")
    key_pem, cert_pem, chain_pem = identity.to_pem_bundle(password)
    signing = dict(_settings(store).get("signing") or {})
    root = identity.chain[-1]
    signing.update(
        {
            "key": key_pem.decode(),
            "cert": cert_pem.decode(),
            "chain": [chain_pem.decode()] if chain_pem else [],
            "certs": [*signing.get("certs", []), cert_pem.decode()],
            "anchors": [*signing.get("anchors", []), _pem(root)],
            "subject": identity.common_name,
        }
    )
    vault.pin(certs=[fingerprint(identity.certificate)], anchors=[fingerprint(root)])
    _update_settings(store, actor, "signing_identity_imported", {"signing": signing})
    with _LOCK:
        _UNLOCKED[vault.store_id] = identity
        set_signer(str(store.engine.url), StationSigner(identity, vault, store.path))
    return identity
