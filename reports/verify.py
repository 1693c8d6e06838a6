"""Verify signed report PDFs offline: is the file whole, unchanged and signed by a trusted key?

Contract
--------
``verify_pdf(data, trust_roots)`` returns a :class:`Verdict` or raises :class:`NotSignedPdf`.

- :class:`NotSignedPdf` (the CLI exits 2) means the bytes are not a signed PDF at all:
  empty, not a PDF (no ``%PDF-`` header in the first KiB and no ``%%EOF`` in the last), or a
  whole PDF that carries no signature data (none of ``/ByteRange``, ``/Type /Sig``,
  ``/ETSI.CAdES.detached``, ``/adbe.pkcs7.detached``, ``/ETSI.RFC3161`` occurs in the raw
  bytes). Its ``kind`` says which (``"empty"``, ``"not_pdf"``, ``"unsigned_pdf"``).
- Everything else is judged as a signed PDF and gets a :class:`Verdict` (the CLI exits 0
  when ``valid``, else 1). A formerly signed file whose structure was damaged is INVALID,
  not "unsigned": the signature markers and the PDF framing each occur at both ends or
  twice, so changing one byte cannot make a signed file look unsigned. A file cut short
  (a ``%PDF-`` header but no ``%%EOF`` in its last KiB) is INVALID too, whether or not
  the remains of a signature dictionary survive: a signature sits at the end of a signed
  report, so an interrupted copy loses it first and must not pass for an unsigned PDF.

``valid`` is true only when all of these hold for every signature in the file:

1. ``intact``: pyHanko (``validation.validate_pdf_signature``) finds the SHA-256 digest of
   the byte range equal to the signed one and the CMS signature cryptographically valid,
   AND the signature container passes the kiosk profile checks below;
2. ``covers_whole_file``: ``coverage == SignatureCoverageLevel.ENTIRE_FILE`` (nothing was
   appended after signing) -- so a file can only be valid with a single signature;
3. ``trusted``: the signer's chain leads to one of ``trust_roots`` at the validation time
   (default: now), the signer certificate allows nonRepudiation, nothing is expired.
   Offline: ``ValidationContext(trust_roots=..., allow_fetching=False)``, revocation
   "soft-fail" (a kiosk centre publishes no CRL/OCSP). No operating-system trust store.
   ``trusted`` judges the certificate only: a changed file signed by a trusted station is
   ``intact=False, trusted=True`` (and of course not ``valid``).

Why the profile checks: the ``/Contents`` hex string is the one part of a signed PDF that
the byte range does not cover, and parts of a CMS container (hex digit case, zero padding,
SignedData version, the digestAlgorithms set, embedded certificates that are not on the
validated path, the unsigned signature-algorithm label) are not protected by the signature
either; pyHanko ignores changes there. A kiosk signature is produced by
:mod:`reports.signing` and has a fixed shape, so any deviation means the file was edited:
the gap must be exactly ``<hex>`` in one letter case, decode to exactly what the PDF parser
read, hold one strict-DER ContentInfo (every constructed value exactly filled by its
children: asn1crypto tolerates an outer length grown into the padding) followed only by
zero bytes; the signer identifier must equal the certificate's issuer and serial byte for
byte (pyHanko matches names case-insensitively); the ContentInfo must be SignedData,
detached
``id-data`` with one SignerInfo, RFC 5652 versions, ``digestAlgorithms`` equal to the
signer's, a signature algorithm that names that same digest (so plain ``rsaEncryption``
is refused), no unsigned attributes (no timestamps: kiosks sign offline), no CRLs, and
every embedded certificate byte-identical to one on the validated path. With these, any
single-byte change anywhere in a kiosk-signed file makes the verdict invalid.

``signed_at`` is the time the signer claims (signed attribute or ``/M``): the station's
clock, not attested by a timestamp authority. ``details`` are lines for people.

Evidence
--------
``Verdict.evidence`` is the report's evidence record (the dict of
:meth:`reports.model.ReportEvidence.as_dict`) read from the embedded file
``kiosk-evidence.json`` (see :mod:`reports.build`) of the SIGNED revision only: the file
is parsed again cut at the end of the signature's byte range, so nothing appended after
signing (an incremental update replacing the embedded file, the document catalog or its
``/Names``) can change what is returned. It is ``None`` when the signed revision holds no
evidence (a report made before evidence existed), when the signature does not hold
(``intact`` false: then nothing in the file is vouched for), or when the file cannot be
read. Evidence that is present but malformed is a problem (INVALID). Of several
signatures, the earliest signed revision counts. A ``details`` line says whether the
evidence's ``key_id`` is the report signer's certificate fingerprint (the kiosk signs
audit checkpoints and reports with the same station key, but an imported identity can
differ); comparing the evidence with a store is the caller's job.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import re
import string
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    validate_pdf_signature,
)
from pyhanko_certvalidator import ValidationContext

from reports.model import EVIDENCE_FILE_NAME, evidence_from_json

__all__ = ["NotSignedPdf", "Verdict", "describe_bytes", "verify_pdf"]

# pyHanko logs every failed path build with a traceback; a verdict reports it instead.
# A NullHandler keeps Python's last-resort handler from printing it to stderr.
for _logger_name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_logger_name).addHandler(logging.NullHandler())

NotSignedKind = Literal["empty", "not_pdf", "unsigned_pdf"]

_SIGNATURE_MARKERS = (
    b"/ByteRange",
    b"/ETSI.CAdES.detached",
    b"/adbe.pkcs7.detached",
    b"/ETSI.RFC3161",
)
# A signature dictionary's type (not /SigFieldLock, not a field's /FT /Sig).
_SIG_TYPE = re.compile(rb"/Type\s*/Sig(?![A-Za-z0-9])")
_CUT_SHORT = (
    "the file is cut short: it does not end with the %%EOF marker every PDF ends with, so "
    "its end is missing (an interrupted copy, download or upload); a signed report's "
    "signature sits at its end"
)
_HEX_DIGITS = frozenset(string.hexdigits.encode())
_LOWER_HEX = frozenset(b"abcdef")
_UPPER_HEX = frozenset(b"ABCDEF")


class NotSignedPdf(Exception):
    """The bytes are not a PDF, or a PDF without any signature. ``kind`` says which."""

    def __init__(self, message: str, *, kind: NotSignedKind) -> None:
        super().__init__(message)
        self.kind: NotSignedKind = kind


@dataclass(frozen=True)
class Verdict:
    """The outcome of verifying a signed PDF (see the module docstring for the rules)."""

    valid: bool
    intact: bool
    covers_whole_file: bool
    trusted: bool
    signer: str | None
    signed_at: dt.datetime | None
    problems: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    organisation: str | None = None
    signature_count: int = 0
    evidence: dict[str, Any] | None = None
    """The signed evidence record, or ``None`` (see the module docstring)."""


@dataclass
class _SignatureFindings:
    intact: bool = False
    covers_whole_file: bool = False
    trusted: bool = False
    signer_sha256: str | None = None
    signer: str | None = None
    organisation: str | None = None
    signed_at: dt.datetime | None = None
    problems: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel/OpenDocument file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"-----BEGIN ", "a PEM file (a certificate or key)"),
    (b"{\\rtf", "an RTF document"),
)


def describe_bytes(data: bytes) -> str:
    """A short guess at what ``data`` is, for messages about files that are not PDFs."""
    if not data:
        return "an empty file"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if head.startswith(b"<?xml"):
        return "an XML document"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return f"binary data of {len(data)} bytes"
    return f"text of {len(data)} bytes"


def _cut_short(data: bytes) -> bool:
    """A PDF header, but no ``%%EOF`` near the end: the file lost its end."""
    return b"%PDF-" in data[:1024] and b"%%EOF" not in data[-1024:]


def _classify(data: bytes) -> bool:
    """Raise :class:`NotSignedPdf` unless ``data`` looks like a (possibly damaged) signed PDF.

    Returns whether any signature data is left (``False`` only for a file cut short).
    """
    if not data:
        raise NotSignedPdf("the file is empty", kind="empty")
    looks_pdf = b"%PDF-" in data[:1024] or b"%%EOF" in data[-1024:]
    if not looks_pdf:
        raise NotSignedPdf(f"not a PDF file: it looks like {describe_bytes(data)}", kind="not_pdf")
    if any(marker in data for marker in _SIGNATURE_MARKERS) or _SIG_TYPE.search(data):
        return True
    if _cut_short(data):
        return False
    raise NotSignedPdf("a PDF file without any digital signature", kind="unsigned_pdf")


def _load_trust_roots(trust_roots: Sequence[bytes]) -> list[asn1_x509.Certificate]:
    roots: list[asn1_x509.Certificate] = []
    for blob in trust_roots:
        if b"-----BEGIN" in blob:
            certs = x509.load_pem_x509_certificates(blob)
        else:
            certs = [x509.load_der_x509_certificate(blob)]
        roots.extend(asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in certs)
    return roots


def _name_part(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    values = cert.subject.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _der_end(blob: bytes, offset: int = 0) -> int:
    """End offset of the DER value at ``offset``; raises ``ValueError`` unless strict DER.

    Constructed values are walked recursively and their children must fill them exactly.
    asn1crypto tolerates slack (an outer length grown into the zero padding still parses),
    so this walk is what pins every length byte of the container.
    """
    if offset + 2 > len(blob):
        raise ValueError("truncated")
    tag, first = blob[offset], blob[offset + 1]
    if tag == 0:  # end-of-contents: BER only; zero padding swallowed by a grown length
        raise ValueError("end-of-contents marker")
    if tag & 0x1F == 0x1F:
        raise ValueError("high-tag-number form")
    if first < 0x80:
        length, header = first, 2
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or offset + 2 + count > len(blob):
            raise ValueError("indefinite or oversized length")
        length = int.from_bytes(blob[offset + 2 : offset + 2 + count], "big")
        if length < 0x80 or blob[offset + 2] == 0:
            raise ValueError("non-minimal length")
        header = 2 + count
    start, end = offset + header, offset + header + length
    if end > len(blob):
        raise ValueError("value runs past the end")
    if tag & 0x20:  # constructed: children must fill the value exactly
        position = start
        while position < end:
            position = _der_end(blob, position)
        if position != end:
            raise ValueError("children overrun their parent")
    return end


def _container_problems(data: bytes, sig: EmbeddedPdfSignature) -> list[str]:
    """Check the unsigned gap of the byte range: exactly ``<hex>`` holding DER + zero padding."""
    try:
        byte_range = [int(v) for v in sig.byte_range]
    except (TypeError, ValueError):
        return ["the /ByteRange is not a list of numbers"]
    if len(byte_range) != 4 or byte_range[0] != 0:
        return [f"the /ByteRange {byte_range} does not start at the beginning of the file"]
    _, len1, start2, len2 = byte_range
    if not 0 < len1 < start2 <= len(data) or len2 < 0:
        return [f"the /ByteRange {byte_range} does not fit the file ({len(data)} bytes)"]
    gap = data[len1:start2]
    if len(gap) < 2 or gap[:1] != b"<" or gap[-1:] != b">":
        return ["the unsigned part of the file is not exactly the signature's hex string"]
    inner = gap[1:-1]
    problems: list[str] = []
    if not _HEX_DIGITS.issuperset(inner) or len(inner) % 2:
        return ["the signature's hex string contains characters that are not hex digits"]
    letters = set(inner)
    if letters & _LOWER_HEX and letters & _UPPER_HEX:
        problems.append("the signature's hex string mixes upper and lower case (edited by hand)")
    decoded = bytes.fromhex(inner.decode("ascii"))
    if decoded != sig.pkcs7_content:
        problems.append("the signature string read by the PDF parser is not the one in the gap")
    try:
        der_length = _der_end(decoded)
    except (ValueError, RecursionError) as exc:
        problems.append(f"the signature container is not strict DER ({exc})")
    else:
        if decoded[:1] != b"\x30":
            problems.append("the signature container is not a DER SEQUENCE")
        if decoded[der_length:].strip(b"\x00"):
            problems.append("non-zero bytes follow the signature container in /Contents")
    return problems


def _cms_problems(sig: EmbeddedPdfSignature, status: PdfSignatureStatus | None) -> list[str]:
    """Check the CMS parts the signature does not protect against the kiosk profile."""
    problems: list[str] = []
    content_info = cms.ContentInfo.load(sig.pkcs7_content)
    if content_info["content_type"].native != "signed_data":
        problems.append("the signature container is not CMS SignedData")
    signed_data = sig.signed_data
    signer_info = sig.signer_info
    # pyHanko finds the signer's certificate by comparing names loosely (case-insensitive,
    # RFC 5280 rules); the identifier is unsigned, so it must match the certificate exactly.
    sid = signer_info["sid"]
    tbs = sig.signer_cert["tbs_certificate"]
    if sid.name == "issuer_and_serial_number":
        exact = (
            sid.chosen["issuer"].dump() == tbs["issuer"].dump()
            and sid.chosen["serial_number"].native == tbs["serial_number"].native
        )
    else:
        exact = sid.chosen.native == sig.signer_cert.key_identifier
    if not exact:
        problems.append("the signer identifier does not match the signer's certificate exactly")
    if len(signed_data["signer_infos"]) != 1:
        problems.append("the signature container holds more than one SignerInfo")
    sid_kind = sid.name
    expected_si_version = "v1" if sid_kind == "issuer_and_serial_number" else "v3"
    if signer_info["version"].native != expected_si_version:
        problems.append("the SignerInfo version does not match its signer identifier")
    eci = signed_data["encap_content_info"]
    if eci["content_type"].native != "data" or eci["content"].native is not None:
        problems.append("the signature is not a detached signature over the PDF data")
    expected_sd_version = "v3" if expected_si_version == "v3" else "v1"
    if signed_data["version"].native != expected_sd_version:
        problems.append("the SignedData version is not the one RFC 5652 prescribes")
    digest_algorithm = signer_info["digest_algorithm"]
    declared = [a.dump() for a in signed_data["digest_algorithms"]]
    if declared != [digest_algorithm.dump()]:
        problems.append("the SignedData digest algorithm list does not match the signer's")
    signature_algorithm = signer_info["signature_algorithm"]
    try:
        named_digest = signature_algorithm.hash_algo
    except (ValueError, KeyError):
        named_digest = None
    if named_digest != digest_algorithm["algorithm"].native:
        problems.append(
            f"the signature algorithm ({signature_algorithm['algorithm'].native}) does not "
            "name the signer's digest algorithm"
        )
    if signer_info["unsigned_attrs"].native:
        problems.append("the signature carries unsigned attributes (kiosk signatures have none)")
    if signed_data["crls"].native:
        problems.append("the signature container carries revocation lists (kiosks embed none)")
    if status is not None and status.validation_path is not None:
        allowed = {c.dump() for c in status.validation_path.iter_certs(include_root=True)}
        allowed.add(sig.signer_cert.dump())
        for choice in signed_data["certificates"]:
            if choice.name != "certificate":
                problems.append("the signature container holds a non-X.509 certificate")
            elif choice.chosen.dump() not in allowed:
                subject = choice.chosen.subject.human_friendly
                problems.append(
                    f"an embedded certificate ({subject}) is not on the validated chain; "
                    "it differs from the trusted one"
                )
    return problems


def _describe_coverage(level: SignatureCoverageLevel | None) -> str:
    return (
        {
            SignatureCoverageLevel.ENTIRE_FILE: "the whole file",
            SignatureCoverageLevel.ENTIRE_REVISION: (
                "only an earlier version of the file; content was added after signing"
            ),
            SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: (
                "only the start of the file; the rest was added or changed"
            ),
            SignatureCoverageLevel.UNCLEAR: "an unusual byte range, not the whole file",
        }.get(level, "an unknown part of the file")
        if level is not None
        else "an unknown part"
    )


def _check_signature(
    data: bytes,
    sig: EmbeddedPdfSignature,
    context_args: dict[str, Any],
) -> _SignatureFindings:
    found = _SignatureFindings()
    found.details.append(f"signature field: {sig.field_name}")
    if sig.sig_object_type != "/Sig":
        found.problems.append(f"{sig.field_name} is a {sig.sig_object_type}, not a signature")
        return found
    try:
        signer_cert = x509.load_der_x509_certificate(sig.signer_cert.dump())
    except Exception as exc:  # any parse failure of tampered data means "invalid"
        found.problems.append(f"the signer certificate cannot be read ({exc})")
        return found
    found.signer = _name_part(signer_cert, NameOID.COMMON_NAME)
    found.organisation = _name_part(signer_cert, NameOID.ORGANIZATION_NAME)
    found.details.append(
        f"signer certificate: {signer_cert.subject.rfc4514_string()}, issued by "
        f"{signer_cert.issuer.rfc4514_string()}, valid "
        f"{signer_cert.not_valid_before_utc:%Y-%m-%d} to {signer_cert.not_valid_after_utc:%Y-%m-%d}"
    )
    found.signer_sha256 = signer_cert.fingerprint(hashes.SHA256()).hex()
    found.details.append(f"signer certificate SHA-256: {found.signer_sha256}")

    container_problems = _container_problems(data, sig)
    status: PdfSignatureStatus | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            status = validate_pdf_signature(
                sig, signer_validation_context=ValidationContext(**context_args)
            )
    except Exception as exc:  # pyHanko raises many types on malformed input: all mean invalid
        found.problems.append(f"the signature could not be validated: {exc}")
    try:
        container_problems += _cms_problems(sig, status)
    except Exception as exc:  # a container too damaged to inspect
        container_problems.append(f"the signature container cannot be inspected ({exc})")
    found.problems.extend(container_problems)
    if status is None:
        return found

    found.signed_at = status.signer_reported_dt
    if found.signed_at is not None:
        found.details.append(
            f"signing time claimed by the signer (no timestamp authority): "
            f"{found.signed_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
        )
    found.details.append(
        f"algorithms: {status.md_algorithm} digest, {status.pkcs7_signature_mechanism} signature"
    )
    if not status.intact:
        found.problems.append("the file's content does not match the signed digest: it was changed")
    if not status.valid:
        found.problems.append("the cryptographic signature does not verify")
    found.intact = status.intact and status.valid and not container_problems

    found.covers_whole_file = (
        status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        and status.modification_level is not None
        and status.modification_level.name == "NONE"
    )
    if found.covers_whole_file:
        found.details.append("signature covers the whole file")
    else:
        found.problems.append(f"the signature covers {_describe_coverage(status.coverage)}")

    # Trust is about the certificate, not the content: pyHanko checks the chain whenever the
    # signature over the signed attributes verifies, even if the document digest does not.
    path = status.validation_path
    found.trusted = status.valid and status.trust_problem_indic is None and path is not None
    if found.trusted and path is not None:
        chain = " <- ".join(
            x509.load_der_x509_certificate(c.dump()).subject.rfc4514_string()
            for c in reversed(list(path.iter_certs(include_root=True)))
        )
        found.details.append(f"trusted chain: {chain}")
    elif status.valid:
        reason = status.trust_problem_indic
        why = f" ({reason.name.lower().replace('_', ' ')})" if isinstance(reason, Enum) else ""
        found.problems.append(
            "the signer's certificate does not lead to a trusted centre authority" + why
        )
    if not status.bottom_line and not found.problems:  # belt and braces: pyHanko's own verdict
        found.problems.append(f"pyHanko judges the signature invalid ({status.summary()})")
    return found


def verify_pdf(
    data: bytes, trust_roots: Sequence[bytes], *, at: dt.datetime | None = None
) -> Verdict:
    """Judge the signature(s) of ``data`` against ``trust_roots`` (PEM or DER certificates).

    ``at`` is the validation time (default: now). Raises :class:`NotSignedPdf` when the
    data is not a signed PDF at all; everything else yields a :class:`Verdict`.
    Raises ``ValueError`` if a trust root cannot be parsed (a caller error, not a verdict),
    and ``RuntimeError`` if called inside a running asyncio loop (pyHanko runs its own).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass  # no loop running: pyHanko may start its own
    else:
        raise RuntimeError("verify_pdf runs pyHanko's own event loop: call it from a thread")
    has_signature_data = _classify(data)
    roots = _load_trust_roots(trust_roots)
    context_args: dict[str, Any] = {
        "trust_roots": roots,
        "allow_fetching": False,
        "revocation_mode": "soft-fail",
    }
    if at is not None:
        context_args["moment"] = at
    file_detail = f"file SHA-256: {hashlib.sha256(data).hexdigest()}"
    cut_short = _cut_short(data)
    if not has_signature_data:
        return _invalid(f"{_CUT_SHORT}; nothing of a signature is left", file_detail)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfFileReader(io.BytesIO(data), strict=True)
            signatures = list(reader.embedded_signatures)
    except Exception as exc:  # a damaged formerly-signed file is invalid, not "unsigned"
        damaged = _CUT_SHORT if cut_short else f"the file structure is damaged: {exc}"
        return _invalid(damaged, file_detail)
    if not signatures:
        return _invalid(
            _CUT_SHORT
            if cut_short
            else "the file holds signature data but no signature field refers to it; "
            "it was altered after signing",
            file_detail,
        )
    no_roots = "" if roots else "no trust anchor was given, so the signer cannot be trusted"

    findings = [_check_signature(data, sig, context_args) for sig in signatures]
    problems: list[str] = []
    details: list[str] = [file_detail]
    many = len(findings) > 1
    for number, found in enumerate(findings, start=1):
        prefix = f"signature {number} of {len(findings)}: " if many else ""
        problems.extend(prefix + p for p in found.problems)
        details.extend(prefix + d for d in found.details)
    if no_roots:
        problems.append(no_roots)
    if many:
        problems.append(
            f"the file carries {len(findings)} signatures; a kiosk report carries exactly one"
        )
    if cut_short:
        problems.insert(0, _CUT_SHORT)
    first = min(range(len(signatures)), key=lambda index: signatures[index].signed_revision)
    evidence = None
    if findings[first].intact:
        evidence, evidence_problem = _signed_evidence(data, signatures[first])
        if evidence_problem:
            problems.append(evidence_problem)
        details.extend(_evidence_details(evidence, findings[first].signer_sha256))
    last = findings[-1]
    intact = all(f.intact for f in findings) and not cut_short
    covers = all(f.covers_whole_file for f in findings) and not cut_short
    trusted = all(f.trusted for f in findings)
    return Verdict(
        valid=intact and covers and trusted and not problems,
        intact=intact,
        covers_whole_file=covers,
        trusted=trusted,
        signer=last.signer,
        signed_at=last.signed_at,
        problems=problems,
        details=details,
        organisation=last.organisation,
        signature_count=len(findings),
        evidence=evidence,
    )


