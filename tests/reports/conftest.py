"""Shared material for the report-signing tests: one centre, one station, small PDFs.

Keys are made once per test session: they are cheap (P-256), but signing and verifying
hundreds of tampered copies should not also pay for key generation.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from reports.pki import Authority, Identity, create_centre_authority, issue_station_certificate
from reports.signing import sign_pdf

CENTRE = "Centre X"
STATION = "Station vm"
INSTALL_HINT = (
    "poppler's pdfsig and NSS's certutil are needed for the independent signature check: "
    "install them with `apt-get update && apt-get install -y poppler-utils libnss3-tools`"
)


def make_pdf(pages: int = 1, lines_per_page: int = 1) -> bytes:
    """A reportlab PDF: ``pages`` pages, each with ``lines_per_page`` lines of text."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in range(pages):
        pdf.drawString(72, 800, f"Assessment report - page {page + 1}")
        for line in range(1, lines_per_page):
            pdf.drawString(72, 800 - 11 * line, f"{line:03d} reaction time {line * 7.3:.1f} ms")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def sign(pdf: bytes, identity: Identity, **kwargs: object) -> bytes:
    options: dict[str, object] = {
        "reason": "Assessment report",
        "location": "Room 1",
        "signer_label": f"{STATION} ({CENTRE})",
    }
    options.update(kwargs)
    return sign_pdf(pdf, identity, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def authority() -> Authority:
    return create_centre_authority(CENTRE)


@pytest.fixture(scope="session")
def station(authority: Authority) -> Identity:
    return issue_station_certificate(authority, STATION)


@pytest.fixture(scope="session")
def other_authority() -> Authority:
    return create_centre_authority("Centre Y")


@pytest.fixture(scope="session")
def signed_pdf(station: Identity) -> bytes:
    return sign(make_pdf(), station)


def pdfsig(pdf_path: Path, nss_dir: Path) -> str:
    result = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss_dir}", str(pdf_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout + result.stderr


@pytest.fixture(scope="session")
def nss_dir(tmp_path_factory: pytest.TempPathFactory, authority: Authority) -> Path:
    """An NSS database that trusts the centre authority, for poppler's pdfsig."""
    missing = [tool for tool in ("pdfsig", "certutil") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{' and '.join(missing)} not found. {INSTALL_HINT}", pytrace=False)
    folder = tmp_path_factory.mktemp("nss")
    ca_pem = folder / "ca.pem"
    ca_pem.write_bytes(authority.certificate_pem())
    database = f"sql:{folder}"
    subprocess.run(["certutil", "-N", "--empty-password", "-d", database], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", database, "-n", "centre-ca", "-t", "CT,C,C", "-i", str(ca_pem)],
        check=True,
    )
    return folder
