"""Sign-in, commands and the live feed against a stand-in server (no Qt)."""

from __future__ import annotations

import json
import queue
import random
import threading
import time

import httpx
import pytest

from kiosk.centre.client import (
    CentreApi,
    CentreError,
    CommandRequest,
    FeedState,
    LiveFeed,
    ReconnectPolicy,
    Token,
    feed_url,
    parse_server_url,
)
from kiosk.centre.model import Message, Snapshot, StationChanged
from tests.kiosk.centre.fake_centre import TOKEN, FakeCentre, station

FAST = ReconnectPolicy(base_s=0.05, cap_s=0.2, floor_s=0.02)


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("http://centre.local:8000", "http://centre.local:8000"),
        ("https://centre.example/kiosk/", "https://centre.example/kiosk"),
        ("  http://10.0.0.2:8000/  ", "http://10.0.0.2:8000"),
    ],
)
def test_server_urls(text: str, base: str) -> None:
    assert parse_server_url(text) == base


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("centre.local:8000", "http://HOST:PORT"),
        ("ftp://centre.local", "http://HOST:PORT"),
        ("http://", "names no host"),
        ("http://host:99999", "not a server address"),
        ("http://host/?x=1", "no ?query"),
    ],
)
def test_bad_server_urls_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(CentreError, match=says.replace("?", r"\?")):
        parse_server_url(text)


def test_feed_url_quotes_the_token_and_keeps_a_prefix() -> None:
    assert feed_url("https://c.example/k", "a+b/c=") == (
        "wss://c.example/k/console/v1/ws?token=a%2Bb%2Fc%3D"
    )
    assert feed_url("http://127.0.0.1:8000", "t").startswith("ws://127.0.0.1:8000/console/v1/ws?")


def test_the_token_stays_out_of_its_repr() -> None:
    token = Token("s3cret-value", None, "grace", "North")
    assert "s3cret" not in repr(token) and "grace" in repr(token)


def test_sign_in_posts_the_credentials_and_returns_the_token(centre: FakeCentre) -> None:
    api = CentreApi(centre.url, transport=centre.transport)
    token = api.sign_in("grace", "correct horse", "North")
    assert (token.token, token.username, token.centre) == (TOKEN, "grace", "North")
    (request,) = centre.requests
    assert request.url.path == "/api/v1/auth/token"
    assert json.loads(request.content) == {
        "username": "grace",
        "password": "correct horse",
        "centre": "North",
    }


def test_a_refused_sign_in_carries_the_servers_message(centre: FakeCentre) -> None:
    api = CentreApi(centre.url, transport=centre.transport)
    with pytest.raises(CentreError, match="wrong password") as caught:
        api.sign_in("grace", "wrong", "North")
    assert caught.value.code == "bad_credentials" and caught.value.signed_out


def test_an_unreachable_server_is_named_in_the_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    api = CentreApi("http://10.9.9.9:8000", transport=httpx.MockTransport(refuse))
    with pytest.raises(CentreError, match=r"cannot reach the centre server at http://10\.9"):
        api.sign_in("grace", "x", "North")
    with pytest.raises(CentreError, match="cannot reach"):
        api.check_reachable()


def test_a_server_that_is_not_json_or_has_no_token_is_an_error() -> None:
    api = CentreApi(
        "http://c:1", transport=httpx.MockTransport(lambda r: httpx.Response(200, text="<html>"))
    )
    with pytest.raises(CentreError, match="not JSON"):
        api.sign_in("a", "b", "c")
    api = CentreApi(
        "http://c:1", transport=httpx.MockTransport(lambda r: httpx.Response(200, json={}))
    )
    with pytest.raises(CentreError, match="no token"):
        api.sign_in("a", "b", "c")


def test_commands_carry_the_bearer_token_and_the_protocols_body(centre: FakeCentre) -> None:
    centre.stations["st-1"] = station("st-1", "Room 1")
    api = CentreApi(centre.url, transport=centre.transport)
    token = Token(TOKEN, None, "grace", "North")
    command_id = api.send_command(token, CommandRequest("st-1", "void", "sess-st-1", reason="ill"))
    assert command_id.startswith("cmd-")
    request = centre.requests[-1]
    assert request.method == "POST"
    assert request.url.path == "/console/v1/stations/st-1/commands"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.content) == {
        "kind": "void",
        "session_id": "sess-st-1",
        "reason": "ill",
        "text": None,
    }
    with pytest.raises(CentreError, match="sign in again") as caught:
        api.send_command(Token("old", None, "g", "N"), CommandRequest("st-1", "pause", "s"))
    assert caught.value.signed_out


@pytest.mark.parametrize(
    ("kind", "reason", "text"),
    [("void", None, None), ("void", "  ", None), ("note", None, ""), ("x", None, None)],
)
def test_commands_that_cannot_be_sent_are_refused_before_sending(
    kind: str, reason: str | None, text: str | None
) -> None:
    with pytest.raises(ValueError):
        CommandRequest("st", kind, "s", reason, text)


def test_backoff_grows_with_full_jitter_up_to_the_cap() -> None:
    policy = ReconnectPolicy(base_s=0.5, cap_s=10.0, floor_s=0.2)
    rng = random.Random(4)
    for attempt in range(12):
        ceiling = min(10.0, 0.5 * 2**attempt)
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        assert all(0.2 <= d <= max(0.2, ceiling) for d in delays)
    late = [policy.delay(40, rng) for _ in range(400)]
    assert max(late) > 8.0  # the whole range up to the cap is used (full jitter)
    assert min(late) < 2.0


