"""Build the assessment report PDF from a :class:`~reports.model.ReportData`.

Contract
--------
``build_report(data) -> bytes`` returns a complete, unsigned A4 PDF.  It does no
I/O besides returning the bytes, imports no Qt and no database, and the same input
gives byte-identical output (reportlab's ``invariant`` mode: fixed creation date
and document id).  Signing happens afterwards (:mod:`reports.signing`); pass
:data:`SIGNATURE_BOX` as the visible box on the last page (``page=-1``).

Layout, top to bottom: cover block (pseudonym, session, date, centre, station,
battery, norms) with the provisional-norms notice when the norms are provisional and
the other-design notice when some games' norms come from another battery design;
the abilities (higher is better) and the behavioural styles (neither end better),
each as a :class:`TraitProfileChart`; one table per game; data
quality with a glossary of the flags used; timing; proctor incidents; norms and
scoring versions; record integrity (event count and chain head); the evidence
block when :attr:`ReportData.evidence` is set; and the signature band.  Every page
has a header, and a footer with the session id and "Page N of M".

Evidence and DEMO
-----------------
With ``data.evidence`` set, the report shows an "Evidence" section (report id,
session, event chain head, the audit-log checkpoint with its signature shortened,
the station key's certificate fingerprint; hashes in small monospace) and carries
the same record machine-readable: the canonical JSON of
:func:`reports.model.evidence_json` as an embedded file named
:data:`EVIDENCE_FILE_NAME` (``kiosk-evidence.json``, MIME type
``application/json``, ``/AFRelationship /Data``) in the document catalog's
``/Names /EmbeddedFiles`` tree.  It is written into the unsigned PDF, so the
signature added afterwards covers it; :func:`reports.verify.verify_pdf` reads it
back from the signed bytes only.  An embedded file (rather than a document-info
entry) keeps the record byte-exact and lets any PDF reader save it as a file.

With ``evidence.demo`` every page carries a DEMO band above the header ("DEMO —
simulated candidate, not an assessment", in the report's language) and a large,
light "DEMO" behind the content, and the cover says that the candidate is
simulated.

Free text
---------
Everything that comes from data (names, pseudonym, centre, station, battery, game
and metric names, units, flags, notes) enters a Paragraph through one helper,
:func:`_markup`: control and format characters (bidi overrides, zero-width marks)
are dropped, characters the fonts lack replaced (:func:`printable`), and ``&``,
``<``, ``>`` escaped, so reportlab's mini-markup (``<font>``, ``<a href>``,
``<img src>``, entities) is shown as text and never interpreted.  Incident notes
keep their line breaks (at most 40 lines, blank runs collapsed; further breaks
become spaces) and are cut after :data:`~reports.model.MAX_NOTE_CHARS` characters
with "… (shortened)"; each note shows its author and time, and a long note may
continue on the next page.

Guarantees the tests check:

* Only embedded TrueType fonts: Bitstream Vera (roman, bold, italic, bold italic)
  as shipped inside reportlab, and Kiosk Mono derived from it
  (:mod:`reports.monofont`) for the evidence block's hashes; none of the 14
  standard PDF fonts is referenced (the canvas's initial font is Vera too).  The
  record-integrity chain head is set in Vera, in groups of eight hex digits.
* Text the fonts cannot show is replaced before drawing (:func:`printable`):
  ``"↔"`` becomes ``"<->"``, Greek mu the micro sign, and anything else without a
  glyph its ASCII base letter or ``"?"`` – never an empty box.
* On the last page nothing is drawn inside :data:`SIGNATURE_BOX` (PDF points,
  origin bottom left): the last flowable fills the rest of the frame and keeps
  its text left of the box, and the footer lies below it.
* Percentiles are printed by :func:`format_percentile` (whole numbers, "<1" and
  ">99" at the extremes, a dash when not estimated); a metric without a percentile
  says why in the percentile column ("none: too few trials" ...), and a trait that
  is not reported is drawn without a bar, with the reason.

Numbers follow the report language: ``1,234.5`` in English, ``1.234,5`` in German,
a true minus sign for negatives, a dash for NaN.
"""

from __future__ import annotations

import datetime
import functools
import io
import math
import os
import statistics
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from reports import labels
from reports.labels import flag_explanation, flag_name, text
from reports.model import (
    EVIDENCE_FILE_NAME,
    MAX_NOTE_CHARS,
    GameSection,
    MetricRow,
    ReportData,
    ReportEvidence,
    TraitRow,
    evidence_json,
)
from reports.monofont import mono_font_bytes
from reports.quality_section import engagement_block

__all__ = [
    "EVIDENCE_FILE_NAME",
    "FONT_BOLD",
    "FONT_BOLD_ITALIC",
    "FONT_ITALIC",
    "FONT_MONO",
    "FONT_REGULAR",
    "PAGE_SIZE",
    "SIGNATURE_BOX",
    "TraitProfileChart",
    "build_report",
    "format_number",
    "format_percentile",
    "printable",
]

PAGE_SIZE: tuple[float, float] = A4
_PAGE_W, _PAGE_H = A4
_MARGIN_X = 50.0
_MARGIN_TOP = 64.0
_MARGIN_BOTTOM = 60.0
_FRAME_W = _PAGE_W - 2 * _MARGIN_X
_FRAME_H = _PAGE_H - _MARGIN_TOP - _MARGIN_BOTTOM

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
_INK = colors.HexColor("#1F2933")
_MUTED = colors.HexColor("#5F6B7A")
_ACCENT = colors.HexColor("#24466E")
_BAR = colors.HexColor("#4A78AD")
_RULE = colors.HexColor("#D3D9E0")
_TRACK = colors.HexColor("#F3F5F8")
_BAND = colors.HexColor("#E1E7EF")
_HEADER_FILL = colors.HexColor("#EEF1F5")
_WARN_INK = colors.HexColor("#7A4D00")
_WARN_FILL = colors.HexColor("#FFF5DF")
_WARN_EDGE = colors.HexColor("#D99A2B")

_DASH = "\u2013"
_MINUS = "\u2212"
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
def _glyphs() -> frozenset[int]:
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
    covered = _glyphs()
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


