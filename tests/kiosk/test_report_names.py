"""Report file names are safe whatever a candidate's pseudonym holds.

A pseudonym such as ``../../x`` must not put a report outside the folder it is
exported to: every report lands directly inside ``--out``, and a pseudonym that is
already safe is kept as it is in the name (``kiosk verify`` users match report files
to candidates by it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.exports import export_reports
from kiosk.outcome import pipeline
from kiosk.outcome.pipeline import report_name
from kiosk.store import Store, open_store
from kiosk.store.models import AssessmentSession, Candidate
from tests.helpers import record_simulated_session

HOSTILE = [
    "../../x",
    "..\\..\\x",
    "/etc/passwd",
    "a/b",
    "con",
    "x" * 300,
    "Ünïcødé-候选人-😀",
    "",
    "..",
    ".hidden",
    "nul\x00byte",
    'a<b>c:d"e|f?g*h',
    "LPT1",
    "-rf",
]


@pytest.fixture(scope="module")
def completed(tmp_path_factory) -> Iterator[tuple[Store, str]]:
    folder = tmp_path_factory.mktemp("names")
    store = open_store(folder / "k.db")
    try:
        yield store, record_simulated_session(store, "short", seed=2)
    finally:
        store.close()


def _set_pseudonym(store: Store, sid: str, pseudonym: str) -> None:
    with store.writer() as s, s.begin():
        session = s.get(AssessmentSession, sid)
        assert session is not None
        candidate = s.get(Candidate, session.candidate_id)
        assert candidate is not None
        candidate.pseudonym = pseudonym


def _is_safe(name: str) -> bool:
    stem, dot, ext = name.rpartition(".")
    return (
        dot == "."
        and ext == "pdf"
        and 0 < len(stem) <= 100
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in stem)
        and stem[0].isalnum()
    )


@pytest.mark.parametrize("pseudonym", HOSTILE)
def test_a_hostile_pseudonym_gives_a_plain_name(completed, pseudonym: str) -> None:
    store, sid = completed
    _set_pseudonym(store, sid, pseudonym)
    name = report_name(store, sid)
    assert _is_safe(name), name
    assert name.endswith(f"-{sid[:8]}.pdf")
    assert name.split("-")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "LPT1", "COM1"}


@pytest.mark.parametrize("pseudonym", ["C-7QK4-M2XH", "abc_DEF-123", "x" * 64])
def test_a_safe_pseudonym_is_kept_whole(completed, pseudonym: str) -> None:
    store, sid = completed
    _set_pseudonym(store, sid, pseudonym)
    assert report_name(store, sid) == f"{pseudonym}-{sid[:8]}.pdf"


def test_unicode_letters_keep_their_base_letter(completed) -> None:
    store, sid = completed
    _set_pseudonym(store, sid, "Zoë-Ångström")
    assert report_name(store, sid).startswith("Zoe-Angstrom-")


@pytest.mark.slow
@pytest.mark.parametrize("pseudonym", HOSTILE)
def test_every_exported_report_lands_directly_inside_out(
    completed, tmp_path: Path, pseudonym: str
) -> None:
    store, sid = completed
    _set_pseudonym(store, sid, pseudonym)
    # Guard first: even a regression must not write outside this test's folder.
    name = report_name(store, sid)
    assert Path(name).name == name and not Path(name).is_absolute(), name
    out = tmp_path / "a" / "b" / "out"
    written, failures = export_reports(store, out)
    assert (written, failures) == (1, [])
    files = [p for p in tmp_path.rglob("*") if p.is_file() or p.is_symlink()]
    assert [p.parent for p in files] == [out], files
    assert files[0].name == name


@pytest.mark.slow
def test_a_name_that_would_leave_the_folder_is_refused(
    completed, tmp_path: Path, monkeypatch
) -> None:
    store, sid = completed
    out = tmp_path / "a" / "out"
    for bad in ("../x.pdf", "sub/x.pdf", "/tmp/x.pdf", "..", ""):
        with pytest.raises(ValueError, match="outside"):
            pipeline.report_path(out, bad)
    monkeypatch.setattr(pipeline, "report_name", lambda store, sid: "../escaped.pdf")
    with pytest.raises(ValueError, match="outside"):
        pipeline.produce(store, sid, report_dir=out)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


@pytest.mark.slow
def test_a_symlink_in_the_folder_pointing_out_is_refused(completed, tmp_path: Path) -> None:
    store, sid = completed
    _set_pseudonym(store, sid, "C-LINK-TEST")
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.pdf"
    (out / report_name(store, sid)).symlink_to(elsewhere)
    with pytest.raises(ValueError, match="outside"):
        pipeline.produce(store, sid, report_dir=out)
    assert not elsewhere.exists()
