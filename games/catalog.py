"""The battery's thirteen games, as :class:`games.api.Game` entries in one registry.

Each entry reads its id, name, version and parameters from the game's Qt-free
``task.py``; its widget module (``view.py``) is imported only when a widget is
created, so listing games, checking battery files and scoring never load Qt.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from games.api import EventSink, GameConfig, GameRegistry

__all__ = ["GAME_IDS", "TaskGame", "registry"]

GAME_IDS = (
    "balloons",
    "exchange_trust",
    "exchange_split",
    "keypresses",
    "arrows",
    "lengths",
    "faces",
    "hard_or_easy",
    "stop",
    "digits",
    "cards",
    "towers",
    "reversal",
)
"""The games in the order SCIENCE.md lists them (the standard battery's order)."""


@dataclass(frozen=True)
class TaskGame:
    """A game backed by ``games.<id>.task`` (rules) and ``games.<id>.view`` (widget)."""

    id: str

    @property
    def task(self) -> ModuleType:
        return importlib.import_module(f"games.{self.id}.task")

    @property
    def bot(self) -> ModuleType:
        return importlib.import_module(f"games.{self.id}.bot")

    @property
    def display_name(self) -> str:
        return str(self.task.DISPLAY_NAME)

    @property
    def version(self) -> str:
        return str(self.task.VERSION)

    def default_params(self) -> Mapping[str, Any]:
        return dict(self.task.DEFAULT_PARAMS)

    def validate_params(self, params: Mapping[str, Any]) -> Mapping[str, Any]:
        return dict(self.task.validate_params(params))

    def view_class(self) -> type:
        module = importlib.import_module(f"games.{self.id}.view")
        views = [
            obj
            for obj in vars(module).values()
            # Defined here, not imported: the task class names its game too.
            if isinstance(obj, type)
            and obj.__module__ == module.__name__
            and getattr(obj, "game_id", None) == self.id
        ]
        if len(views) != 1:
            raise LookupError(f"games.{self.id}.view must define exactly one view class")
        return views[0]

    def create_widget(self, config: GameConfig, sink: EventSink, parent: Any = None) -> Any:
        return self.view_class()(config, sink, parent)

    def trial_table(self, events: Any) -> Any:
        return self.task.trial_table(events)


def registry() -> GameRegistry:
    games = GameRegistry()
    for game_id in GAME_IDS:
        games.register(TaskGame(game_id))
    return games
