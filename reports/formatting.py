"""How values are written into the report: free text, numbers, percentiles, intervals, dates.

Free text
---------
Everything that comes from data (names, pseudonym, centre, station, battery, game
and metric names, units, flags, notes) enters a Paragraph through one helper,
:func:`markup`: control and format characters (bidi overrides, zero-width marks)
are dropped, characters the fonts lack replaced (:func:`reports.theme.printable`),
and ``&``, ``<``, ``>`` escaped, so reportlab's mini-markup (``<font>``,
``<a href>``, ``<img src>``, entities) is shown as text and never interpreted.
:func:`plain` is the same for text drawn straight on the canvas, :func:`mono` for
the ASCII-only monospaced face.  Incident notes (:func:`note_markup`) keep their
line breaks (at most 40 lines, blank runs collapsed; further breaks become spaces)
and are cut after :data:`~reports.model.MAX_NOTE_CHARS` characters with
"… (shortened)".

Numbers
-------
Numbers follow the report language: ``1,234.5`` in English, ``1.234,5`` in German,
a true minus sign for negatives, a dash for NaN (:func:`format_number`).
Percentiles are whole numbers, "<1" and ">99" at the extremes, a dash when not
estimated (:func:`format_percentile`).  Dates are written out with the month's
name and, where known, the UTC offset.
"""

from __future__ import annotations

import datetime
import math
import unicodedata
from xml.sax.saxutils import escape

from reports import labels
from reports.labels import text
from reports.model import MAX_NOTE_CHARS, MetricRow
from reports.theme import printable

__all__ = [
    "DASH",
    "MINUS",
    "format_ci",
    "format_date",
    "format_datetime",
    "format_int",
    "format_number",
    "format_percent",
    "format_percentile",
    "hex_groups",
    "markup",
    "metric_decimals",
    "mono",
    "note_markup",
    "plain",
]

DASH = "\u2013"
MINUS = "\u2212"


# ---------------------------------------------------------------------- free text


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


def markup(value: str, *, keep_lines: bool = False) -> str:
    """Data text made safe for a Paragraph: the one way free text enters markup.

    Control and format characters dropped (:func:`_clean`), characters the fonts lack
    replaced (:func:`~reports.theme.printable`), then ``&``, ``<`` and ``>`` escaped,
    so that nothing in ``value`` is read as reportlab markup.  With ``keep_lines``
    line breaks become ``<br/>``.
    """
    lines = _clean(value, keep_lines=keep_lines).split("\n")
    return "<br/>".join(escape(printable(line)) for line in lines)


def plain(value: str) -> str:
    """Data text for the canvas (header, footer, chart): cleaned, printable, one line."""
    return printable(_clean(value))


def note_markup(note: str, language: str) -> str:
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
    return markup(shown, keep_lines=True)


def mono(value: str) -> str:
    """ASCII-only markup for the monospaced face (hashes, ids, base64)."""
    ascii_only = "".join(char if " " <= char <= "~" else "?" for char in _clean(value))
    return escape(ascii_only)


def hex_groups(value: str, per_line: int = 4) -> str:
    """Hex digits in groups of eight, ``per_line`` groups to a line, as mono markup."""
    groups = [value[i : i + 8] for i in range(0, len(value), 8)]
    lines = [" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line)]
    return "<br/>".join(mono(line) for line in lines)


# ------------------------------------------------------------------------ numbers


def format_number(value: float, language: str, decimals: int | None = None) -> str:
    """``value`` in the language's notation; a dash for NaN or infinity.

    ``decimals=None`` picks 0 decimals from 100 up, 1 from 10, 2 from 0.1, else 3.
    """
    if value is None or not math.isfinite(value):
        return DASH
    if decimals is None:
        size = abs(value)
        decimals = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 0.1 or size == 0 else 3
    shown = f"{abs(value):,.{decimals}f}"
    if language == "de":
        shown = shown.replace(",", "\0").replace(".", ",").replace("\0", ".")
    negative = value < 0 and shown.strip("0.,") != ""
    return (MINUS if negative else "") + shown


def format_percentile(value: float | None) -> str:
    """A percentile as printed: whole numbers 1–99, "<1", ">99", or a dash."""
    if value is None or not math.isfinite(value):
        return DASH
    if value < 1.0:
        return "<1"
    if value > 99.0:
        return ">99"
    return str(math.floor(value + 0.5))


def format_percent(share: float, language: str) -> str:
    number = format_number(100.0 * share, language, 2)
    return f"{number}\u00a0%" if language == "de" else f"{number}%"


def format_int(value: int, language: str) -> str:
    return format_number(float(value), language, 0)


def _zone(moment: datetime.datetime) -> str:
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return " (UTC)"
    sign = "+" if minutes > 0 else MINUS
    hours, mins = divmod(abs(minutes), 60)
    return f" (UTC{sign}{hours}:{mins:02d})" if mins else f" (UTC{sign}{hours})"


def format_datetime(moment: datetime.datetime, language: str, zone: bool = True) -> str:
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


def format_date(moment: datetime.datetime, language: str) -> str:
    return text(
        language,
        "date_short_format",
        day=moment.day,
        month=labels.month_name(language, moment.month),
        year=moment.year,
    )


def format_ci(low: float, high: float, language: str, decimals: int | None) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return DASH
    return text(
        language,
        "ci_format",
        lo=format_number(low, language, decimals),
        hi=format_number(high, language, decimals),
    )


def metric_decimals(row: MetricRow) -> int | None:
    """One number of decimals for value and CI, chosen from the value (or the CI)."""
    if row.decimals is not None:
        return row.decimals
    for candidate in (row.value, row.ci_high, row.ci_low):
        if math.isfinite(candidate):
            size = abs(candidate)
            return 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 0.1 else 3
    return None
