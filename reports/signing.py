"""Sign report PDFs: a PAdES baseline (B-B) signature with a visible stamp.

Contract
--------
``sign_pdf(pdf_bytes, identity, reason=..., location=..., signer_label=...)`` returns new
PDF bytes: the input followed by ONE incremental update that adds a signature field
(``field_name``, default ``KioskSignature``) on the chosen page (default: the last) with
a visible appearance showing the signer label, the signing date and the reason, and the
signature itself. Because the signature is the last thing written, its ``/ByteRange``
covers the whole output file except the ``/Contents`` hex string that holds the CMS
signature; :mod:`reports.verify` insists on exactly that.

The signature is ``/SubFilter /ETSI.CAdES.detached`` (pyHanko ``PdfSigner`` with
``PdfSignatureMetadata(subfilter=PADES, md_algorithm="sha256")``): SHA-256 over the byte
range, CAdES signed attributes including signing-certificate-v2, and the signer's chain
(station certificate plus centre authority) embedded so verifiers can build the path.

No timestamp server is contacted: stations must work offline, so the signing time in the
signature and on the stamp is the station's own clock (claimed, not attested). A verifier
therefore cannot prove *when* a report was signed, only by whom and that it is unchanged;
the report hash stored with the session and sent by sync is the independent record. If a
centre later gets a TSA, pass a ``timestamper`` to ``PdfSigner`` (PAdES B-T).

The stamp uses "Kiosk Stamp Sans": Bitstream Vera (shipped with reportlab) rescaled to
1000 units per em and renamed (the Vera licence asks modified copies to drop the name),
embedded as a subset like every font of a report; characters outside Latin-1 are shown
as their ASCII base letter or ``?`` on the stamp only. The ``/Name``, ``/Reason`` and
``/Location`` entries of the signature keep full Unicode.

The stamp font is made in memory, once per process (:func:`stamp_font_bytes`, about a
quarter of a second), and handed to pyHanko as bytes: no file is read from or written to
a shared folder. (Earlier versions cached it in the temp folder under a predictable
name, where anyone could plant a font that then went into every signed report.)

pyHanko runs its signing coroutine with ``asyncio.run``: call ``sign_pdf`` from a plain
(worker) thread, never from inside a running event loop. Costs tens of milliseconds.
"""

from __future__ import annotations

import functools
import hashlib
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import reportlab
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from reports.monofont import renamed_font_bytes
from reports.pki import Identity, check_signing_certificate

__all__ = [
    "DEFAULT_FIELD_NAME",
    "DEFAULT_VISIBLE_BOX",
    "STAMP_FONT_NAME",
    "sha256_hex",
    "sign_pdf",
    "stamp_font_bytes",
]

DEFAULT_FIELD_NAME = "KioskSignature"
DEFAULT_VISIBLE_BOX: tuple[float, float, float, float] = (36.0, 36.0, 306.0, 100.0)
"""Lower-left corner of the page, 270 x 64 pt, in PDF user space (points)."""

_STAMP_TEXT = "Digitally signed by %(signer)s\nDate: %(ts)s\nReason: %(reason)s"
_VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


STAMP_FONT_NAME = "KioskStampSans"
"""The PostScript name of the stamp font (the embedded subset is ``XXXXXX+`` this)."""


@functools.cache
def stamp_font_bytes() -> bytes:
    """Vera rescaled to 1000 units per em and renamed: the stamp's TrueType font.

    pyHanko writes a CID font's /W widths in the font's own units, which PDF reads as
    thousandths of an em; Vera has 2048 units per em, so its glyphs would be spaced
    twice too wide. A copy with 1000 units per em is drawn correctly. Built in memory
    from reportlab's own Vera, the same bytes every time (no timestamp is written).
    """
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(_VERA), recalcTimestamp=False)
    scale_upem(font, 1000)
    return renamed_font_bytes(
        font,
        {
            1: "Kiosk Stamp Sans",
            3: "Kiosk Stamp Sans: Bitstream Vera Sans 1.10 at 1000 units per em",
            4: "Kiosk Stamp Sans",
            6: STAMP_FONT_NAME,
        },
    )


@dataclass(frozen=True)
class _InMemoryFont(GlyphAccumulatorFactory):
    """pyHanko's glyph accumulator over font bytes held in memory, not a file path."""

    font_bytes: bytes = b""

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(self.font_bytes),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


def _stamp_style() -> TextStampStyle:
    # The stamp's font is embedded (subset), like every other font of a report.
    return TextStampStyle(
        stamp_text=_STAMP_TEXT,
        timestamp_format="%Y-%m-%d %H:%M:%S %z",
        border_width=1,
        text_box_style=TextBoxStyle(
            font_size=8,
            font=_InMemoryFont(font_file=f"<{STAMP_FONT_NAME}>", font_bytes=stamp_font_bytes()),
        ),
    )


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of ``data`` (the report hash the store keeps)."""
    return hashlib.sha256(data).hexdigest()


_PUNCTUATION = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
    }
)


def _stamp_safe(text: str) -> str:
    """Text the Courier/WinAnsi stamp can show: Latin-1, else ASCII base letter, else '?'."""
    shown = []
    for char in text.replace("\n", " ").translate(_PUNCTUATION):
        if char.isprintable() and ord(char) < 256:
            shown.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        shown.append(base if base and base.isprintable() else "?")
    return "".join(shown)


def _pyhanko_signer(identity: Identity) -> signers.SimpleSigner:
    der = serialization.Encoding.DER
    key_der = identity.private_key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = SimpleCertificateStore()  # type: ignore[no-untyped-call]  # untyped upstream
    chain.register_multiple(asn1_x509.Certificate.load(c.public_bytes(der)) for c in identity.chain)
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(identity.certificate.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=chain,
    )


def sign_pdf(
    pdf_bytes: bytes,
    identity: Identity,
    *,
    reason: str,
    location: str,
    signer_label: str,
    field_name: str = DEFAULT_FIELD_NAME,
    visible_box: tuple[float, float, float, float] = DEFAULT_VISIBLE_BOX,
    page: int = -1,
) -> bytes:
    """Return ``pdf_bytes`` with a visible PAdES signature by ``identity`` appended.

    ``visible_box`` is ``(x1, y1, x2, y2)`` in points on ``page`` (0-based; negative
    counts from the end, so -1 is the last page). ``signer_label`` is what the stamp and
    the signature's ``/Name`` show (e.g. ``"Station vm (Centre X)"``).

    Raises ``ValueError`` if the input is not a PDF, the box is empty, or the identity's
    certificate may not sign (expired, wrong key usage, ...).
    """
    if not pdf_bytes.startswith(b"%PDF-"):
        raise ValueError("sign_pdf expects PDF bytes (they must start with %PDF-)")
    x1, y1, x2, y2 = visible_box
    if x2 - x1 < 1 or y2 - y1 < 1:
        raise ValueError(f"visible_box {visible_box} is empty; expected (x1, y1, x2, y2)")
    check_signing_certificate(identity.certificate)

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=signer_label,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        _pyhanko_signer(identity),
        stamp_style=_stamp_style(),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=page,
            box=(int(x1), int(y1), int(x2), int(y2)),
        ),
    )
    # The stamp's own text parameters override the /Name-derived 'signer'.
    output = pdf_signer.sign_pdf(
        writer,
        appearance_text_params={
            "signer": _stamp_safe(signer_label),
            "reason": _stamp_safe(reason),
        },
    )
    signed: bytes = output.getvalue()
    return signed
