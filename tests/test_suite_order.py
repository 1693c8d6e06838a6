"""The suite's own order: tests marked ``long`` first, longest first, the rest as
collected (``make test`` hands them out in this order, one at a time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import pytest_collection_modifyitems


@dataclass
class _Item:
    name: str
    seconds: float | None = None

    def get_closest_marker(self, name: str) -> Any:
        if name != "long" or self.seconds is None:
            return None
        return pytest.mark.long(self.seconds).mark


def test_long_tests_come_first_longest_first_and_the_rest_keep_their_order() -> None:
    items: list[Any] = [
        _Item("a"),
        _Item("crash", 20),
        _Item("b"),
        _Item("battery", 180),
        _Item("c"),
        _Item("reports", 40),
        _Item("crash again", 20),
    ]
    pytest_collection_modifyitems(items)
    assert [i.name for i in items] == [
        "battery",
        "reports",
        "crash",
        "crash again",
        "a",
        "b",
        "c",
    ]
