"""Report evidence: the record, the Evidence block, the embedded JSON and the DEMO marks.

The PDFs are read back with poppler (``pdftotext``, ``pdfdetach``), independently of
reportlab; :mod:`tests.reports.test_verify_evidence` reads the evidence back from signed
reports.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reports.build import EVIDENCE_FILE_NAME, build_report
from reports.labels import LANGUAGES, text
from reports.model import (
    EVIDENCE_FORMAT,
    ReportData,
    ReportEvidence,
    evidence_from_dict,
    evidence_from_json,
    evidence_json,
    new_report_id,
)
from reports.sample import sample_report_data
from tests.reports.test_build import _assert_box_blank, _tool, page_count, pdf_text, squeeze

KEYS = {
    "format",
    "report_id",
    "session_id",
    "candidate_pseudonym",
    "station_name",
    "chain_head_seq",
    "chain_head_hash",
    "checkpoint_seq",
    "checkpoint_hash",
    "checkpoint_signature",
    "key_id",
    "demo",
}


def embedded_files(pdf: bytes, tmp_path: Path) -> dict[str, bytes]:
    """The embedded files of ``pdf`` by name, as poppler's pdfdetach saves them."""
    source = tmp_path / "in.pdf"
    source.write_bytes(pdf)
    listing = subprocess.run(
        [_tool("pdfdetach"), "-list", str(source)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    files = {}
    for line in listing[1:]:
        number, _, name = line.partition(": ")
        target = tmp_path / f"file-{number}"
        subprocess.run(
            [_tool("pdfdetach"), "-save", number, "-o", str(target), str(source)], check=True
        )
        files[name] = target.read_bytes()
    return files


@pytest.fixture(scope="module")
def built() -> dict[tuple[str, bool], tuple[ReportData, bytes]]:
    reports = {}
    for language in LANGUAGES:
        for demo in (False, True):
            data = sample_report_data(language, demo=demo)
            reports[language, demo] = (data, build_report(data))
    return reports


# -- the record --------------------------------------------------------------------------


def test_dict_and_json_round_trip() -> None:
    evidence = sample_report_data("en").evidence
    assert evidence is not None
    as_dict = evidence.as_dict()
    assert set(as_dict) == KEYS and as_dict["format"] == EVIDENCE_FORMAT == 1
    assert evidence_from_dict(as_dict) == evidence
    blob = evidence_json(evidence)
    assert evidence_from_json(blob) == evidence
    canonical = json.dumps(as_dict, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert blob == canonical.encode("ascii")


def test_report_ids_are_random_by_default() -> None:
    evidence = sample_report_data("en").evidence
    assert evidence is not None
    fields = {k: v for k, v in evidence.as_dict().items() if k not in ("report_id", "format")}
    first, second = ReportEvidence(**fields), ReportEvidence(**fields)
    assert first.report_id != second.report_id and len(new_report_id()) == 32


@pytest.mark.parametrize(
    "change",
    [
        {"format": 2},
        {"format": True},
        {"chain_head_seq": -1},
        {"chain_head_seq": 1.0},
        {"checkpoint_seq": "7"},
        {"chain_head_hash": "AB" * 32},
        {"checkpoint_hash": "ab" * 31},
        {"key_id": "not hex"},
        {"checkpoint_signature": "not base64!"},
        {"checkpoint_signature": ""},  # a signature goes with its key id
        {"demo": "yes"},
        {"session_id": " "},
        {"report_id": "x"},
        {"extra": 1},
    ],
)
def test_malformed_evidence_is_refused(change: dict[str, Any]) -> None:
    evidence = sample_report_data("en").evidence
    assert evidence is not None
    with pytest.raises(ValueError, match="evidence"):
        evidence_from_dict({**evidence.as_dict(), **change})


def test_missing_keys_are_refused() -> None:
    evidence = sample_report_data("en").evidence
    assert evidence is not None
    data = evidence.as_dict()
    del data["key_id"]
    with pytest.raises(ValueError, match="missing"):
        evidence_from_dict(data)
    with pytest.raises(ValueError, match="not JSON"):
        evidence_from_json(b"{")


# -- the Evidence block and the embedded copy ---------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_evidence_block_shows_the_record(
    built: dict[tuple[str, bool], tuple[ReportData, bytes]], language: str
) -> None:
    data, pdf = built[language, False]
    evidence = data.evidence
    assert evidence is not None
    plain = squeeze(pdf_text(pdf))
    assert text(language, "section_evidence") in plain
    for key in ("evidence_report_id", "evidence_chain_head", "evidence_checkpoint", "evidence_key"):
        label = text(language, key).split()
        assert " ".join(label[:3]) in plain, key  # long labels wrap in their column
    assert evidence.report_id in plain and evidence.session_id in plain
    for seq, digest in (
        (evidence.chain_head_seq, evidence.chain_head_hash),
        (evidence.checkpoint_seq, evidence.checkpoint_hash),
        (0, evidence.key_id),
    ):
        if seq:
            assert text(language, "evidence_entry", seq=seq) in plain
        groups = [digest[i : i + 8] for i in range(0, 64, 8)]
        assert " ".join(groups[:4]) in plain and " ".join(groups[4:]) in plain
    signature = evidence.checkpoint_signature
    assert f"{signature[:20]}\u2026{signature[-12:]}" in plain
    assert signature not in plain  # shortened on the page; whole in the embedded copy
    assert squeeze(text(language, "evidence_shortened")) in plain


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_same_record_is_embedded_as_canonical_json(
    built: dict[tuple[str, bool], tuple[ReportData, bytes]], language: str, tmp_path: Path
) -> None:
    data, pdf = built[language, True]
    assert data.evidence is not None
    files = embedded_files(pdf, tmp_path)
    assert list(files) == [EVIDENCE_FILE_NAME]
    assert files[EVIDENCE_FILE_NAME] == evidence_json(data.evidence)
    assert evidence_from_json(files[EVIDENCE_FILE_NAME]).demo is True


@pytest.mark.slow
def test_a_report_without_evidence_has_neither_block_nor_file(tmp_path: Path) -> None:
    data = dataclasses.replace(sample_report_data("en"), evidence=None)
    pdf = build_report(data)
    plain = squeeze(pdf_text(pdf))
    assert text("en", "section_evidence") not in plain.split(text("en", "section_integrity"))[1]
    assert "DEMO" not in plain
    assert embedded_files(pdf, tmp_path) == {}


@pytest.mark.slow
def test_an_unsigned_checkpoint_is_said_to_be_unsigned() -> None:
    data = sample_report_data("en")
    assert data.evidence is not None
    unsigned = dataclasses.replace(data.evidence, checkpoint_signature="", key_id="")
    plain = squeeze(pdf_text(build_report(dataclasses.replace(data, evidence=unsigned))))
    assert plain.count(text("en", "evidence_unsigned")) == 2


@pytest.mark.slow
def test_builds_with_evidence_are_deterministic(
    built: dict[tuple[str, bool], tuple[ReportData, bytes]],
) -> None:
    data, pdf = built["de", True]
    assert build_report(data) == pdf


# -- DEMO ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_demo_report_says_demo_on_every_page(
    built: dict[tuple[str, bool], tuple[ReportData, bytes]], language: str
) -> None:
    _, pdf = built[language, True]
    banner = text(language, "demo_banner")
    for page in range(1, page_count(pdf) + 1):
        page_text = squeeze(pdf_text(pdf, "-f", str(page), "-l", str(page)))
        assert banner in page_text, (language, page)
    assert squeeze(text(language, "demo_notice")) in squeeze(pdf_text(pdf, "-l", "1"))

    _, real = built[language, False]
    assert "DEMO" not in pdf_text(real)


@pytest.mark.slow
def test_the_demo_marks_leave_the_signature_box_empty(
    built: dict[tuple[str, bool], tuple[ReportData, bytes]],
) -> None:
    _, pdf = built["en", True]
    _assert_box_blank(pdf, page_count(pdf), dpi=72)
