"""A monospaced face for hashes, signatures and ids, derived from Bitstream Vera.

Contract
--------
:func:`mono_font_bytes` returns a TrueType font, "Kiosk Mono", made in memory from the
Vera that ships inside reportlab: every glyph gets the advance width of Vera's digits
and is centred in it; glyphs wider than that cell (``m``, ``w``, ``M``, ``W``, ``@`` ...)
are narrowed horizontally to fit. Hinting is dropped (its instructions describe the old
outlines). The result is the same bytes on every call and every machine with the same
reportlab and fontTools (no timestamps), so reports stay byte-identical.

Why derive one: reportlab ships no monospaced TrueType, and a report embeds only fonts
it carries itself. Columns of hex digits line up in it and ``0``/``O``, ``1``/``l`` keep
Vera's distinct shapes. The Bitstream Vera licence allows modified copies under a name
without "Bitstream" or "Vera"; hence "Kiosk Mono" (the copyright notice is kept).

Intended for ASCII (hex, base64, ids): composite glyphs (accented letters) are only
re-spaced, not re-centred with care.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

import reportlab

__all__ = ["MONO_FAMILY", "MONO_POSTSCRIPT_NAME", "mono_font_bytes"]

MONO_FAMILY = "Kiosk Mono"
MONO_POSTSCRIPT_NAME = "KioskMono"

_VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
_MARGIN = 0.05
"""Side bearing kept on each side of a narrowed glyph, as a share of the cell."""


@functools.cache
def mono_font_bytes() -> bytes:
    """The Kiosk Mono TrueType font (see the module docstring); built once per process."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(_VERA), recalcTimestamp=False)
    for tag in ("fpgm", "prep", "cvt ", "hdmx", "kern", "PCLT", "LTSH", "VDMX"):
        if tag in font:
            del font[tag]
    glyf, hmtx = font["glyf"], font["hmtx"]
    cell = hmtx[font.getBestCmap()[ord("0")]][0]
    room = cell * (1.0 - 2.0 * _MARGIN)
    for name in font.getGlyphOrder():
        glyph = glyf[name]
        glyph.removeHinting()
        if glyph.isComposite():
            # Every component is already centred in its own cell: overlay them there.
            for component in glyph.components:
                component.x = 0
        elif glyph.numberOfContours > 0:
            ink = glyph.xMax - glyph.xMin
            scale = min(1.0, room / ink) if ink > 0 else 1.0
            left = (cell - ink * scale) / 2.0
            x_min = glyph.xMin
            coordinates = glyph.coordinates
            for index, (x, y) in enumerate(coordinates):
                coordinates[index] = (round(left + (x - x_min) * scale), y)
        glyph.recalcBounds(glyf)
        hmtx[name] = (cell, getattr(glyph, "xMin", 0))
    font["post"].isFixedPitch = 1
    os2 = font["OS/2"]
    os2.xAvgCharWidth = cell
    os2.panose.bProportion = 9  # monospaced
    return renamed_font_bytes(
        font,
        {
            1: MONO_FAMILY,
            2: "Regular",
            3: f"{MONO_FAMILY}: derived from Bitstream Vera Sans 1.10",
            4: MONO_FAMILY,
            6: MONO_POSTSCRIPT_NAME,
        },
    )


def renamed_font_bytes(font: Any, names: dict[int, str]) -> bytes:
    """``font`` saved with its family, unique, full and PostScript names replaced.

    Vera's licence asks that a modified copy not carry the Bitstream names, so every
    font made from it here is renamed (Windows and Mac name records alike).
    """
    table = font["name"]
    for name_id in (1, 3, 4, 6, 16, 17):
        table.removeNames(nameID=name_id)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()
