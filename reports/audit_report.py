"""The adverse-impact audit of a role-fit model as a PDF, ready to be signed.

Contract: :func:`build_audit_report` takes an :class:`AuditReportData` (plain
values: nothing here imports ``scoring`` or ``kiosk``) and returns unsigned A4
PDF bytes; the kiosk signs them with the station identity
(:func:`reports.signing.sign_pdf`, visible box :data:`AUDIT_SIGNATURE_BOX`) as it
signs session reports.  The same input gives the same bytes (reportlab's
invariant mode) apart from the date printed.

Layout: title, model (role, version, threshold, candidates), one table per
attribute (group, candidates, passed, selection rate, impact ratio) with its
verdict, the threshold sweep as a line plot of the impact ratio against the cut
percentile with the four-fifths line (Uniform Guidelines on Employee Selection
Procedures 1978, 29 CFR 1607.4(D)) and the cuts where a rule failed marked, and
a signature band.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

__all__ = [
    "AUDIT_SIGNATURE_BOX",
    "FOUR_FIFTHS",
    "AuditGroupRow",
    "AuditReportData",
    "AuditSweepPoint",
    "build_audit_report",
]

#: The four-fifths rule's impact-ratio line (UGESP 1978, 29 CFR 1607.4(D)).
FOUR_FIFTHS = 0.8
#: Where the visible signature goes on the last page (x1, y1, x2, y2 in points).
AUDIT_SIGNATURE_BOX = (56.0, 40.0, 300.0, 100.0)


@dataclass(frozen=True, slots=True)
class AuditGroupRow:
    """One group of one attribute: its size, how many passed, rate and impact ratio."""

    attribute: str
    group: str
    n_total: int
    n_pass: int
    selection_rate: float
    impact_ratio: float


@dataclass(frozen=True, slots=True)
class AuditSweepPoint:
    """One cut of the threshold sweep (``failed``: some adverse-impact rule failed)."""

    percentile: float
    cut: float
    impact_ratio: float
    failed: bool


@dataclass(frozen=True, slots=True)
class AuditReportData:
    """Everything the audit PDF shows."""

    role: str
    version: str
    threshold: float
    n_candidates: int
    groups: tuple[AuditGroupRow, ...]
    verdicts: Mapping[str, str]
    sweeps: Mapping[str, tuple[AuditSweepPoint, ...]]
    station: str
    centre: str
    created: dt.datetime


_INK = colors.HexColor("#1f2933")
_MUTED = colors.HexColor("#616e7c")
_ACCENT = colors.HexColor("#1d4e89")
_WARN = colors.HexColor("#b42318")
_LINE_COLOURS = (_ACCENT, colors.HexColor("#c05621"), colors.HexColor("#2f855a"))


def _fonts() -> tuple[str, str]:
    # The session report registers Vera (embedded TrueType); reuse its setup.
    from reports.theme import FONT_BOLD, FONT_REGULAR, register_fonts

    register_fonts()
    return FONT_REGULAR, FONT_BOLD


def _number(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if math.isfinite(value) else "–"


def _sweep_plot(sweeps: Mapping[str, Sequence[AuditSweepPoint]], font: str) -> Drawing:
    width, height = 460.0, 220.0
    drawing = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 50, 40, width - 80, height - 70
    series = [
        [(p.percentile, p.impact_ratio) for p in points if math.isfinite(p.impact_ratio)]
        for points in sweeps.values()
    ]
    series = [s for s in series if s] or [[(0.0, 1.0)]]
    plot.data = series
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0, 100
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, 1.05
    plot.yValueAxis.valueSteps = [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    plot.xValueAxis.valueSteps = [0, 20, 40, 60, 80, 100]
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = font
        axis.labels.fontSize = 7
    for index in range(len(series)):
        plot.lines[index].strokeColor = _LINE_COLOURS[index % len(_LINE_COLOURS)]
        plot.lines[index].strokeWidth = 1.4
        plot.lines[index].symbol = makeMarker("FilledCircle", size=2.5)
    drawing.add(plot)
    y = plot.y + plot.height * FOUR_FIFTHS / 1.05
    drawing.add(Line(plot.x, y, plot.x + plot.width, y, strokeColor=_WARN, strokeDashArray=[3, 2]))
    drawing.add(String(plot.x + plot.width + 3, y - 3, "4/5", fontName=font, fontSize=7))
    for index, (attribute, points) in enumerate(sweeps.items()):
        for p in points:
            if p.failed and math.isfinite(p.impact_ratio):
                px = plot.x + plot.width * p.percentile / 100.0
                py = plot.y + plot.height * p.impact_ratio / 1.05
                drawing.add(Line(px - 2, py - 2, px + 2, py + 2, strokeColor=_WARN))
                drawing.add(Line(px - 2, py + 2, px + 2, py - 2, strokeColor=_WARN))
        colour = _LINE_COLOURS[index % len(_LINE_COLOURS)]
        drawing.add(
            String(
                plot.x + 110 * index,
                8,
                f"— {attribute}",
                fontName=font,
                fontSize=8,
                fillColor=colour,
            )
        )
    drawing.add(
        String(
            plot.x,
            height - 14,
            "Impact ratio by cut percentile (x: rule failed)",
            fontName=font,
            fontSize=8,
            fillColor=_MUTED,
        )
    )
    return drawing


def build_audit_report(data: AuditReportData) -> bytes:
    """Render the audit as an unsigned A4 PDF."""
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12, textColor=_INK)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=20)
    heading = ParagraphStyle(
        "heading",
        parent=body,
        fontName=bold,
        fontSize=11,
        leading=14,
        spaceBefore=10,
        textColor=_ACCENT,
    )
    note = ParagraphStyle("note", parent=body, fontSize=8, leading=10.5, textColor=_MUTED)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=56,
        rightMargin=56,
        topMargin=56,
        bottomMargin=110,
        title=f"Adverse-impact audit – {data.role}",
        author=data.centre,
        creator="kiosk reports",
        invariant=1,
    )

    def text(value: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(value), style)

    story: list[Flowable] = [
        text("Adverse-impact audit of a role-fit model", title),
        Spacer(0, 4),
        text(
            f"Role {data.role} · model {data.version[:16]} · threshold "
            f"{_number(data.threshold, 3)} · {data.n_candidates} candidates of this station"
        ),
        text(f"{data.station}, {data.centre} · {data.created:%Y-%m-%d %H:%M} UTC", note),
        Spacer(0, 4),
        text(
            "Selection rate is the share of a group the model passes at its threshold; the "
            "impact ratio is a group's rate over the highest group's. Below 0.8 the "
            "four-fifths rule of the Uniform Guidelines (29 CFR 1607.4(D)) treats it as "
            "evidence of adverse impact; the verdict also uses the significance tests.",
            note,
        ),
    ]
    attributes = list(dict.fromkeys(row.attribute for row in data.groups))
    for attribute in attributes:
        verdict = data.verdicts.get(attribute, "").replace("_", " ")
        story.append(text(f"{attribute}: {verdict}", heading))
        cells = [["Group", "Candidates", "Passed", "Selection rate", "Impact ratio"]]
        warn_rows = []
        for row in (r for r in data.groups if r.attribute == attribute):
            cells.append(
                [
                    row.group,
                    str(row.n_total),
                    str(row.n_pass),
                    _number(row.selection_rate),
                    _number(row.impact_ratio),
                ]
            )
            if math.isfinite(row.impact_ratio) and row.impact_ratio < FOUR_FIFTHS:
                warn_rows.append(len(cells) - 1)
        style = [
            ("FONTNAME", (0, 0), (-1, -1), regular),
            ("FONTNAME", (0, 0), (-1, 0), bold),
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#d9dee5")),
            ("TEXTCOLOR", (0, 0), (-1, 0), _MUTED),
        ] + [("TEXTCOLOR", (0, r), (-1, r), _WARN) for r in warn_rows]
        story.append(
            Table(cells, colWidths=[150, 70, 60, 90, 80], hAlign="LEFT", style=TableStyle(style))
        )
    if not attributes:
        story.append(text("No group attribute could be audited.", body))
    story.append(text("Threshold sweep", heading))
    if data.sweeps:
        story.append(_sweep_plot(data.sweeps, regular))
    else:
        story.append(text("No sweep: it needs at least two groups among the candidates.", note))
    story.append(Spacer(0, 8))
    story.append(
        text(
            f"Signed by {data.station}, {data.centre}. The signature covers this document; "
            "check it with any PDF reader that validates signatures.",
            note,
        )
    )
    doc.build(story)
    return buffer.getvalue()
