"""The report's look: page geometry, fonts, colours and paragraph styles.

Contract
--------
* Page: A4 (:data:`PAGE_SIZE`) with fixed margins; :data:`FRAME_W` by
  :data:`FRAME_H` is the text area.  :data:`SIGNATURE_BOX` is where the visible
  signature goes on the last page, in PDF points with the origin bottom left.
* Fonts: only embedded TrueType fonts – Bitstream Vera (roman, bold, italic, bold
  italic) as shipped inside reportlab, and Kiosk Mono derived from it
  (:mod:`reports.monofont`) for hashes and ids.  :func:`register_fonts` registers
  them once and returns the code points all four Vera faces cover;
  :func:`printable` replaces what they lack before anything is drawn: ``"↔"``
  becomes ``"<->"``, Greek mu the micro sign, and anything else without a glyph its
  ASCII base letter or ``"?"`` – never an empty box.
* Colours: a muted, print-friendly palette; warnings in amber.
* Styles: :func:`styles` names every paragraph style the report uses, all in Vera
  (reportlab's defaults, Helvetica, are not embedded; :func:`table_style` sets the
  table font for the same reason).  :func:`para` makes a paragraph of markup in a
  named style; the markup must already be safe (:mod:`reports.formatting`).
"""

from __future__ import annotations

import functools
import io
import os
import unicodedata
from collections.abc import Sequence
from typing import Any

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, TableStyle

from reports.monofont import mono_font_bytes

__all__ = [
    "ACCENT",
    "BAND",
    "BAR",
    "FONT_BOLD",
    "FONT_BOLD_ITALIC",
    "FONT_ITALIC",
    "FONT_MONO",
    "FONT_REGULAR",
    "FRAME_H",
    "FRAME_W",
    "HEADER_FILL",
    "INK",
    "MARGIN_BOTTOM",
    "MARGIN_TOP",
    "MARGIN_X",
    "MUTED",
    "PAGE_H",
    "PAGE_SIZE",
    "PAGE_W",
    "RULE",
    "SIGNATURE_BOX",
    "TRACK",
    "WARN_EDGE",
    "WARN_FILL",
    "WARN_INK",
    "para",
    "printable",
    "register_fonts",
    "ruled_table_style",
    "styles",
    "table_style",
    "with_next",
]

PAGE_SIZE: tuple[float, float] = A4
PAGE_W, PAGE_H = A4
MARGIN_X = 50.0
MARGIN_TOP = 64.0
MARGIN_BOTTOM = 60.0
FRAME_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM

#: Where the signature goes on the last page: (x1, y1, x2, y2) in PDF points, origin
#: bottom left.  Bottom right of the text area, 250 x 70 pt; nothing else is drawn here.
SIGNATURE_BOX: tuple[float, float, float, float] = (295.0, 60.0, 545.0, 130.0)

FONT_REGULAR = "Vera"
FONT_BOLD = "Vera-Bold"
FONT_ITALIC = "Vera-Italic"
FONT_BOLD_ITALIC = "Vera-BoldItalic"
FONT_MONO = "KioskMono"
_FONT_FILES = {
    FONT_REGULAR: "Vera.ttf",
    FONT_BOLD: "VeraBd.ttf",
    FONT_ITALIC: "VeraIt.ttf",
    FONT_BOLD_ITALIC: "VeraBI.ttf",
}

# Palette: muted, print-friendly; the bars use one colour in both directions
# because neither end of a trait is better.
INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#5F6B7A")
ACCENT = colors.HexColor("#24466E")
BAR = colors.HexColor("#4A78AD")
RULE = colors.HexColor("#D3D9E0")
TRACK = colors.HexColor("#F3F5F8")
BAND = colors.HexColor("#E1E7EF")
HEADER_FILL = colors.HexColor("#EEF1F5")
WARN_INK = colors.HexColor("#7A4D00")
WARN_FILL = colors.HexColor("#FFF5DF")
WARN_EDGE = colors.HexColor("#D99A2B")


_FALLBACKS = {
    "\u2194": "<->",
    "\u2192": "->",
    "\u2190": "<-",
    "\u03bc": "\u00b5",
    "\u03a6": "Phi",
    "\u2032": "'",
    "\u2033": '"',
    "\u2009": " ",
    "\u202f": "\u00a0",
    "\u2011": "-",
    "\u200b": "",
}


# --------------------------------------------------------------------------- fonts


@functools.cache
def register_fonts() -> frozenset[int]:
    """Register the Vera family once; return the code points all four faces cover."""
    font_dir = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    covered: frozenset[int] | None = None
    for name, filename in _FONT_FILES.items():
        path = os.path.join(font_dir, filename)
        if not os.path.exists(path):  # pragma: no cover - depends on the reportlab build
            raise RuntimeError(f"reportlab's bundled font {filename} is missing ({path})")
        font = TTFont(name, path)
        pdfmetrics.registerFont(font)
        cmap = frozenset(font.face.charToGlyph)
        covered = cmap if covered is None else covered & cmap
    # The monospaced face is for ASCII hashes and ids only: not part of ``covered``.
    pdfmetrics.registerFont(TTFont(FONT_MONO, io.BytesIO(mono_font_bytes())))
    pdfmetrics.registerFontFamily(
        FONT_REGULAR,
        normal=FONT_REGULAR,
        bold=FONT_BOLD,
        italic=FONT_ITALIC,
        boldItalic=FONT_BOLD_ITALIC,
    )
    assert covered is not None
    return covered


