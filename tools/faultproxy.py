"""A seeded HTTP/1.1 fault proxy: what an unreliable network does to station sync.

Usage (from the repository root)::

    python -m tools.faultproxy --listen 127.0.0.1:8081 --target 127.0.0.1:8080 \\
        --rate 0.3 --seed 7 [--kinds drop,reset,...] [--paths /sync/]

The proxy reads one whole request from the client (headers, then a body framed by
``Content-Length`` or chunked encoding), and with probability ``rate`` does one of
these to it, chosen evenly among ``kinds``; otherwise it passes it through:

``drop``
    close the client's connection without forwarding anything (the server never
    sees the request; the client sees the connection closed with no answer);
``delay``
    wait a random ``delay_s`` interval, then pass the request through;
``reset``
    forward the request, wait for the server's whole answer, then reset the
    client's connection (``SO_LINGER`` 0, an RST) instead of answering: the server
    did the work, the client cannot know;
``duplicate``
    forward the request twice, the second copy sent while the first is still in
    flight (a retry overtaking the original); the client gets the first answer;
``truncate``
    forward the request and send the client the status line, the headers and half
    of the body, then close: the answer stops mid-body.

Each request gets its own upstream connection, and every answer carries
``Connection: close`` so that a client's next request opens a new connection and
meets its own fault. Requests whose path does not start with one of ``paths`` always
pass. Decisions come from one ``random.Random(seed)`` in the order requests arrive,
so a sequential client sees the same faults on every run with the same seed.

``FaultProxy`` is the asyncio server; ``ProxyThread`` runs one on its own event loop
thread for synchronous callers (tests, benchmarks). ``counts`` tells how many
requests met each kind; the command logs them every ``--report-every`` seconds and
when it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import random
import signal
import socket
import struct
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["FAULT_KINDS", "PASS", "FaultProxy", "ProxyThread", "main"]

log = logging.getLogger("faultproxy")

FAULT_KINDS: Final = ("drop", "delay", "reset", "duplicate", "truncate")
PASS: Final = "pass"
_HEADER_LIMIT = 1 << 20


class _Incomplete(Exception):
    """A peer closed the connection before a whole message arrived."""


@dataclass
class _Message:
    """One HTTP/1.1 request or response as raw bytes: first line, headers, body."""

    start: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes  # framing as received (chunked bodies keep their chunk lines)

    def header(self, name: bytes) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def with_close(self) -> bytes:
        """The message's bytes with ``Connection: close`` in place of any Connection."""
        lines = [self.start]
        lines += [k + b": " + v for k, v in self.headers if k.lower() != b"connection"]
        lines.append(b"Connection: close")
        return b"\r\n".join(lines) + b"\r\n\r\n" + self.body


async def _read_head(reader: asyncio.StreamReader) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        raise _Incomplete(f"closed after {len(exc.partial)} header bytes") from exc
    lines = raw[:-4].split(b"\r\n")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        key, _, value = line.partition(b":")
        headers.append((key.strip(), value.strip()))
    return lines[0], headers


async def _read_exactly(reader: asyncio.StreamReader, n: int) -> bytes:
    try:
        return await reader.readexactly(n)
    except asyncio.IncompleteReadError as exc:
        raise _Incomplete(f"closed after {len(exc.partial)} of {n} body bytes") from exc


async def _read_line(reader: asyncio.StreamReader, where: str) -> bytes:
    try:
        return await reader.readuntil(b"\r\n")
    except asyncio.IncompleteReadError as exc:
        raise _Incomplete(f"closed inside {where}") from exc


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await _read_line(reader, "a chunked body")
        parts.append(size_line)
        size = int(size_line.split(b";")[0].strip(), 16)
        if size == 0:
            # Trailers (usually none), then the empty line.
            while True:
                line = await _read_line(reader, "chunked trailers")
                parts.append(line)
                if line == b"\r\n":
                    return b"".join(parts)
        parts.append(await _read_exactly(reader, size + 2))


async def _read_message(
    reader: asyncio.StreamReader, *, response: bool, method: bytes = b"GET"
) -> _Message:
    start, headers = await _read_head(reader)
    msg = _Message(start, headers, b"")
    encoding = (msg.header(b"transfer-encoding") or b"").lower()
    length = msg.header(b"content-length")
    if response:
        status = int(start.split(b" ", 2)[1])
        if method == b"HEAD" or status in (204, 304) or 100 <= status < 200:
            return msg
    if b"chunked" in encoding:
        msg.body = await _read_chunked(reader)
    elif length is not None:
        msg.body = await _read_exactly(reader, int(length))
    elif response:
        msg.body = await reader.read()  # framed by the server closing
    return msg


