"""Verifying signed reports: valid when untouched, invalid after any single-byte change,
untrusted under another centre, and what ``kiosk verify`` prints and returns."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.generic import pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from kiosk.cli.verify import verify_command
from reports.pki import Authority, Identity
from reports.verify import NotSignedPdf, Verdict, verify_pdf
from tests.reports.conftest import CENTRE, STATION, make_pdf, sign

SHA256_OID = bytes.fromhex("0609608648016503040201")
SIGNED_DATA_OID = bytes.fromhex("2a864886f70d010702")
DATA_OID = bytes.fromhex("2a864886f70d010701")
SHA256_WITH_RSA_OID = bytes.fromhex("2a864886f70d01010b")


@pytest.fixture(scope="module")
def roots(authority: Authority) -> list[bytes]:
    return [authority.certificate_pem()]


@pytest.fixture(scope="module")
def rsa_identity(authority: Authority) -> Identity:
    """An organisation-style RSA signer, to check the RSA-only malleability too."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RSA signer")]))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(authority.private_key, hashes.SHA256())
    )
    return Identity(private_key=key, certificate=cert, chain=(authority.certificate,))


def _gap(signed: bytes) -> tuple[int, int]:
    """File offsets of the first hex digit and one past the last of the signature."""
    match = re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", signed)
    assert match is not None
    return int(match[1]) + 1, int(match[2]) - 1


def _cms(signed: bytes) -> bytes:
    start, end = _gap(signed)
    return bytes.fromhex(signed[start:end].decode())


def _with_nibble(signed: bytes, der_offset: int, *, high: bool, value: int) -> bytes:
    """Change one hex digit of the signature: a single-byte change of the file."""
    start, _ = _gap(signed)
    position = start + 2 * der_offset + (0 if high else 1)
    old = chr(signed[position])
    new = f"{value:x}"
    new = new.upper() if old.isupper() or (old.isdigit() and _uses_upper(signed)) else new
    assert new.lower() != old.lower(), "the tamper must change the value"
    return signed[:position] + new.encode() + signed[position + 1 :]


def _uses_upper(signed: bytes) -> bool:
    start, end = _gap(signed)
    return bool(re.search(rb"[A-F]", signed[start:end]))


def _verdict_of(data: bytes, roots: list[bytes]) -> Verdict:
    """verify_pdf, insisting that a damaged signed file is still judged (never 'unsigned')."""
    try:
        return verify_pdf(data, roots)
    except NotSignedPdf as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(f"a tampered signed PDF was called unsigned ({exc.kind}): {exc}")


# -- the untouched file ------------------------------------------------------------------


def test_untouched_report_is_valid(signed_pdf: bytes, roots: list[bytes]) -> None:
    verdict = verify_pdf(signed_pdf, roots)
    assert verdict.valid, verdict.problems
    assert verdict.intact and verdict.covers_whole_file and verdict.trusted
    assert verdict.problems == []
    assert verdict.signer == STATION and verdict.organisation == CENTRE
    assert verdict.signature_count == 1
    assert verdict.signed_at is not None
    assert abs(dt.datetime.now(dt.UTC) - verdict.signed_at) < dt.timedelta(minutes=10)
    joined = "\n".join(verdict.details)
    assert "signature covers the whole file" in joined
    assert "trusted chain:" in joined and "no timestamp authority" in joined


def test_another_centres_authority_does_not_trust_it(
    signed_pdf: bytes, other_authority: Authority
) -> None:
    verdict = verify_pdf(signed_pdf, [other_authority.certificate_pem()])
    assert not verdict.valid and not verdict.trusted
    assert verdict.intact and verdict.covers_whole_file
    assert any("trusted centre authority" in p for p in verdict.problems)


def test_no_trust_anchor_means_not_trusted(signed_pdf: bytes) -> None:
    verdict = verify_pdf(signed_pdf, [])
    assert not verdict.valid and not verdict.trusted and verdict.intact
    assert any("no trust anchor" in p for p in verdict.problems)


def test_trust_roots_may_be_der_or_a_pem_bundle(
    signed_pdf: bytes, authority: Authority, other_authority: Authority
) -> None:
    assert verify_pdf(signed_pdf, [authority.certificate.public_bytes(Encoding.DER)]).valid
    bundle = other_authority.certificate_pem() + authority.certificate_pem()
    assert verify_pdf(signed_pdf, [bundle]).valid


