"""Every report `kiosk demo --out DIR` writes is valid for `kiosk verify` and for pdfsig."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.store import open_store
from kiosk.trust.keys import centre_certificate_pem

BATTERY = """
[battery]
name = "two"
version = "1"

[[games]]
id = "balloons"
params = { n_balloons = 2 }

[[games]]
id = "cards"
params = { n_picks = 6 }
"""


@pytest.mark.slow
@pytest.mark.long(40)
def test_demo_reports_verify_with_kiosk_and_pdfsig(tmp_path: Path) -> None:
    for tool, package in (("pdfsig", "poppler-utils"), ("certutil", "libnss3-tools")):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: apt-get install {package}")
    battery = tmp_path / "two.toml"
    battery.write_text(BATTERY)
    store, out = tmp_path / "k.db", tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    demo = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "demo",
            "--store",
            str(store),
            "--battery",
            str(battery),
            "--candidates",
            "2",
            "--seed",
            "5",
            "--out",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert demo.returncode == 0, demo.stderr
    sessions = json.loads(demo.stdout)["sessions"]
    paths = [Path(p) for s in sessions for p in s["reports"]]
    assert len(paths) == 2 and all(p.parent == out for p in paths)
    # Eight styles and four abilities.
    assert all(len(s["traits"]) == 12 for s in sessions)
    with open_store(store) as opened:
        ca = centre_certificate_pem(opened)
    assert ca is not None
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
    for path in paths:
        verdict = subprocess.run(
            [sys.executable, "-m", "kiosk", "verify", str(path), "--store", str(store)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        # The signature holds, and the signed content says it is a demo.
        assert verdict.returncode == 1, verdict.stdout
        assert verdict.stdout.startswith("NOT AN ASSESSMENT"), verdict.stdout
        pdfsig = subprocess.run(
            ["pdfsig", "-nssdir", db, str(path)], capture_output=True, text=True
        )
        assert "Signature Validation: Signature is Valid." in pdfsig.stdout
        assert "Certificate Validation: Certificate is Trusted." in pdfsig.stdout
