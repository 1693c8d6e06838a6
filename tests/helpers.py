"""Small builders shared by tests."""

from __future__ import annotations

import uuid


def new_session(store: object, n: int = 1) -> list[str]:
    """Create ``n`` sessions (with one candidate each) and return their ids."""
    from kiosk.store.models import AssessmentSession, Candidate

    ids = []
    with store.writer() as s, s.begin():  # type: ignore[attr-defined]
        for _ in range(n):
            candidate = Candidate(pseudonym=uuid.uuid4().hex[:12])
            s.add(candidate)
            s.flush()
            sid = str(uuid.uuid4())
            s.add(AssessmentSession(id=sid, candidate_id=candidate.id))
            ids.append(sid)
    return ids


def record_simulated_session(store: object, battery_name: str = "short", seed: int = 1) -> str:
    """A completed session whose games were played by the bots' fast simulations.

    No Qt: each game's ``simulate()`` plays its task with a simulated clock, and the
    events go through the real recorder into the store, game run by game run.
    """
    import numpy as np

    from games.catalog import TaskGame
    from kiosk.battery import load_battery
    from kiosk.recorder import Recorder
    from kiosk.sessions.lifecycle import end_game_run, end_session, start_game_run
    from kiosk.sessions.machine import Move, apply
    from kiosk.shell.battery_host import game_seed
    from kiosk.store.models import AssessmentSession, Battery, Candidate, SessionStatus

    battery = load_battery(battery_name)
    with store.writer() as s, s.begin():  # type: ignore[attr-defined]
        row = s.query(Battery).filter_by(name=battery.name, version=battery.version).first()
        if row is None:
            row = Battery(
                name=battery.name,
                version=battery.version,
                source_sha256=battery.sha256,
                definition=battery.definition(),
            )
            s.add(row)
        candidate = Candidate(pseudonym=f"C-{uuid.uuid4().hex[:4].upper()}-SIMU")
        s.add(candidate)
        s.flush()
        sid = str(uuid.uuid4())
        s.add(
            AssessmentSession(
                id=sid,
                candidate_id=candidate.id,
                battery_id=row.id,
                status=SessionStatus.CHECKED_IN.value,
            )
        )
    recorder = Recorder(store)  # type: ignore[arg-type]
    apply(store, sid, Move.START)  # type: ignore[arg-type]
    for game in battery.games:
        g = TaskGame(game.game_id)
        gseed = game_seed(sid, game.position, game.game_id)
        run = start_game_run(
            store,
            recorder,
            sid,
            position=game.position,  # type: ignore[arg-type]
            game_id=game.game_id,
            game_version=game.version,
            seed=gseed,
            config={"params": dict(game.params)},
        )
        rng = np.random.default_rng([seed, gseed])
        for event in g.bot.simulate(game.params, g.bot.BotParams.sample(rng), gseed):
            recorder.emit(
                sid,
                event.kind,
                event.payload,
                game_run_id=run,
                trial_index=event.trial_index,
                t_ns=event.t_ns,
            )
        end_game_run(store, recorder, run)  # type: ignore[arg-type]
    end_session(store, recorder, sid)  # type: ignore[arg-type]
    recorder.close()
    return sid


ADMIN = "ada"
ADMIN_PASSWORD = "correct horse battery staple"


def ensure_admin(store: object) -> tuple[str, str]:
    """An admin to sign in as on the command line: ``(username, password)``."""
    from sqlalchemy import select

    from kiosk.access import auth
    from kiosk.store.models import Role, User

    with store.reader() as s:  # type: ignore[attr-defined]
        exists = s.scalar(select(User.id).where(User.username == ADMIN)) is not None
    if not exists:
        auth.create_user(store, auth.SYSTEM, ADMIN, ADMIN_PASSWORD, Role.ADMIN, pin="2468")  # type: ignore[arg-type]
    return ADMIN, ADMIN_PASSWORD


def as_admin(*args: str) -> tuple[list[str], str]:
    """Command arguments signed in as the test admin, and the password to feed stdin."""
    return [*args, "--user", ADMIN], ADMIN_PASSWORD + "\n"
