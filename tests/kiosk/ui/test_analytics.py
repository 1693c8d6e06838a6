"""The admins' analytics view: figures from the store, the audit tab and its exports."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import subprocess
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from kiosk import analytics
from kiosk.access import auth
from kiosk.access.permissions import PermissionDenied
from kiosk.scoring_service import score_stored_session
from kiosk.store.models import Role, Score, TimingTest
from scoring.fairness import adverse_impact, threshold_sweep
from tests.helpers import record_simulated_session


@pytest.fixture
def admin(store) -> auth.Actor:
    auth.create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    return auth.authenticate(store, "ada", "correct horse")


@pytest.fixture
def scored(store) -> list[str]:
    sids = [record_simulated_session(store, "standard", seed=seed) for seed in (1, 2, 3)]
    for sid in sids:
        score_stored_session(store, sid, bootstrap=False)
    with store.writer() as s, s.begin():
        for days, median in ((3, 180.0), (1, 210.0)):
            s.add(
                TimingTest(
                    station_id=store.station().id,
                    run_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days),
                    results={"input_to_stamp_us": {"n": 500, "median": median, "p99": 2 * median}},
                )
            )
    return sids


def sample_audit() -> analytics.AuditView:
    """An audit in the shape of the role-fit models' one, from the real fairness code."""
    rng = np.random.default_rng(5)
    groups = ["a"] * 60 + ["b"] * 60
    scores = np.concatenate([rng.normal(0.6, 0.15, 60), rng.normal(0.45, 0.15, 60)])
    decision = scores >= 0.5
    audit = adverse_impact(
        {g: (int(decision[np.array(groups) == g].sum()), 60) for g in ("a", "b")}
    )
    active = SimpleNamespace(
        role="analyst",
        version="0123456789abcdef" * 4,
        threshold=0.5,
        n_candidates=120,
        current=(SimpleNamespace(attribute="gender", audit=audit),),
        sweeps={"gender": threshold_sweep(scores, groups)},
    )
    return analytics.audit_view(active)


@pytest.mark.slow
def test_load_analytics_reads_the_station(store, admin, scored) -> None:
    data = analytics.load_analytics(store, admin)
    assert data.status_counts == {"completed": 3}
    assert data.completion_rate == 1.0
    # A trait a session could not support (too little coverage) has no value and
    # is left out of that trait's distribution; every stored value is drawn once.
    with store.reader() as s:
        stored = s.execute(
            select(Score.name, Score.value).where(
                Score.scope == "trait", Score.session_id.in_(scored)
            )
        ).all()
    expected = Counter(name for name, value in stored if value is not None and math.isfinite(value))
    assert {t.name: len(t.values) for t in data.traits} == dict(expected)
    assert sum(len(t.values) == 3 for t in data.traits) >= 5
    assert all(t.norm_mean == 0.0 and t.norm_sd == 1.0 for t in data.traits)
    assert data.metrics and all(m.values for m in data.metrics)
    assert sum(n for _, n in data.sessions_per_day) == 3
    assert [round(p.input_median_us) for p in data.timing] == [180, 210]
    assert data.audits == () and data.audit_note.startswith("No active model")
    proctor = auth.Actor(None, "pat", Role.PROCTOR)
    with pytest.raises(PermissionDenied):
        analytics.load_analytics(store, proctor)


def test_audit_csv_lists_groups_and_sweep() -> None:
    audit = sample_audit()
    text = analytics.audit_csv(audit)
    lines = text.splitlines()
    assert lines[1].startswith("analyst,0123456789abcdef")
    assert any(line.startswith("gender,a,60,") for line in lines)
    sweep_rows = [line for line in lines if line.startswith("gender,") and line.count(",") == 4]
    assert len(sweep_rows) == len(audit.sweeps["gender"]) > 3


@pytest.mark.slow
def test_the_view_from_the_admin_screen(window, qtbot, store, admin, scored, artefacts) -> None:
    window.context.state.actor = admin
    admin_screen = window.open("admin")
    qtbot.mouseClick(admin_screen.analytics, Qt.MouseButton.LeftButton)
    view = window.current_screen()
    assert view.name == "analytics"
    qtbot.waitUntil(lambda: view.data is not None, timeout=60_000)
    assert "3 sessions, 3 completed (100% of those started)" in view.summary.text()
    plots = [item for item in view.traits_plot.ci.items if hasattr(item, "titleLabel")]
    assert len(plots) == len(view.data.traits)
    assert view.audit_heading.text().startswith("No active model")
    assert not view.export_pdf.isEnabled()

    audit = sample_audit()
    view.show_audits((audit,))
    assert view.audit_table.rowCount() == 2
    assert view.audit_table.item(0, 0).text() == "gender"
    assert "analyst: threshold 0.500, 120 candidates" in view.audit_heading.text()
    curves = view.sweep_plot.getPlotItem().listDataItems()
    assert len(curves[0].getData()[0]) == len(audit.sweeps["gender"])
    view.tabs.setCurrentIndex(view.tabs.count() - 1)
    view.window().grab().save(str(artefacts / "analytics-audit.png"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_export_writes_a_signed_pdf_and_a_csv(store, admin, tmp_path) -> None:
    pdf_path, csv_path = analytics.export_audit(store, admin, sample_audit(), tmp_path / "out")
    text = subprocess.run(
        ["pdftotext", str(pdf_path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Adverse-impact audit of a role-fit model" in text
    assert "Role analyst" in text and "Threshold sweep" in text
    assert csv_path.read_text().startswith("role,version,threshold,candidates")
    assert b"/ByteRange" in pdf_path.read_bytes()  # signed
    assert (pdf_path.stat().st_mode & 0o777) == 0o600
