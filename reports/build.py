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
Everything that comes from data enters the report through
:func:`reports.formatting.markup` (or :func:`~reports.formatting.plain` on the
canvas): control and format characters dropped, characters the fonts lack replaced,
and reportlab's mini-markup shown as text, never interpreted (see
:mod:`reports.formatting`).  Incident notes keep their line breaks and are cut
after :data:`~reports.model.MAX_NOTE_CHARS` characters with "… (shortened)"; each
note shows its author and time, and a long note may continue on the next page.

Modules
-------
The look (page, fonts, colours, styles) is in :mod:`reports.theme`; how numbers,
percentiles, intervals, dates and free text are written in
:mod:`reports.formatting`; the drawn chart in :mod:`reports.chart`; the cover and
each section in :mod:`reports.sections`.  This module puts them in order, adds
the signature band, the page furniture (header, footer, DEMO marks) and the
embedded evidence, and keeps the public names callers import from here.

Guarantees the tests check:

* Only embedded TrueType fonts: Bitstream Vera (roman, bold, italic, bold italic)
  as shipped inside reportlab, and Kiosk Mono derived from it
  (:mod:`reports.monofont`) for the evidence block's hashes; none of the 14
  standard PDF fonts is referenced (the canvas's initial font is Vera too).  The
  record-integrity chain head is set in Vera, in groups of eight hex digits.
* Text the fonts cannot show is replaced before drawing (:func:`printable`, from
  :mod:`reports.theme`): ``"↔"`` becomes ``"<->"``, Greek mu the micro sign, and
  anything else without a glyph its ASCII base letter or ``"?"`` – never an empty
  box.
* On the last page nothing is drawn inside :data:`SIGNATURE_BOX` (PDF points,
  origin bottom left): the last flowable fills the rest of the frame and keeps
  its text left of the box, and the footer lies below it.
* Percentiles are printed by :func:`format_percentile` (from
  :mod:`reports.formatting`: whole numbers, "<1" and ">99" at the extremes, a dash
  when not estimated); a metric without a percentile says why in the percentile
  column ("none: too few trials" ...), and a trait that is not reported is drawn
  without a bar, with the reason.

Numbers follow the report language: ``1,234.5`` in English, ``1.234,5`` in German,
a true minus sign for negatives, a dash for NaN.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
)

from reports import labels
from reports.chart import TraitProfileChart
from reports.formatting import format_date, format_number, format_percentile, markup, plain
from reports.labels import text
from reports.model import EVIDENCE_FILE_NAME, ReportData, ReportEvidence, evidence_json
from reports.sections import (
    ability_section,
    cover,
    evidence_section,
    games_section,
    incident_section,
    integrity_section,
    norms_section,
    quality_section,
    timing_section,
    trait_section,
)
from reports.theme import (
    ACCENT,
    FONT_BOLD,
    FONT_BOLD_ITALIC,
    FONT_ITALIC,
    FONT_MONO,
    FONT_REGULAR,
    FRAME_H,
    FRAME_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_H,
    PAGE_SIZE,
    PAGE_W,
    RULE,
    SIGNATURE_BOX,
    WARN_EDGE,
    WARN_FILL,
    WARN_INK,
    para,
    printable,
    register_fonts,
)

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
        self._box_local = (x1 - MARGIN_X, y1 - MARGIN_BOTTOM, x2 - MARGIN_X, y2 - MARGIN_BOTTOM)
        self._heading = para(escape(text(language, "section_signature")), "h1")
        self._text_w = self._box_local[0] - self._BOX_GAP
        self._note = para(markup(data.signature_note), "sig_note")
        self._explain = para(escape(text(language, "signature_explain")), "sig_text")
        self._heading_h = 0.0
        self._note_h = 0.0
        self._explain_h = 0.0
        self.width = FRAME_W
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
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(0, heading_y - 3, self.width, heading_y - 3)
        y = text_top - self._note_h
        self._note.drawOn(canv, 0, y)
        self._explain.drawOn(canv, 0, y - 3 - self._explain_h)


