"""Signed reports and exports from the store: verify, tamper, pdfsig, CSV with dictionary."""

from __future__ import annotations

import csv
import json
import math
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli.verify import verify_command
from kiosk.store import open_store
from kiosk.trust.keys import centre_certificate_pem
from tests.helpers import as_admin, ensure_admin, new_session, record_simulated_session


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command; exports sign in as the test admin (password on stdin)."""
    argv, password = as_admin(*args) if args[0] == "export" else (list(args), "")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *argv],
        capture_output=True,
        text=True,
        timeout=180,
        input=password,
    )


def need(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install {package}")


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> tuple[Path, Path, str, bytes]:
    folder = tmp_path_factory.mktemp("reports")
    store_path = folder / "k.db"
    with open_store(store_path) as store:
        sid = record_simulated_session(store, "standard", seed=4)
        ensure_admin(store)
    out_dir = folder / "out"
    out_dir.mkdir()
    result = kiosk(
        "export", "report", "--store", str(store_path), "--session", sid, "--out", str(out_dir)
    )
    assert result.returncode == 0, result.stderr
    (out,) = out_dir.glob("*.pdf")
    with open_store(store_path) as store:
        ca = centre_certificate_pem(store)
    assert ca is not None
    return store_path, out, sid, ca


@pytest.mark.slow
def test_report_verifies_and_carries_the_session(signed, capsys) -> None:
    store_path, out, sid, _ = signed
    result = kiosk("verify", str(out), "--store", str(store_path))
    assert result.returncode == 0 and result.stdout.startswith("VALID:"), result.stdout
    need("pdftotext", "poppler-utils")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert sid in text
    with open_store(store_path) as store, store.reader() as s:
        from sqlalchemy import select

        from kiosk.store.models import AssessmentSession, Candidate, Report, Score

        session = s.get(AssessmentSession, sid)
        pseudonym = s.get(Candidate, session.candidate_id).pseudonym
        traits = s.scalars(select(Score).where(Score.session_id == sid, Score.scope == "trait"))
        report = s.scalars(select(Report).where(Report.session_id == sid)).one()
        import hashlib

        assert report.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
        flat = " ".join(text.split())
        assert pseudonym in flat
        from reports.labels import TRAIT_WORDS

        for trait in traits:
            assert TRAIT_WORDS[trait.name]["en"][0] in flat
            if trait.percentile is not None:
                # Printed rounded half up (66.5 -> 67), not Python's half-to-even.
                shown = math.floor(trait.percentile + 0.5)
                assert f"percentile {shown}" in flat or (
                    trait.percentile < 1 or trait.percentile > 99
                )


def test_every_font_is_embedded_in_the_signed_report(signed) -> None:
    need("pdffonts", "poppler-utils")
    listing = subprocess.run(["pdffonts", str(signed[1])], capture_output=True, text=True)
    rows = listing.stdout.splitlines()[2:]
    assert rows
    not_embedded = [r for r in rows if r.split()[-5] != "yes"]
    assert not not_embedded, not_embedded


@pytest.mark.slow
def test_any_changed_byte_makes_verify_fail(signed, tmp_path: Path, capsys) -> None:
    _, out, _, ca = signed
    data = out.read_bytes()
    rng = random.Random(7)
    for position in rng.sample(range(len(data)), 40):
        changed = bytearray(data)
        changed[position] ^= 1 << rng.randrange(8)
        path = tmp_path / "changed.pdf"
        path.write_bytes(bytes(changed))
        assert verify_command(path, None, ca) == 1, f"byte {position} changed unnoticed"
    capsys.readouterr()


def test_pdfsig_agrees(signed, tmp_path: Path) -> None:
    need("pdfsig", "poppler-utils")
    need("certutil", "libnss3-tools")
    _, out, _, ca = signed
    (tmp_path / "ca.pem").write_bytes(ca)
    db = f"sql:{tmp_path}"
    subprocess.run(["certutil", "-N", "--empty-password", "-d", db], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            db,
            "-n",
            "centre",
            "-t",
            "CT,C,C",
            "-i",
            str(tmp_path / "ca.pem"),
        ],
        check=True,
    )
    result = subprocess.run(["pdfsig", "-nssdir", db, str(out)], capture_output=True, text=True)
    assert "Signature Validation: Signature is Valid." in result.stdout
    assert "Certificate Validation: Certificate is Trusted." in result.stdout


@pytest.mark.slow
def test_batch_export_reports_a_failing_session_and_goes_on(tmp_path: Path) -> None:
    store_path = tmp_path / "k.db"
    with open_store(store_path) as store:
        good = record_simulated_session(store, "short", seed=2)
        (bad,) = new_session(store)  # completed, but with nothing to score
        from kiosk.sessions.machine import Move, apply

        for move in (Move.CHECK_IN, Move.START, Move.COMPLETE):
            apply(store, bad, move)
        ensure_admin(store)
    result = kiosk("export", "reports", "--store", str(store_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"session {bad} failed" in result.stderr and "1 report(s) written" in result.stdout
    assert len(list((tmp_path / "out").glob(f"*-{good[:8]}.pdf"))) == 1


@pytest.mark.slow
def test_data_export_is_tidy_and_fully_described(tmp_path: Path) -> None:
    store_path = tmp_path / "k.db"
    with open_store(store_path) as store:
        sid = record_simulated_session(store, "short", seed=3)
        from kiosk.scoring_service import score_stored_session

        score_stored_session(store, sid, bootstrap=False)
        ensure_admin(store)
    result = kiosk("export", "data", "--store", str(store_path), "--out", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "d"
    dictionary = json.loads((folder / "data_dictionary.json").read_text())
    files = sorted(p.name for p in folder.glob("*.csv"))
    # events, scores and sessions, and one trial table per game the short battery plays
    from kiosk.battery import load_battery

    games = {g.game_id for g in load_battery("short").games}
    assert files == sorted(
        ["events.csv", "scores.csv", "sessions.csv"] + [f"trials_{g}.csv" for g in games]
    )
    assert sorted(dictionary["files"]) == files
    for name in files:
        with (folder / name).open(newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == list(dictionary["files"][name]), name
        assert len(rows) > 1, name
        assert all(len(r) == len(rows[0]) for r in rows)
    with (folder / "sessions.csv").open(newline="") as fh:
        assert next(csv.DictReader(fh))["session_id"] == sid


@pytest.mark.slow
def test_not_a_signed_pdf_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("hello")
    result = kiosk("verify", str(path))
    assert result.returncode == 2 and "NOT SIGNED" in result.stdout


@pytest.mark.slow
def test_kiosk_score_says_why_a_trait_is_not_reported(tmp_path: Path) -> None:
    """A short battery cannot cover every trait: the command says "not reported" and
    why, never "percentile nan"."""
    import subprocess
    import sys

    from tests.helpers import as_admin

    store_path = tmp_path / "k.db"
    with open_store(store_path) as store:
        sid = record_simulated_session(store, "short", seed=5)
        ensure_admin(store)
    argv, password = as_admin("score", "--store", str(store_path), "--session", sid)
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", *argv, "--no-bootstrap"],
        capture_output=True,
        text=True,
        timeout=180,
        input=password,
    )
    assert result.returncode == 0, result.stderr
    traits = [line for line in result.stdout.splitlines() if line.strip().startswith("trait ")]
    assert traits and "nan" not in result.stdout
    assert all("percentile " in t or "not reported (" in t for t in traits)
