"""Operations: ``/health`` (the process answers), ``/ready`` (the database answers
and is migrated), ``/metrics`` (Prometheus)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from server.db import is_current
from server.deps import State
from server.errors import ApiError

__all__ = ["router"]

router = APIRouter(tags=["operations"])
log = logging.getLogger("server.ops")


@router.get("/health")
async def health() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/ready")
async def ready(state: State) -> dict[str, Any]:
    try:
        current = await run_in_threadpool(is_current, state.engine)
    except SQLAlchemyError as exc:
        log.warning("database unreachable: %s", exc)
        raise ApiError(
            503, "database_unreachable", "the database does not answer: check it and its URL"
        ) from exc
    if not current:
        raise ApiError(
            503, "database_not_migrated", "the database schema is not current: kiosk-server migrate"
        )
    return {"status": "ready"}


@router.get("/metrics")
async def metrics(state: State) -> Response:
    return state.metrics.exposition()
