"""Signing reports: an incremental PAdES signature with a visible stamp, checked by pyHanko
and, independently, by poppler's pdfsig."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from reports.pki import Authority, Identity, issue_station_certificate
from reports.signing import DEFAULT_VISIBLE_BOX, sha256_hex, sign_pdf
from tests.reports.conftest import make_pdf, pdfsig, sign


def _only_signature(signed: bytes):  # type: ignore[no-untyped-def]
    reader = PdfFileReader(io.BytesIO(signed))
    (signature,) = reader.embedded_signatures
    return reader, signature


def _page_refs(reader: PdfFileReader) -> list:  # type: ignore[type-arg]
    kids = reader.root["/Pages"]["/Kids"]
    return [kids.raw_get(i) for i in range(len(kids))]


def _stamp_text(signature) -> str:  # type: ignore[no-untyped-def]
    """The text shown by the signature's appearance stream, PDF string escapes undone.

    The stamp's font is embedded, so its strings are glyph ids; each line carries its
    text as ``/ActualText`` (what copy-paste and screen readers get), read here.
    """
    stream = signature.sig_field["/AP"]["/N"].data.decode("latin-1")
    shown = "\n".join(re.findall(r"/ActualText \(((?:[^()\\]|\\.)*)\)", stream))
    shown = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), shown)
    return re.sub(r"\\(.)", r"\1", shown)


def test_sha256_hex() -> None:
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_signature_is_an_incremental_update_covering_the_whole_file(
    station: Identity,
) -> None:
    original = make_pdf(pages=2)
    signed = sign(original, station)
    assert signed.startswith(original), "the original revision must be kept byte for byte"
    assert signed.rstrip().endswith(b"%%EOF")
    _, signature = _only_signature(signed)
    start1, length1, start2, length2 = (int(v) for v in signature.byte_range)
    assert start1 == 0 and start2 + length2 == len(signed)
    gap = signed[length1:start2]
    assert gap.startswith(b"<") and gap.endswith(b">")  # only the signature itself is left out


def test_signature_dictionary_is_pades_with_reason_location_and_name(
    station: Identity,
) -> None:
    signed = sign(make_pdf(), station, reason="Session 42 report", location="Room 1")
    _, signature = _only_signature(signed)
    assert signature.field_name == "KioskSignature"
    obj = signature.sig_object
    assert obj["/SubFilter"] == "/ETSI.CAdES.detached"
    assert obj["/Reason"] == "Session 42 report"
    assert obj["/Location"] == "Room 1"
    assert obj["/Name"] == "Station vm (Centre X)"
    assert signature.md_algorithm == "sha256"
    embedded = {c.dump() for c in signature.signed_data["certificates"]}
    der_chain = {c.public_bytes(encoding=_der()) for c in (station.certificate, *station.chain)}
    assert embedded == der_chain, "the signer's certificate and its chain are embedded"


def _der():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def test_visible_stamp_shows_signer_date_and_reason_on_the_last_page(
    station: Identity,
) -> None:
    signed = sign(make_pdf(pages=3), station, reason="Assessment report — session 42")
    reader, signature = _only_signature(signed)
    field = signature.sig_field
    assert [float(v) for v in field["/Rect"]] == list(DEFAULT_VISIBLE_BOX)
    pages = _page_refs(reader)
    assert field.raw_get("/P") == pages[-1]
    annotations = pages[-1].get_object()["/Annots"]
    assert [a.get_object() for a in annotations] == [field]
    assert all("/Annots" not in page.get_object() for page in pages[:-1])
    text = _stamp_text(signature)
    assert "Digitally signed by Station vm (Centre X)" in text
    assert f"Date: {dt.datetime.now().astimezone():%Y-%m-%d}" in text
    assert "Reason: Assessment report - session 42" in text


def test_stamp_on_a_chosen_page_and_box(station: Identity) -> None:
    signed = sign(make_pdf(pages=3), station, page=0, visible_box=(300, 700, 560, 780))
    reader, signature = _only_signature(signed)
    assert signature.sig_field.raw_get("/P") == _page_refs(reader)[0]
    assert [float(v) for v in signature.sig_field["/Rect"]] == [300, 700, 560, 780]


def test_stamp_text_outside_latin1_is_replaced_but_name_keeps_unicode(
    station: Identity,
) -> None:
    label = "Station Łódź 北京"
    signed = sign(make_pdf(), station, signer_label=label)
    _, signature = _only_signature(signed)
    assert signature.sig_object["/Name"] == label
    # ó is Latin-1, ź has the base letter z, Ł has none, CJK has none
    assert "Digitally signed by Station ?ódz ??" in _stamp_text(signature)


def test_refuses_non_pdf_input_and_empty_boxes(station: Identity) -> None:
    with pytest.raises(ValueError, match="%PDF-"):
        sign(b"hello", station)
    with pytest.raises(ValueError, match="empty"):
        sign(make_pdf(), station, visible_box=(100, 100, 100, 150))


def test_refuses_to_sign_with_an_expired_identity(authority: Authority) -> None:
    expired = issue_station_certificate(authority, "Old station", valid_days=1)
    frozen = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    from reports.pki import check_signing_certificate

    with pytest.raises(ValueError, match="expired"):
        check_signing_certificate(expired.certificate, at=frozen)


@pytest.mark.slow
def test_signing_a_100_kb_report_keeps_it_whole(station: Identity) -> None:
    original = make_pdf(pages=80, lines_per_page=70)
    assert len(original) > 90_000
    signed = sign_pdf(
        original, station, reason="Assessment report", location="Room 1", signer_label="S"
    )
    _, signature = _only_signature(signed)
    assert int(signature.byte_range[2]) + int(signature.byte_range[3]) == len(signed)
    # one field, the stamp with its embedded font subset, and the signature
    assert len(signed) - len(original) < 30_000


# -- poppler's pdfsig: an independent validator ------------------------------------------


@pytest.mark.slow
def test_pdfsig_reports_the_signature_valid_and_trusted(
    tmp_path: Path, nss_dir: Path, signed_pdf: bytes
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(signed_pdf)
    output = pdfsig(path, nss_dir)
    assert "Signature Validation: Signature is Valid." in output, output
    assert "Certificate Validation: Certificate is Trusted." in output, output
    assert "Total document signed" in output, output
    assert "Signature Type: ETSI.CAdES.detached" in output, output
    assert "Signer Certificate Common Name: Station vm" in output, output


def test_pdfsig_reports_a_tampered_file_invalid(
    tmp_path: Path, nss_dir: Path, signed_pdf: bytes
) -> None:
    tampered = bytearray(signed_pdf)
    position = signed_pdf.index(b"/MediaBox") + 1
    tampered[position] ^= 0x20  # /MediaBox -> /mediaBox, inside the signed range
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(tampered))
    output = pdfsig(path, nss_dir)
    assert "Signature is Valid." not in output, output
    assert "Signature Validation: Digest Mismatch." in output, output


@pytest.mark.slow
def test_pdfsig_does_not_trust_a_signature_from_another_centre(
    tmp_path: Path, nss_dir: Path, other_authority: Authority
) -> None:
    stranger = issue_station_certificate(other_authority, "Station vm")
    path = tmp_path / "stranger.pdf"
    path.write_bytes(sign(make_pdf(), stranger))
    output = pdfsig(path, nss_dir)
    assert "Signature Validation: Signature is Valid." in output, output
    assert "Certificate is Trusted." not in output, output


# -- the stamp font ---------------------------------------------------------------------


def _stamp_fonts(signed: bytes) -> list[tuple[str, bytes]]:
    """(BaseFont, embedded font program) of every font the signature's stamp uses."""
    _, signature = _only_signature(signed)
    found: list[tuple[str, bytes]] = []

    def walk(xobject) -> None:  # type: ignore[no-untyped-def]
        resources = xobject.get("/Resources", {})
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                descriptor = descendant["/FontDescriptor"]
                program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                found.append((str(descendant["/BaseFont"]), program.get_object().data))
        for inner in resources.get("/XObject", {}).values():
            walk(inner.get_object())

    walk(signature.sig_field["/AP"]["/N"])
    return found


