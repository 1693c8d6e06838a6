"""Role-fit models on a real store, through the station service and the ``kiosk fit`` command.

The simulated case: 300 synthetic candidates with stored trait scores and a
self-reported gender.  ``effort`` is group-correlated (men score one SD higher) and
the incumbents are chosen on attention and effort, so a model trained on every trait
leans on effort and selects men far more often than women: it fails the four-fifths
rule.  De-biasing removes effort, the refit passes, and both steps are in the stored
history.  Everything is built with a fixed seed.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from kiosk import fit_models
from kiosk.access.auth import Actor
from kiosk.access.permissions import PermissionDenied
from kiosk.cli import main
from kiosk.privacy import erase_personal
from kiosk.store import open_store
from kiosk.store.models import (
    AssessmentSession,
    AuditEntry,
    Candidate,
    CandidateDemographic,
    CandidatePersonal,
    FitModelVersion,
    Role,
    Score,
    SessionStatus,
)
from tests.helpers import ADMIN as ADMIN_NAME
from tests.helpers import ADMIN_PASSWORD, ensure_admin

ADMIN = Actor(None, "ada", Role.ADMIN)
PROCTOR = Actor(None, "pat", Role.PROCTOR)
TRAITS = ("attention", "effort", "fairness", "risk_tolerance")
N = 300


def _populate(path: Path, seed: int = 7) -> dict[str, object]:
    """Synthetic scored candidates; returns their pseudonyms, sessions, groups and labels."""
    rng = np.random.default_rng(seed)
    gender = np.array(["woman", "man"] * (N // 2))
    traits = {name: rng.standard_normal(N) for name in TRAITS}
    traits["effort"] = traits["effort"] + np.where(gender == "man", 1.0, 0.0)
    merit = 1.2 * traits["attention"] + 1.2 * traits["effort"] + rng.normal(0, 0.7, N)
    incumbent = merit >= np.quantile(merit, 0.75)
    pseudonyms = [f"C-{i:04d}-FIT" for i in range(N)]
    sessions = [str(uuid.UUID(int=i + 1)) for i in range(N)]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with open_store(path) as store:
        ensure_admin(store)
        with store.writer() as s, s.begin():
            for i in range(N):
                candidate = Candidate(pseudonym=pseudonyms[i])
                s.add(candidate)
                s.flush()
                # As fit_models.record_self_report stores it (one transaction here, for speed).
                s.add(CandidatePersonal(candidate_id=candidate.id))
                s.flush()
                s.add(
                    CandidateDemographic(
                        candidate_id=candidate.id, attribute="gender", value=str(gender[i])
                    )
                )
                s.add(
                    AssessmentSession(
                        id=sessions[i],
                        candidate_id=candidate.id,
                        status=SessionStatus.COMPLETED.value,
                        started_at=start + timedelta(minutes=i),
                        ended_at=start + timedelta(minutes=i + 30),
                    )
                )
                s.flush()
                for name in TRAITS:
                    s.add(
                        Score(
                            session_id=sessions[i],
                            scope="trait",
                            name=name,
                            value=float(traits[name][i]),
                            scoring_version="test",
                            norm_version="test",
                        )
                    )
    return {
        "pseudonyms": pseudonyms,
        "sessions": sessions,
        "gender": gender,
        "incumbent": incumbent,
    }


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """The populated store, with its own key folder (each copy takes a copy of it: the
    audit anchor kept there must not be shared by stores that go separate ways)."""
    folder = tmp_path_factory.mktemp("fit")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_KEY_DIR", str(folder / "keys"))
        data = _populate(folder / "data" / "kiosk.db")
    return folder / "data" / "kiosk.db", data


def _csv(data: dict[str, object]) -> str:
    pseudonyms = data["pseudonyms"]
    incumbent = data["incumbent"]
    assert isinstance(pseudonyms, list) and isinstance(incumbent, np.ndarray)
    lines = ["pseudonym,label"]
    lines += [f"{p},1" for p, inc in zip(pseudonyms, incumbent, strict=True) if inc]
    return "\n".join(lines) + "\n"


def kiosk(monkeypatch: pytest.MonkeyPatch, path: Path, *argv: str, user: bool = True) -> int:
    """``kiosk ARGV --store PATH``, signed in as the test admin (password on stdin)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(ADMIN_PASSWORD + "\n"))
    extra = ["--user", ADMIN_NAME] if user else []
    return main([*argv, "--store", str(path), *extra])


