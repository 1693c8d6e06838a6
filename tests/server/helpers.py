"""Building what a station sends: real EC keys and certificates, real event and
audit chains (server.protocol's formulas), signed requests."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from server import accounts
from server.deps import AppState
from server.protocol import (
    GENESIS_HASH,
    HEADER_SIGNATURE,
    HEADER_STATION,
    audit_hash,
    body_digest,
    canonical_json,
    certificate_fingerprint,
    event_hash,
)

PASSWORD = "correct horse battery"


def state_of(app: FastAPI) -> AppState:
    state: AppState = app.state.kiosk
    return state


@dataclass
class Centre:
    id: str
    name: str
    admin_token: str
    proctor_token: str


def token(client: TestClient, username: str, centre: str, password: str = PASSWORD) -> str:
    response = client.post(
        "/api/v1/auth/token", json={"username": username, "password": password, "centre": centre}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def make_centre(client: TestClient, name: str, personal_data: bool = False) -> Centre:
    """A centre with an admin and a proctor, made as the CLI makes them."""
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        centre = accounts.create_centre(db, "test", name, personal_data)
        accounts.add_user(db, "test", centre, f"{name}-admin", "admin", PASSWORD)
        accounts.add_user(db, "test", centre, f"{name}-proctor", "proctor", PASSWORD)
        db.commit()
        centre_id = centre.id
    return Centre(
        centre_id,
        name,
        token(client, f"{name}-admin", name),
        token(client, f"{name}-proctor", name),
    )


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def enrolment_code(client: TestClient, centre: Centre) -> str:
    response = client.post(
        f"/api/v1/centres/{centre.id}/enrolment-codes", headers=bearer(centre.admin_token)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def new_key() -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kiosk station")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(Encoding.PEM).decode()


def sign(key: ec.EllipticCurvePrivateKey, digest: bytes) -> str:
    return base64.b64encode(key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))).decode()


@dataclass
class StationKey:
    """A station as the server sees it: its id, key, certificate and chains so far."""

    id: str
    key: ec.EllipticCurvePrivateKey
    certificate_pem: str
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    audit_head: tuple[int, str] = (0, GENESIS_HASH)
    next_batch: int = 1

    @property
    def fingerprint(self) -> str:
        return certificate_fingerprint(self.certificate_pem)

    def post(
        self,
        client: TestClient,
        path: str,
        body: dict[str, Any] | bytes,
        key: ec.EllipticCurvePrivateKey | None = None,
    ) -> Response:
        raw = body if isinstance(body, bytes) else canonical_json(body)
        signature = sign(key or self.key, body_digest(raw))
        return client.post(
            path,
            content=raw,
            headers={
                HEADER_STATION: self.id,
                HEADER_SIGNATURE: signature,
                "Content-Type": "application/json",
            },
        )

    def events(self, session_id: str, count: int, kind: str = "trial_end") -> list[dict[str, Any]]:
        """The next ``count`` events of ``session_id``, chained from where it stopped."""
        seq, prev = self.heads.get(session_id, (0, GENESIS_HASH))
        made = []
        for _ in range(count):
            seq += 1
            payload = canonical_json({"i": seq}).decode()
            digest = event_hash(prev, session_id, seq, seq * 1000, None, None, kind, payload)
            made.append(
                {
                    "session_id": session_id,
                    "seq": seq,
                    "t_ns": seq * 1000,
                    "game_run_id": None,
                    "trial_index": None,
                    "kind": kind,
                    "payload": payload,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
        self.heads[session_id] = (seq, prev)
        return made

    def audit(
        self,
        action: str,
        details: dict[str, Any] | None = None,
        target: str | None = None,
        key: ec.EllipticCurvePrivateKey | None = None,
    ) -> dict[str, Any]:
        """The next audit entry, signed with this station's key (or ``key``)."""
        seq, prev = self.audit_head
        seq += 1
        text = canonical_json(details or {}).decode()
        at = 1_700_000_000_000_000_000 + seq
        digest = audit_hash(prev, seq, at, "system", action, target, text)
        self.audit_head = (seq, digest)
        return {
            "seq": seq,
            "at_utc_ns": at,
            "actor": "system",
            "action": action,
            "target": target,
            "details": text,
            "prev_hash": prev,
            "hash": digest,
            "signature": sign(key or self.key, bytes.fromhex(digest)),
            "key_id": self.fingerprint,
        }

    def seal(self, *units: list[Any]) -> dict[str, Any]:
        return self.audit("sealed", {"seals": sorted(units)})

    def checkpoint(self, session_id: str) -> list[Any]:
        seq, head = self.heads.get(session_id, (0, GENESIS_HASH))
        return ["chain", session_id, f"{seq}:{head}"]

    def batch(
        self,
        events: list[dict[str, Any]] | None = None,
        audit: list[dict[str, Any]] | None = None,
        records: dict[str, list[dict[str, Any]]] | None = None,
        batch_seq: int | None = None,
    ) -> dict[str, Any]:
        if batch_seq is None:
            batch_seq = self.next_batch
            self.next_batch += 1
        return {
            "protocol": 1,
            "station_id": self.id,
            "batch_seq": batch_seq,
            "created_at": "2026-12-04T10:00:00+00:00",
            "events": events or [],
            "audit": audit or [],
            "records": records or {},
        }

    def send(self, client: TestClient, batch: dict[str, Any]) -> Response:
        return self.post(client, "/sync/v1/batches", batch)

    def heartbeat(
        self, client: TestClient, live: dict[str, Any] | None = None, outbox_pending: int = 0
    ) -> Response:
        return self.post(
            client,
            "/sync/v1/heartbeat",
            {
                "protocol": 1,
                "station_id": self.id,
                "sent_at": "2026-12-04T10:00:00+00:00",
                "acked_through": 0,
                "outbox_pending": outbox_pending,
                "live": live,
            },
        )

    def ack(
        self, client: TestClient, command_id: str, outcome: str = "applied", detail: str = ""
    ) -> Response:
        return self.post(
            client,
            f"/sync/v1/commands/{command_id}/ack",
            {"protocol": 1, "station_id": self.id, "outcome": outcome, "detail": detail},
        )


def enrol_request(code: str, certificate_pem: str, name: str = "Station") -> dict[str, Any]:
    return {
        "protocol": 1,
        "code": code,
        "name": name,
        "store_id": "store-1",
        "certificate_pem": certificate_pem,
    }


def enrol(client: TestClient, centre: Centre, name: str) -> StationKey:
    key, pem = new_key()
    response = client.post(
        "/sync/v1/enrol", json=enrol_request(enrolment_code(client, centre), pem, name)
    )
    assert response.status_code == 201, response.text
    return StationKey(response.json()["station_id"], key, pem)


def pdf_record(
    report_id: int, session_id: str, pdf: bytes, sha256: str | None = None
) -> dict[str, Any]:
    return {
        "id": report_id,
        "session_id": session_id,
        "sha256": sha256 or hashlib.sha256(pdf).hexdigest(),
        "signer": "Station key",
        "file_name": f"{session_id}.pdf",
        "pdf_b64": base64.b64encode(pdf).decode(),
    }


def loads(response: Response) -> Any:
    return json.loads(response.content)