def _planted_font() -> bytes:
    """A valid font another user could leave behind: Vera Bold, renamed 'PlantedFont'."""
    import reportlab
    from fontTools.ttLib import TTFont

    font = TTFont(str(Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf"))
    for record in font["name"].names:
        if record.nameID in (1, 4, 6):
            record.string = "PlantedFont"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@pytest.mark.slow
def test_a_font_planted_in_a_shared_or_cache_folder_is_never_embedded(
    station: Identity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    import platformdirs
    import reportlab
    from fontTools.ttLib import TTFont

    from reports import signing

    shared, cache = tmp_path / "tmp", tmp_path / "cache"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    planted = _planted_font()
    vera = (Path(reportlab.__file__).parent / "fonts" / "Vera.ttf").read_bytes()
    old_name = f"kiosk-stamp-vera-{hashlib.sha256(vera).hexdigest()[:12]}.ttf"
    user_cache = Path(platformdirs.user_cache_dir("kiosk"))
    for folder in (shared, user_cache, user_cache / "fonts"):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / old_name).write_bytes(planted)
        (folder / "stamp-font.ttf").write_bytes(planted)

    signing.stamp_font_bytes.cache_clear()  # build it here, among the planted files
    signed = sign(make_pdf(), station)

    fonts = _stamp_fonts(signed)
    assert fonts, "the stamp embeds its font"
    ours = TTFont(io.BytesIO(signing.stamp_font_bytes()))
    for base_font, program in fonts:
        assert base_font.endswith("+" + signing.STAMP_FONT_NAME), base_font
        embedded = TTFont(io.BytesIO(program))
        assert embedded["head"].unitsPerEm == 1000
        # Every glyph the subset kept has our outline and our advance width.
        drawn = [
            name for name in embedded.getGlyphOrder() if embedded["glyf"][name].numberOfContours
        ]
        assert drawn
        for name in drawn:
            assert embedded["hmtx"][name] == ours["hmtx"][name], name
            assert list(embedded["glyf"][name].coordinates) == list(
                ours["glyf"][name].coordinates
            ), name
    assert b"PlantedFont" not in signed
    assert sorted(p.name for p in shared.iterdir()) == sorted([old_name, "stamp-font.ttf"])


@pytest.mark.slow
def test_the_stamp_font_is_made_in_memory_the_same_every_time() -> None:
    from fontTools.ttLib import TTFont

    from reports import signing

    first = signing.stamp_font_bytes()
    assert signing.stamp_font_bytes.__wrapped__() == first
    font = TTFont(io.BytesIO(first))
    assert font["head"].unitsPerEm == 1000
    names = {record.toUnicode() for record in font["name"].names if record.nameID in (1, 6)}
    assert names == {"Kiosk Stamp Sans", signing.STAMP_FONT_NAME}
    assert not hasattr(signing, "tempfile")
