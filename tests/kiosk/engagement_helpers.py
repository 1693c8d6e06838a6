"""Sessions recorded in a store by the games' simulations, some with a misbehaving player."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import numpy as np


class StuckFastPlayer:
    """Presses the left key 80 ms after every stimulus (arrows, lengths, stop)."""

    def __init__(self, params: Any, rng: Any) -> None:
        self.answered: int | None = None

    def next_input(self, task: Any) -> Any:
        trial = task.current_trial
        if trial is None or task.phase.name != "RESPONSE" or self.answered == trial.index:
            return None
        self.answered = trial.index
        module = type(task).__module__.replace(".task", ".bot")
        bot_input = __import__(module, fromlist=["BotInput"]).BotInput
        return bot_input(str(task.params["key_left"]), 0.080)


def record_games(
    store: Any, game_ids: Iterable[str], *, battery_name: str = "standard", end: bool = False
) -> str:
    """A started session of ``battery_name`` in which the bots played ``game_ids``.

    The session stays in progress unless ``end``; its other games are not played.
    """
    from games.catalog import TaskGame
    from kiosk.battery import load_battery
    from kiosk.recorder import Recorder
    from kiosk.sessions.lifecycle import end_game_run, end_session, start_game_run
    from kiosk.sessions.machine import Move, apply
    from kiosk.shell.battery_host import game_seed
    from kiosk.store.models import AssessmentSession, Battery, Candidate, SessionStatus

    battery = load_battery(battery_name)
    wanted = set(game_ids)
    with store.writer() as s, s.begin():
        row = s.query(Battery).filter_by(name=battery.name, version=battery.version).first()
        if row is None:
            row = Battery(
                name=battery.name,
                version=battery.version,
                source_sha256=battery.sha256,
                definition=battery.definition(),
            )
            s.add(row)
        candidate = Candidate(pseudonym=f"C-{uuid.uuid4().hex[:4].upper()}-ENGA")
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
    recorder = Recorder(store)
    apply(store, sid, Move.START)
    for game in battery.games:
        if game.game_id not in wanted:
            continue
        g = TaskGame(game.game_id)
        gseed = game_seed(sid, game.position, game.game_id)
        run = start_game_run(
            store,
            recorder,
            sid,
            position=game.position,
            game_id=game.game_id,
            game_version=game.version,
            seed=gseed,
            config={"params": dict(game.params)},
        )
        rng = np.random.default_rng([7, gseed])
        for event in g.bot.simulate(game.params, g.bot.BotParams.sample(rng), gseed):
            recorder.emit(
                sid,
                event.kind,
                event.payload,
                game_run_id=run,
                trial_index=event.trial_index,
                t_ns=event.t_ns,
            )
        end_game_run(store, recorder, run)
    if end:
        end_session(store, recorder, sid)
    recorder.close()
    return sid
