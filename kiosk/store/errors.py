"""Errors the store raises for bad input, each said in one line a person can act on."""

from __future__ import annotations

from pathlib import Path

__all__ = ["StoreError", "StoreOpenError"]


class StoreError(Exception):
    """Something is wrong with a store; the message names the file and what to do."""

    exit_code = 2


class StoreOpenError(StoreError):
    """The file cannot be opened as a kiosk store; it has been left untouched."""

    def __init__(self, path: Path, problem: str, remedy: str) -> None:
        self.path = path
        self.problem = problem
        self.remedy = remedy
        super().__init__(f"{path}: {problem}; {remedy}")