def test_expired_signer_certificate_is_not_trusted(signed_pdf: bytes, roots: list[bytes]) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=900)  # station certs last 825 days
    verdict = verify_pdf(signed_pdf, roots, at=later)
    assert not verdict.valid and not verdict.trusted and verdict.intact


# -- tampering ---------------------------------------------------------------------------


def _regions(signed: bytes) -> dict[str, range]:
    start, end = _gap(signed)
    der_length = len(_cms(signed).rstrip(b"\0"))  # close enough to find the padding
    sig_dict = signed.rfind(b" obj", 0, start)
    return {
        "signed content": range(0, sig_dict - 20),
        "signature dictionary": range(sig_dict - 20, start - 1),
        "signature (CMS)": range(start, start + 2 * der_length),
        "signature padding": range(start + 2 * der_length, end),
        "hex delimiters": range(start - 1, start),
        "after the signature": range(end, len(signed)),
    }


@pytest.mark.slow
def test_every_single_byte_change_is_detected(signed_pdf: bytes, roots: list[bytes]) -> None:
    rng = random.Random(20240611)
    regions = _regions(signed_pdf)
    quota = {
        "signed content": 45,
        "signature dictionary": 25,
        "signature (CMS)": 60,
        "signature padding": 25,
        "hex delimiters": 1,
        "after the signature": 44,
    }
    picks = [
        (name, pos)
        for name, count in quota.items()
        for pos in rng.sample(regions[name], min(count, len(regions[name])))
    ]
    picks.append(("hex delimiters", _gap(signed_pdf)[1]))  # the closing '>'
    assert len(picks) >= 200
    missed = []
    for region, position in picks:
        tampered = bytearray(signed_pdf)
        tampered[position] = rng.choice([b for b in range(256) if b != signed_pdf[position]])
        verdict = _verdict_of(bytes(tampered), roots)
        if verdict.valid or not verdict.problems:
            missed.append((region, position, signed_pdf[position], tampered[position]))
    assert not missed, f"single-byte changes judged valid: {missed}"


