"""PDF reports: building (reportlab) and signing (pyHanko). No Qt, no database.

Building: the kiosk fills a :class:`ReportData` (plain frozen dataclasses in
:mod:`reports.model`; nothing there imports ``scoring`` or ``kiosk``) and calls
:func:`build_report`, which returns the bytes of an unsigned A4 PDF – fonts
embedded, deterministic for the same input, and with :data:`SIGNATURE_BOX` left
empty on the last page for the visible signature.  The report's own wording, in
English and German, lives in :mod:`reports.labels`; :func:`sample_report_data`
gives a realistic made-up report for tests, benchmarks and demos.

Signing and verification live in :mod:`reports.signing`, :mod:`reports.verify`
and :mod:`reports.pki`; import them from there (they pull in pyHanko, which
building does not need).  Sign with ``visible_box=SIGNATURE_BOX`` on the last page.

The names below load their module on first use (PEP 562), so that importing
:mod:`reports.pki` or :mod:`reports.verify` does not load reportlab (about 0.4 s).

Evidence: set ``ReportData.evidence`` (:class:`ReportEvidence`) and the report shows
it, embeds it as ``kiosk-evidence.json`` inside the signed content, and marks DEMO
reports on every page; :func:`reports.verify.verify_pdf` returns it as a dict.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reports.build import EVIDENCE_FILE_NAME, SIGNATURE_BOX, build_report
    from reports.model import (
        GameSection,
        Incident,
        LatencyMeasurement,
        MetricRow,
        NormInfo,
        ReportData,
        ReportEvidence,
        TimingInfo,
        TraitRow,
        evidence_from_dict,
        evidence_json,
    )
    from reports.sample import sample_report_data

__all__ = [
    "EVIDENCE_FILE_NAME",
    "SIGNATURE_BOX",
    "GameSection",
    "Incident",
    "LatencyMeasurement",
    "MetricRow",
    "NormInfo",
    "ReportData",
    "ReportEvidence",
    "TimingInfo",
    "TraitRow",
    "build_report",
    "evidence_from_dict",
    "evidence_json",
    "sample_report_data",
]

#: Where each name above lives.
_HOMES = {
    **dict.fromkeys(("EVIDENCE_FILE_NAME", "SIGNATURE_BOX", "build_report"), "reports.build"),
    "sample_report_data": "reports.sample",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'reports' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES.get(name, "reports.model")), name)
    globals()[name] = value
    return value
