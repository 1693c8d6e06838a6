"""What ``store check`` and report signing trust: pinned station keys, or a named authority.

On the station, the key folder pins the fingerprints of every station certificate this
station has signed with; a signature by any other key is not the station's, whatever
the store says. Elsewhere (a copy of the store on an admin's machine) nothing is
pinned: the caller names the centre authority (``--trust CA.pem``), and a station
certificate the store names counts only if that authority issued it.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from kiosk.store import Store
from kiosk.store.check import Trust
from kiosk.trust.keys import known_certificates, verify_signature
from kiosk.trust.vault import KeyLocked, Vault

__all__ = ["trust_for"]


def _issued_by(cert: x509.Certificate, anchors: list[x509.Certificate]) -> bool:
    for anchor in anchors:
        try:
            cert.verify_directly_issued_by(anchor)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False


def trust_for(store: Store, authority_pem: bytes | None = None) -> Trust | None:
    """The keys to check ``store`` against, or None when nothing here can vouch."""
    certs, _anchors = known_certificates(store)
    if authority_pem is not None:
        anchors = x509.load_pem_x509_certificates(authority_pem)
        trusted = {k: c for k, c in certs.items() if _issued_by(c, anchors)}
        head = None
        source = "the authority you named"
    else:
        settings = dict(store.station().settings or {})
        if not settings.get("store_id"):
            return None
        try:
            vault = Vault.of(store.path, str(settings["store_id"]))
        except KeyLocked:
            return None
        pinned = vault.pinned_certs()
        if not pinned:
            return None
        trusted = {k: c for k, c in certs.items() if k in pinned}
        head = vault.head()
        source = f"the station keys pinned in {vault.folder}"

    def verify(key_id: str, digest: bytes, signature: str) -> bool:
        cert = trusted.get(key_id)
        return cert is not None and verify_signature(cert, digest, signature)

    return Trust(verify=verify, head=head, source=source)
