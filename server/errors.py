"""One error shape for every response: ``{"error": {"code", "message"}}``.

Handlers replace FastAPI's defaults, so validation errors (422), unknown routes
(404), wrong methods (405) and anything unexpected (500) answer the same way.

A database too busy to serve a request in time is not a failure of the server: SQLite's
writer lock held past the busy timeout, no pooled connection free within the pool's
timeout, a PostgreSQL lock timeout, deadlock, serialization failure or connection limit
(:func:`overload_cause`). Those answer 503 ``server_busy`` with ``Retry-After``, are
logged as warnings and counted (``kiosk_server_overload_total``); the request's
transaction is rolled back, so nothing of it is kept. Every other database error
is still a 500. The console's WebSocket, which has no status code once open, is
turned away the same way (:func:`turn_away`) with an ``error`` message and close
code 1013, "try again later".
"""

from __future__ import annotations

import logging
import random
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.metrics import Metrics
from server.protocol import error_body

__all__ = [
    "BODY_NOT_JSON",
    "OVERLOAD_RETRY_AFTER_S",
    "ApiError",
    "ErrorBody",
    "ErrorDetail",
    "describe_validation",
    "error_responses",
    "install_error_handlers",
    "overload_cause",
    "turn_away",
]

log = logging.getLogger("server.errors")

_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


class ErrorDetail(BaseModel):
    code: str = Field(description="snake_case, stable: what went wrong")
    message: str = Field(description="what was wrong and what to do")


class ErrorBody(BaseModel):
    """Every error the server answers, whatever the status."""

    error: ErrorDetail


_DESCRIPTIONS = {
    400: "the request cannot be used as it is",
    401: "no credentials, or credentials the server does not accept",
    403: "authenticated, but not allowed to do this",
    404: "no such thing (in your centre)",
    409: "conflicts with what the server holds",
    413: "the body is too large",
    415: "the body's Content-Type is not one this takes",
    422: "the request is not valid",
    429: "too many requests: wait Retry-After seconds",
    503: "the server cannot answer now: send the same request again after Retry-After seconds",
}


BODY_NOT_JSON = "the body is not JSON (or not UTF-8)"