def _reset(writer: asyncio.StreamWriter) -> None:
    """Abort the connection with an RST rather than a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """The proxy server. ``await start()``, then ``address``; ``await stop()``."""

    def __init__(
        self,
        target: tuple[str, int],
        *,
        rate: float = 0.3,
        seed: int = 0,
        kinds: Sequence[str] = FAULT_KINDS,
        delay_s: tuple[float, float] = (0.05, 0.5),
        paths: Iterable[str] = ("/",),
        listen: tuple[str, int] = ("127.0.0.1", 0),
    ) -> None:
        unknown = [k for k in kinds if k not in FAULT_KINDS]
        if unknown or not kinds:
            raise ValueError(f"fault kinds must be some of {', '.join(FAULT_KINDS)}: {kinds!r}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, not {rate}")
        self.target = target
        self.rate = rate
        self.kinds = tuple(kinds)
        self.delay_s = delay_s
        self.paths = tuple(p.encode() for p in paths)
        self.listen = listen
        self.counts: collections.Counter[str] = collections.Counter()
        self._random = random.Random(seed)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("the proxy is not started")
        host, port = self._server.sockets[0].getsockname()[:2]
        return host, port

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, *self.listen, limit=_HEADER_LIMIT, reuse_address=True
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def choose(self, path: bytes) -> str:
        """The fate of the next request (one draw per request, whatever its path)."""
        draw, pick = self._random.random(), self._random.choice(self.kinds)
        if draw >= self.rate or not any(path.startswith(p) for p in self.paths):
            return PASS
        return pick

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._one_request(reader, writer)
        except (_Incomplete, ConnectionError, OSError) as exc:
            log.debug("connection ended early: %s", exc)
            writer.transport.abort()
        finally:
            self._tasks.discard(task)
            if not writer.is_closing():
                writer.close()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            request = await _read_message(reader, response=False)
        except _Incomplete:
            return  # a client that connected and went away: nothing to count
        method, path = [*request.start.split(b" "), b"", b""][:2]
        kind = self.choose(path)
        self.counts[kind] += 1
        log.debug("%s %s -> %s", method.decode(), path.decode(errors="replace"), kind)
        if kind == "drop":
            writer.close()
            return
        if kind == "delay":
            await asyncio.sleep(self._random.uniform(*self.delay_s))
        if kind == "duplicate":
            first = asyncio.create_task(self._forward(request, method))
            await asyncio.sleep(0)
            second = asyncio.create_task(self._forward(request, method))
            answer, _ = await asyncio.gather(first, second)
        else:
            answer = await self._forward(request, method)
        if kind == "reset":
            _reset(writer)
            return
        data = answer.with_close()
        if kind == "truncate":
            if len(answer.body) >= 2:
                data = data[: len(data) - len(answer.body) + len(answer.body) // 2]
            else:
                data = data[: len(data) // 2]
        writer.write(data)
        await writer.drain()
        writer.close()

    async def _forward(self, request: _Message, method: bytes) -> _Message:
        up_reader, up_writer = await asyncio.open_connection(*self.target, limit=_HEADER_LIMIT)
        try:
            up_writer.write(request.with_close())
            await up_writer.drain()
            return await _read_message(up_reader, response=True, method=method)
        finally:
            up_writer.close()

    def summary(self) -> str:
        total = sum(self.counts.values())
        parts = [f"{k}={self.counts.get(k, 0)}" for k in (PASS, *FAULT_KINDS)]
        return f"{total} requests: " + " ".join(parts)


class ProxyThread:
    """A ``FaultProxy`` on its own event-loop thread, for synchronous code.

    ``with ProxyThread(target, rate=0.3, seed=1) as proxy: ... proxy.url``
    """

    def __init__(self, target: tuple[str, int], **options: Any) -> None:
        self.proxy = FaultProxy(target, **options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="faultproxy"
        )

    @property
    def counts(self) -> collections.Counter[str]:
        return self.proxy.counts

    @property
    def url(self) -> str:
        host, port = self.proxy.address
        return f"http://{host}:{port}"

    def start(self) -> ProxyThread:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.proxy.start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        log.info("fault proxy stopped: %s", self.proxy.summary())

    def __enter__(self) -> ProxyThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, not {text!r}")
    return host or "127.0.0.1", int(port)


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in FAULT_KINDS]
    if bad or not kinds:
        raise argparse.ArgumentTypeError(f"kinds are some of {','.join(FAULT_KINDS)}")
    return kinds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.faultproxy", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--listen", type=_host_port, required=True, metavar="HOST:PORT")
    parser.add_argument("--target", type=_host_port, required=True, metavar="HOST:PORT")
    parser.add_argument("--rate", type=float, default=0.3, help="fault probability per request")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--kinds",
        type=_kinds,
        default=FAULT_KINDS,
        help=f"comma-separated, from {','.join(FAULT_KINDS)} (default: all)",
    )
    parser.add_argument(
        "--delay",
        type=float,
        nargs=2,
        default=(0.05, 0.5),
        metavar=("MIN_S", "MAX_S"),
        help="the delay fault's range",
    )
    parser.add_argument(
        "--paths", default="/", help="comma-separated path prefixes to fault (others pass)"
    )
    parser.add_argument("--report-every", type=float, default=10.0, metavar="SECONDS")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    proxy = FaultProxy(
        args.target,
        rate=args.rate,
        seed=args.seed,
        kinds=args.kinds,
        delay_s=tuple(args.delay),
        paths=args.paths.split(","),
        listen=args.listen,
    )

    async def serve() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopping.set)
        await proxy.start()
        host, port = proxy.address
        log.info(
            "listening on %s:%d, forwarding to %s:%d, rate %.2f, seed %d",
            host,
            port,
            *args.target,
            args.rate,
            args.seed,
        )
        try:
            while not stopping.is_set():
                try:
                    await asyncio.wait_for(stopping.wait(), args.report_every)
                except TimeoutError:
                    log.info("%s", proxy.summary())
        finally:
            await proxy.stop()

    asyncio.run(serve())
    log.info("stopped: %s", proxy.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
