"""The drawn figure of the report: :class:`TraitProfileChart`, scores as bars around the middle.

Contract: ``TraitProfileChart(traits, language)`` is a flowable as wide as the
frame, one row per :class:`~reports.model.TraitRow`.  The axis is labelled in
percentiles of the reference sample; a bar ends at the reported percentile, so
bar and caption always agree; a whisker shows the 95% CI where there is one.  A
trait that is not estimated gets no bar, and its caption says why ("not estimated",
or "not reported: too little data" when too few data lie behind it).  Names and
ends are drawn as given, through :func:`reports.formatting.plain`; long names
shrink, and are cut short only as a last resort.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from reports.formatting import format_percentile, plain
from reports.labels import text
from reports.model import TraitRow
from reports.theme import (
    ACCENT,
    BAND,
    BAR,
    FONT_BOLD,
    FONT_ITALIC,
    FONT_REGULAR,
    FRAME_W,
    INK,
    MUTED,
    RULE,
    TRACK,
    printable,
)

__all__ = ["TraitProfileChart"]

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
        self.width = FRAME_W
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
        label = plain(label)
        size = 8.0
        lines = [label]
        if pdfmetrics.stringWidth(label, FONT_REGULAR, size) > self._LABEL_W:
            lines = simpleSplit(label, FONT_REGULAR, size, self._LABEL_W)
            while len(lines) > 2 and size > 6.0:
                size -= 0.5
                lines = simpleSplit(label, FONT_REGULAR, size, self._LABEL_W)
        leading = size + 1.5
        canv.setFont(FONT_REGULAR, size)
        canv.setFillColor(INK)
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
        canv.setFillColor(MUTED)
        canv.drawRightString(x_lo - self._GAP, top - 10, printable(text(language, "chart_axis")))
        for z, tick in _TICKS:
            canv.drawCentredString(self._x(z), top - 10, tick)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        for z, _ in _TICKS:
            canv.line(self._x(z), top - 14, self._x(z), top - 17)

        # Tracks and the 16th-84th band, one per row so that captions stay clean.
        for y in bar_offsets:
            canv.setFillColor(TRACK)
            canv.rect(x_lo, y - 6, x_hi - x_lo, 12, stroke=0, fill=1)
            canv.setFillColor(BAND)
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
        name = plain(trait.name)
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
        canv.setFillColor(INK)
        canv.setFont(FONT_BOLD, name_size)
        canv.drawString(x_lo, caption_y, name)
        canv.setFont(caption_font, caption_size)
        canv.setFillColor(MUTED if not estimated else INK)
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
        canv.setFillColor(BAR)
        canv.rect(min(centre, tip), y - 4, abs(tip - centre), 8, stroke=0, fill=1)
        canv.setStrokeColor(ACCENT)
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
            canv.setFillColor(ACCENT)
            canv.drawPath(arrow, stroke=0, fill=1)
        if has_ci:
            z_low = _z_of_percentile(trait.ci_low_pct)
            z_high = _z_of_percentile(trait.ci_high_pct)
            x_low, x_high = self._x(z_low), self._x(z_high)
            canv.setStrokeColor(INK)
            canv.setLineWidth(0.9)
            canv.line(x_low, y, x_high, y)
            for z_end, x_end in ((z_low, x_low), (z_high, x_high)):
                if abs(z_end) < _Z_RANGE:  # no cap where the interval leaves the scale
                    canv.line(x_end, y - 3.5, x_end, y + 3.5)