_LINE_BREAKS = str.maketrans(
    {"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}
)


def _clean(value: str, *, keep_lines: bool = False) -> str:
    """``value`` without control or format characters; tabs become spaces.

    Line breaks (any of CR LF, CR, LF, VT, FF, NEL, LS, PS) become ``"\\n"`` when
    ``keep_lines``, else spaces.  Format characters (bidi overrides, zero-width marks,
    soft hyphens) are dropped: they could make text read differently than it is.
    """
    out: list[str] = []
    for char in value.replace("\r\n", "\n").translate(_LINE_BREAKS):
        if char == "\n":
            out.append("\n" if keep_lines else " ")
        elif char == "\t":
            out.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cf"):
            out.append(char)
    return "".join(out)


def _markup(value: str, *, keep_lines: bool = False) -> str:
    """Data text made safe for a Paragraph: the one way free text enters markup.

    Control and format characters dropped (:func:`_clean`), characters the fonts lack
    replaced (:func:`printable`), then ``&``, ``<`` and ``>`` escaped, so that nothing
    in ``value`` is read as reportlab markup.  With ``keep_lines`` line breaks become
    ``<br/>``.
    """
    lines = _clean(value, keep_lines=keep_lines).split("\n")
    return "<br/>".join(escape(printable(line)) for line in lines)


def _plain(value: str) -> str:
    """Data text for the canvas (header, footer, chart): cleaned, printable, one line."""
    return printable(_clean(value))


def _note_markup(note: str, language: str) -> str:
    """An incident note as markup: line breaks kept, cut after MAX_NOTE_CHARS characters."""
    shown = _clean(note, keep_lines=True).strip()
    # Runs of blank lines collapse to one, and a note keeps at most 40 line breaks.
    lines = [line.rstrip() for line in shown.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    shown = "\n".join(kept[:40]) + (" " + " ".join(kept[40:]) if len(kept) > 40 else "")
    if len(shown) > MAX_NOTE_CHARS:
        shown = shown[:MAX_NOTE_CHARS].rstrip() + " " + text(language, "note_shortened")
    return _markup(shown, keep_lines=True)


def _mono(value: str) -> str:
    """ASCII-only markup for the monospaced face (hashes, ids, base64)."""
    ascii_only = "".join(char if " " <= char <= "~" else "?" for char in _clean(value))
    return escape(ascii_only)


def _hex_groups(value: str, per_line: int = 4) -> str:
    """Hex digits in groups of eight, ``per_line`` groups to a line, as mono markup."""
    groups = [value[i : i + 8] for i in range(0, len(value), 8)]
    lines = [" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line)]
    return "<br/>".join(_mono(line) for line in lines)


# ------------------------------------------------------------------------ numbers


def format_number(value: float, language: str, decimals: int | None = None) -> str:
    """``value`` in the language's notation; a dash for NaN or infinity.

    ``decimals=None`` picks 0 decimals from 100 up, 1 from 10, 2 from 0.1, else 3.
    """
    if value is None or not math.isfinite(value):
        return _DASH
    if decimals is None:
        size = abs(value)
        decimals = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 0.1 or size == 0 else 3
    shown = f"{abs(value):,.{decimals}f}"
    if language == "de":
        shown = shown.replace(",", "\0").replace(".", ",").replace("\0", ".")
    negative = value < 0 and shown.strip("0.,") != ""
    return (_MINUS if negative else "") + shown


def format_percentile(value: float | None) -> str:
    """A percentile as printed: whole numbers 1–99, "<1", ">99", or a dash."""
    if value is None or not math.isfinite(value):
        return _DASH
    if value < 1.0:
        return "<1"
    if value > 99.0:
        return ">99"
    return str(math.floor(value + 0.5))


def _format_percent(share: float, language: str) -> str:
    number = format_number(100.0 * share, language, 2)
    return f"{number}\u00a0%" if language == "de" else f"{number}%"


def _format_int(value: int, language: str) -> str:
    return format_number(float(value), language, 0)


def _zone(moment: datetime.datetime) -> str:
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return " (UTC)"
    sign = "+" if minutes > 0 else _MINUS
    hours, mins = divmod(abs(minutes), 60)
    return f" (UTC{sign}{hours}:{mins:02d})" if mins else f" (UTC{sign}{hours})"


def _format_datetime(moment: datetime.datetime, language: str, zone: bool = True) -> str:
    shown = text(
        language,
        "date_format",
        day=moment.day,
        month=labels.month_name(language, moment.month),
        year=moment.year,
        hh=f"{moment.hour:02d}",
        mm=f"{moment.minute:02d}",
    )
    return shown + (_zone(moment) if zone else "")


def _format_date(moment: datetime.datetime, language: str) -> str:
    return text(
        language,
        "date_short_format",
        day=moment.day,
        month=labels.month_name(language, moment.month),
        year=moment.year,
    )


def _format_ci(low: float, high: float, language: str, decimals: int | None) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return _DASH
    return text(
        language,
        "ci_format",
        lo=format_number(low, language, decimals),
        hi=format_number(high, language, decimals),
    )


def _decimals(row: MetricRow) -> int | None:
    """One number of decimals for value and CI, chosen from the value (or the CI)."""
    if row.decimals is not None:
        return row.decimals
    for candidate in (row.value, row.ci_high, row.ci_low):
        if math.isfinite(candidate):
            size = abs(candidate)
            return 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 0.1 else 3
    return None


# ------------------------------------------------------------------------- styles


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    _glyphs()
    base = ParagraphStyle(
        "base",
        fontName=FONT_REGULAR,
        bulletFontName=FONT_REGULAR,  # the default bullet font is Helvetica: not embedded
        fontSize=9,
        leading=12.6,
        textColor=_INK,
        allowWidows=0,
        allowOrphans=0,
    )

    def derive(name: str, **changes: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **changes)

    return {
        "body": base,
        "kicker": derive("kicker", fontName=FONT_BOLD, fontSize=10, leading=13, textColor=_ACCENT),
        "pseudonym_label": derive(
            "pseudonym_label", fontSize=8, leading=10, textColor=_MUTED, spaceBefore=10
        ),
        "pseudonym": derive("pseudonym", fontName=FONT_BOLD, fontSize=26, leading=31, spaceAfter=8),
        "field_label": derive("field_label", fontSize=7.5, leading=9.5, textColor=_MUTED),
        "field_value": derive("field_value", fontSize=9.5, leading=12),
        "purpose": derive(
            "purpose", fontName=FONT_ITALIC, fontSize=8.5, leading=11.5, textColor=_MUTED
        ),
        "warn_title": derive(
            "warn_title", fontName=FONT_BOLD, fontSize=10, leading=13, textColor=_WARN_INK
        ),
        "warn_body": derive("warn_body", fontSize=8.5, leading=11.5, textColor=_WARN_INK),
        "h1": derive(
            "h1",
            fontName=FONT_BOLD,
            fontSize=13,
            leading=16,
            textColor=_ACCENT,
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
        "help": derive("help", fontSize=8, leading=10.8, textColor=_INK, spaceAfter=4),
        "note": derive("note", fontSize=8, leading=10.8, textColor=_MUTED, spaceAfter=3),
        "warn_note": derive(
            "warn_note", fontSize=8, leading=10.8, textColor=_WARN_INK, spaceAfter=3
        ),
        "th": derive("th", fontName=FONT_BOLD, fontSize=7.5, leading=9.5, textColor=_MUTED),
        "th_right": derive(
            "th_right",
            fontName=FONT_BOLD,
            fontSize=7.5,
            leading=9.5,
            textColor=_MUTED,
            alignment=TA_RIGHT,
        ),
        "cell": derive("cell", fontSize=8.5, leading=11),
        "cell_right": derive("cell_right", fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "cell_bold": derive("cell_bold", fontName=FONT_BOLD, fontSize=8.5, leading=11),
        "cell_meaning": derive("cell_meaning", fontSize=7.5, leading=9.6, textColor=_MUTED),
        "cell_flag": derive("cell_flag", fontSize=7.5, leading=9.6, textColor=_WARN_INK),
        "kv_label": derive("kv_label", fontSize=8.5, leading=11.5, textColor=_MUTED),
        "kv_value": derive("kv_value", fontSize=9, leading=12),
        "hash": derive("hash", fontSize=9.5, leading=13, textColor=_INK),
        "bullet": derive(
            "bullet", fontSize=8.5, leading=11.5, leftIndent=12, bulletIndent=2, spaceAfter=3
        ),
        "glossary_term": derive("glossary_term", fontName=FONT_BOLD, fontSize=8, leading=10.5),
        "glossary_text": derive("glossary_text", fontSize=8, leading=10.5),
        "sig_note": derive("sig_note", fontName=FONT_BOLD, fontSize=8.5, leading=11, spaceAfter=3),
        "sig_text": derive("sig_text", fontSize=7.5, leading=9.6, textColor=_MUTED),
        "mono": derive("mono", fontName=FONT_MONO, fontSize=7, leading=9.2),
        "evidence_value": derive("evidence_value", fontSize=8, leading=10.5),
        "evidence_note": derive("evidence_note", fontSize=7, leading=9, textColor=_MUTED),
    }


def _table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A TableStyle whose cell font is Vera (the default, Helvetica, is not embedded)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR), *commands])


def _with_next(flowable: Flowable) -> Flowable:
    """Mark ``flowable`` to stay on the page of the flowable after it."""
    flowable.keepWithNext = 1
    return flowable


def _p(markup: str, style: str) -> Paragraph:
    return Paragraph(markup, _styles()[style])


# -------------------------------------------------------------------------- chart


_Z_RANGE = 3.0
_TICKS = ((-2.0, "2"), (-1.0, "16"), (0.0, "50"), (1.0, "84"), (2.0, "98"))
_NORMAL = statistics.NormalDist()


def _z_of_percentile(percentile: float) -> float:
    share = min(max(percentile / 100.0, 1e-6), 1.0 - 1e-6)
    return float(_NORMAL.inv_cdf(share))


class TraitProfileChart(Flowable):  # type: ignore[misc]
    """The nine traits as bi-directional bars around the 50th percentile.

    One row per trait: its name and "percentile P · 95% CI L–H" above a horizontal
    track; the low end's name left of the track, the high end's name right of it.
    The track runs over z = −3 … +3 (percentiles 0.1 … 99.9), labelled in
    percentiles; a bar runs from the centre line to the trait's z, a whisker with
    caps shows the 95% CI, a shaded band the 16th–84th percentile, light
    gridlines the 16th and 84th, and a darker centre line the 50th.
    """

    width: float
    height: float
    _AXIS_H = 20.0
    _ROW_H = 28.0
    _LABEL_W = 108.0
    _GAP = 9.0

    def __init__(self, traits: Sequence[TraitRow], language: str) -> None:
        super().__init__()
        self.traits = tuple(traits)
        self.language = language
        self.width = _FRAME_W
        self.height = self._AXIS_H + self._ROW_H * len(self.traits) + 4.0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        return self.width, self.height

    def _x(self, z: float) -> float:
        x0 = self._LABEL_W + self._GAP
        x1 = self.width - self._LABEL_W - self._GAP
        clipped = min(max(z, -_Z_RANGE), _Z_RANGE)
        return x0 + (clipped + _Z_RANGE) / (2 * _Z_RANGE) * (x1 - x0)

    def _end_label(self, label: str, x: float, y: float, align_right: bool) -> None:
        canv = self.canv
        label = _plain(label)
        size = 8.0
        lines = [label]
        if pdfmetrics.stringWidth(label, FONT_REGULAR, size) > self._LABEL_W:
            from reportlab.lib.utils import simpleSplit

            lines = simpleSplit(label, FONT_REGULAR, size, self._LABEL_W)
            while len(lines) > 2 and size > 6.0:
                size -= 0.5
                lines = simpleSplit(label, FONT_REGULAR, size, self._LABEL_W)
        leading = size + 1.5
        canv.setFont(FONT_REGULAR, size)
        canv.setFillColor(_INK)
        top = y - 0.35 * size + (len(lines) - 1) * leading / 2
        for index, line in enumerate(lines):
            baseline = top - index * leading
            if align_right:
                canv.drawRightString(x, baseline, line)
            else:
                canv.drawString(x, baseline, line)

    def draw(self) -> None:
        canv = self.canv
        language = self.language
        x_lo, x_hi = self._x(-_Z_RANGE), self._x(_Z_RANGE)
        top = self.height
        rows_top = top - self._AXIS_H
        bar_offsets = [rows_top - i * self._ROW_H - 18.0 for i in range(len(self.traits))]

        # Axis: percentile ticks above the rows, title right-aligned in the label column.
        canv.setFont(FONT_REGULAR, 7)
        canv.setFillColor(_MUTED)
        canv.drawRightString(x_lo - self._GAP, top - 10, printable(text(language, "chart_axis")))
        for z, tick in _TICKS:
            canv.drawCentredString(self._x(z), top - 10, tick)
        canv.setStrokeColor(_RULE)
        canv.setLineWidth(0.5)
        for z, _ in _TICKS:
            canv.line(self._x(z), top - 14, self._x(z), top - 17)

        # Tracks and the 16th-84th band, one per row so that captions stay clean.
        for y in bar_offsets:
            canv.setFillColor(_TRACK)
            canv.rect(x_lo, y - 6, x_hi - x_lo, 12, stroke=0, fill=1)
            canv.setFillColor(_BAND)
            canv.rect(self._x(-1), y - 6, self._x(1) - self._x(-1), 12, stroke=0, fill=1)

        # Gridlines cross each track (not the captions between them): 16th/84th light,
        # 2nd/98th fainter and dashed; the centre line, drawn last, darker.
        for y in bar_offsets:
            canv.setLineWidth(0.5)
            canv.setStrokeColor(colors.HexColor("#B7C1CC"))
            for z in (-1.0, 1.0):
                canv.line(self._x(z), y - 7.5, self._x(z), y + 7.5)
            canv.setStrokeColor(colors.HexColor("#D5DBE2"))
            canv.setDash(1.5, 2)
            for z in (-2.0, 2.0):
                canv.line(self._x(z), y - 7.5, self._x(z), y + 7.5)
            canv.setDash()

        for trait, y in zip(self.traits, bar_offsets, strict=True):
            self._draw_row(trait, y, x_lo, x_hi)

        canv.setStrokeColor(colors.HexColor("#56616E"))
        canv.setLineWidth(0.9)
        for y in bar_offsets:
            canv.line(self._x(0), y - 8, self._x(0), y + 8)

    def _draw_row(self, trait: TraitRow, y: float, x_lo: float, x_hi: float) -> None:
        canv = self.canv
        language = self.language
        caption_y = y + 10.0

        estimated = math.isfinite(trait.z) and math.isfinite(trait.percentile)
        has_ci = math.isfinite(trait.ci_low_pct) and math.isfinite(trait.ci_high_pct)
        too_little = "insufficient_coverage" in trait.flags or any(
            flag.startswith("low_data:") for flag in trait.flags
        )
        if not estimated and too_little:
            caption = text(language, "chart_not_reported")
        elif not estimated:
            caption = text(language, "chart_not_estimated")
        elif has_ci:
            caption = text(
                language,
                "chart_caption_ci",
                p=format_percentile(trait.percentile),
                lo=format_percentile(trait.ci_low_pct),
                hi=format_percentile(trait.ci_high_pct),
            )
        else:
            caption = text(language, "chart_caption", p=format_percentile(trait.percentile))
        caption = printable(caption)
        name = _plain(trait.name)
        caption_font = FONT_ITALIC if not estimated else FONT_REGULAR
        name_size, caption_size = 8.5, 7.5

        room = x_hi - x_lo - 10.0

        def crowded() -> bool:
            used = float(
                pdfmetrics.stringWidth(name, FONT_BOLD, name_size)
                + pdfmetrics.stringWidth(caption, caption_font, caption_size)
            )
            return used > room

        while crowded() and name_size > 6.5:  # long names shrink rather than collide ...
            name_size -= 0.25
            caption_size = min(caption_size, name_size)
        while crowded() and len(name) > 4:  # ... and are cut short as a last resort
            name = name[:-2].rstrip() + "\u2026"
        canv.setFillColor(_INK)
        canv.setFont(FONT_BOLD, name_size)
        canv.drawString(x_lo, caption_y, name)
        canv.setFont(caption_font, caption_size)
        canv.setFillColor(_MUTED if not estimated else _INK)
        canv.drawRightString(x_hi, caption_y, caption)

        self._end_label(trait.low_end, x_lo - self._GAP, y, align_right=True)
        self._end_label(trait.high_end, x_hi + self._GAP, y, align_right=False)

        if not estimated:
            return
        centre = self._x(0)
        # The axis is labelled in percentiles: the bar ends at the reported (mid-rank)
        # percentile, so that bar and caption always agree.
        tip_z = _z_of_percentile(trait.percentile)
        tip = self._x(tip_z)
        canv.setFillColor(_BAR)
        canv.rect(min(centre, tip), y - 4, abs(tip - centre), 8, stroke=0, fill=1)
        canv.setStrokeColor(_ACCENT)
        canv.setLineWidth(1.6)
        canv.line(tip, y - 5, tip, y + 5)
        if abs(tip_z) > _Z_RANGE:  # beyond the scale: an arrowhead outside the track end
            edge = x_hi + 1.5 if tip_z > 0 else x_lo - 1.5
            point = edge + (4.0 if tip_z > 0 else -4.0)
            arrow = canv.beginPath()
            arrow.moveTo(edge, y - 4)
            arrow.lineTo(point, y)
            arrow.lineTo(edge, y + 4)
            arrow.close()
            canv.setFillColor(_ACCENT)
            canv.drawPath(arrow, stroke=0, fill=1)
        if has_ci:
            z_low = _z_of_percentile(trait.ci_low_pct)
            z_high = _z_of_percentile(trait.ci_high_pct)
            x_low, x_high = self._x(z_low), self._x(z_high)
            canv.setStrokeColor(_INK)
            canv.setLineWidth(0.9)
            canv.line(x_low, y, x_high, y)
            for z_end, x_end in ((z_low, x_low), (z_high, x_high)):
                if abs(z_end) < _Z_RANGE:  # no cap where the interval leaves the scale
                    canv.line(x_end, y - 3.5, x_end, y + 3.5)


# ---------------------------------------------------------------- signature band


class _SignatureBand(Flowable):  # type: ignore[misc]
    """The last flowable: fills the rest of the last page's frame.

    Its heading and text sit left of :data:`SIGNATURE_BOX`, which stays empty for
    the signing step.  If less than its minimum height is left, it moves to a new
    page (where it again fills the frame down to the box).
    """

    _BOX_GAP = 14.0

    def __init__(self, data: ReportData) -> None:
        super().__init__()
        language = data.language
        x1, y1, x2, y2 = SIGNATURE_BOX
        self._box_local = (x1 - _MARGIN_X, y1 - _MARGIN_BOTTOM, x2 - _MARGIN_X, y2 - _MARGIN_BOTTOM)
        self._heading = _p(escape(text(language, "section_signature")), "h1")
        self._text_w = self._box_local[0] - self._BOX_GAP
        self._note = _p(_markup(data.signature_note), "sig_note")
        self._explain = _p(escape(text(language, "signature_explain")), "sig_text")
        self._heading_h = 0.0
        self._note_h = 0.0
        self._explain_h = 0.0
        self.width = _FRAME_W
        self.height = 0.0

    def _min_height(self, aw: float) -> float:
        _, self._heading_h = self._heading.wrap(aw, 100)
        _, self._note_h = self._note.wrap(self._text_w, 200)
        _, self._explain_h = self._explain.wrap(self._text_w, 400)
        text_h = self._note_h + 3 + self._explain_h
        box_h = self._box_local[3] - self._box_local[1]
        return max(text_h, box_h) + self._heading_h + 16.0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = max(ah, self._min_height(aw))
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        box_top = self._box_local[3]
        text_top = max(box_top, self._note_h + 3 + self._explain_h)
        heading_y = text_top + 12.0
        self._heading.drawOn(canv, 0, heading_y)
        canv.setStrokeColor(_RULE)
        canv.setLineWidth(0.6)
        canv.line(0, heading_y - 3, self.width, heading_y - 3)
        y = text_top - self._note_h
        self._note.drawOn(canv, 0, y)
        self._explain.drawOn(canv, 0, y - 3 - self._explain_h)


# ---------------------------------------------------------------- page furniture


def _canvas_class(data: ReportData) -> type[Canvas]:
    """A canvas that defers page output so that footers can say "Page N of M"."""
    language = data.language
    footer_left = _plain(text(language, "footer_session", session_id=data.session_id))
    header_left = printable(text(language, "doc_title"))
    header_right = _plain(
        f"{data.candidate_pseudonym}  \u00b7  {_format_date(data.session_date, language)}"
    )
    demo = data.evidence is not None and data.evidence.demo
    demo_banner = printable(text(language, "demo_banner")) if demo else ""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._furniture(number, total)
                Canvas.showPage(self)
            if data.evidence is not None:
                _attach_evidence(self, data.evidence)
            Canvas.save(self)

        def _furniture(self, number: int, total: int) -> None:
            self.saveState()
            self.setFont(FONT_REGULAR, 7.5)
            self.setFillColor(_MUTED)
            header_y = _PAGE_H - 40
            self.setStrokeColor(_RULE)
            self.setLineWidth(0.6)
            if number > 1:  # the cover block names the report on page 1
                self.drawString(_MARGIN_X, header_y, header_left)
                self.drawRightString(_PAGE_W - _MARGIN_X, header_y, header_right)
                self.line(_MARGIN_X, header_y - 6, _PAGE_W - _MARGIN_X, header_y - 6)
            if demo_banner:
                _draw_demo_band(self, demo_banner, header_y + 10)
            else:
                self.setFillColor(_ACCENT)
                self.rect(_MARGIN_X, header_y + 12, 36, 2.5, stroke=0, fill=1)

            footer_y = 30.0
            self.line(_MARGIN_X, footer_y + 11, _PAGE_W - _MARGIN_X, footer_y + 11)
            self.setFillColor(_MUTED)
            self.drawString(_MARGIN_X, footer_y, footer_left)
            page_text = text(language, "footer_page", page=number, pages=total)
            self.drawRightString(_PAGE_W - _MARGIN_X, footer_y, printable(page_text))
            self.restoreState()

    return NumberedCanvas


_DEMO_BAND_H = 15.0


def _draw_demo_band(canvas: Canvas, banner: str, bottom: float) -> None:
    """The DEMO band across the top of a page, above the running header."""
    canvas.setFillColor(_WARN_FILL)
    canvas.setStrokeColor(_WARN_EDGE)
    canvas.setLineWidth(0.8)
    canvas.rect(_MARGIN_X, bottom, _FRAME_W, _DEMO_BAND_H, stroke=1, fill=1)
    canvas.setFillColor(_WARN_INK)
    canvas.setFont(FONT_BOLD, 8.5)
    canvas.drawCentredString(_PAGE_W / 2, bottom + 4.5, banner)


def _draw_demo_watermark(canvas: Canvas, _doc: Any) -> None:
    """A large, light "DEMO" across the middle of the page, under the content.

    It stays well above :data:`SIGNATURE_BOX` (the box must stay empty for the stamp).
    """
    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#FAF0DE"))
    canvas.setFont(FONT_BOLD, 110)
    canvas.translate(_PAGE_W / 2, _PAGE_H / 2 + 40)
    canvas.rotate(35)
    canvas.drawCentredString(0, -38, "DEMO")
    canvas.restoreState()


def _attach_evidence(canvas: Canvas, evidence: ReportEvidence) -> None:
    """Embed the evidence JSON as :data:`EVIDENCE_FILE_NAME` (see the module docstring)."""
    payload = evidence_json(evidence)
    document = canvas._doc
    catalog = document.Catalog
    if getattr(catalog, "Names", None) is not None:  # pragma: no cover - the builder sets none
        raise RuntimeError("the report already has a /Names tree; cannot embed the evidence")
    stream = pdfdoc.PDFStream(
        pdfdoc.PDFDictionary(
            {
                "Type": pdfdoc.PDFName("EmbeddedFile"),
                # PDFName would not escape the '/' of the MIME type: write the name as is.
                "Subtype": "/application#2Fjson",
                "Params": pdfdoc.PDFDictionary({"Size": len(payload)}),
            }
        ),
        payload,
        filters=[pdfdoc.PDFZCompress],
    )
    name = pdfdoc.PDFString(EVIDENCE_FILE_NAME)
    filespec = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Filespec"),
            "F": name,
            "UF": name,
            "Desc": pdfdoc.PDFString("Report evidence (kiosk, format 1)"),
            "AFRelationship": pdfdoc.PDFName("Data"),
            "EF": pdfdoc.PDFDictionary({"F": document.Reference(stream)}),
        }
    )
    catalog.Names = pdfdoc.PDFDictionary(
        {
            "EmbeddedFiles": pdfdoc.PDFDictionary(
                {"Names": pdfdoc.PDFArray([name, document.Reference(filespec)])}
            )
        }
    )