# ---------------------------------------------------------------- page furniture


def _canvas_class(data: ReportData) -> type[Canvas]:
    """A canvas that defers page output so that footers can say "Page N of M"."""
    language = data.language
    footer_left = plain(text(language, "footer_session", session_id=data.session_id))
    header_left = printable(text(language, "doc_title"))
    header_right = plain(
        f"{data.candidate_pseudonym}  \u00b7  {format_date(data.session_date, language)}"
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
            self.setFillColor(MUTED)
            header_y = PAGE_H - 40
            self.setStrokeColor(RULE)
            self.setLineWidth(0.6)
            if number > 1:  # the cover block names the report on page 1
                self.drawString(MARGIN_X, header_y, header_left)
                self.drawRightString(PAGE_W - MARGIN_X, header_y, header_right)
                self.line(MARGIN_X, header_y - 6, PAGE_W - MARGIN_X, header_y - 6)
            if demo_banner:
                _draw_demo_band(self, demo_banner, header_y + 10)
            else:
                self.setFillColor(ACCENT)
                self.rect(MARGIN_X, header_y + 12, 36, 2.5, stroke=0, fill=1)

            footer_y = 30.0
            self.line(MARGIN_X, footer_y + 11, PAGE_W - MARGIN_X, footer_y + 11)
            self.setFillColor(MUTED)
            self.drawString(MARGIN_X, footer_y, footer_left)
            page_text = text(language, "footer_page", page=number, pages=total)
            self.drawRightString(PAGE_W - MARGIN_X, footer_y, printable(page_text))
            self.restoreState()

    return NumberedCanvas


_DEMO_BAND_H = 15.0


def _draw_demo_band(canvas: Canvas, banner: str, bottom: float) -> None:
    """The DEMO band across the top of a page, above the running header."""
    canvas.setFillColor(WARN_FILL)
    canvas.setStrokeColor(WARN_EDGE)
    canvas.setLineWidth(0.8)
    canvas.rect(MARGIN_X, bottom, FRAME_W, _DEMO_BAND_H, stroke=1, fill=1)
    canvas.setFillColor(WARN_INK)
    canvas.setFont(FONT_BOLD, 8.5)
    canvas.drawCentredString(PAGE_W / 2, bottom + 4.5, banner)


def _draw_demo_watermark(canvas: Canvas, _doc: Any) -> None:
    """A large, light "DEMO" across the middle of the page, under the content.

    It stays well above :data:`SIGNATURE_BOX` (the box must stay empty for the stamp).
    """
    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#FAF0DE"))
    canvas.setFont(FONT_BOLD, 110)
    canvas.translate(PAGE_W / 2, PAGE_H / 2 + 40)
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


def _story(data: ReportData) -> list[Flowable]:
    """The cover, the numbered sections in order, and the signature band."""
    has_abilities = any(t.kind == "ability" for t in data.traits)
    sections: list[Callable[[ReportData, int], list[Flowable]]] = [
        *([ability_section] if has_abilities else []),
        trait_section,
        games_section,
        quality_section,
        timing_section,
        incident_section,
        norms_section,
        integrity_section,
    ]
    if data.evidence is not None:
        sections.append(evidence_section)
    # Short sections stay whole on one page; long ones may break between their parts.
    kept_whole = {
        timing_section,
        incident_section,
        norms_section,
        integrity_section,
        evidence_section,
    }
    story = cover(data)
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
    register_fonts()
    buffer = io.BytesIO()
    title = plain(f"{text(data.language, 'doc_title')} \u2013 {data.candidate_pseudonym}")
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=plain(data.centre_name),
        subject=plain(data.session_id),
        creator="kiosk reports",
        invariant=1,
        lang=data.language,
        initialFontName=FONT_REGULAR,
        initialFontSize=9,
        initialLeading=12,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        FRAME_W,
        FRAME_H,
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
