"""Batches: stored once, applied in order, everything verified and kept."""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.db.models import (
    AuditEntry,
    Batch,
    Candidate,
    CandidatePersonal,
    Flag,
    Report,
    SessionChain,
    SessionRecord,
    Station,
)
from server.event_store import stored_events
from server.ingest import receive_batch
from server.logs import JsonFormatter
from server.protocol import canonical_json
from tests.server.helpers import (
    Centre,
    StationKey,
    enrol,
    make_centre,
    new_key,
    pdf_record,
    state_of,
)

SESSION = "5b0c6c56-7c1e-4a7b-9d55-0a2f3f7a1b01"


def _count(client: TestClient, model: Any, *where: Any) -> int:
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _events(client: TestClient, session_id: str | None = None) -> list[dict[str, Any]]:
    """The events the server holds (of one session), in the order they were stored."""
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        return stored_events(db, session_id=session_id)


def _flags(client: TestClient) -> list[tuple[str | None, str]]:
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        return [(f.session_id, f.code) for f in db.scalars(select(Flag).order_by(Flag.id))]


@pytest.mark.slow
def test_a_batch_is_stored_and_applied(client: TestClient, station: StationKey) -> None:
    events = station.events(SESSION, 5)
    session_row = {"id": SESSION, "candidate_id": 1, "status": "completed", "chain_head_seq": 5}
    pdf = b"%PDF-1.7 report"
    batch = station.batch(
        events=events,
        audit=[station.seal(["sessions", SESSION, "d"], station.checkpoint(SESSION))],
        records={
            "sessions": [session_row],
            "candidates": [{"id": 1, "pseudonym": "K-7Q2M"}],
            "reports": [pdf_record(3, SESSION, pdf)],
            "candidate_personal": [{"candidate_id": 1, "full_name": "Ada"}],
        },
    )
    response = station.send(client, batch)
    assert response.status_code == 200, response.text
    assert response.json() == {"acked_through": 1, "flags": []}
    assert len(_events(client, SESSION)) == 5
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        chain = db.get(SessionChain, SESSION)
        assert chain is not None
        assert (chain.head_seq, chain.head_hash) == station.heads[SESSION]
        assert not chain.broken
        stored = db.scalars(select(Batch)).one()
        assert stored.body == canonical_json(batch)
        assert stored.body_sha256 == hashlib.sha256(stored.body).hexdigest()
        record = db.get(SessionRecord, SESSION)
        assert record is not None and record.status == "completed"
        assert record.data == session_row
        candidate = db.get(Candidate, (station.id, 1))
        assert candidate is not None and candidate.pseudonym == "K-7Q2M"
        report = db.get(Report, (station.id, 3))
        assert report is not None
        assert report.pdf == pdf
        assert report.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
        assert "pdf_b64" not in report.data
        # This centre did not enable personal data: none is kept.
        assert db.scalar(select(func.count()).select_from(CandidatePersonal)) == 0
        audit = db.scalars(select(AuditEntry)).one()
        assert audit.verified
        station_row = db.get(Station, station.id)
        assert station_row is not None and station_row.applied_through == 1


@pytest.mark.slow
def test_personal_data_is_kept_where_the_centre_enabled_it(client: TestClient) -> None:
    centre = make_centre(client, "South", personal_data=True)
    station = enrol(client, centre, "S1")
    batch = station.batch(
        audit=[station.seal(["candidate_personal", "1", "x"])],
        records={"candidate_personal": [{"candidate_id": 1, "full_name": "Ada"}]},
    )
    assert station.send(client, batch).json()["acked_through"] == 1
    assert _count(client, CandidatePersonal) == 1
    # Erased on the station: the unit is sealed as null and no rows are sent.
    erase = station.batch(audit=[station.seal(["candidate_personal", "1", None])])
    assert station.send(client, erase).json() == {"acked_through": 2, "flags": []}
    assert _count(client, CandidatePersonal) == 0