# ------------------------------------------------------------------------ content


def _section(number: int, title: str) -> list[Flowable]:
    heading = _p(f"{number}\u2002{escape(title)}", "h1")
    rule = HRFlowable(
        width="100%", thickness=0.6, color=_RULE, spaceBefore=3, spaceAfter=7, hAlign=TA_LEFT
    )
    rule.keepWithNext = 1
    return [heading, rule]


def _cover(data: ReportData) -> list[Flowable]:
    language = data.language
    norms_status = text(
        language, "status_provisional" if data.norms.provisional else "status_final"
    )
    fields = [
        ("cover_session", data.session_id),
        ("cover_date", _format_datetime(data.session_date, language)),
        ("cover_centre", data.centre_name),
        ("cover_station", data.station_name),
        (
            "cover_battery",
            text(
                language,
                "cover_battery_value",
                name=data.battery_name,
                version=data.battery_version,
            ),
        ),
        (
            "cover_norms",
            text(language, "cover_norms_value", version=data.norms.version, status=norms_status),
        ),
    ]
    cells = [
        [_p(escape(text(language, key)), "field_label"), _p(_markup(value), "field_value")]
        for key, value in fields
    ]
    grid = Table(
        [cells[0:3], cells[3:6]],
        colWidths=[125.0, 215.0, _FRAME_W - 340.0],
        hAlign="LEFT",
        style=_table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, _RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, _RULE),
            ]
        ),
    )
    story: list[Flowable] = [
        _p(escape(text(language, "cover_kicker")), "kicker"),
        _p(escape(text(language, "cover_pseudonym")), "pseudonym_label"),
        _p(_markup(data.candidate_pseudonym), "pseudonym"),
        grid,
        Spacer(0, 8),
        _p(escape(text(language, "cover_purpose")), "purpose"),
    ]
    if data.evidence is not None and data.evidence.demo:
        story += [Spacer(0, 8), _demo_notice(language)]
    if data.norms.provisional:
        story += [Spacer(0, 8), _provisional_notice(data)]
    if data.norms.other_design:
        story += [Spacer(0, 8), _other_design_notice(data)]
    return story


