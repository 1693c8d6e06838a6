"""Report benchmark: build + sign time per report, and batch export throughput.

Baseline in the same run: a one-page reportlab PDF with the same embedded font,
built and signed the same way, so the ratio shows what the report's content costs.
Single-core figures: the process is pinned to one CPU where the OS allows it.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import print_table, write_results


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _minimal_pdf() -> bytes:
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    pdfmetrics.registerFont(TTFont("BenchVera", str(font)))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("BenchVera", 12)
    c.drawString(72, 720, "Minimal page")
    c.save()
    return buf.getvalue()


def main(quick: bool = False) -> dict[str, Any]:
    _pin_one_core()
    from kiosk.report_service import write_report
    from kiosk.scoring_service import default_norms, score_stored_session
    from kiosk.store import open_store
    from kiosk.trust.keys import station_identity
    from reports.build import SIGNATURE_BOX, build_report
    from reports.sample import sample_report_data
    from reports.signing import sign_pdf
    from tests.helpers import record_simulated_session

    rounds = 5 if quick else 21
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        folder = Path(tmp)
        with open_store(folder / "k.db") as store:
            identity = station_identity(store)
            data = sample_report_data("en")
            sign_kw = dict(
                reason="Assessment report",
                location="bench",
                signer_label="bench",
                visible_box=SIGNATURE_BOX,
            )
            minimal = _minimal_pdf()
            base, full = [], []
            for _ in range(rounds):
                t0 = time.perf_counter()
                sign_pdf(minimal, identity, **sign_kw)  # type: ignore[arg-type]
                base.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                sign_pdf(build_report(data), identity, **sign_kw)  # type: ignore[arg-type]
                full.append(time.perf_counter() - t0)
            sessions = 3 if quick else 12
            ids = [record_simulated_session(store, "standard", seed=i) for i in range(sessions)]
            norms = default_norms()
            t0 = time.perf_counter()
            for sid in ids:
                scores = score_stored_session(store, sid, norms)
                write_report(store, sid, scores, norms, folder / f"{sid}.pdf")
            batch = time.perf_counter() - t0
    med_base, med_full = statistics.median(base), statistics.median(full)
    result = {
        "minimal_sign_ms": med_base * 1000,
        "report_build_sign_ms": med_full * 1000,
        "report_vs_minimal": med_full / med_base,
        "batch_reports_per_min": sessions / batch * 60,
        "batch_sessions": sessions,
    }
    print_table(
        "Reports: build + sign on one core (ratio against a minimal signed page, same run)",
        [
            ("measure", "value", "aim / note"),
            ("minimal page, signed (median)", f"{med_base * 1000:.0f} ms", "baseline"),
            (
                "full report, built + signed (median)",
                f"{med_full * 1000:.0f} ms",
                f"{med_full / med_base:.1f}x baseline; aim <= 250 ms",
            ),
            (
                "batch export: score + build + sign",
                f"{result['batch_reports_per_min']:.0f} /min",
                f"{sessions} standard-battery sessions",
            ),
        ],
    )
    print(f"written: {write_results('reports', [result])}")
    return result


if __name__ == "__main__":
    main()
