"""Limits and headers as pure ASGI middleware (they act before FastAPI reads a body).

- :class:`UploadGuard`: ``POST /uploads`` checks the API key before one byte of the body is
  read, refuses a declared ``Content-Length`` over the limit, counts the body as it streams
  (chunked bodies too) and stops it at the limit (413), and gives up on a client that sends
  nothing for ``upload_body_timeout_s`` (408).
- :class:`TimeBudget`: a read that has not started its response within
  ``request_time_budget_s`` answers 503 with ``Retry-After`` (its work is dropped).
- :class:`SecurityHeaders`: ``nosniff``, ``Referrer-Policy``, a CSP (``frame-ancestors`` for the
  HTML pages and maps), on every response.
"""

from __future__ import annotations

import math
import re
import threading
import time
from typing import Any
from urllib.parse import unquote_plus

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from villagecov.api.errors import problem
from villagecov.apikeys import verify_key
from villagecov.errors import NotAuthenticated, StoreError, VillagecovError
from villagecov.jobs import record
from villagecov.settings import Settings
from villagecov.storage import Store

UPLOAD_PATH = "/uploads"
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small form fields around the file


class _Stop(Exception):
    """Raised into the app's body reader when the upload must stop (too large, too slow)."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def api_key_text(scope: Scope) -> str | None:
    """The key from ``X-API-Key`` or ``Authorization: Bearer``."""
    text = _header(scope, b"x-api-key")
    auth = _header(scope, b"authorization") or ""
    if not text and auth.lower().startswith("bearer "):
        text = auth[7:].strip()
    return text


def claimed_key_id(text: str | None) -> str:
    """Who an unauthenticated caller claims to be: ``anonymous`` (no key), the key id part of a
    well-formed key (never its secret), else ``malformed``."""
    if not text or not text.strip():
        return "anonymous"
    parts = text.strip().removeprefix("vc_").split("_", 1)
    if text.strip().startswith("vc_") and len(parts) == 2 and parts[0].isalnum() and len(parts[0]) <= 32:
        return parts[0]
    return "malformed"


class RefusalAudit:
    """Writes a refused (401) upload attempt to ``upload_audit``, at most ``per_minute`` rows a
    minute per server process: a flood of anonymous requests must not turn into a flood of store
    writes. Attempts over the budget are counted and said in the next row written."""

    def __init__(self, settings: Settings, per_minute: int = 30) -> None:
        self.settings, self.per_minute = settings, per_minute
        self.window, self.written, self.suppressed = 0.0, 0, 0
        self.lock = threading.Lock()

    def __call__(self, who: str, detail: str) -> None:
        with self.lock:
            now = time.monotonic()
            if now - self.window >= 60:
                self.window, self.written = now, 0
            if self.written >= self.per_minute:
                self.suppressed += 1
                return
            self.written += 1
            suppressed, self.suppressed = self.suppressed, 0
        if suppressed:
            detail += f" (and {suppressed} more refused attempts not written one by one)"
        try:
            record(
                self.settings,
                {"id": None, "key_id": who, "role": None, "status": "unauthenticated", "error": detail},
            )
        except VillagecovError:  # the audit must never turn a 401 into a server error
            pass


class UploadGuard:
    def __init__(self, app: ASGIApp, store: Store, settings: Settings) -> None:
        self.app, self.store = app, store
        self.audit = RefusalAudit(settings)
        self.limit = settings.max_upload_mb * 1024 * 1024 + FORM_OVERHEAD
        self.mb = settings.max_upload_mb
        self.timeout = settings.upload_body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") != UPLOAD_PATH:
            await self.app(scope, receive, send)
            return
        try:
            await anyio.to_thread.run_sync(verify_key, self.store, api_key_text(scope))
        except NotAuthenticated as exc:
            await problem(401, "Not authenticated", str(exc), UPLOAD_PATH)(scope, receive, send)
            await anyio.to_thread.run_sync(self.audit, claimed_key_id(api_key_text(scope)), str(exc))
            return
        except StoreError:
            await problem(
                503,
                "Store unavailable",
                "the key could not be checked; try again later",
                UPLOAD_PATH,
                headers={"Retry-After": "30"},
            )(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._too_large(scope, receive, send)
            return
        state: dict[str, Any] = {"read": 0, "stop": None, "started": False}

        async def limited_receive() -> Message:
            try:
                with anyio.fail_after(self.timeout):
                    message = await receive()
            except TimeoutError:
                state["stop"] = "slow"
                raise _Stop() from None
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > self.limit:
                    state["stop"] = "large"
                    raise _Stop()
            return message

        async def guarded_send(message: Message) -> None:
            if state["stop"] is None:
                state["started"] = state["started"] or message["type"] == "http.response.start"
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _Stop:
            pass
        if state["stop"] and not state["started"]:
            if state["stop"] == "large":
                await self._too_large(scope, receive, send)
            else:
                await problem(
                    408,
                    "Request timeout",
                    f"no data for {self.timeout:g} s: the upload was dropped",
                    UPLOAD_PATH,
                    headers={"Connection": "close"},
                )(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "Upload too large",
            f"the file is larger than {self.mb} MB",
            UPLOAD_PATH,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


class TimeBudget:
    def __init__(self, app: ASGIApp, seconds: float, retry_after_s: int = 30) -> None:
        self.app, self.seconds, self.retry = app, seconds, retry_after_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        started, late = anyio.Event(), False

        async def timed_send(message: Message) -> None:
            if late:
                return
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        async def run() -> None:
            try:
                await self.app(scope, receive, timed_send)
            finally:
                started.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            with anyio.move_on_after(self.seconds):
                await started.wait()
            if not started.is_set():
                late = True
                response = problem(
                    503,
                    "Service unavailable",
                    f"the request took longer than {self.seconds:g} s: try a smaller area, a higher "
                    "zoom or a narrower time range, or try again later",
                    scope["path"],
                    headers={"Retry-After": str(self.retry)},
                )
                await response(scope, receive, send)
                tg.cancel_scope.deadline = (
                    math.inf
                )  # the abandoned work ends on its own; its output is dropped


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class QueryGuard:
    """400 for a query string or path holding NUL or another control character (after
    percent-decoding): no parameter of this API takes one, and some stores choke on them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = unquote_plus(scope.get("query_string", b"").decode("latin-1"), errors="replace")
            if _CONTROL.search(query) or _CONTROL.search(scope.get("path", "")):
                await problem(
                    400,
                    "Bad request",
                    "control characters (such as NUL) are not allowed in the URL",
                    scope.get("path", "").encode("unicode_escape").decode("ascii"),
                )(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, frame_ancestors: str = "'self'") -> None:
        self.app = app
        self.html_csp = f"frame-ancestors {frame_ancestors}; object-src 'none'; base-uri 'self'".encode()
        self.data_csp = b"default-src 'none'; frame-ancestors 'none'"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", self.html_csp if b"html" in kind else self.data_csp),
                ]
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