def _demo_notice(language: str) -> Flowable:
    return _notice(text(language, "demo_banner"), text(language, "demo_notice"))


def _notice(title: str, body: str) -> Table:
    """A warning box: a bold title and a sentence or two, on a light amber ground."""
    return Table(
        [[[_p(escape(title), "warn_title"), _p(_markup(body), "warn_body")]]],
        colWidths=[_FRAME_W],
        hAlign="LEFT",
        style=_table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), _WARN_FILL),
                ("LINEBEFORE", (0, 0), (0, -1), 3, _WARN_EDGE),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        ),
    )


def _provisional_notice(data: ReportData) -> Flowable:
    language = data.language
    body = text(
        language,
        "provisional_body",
        provenance=data.norms.provenance.strip().rstrip("."),
        sample_size=_format_int(data.norms.sample_size, language),
        version=data.norms.version,
    )
    return _notice(text(language, "provisional_title"), body)


def _other_design_notice(data: ReportData) -> Flowable:
    language = data.language
    body = text(
        language,
        "other_design_body",
        games=", ".join(data.norms.other_design),
        norm_design=data.norms.design or text(language, "norms_design_none"),
    )
    return _notice(text(language, "other_design_title"), body)


def _profile(data: ReportData, number: int, ability: bool) -> list[Flowable]:
    """A section of scores of one kind: heading, intro, chart and flag notes."""
    language = data.language
    rows = [t for t in data.traits if (t.kind == "ability") == ability]
    title, intro = (
        ("section_abilities", "abilities_intro")
        if ability
        else (
            "section_traits",
            "traits_intro",
        )
    )
    story = _section(number, text(language, title))
    story.append(_with_next(_p(escape(text(language, intro)), "help")))
    story.append(Spacer(0, 4))
    story.append(TraitProfileChart(rows, language))
    story.append(Spacer(0, 6))
    notes = []
    for trait in rows:
        shown = [flag_name(language, flag) for flag in trait.flags]
        if shown:
            notes.append(f"{trait.name}: {text(language, 'flag_separator').join(shown)}")
    if notes:
        joined = "; ".join(notes)
        story.append(_p(_markup(text(language, "trait_flags_note", notes=joined)), "warn_note"))
    return story


