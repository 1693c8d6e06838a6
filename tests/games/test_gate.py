"""The continue gate's rules, without Qt: minimum time, auto-repeat, keys held from before."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from games.engine.gate import MIN_SHOWN_MS, ContinueGate

MS = 1_000_000
SPACE = 0x20


@dataclass(frozen=True)
class Input:
    t_ns: int
    device: str = "key"
    key: int | None = SPACE
    auto_repeat: bool = False
    held_since_ns: int | None = None


def press(t_ns: int) -> Input:
    """A fresh key press: its hold begins with it."""
    return Input(t_ns, held_since_ns=t_ns)


def shown_gate(at_ns: int = 1_000 * MS) -> ContinueGate:
    gate = ContinueGate()
    gate.arm()
    gate.painted()
    gate.presented(at_ns)
    return gate


def test_the_minimum_time_counts_from_the_presented_frame() -> None:
    gate = ContinueGate()
    gate.arm()
    gate.presented(500 * MS)  # a frame drawn before the screen was asked for: not it
    assert gate.shown_ns is None
    gated = gate.check(press(600 * MS))
    assert gated is not None and gated.reason == "too_soon" and gated.ms_since_shown is None
    gate.painted()
    gate.presented(1_000 * MS)
    gate.presented(1_016 * MS)  # later frames do not move the start
    assert gate.shown_ns == 1_000 * MS
    early = gate.check(press(1_130 * MS))
    assert early is not None and early.reason == "too_soon"
    assert early.ms_since_shown == pytest.approx(130.0)
    assert early.payload() == {
        "reason": "too_soon",
        "device": "key",
        "key": SPACE,
        "ms_since_shown": pytest.approx(130.0),
    }
    assert not gate.ready((1_000 + MIN_SHOWN_MS - 1) * MS)
    assert gate.ready((1_000 + MIN_SHOWN_MS) * MS)
    assert gate.check(press((1_000 + MIN_SHOWN_MS) * MS)) is None
    assert gate.check(Input((1_000 + MIN_SHOWN_MS) * MS, device="mouse", key=None)) is None


def test_auto_repeats_and_keys_held_from_before_never_pass() -> None:
    gate = shown_gate(1_000 * MS)
    late = 3_000 * MS
    held_before = gate.check(Input(late, auto_repeat=True, held_since_ns=900 * MS))
    assert held_before is not None and held_before.reason == "held_from_before"
    # A repeat whose first press the stamper never saw: held since who knows when.
    unknown = gate.check(Input(late, auto_repeat=True, held_since_ns=None))
    assert unknown is not None and unknown.reason == "held_from_before"
    # A system that repeats with plain presses: the hold still began before the screen.
    plain = gate.check(Input(late, held_since_ns=900 * MS))
    assert plain is not None and plain.reason == "held_from_before"
    repeat = gate.check(Input(late, auto_repeat=True, held_since_ns=1_200 * MS))
    assert repeat is not None and repeat.reason == "auto_repeat"
    assert gate.check(press(late)) is None


def test_arming_again_starts_a_new_screen() -> None:
    gate = shown_gate(1_000 * MS)
    assert gate.ready(2_000 * MS)
    gate.arm()
    assert gate.shown_ns is None and not gate.ready(5_000 * MS)
    gate.painted()
    gate.presented(5_000 * MS)
    gated = gate.check(press(5_100 * MS))
    assert gated is not None and gated.reason == "too_soon"


def test_a_gate_without_minimum_time_still_refuses_held_keys() -> None:
    gate = ContinueGate(min_shown_ms=0)
    gate.arm()
    gate.painted()
    gate.presented(10 * MS)
    assert gate.check(press(10 * MS)) is None
    gated = gate.check(Input(11 * MS, auto_repeat=True, held_since_ns=5 * MS))
    assert gated is not None and gated.reason == "held_from_before"
    with pytest.raises(ValueError):
        ContinueGate(min_shown_ms=-1)
