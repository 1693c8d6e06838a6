"""``verify_pdf`` returns a report's evidence from the signed revision only.

An incremental update appended after signing can replace the embedded
``kiosk-evidence.json`` or the catalog's ``/Names``; the verdict then says the signature
does not cover the whole file, and the evidence it returns is still the signed one.
"""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from reports.build import SIGNATURE_BOX, build_report
from reports.model import EVIDENCE_FILE_NAME, ReportData, evidence_json
from reports.pki import Authority, Identity
from reports.sample import sample_report_data
from reports.verify import verify_pdf
from tests.reports.conftest import sign


@pytest.fixture(scope="module")
def roots(authority: Authority) -> list[bytes]:
    return [authority.certificate_pem()]


@pytest.fixture(scope="module")
def report() -> ReportData:
    return sample_report_data("en")


@pytest.fixture(scope="module")
def signed_report(report: ReportData, station: Identity) -> bytes:
    return sign(build_report(report), station, visible_box=SIGNATURE_BOX)


def _evidence_stream(writer: IncrementalPdfFileWriter, payload: bytes) -> generic.IndirectObject:
    stream = generic.StreamObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/EmbeddedFile"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/application/json"),
        },
        stream_data=payload,
    )
    return writer.add_object(stream)


def _with_new_names_tree(pdf: bytes, payload: bytes) -> bytes:
    """An incremental update whose catalog points at a new ``kiosk-evidence.json``."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    spec = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Filespec"),
            generic.pdf_name("/F"): generic.pdf_string(EVIDENCE_FILE_NAME),
            generic.pdf_name("/EF"): generic.DictionaryObject(
                {generic.pdf_name("/F"): _evidence_stream(writer, payload)}
            ),
        }
    )
    names = generic.ArrayObject([generic.pdf_string(EVIDENCE_FILE_NAME), writer.add_object(spec)])
    writer.root["/Names"] = generic.DictionaryObject(
        {
            generic.pdf_name("/EmbeddedFiles"): generic.DictionaryObject(
                {generic.pdf_name("/Names"): names}
            )
        }
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_stream_overwritten(pdf: bytes, payload: bytes) -> bytes:
    """An incremental update that gives the existing embedded file object new content."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    spec = writer.root["/Names"]["/EmbeddedFiles"]["/Names"][1]
    reference = spec["/EF"].raw_get("/F")
    stream = reference.get_object()
    stream._data, stream._encoded_data = payload, None  # the writer re-encodes it
    writer.mark_update(reference)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.slow
def test_evidence_comes_back_from_a_signed_report(
    signed_report: bytes, report: ReportData, roots: list[bytes]
) -> None:
    verdict = verify_pdf(signed_report, roots)
    assert verdict.valid, verdict.problems
    assert report.evidence is not None
    assert verdict.evidence == report.evidence.as_dict()
    assert any(
        f"in the signed content: report {report.evidence.report_id}" in d for d in verdict.details
    )


@pytest.mark.parametrize("how", [_with_new_names_tree, _with_stream_overwritten])
def test_an_update_appended_after_signing_cannot_change_the_evidence(
    how, signed_report: bytes, report: ReportData, roots: list[bytes]
) -> None:  # type: ignore[no-untyped-def]
    assert report.evidence is not None
    forged = dataclasses.replace(report.evidence, candidate_pseudonym="SOMEONE-ELSE")
    updated = how(signed_report, evidence_json(forged))
    # The update really changed what the newest revision holds ...
    newest = PdfFileReader(io.BytesIO(updated)).root["/Names"]["/EmbeddedFiles"]["/Names"][1]
    assert json.loads(newest["/EF"]["/F"].data)["candidate_pseudonym"] == "SOMEONE-ELSE"
    # ... but the verdict is invalid and returns what was signed.
    verdict = verify_pdf(updated, roots)
    assert not verdict.valid and not verdict.covers_whole_file
    assert verdict.intact, verdict.problems  # the signature over its own revision holds
    assert verdict.evidence == report.evidence.as_dict()


def test_a_report_without_evidence_returns_none(signed_pdf: bytes, roots: list[bytes]) -> None:
    verdict = verify_pdf(signed_pdf, roots)
    assert verdict.valid and verdict.evidence is None
    assert any("cannot be tied to a session" in d for d in verdict.details)


def test_evidence_added_only_after_signing_is_not_returned(
    signed_pdf: bytes, report: ReportData, roots: list[bytes]
) -> None:
    assert report.evidence is not None
    updated = _with_new_names_tree(signed_pdf, evidence_json(report.evidence))
    verdict = verify_pdf(updated, roots)
    assert not verdict.valid and verdict.evidence is None


@pytest.mark.slow
def test_malformed_signed_evidence_makes_the_report_invalid(
    report: ReportData, station: Identity, roots: list[bytes]
) -> None:
    unsigned = build_report(report)
    broken = _with_stream_overwritten(unsigned, b'{"format": 1, "session_id": "S"}')
    verdict = verify_pdf(sign(broken, station, visible_box=SIGNATURE_BOX), roots)
    assert verdict.intact and verdict.covers_whole_file and verdict.trusted
    assert not verdict.valid and verdict.evidence is None
    assert any("evidence (kiosk-evidence.json) is malformed" in p for p in verdict.problems)


def test_no_evidence_is_returned_when_the_signature_does_not_hold(
    signed_report: bytes, roots: list[bytes]
) -> None:
    changed = bytearray(signed_report)
    changed[changed.index(b"/MediaBox") + 1] ^= 0x20
    verdict = verify_pdf(bytes(changed), roots)
    assert not verdict.intact and verdict.evidence is None
