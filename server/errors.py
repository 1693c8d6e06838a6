"""One error shape for every response: ``{"error": {"code", "message"}}``.

Handlers replace FastAPI's defaults, so validation errors (422), unknown routes
(404), wrong methods (405) and anything unexpected (500) answer the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.protocol import error_body

__all__ = [
    "BODY_NOT_JSON",
    "ApiError",
    "ErrorBody",
    "ErrorDetail",
    "describe_validation",
    "error_responses",
    "install_error_handlers",
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
    503: "the server cannot answer now",
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


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "the server failed; try again, and tell its operator"),
        500,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(Exception, _unexpected)