def _ability_section(data: ReportData, number: int) -> list[Flowable]:
    """The abilities: higher is better."""
    return _profile(data, number, ability=True)


def _trait_section(data: ReportData, number: int) -> list[Flowable]:
    """The styles: two ends, neither better; with the help on percentiles and CIs."""
    story = _profile(data, number, ability=False)
    for key in ("traits_percentile_help", "traits_ci_help"):
        # These labels carry <b> markup of their own and no data.
        story.append(_p(text(data.language, key), "help"))
    return story


_METRIC_COLS = (180.0, 74.0, 92.0, 56.0, 30.0)


def _game_table(game: GameSection, language: str) -> Table:
    header = [
        _p(escape(text(language, "col_metric")), "th"),
        _p(escape(text(language, "col_value")), "th_right"),
        _p(escape(text(language, "col_ci")), "th_right"),
        _p(escape(text(language, "col_percentile")), "th_right"),
        _p(escape(text(language, "col_n")), "th_right"),
        _p(escape(text(language, "col_flags")), "th"),
    ]
    rows: list[list[Any]] = [header]
    for metric in game.metrics:
        decimals = _decimals(metric)
        value = escape(format_number(metric.value, language, decimals))
        if metric.unit and math.isfinite(metric.value):
            # The unit in small muted type; a long unit wraps under the number as a whole.
            value += f" <font size='7.5' color='#5F6B7A'>{_markup(metric.unit)}</font>"
        flags = "<br/>".join(_markup(flag_name(language, flag)) for flag in metric.flags)
        rows.append(
            [
                [
                    _p(_markup(metric.name), "cell_bold"),
                    _p(_markup(metric.meaning), "cell_meaning"),
                ],
                _p(value, "cell_right"),
                _p(
                    _markup(_format_ci(metric.ci_low, metric.ci_high, language, decimals)),
                    "cell_right",
                ),
                _percentile_cell(metric, language),
                _p(_format_int(metric.n, language), "cell_right"),
                _p(flags, "cell_flag"),
            ]
        )
    widths = [*_METRIC_COLS, _FRAME_W - sum(_METRIC_COLS)]
    return Table(
        rows,
        colWidths=widths,
        repeatRows=1,
        hAlign="LEFT",
        style=_table_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 2),
                ("LEFTPADDING", (-1, 0), (-1, -1), 10),
            ]
        ),
    )


