"""Free text in a report is shown as text: never markup, no control characters, notes capped.

Proctors write incident notes, and names come from the store; reportlab's Paragraph reads a
mini-markup (``<font>``, ``<a href>``, ``<img src>``, entities), so all of it must arrive
escaped. The PDFs are read back with poppler's ``pdftotext``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from reports.build import build_report
from reports.labels import text
from reports.model import MAX_NOTE_CHARS, Incident, ReportData
from reports.sample import sample_report_data
from tests.reports.test_build import pdf_text, squeeze

IMG = '<img src="/etc/passwd"/>'
LINK = '<a href="http://x">click</a>'
ENTITY = "&lt;"
HOSTILE = f"{IMG} {LINK} {ENTITY} <font color='red' size='40'>big</font> NUL[\x00]"


def _hostile(data: ReportData) -> ReportData:
    game = data.games[0]
    metric = dataclasses.replace(
        game.metrics[0], name=f"m {LINK}", unit="<b>ms</b>", flags=("<i>odd</i>&amp;",)
    )
    trait = dataclasses.replace(data.traits[0], flags=("<u>trait flag</u>",))
    at = data.incidents[0].at
    return dataclasses.replace(
        data,
        candidate_pseudonym="P<br/>&amp;",
        centre_name=f"Centre {IMG}",
        station_name="Station <strike>3</strike>\x07",
        battery_name=f"Battery {ENTITY}",
        signature_note=f"Signed {LINK}",
        quality=(f"Quality {IMG}",),
        games=(
            dataclasses.replace(game, title=f"Game {ENTITY}", metrics=(metric,)),
            *data.games[1:],
        ),
        traits=(trait, *data.traits[1:]),
        incidents=(
            Incident(at=at, author="<i>M. Keller</i>", text=HOSTILE),
            Incident(
                at=at + dt.timedelta(minutes=1),
                author="A. B.",
                text="Line one.\r\nLine two.\x1b[31m\u202e reversed",
            ),
        ),
    )


@pytest.fixture(scope="module")
def hostile() -> tuple[ReportData, bytes]:
    data = _hostile(sample_report_data("en"))
    return data, build_report(data)


@pytest.mark.slow
def test_markup_in_data_is_shown_literally(hostile: tuple[ReportData, bytes]) -> None:
    _, pdf = hostile
    plain = squeeze(pdf_text(pdf))
    for literal in (
        IMG,
        LINK,
        ENTITY,
        "<font color='red' size='40'>big</font>",
        "P<br/>&amp;",
        f"Centre {IMG}",
        "Station <strike>3</strike>",
        f"Battery {ENTITY}",
        f"Signed {LINK}",
        f"Quality {IMG}",
        f"Game {ENTITY}",
        f"m {LINK}",
        "<b>ms</b>",
        "<i>odd</i>&amp;",
        "<u>trait flag</u>",
        "<i>M. Keller</i>",
    ):
        assert literal in plain, literal
    # Nothing was interpreted: no link annotation, no image, no huge font.
    assert b"/URI" not in pdf and b"/Link" not in pdf
    assert b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf


def test_control_and_format_characters_are_dropped(hostile: tuple[ReportData, bytes]) -> None:
    _, pdf = hostile
    raw = pdf_text(pdf)
    plain = squeeze(raw)
    assert "NUL[]" in plain  # the NUL byte is gone, not shown as "?"
    assert "\x00" not in raw and "\x07" not in raw and "\x1b" not in raw
    assert "\u202e" not in raw
    assert "Line two.[31m reversed" in plain


def test_a_note_keeps_its_line_breaks(hostile: tuple[ReportData, bytes]) -> None:
    _, pdf = hostile
    lines = pdf_text(pdf).splitlines()
    assert any(line.rstrip().endswith("Line one.") for line in lines)
    assert not any("Line one." in line and "Line two." in line for line in lines)


@pytest.mark.slow
def test_long_notes_are_cut_and_marked_shortened() -> None:
    data = sample_report_data("de")
    at = data.incidents[0].at
    long_note = " ".join(f"w{i:04d}" for i in range(1000))  # 5,999 characters
    flood = "\n" * 5000 + "end of flood"
    tall = "\n".join("a line of a note that goes on and on" for _ in range(200))
    notes = (
        Incident(at=at, author="A", text=long_note),
        Incident(at=at, author="B", text=flood),
        Incident(at=at, author="C", text=tall),
    )
    pdf = build_report(dataclasses.replace(data, incidents=notes))
    plain = squeeze(pdf_text(pdf))
    assert text("de", "note_shortened") in plain
    kept = MAX_NOTE_CHARS // 6  # each word with its space is six characters
    assert f"w{kept - 2:04d}" in plain and f"w{kept + 1:04d}" not in plain
    assert "end of flood" in plain