@pytest.fixture
def copy(
    station: tuple[Path, dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The populated store and its key folder, copied so each test starts from them."""
    path, _ = station
    shutil.copytree(path.parent.parent / "keys", tmp_path / "keys")
    monkeypatch.setenv("KIOSK_KEY_DIR", str(tmp_path / "keys"))
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "kiosk.db"
    source = sqlite3.connect(path)
    dest = sqlite3.connect(target)
    source.backup(dest)
    source.close()
    dest.close()
    return target


@pytest.mark.slow
def test_the_biased_model_fails_then_passes_after_debiasing_and_both_are_in_the_history(
    copy: Path,
    station: tuple[Path, dict[str, object]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, data = station
    labels = tmp_path / "analysts.csv"
    labels.write_text(_csv(data), encoding="utf-8")
    assert kiosk(monkeypatch, copy, "fit", "import-incumbents", "analyst", str(labels)) == 0
    assert "imported 75 incumbents and 0 baseline people for analyst" in capsys.readouterr().out

    assert kiosk(monkeypatch, copy, "fit", "train", "analyst") == 0
    out = capsys.readouterr().out
    assert "step 1: 4 features" in out and "removed trait:effort" in out
    assert "step 2: 3 features" in out and "pass (failed rules: gender: none)" in out

    with open_store(copy) as store:
        (stored,) = fit_models.history(store, ADMIN, "analyst")
    record = stored.version.record
    steps = record["debiasing"]["steps"]
    assert record["debiasing"]["status"] == "passed"
    assert len(steps) == 2
    first, second = steps
    # Before: men selected far more often; the four-fifths rule and the tests fail.
    assert first["verdict"] == "fail" and first["impact_ratio"] < 0.8
    assert "four_fifths" in first["failed_rules"]["gender"]
    assert first["removed"] == "trait:effort"
    assert first["contributions"]["trait:effort"] == max(first["contributions"].values())
    # After: effort gone, the audit passes, the model still finds the attention signal.
    assert second["verdict"] == "pass" and second["impact_ratio"] >= 0.8
    assert "trait:effort" not in second["features"] and second["removed"] is None
    assert record["model"]["feature_names"] == second["features"]
    assert record["audit"]["verdict"] == "pass"
    assert record["cv"]["auc"] > 0.6 and first["auc"] > second["auc"]
    weights = dict(
        zip(record["model"]["feature_names"], record["model"]["coefficients"], strict=True)
    )
    assert max(weights, key=lambda k: abs(weights[k])) == "trait:attention"
    assert len(record["training"]) == N and sum(e["label"] for e in record["training"]) == 75

    # Approval and activation through the command; both audited under the admin's name.
    assert stored.status == "draft"
    assert kiosk(monkeypatch, copy, "fit", "approve", str(stored.id)) == 0
    assert kiosk(monkeypatch, copy, "fit", "activate", stored.short) == 0
    capsys.readouterr()
    assert kiosk(monkeypatch, copy, "fit", "history", "analyst") == 0
    out = capsys.readouterr().out
    assert (
        f"version {stored.id} ({stored.short}) of analyst: active, approved by {ADMIN_NAME}" in out
    )
    assert "removed trait:effort" in out

    sessions = data["sessions"]
    assert isinstance(sessions, list)
    assert kiosk(monkeypatch, copy, "fit", "score", sessions[0]) == 0
    out = capsys.readouterr().out
    assert out.startswith("analyst: probability ") and stored.short in out

    with open_store(copy) as store:
        with store.reader() as s:
            actions = s.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("fit_%"))
            ).all()
            actors = set(s.scalars(select(AuditEntry.actor).where(AuditEntry.action.like("fit_%"))))
        assert actions == [
            "fit_incumbents_imported",
            "fit_model_trained",
            "fit_model_approved",
            "fit_model_activated",
        ]
        assert actors == {ADMIN_NAME}
        (audit,) = fit_models.active_model_audit(store)
        assert audit.version == stored.content_hash and audit.n_candidates == N
        assert audit.training_audit["verdict"] == "pass"
        assert [a.attribute for a in audit.current] == ["gender"]
        assert audit.current[0].audit.verdict == "pass"
        assert len(audit.sweeps["gender"].points) == 19
    assert kiosk(monkeypatch, copy, "store", "check", user=False) == 0


def test_a_model_that_cannot_be_judged_cannot_be_approved_or_activated(
    copy: Path,
    station: tuple[Path, dict[str, object]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, data = station
    with open_store(copy) as store:
        fit_models.import_incumbents(store, ADMIN, "analyst", _csv(data))
        # Nobody answered an age question: too few to judge, which blocks approval.
        stored = fit_models.train(store, ADMIN, "analyst", attributes=("gender", "age_group"))
        assert stored.version.audit_verdict == "too_few_to_judge"
        assert stored.version.record["debiasing"]["status"] == "too_few_to_judge"
        with pytest.raises(ValueError, match="cannot be approved: some groups are too few"):
            fit_models.approve(store, ADMIN, str(stored.id))
        with pytest.raises(ValueError, match="is draft; only a version that is approved"):
            fit_models.activate(store, ADMIN, str(stored.id))
        with pytest.raises(PermissionDenied, match="a proctor may not manage fit models"):
            fit_models.approve(store, PROCTOR, str(stored.id))
        with pytest.raises(PermissionDenied):
            fit_models.train(store, PROCTOR, "analyst")
        assert fit_models.score_session(store, ADMIN, data["sessions"][0]) == []  # type: ignore[index]
        with store.reader() as s:
            assert s.scalar(select(FitModelVersion.status)) == "draft"


@pytest.mark.slow
def test_shadow_compares_a_new_version_with_the_active_one(
    copy: Path,
    station: tuple[Path, dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, data = station
    with open_store(copy) as store:
        fit_models.import_incumbents(store, ADMIN, "analyst", _csv(data))
        first = fit_models.train(store, ADMIN, "analyst", seed=0)
        fit_models.approve(store, ADMIN, first.short)
        fit_models.activate(store, ADMIN, first.short)
        second = fit_models.train(store, ADMIN, "analyst", seed=1)
        candidate, active, comparison = fit_models.shadow(store, ADMIN, str(second.id))
    assert active is not None and active.id == first.id and candidate.id == second.id
    assert comparison is not None and comparison.n == N
    # Same data, other folds: nearly the same model.
    assert comparison.agreement > 0.9 and comparison.kappa > 0.7 and comparison.spearman > 0.95
    assert kiosk(monkeypatch, copy, "fit", "shadow", second.short) == 0
    out = capsys.readouterr().out
    assert f"against the active version {first.id}" in out and "Cohen's kappa" in out
    assert "active gender: pass" in out and "new gender: pass" in out

    with open_store(copy) as store:
        fit_models.approve(store, ADMIN, str(second.id))
        fit_models.activate(store, ADMIN, str(second.id))
        states = {v.id: v.status for v in fit_models.history(store, ADMIN, "analyst")}
    assert states == {first.id: "retired", second.id: "active"}


@pytest.mark.slow
def test_a_forged_approval_is_caught_by_store_check_and_refused_for_scoring(
    copy: Path,
    station: tuple[Path, dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, data = station
    with open_store(copy) as store:
        fit_models.import_incumbents(store, ADMIN, "analyst", _csv(data))
        stored = fit_models.train(store, ADMIN, "analyst", attributes=("gender", "age_group"))
    db = sqlite3.connect(copy)
    with db:
        db.execute(
            "UPDATE fit_model_versions SET status = 'active', approved_by = 'mallory', "
            "approved_at = '2026-12-01 00:00:00' WHERE id = ?",
            (stored.id,),
        )
    db.close()
    assert kiosk(monkeypatch, copy, "store", "check", user=False) == 1
    assert (
        f"fit_model_versions row {stored.id} was changed outside kiosk" in capsys.readouterr().out
    )
    with open_store(copy) as store, pytest.raises(ValueError, match="the store was altered"):
        fit_models.score_session(store, ADMIN, data["sessions"][0])  # type: ignore[index]


@pytest.mark.slow
def test_an_edited_record_is_refused(copy: Path, station: tuple[Path, dict[str, object]]) -> None:
    _, data = station
    with open_store(copy) as store:
        fit_models.import_incumbents(store, ADMIN, "analyst", _csv(data))
        stored = fit_models.train(store, ADMIN, "analyst")
    db = sqlite3.connect(copy)
    with db:
        record = db.execute("SELECT record FROM fit_model_versions").fetchone()[0]
        db.execute(
            "UPDATE fit_model_versions SET record = ?",
            (record.replace('"threshold_rule":"incumbent_share"', '"threshold_rule":"fixed"'),),
        )
    db.close()
    with open_store(copy) as store, pytest.raises(ValueError, match="record altered"):
        fit_models.load_version(store, str(stored.id))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("name,label\nC-0000-FIT,1\n", "line 1: the header must be `pseudonym,label`"),
        ("pseudonym,label\n", "line 2: the file has a header but no rows"),
        ("pseudonym,label\nC-0000-FIT,1\nC-0001-FIT,yes\n", "line 3: the label of C-0001-FIT"),
        ("pseudonym,label\nC-0000-FIT,1,x\n", "line 2: expected 2 fields"),
        ("pseudonym,label\n,1\n", "line 2: the pseudonym is empty"),
        (
            "pseudonym,label\nC-0000-FIT,1\nC-0000-FIT,0\n",
            "line 3: C-0000-FIT is already on line 2",
        ),
        (
            "pseudonym,label\nC-0000-FIT,1\nC-9999-XXX,1\n",
            "line 3: no candidate with the pseudonym",
        ),
    ],
)
def test_a_bad_labels_file_names_the_line_and_imports_nothing(
    copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text(text, encoding="utf-8")
    assert kiosk(monkeypatch, copy, "fit", "import-incumbents", "analyst", str(labels)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kiosk: {labels}: {message}") and "nothing was imported" in err
    with open_store(copy) as store, store.reader() as s:
        assert s.scalar(select(func.count()).select_from(fit_models.RoleIncumbent)) == 0


def test_fit_commands_need_an_admin(
    copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kiosk(monkeypatch, copy, "fit", "history", "analyst", user=False) == 2
    assert "needs a signed-in user" in capsys.readouterr().err
    with open_store(copy) as store:
        from kiosk.access import auth

        auth.create_user(
            store, auth.SYSTEM, "pat", "a proctor's password", Role.PROCTOR, pin="1357"
        )
    monkeypatch.setattr("sys.stdin", io.StringIO("a proctor's password\n"))
    assert main(["fit", "history", "analyst", "--store", str(copy), "--user", "pat"]) == 2
    assert "a proctor may not manage fit models" in capsys.readouterr().err


def test_erasure_deletes_the_self_reported_answers_and_keeps_the_store_sealed(
    copy: Path,
    station: tuple[Path, dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, data = station
    pseudonym = data["pseudonyms"][0]  # type: ignore[index]
    with open_store(copy) as store:
        fit_models.record_self_report(store, pseudonym, {"age_group": "25–34"})
        with store.reader() as s:
            cid = s.scalar(select(Candidate.id).where(Candidate.pseudonym == pseudonym))
            assert (
                len(s.scalars(select(CandidateDemographic).filter_by(candidate_id=cid)).all()) == 2
            )
        result = erase_personal(store, ADMIN, pseudonym)
        assert result.erased == (pseudonym,)
        with store.reader() as s:
            assert s.scalars(select(CandidateDemographic).filter_by(candidate_id=cid)).all() == []
    assert b"25\xe2\x80\x9334" not in copy.read_bytes()
    assert kiosk(monkeypatch, copy, "store", "check", user=False) == 0


@pytest.mark.slow
def test_the_norm_baseline_adds_a_synthetic_sample_and_unscored_people_are_counted(
    copy: Path, station: tuple[Path, dict[str, object]]
) -> None:
    from kiosk.scoring_service import default_norms

    _, data = station
    with open_store(copy) as store:
        with store.writer() as s, s.begin():
            s.add(Candidate(pseudonym="C-NEW0-FIT"))
        fit_models.import_incumbents(store, ADMIN, "analyst", _csv(data) + "C-NEW0-FIT,1\n")
        norms = fit_models.training_set(store, "analyst", baseline="norms")
        station_set = fit_models.training_set(store, "analyst")
    size = default_norms().sample_size
    assert norms.unscored == station_set.unscored == 1
    assert station_set.features.shape[0] == N and int(station_set.labels.sum()) == 75
    assert norms.features.shape[0] == 75 + size and int(norms.labels.sum()) == 75
    assert norms.feature_names == tuple(f"trait:{t}" for t in sorted(TRAITS))
    sample = norms.features[75:]
    # Trait values are z against the norm table: the sample is standard normal.
    assert np.all(np.abs(sample.mean(axis=0)) < 0.25)
    assert np.all(np.abs(sample.std(axis=0) - 1.0) < 0.2)
    assert norms.groups["gender"][75:] == [None] * size
    assert norms.pseudonyms[75:] == (None,) * size


@pytest.mark.slow
def test_train_exits_1_when_the_audit_cannot_pass(
    copy: Path,
    station: tuple[Path, dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, data = station
    with open_store(copy) as store:
        fit_models.import_incumbents(store, ADMIN, "analyst", _csv(data))
    argv = ("fit", "train", "analyst", "--attribute", "gender", "--attribute", "age_group")
    assert kiosk(monkeypatch, copy, *argv) == 1
    captured = capsys.readouterr()
    assert "age_group: too_few_to_judge" in captured.out
    assert "cannot be approved: its audit is too_few_to_judge" in captured.err