def _percentile_cell(metric: MetricRow, language: str) -> Paragraph:
    """The percentile, or a dash with the reason there is none."""
    if metric.percentile is not None and math.isfinite(metric.percentile):
        return _p(format_percentile(metric.percentile), "cell_right")
    note = metric.percentile_note
    if not note:
        return _p(format_percentile(None), "cell_right")
    try:
        reason = text(language, f"pct_{note}")
    except KeyError:
        reason = note
    return _p(f"{_DASH}<br/><font size='6.5' color='#5F6B7A'>{escape(reason)}</font>", "cell_right")


def _game_block(game: GameSection, language: str) -> list[Flowable]:
    status_colour = {"completed": "#5F6B7A", "interrupted": "#7A4D00", "omitted": "#7A4D00"}
    status = text(language, f"game_status_{game.status}")
    title = (
        f"{_markup(game.title)}\u2003<font name='{FONT_REGULAR}' size='8' "
        f"color='{status_colour.get(game.status, '#5F6B7A')}'>{escape(status)}</font>"
    )
    parts: list[Flowable] = [_p(title, "h2")]
    if game.status == "interrupted":
        parts.append(_p(escape(text(language, "game_interrupted_note")), "warn_note"))
    elif game.status == "omitted":
        parts.append(_p(escape(text(language, "game_omitted_note")), "note"))
    if game.flags:
        shown = text(language, "flag_separator").join(flag_name(language, f) for f in game.flags)
        parts.append(_p(_markup(text(language, "game_flags", flags=shown)), "warn_note"))
    if game.metrics:
        parts.append(_game_table(game, language))
    elif game.status != "omitted":
        parts.append(_p(escape(text(language, "game_no_metrics")), "note"))
    return parts