# Each case: a single hex digit of the signature, as (DER byte offset, high nibble?, new
# value). These unsigned parts of a CMS container are what pyHanko alone lets through.
CMS_TAMPERS: dict[str, Callable[[bytes], tuple[int, bool, int]]] = {
    "ContentInfo type signedData -> envelopedData": lambda cms: (
        cms.index(SIGNED_DATA_OID) + len(SIGNED_DATA_OID) - 1,
        False,
        3,
    ),
    # 30 82 LL LL: one more in the high length byte swallows 256 bytes of zero padding
    "ContentInfo length grown into the zero padding": lambda cms: (2, False, cms[2] + 1),
    "SignedData version 1 -> 3": lambda cms: (
        cms.index(b"\x02\x01\x01", cms.index(SIGNED_DATA_OID)) + 2,
        False,
        3,
    ),
    "digestAlgorithms sha256 -> sha384": lambda cms: (
        cms.index(SHA256_OID) + len(SHA256_OID) - 1,
        False,
        2,
    ),
    "eContentType data -> enveloped": lambda cms: (
        cms.index(DATA_OID) + len(DATA_OID) - 1,
        False,
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(CMS_TAMPERS))
def test_unsigned_parts_of_the_signature_container_are_protected(
    case: str, signed_pdf: bytes, roots: list[bytes]
) -> None:
    cms_bytes = _cms(signed_pdf)
    offset, high, value = CMS_TAMPERS[case](cms_bytes)
    if case.startswith("ContentInfo length"):
        assert cms_bytes[:2] == b"\x30\x82" and cms_bytes[2] < 0x0F
        assert cms_bytes[-300:] == bytes(300), "the padding must be able to absorb it"
    tampered = _with_nibble(signed_pdf, offset, high=high, value=value)
    assert sum(a != b for a, b in zip(tampered, signed_pdf, strict=True)) == 1
    verdict = _verdict_of(tampered, roots)
    assert not verdict.valid and not verdict.intact, verdict


def test_signer_identifier_must_match_exactly(
    signed_pdf: bytes, station: Identity, roots: list[bytes]
) -> None:
    # pyHanko matches the signer's issuer name case-insensitively: "Centre X" -> "centre X"
    from asn1crypto import cms

    cms_bytes = _cms(signed_pdf)
    signer_info = cms.ContentInfo.load(cms_bytes.rstrip(b"\0"))["content"]["signer_infos"][0]
    sid = signer_info["sid"].dump()
    offset = cms_bytes.index(sid) + sid.index(CENTRE.encode())
    tampered = _with_nibble(signed_pdf, offset, high=True, value=6)  # 'C' 0x43 -> 'c' 0x63
    verdict = _verdict_of(tampered, roots)
    assert not verdict.valid
    assert any("signer identifier" in p for p in verdict.problems), verdict.problems


def test_embedded_copy_of_the_authority_must_be_the_trusted_one(
    signed_pdf: bytes, authority: Authority, roots: list[bytes]
) -> None:
    cms_bytes = _cms(signed_pdf)
    ca_der = authority.certificate.public_bytes(Encoding.DER)
    offset = cms_bytes.index(ca_der) + len(ca_der) - 3  # inside the CA's own signature
    value = (cms_bytes[offset] & 0x0F) ^ 0x1
    verdict = _verdict_of(_with_nibble(signed_pdf, offset, high=False, value=value), roots)
    assert not verdict.valid
    assert any("not on the validated chain" in p for p in verdict.problems), verdict.problems


def test_hex_case_and_padding_changes_are_detected(signed_pdf: bytes, roots: list[bytes]) -> None:
    start, end = _gap(signed_pdf)
    letter = next(i for i in range(start, end) if chr(signed_pdf[i]) in "abcdefABCDEF")
    flipped = bytearray(signed_pdf)
    flipped[letter] = ord(chr(signed_pdf[letter]).swapcase())  # same bytes once decoded
    verdict = _verdict_of(bytes(flipped), roots)
    assert not verdict.valid and any("case" in p for p in verdict.problems)

    padded = bytearray(signed_pdf)
    padded[end - 3] = ord("1")
    verdict = _verdict_of(bytes(padded), roots)
    assert not verdict.valid and any("non-zero bytes" in p for p in verdict.problems)


@pytest.mark.slow
def test_rsa_signature_algorithm_relabel_is_detected(
    rsa_identity: Identity, roots: list[bytes]
) -> None:
    # sha256WithRSAEncryption -> rsaEncryption verifies the same for pyHanko; we refuse it
    signed = sign(make_pdf(), rsa_identity, signer_label="RSA signer")
    assert verify_pdf(signed, roots).valid
    cms_bytes = _cms(signed)
    offset = cms_bytes.rindex(SHA256_WITH_RSA_OID) + len(SHA256_WITH_RSA_OID) - 1
    verdict = _verdict_of(_with_nibble(signed, offset, high=False, value=1), roots)
    assert not verdict.valid
    assert any("does not name the signer's digest" in p for p in verdict.problems)


def test_content_appended_after_signing_is_detected(signed_pdf: bytes, roots: list[bytes]) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    writer.root["/Lang"] = pdf_string("en")
    writer.update_root()
    updated = io.BytesIO()
    writer.write(updated)
    for data in (updated.getvalue(), signed_pdf + b"\n% appended\n"):
        verdict = _verdict_of(data, roots)
        assert not verdict.valid and not verdict.covers_whole_file
        assert verdict.trusted  # the signature itself is fine; the file is not all signed


@pytest.mark.slow
def test_a_second_signature_makes_the_report_invalid(
    signed_pdf: bytes, station: Identity, roots: list[bytes]
) -> None:
    twice = sign(signed_pdf, station, field_name="Second", visible_box=(320, 36, 560, 100))
    verdict = verify_pdf(twice, roots)
    assert verdict.signature_count == 2
    assert not verdict.valid and not verdict.covers_whole_file
    assert any("2 signatures" in p for p in verdict.problems)


def _cut_points(signed: bytes) -> dict[str, int]:
    """Where to cut a signed file: all after its signature dictionary began."""
    sig_dict = signed.rfind(b" obj", 0, _gap(signed)[0])
    size = len(signed)
    return {
        "last byte": size - 1,
        "inside %%EOF": size - 3,
        "last 100 bytes": size - 100,
        "last KiB": size - 1024,
        "inside the signature": (_gap(signed)[0] + _gap(signed)[1]) // 2,
        "just inside the signature dictionary": sig_dict + 12,
        "halfway through the signature update": (sig_dict + size) // 2,
        "last half": size // 2,
    }


def test_a_signed_file_cut_short_is_invalid_not_unsigned(
    signed_pdf: bytes, roots: list[bytes]
) -> None:
    for where, cut in _cut_points(signed_pdf).items():
        verdict = _verdict_of(signed_pdf[:cut], roots)
        assert not verdict.valid and not verdict.intact, where
        assert verdict.problems, where
    cut = _verdict_of(signed_pdf[: len(signed_pdf) - 100], roots)
    assert "cut short" in cut.problems[0]


def test_command_cut_short_report_exits_1(
    signed_pdf: bytes, tmp_path: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for where, cut in _cut_points(signed_pdf).items():
        path = tmp_path / "report.pdf"
        path.write_bytes(signed_pdf[:cut])
        assert verify_command(path, ca_file, None) == 1, where
        out = capsys.readouterr().out
        assert out.startswith("INVALID: report.pdf"), (where, out)


# -- not a signed PDF --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind", "words"),
    [
        (b"", "empty", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "not_pdf", "PNG image"),
        (b"PK\x03\x04" + bytes(100), "not_pdf", "ZIP archive"),
        (b"just some notes\n", "not_pdf", "text"),
        (make_pdf(), "unsigned_pdf", "without any digital signature"),
    ],
)
def test_not_a_signed_pdf(data: bytes, kind: str, words: str, roots: list[bytes]) -> None:
    with pytest.raises(NotSignedPdf, match=words) as raised:
        verify_pdf(data, roots)
    assert raised.value.kind == kind


def test_bad_trust_root_is_a_caller_error(signed_pdf: bytes) -> None:
    with pytest.raises(ValueError):
        verify_pdf(
            signed_pdf, [b"-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----"]
        )


# -- kiosk verify ------------------------------------------------------------------------


@pytest.fixture
def report(tmp_path: Path, signed_pdf: bytes) -> Path:
    path = tmp_path / "report.pdf"
    path.write_bytes(signed_pdf)
    return path


@pytest.fixture
def ca_file(tmp_path: Path, authority: Authority) -> Path:
    path = tmp_path / "centre-ca.pem"
    path.write_bytes(authority.certificate_pem())
    return path


def test_command_valid_report(
    report: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_command(report, ca_file, None) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        'VALID: report.pdf signed by "Station vm" (Centre X), covers the whole file, trusted'
    )
    assert all(line.startswith("  ") for line in lines[1:])
    assert any(str(ca_file) in line for line in lines)


def test_command_uses_the_store_authority_by_default(
    report: Path, authority: Authority, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_command(report, None, authority.certificate_pem()) == 0
    assert "the store's centre authority" in capsys.readouterr().out


def test_command_tampered_report_is_invalid(
    report: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(report.read_bytes())
    data[data.index(b"/MediaBox") + 1] ^= 0x20
    report.write_bytes(bytes(data))
    assert verify_command(report, ca_file, None) == 1
    out = capsys.readouterr().out
    assert out.startswith('INVALID: report.pdf (signed by "Station vm" (Centre X)): changed')
    assert "  problem: the file's content does not match the signed digest" in out


def test_command_other_centre_or_no_anchor_is_invalid(
    report: Path, tmp_path: Path, other_authority: Authority, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(other_authority.certificate_pem())
    assert verify_command(report, other, None) == 1
    assert "signer not trusted" in capsys.readouterr().out.splitlines()[0]
    assert verify_command(report, None, None) == 1
    out = capsys.readouterr().out
    assert "signer not trusted" in out and "pass --trust CA.pem" in out


def test_command_not_signed_files_exit_2(
    tmp_path: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    picture = tmp_path / "photo.pdf"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert verify_command(picture, ca_file, None) == 2
    out = capsys.readouterr().out
    assert out.startswith("NOT SIGNED: photo.pdf is not a PDF file: it looks like a PNG image")

    unsigned = tmp_path / "printed.pdf"
    unsigned.write_bytes(make_pdf())
    assert verify_command(unsigned, ca_file, None) == 2
    out = capsys.readouterr().out
    assert "a PDF file without any digital signature" in out
    assert "ask the centre for the signed original" in out


def test_command_unreadable_inputs_exit_2(
    report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_command(tmp_path / "missing.pdf", None, None) == 2
    assert "cannot read" in capsys.readouterr().err
    assert verify_command(report, tmp_path / "missing.pem", None) == 2
    assert "cannot read the trust file" in capsys.readouterr().err
    junk = tmp_path / "junk.pem"
    junk.write_bytes(b"not a certificate")
    assert verify_command(report, junk, None) == 2
    assert "is not a certificate" in capsys.readouterr().err