@pytest.mark.parametrize("personal_data", [False, True])
def test_batches_without_personal_data_log_no_warning(
    client: TestClient, personal_data: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """A station sends every table, ``candidate_personal`` empty when it has none to
    send (or the centre takes none): nothing to say about that, batch after batch."""
    centre = make_centre(client, "South", personal_data=personal_data)
    station = enrol(client, centre, "S1")
    sent: list[dict[str, list[dict[str, Any]]]] = [
        {"candidate_personal": []},
        {},
        {"candidates": [{"id": 1, "pseudonym": "K-1"}], "candidate_personal": []},
    ]
    with caplog.at_level(logging.DEBUG, logger="server.ingest"):
        for records in sent:
            batch = station.batch(
                events=station.events(SESSION, 2),
                audit=[station.seal(["candidates", "1", "x"])],
                records=records,
            )
            assert station.send(client, batch).json()["flags"] == []
    assert [r.getMessage() for r in caplog.records if r.name == "server.ingest"] == []
    assert _count(client, Candidate) == 1


def test_personal_data_sent_to_a_centre_without_it_is_dropped_with_one_warning_of_counts(
    client: TestClient, station: StationKey, caplog: pytest.LogCaptureFixture
) -> None:
    personal = [
        {"candidate_id": 1, "full_name": "Ada Lovelace", "email": "ada@example.org"},
        {"candidate_id": 2, "full_name": "Grace Hopper", "email": "grace@example.org"},
    ]
    batch = station.batch(
        audit=[station.seal(["candidate_personal", "1", "x"], ["candidate_personal", "2", "y"])],
        records={"candidate_personal": personal},
    )
    with caplog.at_level(logging.DEBUG, logger="server.ingest"):
        assert station.send(client, batch).json() == {"acked_through": 1, "flags": []}
    assert _count(client, CandidatePersonal) == 0
    (record,) = [r for r in caplog.records if r.name == "server.ingest"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "batch 1 carried personal data for 2 candidate(s) (2 row(s)) to a centre that "
        "does not keep it; dropped, not stored"
    )
    assert record.station_id == station.id  # type: ignore[attr-defined]
    assert record.dropped_rows == 2  # type: ignore[attr-defined]
    # Nothing personal reaches the log line, in the message or beside it.
    line = JsonFormatter().format(record)
    for row in personal:
        for value in (row["full_name"], row["email"]):
            assert str(value) not in line


@pytest.mark.slow
def test_a_resent_batch_changes_nothing(client: TestClient, station: StationKey) -> None:
    batch = station.batch(events=station.events(SESSION, 3))
    first = station.send(client, batch)
    second = station.send(client, batch)
    assert first.json() == second.json() == {"acked_through": 1, "flags": []}
    assert _count(client, Batch) == 1
    assert len(_events(client)) == 3
    assert _flags(client) == []


@pytest.mark.slow
def test_the_same_seq_with_another_body_is_a_conflict(
    client: TestClient, station: StationKey
) -> None:
    batch = station.batch(events=station.events(SESSION, 2))
    assert station.send(client, batch).status_code == 200
    rebuilt = dict(batch, created_at="2026-12-04T11:00:00+00:00")
    response = station.send(client, rebuilt)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "batch_conflict"
    assert _count(client, Batch) == 1
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        assert db.scalars(select(Batch.body)).one() == canonical_json(batch)


@pytest.mark.slow
def test_batches_out_of_order_are_acked_only_contiguously(
    client: TestClient, station: StationKey
) -> None:
    first = station.batch(events=station.events(SESSION, 3))
    second = station.batch(events=station.events(SESSION, 3))
    third = station.batch(events=station.events(SESSION, 3))
    early = station.send(client, third)
    assert early.json() == {"acked_through": 0, "flags": []}
    assert station.send(client, second).json()["acked_through"] == 0
    # Stored, but not applied while batch 1 is missing.
    assert _count(client, Batch) == 2
    assert len(_events(client)) == 0

    done = station.send(client, first)
    assert done.json() == {"acked_through": 3, "flags": []}
    assert len(_events(client)) == 9
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        chain = db.get(SessionChain, SESSION)
        assert chain is not None and chain.head_seq == 9 and not chain.broken


@pytest.mark.slow
def test_a_chain_broken_across_batches_is_flagged_and_kept(
    client: TestClient, station: StationKey
) -> None:
    assert station.send(client, station.batch(events=station.events(SESSION, 4))).status_code == 200
    later = station.events(SESSION, 3)
    # Event 5 claims another predecessor: as if event 4 had been rewritten on the station.
    later[0]["prev_hash"] = "ab" * 32
    response = station.send(client, station.batch(events=later))
    assert response.status_code == 200
    body = response.json()
    assert body["acked_through"] == 2
    assert [(f["session_id"], f["code"]) for f in body["flags"]] == [(SESSION, "chain_break")]
    assert "event 5" in body["flags"][0]["message"]
    # Kept, and the chain goes on from what was received: events 6 and 7 link to 5.
    assert len(_events(client, SESSION)) == 7
    assert _flags(client) == [(SESSION, "chain_break")]
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        chain = db.get(SessionChain, SESSION)
        assert chain is not None and chain.broken and chain.head_seq == 7


@pytest.mark.slow
def test_an_edited_event_and_a_gap_are_flagged(client: TestClient, station: StationKey) -> None:
    events = station.events(SESSION, 6)
    events[1]["payload"] = '{"i":99}'  # its hash no longer matches
    del events[3]  # event 4 never arrives
    body = station.send(client, station.batch(events=events)).json()
    messages = [f["message"] for f in body["flags"]]
    assert [f["code"] for f in body["flags"]] == ["chain_break", "chain_break"]
    assert "event 2" in messages[0] and "hash" in messages[0]
    assert "event 5" in messages[1] and "follows 3" in messages[1]
    assert len(_events(client)) == 5


@pytest.mark.slow
def test_an_event_resent_with_another_hash_is_flagged(
    client: TestClient, station: StationKey
) -> None:
    events = station.events(SESSION, 2)
    station.send(client, station.batch(events=events))
    altered = [dict(events[1], t_ns=1, hash="cd" * 32)]
    body = station.send(client, station.batch(events=altered)).json()
    assert [f["code"] for f in body["flags"]] == ["chain_break"]
    assert [e["hash"] for e in _events(client) if e["seq"] == 2] == [events[1]["hash"]]


@pytest.mark.slow
def test_a_forged_audit_signature_is_flagged(client: TestClient, station: StationKey) -> None:
    intruder, _ = new_key()
    entries = [
        station.audit("user_added", {"user": "x"}),
        station.audit("role_changed", {"user": "x", "role": "admin"}, key=intruder),
        station.audit("session_created"),
    ]
    unsigned = station.audit("note")
    unsigned["signature"] = None
    entries.append(unsigned)
    body = station.send(client, station.batch(audit=entries)).json()
    assert body["acked_through"] == 1
    # Entry 2's signature is not the station's: flagged. Entry 4 has none: not a
    # forgery, but nothing signed vouches for it yet, so it stays unverified.
    assert [(f["session_id"], f["code"]) for f in body["flags"]] == [
        (None, "bad_audit_signature"),
    ]
    assert "audit entry 2" in body["flags"][0]["message"]
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        verified = {seq: ok for seq, ok in db.execute(select(AuditEntry.seq, AuditEntry.verified))}
    assert verified == {1: True, 2: False, 3: True, 4: False}


@pytest.mark.slow
def test_unsigned_first_entries_are_vouched_for_by_the_next_signed_one(
    client: TestClient, station: StationKey
) -> None:
    """A store's first entries are written before its key exists; the chain to the
    first signed entry vouches for them, as the station's own check does."""
    early = [station.audit("baseline"), station.audit("signing_identity_created")]
    for entry in early:
        entry["signature"], entry["key_id"] = None, None
    body = station.send(client, station.batch(audit=early)).json()
    assert body["flags"] == []
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        verified = {seq: ok for seq, ok in db.execute(select(AuditEntry.seq, AuditEntry.verified))}
    assert verified == {1: False, 2: False}
    body = station.send(client, station.batch(audit=[station.audit("sealed")])).json()
    assert body["flags"] == []
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        verified = {seq: ok for seq, ok in db.execute(select(AuditEntry.seq, AuditEntry.verified))}
    assert verified == {1: True, 2: True, 3: True}


@pytest.mark.slow
def test_an_audit_entry_signed_under_another_key_id_is_flagged(
    client: TestClient, station: StationKey
) -> None:
    entry = station.audit("user_added")
    entry["key_id"] = "00" * 32
    body = station.send(client, station.batch(audit=[entry])).json()
    assert [f["code"] for f in body["flags"]] == ["bad_audit_signature"]


@pytest.mark.slow
def test_a_broken_audit_chain_is_flagged(client: TestClient, station: StationKey) -> None:
    station.send(client, station.batch(audit=[station.audit("a"), station.audit("b")]))
    station.audit("c")  # entry 3 never sent: deleted on the station
    body = station.send(client, station.batch(audit=[station.audit("d")])).json()
    assert [f["code"] for f in body["flags"]] == ["chain_break"]
    assert "audit entry 4" in body["flags"][0]["message"]
    assert _count(client, AuditEntry) == 3


@pytest.mark.slow
def test_a_sealed_checkpoint_must_match_the_events_held(
    client: TestClient, station: StationKey
) -> None:
    events = station.events(SESSION, 4)
    good = station.seal(station.checkpoint(SESSION))
    assert station.send(client, station.batch(events=events, audit=[good])).json()["flags"] == []

    more = station.events(SESSION, 2)
    wrong = station.seal(["chain", SESSION, f"4:{'ef' * 32}"])
    ahead = station.seal(["chain", SESSION, f"9:{station.heads[SESSION][1]}"])
    body = station.send(client, station.batch(events=more, audit=[wrong, ahead])).json()
    assert [(f["session_id"], f["code"]) for f in body["flags"]] == [
        (SESSION, "checkpoint_mismatch"),
        (SESSION, "checkpoint_mismatch"),
    ]
    assert "event 4" in body["flags"][0]["message"]
    assert "not received" in body["flags"][1]["message"]
    assert _flags(client) == [(SESSION, "checkpoint_mismatch")] * 2


@pytest.mark.slow
def test_a_report_whose_pdf_does_not_match_its_digest_is_flagged(
    client: TestClient, station: StationKey
) -> None:
    record = pdf_record(1, SESSION, b"%PDF changed", sha256="00" * 32)
    body = station.send(
        client,
        station.batch(
            audit=[station.seal(["reports", SESSION, "x"])], records={"reports": [record]}
        ),
    ).json()
    assert [f["code"] for f in body["flags"]] == ["report_digest_mismatch"]
    assert _count(client, Report) == 1


@pytest.mark.slow
def test_two_processes_given_the_same_batch_apply_it_once(
    client: TestClient, station: StationKey
) -> None:
    batch = station.batch(events=station.events(SESSION, 200))
    body = canonical_json(batch)
    sessions = state_of(client.app).sessions  # type: ignore[arg-type]
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            with sessions() as db:
                barrier.wait()
                outcome = receive_batch(db, station.id, 1, body, personal_data=False)
                db.commit()
                results.append(outcome.events_ingested)
        except BaseException as exc:  # reported below: the test fails on it
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(results) == [0, 200]
    assert _count(client, Batch) == 1
    assert len(_events(client)) == 200
    assert _flags(client) == []


@pytest.mark.slow
def test_a_malformed_batch_is_refused_with_what_was_wrong(
    client: TestClient, station: StationKey
) -> None:
    batch = station.batch(events=station.events(SESSION, 1))
    batch["events"][0]["hash"] = "not hex"
    response = station.send(client, batch)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert "events.0.hash" in error["message"]
    assert _count(client, Batch) == 0


@pytest.mark.slow
def test_stations_are_kept_apart(client: TestClient, centre: Centre, station: StationKey) -> None:
    other = enrol(client, centre, "Station 2")
    for each in (station, other):
        each.send(
            client,
            each.batch(
                audit=[each.seal(["candidates", "1", "x"])],
                records={"candidates": [{"id": 1, "pseudonym": each.id}]},
            ),
        )
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        pseudonyms = set(db.scalars(select(Candidate.pseudonym)))
    assert pseudonyms == {station.id, other.id}


@pytest.mark.slow
def test_a_record_that_cannot_be_kept_is_flagged_and_the_rest_applied(
    client: TestClient, station: StationKey
) -> None:
    records = {
        "candidates": [
            {"pseudonym": "no id"},
            {"id": 2**70, "pseudonym": "huge"},
            {"id": 2, "pseudonym": "P-2"},
        ],
        "sessions": [{"id": "s" * 200, "status": "a status longer than any column " * 4}],
    }
    response = station.send(
        client, station.batch(events=station.events(SESSION, 1), records=records)
    )
    assert response.status_code == 200
    assert [f["code"] for f in response.json()["flags"]] == ["bad_record", "bad_record"]
    assert response.json()["acked_through"] == 1
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        assert db.scalars(select(Candidate.pseudonym)).all() == ["P-2"]
        assert db.get(SessionRecord, "s" * 200) is not None
    assert len(_events(client)) == 1


def test_an_event_arriving_after_its_gap_is_kept_and_flagged(
    client: TestClient, station: StationKey
) -> None:
    events = station.events(SESSION, 5)
    late = events.pop(2)  # event 3 comes later, after 4 and 5
    body = station.send(client, station.batch(events=events)).json()
    assert [f["code"] for f in body["flags"]] == ["chain_break"]
    body = station.send(client, station.batch(events=[late])).json()
    assert [f["code"] for f in body["flags"]] == ["chain_break"]
    assert "event 3" in body["flags"][0]["message"] and "follows 5" in body["flags"][0]["message"]
    assert len(_events(client, SESSION)) == 5
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        chain = db.get(SessionChain, SESSION)
        assert chain is not None and chain.head_seq == 5 and chain.broken


def test_resent_events_beside_new_ones_store_only_the_new(
    client: TestClient, station: StationKey
) -> None:
    first = station.events(SESSION, 3)
    assert station.send(client, station.batch(events=first)).json()["flags"] == []
    again = first[1:] + station.events(SESSION, 2)
    body = station.send(client, station.batch(events=again)).json()
    assert body == {"acked_through": 2, "flags": []}
    assert len(_events(client, SESSION)) == 5
    stored = _events(client, SESSION)
    assert [(e["seq"], e["batch_seq"]) for e in stored] == [(1, 1), (2, 1), (3, 1), (4, 2), (5, 2)]
    assert [e["hash"] for e in stored] == [e["hash"] for e in first + again[2:]]


def test_an_event_twice_in_one_batch_is_kept_once_and_flagged(
    client: TestClient, station: StationKey
) -> None:
    events = station.events(SESSION, 3)
    body = station.send(client, station.batch(events=[*events[:2], events[1], events[2]])).json()
    assert [f["code"] for f in body["flags"]] == ["chain_break"]
    assert "event 2" in body["flags"][0]["message"]
    assert len(_events(client, SESSION)) == 3


def test_sessions_of_one_batch_are_verified_each_on_its_own_chain(
    client: TestClient, station: StationKey
) -> None:
    other = "5b0c6c56-7c1e-4a7b-9d55-0a2f3f7a1b02"
    mixed = [*station.events(SESSION, 2), *station.events(other, 3), *station.events(SESSION, 1)]
    assert station.send(client, station.batch(events=mixed)).json()["flags"] == []
    more = [*station.events(other, 1), *station.events(SESSION, 1)]
    more[1]["hash"] = "ab" * 32
    body = station.send(client, station.batch(events=more)).json()
    assert [(f["session_id"], f["code"]) for f in body["flags"]] == [(SESSION, "chain_break")]
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        heads = {c.session_id: c.head_seq for c in db.scalars(select(SessionChain))}
    assert heads == {SESSION: 4, other: 4}


def test_numbers_are_stored_and_verified_as_read(client: TestClient, station: StationKey) -> None:
    """An integer field sent as ``2000.0`` is read as 2000 (as the batch's schema reads
    it), and the event is stored and its hash recomputed with what is stored."""
    (event,) = station.events(SESSION, 1)
    raw = canonical_json(station.batch(events=[event])).replace(
        f'"t_ns":{event["t_ns"]},'.encode(), f'"t_ns":{event["t_ns"]}.0,'.encode()
    )
    assert b'"t_ns":1000.0,' in raw
    response = station.post(client, "/sync/v1/batches", raw)
    assert response.json() == {"acked_through": 1, "flags": []}
    (stored,) = _events(client)
    assert stored["t_ns"] == event["t_ns"] and type(stored["t_ns"]) is int


def test_a_value_the_database_refuses_is_the_clients_error(
    client: TestClient, station: StationKey, database_url: str
) -> None:
    """PostgreSQL takes no NUL character in text: a batch with one in a session id,
    which is kept in columns, is refused whole (422) and nothing of it kept; SQLite
    keeps it. A NUL in a payload is in no column: it stays in the stored body, as
    sent, on both, and the edited payload breaks the chain."""
    odd = "5b0c6c56\x00session"
    response = station.send(client, station.batch(events=station.events(odd, 1)))
    if database_url.startswith("postgresql"):
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_request"
        assert _count(client, Batch) == 0
        assert _events(client) == []
        station.next_batch -= 1  # batch 1 was not kept: it is the next one again
    else:
        assert response.json()["flags"] == []
        assert [e["session_id"] for e in _events(client)] == [odd]

    events = station.events(SESSION, 2)
    events[1]["payload"] = '{"i":"\x00"}'
    response = station.send(client, station.batch(events=events))
    assert [f["code"] for f in response.json()["flags"]] == ["chain_break"]
    assert [e["payload"] for e in _events(client, SESSION)] == ['{"i":1}', '{"i":"\x00"}']
