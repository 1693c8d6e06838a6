"""Roles, passwords, lockout and the audit trail of privileged actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk import services
from kiosk.access import auth
from kiosk.access.auth import Actor, AuthError, authenticate, create_user, verify_pin
from kiosk.access.permissions import ROLE_ACTIONS, Action, PermissionDenied, allowed, require
from kiosk.battery import load_battery
from kiosk.store.check import check_store
from kiosk.store.models import AuditEntry, Role, SessionStatus, User
from kiosk.store.seals import STATION_ACTIONS

# The whole policy, spelled out independently of the table in kiosk.access.permissions.
EXPECTED = {
    Role.CANDIDATE: {"check_in", "play"},
    Role.PROCTOR: {
        "check_in",
        "play",
        "create_candidate",
        "schedule_session",
        "view_sessions",
        "pause_session",
        "resume_session",
        "void_session",
        "write_incident",
        "resume_interrupted",
        "unlock_station",
        "view_personal_data",
    },
}
EXPECTED[Role.ADMIN] = EXPECTED[Role.PROCTOR] | {
    "manage_users",
    "manage_batteries",
    "station_settings",
    "export_reports",
    "export_data",
    "erase_personal_data",
    "rebuild_norms",
    "score_sessions",
    "manage_fit_models",
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_role_action_matrix(role: Role, action: Action) -> None:
    expected = action.value in EXPECTED[role]
    assert allowed(role, action) is expected
    if expected:
        require(role, action)
    else:
        with pytest.raises(PermissionDenied, match=f"a {role.value} may not"):
            require(role, action)


def test_every_action_is_somebodys() -> None:
    assert set().union(*ROLE_ACTIONS.values()) == set(Action)


@pytest.fixture
def admin(store) -> Actor:
    create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    return authenticate(store, "ada", "correct horse")


def test_first_admin_needs_no_admin_but_the_second_user_does(store) -> None:
    assert not auth.has_admin(store)
    nobody = Actor(None, "someone", Role.PROCTOR)
    create_user(store, nobody, "first", "long enough", Role.ADMIN)
    assert auth.has_admin(store)
    with pytest.raises(PermissionDenied):
        create_user(store, nobody, "second", "long enough", Role.ADMIN)


@pytest.mark.slow
def test_passwords_are_argon2id_at_owasp_strength(store, admin) -> None:
    with store.reader() as s:
        user = s.scalar(select(User).where(User.username == "ada"))
    assert user.password_hash.startswith("$argon2id$")
    params = dict(p.split("=") for p in user.password_hash.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    assert "correct horse" not in user.password_hash and user.pin_hash != "1234"


@pytest.mark.slow
def test_wrong_password_and_unknown_user_get_the_same_message(store, admin) -> None:
    for name, password in (("ada", "wrong pass"), ("nobody", "whatever1")):
        with pytest.raises(AuthError, match="wrong username or password"):
            authenticate(store, name, password)


@pytest.mark.slow
def test_lockout_after_repeated_failures_then_unlock_after_the_period(store, admin) -> None:
    for _ in range(auth.MAX_FAILURES - 1):
        with pytest.raises(AuthError, match="wrong username or password"):
            authenticate(store, "ada", "nope nope")
    with pytest.raises(AuthError, match="locked"):
        authenticate(store, "ada", "nope nope")
    # Locked: even the right password is refused.
    with pytest.raises(AuthError, match="locked"):
        authenticate(store, "ada", "correct horse")
    with store.writer() as s, s.begin():
        user = s.scalar(select(User).where(User.username == "ada"))
        user.locked_until = user.locked_until - auth.LOCKOUT - timedelta(seconds=1)
    assert authenticate(store, "ada", "correct horse").role is Role.ADMIN
    with store.reader() as s:
        actions = [
            a
            for (a,) in s.execute(
                select(AuditEntry.action)
                .where(AuditEntry.action.not_in(STATION_ACTIONS))
                .order_by(AuditEntry.seq)
            )
        ]
    assert actions.count("sign_in_failed") == auth.MAX_FAILURES
    assert "account_locked" in actions and "sign_in_refused_locked" in actions


@pytest.mark.slow
def test_pin_unlock(store, admin) -> None:
    create_user(store, admin, "pat", "proctor pass", Role.PROCTOR, pin="2468")
    assert verify_pin(store, "pat", "2468").username == "pat"
    with pytest.raises(AuthError):
        verify_pin(store, "pat", "1111")


@pytest.mark.parametrize(
    ("password", "pin", "message"),
    [
        ("short", "1234", "at least 8"),
        ("long enough", "12a4", "4 to 8 digits"),
        ("long enough", None, "needs a PIN"),
    ],
)
@pytest.mark.slow
def test_bad_credentials_are_refused(store, admin, password, pin, message) -> None:
    with pytest.raises(ValueError, match=message):
        create_user(store, admin, "pat", password, Role.PROCTOR, pin=pin)


def test_proctor_flow_is_audited_and_candidates_cannot_do_it(store, admin) -> None:
    create_user(store, admin, "pat", "proctor pass", Role.PROCTOR, pin="2468")
    proctor = authenticate(store, "pat", "proctor pass")
    candidate = services.create_candidate(store, proctor, external_ref="HR-17")
    assert candidate.pseudonym.startswith("C-")
    sid = services.schedule_session(store, proctor, candidate.id, load_battery("short"))
    (view,) = services.list_sessions(store, proctor)
    assert view.status == "scheduled" and view.games_total == 13 and view.checkin_code
    with pytest.raises(ValueError, match="not valid"):
        services.check_in(store, "ZZZZZZ")
    assert services.check_in(store, view.checkin_code.lower()) == sid
    services.add_incident(store, proctor, sid, "Fire alarm test at 10:02")
    services.void_session(store, proctor, sid, "fire alarm")
    (view,) = services.list_sessions(store, proctor)
    assert view.status == "voided" and view.incidents == 1
    with pytest.raises(PermissionDenied):
        services.create_candidate(store, auth.CANDIDATE)
    with pytest.raises(PermissionDenied):
        services.list_sessions(store, auth.CANDIDATE)
    with pytest.raises(PermissionDenied):
        create_user(store, proctor, "x", "long enough", Role.PROCTOR, pin="1234")
    with store.reader() as s:
        actions = [
            a
            for (a,) in s.execute(
                select(AuditEntry.action)
                .where(AuditEntry.action.not_in(STATION_ACTIONS))
                .order_by(AuditEntry.seq)
            )
        ]
    for expected in (
        "candidate_created",
        "session_scheduled",
        "checked_in",
        "incident_noted",
        "session_voided",
    ):
        assert expected in actions
    assert check_store(store).ok


@pytest.mark.slow
def test_void_needs_a_reason_and_changes_nothing_without(store, admin) -> None:
    candidate = services.create_candidate(store, admin)
    sid = services.schedule_session(store, admin, candidate.id, load_battery("short"))
    with pytest.raises(ValueError, match="needs a reason"):
        services.void_session(store, admin, sid, "  ")
    (view,) = services.list_sessions(store, admin)
    assert view.status == SessionStatus.SCHEDULED.value


@pytest.mark.slow
def test_interrupted_sessions_are_found_at_start(store, admin) -> None:
    candidate = services.create_candidate(store, admin)
    sid = services.schedule_session(store, admin, candidate.id, load_battery("short"))
    services.check_in(store, services.list_sessions(store, admin)[0].checkin_code)
    from kiosk.sessions.machine import Move, apply
    from kiosk.sessions.recovery import interrupt_orphaned_sessions

    apply(store, sid, Move.START)
    assert interrupt_orphaned_sessions(store) == [sid]
    services.continue_session(store, admin, sid)
    assert services.list_sessions(store, admin)[0].status == "in_progress"