def error_responses(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for these error statuses, each with the one error body;
    ``described`` (``s404="..."``) replaces a status's generic description."""
    return {
        status: {
            "model": ErrorBody,
            "description": described.get(f"s{status}", _DESCRIPTIONS.get(status, "an error")),
        }
        for status in statuses
    }


class ApiError(Exception):
    """An error meant for the client: its status, a snake_case code, and what to do."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(error_body(exc.code, exc.message), exc.status, headers=exc.headers)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODES.get(exc.status_code, "error")
    if exc.status_code == 404:
        message = f"nothing at {request.url.path}: check the address"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return JSONResponse(error_body(code, message), exc.status_code, headers=exc.headers)


def describe_validation(errors: Sequence[Any]) -> str:
    """Pydantic's errors as one sentence: where each problem is, and what it is."""
    problems = []
    for error in errors[:10]:
        where = ".".join(str(part) for part in error.get("loc", ())) or "body"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "the request is not valid: " + "; ".join(problems) + " (fix it and send it again)"


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(error_body("invalid_request", describe_validation(exc.errors())), 422)


def _data_error(request: Request, exc: Exception) -> JSONResponse:
    """A value the database refused to store or compare (PostgreSQL takes no NUL
    character in text, for one): the client's input, so a 422, never a 500."""
    assert isinstance(exc, DataError)
    log.info("database refused a value on %s %s: %s", request.method, request.url.path, exc.orig)
    return JSONResponse(
        error_body(
            "invalid_request",
            "the request holds a value the database cannot take (a NUL character in text, "
            "or a number out of range): fix it and send it again",
        ),
        422,
    )


# Retry-After for an overloaded database: whole seconds, drawn from this range so that
# the clients turned away together do not all come back together.
OVERLOAD_RETRY_AFTER_S = (1, 5)

# PostgreSQL SQLSTATEs of a database too busy to serve now (a retry will do).
_PG_BUSY = {
    "55P03": "pg_lock_timeout",  # lock_not_available: lock_timeout / NOWAIT
    "40P01": "pg_deadlock",  # deadlock_detected: one of the two is rolled back
    "40001": "pg_serialization",  # serialization_failure
    "53300": "pg_too_many_connections",  # too_many_connections
}
# What a connection refused for want of slots says (psycopg reports no SQLSTATE when
# the server refuses the connection itself): the server's, a role's or a database's
# connection limit.
_PG_FULL = (
    "too many clients already",
    "remaining connection slots are reserved",
    "too many connections for role",
    "too many connections for database",
)

_BUSY_REASONS = {
    "sqlite_busy": "the database is busy with other writes",
    "pool_timeout": "every database connection is in use",
    "pg_lock_timeout": "what this needs stayed locked by other requests",
    "pg_deadlock": "it collided with a concurrent request",
    "pg_serialization": "it collided with a concurrent request",
    "pg_too_many_connections": "the database takes no more connections",
}


def overload_cause(exc: BaseException) -> str | None:
    """What made the database too busy for this request (``sqlite_busy``,
    ``pool_timeout``, ``pg_lock_timeout``, ``pg_deadlock``, ``pg_serialization``,
    ``pg_too_many_connections``); ``None`` when ``exc`` is anything else."""
    if isinstance(exc, PoolTimeoutError):
        return "pool_timeout"
    if not isinstance(exc, OperationalError):
        return None
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            # SQLITE_BUSY and its extended codes (..._RECOVERY, _SNAPSHOT, _TIMEOUT).
            return "sqlite_busy" if code & 0xFF == sqlite3.SQLITE_BUSY else None
        return "sqlite_busy" if "database is locked" in str(orig) else None
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _PG_BUSY.get(sqlstate)
    if any(text in str(orig) for text in _PG_FULL):
        return "pg_too_many_connections"
    return None


def _driver_message(exc: Exception) -> str:
    """The database driver's own words, first line only: never the statement or its
    parameters, which may hold what a station sent."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def turn_away(
    cause: str, exc: Exception, where: str, answer: str, metrics: Metrics | None
) -> tuple[int, dict[str, Any]]:
    """Log and count a request turned away by a busy database (``cause``, from
    :func:`overload_cause`); returns the Retry-After in whole seconds and the error body
    (``server_busy``). ``where`` names the request, ``answer`` how it was answered."""
    retry_after = random.randint(*OVERLOAD_RETRY_AFTER_S)
    log.warning(
        "database overloaded (%s) on %s: %s; %s, retry after %d s",
        cause,
        where,
        _driver_message(exc),
        answer,
        retry_after,
        extra={"cause": cause, "retry_after_s": retry_after},
    )
    if metrics is not None:
        metrics.overload.labels(cause).inc()
    body = error_body(
        "server_busy",
        f"the server is overloaded ({_BUSY_REASONS[cause]}); the request was not "
        f"carried out: send it again after {retry_after} seconds",
    )
    return retry_after, body


def _overload_handler(metrics: Metrics | None) -> Callable[[Request, Exception], JSONResponse]:
    def overloaded(request: Request, exc: Exception) -> JSONResponse:
        cause = overload_cause(exc)
        if cause is None:
            raise exc  # not a busy database: the 500 handler answers it
        where = f"{request.method} {request.url.path}"
        retry_after, body = turn_away(cause, exc, where, "answered 503", metrics)
        return JSONResponse(body, 503, headers={"Retry-After": str(retry_after)})

    return overloaded


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "the server failed; try again, and tell its operator"),
        500,
    )


def install_error_handlers(app: FastAPI, metrics: Metrics | None = None) -> None:
    """The one error shape for ``app``; overloads are counted in ``metrics``."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DataError, _data_error)
    overloaded = _overload_handler(metrics)
    app.add_exception_handler(OperationalError, overloaded)
    app.add_exception_handler(PoolTimeoutError, overloaded)
    app.add_exception_handler(Exception, _unexpected)
