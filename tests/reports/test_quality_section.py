"""Engagement notes in the report's data-quality section (:mod:`reports.quality_section`)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest

from reports.build import build_report
from reports.model import QualityNote
from reports.quality_section import ENGAGEMENT_TEXT
from reports.sample import sample_report_data

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="install poppler-utils for pdftotext"
)

NOTE = QualityNote(
    code="too_fast_responding",
    game="Arrows",
    message="Arrows: 97% of 120 responses came faster than 150 ms (median 83 ms), "
    "too fast to have seen the screen.",
)


def _text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode("utf-8").split())


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "de"])
def test_the_flag_message_is_in_the_quality_section(language: str) -> None:
    data = dataclasses.replace(
        sample_report_data(),
        language=language,
        engagement=(
            NOTE,
            NOTE.__class__(
                code="idle_gap", game="Cards", message="Cards: nothing happened for 70 s <b>x</b>"
            ),
        ),
    )
    text = _text(build_report(data))
    assert " ".join(NOTE.message.split()) in text
    assert "Cards: nothing happened for 70 s <b>x</b>" in text  # shown as text, not markup
    assert ENGAGEMENT_TEXT[language]["heading"] in text


@pytest.mark.slow
def test_no_notes_no_engagement_block() -> None:
    text = _text(build_report(sample_report_data()))
    assert ENGAGEMENT_TEXT["en"]["intro"].split(" (")[0] not in text