class Recorder:
    """Collects a feed's callbacks (called on the feed's thread)."""

    def __init__(self) -> None:
        self.messages: queue.Queue[Message] = queue.Queue()
        self.states: queue.Queue[FeedState] = queue.Queue()

    def next_state(self, wanted: str, timeout: float = 5.0) -> FeedState:
        deadline = time.monotonic() + timeout
        while True:
            state = self.states.get(timeout=max(0.01, deadline - time.monotonic()))
            if state.state == wanted:
                return state

    def next_message(self, kind: type, timeout: float = 5.0) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if isinstance(message, kind):
                return message


def test_the_feed_delivers_the_snapshot_then_changes(centre: FakeCentre) -> None:
    centre.stations["st-1"] = station("st-1", "Room 1")
    seen = Recorder()
    feed = LiveFeed(centre.url, Token(TOKEN, None, "g", "N"), seen.messages.put, seen.states.put)
    feed.start()
    try:
        seen.next_state("live")
        snapshot = seen.next_message(Snapshot)
        assert [s.name for s in snapshot.stations] == ["Room 1"]  # type: ignore[attr-defined]
        centre.push(station("st-1", "Room 1", status="paused"))
        changed = seen.next_message(StationChanged)
        assert changed.station.live.status == "paused"  # type: ignore[attr-defined]
    finally:
        feed.stop()
    assert not feed.running


def test_a_dropped_feed_is_lost_then_reconnects_with_a_new_snapshot(centre: FakeCentre) -> None:
    centre.stations["st-1"] = station("st-1", "Room 1")
    seen = Recorder()
    feed = LiveFeed(
        centre.url, Token(TOKEN, None, "g", "N"), seen.messages.put, seen.states.put, policy=FAST
    )
    feed.start()
    try:
        seen.next_state("live")
        seen.next_message(Snapshot)
        centre.refuse = True
        centre.drop()
        lost = seen.next_state("lost")
        assert lost.detail == "the connection dropped" and lost.retry_in_s is not None
        refused = seen.next_state("lost")
        assert "503" in refused.detail and refused.attempt >= 1
        centre.stations["st-2"] = station("st-2", "Room 2")
        centre.refuse = False
        seen.next_state("live")
        again = seen.next_message(Snapshot)
        assert {s.name for s in again.stations} == {"Room 1", "Room 2"}  # type: ignore[attr-defined]
        assert centre.connections_opened == 2
    finally:
        feed.stop()


def test_a_silent_server_counts_as_lost(centre: FakeCentre) -> None:
    seen = Recorder()
    feed = LiveFeed(
        centre.url,
        Token(TOKEN, None, "g", "N"),
        seen.messages.put,
        seen.states.put,
        policy=FAST,
        silence_s=0.3,
    )
    feed.start()
    try:
        seen.next_state("live")
        lost = seen.next_state("lost")
        assert "no message from the server" in lost.detail
        seen.next_state("live")  # and it reconnects
    finally:
        feed.stop()


def test_a_busy_server_is_not_asked_again_before_the_time_it_gave(centre: FakeCentre) -> None:
    centre.busy_retry_after_s = 1
    seen = Recorder()
    feed = LiveFeed(
        centre.url, Token(TOKEN, None, "g", "N"), seen.messages.put, seen.states.put, policy=FAST
    )
    feed.start()
    try:
        lost = seen.next_state("lost")
        turned_away = time.monotonic()
        assert "send it again after 1 seconds" in lost.detail
        assert lost.retry_in_s is not None and lost.retry_in_s >= 1.0  # FAST alone: < 0.1 s
        centre.busy_retry_after_s = None
        seen.next_state("live")
        assert time.monotonic() - turned_away >= 0.95
        assert centre.connections_opened == 1
    finally:
        feed.stop()


@pytest.mark.parametrize("in_handshake", [False, True])
def test_a_refused_token_stops_the_feed(centre: FakeCentre, in_handshake: bool) -> None:
    centre.reject_in_handshake = in_handshake
    seen = Recorder()
    feed = LiveFeed(
        centre.url,
        Token("expired", None, "g", "N"),
        seen.messages.put,
        seen.states.put,
        policy=FAST,
    )
    feed.start()
    out = seen.next_state("signed_out")
    assert "sign-in" in out.detail
    feed.stop()
    assert not feed.running and centre.connections_opened == 0


def test_no_server_at_all_keeps_retrying_and_says_so() -> None:
    seen = Recorder()
    feed = LiveFeed(
        "http://127.0.0.1:9",
        Token(TOKEN, None, "g", "N"),
        seen.messages.put,
        seen.states.put,
        policy=FAST,
    )
    feed.start()
    try:
        first = seen.next_state("lost")
        assert "refused" in first.detail and TOKEN not in first.detail
        second = seen.next_state("lost")
        assert second.attempt > first.attempt
    finally:
        feed.stop()


def test_no_callback_runs_once_stop_returned() -> None:
    """stop() waits for a callback under way (the receiver may be deleted right after
    stop returns), and none starts after it."""
    entered, release = threading.Event(), threading.Event()
    finished: list[float] = []
    calls: list[str] = []

    def on_state(state: FeedState) -> None:
        calls.append(state.state)
        if state.state == "lost" and not entered.is_set():
            entered.set()
            release.wait(5)
            finished.append(time.monotonic())

    feed = LiveFeed(
        "http://127.0.0.1:9", Token(TOKEN, None, "g", "N"), lambda m: None, on_state, policy=FAST
    )
    feed.start()
    assert entered.wait(5)
    threading.Timer(0.3, release.set).start()
    feed.stop(timeout=0.05)  # shorter than the callback: joining alone would not wait
    stopped = time.monotonic()
    assert finished and finished[0] <= stopped
    count = len(calls)
    time.sleep(0.3)  # room for a retry that must not come
    assert len(calls) == count
