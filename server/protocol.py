"""The station ↔ server sync protocol's shared, pure half (see ``server/PROTOCOL.md``).

Both the station (``kiosk.sync``) and the server import this module, so it uses only
the standard library and ``cryptography``: no web framework, no database, no Qt.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from json.encoder import encode_basestring
from typing import Any, Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

__all__ = [
    "GENESIS_HASH",
    "HEADER_SIGNATURE",
    "HEADER_STATION",
    "MAX_EVENTS_PER_BATCH",
    "PROTOCOL_VERSION",
    "audit_hash",
    "body_digest",
    "canonical_json",
    "certificate_fingerprint",
    "error_body",
    "event_hash",
    "verify_signature",
]

PROTOCOL_VERSION: Final = 1
HEADER_STATION: Final = "X-Kiosk-Station"
HEADER_SIGNATURE: Final = "X-Kiosk-Signature"
MAX_EVENTS_PER_BATCH: Final = 5000
# The first event of every session links to this (as on the station).
GENESIS_HASH: Final = "0" * 64

_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_BODY = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
# What _BODY writes for a string (the C escaper, when there is one).
_string = encode_basestring


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON bytes: sorted keys, no spaces, UTF-8, no NaN."""
    return _CANONICAL.encode(value).encode()


def body_digest(body: bytes) -> bytes:
    """The SHA-256 a request signature covers: the raw bytes as sent."""
    return hashlib.sha256(body).digest()


def certificate_fingerprint(cert_pem: str | bytes) -> str:
    """The SHA-256 fingerprint (hex) of a PEM certificate: a station's ``key_id``."""
    data = cert_pem.encode() if isinstance(cert_pem, str) else cert_pem
    cert = x509.load_pem_x509_certificate(data)
    return cert.fingerprint(hashes.SHA256()).hex()


@functools.lru_cache(maxsize=1024)
def _public_key(cert_pem: bytes) -> Any:
    """The public key of a PEM certificate, parsed once per certificate: a station's
    requests and audit entries are all checked against the one it enrolled with."""
    return x509.load_pem_x509_certificate(cert_pem).public_key()


def verify_signature(cert_pem: str | bytes, digest: bytes, signature_b64: str) -> bool:
    """Whether ``signature_b64`` signs the SHA-256 ``digest`` with the certificate's key.

    ECDSA or RSA PKCS#1 v1.5 over a prehashed SHA-256, as a station signs its audit
    entries and its requests. Anything malformed is simply not a valid signature.
    """
    try:
        data = cert_pem.encode() if isinstance(cert_pem, str) else cert_pem
        public = _public_key(data)
        raw = base64.b64decode(signature_b64, validate=True)
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(raw, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        elif isinstance(public, rsa.RSAPublicKey):
            public.verify(raw, digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def event_hash(
    prev_hash: str,
    session_id: str,
    seq: int,
    t_ns: int,
    game_run_id: str | None,
    trial_index: int | None,
    kind: str,
    payload_text: str,
) -> str:
    """One event's chain hash: ``sha256(prev_hash bytes + compact JSON of the event)``.

    The same formula as the station's store; ``payload_text`` is the payload exactly
    as stored (already canonical).
    """
    if (
        type(session_id) is str
        and type(seq) is int
        and type(t_ns) is int
        and (game_run_id is None or type(game_run_id) is str)
        and (trial_index is None or type(trial_index) is int)
        and type(kind) is str
        and type(payload_text) is str
    ):
        # The text _BODY.encode() writes for these types, assembled directly: the
        # server hashes every event it receives, and the encoder's set-up per call
        # dominated.
        body = (
            f"[{_string(session_id)},{seq},{t_ns},"
            f"{'null' if game_run_id is None else _string(game_run_id)},"
            f"{'null' if trial_index is None else trial_index},"
            f"{_string(kind)},{_string(payload_text)}]"
        )
    else:
        body = _BODY.encode([session_id, seq, t_ns, game_run_id, trial_index, kind, payload_text])
    return hashlib.sha256(bytes.fromhex(prev_hash) + body.encode()).hexdigest()


def audit_hash(
    prev_hash: str,
    seq: int,
    at_utc_ns: int,
    actor: str,
    action: str,
    target: str | None,
    details_text: str,
) -> str:
    """One audit entry's chain hash, the same formula as the station's audit log:
    ``sha256(prev_hash bytes + compact JSON of [seq, at_utc_ns, actor, action, target,
    details])``, ``details_text`` as stored. Its signature covers these 32 bytes."""
    body = _BODY.encode([seq, at_utc_ns, actor, action, target, details_text])
    return hashlib.sha256(bytes.fromhex(prev_hash) + body.encode()).hexdigest()


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    """The one error shape every server response uses."""
    return {"error": {"code": code, "message": message}}
