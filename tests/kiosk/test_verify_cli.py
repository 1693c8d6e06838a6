"""``kiosk verify`` ties a report to its session: what it prints from the signed evidence,
renamed files, the store's comparison, reports without evidence, and demo reports."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli.verify import EXIT_INVALID, EXIT_NOT_AN_ASSESSMENT, EXIT_VALID, verify_command
from reports.build import SIGNATURE_BOX, build_report
from reports.model import ReportEvidence
from reports.pki import Authority, Identity, create_centre_authority, issue_station_certificate
from reports.sample import sample_report_data
from reports.signing import sign_pdf

PSEUDONYM = "K7QX-4M2P"
SESSION = "S-2025-1128-0042"


@pytest.fixture(scope="module")
def authority() -> Authority:
    return create_centre_authority("Centre X")


@pytest.fixture(scope="module")
def station(authority: Authority) -> Identity:
    return issue_station_certificate(authority, "Station 3")


def _signed(station: Identity, *, demo: bool = False, evidence: bool = True) -> bytes:
    data = sample_report_data("en", demo=demo)
    if not evidence:
        import dataclasses

        data = dataclasses.replace(data, evidence=None)
    return sign_pdf(
        build_report(data),
        station,
        reason="Assessment report",
        location="Station 3",
        signer_label="Station 3, Centre X",
        visible_box=SIGNATURE_BOX,
    )


@pytest.fixture(scope="module")
def real(station: Identity) -> bytes:
    return _signed(station)


@pytest.fixture(scope="module")
def demo(station: Identity) -> bytes:
    return _signed(station, demo=True)


@pytest.fixture
def ca_file(tmp_path: Path, authority: Authority) -> Path:
    path = tmp_path / "centre-ca.pem"
    path.write_bytes(authority.certificate_pem())
    return path


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _evidence() -> ReportEvidence:
    evidence = sample_report_data("en").evidence
    assert evidence is not None
    return evidence


@pytest.mark.slow
def test_a_valid_report_says_whom_and_what_it_is_about(
    real: bytes, tmp_path: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, f"report_{PSEUDONYM}_2025-11-28.pdf", real)
    assert verify_command(path, ca_file, None) == EXIT_VALID
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"VALID: {path.name} signed by")
    evidence = _evidence()
    assert lines[1] == f"  report of candidate {PSEUDONYM}, session {SESSION}, station Station 3"
    assert lines[2] == (
        f"  event chain head: entry {evidence.chain_head_seq}, {evidence.chain_head_hash}"
    )
    assert lines[3].startswith(f"  audit checkpoint: entry {evidence.checkpoint_seq}, ")
    assert all(line.startswith("  ") for line in lines[1:])
    assert not any("problem:" in line for line in lines)


@pytest.mark.parametrize(
    "name", ["report.pdf", "report_Z9ZZ-0000.pdf", f"report_{PSEUDONYM.lower()}.pdf"]
)
def test_a_renamed_report_is_invalid(
    name: str, real: bytes, tmp_path: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, name, real)
    assert verify_command(path, ca_file, None) == EXIT_INVALID
    out = capsys.readouterr().out
    renamed = f"this file was renamed: it is the report of candidate {PSEUDONYM}, session {SESSION}"
    assert out.startswith(f"INVALID: {name} (signed by ")
    assert out.splitlines()[0].endswith(renamed)
    assert f"  problem: {renamed}" in out


def test_the_stores_comparison_is_printed_and_decides(
    real: bytes, tmp_path: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, f"report_{PSEUDONYM}.pdf", real)
    seen: list[dict[str, Any]] = []

    def clean(evidence: Mapping[str, Any]) -> list[str]:
        seen.append(dict(evidence))
        return []

    assert verify_command(path, ca_file, None, check_evidence=clean) == EXIT_VALID
    assert seen == [_evidence().as_dict()]
    capsys.readouterr()

    def mismatch(evidence: Mapping[str, Any]) -> list[str]:
        return [f"this store holds no session {evidence['session_id']}"]

    assert verify_command(path, ca_file, None, check_evidence=mismatch) == EXIT_INVALID
    out = capsys.readouterr().out
    assert out.startswith("INVALID:") and f"this store holds no session {SESSION}" in out
    assert f"  problem: this store holds no session {SESSION}" in out

    def broken(evidence: Mapping[str, Any]) -> list[str]:
        raise RuntimeError("database is locked")

    assert verify_command(path, ca_file, None, check_evidence=broken) == EXIT_INVALID
    assert "could not be compared with the store: database is locked" in capsys.readouterr().out


def test_a_report_without_evidence_cannot_be_tied_to_a_session(
    station: Identity, tmp_path: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "old-report.pdf", _signed(station, evidence=False))

    def never(evidence: Mapping[str, Any]) -> list[str]:  # pragma: no cover - must not run
        raise AssertionError("no evidence to compare")

    assert verify_command(path, ca_file, None, check_evidence=never) == EXIT_VALID
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("VALID: old-report.pdf")
    assert "cannot be tied to a session" in lines[1]


def test_a_demo_report_is_not_an_assessment(
    demo: bytes, tmp_path: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, f"report_{PSEUDONYM}.pdf", demo)
    assert verify_command(path, ca_file, None) == EXIT_NOT_AN_ASSESSMENT == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"NOT AN ASSESSMENT: {path.name} is a demo report")
    assert "signature holds" in lines[0]
    assert "  DEMO: a simulated candidate, not an assessment" in lines


@pytest.mark.slow
def test_a_renamed_demo_report_is_invalid(
    demo: bytes, tmp_path: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "report.pdf", demo)
    assert verify_command(path, ca_file, None) == EXIT_INVALID
    out = capsys.readouterr().out
    assert out.startswith("INVALID: report.pdf") and "DEMO: a simulated candidate" in out


@pytest.mark.slow
def test_a_cut_short_report_is_invalid(
    real: bytes, tmp_path: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for cut in (len(real) - 100, len(real) // 2, len(real) - 20_000):
        path = _write(tmp_path, f"report_{PSEUDONYM}.pdf", real[:cut])
        assert verify_command(path, ca_file, None) == EXIT_INVALID, cut
        out = capsys.readouterr().out
        assert out.startswith("INVALID:") and "cut short" in out, out
