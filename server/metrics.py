"""Prometheus metrics, one registry per app (so that several apps in one process,
as in tests, do not collide)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

__all__ = ["Metrics", "install_metrics"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kiosk_server_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "kiosk_server_request_seconds",
            "Time to answer an HTTP request.",
            ["route"],
            registry=self.registry,
        )
        self.batch_apply_seconds = Histogram(
            "kiosk_server_batch_apply_seconds",
            "Time to store and apply one posted batch (in its transaction).",
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.events_ingested = Counter(
            "kiosk_server_events_ingested",
            "Events stored from stations (duplicates not counted).",
            registry=self.registry,
        )
        self.overload = Counter(
            "kiosk_server_overload",
            "Requests answered 503 because the database was too busy, by cause "
            "(sqlite_busy, pool_timeout, pg_lock_timeout, pg_deadlock, pg_serialization, "
            "pg_too_many_connections).",
            ["cause"],
            registry=self.registry,
        )
        self.flags = Counter(
            "kiosk_server_flags",
            "Things received that did not verify, by flag code.",
            ["code"],
            registry=self.registry,
        )

    def exposition(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def _route_of(request: Request) -> str:
    """The route's template (``/sync/v1/commands/{command_id}/ack``), never the raw
    path, so that ids do not each make a new series."""
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched"))


def install_metrics(app: FastAPI, metrics: Metrics) -> None:
    @app.middleware("http")
    async def _count(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = _route_of(request)
            metrics.requests.labels(request.method, route, str(status)).inc()
            metrics.request_seconds.labels(route).observe(time.perf_counter() - started)
