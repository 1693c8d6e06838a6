"""The server's application: :func:`create_app` wires the database, fan-out, metrics,
error handlers and routers. Further routers (an integration API, say) are added with
``app.include_router(...)`` and use :mod:`server.deps` for the database session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from server.db import (
    DatabaseLimits,
    default_database_url,
    make_engine,
    make_sessionmaker,
    normalise_url,
    upgrade,
)
from server.deps import AppState
from server.errors import error_responses, install_error_handlers
from server.fanout import fanout_for
from server.metrics import Metrics, install_metrics
from server.routes import admin, console, integration, ops, sync

__all__ = ["DEFAULT_HEARTBEAT_S", "create_app"]

DEFAULT_HEARTBEAT_S = 2.0


def create_app(
    database_url: str | None = None,
    *,
    heartbeat_s: float = DEFAULT_HEARTBEAT_S,
    migrate: bool = True,
    limits: DatabaseLimits | None = None,
) -> FastAPI:
    """The server on ``database_url`` (default: ``KIOSK_SERVER_DATABASE_URL`` or the
    embedded SQLite file). At start-up it migrates the database (unless ``migrate`` is
    false) and starts listening for station changes. ``limits`` bound how long a
    request waits for the database before it is answered 503 (default: from the
    environment, :meth:`DatabaseLimits.from_env`)."""
    url = normalise_url(database_url or default_database_url())
    engine = make_engine(url, limits)
    state = AppState(
        database_url=url,
        engine=engine,
        sessions=make_sessionmaker(engine),
        fanout=fanout_for(url),
        metrics=Metrics(),
        heartbeat_s=heartbeat_s,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if migrate:
            await run_in_threadpool(upgrade, engine)
        await state.fanout.start()
        try:
            yield
        finally:
            await state.fanout.stop()
            engine.dispose()

    app = FastAPI(
        title="kiosk centre server",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.kiosk = state
    install_error_handlers(app, state.metrics)
    install_metrics(app, state.metrics)
    # Every endpoint that uses the database may find it too busy (503 server_busy).
    busy = error_responses(
        503, s503="the database is too busy now (server_busy): send it again after Retry-After"
    )
    for module in (sync, console, admin, integration):
        app.include_router(module.router, responses=busy)
    app.include_router(ops.router)
    return app
