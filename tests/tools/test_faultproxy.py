"""``tools.faultproxy``: every fault kind seen from both ends, against a tiny HTTP server."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tools.faultproxy import FAULT_KINDS, FaultProxy, ProxyThread

ROOT = Path(__file__).resolve().parents[2]
BODY = b"0123456789" * 100


class _Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, str, bytes]] = []
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Upstream

    def _answer(self, body: bytes) -> None:
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (body[:300], body[300:]):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.received.append(("GET", self.path, b""))
        self._answer(BODY)

    def do_POST(self) -> None:
        data = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.received.append(("POST", self.path, data))
        self._answer(data[::-1])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[_Upstream]:
    server = _Upstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _proxy(upstream: _Upstream, **options: object) -> ProxyThread:
    return ProxyThread(upstream.server_address[:2], **options)  # type: ignore[arg-type]


def _request(
    proxy: ProxyThread, method: str = "POST", path: str = "/sync/v1/batches", body: bytes = BODY
) -> tuple[http.client.HTTPResponse, bytes]:
    host, port = proxy.proxy.address
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request(method, path, body=body if method == "POST" else None)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def _wait_received(upstream: _Upstream, n: int) -> None:
    deadline = time.monotonic() + 5
    while len(upstream.received) < n and time.monotonic() < deadline:
        time.sleep(0.01)


def test_pass_forwards_the_request_and_the_answer_unchanged(upstream: _Upstream) -> None:
    with _proxy(upstream, rate=0.0) as proxy:
        response, data = _request(proxy, body=b"hello")
        get, got = _request(proxy, "GET", "/x")
        chunked, whole = _request(proxy, "GET", "/chunked")
    assert response.status == 200 and data == b"olleh"
    assert response.getheader("Connection") == "close"
    assert get.status == 200 and got == BODY
    assert chunked.status == 200 and whole == BODY  # a chunked answer is relayed whole
    assert upstream.received[0] == ("POST", "/sync/v1/batches", b"hello")
    assert proxy.counts == {"pass": 3}


def test_drop_closes_without_forwarding(upstream: _Upstream) -> None:
    with (
        _proxy(upstream, rate=1.0, kinds=["drop"]) as proxy,
        pytest.raises(http.client.RemoteDisconnected),
    ):
        _request(proxy)
    time.sleep(0.1)
    assert upstream.received == []
    assert proxy.counts == {"drop": 1}


def test_delay_answers_late_but_whole(upstream: _Upstream) -> None:
    with _proxy(upstream, rate=1.0, kinds=["delay"], delay_s=(0.3, 0.35)) as proxy:
        started = time.monotonic()
        response, data = _request(proxy, body=b"abc")
        elapsed = time.monotonic() - started
    assert response.status == 200 and data == b"cba"
    assert elapsed >= 0.3
    assert len(upstream.received) == 1
    assert proxy.counts == {"delay": 1}


def test_reset_sends_an_rst_after_the_server_did_the_work(upstream: _Upstream) -> None:
    with _proxy(upstream, rate=1.0, kinds=["reset"]) as proxy:
        host, port = proxy.proxy.address
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.sendall(
                b"POST /sync/v1/batches HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            )
            # An RST surfaces as ECONNRESET; a plain close would read b"".
            with pytest.raises(ConnectionResetError):
                while sock.recv(4096):
                    pass
    assert upstream.received == [("POST", "/sync/v1/batches", b"abc")]
    assert proxy.counts == {"reset": 1}


def test_duplicate_reaches_the_server_twice_and_answers_once(upstream: _Upstream) -> None:
    with _proxy(upstream, rate=1.0, kinds=["duplicate"]) as proxy:
        response, data = _request(proxy, body=b"once")
        _wait_received(upstream, 2)
    assert response.status == 200 and data == b"ecno"
    assert upstream.received == [("POST", "/sync/v1/batches", b"once")] * 2
    assert proxy.counts == {"duplicate": 1}


def test_truncate_stops_the_answer_mid_body(upstream: _Upstream) -> None:
    with _proxy(upstream, rate=1.0, kinds=["truncate"]) as proxy:
        host, port = proxy.proxy.address
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request("GET", "/sync/v1/status")
        response = conn.getresponse()
        assert response.status == 200  # the head arrived whole
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
        conn.close()
    assert len(cut.value.partial) == len(BODY) // 2
    assert len(upstream.received) == 1
    assert proxy.counts == {"truncate": 1}


def test_only_matching_paths_meet_faults(upstream: _Upstream) -> None:
    with _proxy(upstream, rate=1.0, kinds=["drop"], paths=["/sync/"]) as proxy:
        response, _ = _request(proxy, path="/api/v1/centres")
        with pytest.raises(http.client.RemoteDisconnected):
            _request(proxy, path="/sync/v1/heartbeat")
    assert response.status == 200
    assert proxy.counts == {"pass": 1, "drop": 1}


def test_a_seed_gives_the_same_faults_in_the_same_order() -> None:
    def fates(seed: int) -> list[str]:
        proxy = FaultProxy(("127.0.0.1", 9), rate=0.3, seed=seed)
        return [proxy.choose(b"/sync/v1/batches") for _ in range(400)]

    first = fates(11)
    assert first == fates(11)
    assert first != fates(12)
    faults = [f for f in first if f != "pass"]
    assert 0.22 < len(faults) / len(first) < 0.38
    assert set(faults) == set(FAULT_KINDS)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="fault kinds"):
        FaultProxy(("127.0.0.1", 9), kinds=["explode"])
    with pytest.raises(ValueError, match="rate"):
        FaultProxy(("127.0.0.1", 9), rate=1.5)


@pytest.mark.slow
def test_the_command_proxies_and_logs_counts_when_stopped(upstream: _Upstream) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = "{}:{}".format(*upstream.server_address[:2])
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.faultproxy",
            "--listen",
            f"127.0.0.1:{port}",
            "--target",
            target,
            "--rate",
            "0",
            "--seed",
            "3",
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/x")
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "the proxy never listened"
                time.sleep(0.05)
        assert conn.getresponse().read() == BODY
        conn.close()
    finally:
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=10)
    assert child.returncode == 0, err
    assert "1 requests: pass=1 drop=0 delay=0 reset=0 duplicate=0 truncate=0" in err