def _games_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    head = _section(number, text(language, "section_games"))
    head.append(_p(escape(text(language, "games_intro")), "help"))
    blocks = [_game_block(game, language) for game in data.games]
    if not blocks:
        return head
    # Each game stays whole; the section heading stays with the first game.  (reportlab's
    # keepWithNext does not chain into a KeepTogether, hence one container here.)
    return [KeepTogether(head + blocks[0])] + [KeepTogether(block) for block in blocks[1:]]


def _all_flags(data: ReportData) -> list[str]:
    """Every distinct flag kind in the report, in order of first appearance."""
    seen: dict[str, None] = {}

    def add(flags: Iterable[str]) -> None:
        for flag in flags:
            kind, sep, _ = flag.partition(":")
            seen.setdefault(kind + sep, None)

    for trait in data.traits:
        add(trait.flags)
    for game in data.games:
        add(game.flags)
        for metric in game.metrics:
            add(metric.flags)
    return list(seen)


def _kv_table(
    rows: Sequence[tuple[str, Flowable | list[Flowable] | str]], label_w: float = 175.0
) -> Table:
    cells = [
        [
            _p(escape(label), "kv_label"),
            _p(_markup(value), "kv_value") if isinstance(value, str) else value,
        ]
        for label, value in rows
    ]
    return Table(
        cells,
        colWidths=[label_w, _FRAME_W - label_w],
        hAlign="LEFT",
        style=_table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
            ]
        ),
    )


def _quality_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    story = _section(number, text(language, "section_quality"))
    story.append(_with_next(_p(escape(text(language, "quality_intro")), "help")))
    if data.quality:
        bullets = [_p(_markup(item), "bullet") for item in data.quality]
        for paragraph in bullets:
            paragraph.bulletText = "\u2022"
        story += [_with_next(bullet) for bullet in bullets[:-1]] + bullets[-1:]
    else:
        story.append(_p(escape(text(language, "quality_none")), "body"))
    story += engagement_block(data.engagement, language)
    flags = _all_flags(data)
    if flags:
        rows = []
        for flag in flags:
            explanation = flag_explanation(language, flag)
            rows.append(
                [
                    _p(_markup(flag_name(language, flag)), "glossary_term"),
                    _p(_markup(explanation or text(language, "flag_unknown")), "glossary_text"),
                ]
            )
        story.append(Spacer(0, 6))
        story.append(_p(escape(text(language, "quality_glossary")), "h2"))
        story.append(
            Table(
                rows,
                colWidths=[130.0, _FRAME_W - 130.0],
                hAlign="LEFT",
                style=_table_style(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
                    ]
                ),
            )
        )
    return story


def _timing_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    timing = data.timing
    unknown = text(language, "timing_unknown")
    refresh = (
        text(language, "timing_refresh_value", hz=format_number(timing.refresh_hz, language, 1))
        if timing.refresh_hz is not None and math.isfinite(timing.refresh_hz)
        else unknown
    )
    share = timing.dropped_frames / timing.frames if timing.frames > 0 else float("nan")
    dropped = (
        text(
            language,
            "timing_dropped_value",
            n=_format_int(timing.dropped_frames, language),
            share=_format_percent(share, language),
        )
        if math.isfinite(share)
        else _format_int(timing.dropped_frames, language)
    )
    if timing.latency is None:
        latency = text(language, "timing_latency_none")
    else:
        latency = text(
            language,
            "timing_latency_value",
            p50=format_number(timing.latency.p50_us, language, 0),
            p99=format_number(timing.latency.p99_us, language, 0),
            date=_format_date(timing.latency.measured_at, language),
        )
    rows: list[tuple[str, Flowable | str]] = [
        (text(language, "timing_methods"), ", ".join(timing.stamping_methods) or unknown),
        (text(language, "timing_refresh"), refresh),
        (text(language, "timing_frames"), _format_int(timing.frames, language)),
        (text(language, "timing_dropped"), dropped),
        (text(language, "timing_latency"), latency),
    ]
    story = _section(number, text(language, "section_timing"))
    story.append(_kv_table(rows))
    story.append(Spacer(0, 5))
    story.append(_p(escape(text(language, "timing_explain")), "help"))
    return story


def _incident_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    story = _section(number, text(language, "section_incidents"))
    if not data.incidents:
        story.append(_p(escape(text(language, "incidents_none")), "body"))
        return story
    rows: list[list[Any]] = [
        [
            _p(escape(text(language, "col_time")), "th"),
            _p(escape(text(language, "col_author")), "th"),
            _p(escape(text(language, "col_note")), "th"),
        ]
    ]
    for incident in sorted(data.incidents, key=lambda item: item.at):
        same_day = incident.at.date() == data.session_date.date()
        when = (
            f"{incident.at.hour:02d}:{incident.at.minute:02d}"
            if same_day
            else _format_datetime(incident.at, language, zone=False)
        )
        rows.append(
            [
                _p(_markup(when), "cell"),
                _p(_markup(incident.author), "cell"),
                _p(_note_markup(incident.text, language), "cell"),
            ]
        )
    story.append(
        Table(
            rows,
            colWidths=[70.0, 100.0, _FRAME_W - 170.0],
            repeatRows=1,
            splitInRow=1,  # a long note may continue on the next page
            hAlign="LEFT",
            style=_table_style(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 5),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                    ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4.5),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
                ]
            ),
        )
    )
    return story