def _name_tree_value(node: Any, key: str, depth: int = 0) -> Any:
    """The value for ``key`` in a PDF name tree (``/Names`` pairs, ``/Kids``), or ``None``."""
    if depth > 16:  # a loop or an absurd tree in a damaged file
        return None
    if "/Names" in node:
        pairs = node["/Names"]
        for index in range(0, len(pairs) - 1, 2):
            if str(pairs[index]) == key:
                return pairs[index + 1]
    if "/Kids" in node:
        for kid in node["/Kids"]:
            found = _name_tree_value(kid, key, depth + 1)
            if found is not None:
                return found
    return None


def _entry(dictionary: Any, key: str) -> Any:
    """``dictionary[key]`` resolved, or ``None`` when either is missing."""
    if dictionary is None:
        return None
    value = dictionary.get(key)
    return None if value is None else value.get_object()


def _signed_evidence(
    data: bytes, sig: EmbeddedPdfSignature
) -> tuple[dict[str, Any] | None, str | None]:
    """``(evidence, problem)`` from the signed revision of ``data`` only.

    The file is cut where the signature's byte range ends and parsed afresh, so only
    signed bytes (and the signature's own, checked, hex string) can supply the record.
    """
    try:
        _, _, start2, len2 = (int(v) for v in sig.byte_range)
        signed = data[: start2 + len2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            root = PdfFileReader(io.BytesIO(signed), strict=True).root
            tree = _entry(_entry(root, "/Names"), "/EmbeddedFiles")
            spec = _name_tree_value(tree, EVIDENCE_FILE_NAME) if tree is not None else None
            files = _entry(spec, "/EF")
            if files is None:
                return None, None
            stream = _entry(files, "/F") or _entry(files, "/UF")
            if stream is None:
                return None, None
            blob = stream.data
    except Exception as exc:  # a signed file we cannot read back is not a kiosk report
        return None, f"the report's evidence ({EVIDENCE_FILE_NAME}) cannot be read: {exc}"
    try:
        return evidence_from_json(blob).as_dict(), None
    except ValueError as exc:
        return None, f"the report's evidence ({EVIDENCE_FILE_NAME}) is malformed: {exc}"


def _evidence_details(evidence: dict[str, Any] | None, signer_sha256: str | None) -> list[str]:
    if evidence is None:
        return [
            f"no evidence ({EVIDENCE_FILE_NAME}) in the signed content: the report cannot "
            "be tied to a session"
        ]
    lines = [
        f"evidence ({EVIDENCE_FILE_NAME}) in the signed content: report {evidence['report_id']}"
    ]
    if not evidence["key_id"]:
        lines.append("the evidence's audit checkpoint is not signed")
    elif evidence["key_id"] == signer_sha256:
        lines.append("the evidence's key id is the signer certificate's SHA-256")
    else:
        lines.append(
            f"the evidence's key id ({evidence['key_id']}) is not the signer certificate's "
            "SHA-256: the audit checkpoint was signed by another station key"
        )
    return lines


def _invalid(problem: str, detail: str) -> Verdict:
    return Verdict(
        valid=False,
        intact=False,
        covers_whole_file=False,
        trusted=False,
        signer=None,
        signed_at=None,
        problems=[problem],
        details=[detail],
    )