def printable(value: str) -> str:
    """``value`` with every character the embedded fonts lack replaced (see module doc)."""
    covered = register_fonts()
    if all(ord(char) in covered for char in value):
        return value
    out: list[str] = []
    for char in value:
        if ord(char) in covered:
            out.append(char)
        elif char in _FALLBACKS:
            out.append(_FALLBACKS[char])
        elif char in "\n\t":
            out.append(" ")
        else:
            base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(base if base.isprintable() and base else "?")
    return "".join(out)


# ------------------------------------------------------------------------- styles


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle(
        "base",
        fontName=FONT_REGULAR,
        bulletFontName=FONT_REGULAR,  # the default bullet font is Helvetica: not embedded
        fontSize=9,
        leading=12.6,
        textColor=INK,
        allowWidows=0,
        allowOrphans=0,
    )

    def derive(name: str, **changes: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **changes)

    return {
        "body": base,
        "kicker": derive("kicker", fontName=FONT_BOLD, fontSize=10, leading=13, textColor=ACCENT),
        "pseudonym_label": derive(
            "pseudonym_label", fontSize=8, leading=10, textColor=MUTED, spaceBefore=10
        ),
        "pseudonym": derive("pseudonym", fontName=FONT_BOLD, fontSize=26, leading=31, spaceAfter=8),
        "field_label": derive("field_label", fontSize=7.5, leading=9.5, textColor=MUTED),
        "field_value": derive("field_value", fontSize=9.5, leading=12),
        "purpose": derive(
            "purpose", fontName=FONT_ITALIC, fontSize=8.5, leading=11.5, textColor=MUTED
        ),
        "warn_title": derive(
            "warn_title", fontName=FONT_BOLD, fontSize=10, leading=13, textColor=WARN_INK
        ),
        "warn_body": derive("warn_body", fontSize=8.5, leading=11.5, textColor=WARN_INK),
        "h1": derive(
            "h1",
            fontName=FONT_BOLD,
            fontSize=13,
            leading=16,
            textColor=ACCENT,
            spaceBefore=16,
            spaceAfter=0,
            keepWithNext=1,
        ),
        "h2": derive(
            "h2",
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=14,
            spaceBefore=10,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "help": derive("help", fontSize=8, leading=10.8, textColor=INK, spaceAfter=4),
        "note": derive("note", fontSize=8, leading=10.8, textColor=MUTED, spaceAfter=3),
        "warn_note": derive(
            "warn_note", fontSize=8, leading=10.8, textColor=WARN_INK, spaceAfter=3
        ),
        "th": derive("th", fontName=FONT_BOLD, fontSize=7.5, leading=9.5, textColor=MUTED),
        "th_right": derive(
            "th_right",
            fontName=FONT_BOLD,
            fontSize=7.5,
            leading=9.5,
            textColor=MUTED,
            alignment=TA_RIGHT,
        ),
        "cell": derive("cell", fontSize=8.5, leading=11),
        "cell_right": derive("cell_right", fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "cell_bold": derive("cell_bold", fontName=FONT_BOLD, fontSize=8.5, leading=11),
        "cell_meaning": derive("cell_meaning", fontSize=7.5, leading=9.6, textColor=MUTED),
        "cell_flag": derive(
            "cell_flag", fontSize=7.5, leading=9.6, textColor=WARN_INK, splitLongWords=0
        ),
        "kv_label": derive("kv_label", fontSize=8.5, leading=11.5, textColor=MUTED),
        "kv_value": derive("kv_value", fontSize=9, leading=12),
        "hash": derive("hash", fontSize=9.5, leading=13, textColor=INK),
        "bullet": derive(
            "bullet", fontSize=8.5, leading=11.5, leftIndent=12, bulletIndent=2, spaceAfter=3
        ),
        "glossary_term": derive("glossary_term", fontName=FONT_BOLD, fontSize=8, leading=10.5),
        "glossary_text": derive("glossary_text", fontSize=8, leading=10.5),
        "sig_note": derive("sig_note", fontName=FONT_BOLD, fontSize=8.5, leading=11, spaceAfter=3),
        "sig_text": derive("sig_text", fontSize=7.5, leading=9.6, textColor=MUTED),
        "mono": derive("mono", fontName=FONT_MONO, fontSize=7, leading=9.2),
        "evidence_value": derive("evidence_value", fontSize=8, leading=10.5),
        "evidence_note": derive("evidence_note", fontSize=7, leading=9, textColor=MUTED),
    }


def table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A TableStyle whose cell font is Vera (the default, Helvetica, is not embedded)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR), *commands])


def ruled_table_style(
    padding: tuple[float, float, float, float],
    *,
    header: bool = False,
    extra: Sequence[tuple[Any, ...]] = (),
) -> TableStyle:
    """The report's ruled tables: cells top-aligned, a thin rule under every row.

    ``padding`` is (left, right, top, bottom) for every cell; ``header`` shades the
    first row; ``extra`` commands come last and so override the ones before.
    """
    left, right, top, bottom = padding
    return table_style(
        [
            *([("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL)] if header else []),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), left),
            ("RIGHTPADDING", (0, 0), (-1, -1), right),
            ("TOPPADDING", (0, 0), (-1, -1), top),
            ("BOTTOMPADDING", (0, 0), (-1, -1), bottom),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            *extra,
        ]
    )


def with_next(flowable: Flowable) -> Flowable:
    """Mark ``flowable`` to stay on the page of the flowable after it."""
    flowable.keepWithNext = 1
    return flowable


def para(markup: str, style: str) -> Paragraph:
    return Paragraph(markup, styles()[style])