def _norms_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    norms = data.norms
    status: Flowable | str
    if norms.provisional:
        status = _p(f"<b>{escape(text(language, 'norms_status_provisional'))}</b>", "warn_note")
    else:
        status = text(language, "norms_status_final")
    rows: list[tuple[str, Flowable | str]] = [
        (text(language, "norms_version"), norms.version),
        (text(language, "norms_status"), status),
        (
            text(language, "norms_sample"),
            text(language, "norms_sample_value", n=_format_int(norms.sample_size, language)),
        ),
        (text(language, "norms_design"), norms.design or text(language, "norms_design_none")),
        (text(language, "norms_provenance"), norms.provenance),
        (text(language, "norms_scoring"), data.scoring_version),
    ]
    story = _section(number, text(language, "section_norms"))
    story.append(_kv_table(rows))
    story.append(Spacer(0, 5))
    story.append(_p(escape(text(language, "norms_explain")), "help"))
    return story


def _integrity_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    head = _plain(data.chain_head.strip())
    groups = [head[i : i + 8] for i in range(0, len(head), 8)]
    # Four groups of eight per line: a 64-digit head reads as two even lines.
    grouped = "<br/>".join(escape(" ".join(groups[i : i + 4])) for i in range(0, len(groups), 4))
    rows: list[tuple[str, Flowable | str]] = [
        (text(language, "integrity_events"), _format_int(data.event_count, language)),
        (text(language, "integrity_head"), _p(grouped, "hash")),
    ]
    story = _section(number, text(language, "section_integrity"))
    story.append(_kv_table(rows))
    story.append(Spacer(0, 5))
    story.append(
        _p(
            escape(text(language, "integrity_explain", n=_format_int(data.event_count, language))),
            "help",
        )
    )
    return story


_SIGNATURE_HEAD = 20
_SIGNATURE_TAIL = 12


def _evidence_section(data: ReportData, number: int) -> list[Flowable]:
    language = data.language
    evidence = data.evidence
    assert evidence is not None

    def entry(seq: int, digest: str) -> list[Flowable]:
        return [
            _p(escape(text(language, "evidence_entry", seq=seq)), "evidence_value"),
            _p(_hex_groups(digest), "mono"),
        ]

    signature = evidence.checkpoint_signature
    shortened = len(signature) > _SIGNATURE_HEAD + _SIGNATURE_TAIL + 1
    shown = (
        f"{_mono(signature[:_SIGNATURE_HEAD])}\u2026{_mono(signature[-_SIGNATURE_TAIL:])}"
        if shortened
        else _mono(signature)
    )
    signature_cell: list[Flowable] = [_p(shown, "mono")]
    if shortened:
        signature_cell.append(_p(escape(text(language, "evidence_shortened")), "evidence_note"))
    unsigned = _p(escape(text(language, "evidence_unsigned")), "evidence_value")
    about = text(
        language,
        "evidence_about",
        pseudonym=evidence.candidate_pseudonym,
        station=evidence.station_name,
    )
    rows: list[tuple[str, Flowable | list[Flowable]]] = [
        (text(language, "evidence_report_id"), _p(_mono(evidence.report_id), "mono")),
        (
            text(language, "evidence_session"),
            [_p(_mono(evidence.session_id), "mono"), _p(_markup(about), "evidence_value")],
        ),
        (
            text(language, "evidence_chain_head"),
            entry(evidence.chain_head_seq, evidence.chain_head_hash),
        ),
        (
            text(language, "evidence_checkpoint"),
            entry(evidence.checkpoint_seq, evidence.checkpoint_hash),
        ),
        (text(language, "evidence_signature"), signature_cell if signature else unsigned),
        (
            text(language, "evidence_key"),
            _p(_hex_groups(evidence.key_id), "mono") if evidence.key_id else unsigned,
        ),
    ]
    story = _section(number, text(language, "section_evidence"))
    story.append(_kv_table(rows))
    story.append(Spacer(0, 5))
    story.append(_p(escape(text(language, "evidence_intro")), "help"))
    return story


def _story(data: ReportData) -> list[Flowable]:
    has_abilities = any(t.kind == "ability" for t in data.traits)
    sections: list[Callable[[ReportData, int], list[Flowable]]] = [
        *([_ability_section] if has_abilities else []),
        _trait_section,
        _games_section,
        _quality_section,
        _timing_section,
        _incident_section,
        _norms_section,
        _integrity_section,
    ]
    if data.evidence is not None:
        sections.append(_evidence_section)
    # Short sections stay whole on one page; long ones may break between their parts.
    kept_whole = {
        _timing_section,
        _incident_section,
        _norms_section,
        _integrity_section,
        _evidence_section,
    }
    story = _cover(data)
    for number, section in enumerate(sections, start=1):
        parts = section(data, number)
        story += [KeepTogether(parts)] if section in kept_whole else parts
    story.append(Spacer(0, 10))
    story.append(_SignatureBand(data))
    return story


def build_report(data: ReportData) -> bytes:
    """Render ``data`` as an unsigned A4 PDF (see the module docstring for guarantees)."""
    if data.language not in labels.LANGUAGES:
        raise ValueError(f"unsupported report language {data.language!r}")
    _glyphs()
    buffer = io.BytesIO()
    title = _plain(f"{text(data.language, 'doc_title')} \u2013 {data.candidate_pseudonym}")
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN_X,
        rightMargin=_MARGIN_X,
        topMargin=_MARGIN_TOP,
        bottomMargin=_MARGIN_BOTTOM,
        title=title,
        author=_plain(data.centre_name),
        subject=_plain(data.session_id),
        creator="kiosk reports",
        invariant=1,
        lang=data.language,
        initialFontName=FONT_REGULAR,
        initialFontSize=9,
        initialLeading=12,
    )
    frame = Frame(
        _MARGIN_X,
        _MARGIN_BOTTOM,
        _FRAME_W,
        _FRAME_H,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    demo = data.evidence is not None and data.evidence.demo
    decorations: dict[str, Any] = {"onPage": _draw_demo_watermark} if demo else {}
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], **decorations)])
    doc.build(_story(data), canvasmaker=_canvas_class(data))
    return buffer.getvalue()
