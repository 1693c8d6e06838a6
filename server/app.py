"""The server's application: :func:`create_app` wires the database, fan-out, metrics,
error handlers and routers. Further routers (an integration API, say) are added with
``app.include_router(...)`` and use :mod:`server.deps` for the database session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from server.db import default_database_url, make_engine, make_sessionmaker, normalise_url, upgrade
from server.deps import AppState
from server.errors import install_error_handlers
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
) -> FastAPI:
    """The server on ``database_url`` (default: ``KIOSK_SERVER_DATABASE_URL`` or the
    embedded SQLite file). At start-up it migrates the database (unless ``migrate`` is
    false) and starts listening for station changes."""
    url = normalise_url(database_url or default_database_url())
    engine = make_engine(url)
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
    install_error_handlers(app)
    install_metrics(app, state.metrics)
    for module in (sync, console, admin, integration, ops):
        app.include_router(module.router)
    return app
