"""Operations: ``/health`` (the process answers), ``/ready`` (the database answers
and is migrated), ``/metrics`` (Prometheus)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from server.db import is_current
from server.deps import State
from server.errors import ApiError, error_responses

__all__ = ["router"]

router = APIRouter(tags=["operations"])
log = logging.getLogger("server.ops")


class StatusOut(BaseModel):
    status: str


@router.get("/health")
async def health() -> StatusOut:
    return StatusOut(status="ok")


@router.get(
    "/ready",
    responses=error_responses(503, s503="the database does not answer, or is not migrated"),
)
async def ready(state: State) -> StatusOut:
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
    return StatusOut(status="ready")


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "Prometheus text exposition",
        }
    },
)
async def metrics(state: State) -> Response:
    return state.metrics.exposition()
