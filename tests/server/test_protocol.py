"""The shared protocol module agrees with the station's store on every chain hash."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from kiosk.store.chain import canonical_payload
from kiosk.store.chain import event_hash as station_event_hash
from server import protocol


@given(
    session_id=st.uuids().map(str),
    seq=st.integers(1, 10**6),
    t_ns=st.integers(0, 2**62),
    game_run_id=st.none() | st.uuids().map(str),
    trial_index=st.none() | st.integers(0, 500),
    kind=st.text(min_size=1, max_size=20),
    payload=st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8)),
)
@pytest.mark.slow
def test_event_hash_matches_the_station(
    session_id: str,
    seq: int,
    t_ns: int,
    game_run_id: str | None,
    trial_index: int | None,
    kind: str,
    payload: dict[str, object],
) -> None:
    text = canonical_payload(payload)
    args = (protocol.GENESIS_HASH, session_id, seq, t_ns, game_run_id, trial_index, kind, text)
    assert protocol.event_hash(*args) == station_event_hash(*args)


def _certificate() -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "station")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    from cryptography.hazmat.primitives.serialization import Encoding

    return key, cert.public_bytes(Encoding.PEM).decode()


def test_a_signature_verifies_only_over_the_bytes_it_signed() -> None:
    key, pem = _certificate()
    body = protocol.canonical_json({"b": 1, "a": [1, 2]})
    assert body == b'{"a":[1,2],"b":1}'
    raw = key.sign(protocol.body_digest(body), ec.ECDSA(Prehashed(hashes.SHA256())))
    signature = base64.b64encode(raw).decode()
    assert protocol.verify_signature(pem, protocol.body_digest(body), signature)
    assert not protocol.verify_signature(pem, protocol.body_digest(body + b" "), signature)
    assert not protocol.verify_signature(pem, protocol.body_digest(body), "not base64!")
    _, other = _certificate()
    assert not protocol.verify_signature(other, protocol.body_digest(body), signature)
    assert len(protocol.certificate_fingerprint(pem)) == 64


_BODY_FORMULA = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _encoder_hash(prev: str, *fields: object) -> str:
    """The event hash as first written: the encoder's text of the fields."""
    return hashlib.sha256(
        bytes.fromhex(prev) + _BODY_FORMULA.encode(list(fields)).encode()
    ).hexdigest()


class _Text(str):
    pass


@given(
    session_id=st.text(max_size=40) | st.builds(_Text, st.text(max_size=5)),
    seq=st.integers() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False),
    t_ns=st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False),
    game_run_id=st.none() | st.text(max_size=40),
    trial_index=st.none() | st.integers() | st.booleans(),
    kind=st.text(max_size=20),
    payload=st.text(),
)
def test_event_hash_is_the_encoders_text_for_any_values(
    session_id: str,
    seq: int,
    t_ns: int,
    game_run_id: str | None,
    trial_index: int | None,
    kind: str,
    payload: str,
) -> None:
    """The hash is assembled without the JSON encoder for the types a batch holds, and
    with it for anything else: the same text either way (escapes, non-ASCII, bools)."""
    fields = (session_id, seq, t_ns, game_run_id, trial_index, kind, payload)
    assert protocol.event_hash(protocol.GENESIS_HASH, *fields) == _encoder_hash(
        protocol.GENESIS_HASH, *fields
    )
