"""Exception → HTTP status table and ``application/problem+json`` (RFC 9457) responses.

The core raises :mod:`villagecov.errors`; this module alone decides the status code. Messages
are the errors' own one-line, user-safe texts; unexpected exceptions answer a generic 500
without internals (the traceback goes to the server log only).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from villagecov.errors import (
    ConfigError,
    DuplicateSubmission,
    InputError,
    NotAuthenticated,
    NotFound,
    NotYetAvailable,
    PermissionDenied,
    StoreError,
    StoreUnavailable,
    VillagecovError,
)

log = logging.getLogger("villagecov.api")
PROBLEM = "application/problem+json"


class UploadTooLarge(InputError):
    """An upload exceeds ``settings.max_upload_mb`` (raised by the web layer only)."""


class BadQuery(InputError):
    """A query parameter is unknown or malformed (raised by the web layer only)."""


class Busy(VillagecovError):
    """The server has too much queued work for this request now (503 with Retry-After)."""


RETRY_AFTER_S = 30


# Most specific first: the first class that matches wins.
STATUS: list[tuple[type[Exception], int, str]] = [
    (NotAuthenticated, 401, "Not authenticated"),
    (PermissionDenied, 403, "Forbidden"),
    (NotFound, 404, "Not found"),
    (UploadTooLarge, 413, "Upload too large"),
    (DuplicateSubmission, 409, "Duplicate submission"),
    (BadQuery, 400, "Bad request"),
    (Busy, 503, "Service unavailable"),
    (InputError, 400, "Invalid input"),  # 400 like every invalid request: the OpenAPI document says so
    (NotYetAvailable, 501, "Not yet available"),
    (StoreUnavailable, 503, "Store unavailable"),
    (StoreError, 500, "Store error"),
    (ConfigError, 500, "Configuration error"),
    (VillagecovError, 500, "Error"),
]


def status_for(exc: Exception) -> tuple[int, str]:
    for cls, status, title in STATUS:
        if isinstance(exc, cls):
            return status, title
    return 500, "Internal server error"


def problem(status: int, title: str, detail: str, instance: str = "", *, headers: dict[str, str] | None = None,
            **extra: object) -> JSONResponse:
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'ApiKey header="X-API-Key"'
    if status == 503:
        headers.setdefault("Retry-After", str(RETRY_AFTER_S))
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers or None)


async def _villagecov_error(request: Request, exc: Exception) -> JSONResponse:
    status, title = status_for(exc)
    detail = str(exc)
    if status >= 500 and not isinstance(exc, StoreUnavailable | NotYetAvailable):
        log.exception("server error on %s", request.url.path, exc_info=exc)
        detail = "the server could not complete the request; the error was logged"
    return problem(status, title, detail, request.url.path)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # Keep the exception's headers: a 405 names the allowed methods in ``Allow``.
    return problem(exc.status_code, _title(exc.status_code), str(exc.detail), request.url.path,
                   headers=dict(exc.headers or {}))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    detail = f"{'.'.join(first['loc'])}: {first['msg']}" if first["loc"] else first["msg"]
    return problem(400, "Bad request", detail, request.url.path, errors=errors)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return problem(500, "Internal server error", "the server could not complete the request; the error was logged",
                   request.url.path)


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(VillagecovError, _villagecov_error)
    app.add_exception_handler(KeyError, _unexpected)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
