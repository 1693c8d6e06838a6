"""Building the report PDF: content, fonts, layout guarantees and determinism.

The PDFs are read back with poppler (``pdftotext``, ``pdffonts``, ``pdftoppm``,
``pdfinfo``), independently of reportlab.  A missing poppler fails the tests with an
install hint; it never skips them.  Every page of the sample report is rendered to
``artefacts/reports/<lang>-page-N.png`` for people to look at.
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reports.build import (
    PAGE_SIZE,
    SIGNATURE_BOX,
    build_report,
    format_number,
    format_percentile,
    printable,
)
from reports.labels import LANGUAGES, TRAIT_WORDS, flag_name, text
from reports.model import GameSection, ReportData, TraitRow
from reports.sample import sample_report_data

POPPLER_HINT = "install poppler with `apt-get update && apt-get install -y poppler-utils`"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: the report tests need it. {POPPLER_HINT}", pytrace=False)
    return path


def _run(tool: str, *args: str, pdf: bytes) -> bytes:
    result = subprocess.run(
        [_tool(tool), *args], input=pdf, capture_output=True, check=True, timeout=60
    )
    return result.stdout


def pdf_text(pdf: bytes, *args: str) -> str:
    return _run("pdftotext", "-enc", "UTF-8", *args, "-", "-", pdf=pdf).decode("utf-8")


def page_count(pdf: bytes) -> int:
    info = _run("pdfinfo", "-", pdf=pdf).decode("utf-8", "replace")
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


def render_page(pdf: bytes, page: int, dpi: int) -> Image.Image:
    png = _run("pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-", pdf=pdf)
    return Image.open(io.BytesIO(png)).convert("RGB")


def squeeze(value: str) -> str:
    return " ".join(value.split())


@pytest.fixture(scope="module")
def reports() -> dict[str, tuple[ReportData, bytes]]:
    built: dict[str, tuple[ReportData, bytes]] = {}
    for language in LANGUAGES:
        data = sample_report_data(language)
        built[language] = (data, build_report(data))
    return built


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_text_has_identity_and_every_trait_with_its_percentile(
    reports: dict[str, tuple[ReportData, bytes]], language: str
) -> None:
    data, pdf = reports[language]
    plain = squeeze(pdf_text(pdf))
    assert data.candidate_pseudonym in plain
    assert data.session_id in plain
    assert data.centre_name in plain
    # In layout mode each chart row's caption line holds the trait name and its percentile.
    lines = [squeeze(line) for line in pdf_text(pdf, "-layout").splitlines()]
    for trait in data.traits:
        printed = squeeze(
            text(
                language,
                "chart_caption_ci",
                p=format_percentile(trait.percentile),
                lo=format_percentile(trait.ci_low_pct),
                hi=format_percentile(trait.ci_high_pct),
            )
        )
        assert any(trait.name in line and printed in line for line in lines), (trait, printed)
        assert trait.low_end in plain and trait.high_end in plain
    for game in data.games:
        assert game.title in plain
    assert text(language, "footer_page", page=1, pages=page_count(pdf)) in plain


def test_pages_are_numbered_n_of_m(reports: dict[str, tuple[ReportData, bytes]]) -> None:
    data, pdf = reports["en"]
    pages = page_count(pdf)
    for number in range(1, pages + 1):
        page_text = pdf_text(pdf, "-f", str(number), "-l", str(number))
        assert f"Page {number} of {pages}" in page_text
        assert f"Session {data.session_id}" in page_text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_font_is_embedded(
    reports: dict[str, tuple[ReportData, bytes]], language: str
) -> None:
    listing = _run("pdffonts", "-", pdf=reports[language][1]).decode("utf-8", "replace")
    rows = listing.splitlines()[2:]
    assert rows, listing
    for row in rows:
        emb = row.split()[-5]  # columns end with: emb sub uni object-number generation
        assert emb == "yes", f"font not embedded: {row}"
        assert "Vera" in row or "KioskMono" in row, row  # Kiosk Mono is derived from Vera


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_render_for_review_and_layout_is_stable(
    reports: dict[str, tuple[ReportData, bytes]], language: str, artefacts: Path
) -> None:
    data, pdf = reports[language]
    folder = artefacts / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{language}-page-*.png"):
        old.unlink()
    subprocess.run(
        [_tool("pdftoppm"), "-r", "60", "-png", "-", str(folder / f"{language}-page")],
        input=pdf,
        check=True,
        timeout=60,
    )
    pages = page_count(pdf)
    rendered = sorted(folder.glob(f"{language}-page-*.png"))
    assert len(rendered) == pages
    # pdftoppm pads page numbers to the page count's width; keep the names as documented.
    for image in rendered:
        number = int(image.stem.rsplit("-", 1)[1])
        image.rename(folder / f"{language}-page-{number}.png")
    assert 4 <= pages <= 8, pages
    again = build_report(data)
    assert again == pdf, "the same input must give byte-identical output"
    assert page_count(again) == pages


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_signature_box_is_empty_on_the_last_page(
    reports: dict[str, tuple[ReportData, bytes]], language: str
) -> None:
    data, pdf = reports[language]
    last = page_count(pdf)
    _assert_box_blank(pdf, last)
    last_text = squeeze(pdf_text(pdf, "-f", str(last), "-l", str(last)))
    assert squeeze(data.signature_note) in last_text
    assert text(language, "section_signature") in last_text


def _assert_box_blank(pdf: bytes, page: int, dpi: int = 150) -> None:
    image = render_page(pdf, page, dpi)
    scale = dpi / 72.0
    x1, y1, x2, y2 = SIGNATURE_BOX
    height = PAGE_SIZE[1]
    box = image.crop(
        (
            math.floor(x1 * scale),
            math.floor((height - y2) * scale),
            math.ceil(x2 * scale),
            math.ceil((height - y1) * scale),
        )
    )
    pixels = np.asarray(box)
    assert pixels.min() == 255, f"{int((pixels < 255).any(axis=2).sum())} pixels drawn in the box"


@pytest.mark.slow
@pytest.mark.parametrize("extra_incidents", [0, 7, 15])
def test_signature_box_stays_empty_however_the_content_ends(extra_incidents: int) -> None:
    data = sample_report_data("en")
    incident = data.incidents[0]
    more = tuple(
        dataclasses.replace(incident, text=f"Note {i}: " + "the candidate asked a question. " * 6)
        for i in range(extra_incidents)
    )
    pdf = build_report(dataclasses.replace(data, incidents=data.incidents + more))
    last = page_count(pdf)
    _assert_box_blank(pdf, last, dpi=72)
    assert data.signature_note in squeeze(pdf_text(pdf, "-f", str(last), "-l", str(last)))


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_provisional_note_only_for_provisional_norms(
    reports: dict[str, tuple[ReportData, bytes]], language: str
) -> None:
    note = text(language, "provisional_title")
    data, provisional_pdf = reports[language]
    assert data.norms.provisional
    provisional_text = squeeze(pdf_text(provisional_pdf))
    assert note in provisional_text
    assert squeeze(data.norms.provenance) in provisional_text
    final_pdf = build_report(sample_report_data(data.language, provisional=False))
    final_text = squeeze(pdf_text(final_pdf))
    assert note not in final_text
    assert text(language, "norms_status_provisional") not in final_text
    assert text(language, "norms_status_final") in final_text


@pytest.mark.slow
def test_sparse_and_odd_data_still_build() -> None:
    data = sample_report_data("en")
    not_estimated = TraitRow(
        name="Risk tolerance",
        low_end="cautious \u2194 careful",
        high_end="risk-seeking \u03bc",
        z=float("nan"),
        percentile=float("nan"),
        ci_low_pct=float("nan"),
        ci_high_pct=float("nan"),
        n_metrics=0,
        flags=("no_metrics", "brand_new_flag"),
    )
    omitted = GameSection(title="Towers", status="omitted", metrics=())
    sparse = dataclasses.replace(
        data,
        traits=(*data.traits[:-1], not_estimated),
        games=(*data.games[:-1], omitted),
        quality=(),
        incidents=(),
        timing=dataclasses.replace(data.timing, latency=None, refresh_hz=None, frames=0),
        candidate_pseudonym="Z\u00d8\u2194\u03a9-1",
    )
    pdf = build_report(sparse)
    plain = squeeze(pdf_text(pdf))
    assert "not estimated" in plain
    assert "cautious <-> careful" in plain
    assert "risk-seeking \u00b5" in plain
    assert text("en", "incidents_none") in plain
    assert text("en", "quality_none") in plain
    assert text("en", "timing_latency_none") in plain
    assert text("en", "game_omitted_note") in plain
    assert flag_name("en", "no_metrics") in plain and "brand_new_flag" in plain
    assert printable(sparse.candidate_pseudonym) in plain


def test_unsupported_language_is_refused() -> None:
    data = dataclasses.replace(sample_report_data("en"), language="fr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="language"):
        build_report(data)


def test_formatting_helpers() -> None:
    assert format_percentile(63.5) == "64"
    assert format_percentile(0.4) == "<1"
    assert format_percentile(99.6) == ">99"
    assert format_percentile(None) == format_percentile(float("nan")) == "\u2013"
    assert format_number(-0.004, "en", 3) == "\u22120.004"
    assert format_number(-0.0001, "en", 3) == "0.000"
    assert format_number(1240.0, "en", 0) == "1,240"
    assert format_number(1240.5, "de", 1) == "1.240,5"
    assert format_number(float("nan"), "de") == "\u2013"
    kept = "\u00e4\u00f6\u00fc\u00c4\u00d6\u00dc\u00df \u00b1 \u00b5 \u2013 \u2212 \u00b7"
    assert printable(kept) == kept  # the glyphs the report relies on are in Vera
    assert printable("a\u2194b \u03bcs") == "a<->b \u00b5s"


def test_labels_cover_both_languages() -> None:
    from reports import labels

    keys = {language: set(labels._wording(language)["text"]) for language in LANGUAGES}
    assert keys["en"] == keys["de"]
    for language in LANGUAGES:
        for key in keys[language]:
            assert printable(text(language, key)) == text(language, key), (language, key)
        for words in TRAIT_WORDS.values():
            assert all(printable(word) == word for word in words[language])


@pytest.mark.slow
def test_build_time(reports: dict[str, tuple[ReportData, bytes]]) -> None:
    """Loose guard only; the median is reported by the benchmark, not asserted tightly."""
    data = reports["en"][0]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        build_report(data)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 1.0, times


@pytest.mark.parametrize("language", LANGUAGES)
def test_abilities_and_styles_are_reported_apart(
    reports: dict[str, tuple[ReportData, bytes]], language: str
) -> None:
    data, pdf = reports[language]
    plain = squeeze(pdf_text(pdf))
    # Section headings are numbered: abilities first, then the styles.
    abilities = plain.index("1 " + squeeze(text(language, "section_abilities")))
    styles = plain.index("2 " + squeeze(text(language, "section_traits")))
    assert abilities < styles
    assert squeeze(text(language, "abilities_intro")) in plain
    assert squeeze(text(language, "traits_intro")) in plain
    # The purpose no longer claims that the report has no abilities in it.
    assert "not abilities" not in plain and "keine Fähigkeiten" not in plain
    ability_names = [t.name for t in data.traits if t.kind == "ability"]
    assert len(ability_names) == 4
    section = plain[abilities:styles]
    assert all(name in section for name in ability_names)
    assert not any(t.name in section for t in data.traits if t.kind == "style")


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_weak_data_and_other_design_are_said_in_words(language: str) -> None:
    data = sample_report_data(language)
    first = data.games[0]
    low = dataclasses.replace(
        first.metrics[0], percentile=None, percentile_note="low_data", n=3, flags=("low_data",)
    )
    pinned = dataclasses.replace(first.metrics[1], percentile=None, percentile_note="pinned")
    undefined = dataclasses.replace(
        first.metrics[2], value=float("nan"), percentile=None, percentile_note="undefined"
    )
    game = dataclasses.replace(first, metrics=(low, pinned, undefined, *first.metrics[3:]))
    not_reported = dataclasses.replace(
        data.traits[0],
        z=float("nan"),
        percentile=float("nan"),
        ci_low_pct=float("nan"),
        ci_high_pct=float("nan"),
        flags=("insufficient_coverage",),
    )
    norms = dataclasses.replace(data.norms, design="standard 1.2", other_design=("Balloons",))
    weak = dataclasses.replace(
        data, games=(game, *data.games[1:]), traits=(not_reported, *data.traits[1:]), norms=norms
    )
    plain = squeeze(pdf_text(build_report(weak)))
    for key in ("pct_low_data", "pct_pinned", "pct_undefined", "chart_not_reported"):
        assert squeeze(text(language, key)) in plain, key
    assert squeeze(text(language, "other_design_title")) in plain
    assert "standard 1.2" in plain
    # Nothing shows a percentile for the low-data row: its cell holds the reason.
    assert flag_name(language, "low_data") in plain
